package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// errorFields reads error.fields of an API error.
func errorFields(t *testing.T, r *apptest.Response) map[string]string {
	t.Helper()
	var b struct {
		Error struct {
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.JSON(t, &b)
	return b.Error.Fields
}

// enrolAPI sets up two-factor sign-in for who through the API and returns
// the secret and the recovery codes.
func enrolAPI(t *testing.T, e *apptest.Env, w apptest.Who) (string, []string) {
	t.Helper()
	r := e.API(w, "POST", "/api/v1/me/two-factor", nil)
	if r.StatusCode != 201 {
		t.Fatalf("start: %d %s", r.StatusCode, r.Body)
	}
	var setup struct {
		Secret string `json:"secret"`
		URL    string `json:"otpauth_url"`
	}
	r.JSON(t, &setup)
	if !strings.HasPrefix(setup.URL, "otpauth://totp/") || !strings.Contains(setup.URL, "secret="+setup.Secret) {
		t.Fatalf("setup: %+v", setup)
	}
	r = e.API(w, "POST", "/api/v1/me/two-factor/confirm", map[string]string{"otp": model.TOTPCode(setup.Secret, e.Clock.Now())})
	if r.StatusCode != 200 {
		t.Fatalf("confirm: %d %s", r.StatusCode, r.Body)
	}
	var codes struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	r.JSON(t, &codes)
	if len(codes.RecoveryCodes) != 10 {
		t.Fatalf("recovery codes: %v", codes.RecoveryCodes)
	}
	return setup.Secret, codes.RecoveryCodes
}

func login(e *apptest.Env, username, otp string) *apptest.Response {
	return e.API(guest, "POST", "/api/v1/auth/token", map[string]string{"username": username, "password": apptest.Password, "otp": otp})
}

// TestTwoFactorSignIn: once an account turns two-factor sign-in on, the
// password alone does not log in; a code from the app works once, a
// recovery code once, and a wrong code counts as a failed login.
func TestTwoFactorSignIn(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		// A code that matches no secret does not turn it on.
		e.API(entA, "POST", "/api/v1/me/two-factor", nil)
		r := e.API(entA, "POST", "/api/v1/me/two-factor/confirm", map[string]string{"otp": "000000"})
		if r.StatusCode != 422 || errorFields(t, r)["otp"] == "" {
			t.Fatalf("a wrong first code: %d %s", r.StatusCode, r.Body)
		}
		if r := login(e, "ent-a", ""); r.StatusCode != 200 {
			t.Fatalf("before confirming, the password alone logs in: %d", r.StatusCode)
		}
		secret, recovery := enrolAPI(t, e, entA)
		var me model.User
		e.API(entA, "GET", "/api/v1/me", nil).JSON(t, &me)
		if !me.TOTPEnabled || strings.Contains(string(e.API(entA, "GET", "/api/v1/me", nil).Body), secret) {
			t.Fatalf("GET /me: two_factor %v, or it shows the secret", me.TOTPEnabled)
		}
		if r := e.API(entA, "POST", "/api/v1/me/two-factor", nil); r.StatusCode != 409 {
			t.Errorf("starting again while on: %d", r.StatusCode)
		}

		r = login(e, "ent-a", "")
		if r.StatusCode != 401 || errorFields(t, r)["otp"] == "" {
			t.Fatalf("password alone: %d %s", r.StatusCode, r.Body)
		}
		// The confirming code was taken: it does not log in again.
		if r := login(e, "ent-a", model.TOTPCode(secret, e.Clock.Now())); r.StatusCode != 401 {
			t.Errorf("a replayed code: %d", r.StatusCode)
		}
		e.Clock.Advance(30 * time.Second)
		code := model.TOTPCode(secret, e.Clock.Now())
		if r := login(e, "ent-a", code); r.StatusCode != 200 {
			t.Fatalf("password and a fresh code: %d %s", r.StatusCode, r.Body)
		}
		if r := login(e, "ent-a", code); r.StatusCode != 401 {
			t.Errorf("the same code twice: %d", r.StatusCode)
		}
		// A recovery code, typed in lower case without the dash, works once.
		typed := strings.ToLower(strings.ReplaceAll(recovery[3], "-", ""))
		if r := login(e, "ent-a", typed); r.StatusCode != 200 {
			t.Errorf("a recovery code: %d %s", r.StatusCode, r.Body)
		}
		if r := login(e, "ent-a", recovery[3]); r.StatusCode != 401 {
			t.Errorf("a recovery code twice: %d", r.StatusCode)
		}
		// Another account's codes are not this one's.
		if r := login(e, "ent-b", "123456"); r.StatusCode != 200 {
			t.Errorf("an account without two-factor sign-in ignores a code: %d", r.StatusCode)
		}
		// Wrong codes are failed logins: the account locks.
		last := 0
		for i := range 7 {
			last = login(e, "ent-a", fmt.Sprintf("%06d", i)).StatusCode
		}
		if last != 429 {
			t.Errorf("the 7th wrong code: %d, want 429", last)
		}
	})
}

// TestTwoFactorOff: the owner turns it off with the password and a code;
// the bureau resets it for someone who lost the phone; nobody else can.
func TestTwoFactorOff(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		secret, _ := enrolAPI(t, e, entA)
		e.Clock.Advance(30 * time.Second)
		r := e.API(entA, "POST", "/api/v1/me/two-factor/off", map[string]string{"current_password": "not it", "otp": model.TOTPCode(secret, e.Clock.Now())})
		if r.StatusCode != 422 || errorFields(t, r)["current_password"] == "" {
			t.Errorf("off with a wrong password: %d %s", r.StatusCode, r.Body)
		}
		r = e.API(entA, "POST", "/api/v1/me/two-factor/off", map[string]string{"current_password": apptest.Password, "otp": "999999"})
		if r.StatusCode != 422 || errorFields(t, r)["otp"] == "" {
			t.Errorf("off with a wrong code: %d %s", r.StatusCode, r.Body)
		}
		r = e.API(entA, "POST", "/api/v1/me/two-factor/off", map[string]string{"current_password": apptest.Password, "otp": model.TOTPCode(secret, e.Clock.Now())})
		if r.StatusCode != 204 {
			t.Fatalf("off: %d %s", r.StatusCode, r.Body)
		}
		if r := login(e, "ent-a", ""); r.StatusCode != 200 {
			t.Errorf("after off, the password alone: %d", r.StatusCode)
		}

		enrolAPI(t, e, entB)
		id := e.Users[entB].ID
		for _, w := range []apptest.Who{entA, entB, assocA, assocB, lecturer, provider} {
			if r := e.API(w, "POST", fmt.Sprintf("/api/v1/users/%d/two-factor/reset", id), nil); r.StatusCode != 403 {
				t.Errorf("%s resets ent-b's two-factor sign-in: %d", w, r.StatusCode)
			}
		}
		if r := login(e, "ent-b", ""); r.StatusCode != 401 {
			t.Fatalf("still on: %d", r.StatusCode)
		}
		if r := e.API(admin, "POST", "/api/v1/users/999999/two-factor/reset", nil); r.StatusCode != 404 {
			t.Errorf("an unknown account: %d", r.StatusCode)
		}
		if r := e.API(admin, "POST", fmt.Sprintf("/api/v1/users/%d/two-factor/reset", id), nil); r.StatusCode != 204 {
			t.Fatalf("bureau reset: %d %s", r.StatusCode, r.Body)
		}
		if r := login(e, "ent-b", ""); r.StatusCode != 200 {
			t.Errorf("after the reset, the password alone: %d", r.StatusCode)
		}
		r = e.API(admin, "GET", fmt.Sprintf("/api/v1/audit?object_type=user&object_id=%d", id), nil)
		if !strings.Contains(string(r.Body), "user.two_factor_reset") {
			t.Errorf("the reset is not in the audit log: %s", r.Body)
		}
	})
}

// TestTwoFactorRequiredForStaff: when the bureau requires it, a bureau or
// association account without it can only set it up in a browser and gets
// no token by password alone; enterprises and tokens already made are not
// affected.
func TestTwoFactorRequiredForStaff(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(assocA)
		for _, w := range []apptest.Who{assocA, entA, lecturer} {
			if r := e.API(w, "PUT", "/api/v1/settings/security", map[string]bool{"require_two_factor_for_staff": true}); r.StatusCode != 403 {
				t.Errorf("%s sets the policy: %d", w, r.StatusCode)
			}
		}
		if r := e.API(admin, "PUT", "/api/v1/settings/security", map[string]bool{"require_two_factor_for_staff": true}); r.StatusCode != 200 {
			t.Fatalf("policy: %d %s", r.StatusCode, r.Body)
		}
		var got struct {
			On bool `json:"require_two_factor_for_staff"`
		}
		if e.API(admin, "GET", "/api/v1/settings/security", nil).JSON(t, &got); !got.On {
			t.Error("the policy did not stick")
		}
		// A password alone gets a staff account no token...
		r := login(e, "assoc-b", "")
		if r.StatusCode != 403 || !strings.Contains(string(r.Body), "两步验证") && !strings.Contains(string(r.Body), "two-factor") {
			t.Errorf("API login of an association without two-factor sign-in: %d %s", r.StatusCode, r.Body)
		}
		if r := login(e, "ent-a", ""); r.StatusCode != 200 {
			t.Errorf("an enterprise is not affected: %d", r.StatusCode)
		}
		// ...and a browser only the setup.
		if r := b.Get("/directory/enterprises"); r.StatusCode != http.StatusSeeOther || !strings.Contains(r.Header.Get("Location"), "two_factor_required") {
			t.Errorf("web: %d %s", r.StatusCode, r.Header.Get("Location"))
		}
		if r := b.Post("/directory/homes", url.Values{"name": {"x"}}); r.StatusCode != 403 {
			t.Errorf("web POST: %d", r.StatusCode)
		}
		// Tokens it already has still work.
		if r := e.API(assocB, "GET", "/api/v1/enterprises", nil); r.StatusCode != 200 {
			t.Errorf("a token made before: %d", r.StatusCode)
		}
		secret, _ := enrolAPI(t, e, assocB)
		e.Clock.Advance(30 * time.Second)
		if r := login(e, "assoc-b", model.TOTPCode(secret, e.Clock.Now())); r.StatusCode != 200 {
			t.Errorf("API login after setting it up: %d %s", r.StatusCode, r.Body)
		}
		enrolAPI(t, e, assocA)
		if r := b.Get("/directory/enterprises"); r.StatusCode != 200 {
			t.Errorf("web after setting it up: %d", r.StatusCode)
		}
		e.API(admin, "PUT", "/api/v1/settings/security", map[string]bool{"require_two_factor_for_staff": false})
		if r := login(e, "admin", ""); r.StatusCode != 200 {
			t.Errorf("policy off: %d", r.StatusCode)
		}
	})
}

// TestTwoFactorCodeRacesOnce: the same code sent in parallel logs in once.
func TestTwoFactorCodeRacesOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		secret, _ := enrolAPI(t, e, entA)
		e.Clock.Advance(30 * time.Second)
		body := fmt.Sprintf(`{"username":"ent-a","password":%q,"otp":%q}`, apptest.Password, model.TOTPCode(secret, e.Clock.Now()))
		const n = 8
		count := parallelPosts(t, e, "/api/v1/auth/token", n, func(int) string { return body })
		if count[200] != 1 {
			t.Errorf("one code sent %d times at once: %v, want exactly one 200", n, count)
		}
	})
}

// TestSecuritySettingsAPI: the policy is the bureau's to read and set; a
// value out of range is refused and changes nothing; the password policy
// holds for a password change through the API.
func TestSecuritySettingsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		for _, w := range []apptest.Who{assocA, entA, lecturer, provider} {
			if r := e.API(w, "GET", "/api/v1/settings/security", nil); r.StatusCode != 403 {
				t.Errorf("%s reads the policy: %d", w, r.StatusCode)
			}
		}
		r := e.API(admin, "PUT", "/api/v1/settings/security", map[string]int{"session_idle_minutes": 2})
		if r.StatusCode != 422 || errorFields(t, r)["session_idle_minutes"] == "" {
			t.Errorf("a 2-minute timeout: %d %s", r.StatusCode, r.Body)
		}
		var got model.SecuritySettings
		if e.API(admin, "GET", "/api/v1/settings/security", nil).JSON(t, &got); !reflect.DeepEqual(got, model.DefaultSecuritySettings()) {
			t.Errorf("after a refused change: %+v", got)
		}
		if r := e.API(admin, "PUT", "/api/v1/settings/security", map[string]int{"password_min_length": 16}); r.StatusCode != 200 {
			t.Fatalf("min length 16: %d %s", r.StatusCode, r.Body)
		}
		if e.API(admin, "GET", "/api/v1/settings/security", nil).JSON(t, &got); got.PasswordMinLength != 16 || !got.BlockCommonPasswords || got.SessionIdleMinutes != 480 {
			t.Errorf("a partial change: %+v", got)
		}
		r = e.API(entB, "POST", "/api/v1/me/password", map[string]string{"current_password": apptest.Password, "new_password": "fifteen chars!!"})
		if r.StatusCode != 422 || errorFields(t, r)["new_password"] == "" {
			t.Errorf("15 characters under a 16 minimum: %d %s", r.StatusCode, r.Body)
		}
		r = e.API(entB, "POST", "/api/v1/me/password", map[string]string{"current_password": apptest.Password, "new_password": "sixteen chars ok"})
		if r.StatusCode != 204 {
			t.Errorf("16 characters: %d %s", r.StatusCode, r.Body)
		}
	})
}

// TestTokensOnlyForRolesThatIntegrate (issue 9, item 7): API tokens are
// the bureau's unless it enables a role; tokens made before keep working.
func TestTokensOnlyForRolesThatIntegrate(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		create := func(w apptest.Who) *apptest.Response {
			return e.API(w, "POST", "/api/v1/tokens", map[string]any{"name": "对接"})
		}
		if r := create(apptest.EnterpriseA); r.StatusCode != 403 || !strings.Contains(string(r.Body), "生态环境局") {
			t.Errorf("an enterprise makes a token: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(apptest.EnterpriseA, "GET", "/api/v1/me", nil); r.StatusCode != 200 {
			t.Errorf("the enterprise's earlier token stopped working: %d", r.StatusCode)
		}
		var s model.SecuritySettings
		e.API(apptest.Admin, "GET", "/api/v1/settings/security", nil).JSON(t, &s)
		s.TokenRoles = []model.Role{model.RoleEnterprise}
		if r := e.API(apptest.Admin, "PUT", "/api/v1/settings/security", s); r.StatusCode != 200 {
			t.Fatalf("enable enterprises: %d %s", r.StatusCode, r.Body)
		}
		if r := create(apptest.EnterpriseA); r.StatusCode != 201 {
			t.Errorf("an enabled enterprise makes a token: %d %s", r.StatusCode, r.Body)
		}
		if r := create(apptest.Lecturer); r.StatusCode != 403 {
			t.Errorf("a lecturer makes a token: %d", r.StatusCode)
		}
		s.TokenRoles = []model.Role{model.RoleAdmin}
		if r := e.API(apptest.Admin, "PUT", "/api/v1/settings/security", s); r.StatusCode != 422 {
			t.Errorf("the bureau listed as a token role: %d", r.StatusCode)
		}
	})
}

// TestStaffResetPasswords (issue 9, item 7): the bureau resets any other
// account, an association its town's enterprises' accounts only; the
// temporary password works once, must be changed, and the account's
// tokens end.
func TestStaffResetPasswords(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		entID := e.Users[apptest.EnterpriseA].ID
		path := fmt.Sprintf("/api/v1/users/%d/password-reset", entID)
		for w, want := range map[apptest.Who]int{apptest.Guest: 401, apptest.EnterpriseA: 403, apptest.EnterpriseB: 403, apptest.Lecturer: 403,
			apptest.Provider: 403, apptest.AssociationB: 404} {
			if r := e.API(w, "POST", path, nil); r.StatusCode != want {
				t.Errorf("%s resets ent-a: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r := e.API(apptest.AssociationA, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", e.Users[apptest.Lecturer].ID), nil); r.StatusCode != 404 {
			t.Errorf("an association resets a lecturer: %d", r.StatusCode)
		}
		if r := e.API(apptest.Admin, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", e.Users[apptest.Admin].ID), nil); r.StatusCode != 404 {
			t.Errorf("the bureau resets itself: %d", r.StatusCode)
		}
		var accounts model.List[model.User]
		e.API(apptest.AssociationA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/accounts", e.Ents["A"]), nil).JSON(t, &accounts)
		if len(accounts.Items) != 1 || accounts.Items[0].ID != entID {
			t.Errorf("enterprise A's accounts: %+v", accounts.Items)
		}
		if r := e.API(apptest.AssociationB, "GET", fmt.Sprintf("/api/v1/enterprises/%d/accounts", e.Ents["A"]), nil); r.StatusCode != 404 {
			t.Errorf("association B lists A's accounts: %d", r.StatusCode)
		}
		var out struct {
			User     model.User
			Password string
		}
		r := e.API(apptest.AssociationA, "POST", path, nil)
		r.JSON(t, &out)
		if r.StatusCode != 200 || len(out.Password) != 14 || !out.User.MustChangePassword {
			t.Fatalf("association A resets ent-a: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(apptest.EnterpriseA, "GET", "/api/v1/me", nil); r.StatusCode != 401 {
			t.Errorf("the account's token outlived the reset: %d", r.StatusCode)
		}
		if r := login(e, "ent-a", ""); r.StatusCode != 401 {
			t.Errorf("the old password still works: %d", r.StatusCode)
		}
		r = e.API(apptest.Guest, "POST", "/api/v1/auth/token", map[string]any{"username": "ent-a", "password": out.Password})
		if r.StatusCode != 200 {
			t.Errorf("the temporary password: %d %s", r.StatusCode, r.Body)
		}
		var l model.List[model.AuditEntry]
		e.API(apptest.Admin, "GET", fmt.Sprintf("/api/v1/audit?action=user.password_reset&object_id=%d", entID), nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].ActorName != e.Users[apptest.AssociationA].Username && l.Items[0].ActorName != e.Users[apptest.AssociationA].DisplayName {
			t.Errorf("the reset is not audited by its actor: %+v", l.Items)
		}
		if strings.Contains(string(l.Items[0].Changes), out.Password) {
			t.Error("the audit log holds the temporary password")
		}
	})
}
