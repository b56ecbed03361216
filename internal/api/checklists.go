package api

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) listChecklists(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.Service.Checklists(r.Context(), actor(r), r.URL.Query().Get("all") == "1")
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.Checklist]{Items: cs})
	return nil
}

func (h *Handler) getChecklist(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Checklist(r.Context(), actor(r), id) })
}

func (h *Handler) createChecklist(w http.ResponseWriter, r *http.Request) error {
	var in model.ChecklistInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	c, err := h.Service.CreateChecklist(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/checklists/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (h *Handler) updateChecklist(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.ChecklistInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	c, err := h.Service.UpdateChecklist(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) publishChecklist(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Service.PublishChecklist(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}
