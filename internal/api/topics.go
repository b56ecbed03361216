package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) listTopics(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.Store.Topics(r.Context(), actor(r), r.URL.Query().Get("status"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, all(ts))
	return nil
}

func (h *Handler) proposeTopic(w http.ResponseWriter, r *http.Request) error {
	var t model.Topic
	if err := decode(r, w, &t); err != nil {
		return err
	}
	out, err := h.Store.ProposeTopic(r.Context(), actor(r), t)
	if err != nil {
		return err
	}
	created(w, "/api/v1/topics", out.ID, out)
	return nil
}

func (h *Handler) voteTopic(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Store.VoteTopic(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) adoptTopic(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var c model.Course
	if err := decode(r, w, &c); err != nil {
		return err
	}
	out, err := h.Service.AdoptTopic(r.Context(), actor(r), id, &c)
	if err != nil {
		return err
	}
	created(w, "/api/v1/courses", out.ID, out)
	return nil
}

func (h *Handler) getTopic(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Store.Topic(r.Context(), actor(r), id) })
}
