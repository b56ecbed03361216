package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) listTopics(w http.ResponseWriter, r *http.Request) {
	ts, err := h.Store.Topics(r.Context(), actor(r), r.URL.Query().Get("status"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, all(ts))
}

func (h *Handler) proposeTopic(w http.ResponseWriter, r *http.Request) {
	var t model.Topic
	if err := decode(r, w, &t); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.Store.ProposeTopic(r.Context(), actor(r), t)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/api/v1/topics", out.ID, out)
}

func (h *Handler) voteTopic(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Store.VoteTopic(r.Context(), actor(r), id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) adoptTopic(w http.ResponseWriter, r *http.Request) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var c model.Course
	if err := decode(r, w, &c); err != nil {
		h.fail(w, r, err)
		return
	}
	out, err := h.Store.AdoptTopic(r.Context(), actor(r), id, &c)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	created(w, "/api/v1/courses", out.ID, out)
}
