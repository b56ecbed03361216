package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// DefaultWebhookHosts are the group robots' hosts: WeCom and DingTalk.
var DefaultWebhookHosts = []string{"qyapi.weixin.qq.com", "oapi.dingtalk.com"}

// WebhookPolicy says where notice webhooks may go. A webhook is a request
// this server makes to an address a user typed, so by default it goes only
// over https, to the group robots' hosts, to public addresses (checked on
// the address actually dialled, so a DNS answer cannot swap it), follows no
// redirect and reads a small answer in a bounded time.
type WebhookPolicy struct {
	// Hosts allowed; "*" allows any host (still public addresses only).
	Hosts []string
	// HTTP allows plain http:// URLs (an in-house relay).
	HTTP bool
	// Private allows loopback, private and link-local addresses (an
	// in-house relay, or a test).
	Private bool
}

// Check refuses a webhook URL the policy does not allow, as a field error.
func (p WebhookPolicy) Check(raw string) error {
	bad := func(key string) error {
		return &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"webhook_url": key}}
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.User != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return bad("err.field.webhook_url")
	}
	if u.Scheme == "http" && !p.HTTP {
		return bad("err.field.webhook_https")
	}
	host := strings.ToLower(u.Hostname())
	if !slices.Contains(p.Hosts, "*") && !slices.Contains(p.Hosts, host) {
		return bad("err.field.webhook_host")
	}
	if a, err := netip.ParseAddr(host); err == nil && !p.Private && !publicAddr(a) {
		return bad("err.field.webhook_host")
	}
	return nil
}

// publicAddr reports whether a is an address on the internet: not
// loopback, private, link-local (cloud metadata services live there),
// shared (CGNAT), unspecified or multicast.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap()
	return a.IsValid() && !a.IsLoopback() && !a.IsPrivate() && !a.IsLinkLocalUnicast() && !a.IsLinkLocalMulticast() &&
		!a.IsUnspecified() && !a.IsMulticast() && !a.IsInterfaceLocalMulticast() &&
		!netip.MustParsePrefix("100.64.0.0/10").Contains(a) && !netip.MustParsePrefix("0.0.0.0/8").Contains(a)
}

// errBlocked is a connection the policy refused.
var errBlocked = errors.New("webhook: address not allowed")

// Client is the HTTP client webhooks are sent with under the policy.
func (p WebhookPolicy) Client() *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, address string, _ syscall.RawConn) error {
		host, _, err := net.SplitHostPort(address)
		if err != nil {
			return err
		}
		a, err := netip.ParseAddr(host)
		if err != nil || (!p.Private && !publicAddr(a)) {
			return fmt.Errorf("%w: %s", errBlocked, host)
		}
		return nil
	}}
	tr := &http.Transport{
		DialContext:            dialer.DialContext,
		Proxy:                  nil, // the address checked is the one dialled
		TLSHandshakeTimeout:    5 * time.Second,
		ResponseHeaderTimeout:  5 * time.Second,
		MaxResponseHeaderBytes: 16 << 10,
		DisableKeepAlives:      true,
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// allowed re-checks a stored URL when it is sent: the policy may have
// changed since it was saved.
func (p WebhookPolicy) allowed(ctx context.Context, raw string) error {
	if err := p.Check(raw); err != nil {
		return permanent{fmt.Errorf("webhook %s: not allowed by the policy", raw)}
	}
	return ctx.Err()
}
