package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// RefreshRegionStats makes sure the towns' figures of the current year
// (China time) and the last are counted; the writes keep them from then
// on. force counts them again from the rows (a repair: they are equal
// unless something wrote behind the store's back).
func (s *Store) RefreshRegionStats(ctx context.Context, force bool) error {
	year := s.Now().In(model.ChinaTime).Year()
	if force {
		return s.recount(ctx, []int{year - 1, year})
	}
	if err := s.ensureYear(ctx, year); err != nil {
		return err
	}
	return s.ensureYear(ctx, year-1)
}

// RegionStats reads the towns' figures for the current year that the
// actor may see: every town for the bureau, its own for an association,
// none for anyone else. A year never counted is counted first.
func (s *Store) RegionStats(ctx context.Context, a model.Actor) ([]model.RegionStat, error) {
	sc := a.Scope()
	if !sc.All && sc.RegionID == 0 {
		return []model.RegionStat{}, nil
	}
	year := s.Now().In(model.ChinaTime).Year()
	if err := s.ensureYear(ctx, year); err != nil {
		return nil, err
	}
	q := `SELECT st.region_id, r.name, st.year, st.enterprises, st.without_manager, st.managers, st.behind, st.hours, st.required, st.computed_at
		FROM ` + statsFrom() + ` JOIN regions r ON r.id = st.region_id WHERE 1 = 1`
	args := []any{year}
	if !sc.All {
		q += ` AND st.region_id = ?`
		args = append(args, sc.RegionID)
	}
	rows, err := s.query(ctx, q+` ORDER BY r.code`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.RegionStat, error) {
		var st model.RegionStat
		return st, r.Scan(&st.RegionID, &st.RegionName, &st.Year, &st.Enterprises, &st.WithoutManager, &st.Managers, &st.Behind,
			&st.Hours, &st.Required, timeCol{&st.ComputedAt})
	})
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
