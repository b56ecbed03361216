package api

import (
	"net/http"

	"github.com/envhome/envhome/internal/model"
)

func (h *Handler) getTrainingSettings(w http.ResponseWriter, r *http.Request) error {
	t, err := h.Store.TrainingSettings(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) putTrainingSettings(w http.ResponseWriter, r *http.Request) error {
	var t model.TrainingSettings
	if err := decode(r, w, &t); err != nil {
		return err
	}
	if err := h.Store.SetTrainingSettings(r.Context(), actor(r), t); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) getSecuritySettings(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, h.Store.SecuritySettings(r.Context()))
	return nil
}

// putSecuritySettings changes the policy; fields left out keep their values.
func (h *Handler) putSecuritySettings(w http.ResponseWriter, r *http.Request) error {
	in := h.Store.SecuritySettings(r.Context())
	if err := decode(r, w, &in); err != nil {
		return err
	}
	if err := h.Store.SetSecuritySettings(r.Context(), actor(r), in); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, in)
	return nil
}
