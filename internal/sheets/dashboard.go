package sheets

import (
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/envhome/envhome/internal/model"
)

// figureRows are a dashboard's figures as (label key, value) rows, in the
// order the pages show them.
func figureRows(f model.Figures) [][2]any {
	return [][2]any{
		{"dash.enterprises", f.Enterprises}, {"dash.without_manager", f.WithoutManager}, {"dash.managers", f.Managers},
		{"dash.behind", f.Behind}, {"dash.hours", model.Round(f.Hours, 1)}, {"dash.required", f.Required}, {"dash.hours_percent", f.HoursPercent()},
		{"dash.classes", f.Classes}, {"dash.seats", f.Seats}, {"dash.booked", f.Booked}, {"dash.attended", f.Attended},
		{"dash.feedback", f.Feedback}, {"dash.feedback_avg", f.FeedbackAvg},
		{"dash.inspections_done", f.InspectionsDone}, {"dash.inspections_missed", f.InspectionsMissed},
		{"dash.tasks_open", f.TasksOpen}, {"dash.tasks_overdue", f.TasksOverdue},
		{"dash.green", f.Green}, {"dash.yellow", f.Yellow}, {"dash.red", f.Red}, {"dash.unassessed", f.Unassessed},
		{"dash.notices", f.Notices}, {"dash.notices_read", f.NoticesRead},
		{"dash.demands", f.Demands}, {"dash.deals_active", f.DealsActive}, {"dash.deals_completed", f.DealsCompleted}, {"dash.saving", f.Saving},
		{"dash.scope1", f.Scope1}, {"dash.scope2", f.Scope2},
		{"dash.grade_excellent", f.Grades.Excellent}, {"dash.grade_qualified", f.Grades.Qualified},
		{"dash.grade_improve", f.Grades.Improve}, {"dash.grade_unqualified", f.Grades.Unqualified},
	}
}

// WriteDashboard writes a dashboard as a workbook: the figures, then the
// towns, the enterprises or the managers and months it drills into. t
// translates the labels.
func WriteDashboard(w io.Writer, d *model.Dashboard, t func(string, ...any) string) error {
	f := excelize.NewFile()
	defer f.Close()
	sheet := t("dash.sheet_figures")
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	row := func(s string, n int, vals ...any) error {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		return f.SetSheetRow(s, cell, &vals)
	}
	title := DashboardTitle(d, t)
	row(sheet, 1, title, d.Year)
	for i, r := range figureRows(d.Figures) {
		if err := row(sheet, i+3, t(r[0].(string)), r[1]); err != nil {
			return err
		}
	}
	f.SetColWidth(sheet, "A", "A", 28)
	add := func(name string, head []any, rows [][]any) error {
		if _, err := f.NewSheet(name); err != nil {
			return err
		}
		row(name, 1, head...)
		for i, r := range rows {
			if err := row(name, i+2, r...); err != nil {
				return err
			}
		}
		return f.SetColWidth(name, "A", "A", 30)
	}
	switch {
	case len(d.Towns) > 0:
		head := []any{t("field.region")}
		for _, r := range figureRows(model.Figures{}) {
			head = append(head, t(r[0].(string)))
		}
		var rows [][]any
		for _, tw := range d.Towns {
			r := []any{tw.RegionName}
			for _, v := range figureRows(tw.Figures) {
				r = append(r, v[1])
			}
			rows = append(rows, r)
		}
		if err := add(t("dash.sheet_towns"), head, rows); err != nil {
			return err
		}
	case d.Level == model.LevelTown:
		var rows [][]any
		for _, e := range d.Enterprises {
			rows = append(rows, []any{e.Name, t("dash.color." + orNone(e.Color)), e.Managers, model.Round(e.Hours, 1), e.Required, e.HoursPercent(),
				e.Inspections, e.TasksOpen, e.TasksOverdue, e.Scope1, e.Scope2})
		}
		if err := add(t("dash.sheet_enterprises"), []any{t("field.enterprise"), t("dash.color"), t("dash.managers"), t("dash.hours"), t("dash.required"),
			t("dash.hours_percent"), t("dash.inspections_done"), t("dash.tasks_open"), t("dash.tasks_overdue"), t("dash.scope1"), t("dash.scope2")}, rows); err != nil {
			return err
		}
	case d.Level == model.LevelEnterprise:
		var rows [][]any
		for _, m := range d.Managers {
			rows = append(rows, []any{m.Name, m.Hours, m.Required})
		}
		if err := add(t("dash.sheet_managers"), []any{t("field.name"), t("dash.hours"), t("dash.required")}, rows); err != nil {
			return err
		}
		rows = nil
		for _, m := range d.Months {
			rows = append(rows, []any{m.Month, m.Scope1, m.Scope2})
		}
		if err := add(t("dash.sheet_months"), []any{t("carbon.month"), t("dash.scope1"), t("dash.scope2")}, rows); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// DashboardTitle names a dashboard: the county's, a town's, an
// enterprise's.
func DashboardTitle(d *model.Dashboard, t func(string, ...any) string) string {
	switch d.Level {
	case model.LevelTown:
		return t("dash.title.town", d.RegionName)
	case model.LevelEnterprise:
		return t("dash.title.enterprise", d.EnterpriseName)
	}
	return t("dash.title.county")
}

func orNone(c string) string {
	if c == "" {
		return "none"
	}
	return c
}
