package web

import (
	"net/http"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) topicsPage(w http.ResponseWriter, r *http.Request) error {
	return h.renderTopics(w, r, nil, model.Topic{})
}

func (h *Handler) renderTopics(w http.ResponseWriter, r *http.Request, err error, draft model.Topic) error {
	ts, lerr := h.Store.Topics(r.Context(), actor(r), "")
	if lerr != nil {
		return lerr
	}
	v := h.newView(r, "page.topics", map[string]any{"Topics": ts, "Draft": draft,
		"CanVote": actor(r).Scope().EnterpriseID != 0, "Admin": isRole(r, model.RoleAdmin)})
	if err != nil {
		return h.formError(w, r, "topics", v, err)
	}
	return h.render(w, r, http.StatusOK, "topics", v)
}

func (h *Handler) proposeTopic(w http.ResponseWriter, r *http.Request) error {
	t := model.Topic{Title: r.FormValue("title"), Description: r.FormValue("description")}
	if _, err := h.Store.ProposeTopic(r.Context(), actor(r), t); err != nil {
		return h.renderTopics(w, r, err, t)
	}
	redirect(w, r, "/topics", "flash.saved")
	return nil
}

func (h *Handler) voteTopic(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err == nil {
		err = h.Store.VoteTopic(r.Context(), actor(r), id)
	}
	if err != nil {
		return h.renderTopics(w, r, err, model.Topic{})
	}
	redirect(w, r, "/topics", "flash.voted")
	return nil
}
