package web

import (
	"net/http"

	"github.com/envhome/envhome/internal/model"
)

type forgotData struct {
	Email bool // the site can send email
	Sent  bool
}

// forgotPage offers a reset link by email where the site sends email, and
// always says whom to ask: an enterprise its town's association, everyone
// else the bureau.
func (h *Handler) forgotPage(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "forgot", h.newView(r, "page.forgot", &forgotData{Email: h.Mail != nil}))
}

// forgot sends the link if the account has an email address; the answer
// is the same whether or not it has, or exists.
func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) error {
	d := &forgotData{Email: h.Mail != nil, Sent: true}
	v := h.newView(r, "page.forgot", d)
	if h.Mail == nil {
		d.Sent = false
		return h.render(w, r, http.StatusOK, "forgot", v)
	}
	email, token, err := h.Auth.RequestPasswordReset(r.Context(), r.PostFormValue("username"))
	if err != nil {
		return err
	}
	if email != "" {
		link := h.BaseURL + "/reset?t=" + token
		if err := h.Mail(email, v.T("reset.mail_subject"), v.T("reset.mail_body", link)); err != nil {
			h.Log.Warn("reset mail", "err", err) // the answer stays the same
		}
	}
	return h.render(w, r, http.StatusOK, "forgot", v)
}

func (h *Handler) resetPage(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the address
	return h.render(w, r, http.StatusOK, "reset", h.newView(r, "page.reset", map[string]string{"Token": r.URL.Query().Get("t")}))
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("t")
	v := h.newView(r, "page.reset", map[string]string{"Token": token})
	pw := r.PostFormValue("new_password")
	if pw != r.PostFormValue("confirm_password") {
		return h.formError(w, r, "reset", v, (model.Validation{"confirm_password": "err.field.password_mismatch"}).Err())
	}
	if _, err := h.Auth.ResetWithToken(r.Context(), token, pw); err != nil {
		return h.formError(w, r, "reset", v, err)
	}
	http.Redirect(w, r, "/login?ok=flash.password_reset", http.StatusSeeOther)
	return nil
}
