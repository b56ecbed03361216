package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) setCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name: name, Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: h.SecureCookies || h.Proxies.IsHTTPS(r),
	})
}

func (h *Handler) clearCookie(w http.ResponseWriter, r *http.Request, name string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: h.SecureCookies || h.Proxies.IsHTTPS(r)})
}

// safeNext is a return address on this site, or the home page.
func safeNext(s string) string { return httpx.LocalPath(s, "/") }

type loginForm struct {
	Username, Next string
	// AskOTP: the account uses two-factor sign-in; the form asks for the code.
	AskOTP bool
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if actor(r).User != nil {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return h.render(w, r, http.StatusOK, "login", h.newView(r, "page.login", loginForm{Next: next}))
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	f := loginForm{Username: strings.TrimSpace(r.PostFormValue("username")), Next: safeNext(r.PostFormValue("next"))}
	a := actor(r)
	u, err := h.Auth.Login(r.Context(), a, model.Credentials{Username: f.Username, Password: r.PostFormValue("password"), OTP: r.PostFormValue("otp")})
	if err != nil {
		var e *model.Error
		f.AskOTP = errors.As(err, &e) && e.Fields["otp"] != ""
		return h.formError(w, r, "login", h.newView(r, "page.login", f), err)
	}
	return h.startSession(w, r, u, f.Next)
}

// startSession logs this browser in as u and sends it to next.
func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, u *model.User, next string) error {
	secret, err := h.Auth.StartSession(r.Context(), actor(r), u)
	if err != nil {
		return err
	}
	h.setCookie(w, r, sessionCookie, secret, h.Auth.Policy.SessionMax)
	// Booking pages the service worker kept belong to whoever was here.
	w.Header().Set("Clear-Site-Data", clearSiteData)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// clearSiteData drops the caches and the service worker's stored pages
// (browsers honour it on HTTPS and localhost; app.js clears them too).
const clearSiteData = `"cache", "storage"`

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		if err := h.Store.DeleteSession(r.Context(), actor(r), c.Value); err != nil {
			return err
		}
	}
	h.clearCookie(w, r, sessionCookie)
	w.Header().Set("Clear-Site-Data", clearSiteData)
	http.Redirect(w, r, "/login?ok=flash.logged_out", http.StatusSeeOther)
	return nil
}

// setLanguage switches the language: kept on the account when logged in,
// in a cookie for a guest.
func (h *Handler) setLanguage(w http.ResponseWriter, r *http.Request) error {
	lang := r.PostFormValue("lang")
	if !h.I18n.Has(lang) {
		return &model.Error{Code: model.ErrInvalid, Message: "err.field.language"}
	}
	a := actor(r)
	if a.User != nil {
		if _, err := h.Auth.UpdateSelf(r.Context(), a, nil, &lang); err != nil {
			return err
		}
	}
	h.setCookie(w, r, langCookie, lang, 365*24*time.Hour)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
	return nil
}

// morePage lists every entry of the navigation: the phone's "more" tab.
func (h *Handler) morePage(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "more", h.newView(r, "page.more", nil))
}

// statsPage draws the figures of the bureau and associations as charts,
// each with its table.
func (h *Handler) statsPage(w http.ResponseWriter, r *http.Request) error {
	region, _ := strconv.ParseInt(r.URL.Query().Get("region"), 10, 64)
	st, err := h.Service.Stats(r.Context(), actor(r), region)
	if err != nil {
		return err
	}
	d := map[string]any{"S": st, "RegionName": "", "Towns": []model.RegionStat(nil)}
	for _, t := range st.Towns {
		if t.RegionID == st.RegionID {
			d["RegionName"] = t.RegionName
		}
	}
	if actor(r).IsAdmin() {
		d["Towns"] = st.Towns
	}
	return h.render(w, r, http.StatusOK, "stats", h.newView(r, "page.stats", d))
}

// home is each role's workbench: what to do now.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	wb, err := h.Service.Workbench(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "home", h.newView(r, "page.home", wb))
}
