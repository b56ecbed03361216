package web

import (
	"net/http"

	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) notificationsPage(w http.ResponseWriter, r *http.Request) error {
	u := actor(r).User
	p, err := model.ParsePage(r.URL.Query().Get("limit"), r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	l, err := h.Store.Notifications(r.Context(), u.ID, p)
	if err != nil {
		return err
	}
	v := h.newView(r, "page.notifications", l)
	for _, n := range l.Items {
		n.Text = h.Notices.Text(v.Lang, n)
	}
	return h.render(w, r, http.StatusOK, "notifications", v)
}

func (h *Handler) readNotifications(w http.ResponseWriter, r *http.Request) error {
	if err := h.Store.MarkNotificationsRead(r.Context(), actor(r).User.ID, 0); err != nil {
		return err
	}
	redirect(w, r, "/notifications", "flash.saved")
	return nil
}
