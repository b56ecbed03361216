package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/envhome/envhome/internal/model"
)

// complianceFacts gathers what an enterprise's colour is computed from,
// with indexed reads of its own rows.
func (s *Store) complianceFacts(ctx context.Context, q querier, eid int64) (model.ComplianceFacts, error) {
	now := s.Now()
	f := model.ComplianceFacts{Today: model.Today(now)}
	if err := q.QueryRow(ctx, `SELECT permit_valid_to FROM enterprises WHERE id = ?`, eid).Scan(&f.PermitValidTo); err != nil {
		return f, notFound(err)
	}
	rows, err := q.Query(ctx, `SELECT severity, COUNT(*), MIN(due_on) FROM tasks WHERE enterprise_id = ? AND status <> 'closed' AND due_on < ?
		GROUP BY severity`, eid, string(f.Today))
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var sev string
		var n int
		var first model.Date
		if err := r.Scan(&sev, &n, &first); err != nil {
			return err
		}
		if sev == "critical" {
			f.OverdueCritical += n
		} else {
			f.OverdueOther += n
		}
		if f.FirstOverdue == "" || first < f.FirstOverdue {
			f.FirstOverdue = first
		}
		return nil
	}); err != nil {
		return f, err
	}
	var passed sql.NullInt64
	err = q.QueryRow(ctx, `SELECT passed, submitted_at FROM inspections WHERE enterprise_id = ? AND status = 'submitted'
		ORDER BY submitted_at DESC, id DESC LIMIT 1`, eid).Scan(&passed, nullTimeCol{&f.LastInspectionAt})
	if err != nil && err != sql.ErrNoRows {
		return f, err
	}
	f.LastInspectionFailed = err == nil && passed.Valid && passed.Int64 == 0
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM obligations WHERE enterprise_id = ? AND done_at IS NULL AND due_on < ?`,
		eid, string(f.Today)).Scan(&f.OverdueObligations); err != nil {
		return f, err
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(MIN(due_on), '') FROM occurrences WHERE enterprise_id = ? AND status = 'missed' AND due_on >= ?`,
		eid, string(f.Today.AddDays(-90))).Scan(&f.MissedInspections, &f.FirstMissed); err != nil {
		return f, err
	}
	settings, err := readTrainingSettings(ctx, q.Query)
	if err != nil {
		return f, err
	}
	from, to := model.YearBounds(now.In(model.ChinaTime).Year())
	var behind sql.NullInt64
	err = q.QueryRow(ctx, `SELECT COUNT(*), SUM(CASE WHEN COALESCE(x.hours, 0) < ? THEN 1 ELSE 0 END) FROM managers m
		LEFT JOIN (`+creditedSQL+`) x ON x.person_id = m.person_id WHERE m.enterprise_id = ? AND m.status = 'active'`,
		settings.RequiredHours, ms(from), ms(to), ms(from), ms(to), eid).Scan(&f.ActiveManagers, &behind)
	f.ManagersBehind = int(behind.Int64)
	return f, err
}

// recordCompliance keeps the colour and, when it changed, a history row.
func (s *Store) recordCompliance(ctx context.Context, tx *Tx, c model.Compliance) error {
	now := ms(s.Now())
	var old string
	err := tx.QueryRow(ctx, `SELECT color FROM compliance WHERE enterprise_id = ?`, c.EnterpriseID).Scan(&old)
	if err != nil && err != sql.ErrNoRows {
		return err
	}
	if old == c.Color {
		_, err := tx.Exec(ctx, `UPDATE compliance SET computed_at = ? WHERE enterprise_id = ?`, now, c.EnterpriseID)
		return err
	}
	if err := tx.touch(ctx, byEnterprise, []int64{c.EnterpriseID}, "enterprises"); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `INSERT INTO compliance (enterprise_id, color, since, computed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (enterprise_id) DO UPDATE SET color = excluded.color, since = excluded.since, computed_at = excluded.computed_at`,
		c.EnterpriseID, c.Color, now, now); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE enterprises SET color = ? WHERE id = ?`, c.Color, c.EnterpriseID); err != nil {
		return err
	}
	rules := make([]string, 0, len(c.Deductions))
	for _, d := range c.Deductions {
		rules = append(rules, d.Rule)
	}
	reasons, _ := json.Marshal(rules)
	_, err = tx.Exec(ctx, `INSERT INTO compliance_history (enterprise_id, at, color, reasons) VALUES (?, ?, ?, ?)`, c.EnterpriseID, now, c.Color, string(reasons))
	return err
}

// reassess recomputes an enterprise's colour inside the transaction that
// changed one of its facts.
func (s *Store) reassess(ctx context.Context, tx *Tx, eid int64) error {
	f, err := s.complianceFacts(ctx, tx, eid)
	if err != nil {
		return err
	}
	th, err := s.InspectionSettings(ctx, tx)
	if err != nil {
		return err
	}
	return s.recordCompliance(ctx, tx, model.Assess(eid, f, th))
}

// Compliance computes an enterprise's colour now, with every deduction,
// and keeps it (a change goes into the history): time alone makes a task
// overdue, so reading recomputes.
func (s *Store) Compliance(ctx context.Context, a model.Actor, eid int64) (*model.Compliance, error) {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return nil, err
	}
	var c model.Compliance
	err := s.write(ctx, func(tx *Tx) error {
		f, err := s.complianceFacts(ctx, tx, eid)
		if err != nil {
			return err
		}
		th, err := s.InspectionSettings(ctx, tx)
		if err != nil {
			return err
		}
		c = model.Assess(eid, f, th)
		return s.recordCompliance(ctx, tx, c)
	})
	if err != nil {
		return nil, fmt.Errorf("compliance: %w", err)
	}
	return &c, nil
}

// ComplianceHistory lists an enterprise's colour changes, newest first.
func (s *Store) ComplianceHistory(ctx context.Context, a model.Actor, eid int64) ([]model.ComplianceChange, error) {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT at, color, reasons FROM compliance_history WHERE enterprise_id = ? ORDER BY id DESC LIMIT 50`, eid)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.ComplianceChange, error) {
		var ch model.ComplianceChange
		var reasons string
		if err := r.Scan(timeCol{&ch.At}, &ch.Color, &reasons); err != nil {
			return ch, err
		}
		return ch, json.Unmarshal([]byte(reasons), &ch.Rules)
	})
	if out == nil {
		out = []model.ComplianceChange{}
	}
	return out, err
}

// TownCompliances reads each town's self-inspection figures in the
// actor's scope from the figures the writes keep (sums.go).
func (s *Store) TownCompliances(ctx context.Context, a model.Actor) ([]model.TownCompliance, error) {
	sc := a.Scope()
	if !sc.All && sc.RegionID == 0 {
		return []model.TownCompliance{}, nil
	}
	year := s.Now().In(model.ChinaTime).Year()
	if err := s.ensureYear(ctx, year); err != nil {
		return nil, err
	}
	days, dargs := s.daysJoin(year)
	q := `SELECT st.region_id, r.name, st.green, st.yellow, st.red, st.unassessed, COALESCE(dd.overdue, 0), st.honesty_flags, COALESCE(dd.missed90, 0)
		FROM ` + statsFrom() + ` JOIN regions r ON r.id = st.region_id ` + days + ` WHERE 1 = 1`
	args := append([]any{year}, dargs...)
	if !sc.All {
		q += ` AND st.region_id = ?`
		args = append(args, sc.RegionID)
	}
	rows, err := s.query(ctx, q+` ORDER BY r.code`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.TownCompliance, error) {
		var t model.TownCompliance
		return t, r.Scan(&t.RegionID, &t.RegionName, &t.Green, &t.Yellow, &t.Red, &t.Unassessed, &t.OverdueTasks, &t.HonestyFlags, &t.MissedInspections)
	})
	if out == nil {
		out = []model.TownCompliance{}
	}
	return out, err
}
