package web

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

type accountData struct {
	Tokens   []tokenRow
	NewToken string // a just-created token's secret, shown once
	// TwoFactorSetup is the secret of an enrolment not yet confirmed;
	// RecoveryCodes are shown once, when it is; CodesLeft counts the
	// unused ones; TwoFactorRequired: the bureau requires it of this account.
	TwoFactorSetup    *auth.TwoFactorSetup
	RecoveryCodes     []string
	CodesLeft         int
	TwoFactorRequired bool
	// TokensAllowed: the account's role may make API tokens.
	TokensAllowed bool
}

type tokenRow struct {
	*model.Token
	State string // i18n key: active, expired or revoked
}

func (h *Handler) accountView(r *http.Request) (*view, error) {
	a := actor(r)
	l, err := h.Store.ListTokens(r.Context(), a.User.ID, model.Page{Limit: model.MaxLimit})
	if err != nil {
		return nil, err
	}
	d := &accountData{TwoFactorSetup: h.Auth.PendingTwoFactor(a.User), TwoFactorRequired: h.Auth.TwoFactorMissing(r.Context(), a.User),
		TokensAllowed: h.Store.SecuritySettings(r.Context()).TokensAllowed(a.User.Role)}
	if a.User.TOTPEnabled {
		if d.CodesLeft, err = h.Store.RecoveryCodesLeft(r.Context(), a.User.ID); err != nil {
			return nil, err
		}
	}
	now := h.Store.Now()
	for _, t := range l.Items {
		state := "token.active"
		switch {
		case t.RevokedAt != nil:
			state = "token.revoked"
		case !t.Active(now):
			state = "token.expired"
		}
		d.Tokens = append(d.Tokens, tokenRow{t, state})
	}
	return h.newView(r, "page.account", d), nil
}

func (h *Handler) accountPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.accountView(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "account", v)
}

func (h *Handler) updateProfile(w http.ResponseWriter, r *http.Request) error {
	name, lang := r.PostFormValue("display_name"), r.PostFormValue("language")
	if _, err := h.Auth.UpdateSelf(r.Context(), actor(r), &name, &lang); err != nil {
		return h.accountFormError(w, r, err)
	}
	http.Redirect(w, r, "/account?ok=flash.saved", http.StatusSeeOther)
	return nil
}

func (h *Handler) setNoticeChannels(w http.ResponseWriter, r *http.Request) error {
	n := model.NoticeChannels{Email: r.PostFormValue("email"), WebhookURL: r.PostFormValue("webhook_url")}
	if _, err := h.Service.SetNoticeChannels(r.Context(), actor(r), n); err != nil {
		return h.accountFormError(w, r, err)
	}
	http.Redirect(w, r, "/account?ok=flash.saved#notices", http.StatusSeeOther)
	return nil
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if r.PostFormValue("new_password") != r.PostFormValue("confirm_password") {
		return h.accountFormError(w, r, &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
			Fields: map[string]string{"confirm_password": "err.field.password_mismatch"}})

	}
	u, err := h.Auth.ChangePassword(r.Context(), a, r.PostFormValue("current_password"), r.PostFormValue("new_password"))
	if err != nil {
		return h.accountFormError(w, r, err)
	}
	// Changing the password ended every session; this browser gets a new one.
	return h.startSession(w, r, u, "/account?ok=flash.password_changed")
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	n := model.NewToken{Name: r.PostFormValue("name")}
	if d := r.PostFormValue("expires_in_days"); d != "" {
		var err error
		if n.ExpiresIn, err = strconv.Atoi(d); err != nil {
			n.ExpiresIn = -1
		}
	}
	_, secret, err := h.Service.CreateToken(r.Context(), a, n)
	if err != nil {
		return h.accountFormError(w, r, err)
	}
	v, err := h.accountView(r)
	if err != nil {
		return err
	}
	v.Data.(*accountData).NewToken = secret
	return h.render(w, r, http.StatusOK, "account", v)
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
	http.Redirect(w, r, "/account?ok=flash.token_revoked", http.StatusSeeOther)
	return nil
}

func (h *Handler) accountFormError(w http.ResponseWriter, r *http.Request, err error) error {
	v, verr := h.accountView(r)
	if verr != nil {
		return verr
	}
	return h.formError(w, r, "account", v, err)
}

// startTwoFactor begins enrolment: the account page then shows the QR code
// and asks for the first code.
func (h *Handler) startTwoFactor(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Auth.StartTwoFactor(r.Context(), actor(r)); err != nil {
		return h.accountFormError(w, r, err)
	}
	http.Redirect(w, r, "/account#two-factor", http.StatusSeeOther)
	return nil
}

// twoFactorQR is the QR code of the enrolment in progress.
func (h *Handler) twoFactorQR(w http.ResponseWriter, r *http.Request) error {
	setup := h.Auth.PendingTwoFactor(actor(r).User)
	if setup == nil {
		return model.NotFound()
	}
	httpx.WriteQR(w, setup.URL)
	return nil
}

func (h *Handler) confirmTwoFactor(w http.ResponseWriter, r *http.Request) error {
	codes, err := h.Auth.ConfirmTwoFactor(r.Context(), actor(r), r.PostFormValue("otp"))
	if err != nil {
		return h.accountFormError(w, r, err)
	}
	// The account changed under this request; show it as it is now.
	a := actor(r)
	a.User.TOTPEnabled = true
	v, err := h.accountView(r)
	if err != nil {
		return err
	}
	v.Data.(*accountData).RecoveryCodes = codes
	v.Flash = v.T("flash.two_factor_on")
	return h.render(w, r, http.StatusOK, "account", v)
}

func (h *Handler) disableTwoFactor(w http.ResponseWriter, r *http.Request) error {
	if err := h.Auth.DisableTwoFactor(r.Context(), actor(r), r.PostFormValue("current_password"), r.PostFormValue("otp")); err != nil {
		return h.accountFormError(w, r, err)
	}
	http.Redirect(w, r, "/account?ok=flash.two_factor_off#two-factor", http.StatusSeeOther)
	return nil
}
