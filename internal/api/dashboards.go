package api

import (
	"bytes"
	"net/http"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/service"
)

// dashboard answers a level's dashboard (as JSON, or as a workbook when
// xlsx): the path's {id} is the town's or the enterprise's.
func (h *Handler) dashboard(level string, xlsx bool) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var id int64
		if level != model.LevelCounty {
			var err error
			if id, err = httpx.PathID(r, "id"); err != nil {
				return err
			}
		}
		year, err := h.Service.DashboardYear(r.URL.Query().Get("year"))
		if err != nil {
			return err
		}
		if !xlsx {
			d, err := h.Service.Dashboard(r.Context(), actor(r), level, id, year)
			if err != nil {
				return err
			}
			writeJSON(w, http.StatusOK, d)
			return nil
		}
		lang := h.lang(r)
		var b bytes.Buffer
		if err := h.Service.ExportDashboard(r.Context(), actor(r), &b, level, id, year, func(k string, args ...any) string {
			return h.I18n.T(lang, k, args...)
		}); err != nil {
			return err
		}
		sendXLSX(w, service.DashboardFile(level, id, year), b.Bytes())
		return nil
	}
}
