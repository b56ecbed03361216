// Package notify renders notices in the reader's language and delivers
// their email and webhook copies. Deliveries are rows in the database,
// leased by one worker of any instance at a time and marked sent, so a
// notice goes out once and survives a restart.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/smtp"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/i18n"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// Renderer turns a notice into text.
type Renderer struct {
	I18n *i18n.Catalog
}

// Text is the notice in lang: the kind's text with its arguments in the
// order the kind declares them (catalogue keys among them translated). A kind no longer registered reads as a
// plain "new notice".
func (r *Renderer) Text(lang string, n *model.Notification) string {
	k, ok := model.LookupNoticeKind(n.Kind)
	if !ok {
		return r.I18n.T(lang, "notice.unknown")
	}
	args := make([]any, len(k.Args))
	for i, a := range k.Args {
		v := n.Args[a]
		// An argument that names a catalogue text (a duty's kind) is
		// read in the reader's language.
		if strings.Contains(v, ".") && r.I18n.HasKey(v) {
			v = r.I18n.T(lang, v)
		}
		args[i] = v
	}
	return r.I18n.T(lang, "notice."+k.Name, args...)
}

// SMTP is the mail server; an empty Addr means email is off.
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
}

// Sender delivers pending email and webhook copies.
type Sender struct {
	Store    *store.Store
	Renderer *Renderer
	SMTP     SMTP
	// Webhooks is where webhook copies may go; Client, if set, replaces
	// the policy's client (tests).
	Webhooks WebhookPolicy
	Client   *http.Client
	Log      *slog.Logger
	BaseURL  string // for links in messages
	Poll     time.Duration
	// MaxAttempts before a delivery is given up; retries back off.
	MaxAttempts int
}

// Run delivers until ctx ends.
func (s *Sender) Run(ctx context.Context) {
	poll := s.Poll
	if poll == 0 {
		poll = 5 * time.Second
	}
	for ctx.Err() == nil {
		did, err := s.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			s.Log.Warn("notify", "err", err)
		}
		if did {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
}

// RunOnce delivers one due copy; it reports whether there was one.
func (s *Sender) RunOnce(ctx context.Context) (bool, error) {
	d, err := s.Store.ClaimDelivery(ctx, 2*time.Minute)
	if err != nil || d == nil {
		return false, err
	}
	sendErr := s.send(ctx, d)
	var retry *time.Time
	max := s.MaxAttempts
	if max == 0 {
		max = 5
	}
	if sendErr != nil && d.Attempts < max && !isPermanent(sendErr) {
		t := s.Store.Now().Add(time.Duration(d.Attempts*d.Attempts) * time.Minute)
		retry = &t
	}
	if sendErr != nil {
		s.Log.Warn("notify: delivery failed", "id", d.ID, "channel", d.Channel, "attempt", d.Attempts, "err", sendErr)
	}
	return true, s.Store.FinishDelivery(context.WithoutCancel(ctx), d.ID, sendErr, retry)
}

type permanent struct{ error }

func isPermanent(err error) bool { _, ok := err.(permanent); return ok }

func (s *Sender) send(ctx context.Context, d *model.Delivery) error {
	lang := d.Language
	if lang == "" {
		lang = i18n.Default
	}
	text := s.Renderer.Text(lang, &d.Notification)
	if s.BaseURL != "" && d.Notification.Link != "" {
		text += "\n" + strings.TrimSuffix(s.BaseURL, "/") + d.Notification.Link
	}
	switch d.Channel {
	case "email":
		if s.SMTP.Addr == "" {
			return permanent{fmt.Errorf("email is not configured")}
		}
		return s.email(d.Target, s.Renderer.I18n.T(lang, "notice.subject"), text)
	case "webhook":
		return s.webhook(ctx, d.Target, text)
	}
	return permanent{fmt.Errorf("unknown channel %q", d.Channel)}
}

// Email sends one message now; for mail that must not wait in the queue
// nor go to a webhook (a password reset link). Off without a mail server.
func (s *Sender) Email(to, subject, body string) error {
	if s.SMTP.Addr == "" {
		return errors.New("no mail server")
	}
	return s.email(to, subject, body)
}

func (s *Sender) email(to, subject, body string) error {
	var msg bytes.Buffer
	fmt.Fprintf(&msg, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
		s.SMTP.From, to, mime.BEncoding.Encode("UTF-8", subject), strings.ReplaceAll(body, "\n", "\r\n"))
	var auth smtp.Auth
	if s.SMTP.Username != "" {
		host, _, _ := strings.Cut(s.SMTP.Addr, ":")
		auth = smtp.PlainAuth("", s.SMTP.Username, s.SMTP.Password, host)
	}
	return smtp.SendMail(s.SMTP.Addr, auth, s.SMTP.From, []string{to}, msg.Bytes())
}

// webhook posts the text message shape that WeCom and DingTalk group
// robots both accept.
func (s *Sender) webhook(ctx context.Context, url, text string) error {
	if err := s.Webhooks.allowed(ctx, url); err != nil {
		return err
	}
	body, _ := json.Marshal(map[string]any{"msgtype": "text", "text": map[string]string{"content": text}})
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return permanent{err}
	}
	req.Header.Set("Content-Type", "application/json")
	client := s.Client
	if client == nil {
		client = s.Webhooks.Client()
	}
	resp, err := client.Do(req)
	if errors.Is(err, errBlocked) {
		return permanent{err}
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	resp.Body = io.NopCloser(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 == 3 {
		return permanent{fmt.Errorf("webhook: redirected (HTTP %d); redirects are not followed", resp.StatusCode)}
	}
	var ack struct {
		ErrCode int    `json:"errcode"`
		ErrMsg  string `json:"errmsg"`
	}
	json.NewDecoder(resp.Body).Decode(&ack)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook: HTTP %d", resp.StatusCode)
	}
	if ack.ErrCode != 0 {
		return permanent{fmt.Errorf("webhook: errcode %d %s", ack.ErrCode, ack.ErrMsg)}
	}
	return nil
}
