package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/httpx"
)

func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	u := actor(r).User
	l, err := h.Store.Notifications(r.Context(), u.ID, p)
	if err != nil {
		return err
	}
	lang := h.lang(r)
	for _, n := range l.Items {
		n.Text = h.Notices.Text(lang, n)
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) readNotification(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Store.MarkNotificationsRead(r.Context(), actor(r).User.ID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) readAllNotifications(w http.ResponseWriter, r *http.Request) error {
	if err := h.Store.MarkNotificationsRead(r.Context(), actor(r).User.ID, 0); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
