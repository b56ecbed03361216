package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"

	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/service"
	"github.com/envhome/envhome/internal/sheets"
)

// The dashboards' pages: the county (the bureau), a town (the bureau,
// its association), an enterprise (the staff in scope, itself). Each
// chart has its table beside it; ?display=1 fills the Home's screen and
// refreshes itself.

type dashboardData struct {
	D        *model.Dashboard
	ThisYear int
	Base     string // the page's path, for the year links and the export
	Screen   bool
}

// dashboardRefresh is how often the Home's screen reloads, in seconds.
const dashboardRefresh = 60

// myDashboard sends each role to its dashboard.
func (h *Handler) myDashboard(w http.ResponseWriter, r *http.Request) error {
	sc := actor(r).Scope()
	switch {
	case sc.All:
		return h.dashboardPage(model.LevelCounty)(w, r)
	case sc.RegionID != 0:
		http.Redirect(w, r, fmt.Sprintf("/dashboards/towns/%d", sc.RegionID), http.StatusSeeOther)
	case sc.EnterpriseID != 0:
		http.Redirect(w, r, fmt.Sprintf("/dashboards/enterprises/%d", sc.EnterpriseID), http.StatusSeeOther)
	default:
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	return nil
}

func (h *Handler) dashboardPage(level string) httpx.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var id int64
		base := "/dashboards"
		if level != model.LevelCounty {
			var err error
			if id, err = httpx.PathID(r, "id"); err != nil {
				return err
			}
			base = fmt.Sprintf("/dashboards/%ss/%d", level, id)
		}
		year, err := h.Service.DashboardYear(r.URL.Query().Get("year"))
		if err != nil {
			return err
		}
		d, err := h.Service.Dashboard(r.Context(), actor(r), level, id, year)
		if err != nil {
			return err
		}
		data := &dashboardData{D: d, ThisYear: h.Store.Now().In(model.ChinaTime).Year(), Base: base, Screen: r.URL.Query().Get("display") == "1"}
		v := h.newView(r, "page.dashboard", data)
		v.Title = sheets.DashboardTitle(d, v.T)
		if data.Screen {
			v.Screen = true
			w.Header().Set("Refresh", strconv.Itoa(dashboardRefresh))
		}
		return h.render(w, r, http.StatusOK, "dashboard", v)
	}
}

func (h *Handler) exportDashboard(level string) httpx.HandlerFunc {
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
		lang := h.lang(r)
		var b bytes.Buffer
		if err := h.Service.ExportDashboard(r.Context(), actor(r), &b, level, id, year, func(k string, args ...any) string {
			return h.I18n.T(lang, k, args...)
		}); err != nil {
			return err
		}
		httpx.StartXLSX(w, service.DashboardFile(level, id, year))
		w.Write(b.Bytes())
		return nil
	}
}
