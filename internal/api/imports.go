package api

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/imports"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/roster"
)

func sendXLSX(w http.ResponseWriter, name string, data []byte) {
	httpx.StartXLSX(w, name)
	w.Write(data)
}

func (h *Handler) importTemplate(w http.ResponseWriter, r *http.Request) error {
	regions, err := h.Store.Regions(r.Context())
	if err != nil {
		return err
	}
	b, err := roster.Template(roster.Towns(regions))
	if err != nil {
		return err
	}
	sendXLSX(w, "envhome-roster-template.xlsx", b)
	return nil
}

// createImport takes multipart/form-data with "file" (.xlsx) and "mode"
// ("all", the default, or "good") and answers 202 with the queued job.
func (h *Handler) createImport(w http.ResponseWriter, r *http.Request) error {
	data, err := httpx.ReadUpload(w, r, "file", roster.MaxFileBytes)
	if err != nil {
		return err
	}
	mode := model.ImportMode(r.FormValue("mode"))
	if mode == "" {
		mode = model.ImportAllOrNothing
	}
	j, err := h.Imports.Start(r.Context(), actor(r), data, mode, h.lang(r))
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/imports/"+strconv.FormatInt(j.ID, 10))
	writeJSON(w, http.StatusAccepted, j)
	return nil
}

func (h *Handler) getImport(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	j, err := h.Imports.Job(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, j)
	return nil
}

func (h *Handler) importReport(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	b, err := h.Imports.Report(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	sendXLSX(w, "envhome-import-report-"+strconv.FormatInt(id, 10)+".xlsx", b)
	return nil
}

func (h *Handler) exportEnterprises(w http.ResponseWriter, r *http.Request) error {
	return httpx.StreamXLSX(w, "envhome-enterprises.xlsx", h.Log, func(start func()) error {
		return imports.Export(r.Context(), h.Store, w, actor(r), r.URL.Query(), start)
	})
}

// confirmImport imports a job's file again, letting its empty cells clear
// the stored values the first run stopped on (its would_clear).
func (h *Handler) confirmImport(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	j, err := h.Imports.ConfirmClear(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/imports/"+strconv.FormatInt(j.ID, 10))
	writeJSON(w, http.StatusAccepted, j)
	return nil
}
