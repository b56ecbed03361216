// Package apptest starts envhome's real handler on a fresh test database
// with one account of every role, for scenario tests of the web UI and API.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/app"
	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/config"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// Password is every fixture account's password.
const Password = "correct horse battery"

// Who names a fixture account. Guest is nobody logged in.
type Who string

const (
	Guest        Who = "guest"
	Admin        Who = "admin"
	AssociationA Who = "assoc-a" // region A
	AssociationB Who = "assoc-b" // region B, "another town"
	EnterpriseA  Who = "ent-a"   // in region A
	EnterpriseB  Who = "ent-b"   // in region B
	Lecturer     Who = "lecturer"
	Provider     Who = "provider"
)

// Everyone lists every fixture, guest first.
var Everyone = []Who{Guest, Admin, AssociationA, AssociationB, EnterpriseA, EnterpriseB, Lecturer, Provider}

// Env is a running test server.
type Env struct {
	T       testing.TB
	Store   *store.Store
	Server  *app.Server
	HTTP    *httptest.Server
	Clock   *Clock
	Users   map[Who]*model.User
	Tokens  map[Who]string
	Regions map[string]int64 // "A", "B"
	Ents    map[string]int64 // "A", "B"
	// contract validates every API exchange against the OpenAPI document.
	contract *contract
}

// Clock is a settable clock for expiry tests; the server reads it from its
// own goroutines.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// FastPolicy is the default policy with cheap password hashing, so that a
// test suite that logs in hundreds of times stays quick.
func FastPolicy() auth.Policy {
	p := auth.DefaultPolicy()
	p.Argon2 = model.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	return p
}

// Each runs fn on a fresh Env for every configured database.
func Each(t *testing.T, fn func(t *testing.T, e *Env)) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) { fn(t, New(t, d)) })
	}
}

// New starts a server on a fresh database of dialect d.
func New(t testing.TB, d store.Dialect) *Env {
	t.Helper()
	clock := &Clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	// ID numbers are sealed as in production (a key of the test's own).
	keys, err := store.ParsePIIKeys(store.NewPIIKey("test"))
	if err != nil {
		t.Fatal(err)
	}
	st := storetest.New(t, d, store.Options{Now: clock.Now, PIIKeys: keys})
	// The server is reached at the test server's address, which is its
	// base URL for absolute links; the handler is set before any request.
	var handler http.Handler
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(hs.Close)
	srv, err := app.NewServer(st, FastPolicy(), config.Config{DataDir: t.TempDir(), BaseURL: hs.URL,
		// Tests run their webhook receivers on this machine.
		WebhookHosts: []string{"*"}, WebhookHTTP: true, WebhookPrivate: true}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	handler = srv
	// Background jobs run as in production, and stop before the store closes.
	jobCtx, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	go func() { srv.Jobs.Run(jobCtx); close(jobsDone) }()
	t.Cleanup(func() { stopJobs(); <-jobsDone })
	e := &Env{T: t, Store: st, Server: srv, HTTP: hs, Clock: clock, Users: map[Who]*model.User{}, Tokens: map[Who]string{},
		Regions: map[string]int64{}, Ents: map[string]int64{}, contract: newContract(t, hs.URL)}
	ctx := context.Background()
	sys := model.SystemActor()
	county, err := st.CreateRegion(ctx, sys, model.Region{Code: "330481", Name: "海宁市"})
	must(t, err)
	for i, name := range []string{"A", "B"} {
		id, err := st.CreateRegion(ctx, sys, model.Region{Code: "33048100" + string(rune('1'+i)), Name: "镇" + name, ParentID: &county})
		must(t, err)
		e.Regions[name] = id
		uscc, ok := model.BuildUSCC("91330481", "MA2B0CA"+name)
		if !ok {
			t.Fatal("bad fixture credit code")
		}
		ent, err := st.CreateEnterprise(ctx, sys, model.Enterprise{USCC: uscc, Name: "企业" + name, RegionID: id,
			Kind: model.KindCompany, PermitClass: model.PermitSimplified, IndustryCode: "C3985"})
		must(t, err)
		e.Ents[name] = ent.ID
	}
	for _, w := range Everyone[1:] {
		n := model.NewUser{Username: string(w), Password: Password, DisplayName: "测试 " + string(w)}
		switch w {
		case Admin:
			n.Role = model.RoleAdmin
		case AssociationA, AssociationB:
			n.Role = model.RoleAssociation
			id := e.Regions[strings.ToUpper(string(w[len(w)-1:]))]
			n.RegionID = &id
		case EnterpriseA, EnterpriseB:
			n.Role = model.RoleEnterprise
			id := e.Ents[strings.ToUpper(string(w[len(w)-1:]))]
			n.EnterpriseID = &id
		case Lecturer:
			n.Role = model.RoleLecturer
		case Provider:
			n.Role = model.RoleProvider
		}
		u, err := srv.Auth.CreateUser(ctx, sys, n)
		must(t, err)
		e.Users[w] = u
		_, secret, err := st.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: "test", ExpiresIn: 30})
		must(t, err)
		e.Tokens[w] = secret
	}
	return e
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Response is a finished request.
type Response struct {
	*http.Response
	Body []byte
}

// JSON decodes the body into v, failing the test if it is not JSON.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("%s %s: body is not JSON: %v\n%s", r.Request.Method, r.Request.URL, err, r.Body)
	}
}

// ErrorCode returns error.code of an API error body, "" if there is none.
func (r *Response) ErrorCode() string {
	var b struct {
		Error struct{ Code string } `json:"error"`
	}
	json.Unmarshal(r.Body, &b)
	return b.Error.Code
}

// API calls the JSON API as who; body, if not nil, is sent as JSON (a
// string is sent as it is).
func (e *Env) API(who Who, method, path string, body any) *Response {
	e.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		must(e.T, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.HTTP.URL+path, rd)
	must(e.T, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tok := e.Tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	var sent []byte
	if b, ok := body.(string); ok {
		sent = []byte(b)
	} else if body != nil {
		sent, _ = json.Marshal(body)
	}
	res := e.Do(req)
	e.contract.check(e.T, req, sent, res)
	return res
}

// Do sends req without following redirects.
func (e *Env) Do(req *http.Request) *Response {
	e.T.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	must(e.T, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	must(e.T, err)
	return &Response{Response: res, Body: b}
}

// Browser is a cookie-keeping client for the web UI.
type Browser struct {
	e       *Env
	cookies map[string]*http.Cookie
	Lang    string // Accept-Language to send
}

// Browser returns a new browser logged in as who (not logged in for Guest).
func (e *Env) Browser(who Who) *Browser {
	e.T.Helper()
	b := &Browser{e: e, cookies: map[string]*http.Cookie{}}
	if who != Guest {
		res := b.Post("/login", url.Values{"username": {string(who)}, "password": {Password}})
		if res.StatusCode != http.StatusSeeOther {
			e.T.Fatalf("login as %s: %d\n%s", who, res.StatusCode, res.Body)
		}
	}
	return b
}

// Get fetches a page.
func (b *Browser) Get(path string) *Response {
	req, err := http.NewRequest("GET", b.e.HTTP.URL+path, nil)
	must(b.e.T, err)
	return b.send(req)
}

// Post submits a form from the site itself, as a browser would.
func (b *Browser) Post(path string, form url.Values) *Response {
	req, err := http.NewRequest("POST", b.e.HTTP.URL+path, strings.NewReader(form.Encode()))
	must(b.e.T, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", b.e.HTTP.URL)
	return b.send(req)
}

// Cookie returns the browser's cookie called name, nil if none.
func (b *Browser) Cookie(name string) *http.Cookie { return b.cookies[name] }

// Send sends a prepared request with the browser's cookies.
func (b *Browser) Send(req *http.Request) *Response { return b.send(req) }

func (b *Browser) send(req *http.Request) *Response {
	for _, c := range b.cookies {
		req.AddCookie(c)
	}
	if b.Lang != "" {
		req.Header.Set("Accept-Language", b.Lang)
	}
	res := b.e.Do(req)
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	return res
}
