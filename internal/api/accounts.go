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

func (h *Handler) createLoginToken(w http.ResponseWriter, r *http.Request) error {
	var c model.Credentials
	if err := decode(r, w, &c); err != nil {
		return err
	}
	t, secret, err := h.Auth.APILogin(r.Context(), actor(r), c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, newTokenResponse(t, secret))
	return nil
}

func (h *Handler) revokeCurrentToken(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	t := tokenFrom(r.Context())
	if err := h.Store.RevokeToken(r.Context(), a, a.User.ID, t.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, actor(r).User)
	return nil
}

func (h *Handler) updateMe(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		DisplayName *string `json:"display_name"`
		Language    *string `json:"language"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	u, err := h.Auth.UpdateSelf(r.Context(), actor(r), in.DisplayName, in.Language)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Current string `json:"current_password"`
		New     string `json:"new_password"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	if _, err := h.Auth.ChangePassword(r.Context(), actor(r), in.Current, in.New); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	l, err := h.Store.ListTokens(r.Context(), actor(r).User.ID, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) error {
	var n model.NewToken
	if err := decode(r, w, &n); err != nil {
		return err
	}
	t, secret, err := h.Service.CreateToken(r.Context(), actor(r), n)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, newTokenResponse(t, secret))
	return nil
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	a := actor(r)
	if err := h.Store.RevokeToken(r.Context(), a, a.User.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) error {
	f, err := model.ParseUserFilter(r.URL.Query())
	if err != nil {
		return err
	}
	l, err := h.Store.ListUsers(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) error {
	var n model.NewUser
	if err := decode(r, w, &n); err != nil {
		return err
	}
	u, err := h.Auth.CreateUser(r.Context(), actor(r), n)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/users/"+strconv.FormatInt(u.ID, 10))
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	u, err := h.Store.User(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var upd model.UserUpdate
	if err := decode(r, w, &upd); err != nil {
		return err
	}
	u, err := h.Auth.UpdateUser(r.Context(), actor(r), id, upd)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	f, err := model.ParseAuditFilter(r.URL.Query())
	if err != nil {
		return err
	}
	l, err := h.Store.ListAudit(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) setNoticeChannels(w http.ResponseWriter, r *http.Request) error {
	var in model.NoticeChannels
	if err := decode(r, w, &in); err != nil {
		return err
	}
	u, err := h.Service.SetNoticeChannels(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

// startTwoFactor begins enrolment in two-factor sign-in: the answer holds
// the secret for the authenticator app.
func (h *Handler) startTwoFactor(w http.ResponseWriter, r *http.Request) error {
	setup, err := h.Auth.StartTwoFactor(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, setup)
	return nil
}

func (h *Handler) confirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		OTP string `json:"otp"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	codes, err := h.Auth.ConfirmTwoFactor(r.Context(), actor(r), in.OTP)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string][]string{"recovery_codes": codes})
	return nil
}

func (h *Handler) disableTwoFactor(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Password string `json:"current_password"`
		OTP      string `json:"otp"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	if err := h.Auth.DisableTwoFactor(r.Context(), actor(r), in.Password, in.OTP); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) resetTwoFactor(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Auth.ResetTwoFactor(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// resetPassword gives an account a temporary password, answered once.
func (h *Handler) resetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	u, pw, err := h.Auth.ResetPassword(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"user": u, "password": pw})
	return nil
}

// enterpriseAccounts lists an enterprise's accounts for staff.
func (h *Handler) enterpriseAccounts(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	us, err := h.Store.EnterpriseAccounts(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.User]{Items: us})
	return nil
}

// exportAudit downloads the audit log with the list's filter.
func (h *Handler) exportAudit(w http.ResponseWriter, r *http.Request) error {
	return httpx.StreamXLSX(w, "envhome-audit.xlsx", h.Log, func(start func()) error {
		return h.Service.ExportAudit(r.Context(), actor(r), w, r.URL.Query(), start)
	})
}
