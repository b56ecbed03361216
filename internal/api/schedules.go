package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

func (h *Handler) listSchedules(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		scs, err := h.Service.Schedules(r.Context(), actor(r), id)
		return model.List[*model.Schedule]{Items: scs}, err
	})
}

// setSchedule takes {"frequency": "weekly"}, or {"frequency": null} to
// derive the frequency from the enterprise's facts again.
func (h *Handler) setSchedule(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Frequency *string `json:"frequency"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	freq := ""
	if in.Frequency != nil {
		if freq = *in.Frequency; freq == "" {
			return (model.Validation{"frequency": "err.field.choice"}).Err()
		}
	}
	sc, err := h.Service.SetSchedule(r.Context(), actor(r), id, freq)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sc)
	return nil
}

func (h *Handler) listOccurrences(w http.ResponseWriter, r *http.Request) error {
	f, err := occurrenceFilter(r)
	if err != nil {
		return err
	}
	os, err := h.Service.Occurrences(r.Context(), actor(r), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, model.List[model.Occurrence]{Items: os})
	return nil
}

// occurrenceFilter reads enterprise_id, region_id and status (comma
// separated) from the query.
func occurrenceFilter(r *http.Request) (store.OccurrenceFilter, error) {
	var f store.OccurrenceFilter
	q := r.URL.Query()
	v := model.Validation{}
	for name, dst := range map[string]*int64{"enterprise_id": &f.EnterpriseID, "region_id": &f.RegionID} {
		if s := q.Get(name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n <= 0 {
				v.Add(name, "err.field.id")
			}
			*dst = n
		}
	}
	if s := q.Get("status"); s != "" {
		for _, st := range strings.Split(s, ",") {
			if !slices.Contains(model.OccurrenceStatuses, st) {
				v.Add("status", "err.field.choice")
			}
			f.Statuses = append(f.Statuses, st)
		}
	}
	return f, v.Err()
}

func (h *Handler) getInspectionSettings(w http.ResponseWriter, r *http.Request) error {
	v, err := h.Service.InspectionSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// putInspectionSettings changes the settings; fields left out keep their
// values.
func (h *Handler) putInspectionSettings(w http.ResponseWriter, r *http.Request) error {
	in, err := h.Service.InspectionSettings(r.Context())
	if err != nil {
		return err
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	if err := h.Service.SetInspectionSettings(r.Context(), actor(r), in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}

func (h *Handler) dutyCalendar(w http.ResponseWriter, r *http.Request) error {
	return h.withID(w, r, func(id int64) (any, error) {
		on, err := h.Service.HasDutyFeed(r.Context(), actor(r), id)
		return map[string]bool{"on": on}, err
	})
}

// newDutyCalendar makes a new address for the enterprise's calendar feed
// (the previous one stops working) and answers it, once.
func (h *Handler) newDutyCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	secret, err := h.Service.NewDutyFeed(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]string{"url": h.BaseURL + "/duties/" + secret + ".ics"})
	return nil
}

func (h *Handler) endDutyCalendar(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Service.EndDutyFeed(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// spotPlan reads ?month=YYYY-MM (this month when left out) and, for the
// bureau, ?region_id=.
func (h *Handler) spotPlan(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	month := q.Get("month")
	if month == "" {
		month = string(model.Today(h.Store.Now()))[:7]
	}
	var region int64
	if s := q.Get("region_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return (model.Validation{"region_id": "err.field.id"}).Err()
		}
		region = n
	}
	p, err := h.Service.SpotPlan(r.Context(), actor(r), month, region)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) planSpotCheck(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		EnterpriseID int64  `json:"enterprise_id"`
		Month        string `json:"month"`
	}
	if err := decode(r, w, &in); err != nil {
		return err
	}
	it, err := h.Service.PlanSpotCheck(r.Context(), actor(r), in.EnterpriseID, in.Month)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, it)
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
	w.WriteHeader(http.StatusNoContent)
	return nil
}
