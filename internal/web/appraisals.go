package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/service"
	"github.com/envhome/envhome/internal/store"
)

// The managers' yearly appraisal: the list (computed, confirmed,
// published), a manager's printable sheet, the bureau's rules.

type appraisalsData struct {
	List     []*model.Appraisal
	Year     int
	ThisYear int
	Towns    []model.Region
	RegionID int64
	Grade    string
	Grades   []string
	Counts   model.GradeCounts
	Staff    bool
	Bureau   bool
	Rules    model.AppraisalRules
}

func (h *Handler) appraisalsView(r *http.Request) (*view, error) {
	a := actor(r)
	q := r.URL.Query()
	year, err := h.Service.DashboardYear(q.Get("year"))
	if err != nil {
		return nil, err
	}
	d := &appraisalsData{Year: year, ThisYear: h.Store.Now().In(model.ChinaTime).Year(), Grade: q.Get("grade"), Grades: model.AppraisalGrades,
		Staff: a.IsAdmin() || a.User.Role == model.RoleAssociation, Bureau: a.IsAdmin()}
	if !model.ValidGrade(d.Grade) {
		d.Grade = ""
	}
	d.RegionID, _ = strconv.ParseInt(q.Get("region_id"), 10, 64)
	if d.Bureau {
		regions, err := h.Store.Regions(r.Context())
		if err != nil {
			return nil, err
		}
		for _, rg := range regions {
			if rg.ParentID != nil {
				d.Towns = append(d.Towns, rg)
			}
		}
	}
	if d.List, err = h.Service.Appraisals(r.Context(), a, store.AppraisalFilter{Year: year, RegionID: d.RegionID, Grade: d.Grade}); err != nil {
		return nil, err
	}
	for _, p := range d.List {
		d.Counts.Count(p.Grade)
	}
	if d.Rules, err = h.Service.AppraisalRules(r.Context()); err != nil {
		return nil, err
	}
	return h.newView(r, "page.appraisals", d), nil
}

func (h *Handler) appraisalsPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.appraisalsView(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "appraisals", v)
}

func (h *Handler) computeAppraisals(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	region, _ := strconv.ParseInt(r.PostFormValue("region_id"), 10, 64)
	if _, err := h.Service.ComputeAppraisals(r.Context(), actor(r), service.ComputeRequest{Year: year, RegionID: region}); err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/appraisals?year=%d&region_id=%d", year, region), "flash.appraisals_computed")
	return nil
}

func (h *Handler) publishAppraisals(w http.ResponseWriter, r *http.Request) error {
	year, _ := strconv.Atoi(r.PostFormValue("year"))
	if _, err := h.Service.PublishAppraisals(r.Context(), actor(r), service.PublishRequest{Year: year}); err != nil {
		return err
	}
	redirect(w, r, fmt.Sprintf("/appraisals?year=%d", year), "flash.appraisals_published")
	return nil
}

func (h *Handler) saveAppraisalRules(w http.ResponseWriter, r *http.Request) error {
	r.ParseForm()
	f := r.PostForm
	rules := model.AppraisalRules{Hours: formNumber(f.Get("hours")), Attendance: formNumber(f.Get("attendance")),
		Inspections: formNumber(f.Get("inspections")), Tasks: formNumber(f.Get("tasks")), Quizzes: formNumber(f.Get("quizzes")),
		HonestyFlag: formNumber(f.Get("honesty_flag")), Excellent: formNumber(f.Get("excellent")), Qualified: formNumber(f.Get("qualified")),
		Improve: formNumber(f.Get("improve"))}
	if _, err := h.Service.SetAppraisalRules(r.Context(), actor(r), rules); err != nil {
		v, verr := h.appraisalsView(r)
		if verr != nil {
			return err
		}
		v.Data.(*appraisalsData).Rules = rules
		return h.formError(w, r, "appraisals", v, err)
	}
	redirect(w, r, "/appraisals", "flash.saved")
	return nil
}

type appraisalData struct {
	P     *model.Appraisal
	Staff bool
}

func (h *Handler) appraisalView(r *http.Request) (*view, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return nil, err
	}
	year, err := h.Service.DashboardYear(r.PathValue("year"))
	if err != nil {
		return nil, err
	}
	p, err := h.Service.Appraisal(r.Context(), actor(r), id, year)
	if err != nil {
		return nil, err
	}
	a := actor(r)
	v := h.newView(r, "page.appraisal", &appraisalData{P: p, Staff: a.IsAdmin() || a.User.Role == model.RoleAssociation})
	v.Title = v.T("appraisal.sheet_title", p.Name, p.Year)
	return v, nil
}

func (h *Handler) appraisalPage(w http.ResponseWriter, r *http.Request) error {
	v, err := h.appraisalView(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "appraisal", v)
}

func (h *Handler) confirmAppraisal(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	year, err := h.Service.DashboardYear(r.PathValue("year"))
	if err != nil {
		return err
	}
	rv := model.AppraisalReview{Comment: strings.TrimSpace(r.PostFormValue("comment"))}
	if _, err := h.Service.ConfirmAppraisal(r.Context(), actor(r), id, year, rv); err != nil {
		v, verr := h.appraisalView(r)
		if verr != nil {
			return err
		}
		return h.formError(w, r, "appraisal", v, err)
	}
	redirect(w, r, fmt.Sprintf("/appraisals/%d/%d", id, year), "flash.appraisal_confirmed")
	return nil
}
