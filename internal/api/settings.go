package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) getTrainingSettings(w http.ResponseWriter, r *http.Request) {
	t, err := h.Store.TrainingSettings(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}

func (h *Handler) putTrainingSettings(w http.ResponseWriter, r *http.Request) {
	var t model.TrainingSettings
	if err := decode(r, w, &t); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Store.SetTrainingSettings(r.Context(), actor(r), t); err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, t)
}
