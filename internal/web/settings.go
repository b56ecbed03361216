package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) settingsPage(w http.ResponseWriter, r *http.Request) error {
	t, err := h.Store.TrainingSettings(r.Context())
	if err != nil {
		return err
	}
	in, err := h.Service.InspectionSettings(r.Context())
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, "settings", h.newView(r, "page.settings", &settingsData{Training: t, Inspection: in}))
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request) error {
	vd := model.Validation{}
	t := model.TrainingSettings{WaitlistMode: r.FormValue("waitlist_mode"), QuizCredit: r.FormValue("quiz_credit") == "on"}
	var err error
	if t.RequiredHours, err = strconv.ParseFloat(strings.TrimSpace(r.FormValue("required_hours")), 64); err != nil {
		vd.Add("required_hours", "err.field.hours")
	}
	t.OfferHours = atoiField(vd, "offer_hours", r.FormValue("offer_hours"))
	t.LateMinutes = atoiField(vd, "late_minutes", r.FormValue("late_minutes"))
	err = vd.Err()
	if err == nil {
		err = h.Store.SetTrainingSettings(r.Context(), actor(r), t)
	}
	if err != nil {
		in, ierr := h.Service.InspectionSettings(r.Context())
		if ierr != nil {
			return ierr
		}
		return h.formError(w, r, "settings", h.newView(r, "page.settings", &settingsData{Training: t, Inspection: in}), err)
	}
	redirect(w, r, "/settings/training", "flash.saved")
	return nil
}

// saveInspectionSettings stores the bureau's self-inspection settings.
func (h *Handler) saveInspectionSettings(w http.ResponseWriter, r *http.Request) error {
	vd := model.Validation{}
	var s model.InspectionSettings
	var err error
	if s.PassMark, err = strconv.ParseFloat(strings.TrimSpace(r.FormValue("pass_mark")), 64); err != nil {
		vd.Add("pass_mark", "err.field.pass_mark")
	}
	s.CriticalDays = atoiField(vd, "critical_days", r.FormValue("critical_days"))
	s.MajorDays = atoiField(vd, "major_days", r.FormValue("major_days"))
	s.MinorDays = atoiField(vd, "minor_days", r.FormValue("minor_days"))
	s.OverdueTasksYellow = atoiField(vd, "overdue_tasks_yellow", r.FormValue("overdue_tasks_yellow"))
	s.MissedInspectionsYellow = atoiField(vd, "missed_inspections_yellow", r.FormValue("missed_inspections_yellow"))
	s.MissedAfterDays = atoiField(vd, "missed_after_days", r.FormValue("missed_after_days"))
	err = vd.Err()
	if err == nil {
		err = h.Service.SetInspectionSettings(r.Context(), actor(r), s)
	}
	if err != nil {
		t, terr := h.Store.TrainingSettings(r.Context())
		if terr != nil {
			return terr
		}
		return h.formError(w, r, "settings", h.newView(r, "page.settings", &settingsData{Training: t, Inspection: s}), err)
	}
	redirect(w, r, "/settings/training#inspection", "flash.saved")
	return nil
}

// settingsData is the settings page: the course supermarket's and
// self-inspection's.
type settingsData struct {
	Training   model.TrainingSettings
	Inspection model.InspectionSettings
}
