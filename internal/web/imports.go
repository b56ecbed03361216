package web

import (
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/imports"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/roster"
	"github.com/envhome/envhome/internal/store"
)

func (h *Handler) importPage(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, "import", h.newView(r, "page.import", nil))
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
	httpx.StartXLSX(w, "envhome-roster-template.xlsx")
	w.Write(b)
	return nil
}

func (h *Handler) startImport(w http.ResponseWriter, r *http.Request) error {
	data, err := httpx.ReadUpload(w, r, "file", roster.MaxFileBytes)
	if err == nil {
		var j *model.Job
		j, err = h.Imports.Start(r.Context(), actor(r), data, model.ImportMode(r.FormValue("mode")), h.lang(r))
		if err == nil {
			http.Redirect(w, r, "/directory/import/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
			return nil
		}
	}
	return h.formError(w, r, "import", h.newView(r, "page.import", nil), err)
}

type importData struct {
	Job    *model.Job
	Result imports.Result
}

// Percent is the job's progress for the progress bar.
func (d *importData) Percent() int {
	if d.Job.Finished() {
		return 100
	}
	if d.Job.Total == 0 {
		return 0
	}
	return 100 * d.Job.Progress / d.Job.Total
}

func (h *Handler) importJobPage(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	j, err := h.Imports.Job(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	d := &importData{Job: j}
	if j.Result != nil {
		store.JobResult(j, &d.Result)
	}
	return h.render(w, r, http.StatusOK, "import_job", h.newView(r, "page.import_job", d))
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
	httpx.StartXLSX(w, "envhome-import-report-"+strconv.FormatInt(id, 10)+".xlsx")
	w.Write(b)
	return nil
}

func (h *Handler) exportEnterprises(w http.ResponseWriter, r *http.Request) error {
	return httpx.StreamXLSX(w, "envhome-enterprises.xlsx", h.Log, func(start func()) error {
		return imports.Export(r.Context(), h.Store, w, actor(r), r.URL.Query(), start)
	})
}

// confirmImport imports the job's file again, clearing what its empty
// cells clear, once the user saw the list.
func (h *Handler) confirmImport(w http.ResponseWriter, r *http.Request) error {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return err
	}
	j, err := h.Imports.ConfirmClear(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/directory/import/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
	return nil
}
