package web_test

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

const (
	guest  = apptest.Guest
	admin  = apptest.Admin
	entA   = apptest.EnterpriseA
	assocB = apptest.AssociationB
)

// TestPageRoleMatrix opens every page as every role.
func TestPageRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		userPage := fmt.Sprintf("/admin/users/%d", e.Users[entA].ID)
		pages := []struct {
			path  string
			admin bool
		}{
			{"/", false}, {"/account", false}, {"/more", false},
			{"/admin/users", true}, {"/admin/users/new", true}, {userPage, true}, {"/admin/audit", true},
			{"/admin/audit/export.xlsx", true},
		}
		for _, w := range apptest.Everyone {
			b := e.Browser(w)
			for _, p := range pages {
				res := b.Get(p.path)
				want := 200
				switch {
				case w == guest:
					want = 303
				case p.admin && w != admin:
					want = 403
				}
				if res.StatusCode != want {
					t.Errorf("GET %s as %s: %d, want %d", p.path, w, res.StatusCode, want)
				}
				if want == 303 && !strings.HasPrefix(res.Header.Get("Location"), "/login?next=") {
					t.Errorf("guest at %s sent to %q", p.path, res.Header.Get("Location"))
				}
				if want == 403 && !strings.Contains(string(res.Body), "无权") {
					t.Errorf("403 page for %s at %s is not the friendly page", w, p.path)
				}
			}
			// Writes by non-admins are refused and change nothing.
			if w != admin {
				res := b.Post("/admin/users", url.Values{"username": {"sneaky"}, "password": {"a long password"}, "role": {"admin"}})
				if res.StatusCode < 400 {
					t.Errorf("POST /admin/users as %s: %d", w, res.StatusCode)
				}
			}
		}
		if _, err := e.Store.UserByUsername(t.Context(), "sneaky"); !model.IsCode(err, model.ErrNotFound) {
			t.Errorf("a non-admin created an account: %v", err)
		}
	})
}

func TestLoginLogout(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(guest)
		res := b.Post("/login", url.Values{"username": {"ent-a"}, "password": {"wrong password"}, "next": {"/account"}})
		if res.StatusCode != 401 || !strings.Contains(string(res.Body), "用户名或密码不正确") {
			t.Errorf("bad login: %d", res.StatusCode)
		}
		if !strings.Contains(string(res.Body), `value="ent-a"`) {
			t.Error("the form forgot the username")
		}
		res = b.Post("/login", url.Values{"username": {"ent-a"}, "password": {apptest.Password}, "next": {"/account"}})
		if res.StatusCode != 303 || res.Header.Get("Location") != "/account" {
			t.Fatalf("login: %d → %s", res.StatusCode, res.Header.Get("Location"))
		}
		c := b.Cookie("envhome_session")
		if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
			t.Fatalf("session cookie %+v", c)
		}
		if strings.Contains(c.String(), "Secure") {
			t.Error("Secure cookie on plain http")
		}
		if res := b.Get("/"); res.StatusCode != 200 || !strings.Contains(string(res.Body), "测试 ent-a") {
			t.Errorf("home: %d", res.StatusCode)
		}
		// An open redirect is not followed.
		b2 := e.Browser(guest)
		res = b2.Post("/login", url.Values{"username": {"ent-a"}, "password": {apptest.Password}, "next": {"//evil.example/"}})
		if res.Header.Get("Location") != "/" {
			t.Errorf("next=//evil → %s", res.Header.Get("Location"))
		}
		old := *c
		if res := b.Post("/logout", nil); res.StatusCode != 303 {
			t.Fatalf("logout: %d", res.StatusCode)
		}
		if b.Cookie("envhome_session") != nil {
			t.Error("cookie kept after logout")
		}
		// The old cookie no longer works: the session is gone on the server.
		req, _ := http.NewRequest("GET", e.HTTP.URL+"/account", nil)
		req.AddCookie(&old)
		if res := e.Do(req); res.StatusCode != 303 {
			t.Errorf("old session cookie: %d", res.StatusCode)
		}
	})
}

func TestSessionIdleExpiry(t *testing.T) {
	e := apptest.New(t, "sqlite")
	b := e.Browser(entA)
	e.Clock.Advance(7 * time.Hour)
	if res := b.Get("/account"); res.StatusCode != 200 {
		t.Fatalf("after 7h: %d", res.StatusCode)
	}
	e.Clock.Advance(8*time.Hour + time.Minute)
	if res := b.Get("/account"); res.StatusCode != 303 {
		t.Errorf("after 8h idle: %d", res.StatusCode)
	}
}

func TestCrossOriginWritesRefused(t *testing.T) {
	e := apptest.New(t, "sqlite")
	b := e.Browser(admin)
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/admin/users", strings.NewReader(url.Values{
		"username": {"csrf-victim"}, "password": {"a long password"}, "role": {"admin"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://evil.example")
	res := b.Send(req)
	if res.StatusCode != 403 {
		t.Errorf("cross-site POST: %d", res.StatusCode)
	}
	if _, err := e.Store.UserByUsername(t.Context(), "csrf-victim"); err == nil {
		t.Error("cross-site request created an account")
	}
}

func TestLanguageSwitch(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		g := e.Browser(guest)
		if res := g.Get("/login"); !strings.Contains(string(res.Body), "<h1>登录</h1>") {
			t.Error("default is not Chinese")
		}
		g.Lang = "en-GB,en;q=0.8"
		if res := g.Get("/login"); !strings.Contains(string(res.Body), "<h1>Log in</h1>") {
			t.Error("Accept-Language en not honoured")
		}
		g.Lang = ""
		g.Post("/language", url.Values{"lang": {"en"}, "next": {"/login"}})
		if res := g.Get("/login"); !strings.Contains(string(res.Body), "<h1>Log in</h1>") {
			t.Error("guest's switch not kept")
		}
		if res := g.Get("/no/such/page"); res.StatusCode != 404 || !strings.Contains(string(res.Body), "Page not found") {
			t.Errorf("English 404: %d", res.StatusCode)
		}
		// A logged-in user's choice is stored on the account.
		b := e.Browser(entA)
		b.Post("/language", url.Values{"lang": {"en"}, "next": {"/"}})
		u, _ := e.Store.User(t.Context(), e.Users[entA].ID)
		if u.Language != "en" {
			t.Errorf("language on the account: %q", u.Language)
		}
		if res := e.Browser(entA).Get("/"); !strings.Contains(string(res.Body), "Book a class") {
			t.Error("a new browser of the same user is not in English")
		}
		if res := b.Post("/language", url.Values{"lang": {"fr"}}); res.StatusCode != 422 {
			t.Errorf("unknown language: %d", res.StatusCode)
		}
		if res := e.Browser(guest).Get("/no/such/page"); res.StatusCode != 404 || !strings.Contains(string(res.Body), "页面不存在") {
			t.Errorf("Chinese 404: %d", res.StatusCode)
		}
	})
}

func TestAccountTokensAndPassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(entA)
		// Tokens are the bureau's until it lets a role integrate.
		if body := string(b.Get("/account").Body); strings.Contains(body, `action="/account/tokens"`) {
			t.Error("an enterprise is offered API tokens")
		}
		if res := b.Post("/account/tokens", url.Values{"name": {"手机"}, "expires_in_days": {"30"}}); res.StatusCode != 403 {
			t.Errorf("an enterprise makes a token: %d", res.StatusCode)
		}
		s := model.DefaultSecuritySettings()
		s.TokenRoles = []model.Role{model.RoleEnterprise, model.RoleAssociation}
		if err := e.Store.SetSecuritySettings(t.Context(), model.Actor{User: e.Users[admin]}, s); err != nil {
			t.Fatal(err)
		}
		res := b.Post("/account/tokens", url.Values{"name": {"手机"}, "expires_in_days": {"30"}})
		m := regexp.MustCompile(`id="new-token">(eh_[a-z0-9]+)<`).FindSubmatch(res.Body)
		if res.StatusCode != 200 || m == nil {
			t.Fatalf("create token: %d", res.StatusCode)
		}
		e.Tokens["phone"] = string(m[1])
		if res := e.API("phone", "GET", "/api/v1/me", nil); res.StatusCode != 200 {
			t.Errorf("token from the UI does not work: %d", res.StatusCode)
		}
		if res := b.Get("/account"); strings.Contains(string(res.Body), string(m[1])) {
			t.Error("the token is shown a second time")
		}
		if res := b.Post("/account/tokens", url.Values{"name": {""}, "expires_in_days": {"999"}}); res.StatusCode != 422 {
			t.Errorf("bad token form: %d", res.StatusCode)
		}
		// Another user's token id answers 404.
		var l model.List[model.Token]
		e.API("phone", "GET", "/api/v1/tokens", nil).JSON(t, &l)
		other := e.Browser(assocB)
		if res := other.Post(fmt.Sprintf("/account/tokens/%d/revoke", l.Items[0].ID), nil); res.StatusCode != 404 {
			t.Errorf("revoke another's token: %d", res.StatusCode)
		}
		if res := b.Post(fmt.Sprintf("/account/tokens/%d/revoke", l.Items[0].ID), nil); res.StatusCode != 303 {
			t.Errorf("revoke own token: %d", res.StatusCode)
		}
		if res := e.API("phone", "GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("revoked in UI, still works: %d", res.StatusCode)
		}
		// Password change keeps this browser logged in and ends the others.
		b2 := e.Browser(entA)
		res = b.Post("/account/password", url.Values{"current_password": {apptest.Password}, "new_password": {"another long one"}, "confirm_password": {"another long onf"}})
		if res.StatusCode != 422 || !strings.Contains(string(res.Body), "两次输入的密码不一致") {
			t.Errorf("mismatch: %d", res.StatusCode)
		}
		res = b.Post("/account/password", url.Values{"current_password": {apptest.Password}, "new_password": {"another long one"}, "confirm_password": {"another long one"}})
		if res.StatusCode != 303 {
			t.Fatalf("change: %d %s", res.StatusCode, res.Body)
		}
		if res := b.Get("/account"); res.StatusCode != 200 {
			t.Errorf("this browser logged out: %d", res.StatusCode)
		}
		if res := b2.Get("/account"); res.StatusCode != 303 {
			t.Errorf("other browser still logged in: %d", res.StatusCode)
		}
	})
}

func TestAdminManagesAccounts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(admin)
		res := b.Post("/admin/users", url.Values{"username": {"x"}, "role": {"enterprise"}, "uscc": {"91350100M000100Y44"}, "password": {"short"}})
		body := string(res.Body)
		if res.StatusCode != 422 || !strings.Contains(body, "校验位") || !strings.Contains(body, "至少 10 个字符") {
			t.Errorf("invalid form: %d\n%s", res.StatusCode, body)
		}
		uscc, _ := model.BuildUSCC("91330481", "MA2B0CAA")
		evil := `<img src=x onerror=alert(1)>`
		res = b.Post("/admin/users", url.Values{"username": {"ent-a2"}, "display_name": {evil}, "role": {"enterprise"},
			"uscc": {strings.ToLower(uscc)}, "password": {"a long password"}})
		if res.StatusCode != 303 {
			t.Fatalf("create: %d %s", res.StatusCode, res.Body)
		}
		page := b.Get(strings.SplitN(res.Header.Get("Location"), "?", 2)[0] + "?ok=flash.user_created")
		if strings.Contains(string(page.Body), evil) || !strings.Contains(string(page.Body), "账户已创建") {
			t.Error("display name not escaped, or no confirmation")
		}
		u, err := e.Store.UserByUsername(t.Context(), "ent-a2")
		if err != nil || u.EnterpriseID == nil || *u.EnterpriseID != e.Ents["A"] {
			t.Fatalf("created %+v %v", u, err)
		}
		path := fmt.Sprintf("/admin/users/%d", u.ID)
		if res := b.Post(path, url.Values{"action": {"disable"}}); res.StatusCode != 303 {
			t.Errorf("disable: %d", res.StatusCode)
		}
		if res := e.Browser(guest).Post("/login", url.Values{"username": {"ent-a2"}, "password": {"a long password"}}); res.StatusCode != 401 {
			t.Errorf("disabled login: %d", res.StatusCode)
		}
		if res := b.Post(fmt.Sprintf("/admin/users/%d", e.Users[admin].ID), url.Values{"action": {"disable"}}); res.StatusCode != 422 {
			t.Errorf("self-disable: %d", res.StatusCode)
		}
		// The audit log reads as words: the action, the account by name
		// with its link, the field by its label.
		res = b.Get("/admin/audit?object_type=user&object_id=" + fmt.Sprint(u.ID))
		body = string(res.Body)
		for _, want := range []string{"修改账户", fmt.Sprintf(`<a href="/admin/users/%d">账户：`, u.ID), "<dt>停用</dt>"} {
			if !strings.Contains(body, want) {
				t.Errorf("audit page lacks %q", want)
			}
		}
		if strings.Contains(body, "user.update") {
			t.Error("the audit page shows action codes")
		}
		if res := b.Get("/admin/audit?actor=" + url.QueryEscape("执法")); res.StatusCode != 200 {
			t.Errorf("filter by actor name: %d", res.StatusCode)
		}
		if res := b.Get("/admin/audit?since=notadate"); res.StatusCode != 422 {
			t.Errorf("bad audit filter: %d", res.StatusCode)
		}
		if res := b.Get("/admin/users/999999"); res.StatusCode != 404 {
			t.Errorf("missing user: %d", res.StatusCode)
		}
	})
}

func TestStaticAssetsAreFingerprinted(t *testing.T) {
	e := apptest.New(t, "sqlite")
	page := e.Browser(guest).Get("/login")
	m := regexp.MustCompile(`href="(/static/app\.css\?v=[0-9a-f]+)"`).FindSubmatch(page.Body)
	if m == nil {
		t.Fatal("no fingerprinted stylesheet")
	}
	res := e.Browser(guest).Get(string(m[1]))
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Cache-Control"), "immutable") || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("asset: %d %v", res.StatusCode, res.Header)
	}
	if res := e.Browser(guest).Get("/static/nope.js"); res.StatusCode != 404 {
		t.Errorf("missing asset: %d", res.StatusCode)
	}
}

// TestInternalErrorsStayInside closes the database under a running server:
// users get the friendly page or the API's error shape, never the cause.
func TestInternalErrorsStayInside(t *testing.T) {
	e := apptest.New(t, "sqlite")
	b := e.Browser(admin)
	e.Store.Close()
	res := b.Get("/admin/users")
	body := string(res.Body)
	if res.StatusCode != 500 || !strings.Contains(body, "系统出错了") || strings.Contains(body, "sql") || strings.Contains(body, "closed") {
		t.Errorf("web: %d\n%s", res.StatusCode, body)
	}
	api := e.API(admin, "GET", "/api/v1/users", nil)
	if api.StatusCode != 500 || api.ErrorCode() != "internal" || strings.Contains(string(api.Body), "sql") {
		t.Errorf("api: %d %s", api.StatusCode, api.Body)
	}
}

// TestReturnAddressesStayOnTheSite: every form with a return address sends
// the browser only to a path on this site, whatever the "next" says.
func TestReturnAddressesStayOnTheSite(t *testing.T) {
	e := apptest.New(t, "sqlite")
	bypasses := []string{"//evil.example", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "/%09/evil.example",
		"https://evil.example", "/\r\n/evil.example", "\\\\evil.example", "/%5Cevil.example"}
	for _, next := range bypasses {
		g := e.Browser(apptest.Guest)
		r := g.Post("/login", url.Values{"username": {"admin"}, "password": {apptest.Password}, "next": {next}})
		if loc := r.Header.Get("Location"); r.StatusCode != 303 || loc != "/" {
			t.Errorf("login with next=%q: %d to %q", next, r.StatusCode, loc)
		}
		r = g.Post("/language", url.Values{"lang": {"en"}, "next": {next}})
		if loc := r.Header.Get("Location"); loc != "/" {
			t.Errorf("language with next=%q: to %q", next, loc)
		}
		// The login page carries next into its form only when it is local.
		if body := string(g.Get("/login?next=" + url.QueryEscape(next)).Body); strings.Contains(body, "evil.example") {
			t.Errorf("login page keeps next=%q", next)
		}
	}
	// A kept return address still works.
	r := e.Browser(apptest.Guest).Post("/login", url.Values{"username": {"admin"}, "password": {apptest.Password}, "next": {"/admin/users?role=admin"}})
	if loc := r.Header.Get("Location"); loc != "/admin/users?role=admin" {
		t.Errorf("a local next was lost: %q", loc)
	}
}

// TestAbsoluteLinksComeFromTheBaseURL: a forged Host header never makes
// it into a certificate's verify link or QR code.
func TestAbsoluteLinksComeFromTheBaseURL(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := t.Context()
	sys := model.SystemActor()
	home, _ := e.Store.CreateHome(ctx, sys, model.Home{Name: "之家", RegionID: e.Regions["A"], Rooms: []model.Room{{Name: "教室", Seats: 30}}})
	course, _ := e.Store.SaveCourse(ctx, sys, &model.Course{Title: "环境应急管理", Category: "emergency", CreditHours: 2})
	starts := e.Clock.Now().Add(2 * time.Hour)
	k, err := e.Store.CreateClass(ctx, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(time.Hour), Capacity: 5})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "周九", Mobile: "13700009999"})
	b, err := e.Store.Book(ctx, sys, k.ID, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(2*time.Hour + 10*time.Minute)
	if _, err := e.Store.SetAttendance(ctx, sys, b.ID, model.AttendancePresent); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.CompleteClass(ctx, sys, k.ID); err != nil {
		t.Fatal(err)
	}
	c, err := e.Store.CertificateForBooking(ctx, sys, b.ID)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/certificates/"+c.Code, nil)
	req.Host = "evil.example"
	r := e.Do(req)
	if r.StatusCode != 200 || strings.Contains(string(r.Body), "evil.example") || !strings.Contains(string(r.Body), e.HTTP.URL+"/verify?code="+c.Code) {
		t.Errorf("certificate page: %d, verify link from the Host header or missing", r.StatusCode)
	}
}

// TestSecurityHeaders: every response, page, API or file, carries the
// policy; no template has inline script, handlers or style attributes,
// which the policy would block.
func TestSecurityHeaders(t *testing.T) {
	e := apptest.New(t, "sqlite")
	for _, path := range []string{"/login", "/courses", "/api/v1/openapi.json", "/static/app.css", "/no-such-page", "/api/v1/me"} {
		r := e.Browser(apptest.Guest).Get(path)
		h := r.Header
		if !strings.Contains(h.Get("Content-Security-Policy"), "script-src 'self'") || strings.Contains(h.Get("Content-Security-Policy"), "unsafe-inline") ||
			h.Get("X-Frame-Options") != "DENY" || h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") == "" {
			t.Errorf("%s (%d): headers %v", path, r.StatusCode, h)
		}
	}
	inline := regexp.MustCompile(`<script>|<script [^>]*>[^<]|\son[a-z]+="|\sstyle="|<style|javascript:`)
	err := filepath.WalkDir("templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if m := inline.Find(b); m != nil {
			t.Errorf("%s: inline %q", p, m)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestIssuedPasswordsAreChangedFirst: an account the bureau made (or whose
// password it reset) can do nothing but change its password at its first
// sign-in; a password one chose oneself is not asked again.
func TestIssuedPasswordsAreChangedFirst(t *testing.T) {
	e := apptest.New(t, "sqlite")
	admin := e.Browser(apptest.Admin)
	r := admin.Post("/admin/users", url.Values{"username": {"clerk"}, "display_name": {"办事员"}, "role": {"admin"}, "password": {"issued by the bureau"}})
	if r.StatusCode != 303 {
		t.Fatalf("create: %d", r.StatusCode)
	}
	clerk := e.Browser(apptest.Guest)
	if r := clerk.Post("/login", url.Values{"username": {"clerk"}, "password": {"issued by the bureau"}}); r.StatusCode != 303 {
		t.Fatalf("login: %d", r.StatusCode)
	}
	if r := clerk.Get("/directory/enterprises"); r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/account") {
		t.Errorf("before the change, a page: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	if r := clerk.Post("/directory/regions", url.Values{"code": {"330481077"}, "name": {"新镇"}}); r.StatusCode != 403 {
		t.Errorf("before the change, a write: %d", r.StatusCode)
	}
	if page := string(clerk.Get("/account").Body); !strings.Contains(page, `id="password"`) || strings.Contains(page, `id="notices"`) {
		t.Error("the account page should show only the password form")
	}
	if r := clerk.Post("/account/password", url.Values{"current_password": {"issued by the bureau"}, "new_password": {"one I chose myself"},
		"confirm_password": {"one I chose myself"}}); r.StatusCode != 303 {
		t.Fatalf("change: %d", r.StatusCode)
	}
	again := e.Browser(apptest.Guest)
	again.Post("/login", url.Values{"username": {"clerk"}, "password": {"one I chose myself"}})
	if r := again.Get("/directory/enterprises"); r.StatusCode != 200 {
		t.Errorf("after the change: %d", r.StatusCode)
	}
}
