package api

import (
	"net/http"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

// Permission is what a route demands of its caller.
type Permission int

const (
	Public        Permission = iota // anyone, no token
	Authenticated                   // any valid token; data is filtered by who asks
	Admin                           // the bureau only
)

// Route is one API endpoint.
type Route struct {
	Method, Path string
	Perm         Permission
	Handle       func(http.ResponseWriter, *http.Request)
}

// Routes lists every API route with its permission; the OpenAPI document is
// kept in step with this table by a test.
func (h *Handler) Routes() []Route {
	return []Route{
		{"GET", "/api/v1/openapi.json", Public, h.openAPI},
		{"POST", "/api/v1/auth/token", Public, h.createLoginToken},
		{"DELETE", "/api/v1/auth/token", Authenticated, h.revokeCurrentToken},
		{"GET", "/api/v1/me", Authenticated, h.me},
		{"PATCH", "/api/v1/me", Authenticated, h.updateMe},
		{"POST", "/api/v1/me/password", Authenticated, h.changePassword},
		{"GET", "/api/v1/tokens", Authenticated, h.listTokens},
		{"POST", "/api/v1/tokens", Authenticated, h.createToken},
		{"DELETE", "/api/v1/tokens/{id}", Authenticated, h.revokeToken},
		{"GET", "/api/v1/users", Admin, h.listUsers},
		{"POST", "/api/v1/users", Admin, h.createUser},
		{"GET", "/api/v1/users/{id}", Admin, h.getUser},
		{"PATCH", "/api/v1/users/{id}", Admin, h.updateUser},
		{"GET", "/api/v1/audit", Admin, h.listAudit},
	}
}

// Register adds every route to mux behind its permission check, and answers
// unknown API paths in the API's error shape.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, rt := range h.Routes() {
		mux.Handle(rt.Method+" "+rt.Path, h.guard(rt.Perm, http.HandlerFunc(rt.Handle)))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, model.NotFound())
	})
}

// guard authenticates the bearer token and enforces the permission.
func (h *Handler) guard(p Permission, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p == Public {
			next.ServeHTTP(w, r)
			return
		}
		secret, ok := bearer(r)
		if !ok {
			h.fail(w, r, model.Errorf(model.ErrUnauthenticated, "err.token_missing"))
			return
		}
		u, t, err := h.Store.TokenUser(r.Context(), secret)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		a := httpx.ActorFrom(r.Context())
		a.User = u
		ctx := httpx.WithActor(r.Context(), a)
		ctx = withToken(ctx, t)
		if p == Admin && u.Role != model.RoleAdmin {
			h.fail(w, r.WithContext(ctx), model.Errorf(model.ErrForbidden, "err.forbidden"))
			return
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != "" && len(tok) <= 128
}
