package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type tokenKey struct{}

func withToken(ctx context.Context, t *model.Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, t)
}

func tokenFrom(ctx context.Context) *model.Token {
	t, _ := ctx.Value(tokenKey{}).(*model.Token)
	return t
}

// tokenResponse is the only answer that carries a token's secret.
type tokenResponse struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Hint      string    `json:"hint"`
}

func newTokenResponse(t *model.Token, secret string) tokenResponse {
	return tokenResponse{Token: secret, ExpiresAt: t.ExpiresAt, ID: t.ID, Name: t.Name, Hint: t.Hint}
}

func (h *Handler) createLoginToken(w http.ResponseWriter, r *http.Request) {
	var c model.Credentials
	if err := decode(r, w, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	t, secret, err := h.Auth.APILogin(r.Context(), httpx.ActorFrom(r.Context()), c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newTokenResponse(t, secret))
}

func (h *Handler) revokeCurrentToken(w http.ResponseWriter, r *http.Request) {
	a := httpx.ActorFrom(r.Context())
	t := tokenFrom(r.Context())
	if err := h.Store.RevokeToken(r.Context(), a, a.User.ID, t.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, httpx.ActorFrom(r.Context()).User)
}

func (h *Handler) updateMe(w http.ResponseWriter, r *http.Request) {
	var in struct {
		DisplayName *string `json:"display_name"`
		Language    *string `json:"language"`
	}
	if err := decode(r, w, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.Auth.UpdateSelf(r.Context(), httpx.ActorFrom(r.Context()), in.DisplayName, in.Language)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decode(r, w, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.Auth.ChangePassword(r.Context(), httpx.ActorFrom(r.Context()), in.Current, in.New); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l, err := h.Store.ListTokens(r.Context(), httpx.ActorFrom(r.Context()).User.ID, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	var n model.NewToken
	if err := decode(r, w, &n); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := n.Validate(); err != nil {
		h.fail(w, r, err)
		return
	}
	a := httpx.ActorFrom(r.Context())
	t, secret, err := h.Store.CreateToken(r.Context(), a, a.User.ID, n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, newTokenResponse(t, secret))
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a := httpx.ActorFrom(r.Context())
	if err := h.Store.RevokeToken(r.Context(), a, a.User.ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	f, err := model.ParseUserFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l, err := h.Store.ListUsers(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	var n model.NewUser
	if err := decode(r, w, &n); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.Auth.CreateUser(r.Context(), httpx.ActorFrom(r.Context()), n)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, u)
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.Store.User(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var upd model.UserUpdate
	if err := decode(r, w, &upd); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.Auth.UpdateUser(r.Context(), httpx.ActorFrom(r.Context()), id, upd)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	f, err := model.ParseAuditFilter(r.URL.Query())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	l, err := h.Store.ListAudit(r.Context(), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *Handler) setNoticeChannels(w http.ResponseWriter, r *http.Request) {
	var in model.NoticeChannels
	if err := decode(r, w, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.Store.SetNoticeChannels(r.Context(), httpx.ActorFrom(r.Context()), in)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}
