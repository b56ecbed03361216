package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/i18n"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// setSchedule changes how often an enterprise must do a checklist ("" for
// what its facts give) and returns to the enterprise.
func (h *Handler) setSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	sc, err := h.Service.SetSchedule(r.Context(), actor(r), id, r.PostFormValue("frequency"))
	if err != nil {
		return err
	}
	redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(sc.EnterpriseID, 10)+"#schedules", "flash.saved")
	return nil
}

type occurrencesData struct {
	Items    []model.Occurrence
	Status   string
	RegionID int64
}

// occurrencesPage lists scheduled self-inspections due, overdue or missed
// in the reader's scope.
func (h *Handler) occurrencesPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	d := &occurrencesData{Status: q.Get("status")}
	f := store.OccurrenceFilter{}
	switch d.Status {
	case "":
		f.Statuses = []string{model.OccurrenceScheduled, model.OccurrenceInProgress, model.OccurrenceOverdue}
	case model.OccurrenceScheduled, model.OccurrenceInProgress, model.OccurrenceOverdue, model.OccurrenceMissed, model.OccurrenceCompleted:
		f.Statuses = []string{d.Status}
	default:
		return model.Errorf(model.ErrInvalid, "err.invalid")
	}
	if s := q.Get("region_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return model.Errorf(model.ErrInvalid, "err.invalid")
		}
		f.RegionID, d.RegionID = n, n
	}
	var err error
	if d.Items, err = h.Service.Occurrences(r.Context(), actor(r), f); err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "occurrences", h.newView(r, "page.occurrences", d))
}

// newDutyFeed makes a new address for the enterprise's calendar feed and
// shows it once on the enterprise's page.
func (h *Handler) newDutyFeed(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	secret, err := h.Service.NewDutyFeed(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	v, err := h.enterpriseView(r, id)
	if err != nil {
		return err
	}
	d := v.Data.(*enterpriseData)
	d.FeedOn, d.FeedURL = true, h.BaseURL+"/duties/"+secret+".ics"
	w.Header().Set("Cache-Control", "no-store")
	return h.render(w, r, http.StatusOK, "enterprise", v)
}

func (h *Handler) endDutyFeed(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Service.EndDutyFeed(r.Context(), actor(r), id); err != nil {
		return err
	}
	redirect(w, r, "/directory/enterprises/"+strconv.FormatInt(id, 10)+"#calendar", "flash.feed_off")
	return nil
}

// dutyFeed serves an enterprise's compliance calendar as iCalendar:
// obligations, scheduled self-inspections and open rectifications, each
// an all-day event on its due date with a reminder the evening before.
func (h *Handler) dutyFeed(w http.ResponseWriter, r *http.Request) error {
	tok := strings.TrimSuffix(r.PathValue("token"), ".ics")
	d, err := h.Store.DutyFeed(r.Context(), tok)
	if err != nil {
		return err
	}
	// Calendar apps send no language: the default, Chinese.
	t := func(key string, args ...any) string { return h.I18n.T(i18n.Default, key, args...) }
	now := h.Store.Now()
	c := newICal(d.Enterprise.Name+" · "+t("ob.title"), "compliance calendar")
	enterpriseURL := fmt.Sprintf("%s/directory/enterprises/%d", h.BaseURL, d.Enterprise.ID)
	for _, o := range d.Obligations {
		if o.DoneAt != nil {
			continue
		}
		c.allDay(fmt.Sprintf("obligation-%d", o.ID), now, o.DueOn, t("ob."+o.Kind)+" "+o.Period, "", enterpriseURL+"#calendar")
	}
	for _, o := range d.Occurrences {
		c.allDay(fmt.Sprintf("occurrence-%d", o.ID), now, o.DueOn, t("schedule.feed_item", o.ChecklistTitle), "", enterpriseURL+"#schedules")
	}
	for _, k := range d.Tasks {
		c.allDay(fmt.Sprintf("task-%d", k.ID), now, k.DueOn, t("task.feed_item", k.Code, k.Point), k.Note, fmt.Sprintf("%s/tasks/%d", h.BaseURL, k.ID))
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Write(c.end())
	return nil
}

type spotPlanData struct {
	*model.SpotPlan
	RegionID int64
	Regions  []model.Region
	CanPlan  bool
	Months   []string // this month and the next two
}

func (h *Handler) spotPlanView(r *http.Request, month string, regionID int64) (*view, error) {
	today := model.Today(h.Store.Now())
	if month == "" {
		month = string(today)[:7]
	}
	a := actor(r)
	p, err := h.Service.SpotPlan(r.Context(), a, month, regionID)
	if err != nil {
		return nil, err
	}
	d := &spotPlanData{SpotPlan: p, RegionID: regionID, CanPlan: a.MayRunInspection(model.InspectionSpot) && model.ValidMonth(month, today, true) == nil}
	t, _ := time.Parse("2006-01-02", string(today))
	for i := range 3 {
		d.Months = append(d.Months, t.AddDate(0, i, 1-t.Day()).Format("2006-01"))
	}
	if a.Scope().All {
		if d.Regions, err = h.Store.Regions(r.Context()); err != nil {
			return nil, err
		}
	}
	return h.newView(r, "page.spot_plan", d), nil
}

// spotPlanPage shows a month's spot-check plan with suggestions.
func (h *Handler) spotPlanPage(w http.ResponseWriter, r *http.Request) error {
	var region int64
	if s := r.URL.Query().Get("region_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return model.Errorf(model.ErrInvalid, "err.invalid")
		}
		region = n
	}
	v, err := h.spotPlanView(r, r.URL.Query().Get("month"), region)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "spot_plan", v)
}

func (h *Handler) planSpotCheck(w http.ResponseWriter, r *http.Request) error {
	month := r.PostFormValue("month")
	eid, _ := strconv.ParseInt(r.PostFormValue("enterprise_id"), 10, 64)
	if _, err := h.Service.PlanSpotCheck(r.Context(), actor(r), eid, month); err != nil {
		v, verr := h.spotPlanView(r, "", 0)
		if verr != nil {
			return verr
		}
		return h.formError(w, r, "spot_plan", v, err)
	}
	redirect(w, r, "/spot-plan?month="+url.QueryEscape(month)+"&region_id="+r.PostFormValue("region_id"), "flash.spot_planned")
	return nil
}

func (h *Handler) unplanSpotCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Service.UnplanSpotCheck(r.Context(), actor(r), id); err != nil {
		return err
	}
	redirect(w, r, "/spot-plan?month="+url.QueryEscape(r.PostFormValue("month")), "flash.spot_unplanned")
	return nil
}
