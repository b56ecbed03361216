// Package web serves envhome's HTML pages: server-rendered templates,
// cookie sessions stored in the database and embedded static files.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
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
		h.assets[strings.TrimPrefix(p, "static/")] = hex.EncodeToString(sum[:6])
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
		"inc":      func(i int) int { return i + 1 },
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
	Path, Key string
	Roles     []model.Role
}

var nav = []navItem{
	{"/", "nav.home", nil},
	{"/courses", "nav.courses", nil},
	{"/training", "nav.training", []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise, model.RoleLecturer}},
	{"/credits", "nav.credits", []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise}},
	{"/topics", "nav.topics", []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise}},
	{"/notifications", "nav.notifications", nil},
	{"/directory/enterprises", "nav.enterprises", []model.Role{model.RoleAdmin, model.RoleAssociation, model.RoleEnterprise}},
	{"/directory/regions", "nav.regions", nil},
	{"/admin/users", "nav.users", []model.Role{model.RoleAdmin}},
	{"/admin/audit", "nav.audit", []model.Role{model.RoleAdmin}},
	{"/settings/training", "nav.settings", []model.Role{model.RoleAdmin}},
	{"/account", "nav.account", nil},
}

// view is what every template gets.
type view struct {
	Lang    string
	User    *model.User
	Path    string
	Title   string
	Flash   string
	Errors  map[string]string // field → translated message
	Error   string            // form-level message
	Data    any
	Unread  int // unread notices, shown beside the navigation entry
	catalog *i18n.Catalog
}

// T translates a key into the page's language.
func (v *view) T(key string, args ...any) string { return v.catalog.T(v.Lang, key, args...) }

// Nav lists the navigation entries the user may see.
func (v *view) Nav() []navItem {
	if v.User == nil {
		return nil
	}
	var out []navItem
	for _, n := range nav {
		if len(n.Roles) == 0 || hasRole(n.Roles, v.User.Role) {
			out = append(out, n)
		}
	}
	return out
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
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
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
	http.ServeFileFS(w, r, embedded, "static/"+name)
	return nil
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
