package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// StatsMaxAge is how old the towns' figures may grow before the sweep
// computes them again.
const StatsMaxAge = 5 * time.Minute

// RefreshRegionStats computes every town's figures for the current year
// (China time) and stores them; any instance may run it, the last write
// wins. force computes even when the stored figures are fresh.
func (s *Store) RefreshRegionStats(ctx context.Context, force bool) error {
	year := s.Now().In(model.ChinaTime).Year()
	if err := s.refreshYear(ctx, year, force, StatsMaxAge); err != nil {
		return err
	}
	// Last year's figures, which the dashboards compare with, change
	// rarely: counted when missing and then hourly.
	return s.refreshYear(ctx, year-1, false, time.Hour)
}

// refreshYear computes every town's figures for a year: the workbench's
// and the dashboards'. Figures of state (enterprises, colours, open
// tasks) are as of now whatever the year.
func (s *Store) refreshYear(ctx context.Context, year int, force bool, maxAge time.Duration) error {
	now := s.Now()
	if !force {
		var newest sql.NullInt64
		if err := s.queryRow(ctx, `SELECT MAX(computed_at) FROM region_stats WHERE year = ?`, year).Scan(&newest); err != nil {
			return err
		}
		if newest.Valid && now.Sub(time.UnixMilli(newest.Int64)) < maxAge {
			return nil
		}
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return err
	}
	req := settings.RequiredHours
	from, to := model.YearBounds(year)
	stats := map[int64]*model.RegionStat{}
	figs := map[int64]*townCounts{}
	rows, err := s.query(ctx, `SELECT id FROM regions WHERE parent_id IS NOT NULL`)
	ids, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	for _, id := range ids {
		stats[id] = &model.RegionStat{RegionID: id}
		figs[id] = &townCounts{}
	}
	rows, err = s.query(ctx, `SELECT region_id, COUNT(*), SUM(CASE WHEN manager_count = 0 THEN 1 ELSE 0 END)
		FROM enterprises WHERE status = 'active' GROUP BY region_id`)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var id int64
		var n, none int
		if err := r.Scan(&id, &n, &none); err != nil {
			return err
		}
		if st := stats[id]; st != nil {
			st.Enterprises, st.WithoutManager = n, none
		}
		return nil
	}); err != nil {
		return err
	}
	// Each manager's hours count up to the requirement, so that one
	// eager manager does not hide another who is behind.
	rows, err = s.query(ctx, `SELECT e.region_id, COUNT(*), SUM(CASE WHEN COALESCE(x.hours, 0) < ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN COALESCE(x.hours, 0) > ? THEN ? ELSE COALESCE(x.hours, 0) END)
		FROM managers m JOIN enterprises e ON e.id = m.enterprise_id
		LEFT JOIN (`+creditedSQL+`) x ON x.person_id = m.person_id
		WHERE m.status = 'active' AND e.status = 'active' GROUP BY e.region_id`, req, req, req, ms(from), ms(to), ms(from), ms(to))
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var id int64
		var n, behind int
		var hours float64
		if err := r.Scan(&id, &n, &behind, &hours); err != nil {
			return err
		}
		if st := stats[id]; st != nil {
			st.Managers, st.Behind, st.Hours = n, behind, hours
		}
		return nil
	}); err != nil {
		return err
	}
	towns, err := s.countTownCompliances(ctx)
	if err != nil {
		return err
	}
	if err := s.countDashboardFigures(ctx, figs, year); err != nil {
		return err
	}
	grades, err := s.gradeCounts(ctx, year)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		for id, st := range stats {
			tc := towns[id]
			if tc == nil {
				tc = &model.TownCompliance{}
			}
			f := figs[id]
			g := grades[id]
			if g == nil {
				g = &model.GradeCounts{}
			}
			if _, err := tx.Exec(ctx, `INSERT INTO region_stats (region_id, year, enterprises, without_manager, managers, behind, hours, required, computed_at,
				green, yellow, red, unassessed, overdue_tasks, honesty_flags, missed_inspections, classes, seats, booked, attended, feedback, feedback_sum,
				inspections_done, tasks_open, notices, notices_read, demands, deals_active, deals_completed, saving, missed_year,
				excellent, qualified, improve, unqualified)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (region_id, year) DO UPDATE SET enterprises = excluded.enterprises,
				without_manager = excluded.without_manager, managers = excluded.managers, behind = excluded.behind, hours = excluded.hours,
				required = excluded.required, computed_at = excluded.computed_at, green = excluded.green, yellow = excluded.yellow,
				red = excluded.red, unassessed = excluded.unassessed, overdue_tasks = excluded.overdue_tasks, honesty_flags = excluded.honesty_flags,
				missed_inspections = excluded.missed_inspections, classes = excluded.classes, seats = excluded.seats, booked = excluded.booked,
				attended = excluded.attended, feedback = excluded.feedback, feedback_sum = excluded.feedback_sum, inspections_done = excluded.inspections_done,
				tasks_open = excluded.tasks_open, notices = excluded.notices, notices_read = excluded.notices_read, demands = excluded.demands,
				deals_active = excluded.deals_active, deals_completed = excluded.deals_completed, saving = excluded.saving, missed_year = excluded.missed_year,
				excellent = excluded.excellent, qualified = excluded.qualified, improve = excluded.improve, unqualified = excluded.unqualified`,
				id, year, st.Enterprises, st.WithoutManager, st.Managers, st.Behind, st.Hours, float64(st.Managers)*req, ms(now),
				tc.Green, tc.Yellow, tc.Red, tc.Unassessed, tc.OverdueTasks, tc.HonestyFlags, tc.MissedInspections,
				f.Classes, f.Seats, f.Booked, f.Attended, f.Feedback, f.FeedbackSum, f.InspectionsDone, f.TasksOpen, f.Notices, f.NoticesRead,
				f.Demands, f.DealsActive, f.DealsCompleted, f.Saving, f.InspectionsMissed, g.Excellent, g.Qualified, g.Improve, g.Unqualified); err != nil {
				return err
			}
		}
		return nil
	})
}

// RegionStats reads the towns' figures for the current year that the
// actor may see: every town for the bureau, its own for an association,
// none for anyone else. Figures never computed are computed first.
func (s *Store) RegionStats(ctx context.Context, a model.Actor) ([]model.RegionStat, error) {
	sc := a.Scope()
	if !sc.All && sc.RegionID == 0 {
		return []model.RegionStat{}, nil
	}
	year := s.Now().In(model.ChinaTime).Year()
	read := func() ([]model.RegionStat, error) {
		q := `SELECT st.region_id, r.name, st.year, st.enterprises, st.without_manager, st.managers, st.behind, st.hours, st.required, st.computed_at
			FROM region_stats st JOIN regions r ON r.id = st.region_id WHERE st.year = ?`
		args := []any{year}
		if !sc.All {
			q += ` AND st.region_id = ?`
			args = append(args, sc.RegionID)
		}
		rows, err := s.query(ctx, q+` ORDER BY r.code`, args...)
		return scanAll(rows, err, func(r *sql.Rows) (model.RegionStat, error) {
			var st model.RegionStat
			return st, r.Scan(&st.RegionID, &st.RegionName, &st.Year, &st.Enterprises, &st.WithoutManager, &st.Managers, &st.Behind,
				&st.Hours, &st.Required, timeCol{&st.ComputedAt})
		})
	}
	out, err := read()
	if err == nil && len(out) == 0 {
		if err := s.RefreshRegionStats(ctx, true); err != nil {
			return nil, err
		}
		out, err = read()
	}
	if out == nil {
		out = []model.RegionStat{}
	}
	return out, err
}

// eachRow calls fn for every row and closes the rows.
func eachRow(rows *sql.Rows, err error, fn func(*sql.Rows) error) error {
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// EnterpriseHoursBehind lists the enterprises of a town furthest behind
// on their managers' hours this year, at most limit: the association's
// own town, or the town the bureau picks.
func (s *Store) EnterpriseHoursBehind(ctx context.Context, a model.Actor, regionID int64, limit int) ([]model.EnterpriseHours, error) {
	sc := a.Scope()
	switch {
	case sc.All:
	case sc.RegionID != 0:
		regionID = sc.RegionID
	default:
		return []model.EnterpriseHours{}, nil
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return nil, err
	}
	req := settings.RequiredHours
	from, to := model.YearBounds(s.Now().In(model.ChinaTime).Year())
	rows, err := s.query(ctx, `SELECT e.id, e.name, COUNT(*), SUM(CASE WHEN COALESCE(x.hours, 0) > ? THEN ? ELSE COALESCE(x.hours, 0) END)
		FROM managers m JOIN enterprises e ON e.id = m.enterprise_id
		LEFT JOIN (`+creditedSQL+`) x ON x.person_id = m.person_id
		WHERE m.status = 'active' AND e.status = 'active' AND e.region_id = ?
		GROUP BY e.id, e.name ORDER BY SUM(CASE WHEN COALESCE(x.hours, 0) > ? THEN ? ELSE COALESCE(x.hours, 0) END) / COUNT(*), e.id LIMIT ?`, req, req, ms(from), ms(to), ms(from), ms(to), regionID, req, req, limit)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.EnterpriseHours, error) {
		var e model.EnterpriseHours
		err := r.Scan(&e.EnterpriseID, &e.Name, &e.Managers, &e.Hours)
		e.Required = float64(e.Managers) * req
		return e, err
	})
	if out == nil {
		out = []model.EnterpriseHours{}
	}
	return out, err
}

// ClassFills lists the classes of the last 90 days and the next 30 that
// the actor runs (the bureau all, an association its town's Homes'), by
// start, with their fill and attendance.
func (s *Store) ClassFills(ctx context.Context, a model.Actor) ([]model.ClassFill, error) {
	sc := a.Scope()
	now := s.Now()
	q := `SELECT k.id, co.title, k.starts_at, k.status, k.capacity,
		(SELECT COUNT(*) FROM bookings b WHERE b.class_id = k.id AND b.status = 'confirmed'),
		(SELECT COUNT(*) FROM bookings b WHERE b.class_id = k.id AND b.status = 'confirmed' AND b.attendance IN ('present', 'late'))
		FROM classes k JOIN courses co ON co.id = k.course_id JOIN homes h ON h.id = k.home_id
		WHERE k.status <> 'cancelled' AND k.starts_at >= ? AND k.starts_at < ?`
	args := []any{ms(now.Add(-90 * 24 * time.Hour)), ms(now.Add(30 * 24 * time.Hour))}
	switch {
	case sc.All:
	case sc.RegionID != 0:
		q += ` AND h.region_id = ?`
		args = append(args, sc.RegionID)
	default:
		return []model.ClassFill{}, nil
	}
	rows, err := s.query(ctx, q+` ORDER BY k.starts_at, k.id LIMIT 60`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.ClassFill, error) {
		var c model.ClassFill
		return c, r.Scan(&c.ClassID, &c.CourseTitle, timeCol{&c.StartsAt}, &c.Status, &c.Capacity, &c.Confirmed, &c.Attended)
	})
	if out == nil {
		out = []model.ClassFill{}
	}
	return out, err
}
