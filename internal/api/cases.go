package api

import (
	"context"
	"net/http"

	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) listCases(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	l, err := h.Service.Cases(r.Context(), actor(r), model.CaseFilter{Box: q.Get("box"), Industry: q.Get("industry"), Pollutant: q.Get("pollutant")})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.TechCase]{Items: l})
	return nil
}

// markCaseInterest takes an optional JSON body {"note"}.
func (h *Handler) markCaseInterest(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, w, &in); err != nil {
			return err
		}
	}
	return onID(http.StatusOK, func(ctx context.Context, a model.Actor, id int64) (*model.TechCase, error) {
		return h.Service.MarkCaseInterest(ctx, a, id, in.Note)
	})(w, r)
}

func (h *Handler) caseLeads(w http.ResponseWriter, r *http.Request) error {
	l, err := h.Service.CaseLeads(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[model.CaseLead]{Items: l})
	return nil
}
