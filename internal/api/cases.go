package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
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

func (h *Handler) submitCase(w http.ResponseWriter, r *http.Request) error {
	var in model.CaseInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	c, err := h.Service.SubmitCase(r.Context(), actor(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (h *Handler) getCase(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Case(r.Context(), actor(r), id) })
}

func (h *Handler) updateCase(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.CaseInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	c, err := h.Service.UpdateCase(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) reviewCase(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.CaseReview
	if err := decode(r, w, &in); err != nil {
		return err
	}
	c, err := h.Service.ReviewCase(r.Context(), actor(r), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// addCaseAttachment takes the multipart field "file": a photo, a PDF or
// an Office document.
func (h *Handler) addCaseAttachment(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	name, body, err := httpx.UploadPart(w, r, "file", files.Material.MaxBytes)
	if err != nil {
		return err
	}
	c, err := h.Service.AddCaseAttachment(r.Context(), actor(r), id, name, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) markCaseInterest(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Note string `json:"note"`
	}
	if r.ContentLength != 0 {
		if err := decode(r, w, &in); err != nil {
			return err
		}
	}
	c, err := h.Service.MarkCaseInterest(r.Context(), actor(r), id, in.Note)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) caseReaders(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		l, err := h.Service.CaseReaders(r.Context(), actor(r), id)
		return model.List[model.CaseReader]{Items: l}, err
	})
}

func (h *Handler) caseLeads(w http.ResponseWriter, r *http.Request) error {
	l, err := h.Service.CaseLeads(r.Context(), actor(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[model.CaseLead]{Items: l})
	return nil
}
