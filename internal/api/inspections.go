package api

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) startInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		ChecklistID int64  `json:"checklist_id"`
		Kind        string `json:"kind"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	out, err := h.Service.StartInspection(r.Context(), actor(r), id, in.ChecklistID, in.Kind)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/inspections/"+strconv.FormatInt(out.ID, 10))
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (h *Handler) listInspections(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		l, err := h.Service.Inspections(r.Context(), actor(r), id)
		return model.List[*model.Inspection]{Items: l}, err
	})
}

func (h *Handler) getInspection(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.Inspection(r.Context(), actor(r), id) })
}

func (h *Handler) saveAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in model.AnswerInput
	if err := decode(r, w, &in); err != nil {
		return err
	}
	a, err := h.Service.SaveAnswer(r.Context(), actor(r), id, r.PathValue("code"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, a)
	return nil
}

func (h *Handler) addInspectionPhoto(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	name, body, err := photoUpload(w, r)
	if err != nil {
		return err
	}
	pid, err := h.Service.AddInspectionPhoto(r.Context(), actor(r), id, name, body)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]int64{"id": pid})
	return nil
}

func (h *Handler) submitInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	in, err := h.Service.SubmitInspection(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

// reviseInspection takes {"reason"} and answers 201 with the revision, a
// draft with the original's answers.
func (h *Handler) reviseInspection(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	rev, err := h.Service.ReviseInspection(r.Context(), actor(r), id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, rev)
	return nil
}

// compliance answers an enterprise's colour with each deduction's rule,
// reason (in the caller's language), basis and since.
func (h *Handler) compliance(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		c, err := h.Service.Compliance(r.Context(), actor(r), id)
		if err != nil {
			return nil, err
		}
		lang := h.lang(r)
		c.Explain(func(key string, args ...any) string { return h.I18n.T(lang, key, args...) })
		return c, nil
	})
}

func (h *Handler) listHonestyFlags(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	l, err := h.Service.HonestyFlags(r.Context(), actor(r), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) listObligations(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		os, err := h.Service.Obligations(r.Context(), actor(r), id)
		return model.List[model.Obligation]{Items: os}, err
	})
}

func (h *Handler) getObligationFacts(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) { return h.Service.ObligationFacts(r.Context(), actor(r), id) })
}

func (h *Handler) putObligationFacts(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var f model.ObligationFacts
	if err := decode(r, w, &f); err != nil {
		return err
	}
	out, err := h.Service.SetObligationFacts(r.Context(), actor(r), id, f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) obligationDone(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reference string `json:"reference"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	o, err := h.Service.MarkObligationDone(r.Context(), actor(r), id, in.Reference)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

func (h *Handler) listPoints(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		ps, err := h.Service.Points(r.Context(), actor(r), id)
		return model.List[*model.InspectionPoint]{Items: ps}, err
	})
}

func (h *Handler) createPoint(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var p model.InspectionPoint
	if err := decode(r, w, &p); err != nil {
		return err
	}
	out, err := h.Service.CreatePoint(r.Context(), actor(r), id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}
