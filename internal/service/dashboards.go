package service

import (
	"context"
	"io"
	"strconv"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/sheets"
)

// The dashboards: the county's (the bureau), a town's (the bureau, its
// association) and an enterprise's (the staff in scope, itself).

// Dashboard reads the dashboard of a level: id is the town's or the
// enterprise's (none for the county).
func (s *Service) Dashboard(ctx context.Context, a model.Actor, level string, id int64, year int) (*model.Dashboard, error) {
	switch level {
	case model.LevelCounty:
		return s.Store.CountyDashboard(ctx, a, year)
	case model.LevelTown:
		return s.Store.TownDashboard(ctx, a, id, year)
	}
	return s.Store.EnterpriseDashboard(ctx, a, id, year)
}

// ExportDashboard writes a dashboard's figures and its rows as a
// workbook: one sheet of figures, one of the rows drilled into.
func (s *Service) ExportDashboard(ctx context.Context, a model.Actor, w io.Writer, level string, id int64, year int, t func(string, ...any) string) error {
	d, err := s.Dashboard(ctx, a, level, id, year)
	if err != nil {
		return err
	}
	return sheets.WriteDashboard(w, d, t)
}

// DashboardFile names a dashboard's workbook.
func DashboardFile(level string, id int64, year int) string {
	name := "envhome-dashboard-" + level
	if id != 0 {
		name += "-" + strconv.FormatInt(id, 10)
	}
	return name + "-" + strconv.Itoa(year) + ".xlsx"
}

// DashboardYear reads ?year= as people give it: this year when empty.
func (s *Service) DashboardYear(v string) (int, error) {
	if v == "" {
		return s.Store.Now().In(model.ChinaTime).Year(), nil
	}
	y, err := strconv.Atoi(v)
	if err != nil || y < 2000 || y > s.Store.Now().In(model.ChinaTime).Year() {
		return 0, &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"year": "err.carbon.year"}}
	}
	return y, nil
}
