package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/envhome/envhome/internal/model"
)

// AppraisalRules reads the bureau's scoring rules (the defaults until it
// sets its own).
func (s *Store) AppraisalRules(ctx context.Context) (model.AppraisalRules, error) {
	r := model.DefaultAppraisalRules()
	var v string
	err := s.queryRow(ctx, `SELECT value FROM settings WHERE key = 'appraisal_rules'`).Scan(&v)
	if err == sql.ErrNoRows {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(v), &r)
}

// SetAppraisalRules stores the bureau's rules; drafts computed after use
// them, confirmed grades keep theirs.
func (s *Store) SetAppraisalRules(ctx context.Context, a model.Actor, r model.AppraisalRules) error {
	if !a.IsAdmin() {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := r.Validate(); err != nil {
		return err
	}
	b, _ := json.Marshal(r)
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES ('appraisal_rules', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, string(b)); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "appraisal.rules", "settings", nil, model.Changes{"rules": {New: string(b)}})
	})
}

// appraisalTown is the town an actor appraises: any (0 = all) for the
// bureau, its own for an association; others may not.
func appraisalTown(a model.Actor, regionID int64) (int64, error) {
	sc := a.Scope()
	switch {
	case sc.All:
		return regionID, nil
	case sc.RegionID != 0 && a.User != nil && a.User.Role == model.RoleAssociation:
		if regionID != 0 && regionID != sc.RegionID {
			return 0, model.NotFound()
		}
		return sc.RegionID, nil
	}
	return 0, model.Errorf(model.ErrForbidden, "err.forbidden")
}

// ComputeAppraisals scores the year of every active manager in a town (or
// the county, for the bureau with regionID 0) by the current rules. Drafts
// are replaced; confirmed and published grades stay. It returns how many
// drafts it wrote.
func (s *Store) ComputeAppraisals(ctx context.Context, a model.Actor, year int, regionID int64) (int, error) {
	town, err := appraisalTown(a, regionID)
	if err != nil {
		return 0, err
	}
	if err := s.checkYear(year); err != nil {
		return 0, err
	}
	rules, err := s.AppraisalRules(ctx)
	if err != nil {
		return 0, err
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return 0, err
	}
	from, to := model.YearBounds(year)
	first, last := fmt.Sprintf("%04d-01-01", year), fmt.Sprintf("%04d-12-31", year)
	today := string(model.Today(s.Now()))
	if last > today {
		last = today // what is not yet due is not counted
	}
	townCond, townArgs := `1=1`, []any{}
	if town != 0 {
		townCond, townArgs = `e.region_id = ?`, []any{town}
	}
	type mgr struct {
		id, enterprise, region int64
		facts                  model.AppraisalFacts
	}
	rows, err := s.query(ctx, `SELECT m.id, e.id, e.region_id, COALESCE(x.hours, 0) FROM managers m JOIN enterprises e ON e.id = m.enterprise_id
		LEFT JOIN (`+creditedSQL+`) x ON x.person_id = m.person_id
		WHERE m.status = 'active' AND e.status = 'active' AND `+townCond+` ORDER BY m.id`, append(creditArgs(from, to), townArgs...)...)
	mgrs, err := scanAll(rows, err, func(r *sql.Rows) (*mgr, error) {
		m := &mgr{}
		m.facts.Required = settings.RequiredHours
		return m, r.Scan(&m.id, &m.enterprise, &m.region, &m.facts.Hours)
	})
	if err != nil {
		return 0, err
	}
	mgrByID := map[int64]*mgr{}
	byEnterprise := map[int64][]*mgr{}
	for _, m := range mgrs {
		mgrByID[m.id] = m
		byEnterprise[m.enterprise] = append(byEnterprise[m.enterprise], m)
	}
	// Each count is grouped by manager or by enterprise (an enterprise's
	// self-inspection and rectification count for each of its managers).
	count := func(q string, args []any, set func(key int64, v []int)) error {
		return s.keyedCounts(ctx, q, args, func(key int64, f []float64) {
			v := make([]int, len(f))
			for i, x := range f {
				v[i] = int(x)
			}
			set(key, v)
		})
	}
	perEnterprise := func(fn func(f *model.AppraisalFacts, v []int)) func(int64, []int) {
		return func(id int64, v []int) {
			for _, m := range byEnterprise[id] {
				fn(&m.facts, v)
			}
		}
	}
	span := append([]any{ms(from), ms(to)}, townArgs...)
	dueSpan := append([]any{first, last}, townArgs...)
	steps := []struct {
		q    string
		args []any
		set  func(int64, []int)
	}{
		{`SELECT b.manager_id, COUNT(*), SUM(CASE WHEN b.attendance IN ('present', 'late') THEN 1 ELSE 0 END)
			FROM bookings b JOIN classes k ON k.id = b.class_id JOIN enterprises e ON e.id = b.enterprise_id
			WHERE b.status = 'confirmed' AND k.status = 'completed' AND k.starts_at >= ? AND k.starts_at < ? AND ` + townCond + ` GROUP BY b.manager_id`, span,
			func(id int64, v []int) {
				if m := mgrByID[id]; m != nil {
					m.facts.Booked, m.facts.Attended = v[0], v[1]
				}
			}},
		{`SELECT q.manager_id, COUNT(*) FROM quiz_attempts q JOIN enterprises e ON e.id = q.enterprise_id
			WHERE q.passed = 1 AND q.submitted_at >= ? AND q.submitted_at < ? AND ` + townCond + ` GROUP BY q.manager_id`, span,
			func(id int64, v []int) {
				if m := mgrByID[id]; m != nil {
					m.facts.QuizzesPassed = v[0]
				}
			}},
		// An occurrence is on time when it was completed by the end of
		// its due day (China time).
		{`SELECT o.enterprise_id, COUNT(*), SUM(CASE WHEN o.status = 'completed' AND o.completed_at IS NOT NULL
				AND o.completed_at < ` + s.dialect.dayEndMillis("o.due_on") + ` THEN 1 ELSE 0 END)
			FROM occurrences o JOIN enterprises e ON e.id = o.enterprise_id
			WHERE o.due_on >= ? AND o.due_on <= ? AND ` + townCond + ` GROUP BY o.enterprise_id`, dueSpan,
			perEnterprise(func(f *model.AppraisalFacts, v []int) { f.InspectionsDue, f.InspectionsOnTime = v[0], v[1] })},
		// A rectification is on time when its evidence was first
		// submitted by the end of its due day.
		{`SELECT t.enterprise_id, COUNT(*), SUM(CASE WHEN (SELECT MIN(ev.at) FROM task_events ev WHERE ev.task_id = t.id AND ev.action = 'submit')
				< ` + s.dialect.dayEndMillis("t.due_on") + ` THEN 1 ELSE 0 END)
			FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
			WHERE t.due_on >= ? AND t.due_on <= ? AND ` + townCond + ` GROUP BY t.enterprise_id`, dueSpan,
			perEnterprise(func(f *model.AppraisalFacts, v []int) { f.TasksDue, f.TasksOnTime = v[0], v[1] })},
		{`SELECT f.enterprise_id, COUNT(*) FROM honesty_flags f JOIN enterprises e ON e.id = f.enterprise_id
			WHERE f.created_at >= ? AND f.created_at < ? AND ` + townCond + ` GROUP BY f.enterprise_id`, span,
			perEnterprise(func(f *model.AppraisalFacts, v []int) { f.HonestyFlags = v[0] })},
	}
	for _, st := range steps {
		if err := count(st.q, st.args, st.set); err != nil {
			return 0, err
		}
	}
	// Written in batches: a county's 400,000 managers must not hold the
	// single SQLite writer for one long transaction.
	written := 0
	now := ms(s.Now())
	const batch = 2_000
	for lo := 0; lo < len(mgrs); lo += batch {
		part := mgrs[lo:min(lo+batch, len(mgrs))]
		err = s.write(ctx, func(tx *Tx) error {
			ids := make([]int64, len(part))
			for i, m := range part {
				ids[i] = m.id
			}
			if err := tx.touch(ctx, byManager, ids, "grades"); err != nil {
				return err
			}
			for _, m := range part {
				score, grade, points := rules.Score(m.facts)
				pb, _ := json.Marshal(points)
				fb, _ := json.Marshal(m.facts)
				res, err := tx.Exec(ctx, `INSERT INTO appraisals (manager_id, year, enterprise_id, region_id, score, grade, points, facts, status, computed_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?) ON CONFLICT (manager_id, year) DO UPDATE SET enterprise_id = excluded.enterprise_id,
					region_id = excluded.region_id, score = excluded.score, grade = excluded.grade, points = excluded.points, facts = excluded.facts,
					computed_at = excluded.computed_at WHERE appraisals.status = 'draft'`,
					m.id, year, m.enterprise, m.region, score, grade, string(pb), string(fb), now)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					written++
				}
			}
			return nil
		})
		if err != nil {
			return 0, fmt.Errorf("compute appraisals: %w", err)
		}
	}
	err = s.write(ctx, func(tx *Tx) error {
		return s.audit(ctx, tx, a, "appraisal.compute", "region", &town, model.Changes{"year": {New: year}, "drafts": {New: written}})
	})
	if err != nil {
		return 0, fmt.Errorf("compute appraisals: %w", err)
	}
	return written, nil
}

const appraisalColumns = `p.manager_id, pe.name, p.enterprise_id, e.name, p.region_id, r.name, p.year, p.score, p.grade, p.points, p.facts,
	p.status, p.comment, p.confirmed_by, p.confirmed_at, p.published_at, p.computed_at, p.plan`

const appraisalFrom = ` FROM appraisals p JOIN managers m ON m.id = p.manager_id JOIN people pe ON pe.id = m.person_id
	JOIN enterprises e ON e.id = p.enterprise_id JOIN regions r ON r.id = p.region_id`

func scanAppraisal(r rowScanner) (*model.Appraisal, error) {
	p := &model.Appraisal{}
	var points, facts, plan string
	if err := r.Scan(&p.ManagerID, &p.Name, &p.EnterpriseID, &p.EnterpriseName, &p.RegionID, &p.RegionName, &p.Year, &p.Score, &p.Grade,
		&points, &facts, &p.Status, &p.Comment, &p.ConfirmedBy, nullTimeCol{&p.ConfirmedAt}, nullTimeCol{&p.PublishedAt},
		timeCol{&p.ComputedAt}, &plan); err != nil {
		return nil, err
	}
	p.Plan = []model.PlanCourse{}
	if err := json.Unmarshal([]byte(points), &p.Points); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(facts), &p.Facts); err != nil {
		return nil, err
	}
	return p, json.Unmarshal([]byte(plan), &p.Plan)
}

// appraisalVisible: the bureau sees all, an association its town's, an
// enterprise its managers' once published; no one else any.
func appraisalVisible(a model.Actor) (string, []any) {
	sc := a.Scope()
	switch {
	case sc.All:
		return `1=1`, nil
	case sc.RegionID != 0:
		return `p.region_id = ?`, []any{sc.RegionID}
	case sc.EnterpriseID != 0:
		return `p.enterprise_id = ? AND p.status = 'published'`, []any{sc.EnterpriseID}
	}
	return `1=0`, nil
}

// AppraisalFilter narrows the list.
type AppraisalFilter struct {
	Year     int
	RegionID int64
	Grade    string
	Status   string
	Limit    int
}

// Appraisals lists a year's appraisals the actor may see, lowest score
// first (those needing attention), at most f.Limit.
func (s *Store) Appraisals(ctx context.Context, a model.Actor, f AppraisalFilter) ([]*model.Appraisal, error) {
	if a.Scope().None() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	cond, args := appraisalVisible(a)
	q := `SELECT ` + appraisalColumns + appraisalFrom + ` WHERE p.year = ? AND ` + cond
	args = append([]any{f.Year}, args...)
	if f.RegionID != 0 {
		q += ` AND p.region_id = ?`
		args = append(args, f.RegionID)
	}
	if f.Grade != "" {
		q += ` AND p.grade = ?`
		args = append(args, f.Grade)
	}
	if f.Status != "" {
		q += ` AND p.status = ?`
		args = append(args, f.Status)
	}
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 1000
	}
	rows, err := s.query(ctx, q+` ORDER BY p.score, p.manager_id LIMIT ?`, append(args, f.Limit)...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Appraisal, error) { return scanAppraisal(r) })
	if out == nil {
		out = []*model.Appraisal{}
	}
	return out, err
}

// Appraisal reads a manager's year, or not found.
func (s *Store) Appraisal(ctx context.Context, a model.Actor, managerID int64, year int) (*model.Appraisal, error) {
	cond, args := appraisalVisible(a)
	p, err := scanAppraisal(s.queryRow(ctx, `SELECT `+appraisalColumns+appraisalFrom+` WHERE p.manager_id = ? AND p.year = ? AND `+cond,
		append([]any{managerID, year}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	return p, nil
}

// ConfirmAppraisal is the association's (or the bureau's) confirmation of
// a manager's grade with its comment. An unqualified manager gets a plan
// of the courses to take, and the enterprise is told.
func (s *Store) ConfirmAppraisal(ctx context.Context, a model.Actor, managerID int64, year int, rv model.AppraisalReview) (*model.Appraisal, error) {
	if err := rv.Validate(); err != nil {
		return nil, err
	}
	p, err := s.Appraisal(ctx, a, managerID, year)
	if err != nil {
		return nil, err
	}
	if _, err := appraisalTown(a, p.RegionID); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		plan := []model.PlanCourse{}
		if p.Grade == model.GradeUnqualified {
			if plan, err = s.improvementPlan(ctx, tx); err != nil {
				return err
			}
		}
		pb, _ := json.Marshal(plan)
		if err := tx.touch(ctx, byManager, []int64{managerID}, "grades"); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE appraisals SET status = 'confirmed', comment = ?, confirmed_by = ?, confirmed_at = ?, plan = ?
			WHERE manager_id = ? AND year = ? AND status = 'draft'`, rv.Comment, a.Name(), ms(s.Now()), string(pb), managerID, year)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrConflict, "err.appraisal.decided")
		}
		if p.Grade == model.GradeUnqualified {
			if _, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeAppraisal, Link: fmt.Sprintf("/appraisals/%d/%d", managerID, year),
				Key:  fmt.Sprintf("appraisal:%d:%d", managerID, year),
				Args: map[string]string{"manager": p.Name, "year": fmt.Sprint(year)}},
				`SELECT id FROM users WHERE role = 'enterprise' AND enterprise_id = ? AND disabled_at IS NULL`, p.EnterpriseID); err != nil {
				return err
			}
		}
		id := managerID
		return s.audit(ctx, tx, a, "appraisal.confirm", "manager", &id, model.Changes{"year": {New: year}, "grade": {New: p.Grade}})
	})
	if err != nil {
		return nil, fmt.Errorf("confirm appraisal: %w", err)
	}
	return s.Appraisal(ctx, a, managerID, year)
}

// improvementPlan picks up to three published courses with a class still
// to come, the soonest first: what an unqualified manager is to take.
func (s *Store) improvementPlan(ctx context.Context, tx *Tx) ([]model.PlanCourse, error) {
	rows, err := tx.Query(ctx, `SELECT c.id, c.title FROM courses c WHERE c.status = 'published'
		ORDER BY (SELECT MIN(k.starts_at) FROM classes k WHERE k.course_id = c.id AND k.status = 'scheduled' AND k.starts_at > ?) IS NULL,
		(SELECT MIN(k.starts_at) FROM classes k WHERE k.course_id = c.id AND k.status = 'scheduled' AND k.starts_at > ?), c.id LIMIT 3`,
		ms(s.Now()), ms(s.Now()))
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.PlanCourse, error) {
		var c model.PlanCourse
		return c, r.Scan(&c.CourseID, &c.Title)
	})
	if out == nil {
		out = []model.PlanCourse{}
	}
	return out, err
}

// PublishAppraisals is the bureau's publication of a year's confirmed
// grades; drafts stay drafts. It returns how many were published.
func (s *Store) PublishAppraisals(ctx context.Context, a model.Actor, year int) (int, error) {
	if !a.IsAdmin() {
		return 0, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := s.checkYear(year); err != nil {
		return 0, err
	}
	var n int64
	// Confirmed and published grades count alike in the towns' figures:
	// publishing changes none of them.
	err := s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE appraisals SET status = 'published', published_at = ? WHERE year = ? AND status = 'confirmed'`, ms(s.Now()), year)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return s.audit(ctx, tx, a, "appraisal.publish", "settings", nil, model.Changes{"year": {New: year}, "published": {New: n}})
	})
	return int(n), err
}
