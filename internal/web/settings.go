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
	return h.render(w, r, http.StatusOK, "settings", h.newView(r, "page.settings", &t))
}

func (h *Handler) saveSettings(w http.ResponseWriter, r *http.Request) error {
	vd := model.Validation{}
	t := model.TrainingSettings{WaitlistMode: r.FormValue("waitlist_mode")}
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
		return h.formError(w, r, "settings", h.newView(r, "page.settings", &t), err)
	}
	redirect(w, r, "/settings/training", "flash.saved")
	return nil
}
