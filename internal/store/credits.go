package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// creditedSQL sums a person's credited hours in a time range: classes
// attended and, where credited, quizzes passed. It takes the range twice
// (creditArgs).
const creditedSQL = `SELECT person_id, SUM(hours) AS hours FROM (
	SELECT b.person_id, k.credit_hours AS hours FROM bookings b JOIN classes k ON k.id = b.class_id
	WHERE k.status = 'completed' AND b.status = 'confirmed' AND b.attendance IN ('present', 'late') AND k.starts_at >= ? AND k.starts_at < ?
	UNION ALL
	SELECT q.person_id, q.credit_hours FROM quiz_attempts q WHERE q.credit_hours > 0 AND q.submitted_at >= ? AND q.submitted_at < ?
	) credited GROUP BY person_id`

// creditArgs are creditedSQL's arguments for a range.
func creditArgs(from, to time.Time) []any { return []any{ms(from), ms(to), ms(from), ms(to)} }

// CreditHistory lists a manager's (the person's, across every enterprise
// they serve) attended classes in a year and the year's progress. Classes
// attended for enterprises outside the actor's scope count in the hours
// but are listed only as a total: their titles, dates and certificate
// codes are those enterprises' business.
func (s *Store) CreditHistory(ctx context.Context, a model.Actor, managerID int64, year int) (*model.CreditProgress, []model.CreditRecord, error) {
	m, err := s.Manager(ctx, a, managerID)
	if err != nil {
		return nil, nil, err
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	from, to := model.YearBounds(year)
	cond, cargs := scopeSQL(a.Scope())
	args := append(cargs, m.PersonID, ms(from), ms(to))
	rows, err := s.query(ctx, `SELECT CASE WHEN `+cond+` THEN 1 ELSE 0 END, b.id, k.id, co.title, co.category, k.starts_at, k.credit_hours,
		b.attendance, e.name, COALESCE(c.code, '')
		FROM bookings b JOIN classes k ON k.id = b.class_id JOIN courses co ON co.id = k.course_id JOIN enterprises e ON e.id = b.enterprise_id
		LEFT JOIN certificates c ON c.booking_id = b.id
		WHERE b.person_id = ? AND b.status = 'confirmed' AND k.status = 'completed' AND k.starts_at >= ? AND k.starts_at < ?
		ORDER BY k.starts_at DESC`, args...)
	p := &model.CreditProgress{ManagerID: m.ID, PersonID: m.PersonID, Name: m.Name, EnterpriseID: m.EnterpriseID, EnterpriseName: m.EnterpriseName,
		Year: year, Required: settings.RequiredHours}
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	recs := []model.CreditRecord{}
	for rows.Next() {
		var c model.CreditRecord
		var mine int
		if err := rows.Scan(&mine, &c.BookingID, &c.ClassID, &c.CourseTitle, &c.Category, timeCol{&c.StartsAt}, &c.Hours, &c.Attendance,
			&c.EnterpriseName, &c.CertificateCode); err != nil {
			return nil, nil, err
		}
		if !model.Attended(c.Attendance) {
			c.Hours = 0
		}
		p.Hours += c.Hours
		switch {
		case mine == 1:
			recs = append(recs, c)
		case c.Hours > 0:
			p.OtherHours += c.Hours
			p.OtherClasses++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	// Quizzes passed while the bureau credited them.
	rows, err = s.query(ctx, `SELECT CASE WHEN `+cond+` THEN 1 ELSE 0 END, q.title, qa.submitted_at, qa.credit_hours, e.name
		FROM quiz_attempts qa JOIN quizzes q ON q.id = qa.quiz_id JOIN enterprises e ON e.id = qa.enterprise_id
		WHERE qa.person_id = ? AND qa.credit_hours > 0 AND qa.submitted_at >= ? AND qa.submitted_at < ? ORDER BY qa.submitted_at DESC`, args...)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		c := model.CreditRecord{Category: "quiz", Attendance: model.AttendancePresent}
		var mine int
		if err := r.Scan(&mine, &c.CourseTitle, timeCol{&c.StartsAt}, &c.Hours, &c.EnterpriseName); err != nil {
			return err
		}
		p.Hours += c.Hours
		if mine == 1 {
			recs = append(recs, c)
		} else {
			p.OtherHours += c.Hours
			p.OtherClasses++
		}
		return nil
	}); err != nil {
		return nil, nil, err
	}
	return p, recs, nil
}

// CreditProgressList lists active managers in the actor's scope with their
// hours in a year; behind keeps those short of the requirement. Paged by
// manager id.
func (s *Store) CreditProgressList(ctx context.Context, a model.Actor, year int, behind bool, regionID *int64, p model.Page) (model.List[model.CreditProgress], error) {
	sc := a.Scope()
	if sc.None() {
		return model.List[model.CreditProgress]{Items: []model.CreditProgress{}}, nil
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return model.List[model.CreditProgress]{}, err
	}
	q, args := creditQuery(sc, year, behind, regionID, settings.RequiredHours)
	if p.After > 0 {
		q += ` AND m.id > ?`
		args = append(args, p.After)
	}
	q += ` ORDER BY m.id LIMIT ?`
	args = append(args, p.Limit+1)
	q = `SELECT m.id, m.person_id, pe.name, e.id, e.name, r.name, COALESCE(x.hours, 0)` + q
	rows, err := s.query(ctx, q, args...)
	list, err := scanAll(rows, err, func(r *sql.Rows) (model.CreditProgress, error) {
		c := model.CreditProgress{Year: year, Required: settings.RequiredHours}
		err := r.Scan(&c.ManagerID, &c.PersonID, &c.Name, &c.EnterpriseID, &c.EnterpriseName, &c.RegionName, &c.Hours)
		return c, err
	})
	if err != nil {
		return model.List[model.CreditProgress]{}, err
	}
	// Ascending ids: the cursor is the last id, read as "after".
	return model.PageOf(list, p.Limit, func(c model.CreditProgress) int64 { return c.ManagerID }), nil
}

// creditQuery is the FROM and WHERE of the managers' hours list.
func creditQuery(sc model.Scope, year int, behind bool, regionID *int64, required float64) (string, []any) {
	from, to := model.YearBounds(year)
	cond, cargs := scopeSQL(sc)
	q := ` FROM managers m
		JOIN people pe ON pe.id = m.person_id JOIN enterprises e ON e.id = m.enterprise_id JOIN regions r ON r.id = e.region_id
		LEFT JOIN (` + creditedSQL + `) x ON x.person_id = m.person_id
		WHERE m.status = 'active' AND ` + cond
	args := append(creditArgs(from, to), cargs...)
	if regionID != nil {
		q += ` AND e.region_id = ?`
		args = append(args, *regionID)
	}
	if behind {
		q += ` AND COALESCE(x.hours, 0) < ?`
		args = append(args, required)
	}
	return q, args
}

// CountCreditProgress counts the managers the list would show, up to
// CountCap+1.
func (s *Store) CountCreditProgress(ctx context.Context, a model.Actor, year int, behind bool, regionID *int64) (int, error) {
	sc := a.Scope()
	if sc.None() {
		return 0, nil
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return 0, err
	}
	q, args := creditQuery(sc, year, behind, regionID, settings.RequiredHours)
	var n int
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+q+` LIMIT ?) t`, append(args, CountCap+1)...).Scan(&n)
	return n, err
}
