package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/httpx"
)

func (h *Handler) listNotifications(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := actor(r).User
	l, err := h.Store.Notifications(r.Context(), u.ID, p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := h.lang(r)
	for _, n := range l.Items {
		n.Text = h.Notices.Text(lang, n)
	}
	writeJSON(w, http.StatusOK, l)
}

func (h *Handler) readNotification(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Store.MarkNotificationsRead(r.Context(), actor(r).User.ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) readAllNotifications(w http.ResponseWriter, r *http.Request) {
	if err := h.Store.MarkNotificationsRead(r.Context(), actor(r).User.ID, 0); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
