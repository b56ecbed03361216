package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestTwoFactorWeb: the account page sets it up with a QR code, shows the
// recovery codes once, and the login page then asks for a code.
func TestTwoFactorWeb(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(apptest.EnterpriseB)
		if r := b.Get("/account/2fa/qr.png"); r.StatusCode != 404 {
			t.Errorf("QR before starting: %d", r.StatusCode)
		}
		if r := b.Post("/account/2fa", nil); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("start: %d %s", r.StatusCode, r.Body)
		}
		page := string(b.Get("/account").Body)
		m := regexp.MustCompile(`id="totp-secret">([A-Z2-7]+)<`).FindStringSubmatch(page)
		if m == nil || !strings.Contains(page, `src="/account/2fa/qr.png"`) {
			t.Fatalf("the account page shows no setup:\n%s", page)
		}
		if r := b.Get("/account/2fa/qr.png"); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
			t.Errorf("QR: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
		}
		if r := e.Browser(guest).Get("/account/2fa/qr.png"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("QR as a guest: %d", r.StatusCode)
		}
		r := b.Post("/account/2fa/confirm", url.Values{"otp": {"12345"}})
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "动态验证码不正确") {
			t.Errorf("a wrong code: %d", r.StatusCode)
		}
		r = b.Post("/account/2fa/confirm", url.Values{"otp": {model.TOTPCode(m[1], e.Clock.Now())}})
		if r.StatusCode != 200 || strings.Count(string(r.Body), "<li><code>") != 10 {
			t.Fatalf("confirm: %d\n%s", r.StatusCode, r.Body)
		}
		if strings.Contains(string(b.Get("/account").Body), "<li><code>") {
			t.Error("the recovery codes are shown twice")
		}

		g := e.Browser(guest)
		r = g.Post("/login", url.Values{"username": {"ent-b"}, "password": {apptest.Password}})
		if r.StatusCode == http.StatusSeeOther || !strings.Contains(string(r.Body), `name="otp"`) || g.Cookie("envhome_session") != nil {
			t.Fatalf("login without a code: %d, asks for it: %v", r.StatusCode, strings.Contains(string(r.Body), `name="otp"`))
		}
		e.Clock.Advance(30 * time.Second)
		r = g.Post("/login", url.Values{"username": {"ent-b"}, "password": {apptest.Password}, "otp": {model.TOTPCode(m[1], e.Clock.Now())}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("login with a code: %d %s", r.StatusCode, r.Body)
		}
	})
}

// TestTwoFactorBureauPages: the bureau sees who uses two-factor sign-in,
// turns it off for someone, and sets the policy; nobody else can.
func TestTwoFactorBureauPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		st := e.Store
		u := e.Users[entA]
		others := []*apptest.Browser{e.Browser(entA), e.Browser(assocB)}
		if err := st.StartTOTP(context.Background(), model.Actor{User: u}, model.NewTOTPSecret()); err != nil {
			t.Fatal(err)
		}
		if err := st.EnableTOTP(context.Background(), model.Actor{User: u}, model.NewRecoveryCodes(10)); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/admin/users/%d", u.ID)
		for i, b := range others {
			if r := b.Post(page, url.Values{"action": {"reset_two_factor"}}); r.StatusCode != 403 {
				t.Errorf("account %d resets: %d", i, r.StatusCode)
			}
			if r := b.Post("/admin/security", url.Values{"require_two_factor": {"on"}}); r.StatusCode != 403 {
				t.Errorf("account %d sets the policy: %d", i, r.StatusCode)
			}
		}
		b := e.Browser(admin)
		if !strings.Contains(string(b.Get(page).Body), `value="reset_two_factor"`) {
			t.Fatal("the user page offers no reset")
		}
		if r := b.Post(page, url.Values{"action": {"reset_two_factor"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("reset: %d %s", r.StatusCode, r.Body)
		}
		if got, _ := st.User(context.Background(), u.ID); got.TOTPEnabled {
			t.Error("still on after the reset")
		}
		if strings.Contains(string(b.Get(page).Body), `value="reset_two_factor"`) {
			t.Error("a reset is offered for an account without two-factor sign-in")
		}
		if r := b.Post("/admin/security", url.Values{"require_two_factor": {"on"}, "password_min_length": {"10"}, "session_idle_minutes": {"480"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("policy: %d", r.StatusCode)
		}
		if !st.RequireTOTPForStaff(context.Background()) {
			t.Error("the policy did not stick")
		}
		// The bureau's own account is now sent to set it up.
		if r := b.Get("/admin/users"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("the bureau without two-factor sign-in: %d", r.StatusCode)
		}
		r := b.Get("/account")
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), `action="/account/2fa"`) {
			t.Errorf("the account page: %d", r.StatusCode)
		}
		// It offers only what the account may do now.
		if strings.Contains(string(r.Body), `action="/account/tokens"`) || strings.Contains(string(r.Body), `action="/account/profile"`) {
			t.Error("the account page offers forms the account may not use yet")
		}
	})
}

// TestSecurityPolicy: the bureau sets the password policy and the idle
// timeout; a bad value changes nothing; new passwords follow the policy
// everywhere a password is chosen; a session idle past the timeout ends.
func TestSecurityPolicy(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(admin)
		ent := e.Browser(entA)
		r := b.Post("/admin/security", url.Values{"password_min_length": {"5"}, "session_idle_minutes": {"30"}, "block_common_passwords": {"on"}})
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "须为 10 到 64 之间的整数") {
			t.Errorf("a 5-character minimum: %d", r.StatusCode)
		}
		if got := e.Store.SecuritySettings(context.Background()); !reflect.DeepEqual(got, model.DefaultSecuritySettings()) {
			t.Errorf("a refused policy changed the settings: %+v", got)
		}
		r = b.Post("/admin/security", url.Values{"password_min_length": {"12"}, "session_idle_minutes": {"30"}, "block_common_passwords": {"on"}})
		if r.StatusCode != http.StatusSeeOther {
			t.Fatalf("policy: %d %s", r.StatusCode, r.Body)
		}
		change := func(next string) *apptest.Response {
			return ent.Post("/account/password", url.Values{"current_password": {apptest.Password}, "new_password": {next}, "confirm_password": {next}})
		}
		if r := change("abcdefghijk"); r.StatusCode != 422 || !strings.Contains(string(r.Body), "短于生态环境局规定的最短密码长度") {
			t.Errorf("11 characters under a 12 minimum: %d", r.StatusCode)
		}
		if r := change("Password123!"); r.StatusCode != 422 || !strings.Contains(string(r.Body), "常见") {
			t.Errorf("a common password: %d", r.StatusCode)
		}
		r = b.Post("/admin/users", url.Values{"username": {"newbie"}, "password": {"1qaz2wsx3edc"}, "role": {"lecturer"}})
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "常见") {
			t.Errorf("the bureau issues a common password: %d", r.StatusCode)
		}
		if r := change("meadow lantern 42"); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("a good password: %d %s", r.StatusCode, r.Body)
		}
		e.Clock.Advance(29 * time.Minute)
		if r := ent.Get("/account"); r.StatusCode != 200 {
			t.Errorf("after 29 minutes: %d", r.StatusCode)
		}
		e.Clock.Advance(31 * time.Minute)
		if r := ent.Get("/account"); r.StatusCode != http.StatusSeeOther {
			t.Errorf("after 31 minutes idle under a 30-minute timeout: %d", r.StatusCode)
		}
	})
}

// TestAuditExportPage: the audit page offers the download of what it
// filters (from the first entry), and the download is an Excel workbook.
func TestAuditExportPage(t *testing.T) {
	e := apptest.New(t, "sqlite")
	b := e.Browser(admin)
	page := string(b.Get("/admin/audit?action=user.&cursor=5").Body)
	m := regexp.MustCompile(`href="(/admin/audit/export\.xlsx\?[^"]*)" id="audit-export"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(m[1], "action=user.") || strings.Contains(m[1], "cursor") {
		t.Fatalf("export link: %v", m)
	}
	r := b.Get(strings.ReplaceAll(m[1], "&amp;", "&"))
	if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" || len(r.Body) < 100 {
		t.Errorf("download: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	if r := e.Browser(assocB).Get(m[1]); r.StatusCode != 403 {
		t.Errorf("an association downloads the audit log: %d", r.StatusCode)
	}
}
