// Package web serves envhome's HTML pages: server-rendered templates,
// cookie sessions stored in the database and embedded static files.
package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/i18n"
	"github.com/envhome/envhome/internal/imports"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/notify"
	"github.com/envhome/envhome/internal/roster"
	"github.com/envhome/envhome/internal/service"
	"github.com/envhome/envhome/internal/store"
)

//go:embed templates static
var embedded embed.FS

// Cookie names.
const (
	sessionCookie = "envhome_session"
	langCookie    = "envhome_lang"
)

// Handler serves the web UI.
type Handler struct {
	Store *store.Store
	// Service holds every action and page both faces share.
	Service *service.Service
	Auth    *auth.Service
	I18n    *i18n.Catalog
	Log     *slog.Logger
	Proxies httpx.Proxies
	// SecureCookies forces the Secure flag (set when the base URL is https);
	// otherwise it follows the request.
	SecureCookies bool
	// BaseURL is the site's public address, for absolute links (QR codes,
	// calendar feeds); never taken from a request's Host header.
	BaseURL string
	Imports *imports.Service
	Notices *notify.Renderer
	// Mail sends an email (the "forgot password" link); nil when the site
	// has no mail server, and then the page says whom to ask instead.
	Mail func(to, subject, body string) error

	pages  map[string]*template.Template
	assets map[string]string // file name → content hash, for cache busting
}

// New parses the templates and fingerprints the static files.
func New(h Handler) (*Handler, error) {
	h.assets = map[string]string{}
	err := fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		h.assets[name] = hex.EncodeToString(sum[:6])
		return nil
	})
	if err != nil {
		return nil, err
	}
	funcs := template.FuncMap{
		"asset": func(name string) (string, error) {
			v, ok := h.assets[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return "/static/" + name + "?v=" + v, nil
		},
		// icon draws an icon of the vendored sprite; decorative, so
		// hidden from screen readers (the text beside it says it).
		"icon": func(name string) template.HTML {
			return template.HTML(`<svg class="icon" aria-hidden="true" focusable="false"><use href="/static/vendor/icons.svg?v=` +
				h.assets["vendor/icons.svg"] + `#i-` + template.HTMLEscapeString(name) + `"></use></svg>`)
		},
		// countText writes a capped count: 1,807, or 10,000+.
		"countText": func(n int) string {
			if n > store.CountCap {
				return group(store.CountCap) + "+"
			}
			return group(n)
		},
		"add":  func(a, b int) int { return a + b },
		"list": func(xs ...string) []string { return xs },
		"deref64": func(p *float64) float64 {
			if p == nil {
				return 0
			}
			return *p
		},
		"derefBool": func(p *bool) bool { return p != nil && *p },
		// wrap passes the view and an item to a sub-template.
		"wrap": func(v *view, x any) map[string]any { return map[string]any{"V": v, "X": x} },
		// mark highlights every occurrence of q in s (case folded), the
		// rest escaped.
		"mark": markText,
		// webcal turns a feed's https address into the webcal: one that
		// phones open in their calendar app.
		"webcal": func(u string) template.URL {
			_, rest, _ := strings.Cut(u, "://")
			return template.URL("webcal://" + rest)
		},
		// percent is n of total as a whole percentage, for bars.
		"percent": func(n, total int) int {
			if total <= 0 {
				return 0
			}
			return min(100, n*100/total)
		},
		"fmtTime": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(model.ChinaTime).Format("2006-01-02 15:04")
		},
		"fmtTimePtr": func(t *time.Time) string {
			if t == nil {
				return "—"
			}
			return t.In(model.ChinaTime).Format("2006-01-02 15:04")
		},
		"inc": func(i int) int { return i + 1 },
		// tons shows tonnes of CO2 with two decimals and thousands
		// separators, as reports print them.
		"tons":   func(x float64) string { return model.Grouped(x, 2) },
		"round2": func(x float64) float64 { return model.Round(x, 2) },
		"addf":   func(a, b float64) float64 { return a + b },
		"gradeCount": func(g model.GradeCounts, grade string) int {
			switch grade {
			case model.GradeExcellent:
				return g.Excellent
			case model.GradeQualified:
				return g.Qualified
			case model.GradeImprove:
				return g.Improve
			}
			return g.Unqualified
		},
		"ruleValue": func(r model.AppraisalRules, k string) float64 {
			return map[string]float64{"hours": r.Hours, "attendance": r.Attendance, "inspections": r.Inspections, "tasks": r.Tasks,
				"quizzes": r.Quizzes, "honesty_flag": r.HonestyFlag, "excellent": r.Excellent, "qualified": r.Qualified, "improve": r.Improve}[k]
		},
		"hundred": func(x float64) float64 { return model.Round(x*100, 4) },
		"dec":     func(i int) int { return i - 1 },
		"deref64i": func(p *int64) int64 {
			if p == nil {
				return 0
			}
			return *p
		},
		// rowField names an import problem's place: 第17行 活动数据.
		"rowField": func(v *view, f string) string {
			parts := strings.SplitN(f, ".", 3)
			if len(parts) == 3 && (parts[0] == "rows" || parts[0] == "summary") {
				return v.T("carbon.row_field", parts[1], v.T("carbon.col."+parts[2]))
			}
			return f
		},
		"pct":      func(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" },
		"hours":    func(h float64) string { return strconv.FormatFloat(h, 'f', -1, 64) },
		"fmtDay":   func(t time.Time) string { return t.In(model.ChinaTime).Format("2006-01-02") },
		"fmtClock": func(t time.Time) string { return t.In(model.ChinaTime).Format("15:04") },
		"hasID":    func(ids []int64, id int64) bool { return slices.Contains(ids, id) },
		"contains": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
		// header names a roster column by its Chinese header.
		"header": roster.HeaderOf,
		// problem says what is wrong with a roster cell, with its arguments.
		"problem": func(v *view, p model.RowProblem) string { return v.T(p.Key, roster.ProblemArgs(p)...) },
		"deref": func(p *int64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatInt(*p, 10)
		},
	}
	pageFiles, err := fs.Glob(embedded, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	h.pages = map[string]*template.Template{}
	for _, pf := range pageFiles {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(embedded, "templates/layout.html", pf)
		if err != nil {
			return nil, err
		}
		h.pages[strings.TrimSuffix(path.Base(pf), ".html")] = t
	}
	return &h, nil
}

// navItem is one entry of the navigation; Roles empty means everyone
// logged in.
type navItem struct {
	Path, Key, Icon string
	Roles           []model.Role
}

// navGroup is a domain's entries, a heading of the side navigation.
type navGroup struct {
	Key   string
	Items []navItem
}

var (
	staff       = []model.Role{model.RoleAdmin, model.RoleAssociation}
	withRecords = []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise}
)

var nav = []navGroup{
	{"navg.work", []navItem{
		{"/", "nav.home", "house", nil},
		{"/notifications", "nav.notifications", "bell", nil},
	}},
	{"navg.training", []navItem{
		{"/courses", "nav.courses", "book-open", nil},
		{"/training", "nav.training", "calendar-check", []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise, model.RoleLecturer}},
		{"/credits", "nav.credits", "award", withRecords},
		{"/topics", "nav.topics", "message-square-plus", withRecords},
	}},
	{"navg.inspection", []navItem{
		{"/checklists", "nav.checklists", "circle-check", withRecords},
		{"/occurrences", "nav.occurrences", "calendar-check", withRecords},
		{"/tasks", "nav.tasks", "clock", withRecords},
		{"/spot-plan", "nav.spot_plan", "map-pin", staff},
		{"/honesty", "nav.honesty", "triangle-alert", staff},
	}},
	{"navg.law", []navItem{
		{"/announcements", "nav.announcements", "bell", nil},
		{"/laws", "nav.laws", "scroll-text", nil},
		{"/cases", "nav.cases", "lightbulb", nil},
	}},
	{"navg.carbon", []navItem{
		{"/carbon", "nav.carbon", "leaf", []model.Role{model.RoleEnterprise}},
		{"/factors", "nav.factors", "sigma", nil},
	}},
	{"navg.market", []navItem{
		{"/market", "nav.market", "handshake", []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise, model.RoleProvider}},
		{"/providers", "nav.providers", "users", nil},
	}},
	{"navg.directory", []navItem{
		{"/directory/enterprises", "nav.enterprises", "building-2", withRecords},
		{"/directory/regions", "nav.regions", "map", nil},
		{"/directory/links", "nav.links", "user-check", staff},
		{"/stats", "nav.stats", "chart-column", staff},
		{"/dashboards", "nav.dashboards", "gauge", []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise}},
		{"/appraisals", "nav.appraisals", "clipboard-check", []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise}},
	}},
	{"navg.admin", []navItem{
		{"/admin/users", "nav.users", "users", []model.Role{model.RoleAdmin}},
		{"/admin/audit", "nav.audit", "scroll-text", []model.Role{model.RoleAdmin}},
		{"/settings/training", "nav.settings", "settings", []model.Role{model.RoleAdmin}},
	}},
	{"navg.me", []navItem{
		{"/account", "nav.account", "user", nil},
	}},
}

// tabs are each role's main entries, the phone's bottom bar; the rest
// are under "more".
var tabs = map[model.Role][]string{
	model.RoleEnterprise:  {"/", "/courses", "/training", "/credits"},
	model.RoleAssociation: {"/", "/directory/enterprises", "/training", "/credits"},
	model.RoleAdmin:       {"/", "/directory/enterprises", "/courses", "/credits"},
	model.RoleLecturer:    {"/", "/training", "/courses", "/notifications"},
	model.RoleProvider:    {"/", "/market", "/notifications", "/account"},
}

// view is what every template gets.
type view struct {
	Lang  string
	User  *model.User
	Path  string
	Title string
	Flash string
	// FlashWarn: the flash asks for something rather than reports it.
	FlashWarn bool
	Errors    map[string]string // field → translated message
	Error     string            // form-level message
	Data      any
	Unread    int // unread notices, shown beside the navigation entry
	// Screen: the page fills the Home's screen, without navigation.
	Screen  bool
	catalog *i18n.Catalog
}

// Paren brackets s as the page's language does: （…） in Chinese.
func (v *view) Paren(s string) string { return v.T("punct.paren", s) }

// Colon is the page's language's colon (full width in Chinese).
func (v *view) Colon() string { return v.T("punct.colon") }

// T translates a key into the page's language.
func (v *view) T(key string, args ...any) string { return v.catalog.T(v.Lang, key, args...) }

// NavGroups lists the navigation the user may see, by domain.
func (v *view) NavGroups() []navGroup {
	if v.User == nil {
		return nil
	}
	var out []navGroup
	for _, g := range nav {
		var items []navItem
		for _, n := range g.Items {
			if len(n.Roles) == 0 || hasRole(n.Roles, v.User.Role) {
				items = append(items, n)
			}
		}
		if len(items) > 0 {
			out = append(out, navGroup{g.Key, items})
		}
	}
	return out
}

// Nav lists the navigation entries the user may see.
func (v *view) Nav() []navItem {
	var out []navItem
	for _, g := range v.NavGroups() {
		out = append(out, g.Items...)
	}
	return out
}

// Tabs are the phone's bottom bar: the role's main entries.
func (v *view) Tabs() []navItem {
	var out []navItem
	for _, p := range tabs[v.Roleless()] {
		for _, n := range v.Nav() {
			if n.Path == p {
				out = append(out, n)
			}
		}
	}
	return out
}

// Roleless is the user's role, or "" for a guest.
func (v *view) Roleless() model.Role {
	if v.User == nil {
		return ""
	}
	return v.User.Role
}

// Current reports whether path is the page's own entry (a section's
// pages count as its entry, so the tab stays lit on a class page).
func (v *view) Current(path string) bool {
	if path == "/" {
		return v.Path == "/"
	}
	return v.Path == path || strings.HasPrefix(v.Path, path+"/")
}

// Languages lists the languages to switch to.
func (v *view) Languages() []string { return v.catalog.Languages() }

func hasRole(roles []model.Role, r model.Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// lang picks the page language: the account's choice, the guest's cookie,
// then the browser's Accept-Language; Chinese when nothing matches.
func (h *Handler) lang(r *http.Request) string {
	if u := actor(r).User; u != nil && u.Language != "" {
		return u.Language
	}
	if c, err := r.Cookie(langCookie); err == nil && h.I18n.Has(c.Value) {
		return c.Value
	}
	return h.I18n.Match(r.Header.Get("Accept-Language"))
}

func (h *Handler) newView(r *http.Request, titleKey string, data any) *view {
	v := &view{Lang: h.lang(r), User: actor(r).User, Path: r.URL.Path, Data: data, catalog: h.I18n}
	v.Title = v.T(titleKey)
	if v.User != nil {
		v.Unread, _ = h.Store.UnreadNotifications(r.Context(), v.User.ID)
	}
	if k := r.URL.Query().Get("ok"); strings.HasPrefix(k, "flash.") {
		v.Flash = v.T(k)
		v.FlashWarn = strings.HasPrefix(k, "flash.must_")
	}
	return v
}

// render writes a page. It renders into a buffer first, so that a
// template error becomes the error page (by the caller's adapter), not half
// a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) error {
	t, ok := h.pages[page]
	if !ok {
		return fmt.Errorf("web: no page template %q", page)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		return fmt.Errorf("web: render %s: %w", page, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Language", v.Lang)
	h.send(w, r, status, buf.Bytes())
	return nil
}

// group writes n with thousands separators.
func group(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// gzipped holds the static text files compressed at the best level, by
// name: made once per process, on first use (they are embedded).
var gzipped = sync.OnceValue(func() map[string][]byte {
	out := map[string][]byte{}
	fs.WalkDir(embedded, "static", func(p string, d fs.DirEntry, err error) error {
		switch path.Ext(p) {
		case ".css", ".js", ".svg":
		default:
			return err
		}
		b, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(b)
		zw.Close()
		out[strings.TrimPrefix(p, "static/")] = z.Bytes()
		return nil
	})
	return out
})

// send writes a body with its status, gzipped when the client takes gzip
// and the body is worth it.
func (h *Handler) send(w http.ResponseWriter, r *http.Request, status int, b []byte) {
	w.Header().Add("Vary", "Accept-Encoding")
	if len(b) < 1024 || !acceptsGzip(r) {
		w.WriteHeader(status)
		w.Write(b)
		return
	}
	w.Header().Set("Content-Encoding", "gzip")
	w.Header().Del("Content-Length")
	w.WriteHeader(status)
	zw := gzipWriters.Get().(*gzip.Writer)
	zw.Reset(w)
	zw.Write(b)
	zw.Close()
	gzipWriters.Put(zw)
}

// write is send with 200.
func (h *Handler) write(w http.ResponseWriter, r *http.Request, b []byte) {
	h.send(w, r, http.StatusOK, b)
}

var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(io.Discard, gzip.BestSpeed)
	return zw
}}

// acceptsGzip reads Accept-Encoding; "gzip;q=0" refuses it.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}

// renderError shows the friendly error page for err. Internal errors are
// logged and shown as a plain "something went wrong".
func (h *Handler) renderError(w http.ResponseWriter, r *http.Request, err error) {
	var e *model.Error
	if !errors.As(err, &e) {
		h.Log.Error("web", "method", r.Method, "path", r.URL.Path, "err", err)
		e = model.Errorf(model.ErrInternal, "err.internal")
	}
	status := httpx.Status(e.Code)
	if e.Code == model.ErrRateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, e.RetryAfter)))
	}
	v := h.newView(r, "page.error", nil)
	v.Title = v.T("page.error." + strconv.Itoa(status))
	v.Error = v.T(e.Message, e.Args...)
	v.Data = status
	if err := h.render(w, r, status, "error", v); err != nil {
		h.Log.Error("web: error page", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

// formError renders page again with the error's field messages; an
// internal error is returned for the error page instead.
func (h *Handler) formError(w http.ResponseWriter, r *http.Request, page string, v *view, err error) error {
	var e *model.Error
	if !errors.As(err, &e) || e.Code == model.ErrInternal {
		return err
	}
	if e.Code == model.ErrRateLimited {
		w.Header().Set("Retry-After", strconv.Itoa(max(1, e.RetryAfter)))
	}
	v.Error = v.T(e.Message, e.Args...)
	v.Errors = map[string]string{}
	for f, k := range e.Fields {
		v.Errors[f] = v.T(k)
	}
	return h.render(w, r, httpx.Status(e.Code), page, v)
}

// static serves embedded files; fingerprinted URLs are cached for a year.
func (h *Handler) static(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("file")
	sum, ok := h.assets[name]
	if !ok {
		return model.NotFound()
	}
	if r.URL.Query().Get("v") == sum {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	if gz, ok := gzipped()[name]; ok && acceptsGzip(r) {
		etag := `"` + sum + `-gz"`
		w.Header().Set("ETag", etag)
		w.Header().Add("Vary", "Accept-Encoding")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return nil
		}
		w.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(name)))
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Length", strconv.Itoa(len(gz)))
		w.Write(gz)
		return nil
	}
	http.ServeFileFS(w, r, embedded, "static/"+name)
	return nil
}

// viewPage renders a page whose view is built from the {id} of the path.
func (h *Handler) viewPage(page string, build func(*http.Request, int64) (*view, error)) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return err
		}
		v, err := build(r, id)
		if err != nil {
			return err
		}
		return h.render(w, r, http.StatusOK, page, v)
	}
}

// Fail shows the error page for err; the server uses it after a panic.
func (h *Handler) Fail(w http.ResponseWriter, r *http.Request, err error) { h.renderError(w, r, err) }

// actor is who asks: the one way a handler learns it.
func actor(r *http.Request) model.Actor { return httpx.ActorFrom(r.Context()) }

func isRole(r *http.Request, roles ...model.Role) bool {
	u := actor(r).User
	return u != nil && hasRole(roles, u.Role)
}

// redirect answers a form post with a page and a flash message.
func redirect(w http.ResponseWriter, r *http.Request, path, flash string) {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	http.Redirect(w, r, path+sep+"ok="+flash, http.StatusSeeOther)
}

// markText escapes s and wraps each occurrence of q (ignoring case) in
// <mark>.
func markText(s, q string) template.HTML {
	rs, low, qs := []rune(s), []rune(strings.ToLower(s)), []rune(strings.ToLower(q))
	var b strings.Builder
	i := 0
	for i < len(rs) {
		if len(qs) > 0 && i+len(qs) <= len(low) && len(low) == len(rs) && string(low[i:i+len(qs)]) == string(qs) {
			b.WriteString("<mark>" + template.HTMLEscapeString(string(rs[i:i+len(qs)])) + "</mark>")
			i += len(qs)
			continue
		}
		b.WriteString(template.HTMLEscapeString(string(rs[i])))
		i++
	}
	return template.HTML(b.String())
}
