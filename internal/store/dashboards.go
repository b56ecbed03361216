package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/envhome/envhome/internal/model"
)

// daysJoin joins a town's figures by day, summed as of today: tasks open
// and overdue, inspections missed in the last 90 days and in the year.
func (s *Store) daysJoin(year int) (string, []any) {
	today := model.Today(s.Now())
	return `LEFT JOIN (SELECT region_id, SUM(open_tasks) AS tasks_open, SUM(CASE WHEN day < ? THEN open_tasks ELSE 0 END) AS overdue,
		SUM(CASE WHEN day >= ? THEN missed ELSE 0 END) AS missed90, SUM(CASE WHEN day >= ? AND day <= ? THEN missed ELSE 0 END) AS missed_year
		FROM region_days GROUP BY region_id) dd ON dd.region_id = st.region_id`,
		[]any{string(today), string(today.AddDays(-90)), fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)}
}

// keyedCounts runs a query of a key and numbers per row (counts, sums)
// and hands each row to fn.
func (s *Store) keyedCounts(ctx context.Context, q string, args []any, fn func(key int64, v []float64)) error {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		var key int64
		v := make([]float64, len(cols)-1)
		dest := []any{&key}
		for i := range v {
			dest = append(dest, &v[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		fn(key, v)
	}
	return rows.Err()
}

// dashboardColumns are region_stats' columns a dashboard reads, with the
// town's emissions.
const dashboardColumns = `st.region_id, r.name, st.enterprises, st.without_manager, st.managers, st.behind, st.hours, st.required,
	st.classes, st.seats, COALESCE(kb.booked, 0), st.attended, st.feedback, st.feedback_sum, st.inspections_done, COALESCE(dd.missed_year, 0),
	COALESCE(dd.tasks_open, 0), COALESCE(dd.overdue, 0), st.green, st.yellow, st.red, st.unassessed, st.notices, st.notices_read, st.demands, st.deals_active,
	st.deals_completed, st.saving, COALESCE(c.scope1, 0), COALESCE(c.scope2, 0), st.computed_at,
	st.excellent, st.qualified, st.improve, st.unqualified`

func scanTown(r rowScanner, computed *int64) (model.TownFigures, error) {
	var t model.TownFigures
	var fbSum int
	f := &t.Figures
	err := r.Scan(&t.RegionID, &t.RegionName, &f.Enterprises, &f.WithoutManager, &f.Managers, &f.Behind, &f.Hours, &f.Required,
		&f.Classes, &f.Seats, &f.Booked, &f.Attended, &f.Feedback, &fbSum, &f.InspectionsDone, &f.InspectionsMissed, &f.TasksOpen,
		&f.TasksOverdue, &f.Green, &f.Yellow, &f.Red, &f.Unassessed, &f.Notices, &f.NoticesRead, &f.Demands, &f.DealsActive,
		&f.DealsCompleted, &f.Saving, &f.Scope1, &f.Scope2, computed, &f.Grades.Excellent, &f.Grades.Qualified, &f.Grades.Improve, &f.Grades.Unqualified)
	if f.Feedback > 0 {
		f.FeedbackAvg = model.Round(float64(fbSum)/float64(f.Feedback), 2)
	}
	f.Scope1, f.Scope2 = model.Round(f.Scope1, 3), model.Round(f.Scope2, 3)
	return t, err
}

// townFigures reads the stored figures of a year's towns (one town when
// regionID is not 0), computing the year first when it never was.
func (s *Store) townFigures(ctx context.Context, year int, regionID int64) ([]model.TownFigures, int64, error) {
	// A year never counted is counted now; after that the writes keep it.
	if err := s.ensureYear(ctx, year); err != nil {
		return nil, 0, err
	}
	days, dargs := s.daysJoin(year)
	from, to := model.YearBounds(year)
	// Seats taken: the year's classes' own counters, which the booking
	// transaction keeps, summed along classes(starts_at).
	q := `SELECT ` + dashboardColumns + ` FROM ` + statsFrom() + ` JOIN regions r ON r.id = st.region_id
		LEFT JOIN region_carbon c ON c.region_id = st.region_id AND c.year = st.year ` + days + `
		LEFT JOIN (SELECT h.region_id, SUM(k.booked) AS booked FROM classes k JOIN homes h ON h.id = k.home_id
			WHERE k.starts_at >= ? AND k.starts_at < ? AND k.status <> 'cancelled' GROUP BY h.region_id) kb ON kb.region_id = st.region_id
		WHERE 1 = 1`
	args := append(append([]any{year}, dargs...), ms(from), ms(to))
	if regionID != 0 {
		q += ` AND st.region_id = ?`
		args = append(args, regionID)
	}
	var computed int64
	rows, err := s.query(ctx, q+` ORDER BY r.code`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.TownFigures, error) { return scanTown(r, &computed) })
	return out, computed, err
}

// checkYear refuses a year before 2000 or after this one.
func (s *Store) checkYear(year int) error {
	if year < 2000 || year > s.Now().In(model.ChinaTime).Year() {
		return &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"year": "err.carbon.year"}}
	}
	return nil
}

// CountyDashboard is the bureau's: the county's figures and each town's.
func (s *Store) CountyDashboard(ctx context.Context, a model.Actor, year int) (*model.Dashboard, error) {
	if !a.Scope().All {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := s.checkYear(year); err != nil {
		return nil, err
	}
	towns, computed, err := s.townFigures(ctx, year, 0)
	if err != nil {
		return nil, err
	}
	d := &model.Dashboard{Level: model.LevelCounty, Year: year, Towns: towns, Enterprises: []model.EnterpriseFigures{},
		Managers: []model.CreditProgress{}, Months: []model.MonthEmissions{}}
	if towns == nil {
		d.Towns = []model.TownFigures{}
	}
	for _, t := range towns {
		d.Figures.Add(t.Figures)
	}
	d.ComputedAt = timeOf(computed)
	return d, nil
}

// TownDashboard is a town's: the bureau's for any town, an association's
// for its own; its enterprises needing attention first.
func (s *Store) TownDashboard(ctx context.Context, a model.Actor, regionID int64, year int) (*model.Dashboard, error) {
	if !a.CanManageRegion(regionID) {
		if a.Scope().None() || a.Scope().EnterpriseID != 0 {
			return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		return nil, model.NotFound()
	}
	if err := s.checkYear(year); err != nil {
		return nil, err
	}
	towns, computed, err := s.townFigures(ctx, year, regionID)
	if err != nil {
		return nil, err
	}
	if len(towns) == 0 {
		return nil, model.NotFound()
	}
	t := towns[0]
	d := &model.Dashboard{Level: model.LevelTown, Year: year, RegionID: &t.RegionID, RegionName: t.RegionName, Figures: t.Figures,
		Towns: []model.TownFigures{}, Managers: []model.CreditProgress{}, Months: []model.MonthEmissions{}, ComputedAt: timeOf(computed)}
	if d.Enterprises, err = s.townEnterprises(ctx, regionID, year); err != nil {
		return nil, err
	}
	return d, nil
}

// townEnterprises lists a town's active enterprises with their figures:
// red first, then yellow, unassessed, green, each colour by id. The rows
// are picked along the (town, colour) index before any figure is read, so
// a town of 100,000 enterprises reads 200 rows' figures.
func (s *Store) townEnterprises(ctx context.Context, regionID int64, year int) ([]model.EnterpriseFigures, error) {
	var ids []int64
	for _, cond := range []string{`color = 'red'`, `color = 'yellow'`, `color IS NULL`, `color = ''`, `color = 'green'`} {
		left := model.MaxDashboardEnterprises - len(ids)
		if left <= 0 {
			break
		}
		rows, err := s.query(ctx, `SELECT id FROM enterprises WHERE region_id = ? AND `+cond+` AND status = 'active' ORDER BY id LIMIT ?`, regionID, left)
		got, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		})
		if err != nil {
			return nil, err
		}
		ids = append(ids, got...)
	}
	out := make([]model.EnterpriseFigures, 0, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return nil, err
	}
	req := settings.RequiredHours
	from, to := model.YearBounds(year)
	today := string(model.Today(s.Now()))
	in, inArgs := inList(ids)
	rows, err := s.query(ctx, `SELECT e.id, e.name, COALESCE(e.color, ''),
		(SELECT COUNT(*) FROM managers m WHERE m.enterprise_id = e.id AND m.status = 'active'),
		(SELECT COALESCE(SUM(CASE WHEN x.hours > ? THEN ? ELSE x.hours END), 0) FROM managers m
			JOIN (SELECT b.person_id, SUM(k.credit_hours) AS hours FROM bookings b JOIN classes k ON k.id = b.class_id
				WHERE b.enterprise_id = e.id AND k.status = 'completed' AND b.status = 'confirmed' AND b.attendance IN ('present', 'late')
				AND k.starts_at >= ? AND k.starts_at < ? GROUP BY b.person_id) x ON x.person_id = m.person_id
			WHERE m.enterprise_id = e.id AND m.status = 'active'),
		(SELECT COUNT(*) FROM tasks t WHERE t.enterprise_id = e.id AND t.status <> 'closed'),
		(SELECT COUNT(*) FROM tasks t WHERE t.enterprise_id = e.id AND t.status <> 'closed' AND t.due_on < ?),
		(SELECT COUNT(*) FROM inspections i WHERE i.enterprise_id = e.id AND i.status = 'submitted' AND i.submitted_at >= ? AND i.submitted_at < ?),
		COALESCE(c.scope1, 0), COALESCE(c.scope2, 0)
		FROM enterprises e LEFT JOIN carbon_years c ON c.enterprise_id = e.id AND c.year = ?
		WHERE e.id IN (`+in+`)`, append([]any{req, req, ms(from), ms(to), today, ms(from), ms(to), year}, inArgs...)...)
	byID := map[int64]model.EnterpriseFigures{}
	err = eachRow(rows, err, func(r *sql.Rows) error {
		var e model.EnterpriseFigures
		if err := r.Scan(&e.EnterpriseID, &e.Name, &e.Color, &e.Managers, &e.Hours, &e.TasksOpen, &e.TasksOverdue, &e.Inspections, &e.Scope1, &e.Scope2); err != nil {
			return err
		}
		e.Required = float64(e.Managers) * req
		e.Scope1, e.Scope2 = model.Round(e.Scope1, 3), model.Round(e.Scope2, 3)
		byID[e.EnterpriseID] = e
		return nil
	})
	for _, id := range ids {
		out = append(out, byID[id])
	}
	return out, err
}

// inList is "?, ?, …" for ids and the ids as arguments.
func inList(ids []int64) (string, []any) {
	args := make([]any, len(ids))
	marks := make([]byte, 0, len(ids)*3)
	for i, id := range ids {
		if i > 0 {
			marks = append(marks, ", "...)
		}
		marks = append(marks, '?')
		args[i] = id
	}
	return string(marks), args
}

// EnterpriseDashboard is an enterprise's own figures, read from its rows:
// the staff in scope and the enterprise itself see it.
func (s *Store) EnterpriseDashboard(ctx context.Context, a model.Actor, id int64, year int) (*model.Dashboard, error) {
	e, err := s.Enterprise(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkYear(year); err != nil {
		return nil, err
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return nil, err
	}
	req := settings.RequiredHours
	d := &model.Dashboard{Level: model.LevelEnterprise, Year: year, RegionID: &e.RegionID, RegionName: e.RegionName, EnterpriseID: &e.ID,
		EnterpriseName: e.Name, Towns: []model.TownFigures{}, Enterprises: []model.EnterpriseFigures{}, ComputedAt: s.Now()}
	f := &d.Figures
	f.Enterprises = 1
	switch e.Color {
	case "green":
		f.Green = 1
	case "yellow":
		f.Yellow = 1
	case "red":
		f.Red = 1
	default:
		f.Unassessed = 1
	}
	// The enterprise's managers, read as its own account would.
	own := model.Actor{User: &model.User{Role: model.RoleEnterprise, EnterpriseID: &e.ID}}
	l, err := s.CreditProgressList(ctx, own, year, false, nil, model.Page{Limit: model.MaxLimit})
	if err != nil {
		return nil, err
	}
	d.Managers = l.Items
	for _, m := range d.Managers {
		f.Managers++
		f.Hours += min(m.Hours, req)
		if m.Hours < req {
			f.Behind++
		}
	}
	f.Required = float64(f.Managers) * req
	if f.Managers == 0 {
		f.WithoutManager = 1
	}
	from, to := model.YearBounds(year)
	first, last := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	today := string(model.Today(s.Now()))
	var fbSum sql.NullInt64
	err = s.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM bookings b JOIN classes k ON k.id = b.class_id WHERE b.enterprise_id = ? AND b.status = 'confirmed'
			AND k.status <> 'cancelled' AND k.starts_at >= ? AND k.starts_at < ?),
		(SELECT COUNT(*) FROM bookings b JOIN classes k ON k.id = b.class_id WHERE b.enterprise_id = ? AND b.status = 'confirmed'
			AND b.attendance IN ('present', 'late') AND k.starts_at >= ? AND k.starts_at < ?),
		(SELECT COUNT(*) FROM feedback fb JOIN bookings b ON b.id = fb.booking_id JOIN classes k ON k.id = fb.class_id
			WHERE b.enterprise_id = ? AND k.starts_at >= ? AND k.starts_at < ?),
		(SELECT SUM(fb.rating) FROM feedback fb JOIN bookings b ON b.id = fb.booking_id JOIN classes k ON k.id = fb.class_id
			WHERE b.enterprise_id = ? AND k.starts_at >= ? AND k.starts_at < ?),
		(SELECT COUNT(*) FROM inspections i WHERE i.enterprise_id = ? AND i.status = 'submitted' AND i.submitted_at >= ? AND i.submitted_at < ?),
		(SELECT COUNT(*) FROM occurrences o WHERE o.enterprise_id = ? AND o.status = 'missed' AND o.due_on >= ? AND o.due_on <= ?),
		(SELECT COUNT(*) FROM tasks t WHERE t.enterprise_id = ? AND t.status <> 'closed'),
		(SELECT COUNT(*) FROM tasks t WHERE t.enterprise_id = ? AND t.status <> 'closed' AND t.due_on < ?),
		(SELECT COUNT(*) FROM announcement_receipts r JOIN announcements an ON an.id = r.announcement_id
			WHERE r.enterprise_id = ? AND an.published_at >= ? AND an.published_at < ?),
		(SELECT COUNT(*) FROM announcement_receipts r JOIN announcements an ON an.id = r.announcement_id
			WHERE r.enterprise_id = ? AND r.reads > 0 AND an.published_at >= ? AND an.published_at < ?),
		(SELECT COUNT(*) FROM demands WHERE enterprise_id = ? AND created_at >= ? AND created_at < ?),
		(SELECT COUNT(*) FROM deals WHERE enterprise_id = ? AND status = 'active'),
		(SELECT COUNT(*) FROM deals WHERE enterprise_id = ? AND status = 'completed' AND completed_at >= ? AND completed_at < ?),
		(SELECT COALESCE(SUM(saving), 0) FROM deals WHERE enterprise_id = ? AND status = 'completed' AND completed_at >= ? AND completed_at < ?),
		(SELECT COALESCE(SUM(scope1), 0) FROM carbon_years WHERE enterprise_id = ? AND year = ?),
		(SELECT COALESCE(SUM(scope2), 0) FROM carbon_years WHERE enterprise_id = ? AND year = ?)`,
		id, ms(from), ms(to), id, ms(from), ms(to), id, ms(from), ms(to), id, ms(from), ms(to), id, ms(from), ms(to), id, first, last,
		id, id, today, id, ms(from), ms(to), id, ms(from), ms(to), id, ms(from), ms(to), id, id, ms(from), ms(to),
		id, ms(from), ms(to), id, year, id, year).Scan(&f.Booked, &f.Attended, &f.Feedback, &fbSum, &f.InspectionsDone, &f.InspectionsMissed,
		&f.TasksOpen, &f.TasksOverdue, &f.Notices, &f.NoticesRead, &f.Demands, &f.DealsActive, &f.DealsCompleted, &f.Saving, &f.Scope1, &f.Scope2)
	if err != nil {
		return nil, err
	}
	if f.Feedback > 0 {
		f.FeedbackAvg = model.Round(float64(fbSum.Int64)/float64(f.Feedback), 2)
	}
	f.Scope1, f.Scope2 = model.Round(f.Scope1, 3), model.Round(f.Scope2, 3)
	rows, err := s.query(ctx, `SELECT grade FROM appraisals WHERE enterprise_id = ? AND year = ? AND status <> 'draft'`, id, year)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var g string
		err := r.Scan(&g)
		f.Grades.Count(g)
		return err
	}); err != nil {
		return nil, err
	}
	em, err := s.Emissions(ctx, a, id, year)
	if err != nil {
		return nil, err
	}
	d.Months = em.Months
	return d, nil
}
