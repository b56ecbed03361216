package api

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// The managers' yearly appraisal.

func (h *Handler) listAppraisals(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	year, err := h.Service.DashboardYear(q.Get("year"))
	if err != nil {
		return err
	}
	f := store.AppraisalFilter{Year: year, Grade: q.Get("grade"), Status: q.Get("status")}
	v := model.Validation{}
	if s := q.Get("region_id"); s != "" {
		if f.RegionID, err = strconv.ParseInt(s, 10, 64); err != nil || f.RegionID <= 0 {
			v.Add("region_id", "err.field.id")
		}
	}
	if f.Grade != "" && !model.ValidGrade(f.Grade) {
		v.Add("grade", "err.field.choice")
	}
	if f.Status != "" && f.Status != model.AppraisalDraft && f.Status != model.AppraisalConfirmed && f.Status != model.AppraisalPublished {
		v.Add("status", "err.field.choice")
	}
	if err := v.Err(); err != nil {
		return err
	}
	l, err := h.Service.Appraisals(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[*model.Appraisal]{Items: l})
	return nil
}

// managerYear reads the path's {id} and {year}.
func (h *Handler) managerYear(r *http.Request) (int64, int, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, 0, err
	}
	year, err := h.Service.DashboardYear(r.PathValue("year"))
	return id, year, err
}

func (h *Handler) getAppraisal(w http.ResponseWriter, r *http.Request) error {
	id, year, err := h.managerYear(r)
	if err != nil {
		return err
	}
	p, err := h.Service.Appraisal(r.Context(), actor(r), id, year)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) confirmAppraisal(w http.ResponseWriter, r *http.Request) error {
	id, year, err := h.managerYear(r)
	if err != nil {
		return err
	}
	var rv model.AppraisalReview
	if err := decode(r, w, &rv); err != nil {
		return err
	}
	p, err := h.Service.ConfirmAppraisal(r.Context(), actor(r), id, year, rv)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) getAppraisalRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := h.Service.AppraisalRules(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rules)
	return nil
}
