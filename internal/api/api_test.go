package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/api"
	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

type (
	who = apptest.Who
)

const (
	guest    = apptest.Guest
	admin    = apptest.Admin
	assocA   = apptest.AssociationA
	assocB   = apptest.AssociationB
	entA     = apptest.EnterpriseA
	entB     = apptest.EnterpriseB
	lecturer = apptest.Lecturer
	provider = apptest.Provider
)

// expect maps who to the status they must get; unlisted roles get other.
type expect struct {
	byWho map[who]int
	other int
}

func (x expect) status(w who) int {
	if s, ok := x.byWho[w]; ok {
		return s
	}
	return x.other
}

// with is x with w's status changed.
func (x expect) with(w who, status int) expect {
	m := map[who]int{w: status}
	for k, v := range x.byWho {
		if k != w {
			m[k] = v
		}
	}
	return expect{m, x.other}
}

var (
	adminOnly = func(ok int) expect { return expect{map[who]int{guest: 401, admin: ok}, 403} }
	anyUser   = func(ok int) expect { return expect{map[who]int{guest: 401}, ok} }
)

// TestRoleMatrix calls every route as every role and checks the status.
func TestRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		adminID := strconv.FormatInt(e.Users[admin].ID, 10)
		n := 0
		cases := []struct {
			method, path string
			body         func() any
			want         expect
		}{
			{"GET", "/api/v1/openapi.json", nil, expect{other: 200}},
			{"GET", "/api/v1/me", nil, anyUser(200)},
			{"PATCH", "/api/v1/me", func() any { return map[string]any{"display_name": "新名字"} }, anyUser(200)},
			{"GET", "/api/v1/tokens", nil, anyUser(200)},
			{"POST", "/api/v1/tokens", func() any { return map[string]any{"name": "脚本"} }, adminOnly(201)},
			{"GET", "/api/v1/users", nil, adminOnly(200)},
			{"POST", "/api/v1/users", func() any {
				n++
				return map[string]any{"username": fmt.Sprintf("new%d", n), "password": "a long password", "role": "lecturer"}
			}, adminOnly(201)},
			{"GET", "/api/v1/users/" + adminID, nil, adminOnly(200)},
			{"PATCH", "/api/v1/users/" + adminID, func() any { return map[string]any{"display_name": "执法队"} }, adminOnly(200)},
			{"GET", "/api/v1/users/999999", nil, adminOnly(404)},
			{"POST", "/api/v1/users/" + adminID + "/two-factor/reset", nil, adminOnly(204)},
			{"POST", "/api/v1/me/two-factor", nil, anyUser(201)},
			{"POST", "/api/v1/me/two-factor/confirm", func() any { return map[string]any{"otp": "000000"} }, anyUser(422)},
			{"POST", "/api/v1/me/two-factor/off", func() any { return map[string]any{"current_password": "x", "otp": "000000"} }, anyUser(409)},
			{"GET", "/api/v1/settings/security", nil, adminOnly(200)},
			{"PUT", "/api/v1/settings/security", func() any { return map[string]any{"require_two_factor_for_staff": false} }, adminOnly(200)},
			{"GET", "/api/v1/audit", nil, adminOnly(200)},
			{"GET", "/api/v1/audit/export.xlsx?action=user.", nil, adminOnly(200)},
			{"POST", "/api/v1/imports/999999/confirm", nil, expect{map[who]int{guest: 401, admin: 404, assocA: 404, assocB: 404}, 403}},
			{"GET", "/api/v1/nowhere", nil, expect{other: 404}},
		}
		for _, c := range cases {
			for _, w := range apptest.Everyone {
				var body any
				if c.body != nil {
					body = c.body()
				}
				res := e.API(w, c.method, c.path, body)
				if want := c.want.status(w); res.StatusCode != want {
					t.Errorf("%s %s as %s: status %d, want %d\n%s", c.method, c.path, w, res.StatusCode, want, res.Body)
				}
				if res.StatusCode >= 400 && res.ErrorCode() == "" {
					t.Errorf("%s %s as %s: error without the error shape: %s", c.method, c.path, w, res.Body)
				}
			}
		}
	})
}

// TestOwnDataOnly checks that lists and ids answer only the caller's own
// tokens, and another's token id answers 404 without its data.
func TestOwnDataOnly(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var me model.User
		for _, w := range apptest.Everyone[1:] {
			e.API(w, "GET", "/api/v1/me", nil).JSON(t, &me)
			if me.ID != e.Users[w].ID || me.Username != string(w) {
				t.Errorf("/me as %s answered %+v", w, me)
			}
			var l model.List[model.Token]
			e.API(w, "GET", "/api/v1/tokens", nil).JSON(t, &l)
			if len(l.Items) != 1 {
				t.Errorf("%s sees %d tokens, want its 1", w, len(l.Items))
			}
			for _, tok := range l.Items {
				if tok.UserID != e.Users[w].ID {
					t.Errorf("%s sees token of user %d", w, tok.UserID)
				}
			}
		}
		var l model.List[model.Token]
		e.API(entA, "GET", "/api/v1/tokens", nil).JSON(t, &l)
		path := fmt.Sprintf("/api/v1/tokens/%d", l.Items[0].ID)
		for _, w := range []who{entB, assocA, lecturer, admin} {
			res := e.API(w, "DELETE", path, nil)
			if res.StatusCode != 404 || strings.Contains(string(res.Body), "test") {
				t.Errorf("DELETE another's token as %s: %d %s", w, res.StatusCode, res.Body)
			}
		}
		if res := e.API(entA, "GET", "/api/v1/me", nil); res.StatusCode != 200 {
			t.Fatalf("ent-a's token stopped working after others tried to revoke it: %d", res.StatusCode)
		}
		if res := e.API(entA, "DELETE", path, nil); res.StatusCode != 204 {
			t.Fatalf("revoke own token: %d %s", res.StatusCode, res.Body)
		}
		if res := e.API(entA, "GET", "/api/v1/me", nil); res.StatusCode != 401 || res.ErrorCode() != "unauthenticated" {
			t.Errorf("revoked token still works: %d %s", res.StatusCode, res.Body)
		}
	})
}

func TestLoginTokenLifecycle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		res := e.API(guest, "POST", "/api/v1/auth/token", map[string]string{"username": " Ent-A ", "password": apptest.Password})
		if res.StatusCode != 200 {
			t.Fatalf("login: %d %s", res.StatusCode, res.Body)
		}
		var tok struct {
			Token     string    `json:"token"`
			ExpiresAt time.Time `json:"expires_at"`
		}
		res.JSON(t, &tok)
		if !strings.HasPrefix(tok.Token, model.TokenPrefix) || !tok.ExpiresAt.After(e.Clock.Now()) {
			t.Fatalf("token answer: %s", res.Body)
		}
		e.Tokens["x"] = tok.Token
		var me model.User
		e.API("x", "GET", "/api/v1/me", nil).JSON(t, &me)
		if me.Username != "ent-a" || me.Role != model.RoleEnterprise || me.EnterpriseID == nil || *me.EnterpriseID != e.Ents["A"] {
			t.Errorf("/me: %+v", me)
		}
		if body := string(e.API("x", "GET", "/api/v1/me", nil).Body); strings.Contains(body, "password_hash") || strings.Contains(body, "argon2") {
			t.Error("/me shows a password hash")
		}
		if res := e.API("x", "DELETE", "/api/v1/auth/token", nil); res.StatusCode != 204 {
			t.Fatalf("revoke: %d %s", res.StatusCode, res.Body)
		}
		if res := e.API("x", "GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("revoked token: %d", res.StatusCode)
		}
		// Expiry: the fixture tokens live 30 days.
		e.Clock.Advance(31 * 24 * time.Hour)
		if res := e.API(admin, "GET", "/api/v1/me", nil); res.StatusCode != 401 || res.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("expired token: %d %v", res.StatusCode, res.Header)
		}
	})
}

func TestLoginErrorsAndThrottle(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		login := func(user, pw string) *apptest.Response {
			return e.API(guest, "POST", "/api/v1/auth/token", map[string]string{"username": user, "password": pw})
		}
		for _, c := range []struct{ user, pw string }{{"admin", "wrong password"}, {"nobody", apptest.Password}, {"", ""}} {
			res := login(c.user, c.pw)
			if res.StatusCode != 401 || res.ErrorCode() != "unauthenticated" {
				t.Errorf("login %q: %d %s", c.user, res.StatusCode, res.Body)
			}
		}
		// "admin" has 1 failure; 4 more reach the limit of 5.
		for range 4 {
			login("admin", "wrong password")
		}
		res := login("admin", apptest.Password)
		if res.StatusCode != 429 || res.ErrorCode() != "rate_limited" {
			t.Fatalf("6th login: %d %s", res.StatusCode, res.Body)
		}
		ra, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if err != nil || ra < 1 || ra > 15*60 {
			t.Errorf("Retry-After %q", res.Header.Get("Retry-After"))
		}
		// Another account from the same address is not locked (yet).
		if res := login("lecturer", apptest.Password); res.StatusCode != 200 {
			t.Errorf("other account: %d %s", res.StatusCode, res.Body)
		}
		e.Clock.Advance(16 * time.Minute)
		if res := login("admin", apptest.Password); res.StatusCode != 200 {
			t.Errorf("after the window: %d %s", res.StatusCode, res.Body)
		}
		// Per address: 30 failures over many usernames lock the address.
		for i := range 30 {
			login(fmt.Sprintf("guess%d", i), "x")
		}
		if res := login("provider", apptest.Password); res.StatusCode != 429 {
			t.Errorf("address lock: %d %s", res.StatusCode, res.Body)
		}
	})
}

func TestDisabledAccount(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		path := fmt.Sprintf("/api/v1/users/%d", e.Users[provider].ID)
		if res := e.API(admin, "PATCH", path, map[string]any{"disabled": true}); res.StatusCode != 200 {
			t.Fatalf("disable: %d %s", res.StatusCode, res.Body)
		}
		if res := e.API(provider, "GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("disabled account's token: %d", res.StatusCode)
		}
		res := e.API(guest, "POST", "/api/v1/auth/token", map[string]string{"username": "provider", "password": apptest.Password})
		if res.StatusCode != 401 || !strings.Contains(string(res.Body), "停用") {
			t.Errorf("disabled login: %d %s", res.StatusCode, res.Body)
		}
		// The bureau cannot lock itself out.
		res = e.API(admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", e.Users[admin].ID), map[string]any{"disabled": true})
		if res.StatusCode != 422 {
			t.Errorf("self-disable: %d %s", res.StatusCode, res.Body)
		}
		// Enabled again, it logs in (its old tokens stay revoked).
		e.API(admin, "PATCH", path, map[string]any{"disabled": false})
		res = e.API(guest, "POST", "/api/v1/auth/token", map[string]string{"username": "provider", "password": apptest.Password})
		if res.StatusCode != 200 {
			t.Errorf("re-enabled login: %d %s", res.StatusCode, res.Body)
		}
		if res := e.API(provider, "GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("old token after re-enable: %d", res.StatusCode)
		}
	})
}

func TestBadInput(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		before := auditCount(t, e)
		send := func(ct, body string) *apptest.Response {
			req, _ := http.NewRequest("POST", e.HTTP.URL+"/api/v1/users", strings.NewReader(body))
			if ct != "" {
				req.Header.Set("Content-Type", ct)
			}
			req.Header.Set("Authorization", "Bearer "+e.Tokens[admin])
			return e.Do(req)
		}
		valid := `{"username":"ok-user","password":"a long password","role":"lecturer"}`
		cases := []struct {
			name, ct, body string
			status         int
			code           string
		}{
			{"malformed", "application/json", `{"username":`, 400, "malformed"},
			{"trailing", "application/json", valid + `{}`, 400, "malformed"},
			{"empty", "application/json", ``, 400, "malformed"},
			{"unknown field", "application/json", `{"username":"x","is_admin":true}`, 400, "malformed"},
			{"wrong type", "application/json", `{"username":5}`, 400, "malformed"},
			{"form body", "application/x-www-form-urlencoded", `username=x`, 415, "unsupported_media_type"},
			{"no content type", "", valid, 415, "unsupported_media_type"},
			{"too large", "application/json", `{"display_name":"` + strings.Repeat("x", api.MaxBody) + `"}`, 413, "too_large"},
			{"invalid", "application/json", `{"username":"A B","password":"short","role":"king"}`, 422, "invalid"},
			{"scope", "application/json", `{"username":"assoc-x","password":"a long password","role":"association"}`, 422, "invalid"},
			{"no such region", "application/json", `{"username":"assoc-x","password":"a long password","role":"association","region_id":424242}`, 422, "invalid"},
			{"sql in username", "application/json", `{"username":"x'; DROP TABLE users;--","password":"a long password","role":"lecturer"}`, 422, "invalid"},
			{"taken", "application/json", `{"username":"admin","password":"a long password","role":"lecturer"}`, 409, "conflict"},
		}
		for _, c := range cases {
			res := send(c.ct, c.body)
			if res.StatusCode != c.status || res.ErrorCode() != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.name, res.StatusCode, truncate(res.Body), c.status, c.code)
			}
		}
		var body struct {
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		send("application/json", `{"username":"A B","password":"short","role":"king"}`).JSON(t, &body)
		for _, f := range []string{"username", "password", "role"} {
			if body.Error.Fields[f] == "" {
				t.Errorf("invalid body: no message for field %s: %+v", f, body.Error.Fields)
			}
		}
		if got := auditCount(t, e); got != before {
			t.Errorf("bad input wrote %d audit entries", got-before)
		}
		// Metacharacters in free text are stored and returned as they are.
		evil := `<script>alert(1)</script>' OR 1=1; --"`
		res := e.API(admin, "POST", "/api/v1/users", map[string]any{"username": "evil", "password": "a long password", "role": "lecturer", "display_name": evil})
		var u model.User
		res.JSON(t, &u)
		if res.StatusCode != 201 || u.DisplayName != evil {
			t.Errorf("metacharacters: %d %q", res.StatusCode, u.DisplayName)
		}
		if strings.Contains(string(res.Body), "<script>") {
			t.Error("JSON answer carries an unescaped <script>")
		}
		var again model.User
		e.API(admin, "GET", fmt.Sprintf("/api/v1/users/%d", u.ID), nil).JSON(t, &again)
		if again.DisplayName != evil {
			t.Errorf("read back %q", again.DisplayName)
		}
		// Malformed ids and paging parameters.
		for path, want := range map[string]int{
			"/api/v1/users/abc":           404,
			"/api/v1/users/-1":            404,
			"/api/v1/users?limit=0":       422,
			"/api/v1/users?limit=x":       422,
			"/api/v1/users?cursor=bm9wZQ": 422,
			"/api/v1/users?role=king":     422,
			"/api/v1/audit?since=yday":    422,
		} {
			if res := e.API(admin, "GET", path, nil); res.StatusCode != want {
				t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
			}
		}
		// Tokens: missing, malformed, unknown.
		for _, h := range []string{"", "Bearer", "Basic YWRtaW46eA==", "Bearer eh_unknown", "Bearer " + strings.Repeat("x", 500)} {
			req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/me", nil)
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			if res := e.Do(req); res.StatusCode != 401 || res.ErrorCode() != "unauthenticated" {
				t.Errorf("Authorization %q: %d %s", truncate([]byte(h)), res.StatusCode, res.Body)
			}
		}
	})
}

func TestErrorsSpeakTheUsersLanguage(t *testing.T) {
	e := apptest.New(t, "sqlite")
	req, _ := http.NewRequest("GET", e.HTTP.URL+"/api/v1/me", nil)
	req.Header.Set("Accept-Language", "en-US,en;q=0.9")
	res := e.Do(req)
	if !strings.Contains(string(res.Body), "bearer token is required") {
		t.Errorf("English: %s", res.Body)
	}
	req.Header.Set("Accept-Language", "fr")
	if res := e.Do(req); !strings.Contains(string(res.Body), "缺少访问令牌") {
		t.Errorf("fallback to Chinese: %s", res.Body)
	}
	// A user's own choice wins over the header.
	e.API(lecturer, "PATCH", "/api/v1/me", map[string]string{"language": "en"})
	res = e.API(lecturer, "PATCH", "/api/v1/me", map[string]string{"language": "fr"})
	if res.StatusCode != 422 || !strings.Contains(string(res.Body), "supported language") {
		t.Errorf("language error in the user's language: %d %s", res.StatusCode, res.Body)
	}
}

func TestPagination(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		for i := range 8 {
			e.API(admin, "POST", "/api/v1/users", map[string]any{"username": fmt.Sprintf("page%d", i), "password": "a long password", "role": "provider"})
		}
		seen := map[int64]bool{}
		path := "/api/v1/users?role=provider&limit=3"
		pages := 0
		for {
			var l model.List[model.User]
			e.API(admin, "GET", path, nil).JSON(t, &l)
			pages++
			for i, u := range l.Items {
				if seen[u.ID] {
					t.Fatalf("user %d twice", u.ID)
				}
				if i > 0 && u.ID > l.Items[i-1].ID {
					t.Errorf("not newest first")
				}
				seen[u.ID] = true
			}
			if l.Next == nil {
				break
			}
			path = "/api/v1/users?role=provider&limit=3&cursor=" + *l.Next
		}
		if len(seen) != 9 || pages != 3 { // 8 new + the fixture provider
			t.Errorf("saw %d providers over %d pages, want 9 over 3", len(seen), pages)
		}
	})
}

func TestAuditLog(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		secret := "a very secret password"
		res := e.API(admin, "POST", "/api/v1/users", map[string]any{"username": "audited", "password": secret, "role": "lecturer"})
		var u model.User
		res.JSON(t, &u)
		e.API(admin, "PATCH", fmt.Sprintf("/api/v1/users/%d", u.ID), map[string]any{"display_name": "审计", "password": secret + "2"})
		var l model.List[model.AuditEntry]
		e.API(admin, "GET", fmt.Sprintf("/api/v1/audit?object_type=user&object_id=%d", u.ID), nil).JSON(t, &l)
		if len(l.Items) != 2 || l.Items[0].Action != "user.update" || l.Items[1].Action != "user.create" {
			t.Fatalf("audit entries: %+v", l.Items)
		}
		for _, en := range l.Items {
			if en.ActorID == nil || *en.ActorID != e.Users[admin].ID || en.ActorName != "admin" || en.Addr == "" {
				t.Errorf("entry without who/where: %+v", en)
			}
		}
		var ch model.Changes
		json.Unmarshal(l.Items[0].Changes, &ch)
		if ch["display_name"].New != "审计" || ch["password"].New != model.Redacted {
			t.Errorf("changes: %s", l.Items[0].Changes)
		}
		all := e.API(admin, "GET", "/api/v1/audit?limit=200", nil)
		for _, s := range []string{secret, e.Tokens[entA], "argon2id"} {
			if strings.Contains(string(all.Body), s) {
				t.Errorf("audit log holds a secret: %q", s)
			}
		}
		// Filters: action prefix and time.
		var tl model.List[model.AuditEntry]
		e.API(admin, "GET", "/api/v1/audit?action=token.", nil).JSON(t, &tl)
		for _, en := range tl.Items {
			if !strings.HasPrefix(en.Action, "token.") {
				t.Errorf("action filter let %s through", en.Action)
			}
		}
		if len(tl.Items) == 0 {
			t.Error("no token.* entries")
		}
		// By a part of the actor's name; LIKE's wildcards are plain text.
		e.API(admin, "GET", "/api/v1/audit?actor=dmi", nil).JSON(t, &tl)
		if len(tl.Items) == 0 {
			t.Error("no entries by an actor named *dmi*")
		}
		for _, en := range tl.Items {
			if !strings.Contains(en.ActorName, "dmi") {
				t.Errorf("actor filter let %q through", en.ActorName)
			}
		}
		e.API(admin, "GET", "/api/v1/audit?actor=%25", nil).JSON(t, &tl)
		if len(tl.Items) != 0 {
			t.Errorf("a %% in the name matched %d entries", len(tl.Items))
		}
		e.API(admin, "GET", "/api/v1/audit?until=2026-02-01", nil).JSON(t, &tl)
		if len(tl.Items) != 0 {
			t.Errorf("until filter: %d entries before the clock's start", len(tl.Items))
		}
		// No route changes the log, and the database refuses too.
		for _, m := range []string{"PUT", "PATCH", "DELETE", "POST"} {
			if res := e.API(admin, m, "/api/v1/audit", map[string]any{}); res.StatusCode < 400 {
				t.Errorf("%s /api/v1/audit: %d", m, res.StatusCode)
			}
		}
	})
}

func TestChangePassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		res := e.API(lecturer, "POST", "/api/v1/me/password", map[string]string{"current_password": "wrong one!", "new_password": "brand new password"})
		if res.StatusCode != 422 {
			t.Errorf("wrong current: %d %s", res.StatusCode, res.Body)
		}
		res = e.API(lecturer, "POST", "/api/v1/me/password", map[string]string{"current_password": apptest.Password, "new_password": "brand new password"})
		if res.StatusCode != 204 {
			t.Fatalf("change: %d %s", res.StatusCode, res.Body)
		}
		if res := e.API(lecturer, "GET", "/api/v1/me", nil); res.StatusCode != 401 {
			t.Errorf("old token after password change: %d", res.StatusCode)
		}
		res = e.API(guest, "POST", "/api/v1/auth/token", map[string]string{"username": "lecturer", "password": "brand new password"})
		if res.StatusCode != 200 {
			t.Errorf("login with new password: %d", res.StatusCode)
		}
	})
}

// TestOpenAPIMatchesRoutes keeps the OpenAPI document in step with routes.go.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	var inDoc, inRoutes []string
	for p, ops := range doc.Paths {
		for m, op := range ops {
			inDoc = append(inDoc, strings.ToUpper(m)+" "+p)
			var o struct {
				Responses map[string]any `json:"responses"`
			}
			json.Unmarshal(op, &o)
			if len(o.Responses) == 0 {
				t.Errorf("%s %s: no responses", m, p)
			}
		}
	}
	for _, r := range (&api.Handler{}).Routes() {
		inRoutes = append(inRoutes, r.Method+" "+r.Path)
	}
	sort.Strings(inDoc)
	sort.Strings(inRoutes)
	if strings.Join(inDoc, "\n") != strings.Join(inRoutes, "\n") {
		t.Errorf("OpenAPI paths and routes differ:\ndoc:\n%s\nroutes:\n%s", strings.Join(inDoc, "\n"), strings.Join(inRoutes, "\n"))
	}
}

// TestOpenAPINoticeKinds: the document names every registered notice kind,
// so a client (and the contract check) accepts each notice envhome sends.
func TestOpenAPINoticeKinds(t *testing.T) {
	var doc struct {
		Components struct {
			Schemas struct {
				Notification struct {
					Properties struct {
						Kind struct {
							Enum []string `json:"enum"`
						} `json:"kind"`
					} `json:"properties"`
				} `json:"Notification"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(api.OpenAPIDocument(), &doc); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, k := range model.NoticeKinds() {
		kinds = append(kinds, k.Name)
	}
	if got := doc.Components.Schemas.Notification.Properties.Kind.Enum; strings.Join(got, ",") != strings.Join(kinds, ",") {
		t.Errorf("Notification.kind enum %v, registered %v", got, kinds)
	}
}

func auditCount(t *testing.T, e *apptest.Env) int {
	var l model.List[model.AuditEntry]
	e.API(admin, "GET", "/api/v1/audit?limit=200", nil).JSON(t, &l)
	return len(l.Items)
}

func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}
