package web

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
)

// checklistsPage lists the self-inspection checklists the user may see.
func (h *Handler) checklistsPage(w http.ResponseWriter, r *http.Request) error {
	cs, err := h.Service.Checklists(r.Context(), actor(r), r.URL.Query().Get("all") == "1")
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "checklists", h.newView(r, "page.checklists", map[string]any{"List": cs}))
}

// checklistPage shows one version: its sections and items, what binds
// it, and for its author the publish action.
func (h *Handler) checklistPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.Service.Checklist(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v := h.newView(r, "page.checklist", map[string]any{"C": c})
	v.Title = c.Title
	return h.render(w, r, http.StatusOK, "checklist", v)
}

func (h *Handler) publishChecklist(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Service.PublishChecklist(r.Context(), actor(r), id); err != nil {
		return err
	}
	redirect(w, r, "/checklists/"+strconv.FormatInt(id, 10), "flash.checklist_published")
	return nil
}
