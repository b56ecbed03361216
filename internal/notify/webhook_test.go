package notify_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/notify"
)

func TestWebhookPolicyCheck(t *testing.T) {
	strict := notify.WebhookPolicy{Hosts: notify.DefaultWebhookHosts}
	for _, raw := range []string{
		"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", // plain http
		"https://evil.example/hook",                             // not on the list
		"https://127.0.0.1/hook", "https://[::1]/hook", "https://169.254.169.254/latest/meta-data",
		"https://user:pw@qyapi.weixin.qq.com/x", "ftp://qyapi.weixin.qq.com/", "https:///nohost",
	} {
		if err := strict.Check(raw); model.ErrorCode(err) != model.ErrInvalid {
			t.Errorf("strict policy accepted %s (%v)", raw, err)
		}
	}
	for _, raw := range []string{"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "https://oapi.dingtalk.com/robot/send?access_token=t"} {
		if err := strict.Check(raw); err != nil {
			t.Errorf("strict policy refused %s: %v", raw, err)
		}
	}
	anyHost := notify.WebhookPolicy{Hosts: []string{"*"}}
	if anyHost.Check("https://10.1.2.3/hook") == nil || anyHost.Check("https://hooks.example.cn/x") != nil {
		t.Error("any public host: private literal allowed or public refused")
	}
}

// TestWebhookClientRefusesInside: the policy's client will not connect to
// this machine or follow a redirect, whatever name or URL leads there.
func TestWebhookClientRefusesInside(t *testing.T) {
	var hits atomic.Int32
	inside := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer inside.Close()
	open := notify.WebhookPolicy{Hosts: []string{"*"}, HTTP: true}
	for _, u := range []string{inside.URL, strings.Replace(inside.URL, "127.0.0.1", "localhost", 1)} {
		res, err := open.Client().Post(u, "application/json", strings.NewReader("{}"))
		if err == nil {
			res.Body.Close()
			t.Errorf("connected to %s", u)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the inside server was called %d times", hits.Load())
	}
	// Even where private addresses are allowed, a redirect is not followed.
	var second atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { second.Add(1) }))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()
	relay := notify.WebhookPolicy{Hosts: []string{"*"}, HTTP: true, Private: true}
	res, err := relay.Client().Post(redirector.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusTemporaryRedirect || second.Load() != 0 {
		t.Errorf("redirect: %d, target called %d times", res.StatusCode, second.Load())
	}
}
