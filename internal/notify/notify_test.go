package notify_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/i18n"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/notify"
)

// smtpServer is a minimal SMTP server that keeps each message's data.
type smtpServer struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
}

func newSMTP(t *testing.T) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *smtpServer) serve(c net.Conn) {
	defer c.Close()
	r := bufio.NewReader(c)
	fmt.Fprint(c, "220 test ESMTP\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.TrimSpace(line))
		switch {
		case strings.HasPrefix(cmd, "EHLO"), strings.HasPrefix(cmd, "HELO"):
			fmt.Fprint(c, "250-test\r\n250 8BITMIME\r\n")
		case strings.HasPrefix(cmd, "DATA"):
			fmt.Fprint(c, "354 go ahead\r\n")
			var b strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if l == ".\r\n" {
					break
				}
				b.WriteString(l)
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, b.String())
			s.mu.Unlock()
			fmt.Fprint(c, "250 queued\r\n")
		case strings.HasPrefix(cmd, "QUIT"):
			fmt.Fprint(c, "221 bye\r\n")
			return
		default:
			fmt.Fprint(c, "250 ok\r\n")
		}
	}
}

// TestEmailNoticesGoOutOnce sends a cancellation notice by email through
// a real SMTP conversation, from two senders at once (as two instances
// would), and checks that it goes out once, in the reader's language.
func TestEmailNoticesGoOutOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		mail := newSMTP(t)
		ctx := context.Background()
		sys := model.SystemActor()
		ent := model.Actor{User: e.Users[apptest.EnterpriseA]}
		if _, err := e.Store.SetNoticeChannels(ctx, ent, model.NoticeChannels{Email: "manager@example.cn"}); err != nil {
			t.Fatal(err)
		}
		home, _ := e.Store.CreateHome(ctx, sys, model.Home{Name: "之家", RegionID: e.Regions["A"]})
		course, _ := e.Store.SaveCourse(ctx, sys, &model.Course{Title: "危险废物规范化管理", Category: "waste", CreditHours: 2})
		starts := e.Clock.Now().Add(72 * time.Hour)
		k, err := e.Store.CreateClass(ctx, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(time.Hour), Capacity: 5})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
		if _, err := e.Store.Book(ctx, ent, k.ID, m.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.CancelClass(ctx, sys, k.ID, "讲师出差"); err != nil {
			t.Fatal(err)
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		var wg sync.WaitGroup
		for range 2 {
			s := &notify.Sender{Store: e.Store, Renderer: e.Server.Notices.Renderer, Log: log,
				SMTP: notify.SMTP{Addr: mail.ln.Addr().String(), From: "envhome@example.cn"}}
			wg.Go(func() {
				for {
					did, err := s.RunOnce(ctx)
					if err != nil {
						t.Error(err)
					}
					if !did {
						return
					}
				}
			})
		}
		wg.Wait()
		mail.mu.Lock()
		defer mail.mu.Unlock()
		if len(mail.msgs) != 1 {
			t.Fatalf("%d emails, want 1", len(mail.msgs))
		}
		msg := mail.msgs[0]
		if !strings.Contains(msg, "To: manager@example.cn") || !strings.Contains(msg, "危险废物规范化管理") || !strings.Contains(msg, "已取消") {
			t.Errorf("email:\n%s", msg)
		}
	})
}

// TestEveryNoticeKindHasItsTexts: each registered kind reads in every
// language, using each of its arguments and no others.
func TestEveryNoticeKindHasItsTexts(t *testing.T) {
	cat, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	r := &notify.Renderer{I18n: cat}
	for _, k := range model.NoticeKinds() {
		args := map[string]string{}
		for i, a := range k.Args {
			args[a] = fmt.Sprintf("«arg%d»", i)
		}
		for _, lang := range cat.Languages() {
			text := r.Text(lang, &model.Notification{Kind: k.Name, Args: args})
			if text == "notice."+k.Name || strings.Contains(text, "%!") {
				t.Errorf("%s in %s: %q", k.Name, lang, text)
			}
			for i := range k.Args {
				if !strings.Contains(text, fmt.Sprintf("«arg%d»", i)) {
					t.Errorf("%s in %s leaves out %s: %q", k.Name, lang, k.Args[i], text)
				}
			}
		}
	}
	if got := r.Text("zh-CN", &model.Notification{Kind: "retired_kind"}); got != cat.T("zh-CN", "notice.unknown") {
		t.Errorf("unknown kind: %q", got)
	}
}
