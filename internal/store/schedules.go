package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// InspectionSettings reads the bureau's self-inspection settings through
// q, with defaults for anything never set.
func (s *Store) InspectionSettings(ctx context.Context, q querier) (model.InspectionSettings, error) {
	v := model.DefaultInspectionSettings()
	if q == nil {
		q = s.reader()
	}
	rows, err := q.Query(ctx, `SELECT key, value FROM settings WHERE key LIKE 'inspection.%'`)
	err = eachRow(rows, err, func(r *sql.Rows) error {
		var k, val string
		if err := r.Scan(&k, &val); err != nil {
			return err
		}
		n, _ := strconv.Atoi(val)
		switch k {
		case "inspection.pass_mark":
			v.PassMark, _ = strconv.ParseFloat(val, 64)
		case "inspection.critical_days":
			v.CriticalDays = n
		case "inspection.major_days":
			v.MajorDays = n
		case "inspection.minor_days":
			v.MinorDays = n
		case "inspection.overdue_tasks_yellow":
			v.OverdueTasksYellow = n
		case "inspection.missed_inspections_yellow":
			v.MissedInspectionsYellow = n
		case "inspection.missed_after_days":
			v.MissedAfterDays = n
		}
		return nil
	})
	if err == nil && v.Validate() != nil {
		return model.DefaultInspectionSettings(), nil
	}
	return v, err
}

// SetInspectionSettings stores the settings (the bureau only), audited
// with what changed. Colours follow at their next recomputation.
func (s *Store) SetInspectionSettings(ctx context.Context, a model.Actor, v model.InspectionSettings) error {
	if !a.IsAdmin() {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := v.Validate(); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		old, err := s.InspectionSettings(ctx, tx)
		if err != nil {
			return err
		}
		if err := putSettings(ctx, tx, map[string]string{
			"inspection.pass_mark":                 strconv.FormatFloat(v.PassMark, 'f', -1, 64),
			"inspection.critical_days":             strconv.Itoa(v.CriticalDays),
			"inspection.major_days":                strconv.Itoa(v.MajorDays),
			"inspection.minor_days":                strconv.Itoa(v.MinorDays),
			"inspection.overdue_tasks_yellow":      strconv.Itoa(v.OverdueTasksYellow),
			"inspection.missed_inspections_yellow": strconv.Itoa(v.MissedInspectionsYellow),
			"inspection.missed_after_days":         strconv.Itoa(v.MissedAfterDays),
		}); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "settings.inspection", "settings", nil, model.Changes{
			"pass_mark":                 {Old: old.PassMark, New: v.PassMark},
			"critical_days":             {Old: old.CriticalDays, New: v.CriticalDays},
			"major_days":                {Old: old.MajorDays, New: v.MajorDays},
			"minor_days":                {Old: old.MinorDays, New: v.MinorDays},
			"overdue_tasks_yellow":      {Old: old.OverdueTasksYellow, New: v.OverdueTasksYellow},
			"missed_inspections_yellow": {Old: old.MissedInspectionsYellow, New: v.MissedInspectionsYellow},
			"missed_after_days":         {Old: old.MissedAfterDays, New: v.MissedAfterDays},
		})
	})
}

// syncBatch is how many enterprises one transaction of the schedule
// derivation covers.
const syncBatch = 500

// syncMargin is how far before its start a derivation run sets its
// watermark, so that an enterprise changed by a transaction that committed
// while the run read is derived again by the next run.
const syncMargin = time.Minute

// SyncSchedules keeps every enterprise's schedules and their occurrences
// up to date, and is the job every instance runs from the sweep:
//
//   - an enterprise changed since the last run, or every enterprise when a
//     checklist was published since, gets a schedule for each published
//     checklist that binds it, at the frequency its facts give (unless the
//     association or the bureau set one by hand), and loses the schedules
//     that no longer bind it;
//   - once a day, each active schedule gets its current and next period's
//     occurrence, occurrences past their due date become overdue, and
//     overdue ones past the settings' grace become missed, and those
//     enterprises' colours are recomputed.
//
// Occurrences are unique by schedule and period, and every write is
// idempotent, so instances running it at once never create one twice.
// It returns how many enterprises it derived.
func (s *Store) SyncSchedules(ctx context.Context) (int, error) {
	start := s.Now()
	var wm int64
	var v string
	if err := s.queryRow(ctx, `SELECT value FROM settings WHERE key = 'schedules.synced_at'`).Scan(&v); err != nil && err != sql.ErrNoRows {
		return 0, err
	}
	wm, _ = strconv.ParseInt(v, 10, 64)
	rows, err := s.query(ctx, `SELECT `+checklistColumns+` FROM checklists c WHERE c.status = 'published'`)
	cs, err := scanAll(rows, err, func(r *sql.Rows) (*model.Checklist, error) { return scanChecklist(r) })
	if err != nil {
		return 0, err
	}
	all := wm == 0
	for _, c := range cs {
		all = all || (c.PublishedAt != nil && ms(*c.PublishedAt) > wm)
	}
	// The enterprises changed since the last run come from the updated_at
	// index first (a handful a minute), not a walk of the table by id.
	var changed []int64
	if !all {
		rows, err := s.query(ctx, `SELECT id FROM enterprises WHERE updated_at > ?`, wm)
		if changed, err = scanAll(rows, err, func(r *sql.Rows) (int64, error) {
			var id int64
			return id, r.Scan(&id)
		}); err != nil {
			return 0, err
		}
		slices.Sort(changed)
	}
	n := 0
	var after int64
	for all || len(changed) > 0 {
		q := `SELECT ` + enterpriseColumns + ` FROM enterprises e JOIN regions r ON r.id = e.region_id WHERE e.id > ?`
		args := []any{after}
		if !all {
			part := changed[:min(len(changed), syncBatch)]
			changed = changed[len(part):]
			q += ` AND e.id IN (?` + strings.Repeat(`, ?`, len(part)-1) + `)`
			for _, id := range part {
				args = append(args, id)
			}
		}
		rows, err := s.query(ctx, q+` ORDER BY e.id LIMIT `+strconv.Itoa(syncBatch), args...)
		es, err := scanAll(rows, err, func(r *sql.Rows) (*model.Enterprise, error) { return scanEnterprise(r) })
		if err != nil {
			return n, err
		}
		if len(es) == 0 {
			if all {
				break
			}
			continue
		}
		if err := s.write(ctx, func(tx *Tx) error {
			for _, e := range es {
				if err := s.deriveSchedules(ctx, tx, e, cs); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return n, fmt.Errorf("derive schedules: %w", err)
		}
		n += len(es)
		if all {
			after = es[len(es)-1].ID
			if len(es) < syncBatch {
				break
			}
		}
	}
	if err := s.write(ctx, func(tx *Tx) error {
		return putSettings(ctx, tx, map[string]string{"schedules.synced_at": strconv.FormatInt(ms(start.Add(-syncMargin)), 10)})
	}); err != nil {
		return n, err
	}
	return n, s.rollOccurrences(ctx)
}

// deriveSchedules gives the enterprise a schedule for each checklist in cs
// that binds it and deactivates the others, with the occurrences that
// follow.
func (s *Store) deriveSchedules(ctx context.Context, tx *Tx, e *model.Enterprise, cs []*model.Checklist) error {
	want := map[int64]bool{}
	if e.Status == model.StatusActive {
		for _, c := range cs {
			if c.Binds(e) {
				want[c.FamilyID] = true
			}
		}
	}
	freq := model.DefaultFrequency(e)
	today := model.Today(s.Now())
	now := ms(s.Now())
	rows, err := tx.Query(ctx, `SELECT id, family_id, frequency, adjusted, active FROM schedules WHERE enterprise_id = ?`, e.ID)
	type sched struct {
		id, family       int64
		freq             string
		adjusted, active bool
	}
	have, err := scanAll(rows, err, func(r *sql.Rows) (sched, error) {
		var x sched
		var adj, act int
		err := r.Scan(&x.id, &x.family, &x.freq, &adj, &act)
		x.adjusted, x.active = adj == 1, act == 1
		return x, err
	})
	if err != nil {
		return err
	}
	for _, h := range have {
		keep := want[h.family]
		delete(want, h.family)
		switch {
		case !keep && h.active:
			if _, err := tx.Exec(ctx, `UPDATE schedules SET active = 0, updated_at = ? WHERE id = ?`, now, h.id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM occurrences WHERE schedule_id = ? AND status = 'scheduled'`, h.id); err != nil {
				return err
			}
		case keep && (!h.active || (!h.adjusted && h.freq != freq)):
			f := h.freq
			if !h.adjusted {
				f = freq
			}
			if err := s.setScheduleFrequency(ctx, tx, h.id, e.ID, h.family, f, h.adjusted, today); err != nil {
				return err
			}
		}
	}
	for fam := range want {
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO schedules (enterprise_id, family_id, frequency, adjusted, active, created_at, updated_at)
			VALUES (?, ?, ?, 0, 1, ?, ?) ON CONFLICT (enterprise_id, family_id) DO UPDATE SET active = 1 RETURNING id`,
			e.ID, fam, freq, now, now).Scan(&id); err != nil {
			return err
		}
		if err := s.addOccurrences(ctx, tx, id, e.ID, fam, freq, today); err != nil {
			return err
		}
	}
	return nil
}

// setScheduleFrequency changes a schedule's frequency: the periods not
// started are dropped and the new frequency's current and next made.
func (s *Store) setScheduleFrequency(ctx context.Context, tx *Tx, id, eid, family int64, freq string, adjusted bool, today model.Date) error {
	if _, err := tx.Exec(ctx, `UPDATE schedules SET frequency = ?, adjusted = ?, active = 1, updated_at = ? WHERE id = ?`,
		freq, boolInt(adjusted), ms(s.Now()), id); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM occurrences WHERE schedule_id = ? AND status = 'scheduled'`, id); err != nil {
		return err
	}
	return s.addOccurrences(ctx, tx, id, eid, family, freq, today)
}

// addOccurrences makes a schedule's current and next period, unless a
// period starting the same day is there already.
func (s *Store) addOccurrences(ctx context.Context, tx *Tx, id, eid, family int64, freq string, today model.Date) error {
	for _, p := range periodsAhead(freq, today) {
		if _, err := tx.Exec(ctx, `INSERT INTO occurrences (schedule_id, enterprise_id, family_id, period_start, due_on, status, created_at)
			VALUES (?, ?, ?, ?, ?, 'scheduled', ?) ON CONFLICT (schedule_id, period_start) DO NOTHING`,
			id, eid, family, string(p[0]), string(p[1]), ms(s.Now())); err != nil {
			return err
		}
	}
	return nil
}

// periodsAhead are the current and the next period of the frequency.
func periodsAhead(freq string, today model.Date) [][2]model.Date {
	s1, e1 := model.Period(freq, today)
	s2, e2 := model.Period(freq, e1.AddDays(1))
	return [][2]model.Date{{s1, e1}, {s2, e2}}
}

// rollOccurrences does the daily part of SyncSchedules, once a day.
func (s *Store) rollOccurrences(ctx context.Context) error {
	today := model.Today(s.Now())
	var rolled string
	if err := s.queryRow(ctx, `SELECT value FROM settings WHERE key = 'schedules.rolled_on'`).Scan(&rolled); err != nil && err != sql.ErrNoRows {
		return err
	}
	if rolled == string(today) {
		return nil
	}
	settings, err := s.InspectionSettings(ctx, nil)
	if err != nil {
		return err
	}
	for _, f := range model.Frequencies {
		for _, p := range periodsAhead(f, today) {
			if _, err := s.exec(ctx, `INSERT INTO occurrences (schedule_id, enterprise_id, family_id, period_start, due_on, status, created_at)
				SELECT id, enterprise_id, family_id, ?, ?, 'scheduled', ? FROM schedules WHERE active = 1 AND frequency = ?
				ON CONFLICT (schedule_id, period_start) DO NOTHING`, string(p[0]), string(p[1]), ms(s.Now()), f); err != nil {
				return fmt.Errorf("occurrences: %w", err)
			}
		}
	}
	if _, err := s.exec(ctx, `UPDATE occurrences SET status = 'overdue' WHERE status IN ('scheduled', 'in_progress') AND due_on < ?`, string(today)); err != nil {
		return err
	}
	missBefore := string(today.AddDays(-settings.MissedAfterDays))
	rows, err := s.query(ctx, `SELECT DISTINCT enterprise_id FROM occurrences WHERE status = 'overdue' AND due_on < ?`, missBefore)
	ids, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), syncBatch)]
		ids = ids[len(batch):]
		if err := s.write(ctx, func(tx *Tx) error {
			if err := tx.touch(ctx, byEnterprise, batch, "missed"); err != nil {
				return err
			}
			for _, id := range batch {
				if _, err := tx.Exec(ctx, `UPDATE occurrences SET status = 'missed' WHERE enterprise_id = ? AND status = 'overdue' AND due_on < ?`,
					id, missBefore); err != nil {
					return err
				}
				if err := s.reassess(ctx, tx, id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return fmt.Errorf("missed inspections: %w", err)
		}
	}
	return s.write(ctx, func(tx *Tx) error {
		return putSettings(ctx, tx, map[string]string{"schedules.rolled_on": string(today)})
	})
}

// startOccurrence marks the enterprise's open occurrence of the checklist
// family in progress when a self-inspection of it starts.
func (s *Store) startOccurrence(ctx context.Context, tx *Tx, eid, family, inspectionID int64) error {
	_, err := tx.Exec(ctx, `UPDATE occurrences SET status = 'in_progress', inspection_id = ? WHERE id = (
		SELECT id FROM occurrences WHERE enterprise_id = ? AND family_id = ? AND status = 'scheduled' AND period_start <= ?
		ORDER BY period_start LIMIT 1)`, inspectionID, eid, family, string(model.Today(s.Now())))
	return err
}

// completeOccurrence marks done the occurrence a submitted
// self-inspection fulfils: the current period's if it is open, else the
// earliest overdue one.
func (s *Store) completeOccurrence(ctx context.Context, tx *Tx, eid, family, inspectionID int64) error {
	today := string(model.Today(s.Now()))
	_, err := tx.Exec(ctx, `UPDATE occurrences SET status = 'completed', inspection_id = ?, completed_at = ? WHERE id = (
		SELECT id FROM occurrences WHERE enterprise_id = ? AND family_id = ? AND status IN ('scheduled', 'in_progress', 'overdue')
		AND period_start <= ? ORDER BY CASE WHEN due_on >= ? THEN 0 ELSE 1 END, period_start LIMIT 1)`,
		inspectionID, ms(s.Now()), eid, family, today, today)
	return err
}

const occurrenceColumns = `o.id, o.schedule_id, o.enterprise_id, o.family_id, c.title, o.period_start, o.due_on, o.status, o.inspection_id, o.completed_at`

// familyTitle joins an occurrence's checklist family to the title of its
// newest version.
const familyTitle = ` JOIN checklists c ON c.id = (SELECT MAX(id) FROM checklists WHERE family_id = o.family_id AND status <> 'draft')`

// scanOccurrence reads occurrenceColumns; withName reads the enterprise's
// name after them.
func scanOccurrence(r rowScanner, withName bool) (model.Occurrence, error) {
	var o model.Occurrence
	var insp sql.NullInt64
	dest := []any{&o.ID, &o.ScheduleID, &o.EnterpriseID, &o.FamilyID, &o.ChecklistTitle, &o.PeriodStart, &o.DueOn, &o.Status, &insp,
		nullTimeCol{&o.CompletedAt}}
	if withName {
		dest = append(dest, &o.EnterpriseName)
	}
	err := r.Scan(dest...)
	if insp.Valid {
		o.InspectionID = &insp.Int64
	}
	return o, err
}

// Schedules lists an enterprise's schedules in the actor's scope, each
// with its occurrences of the last year and the next period.
func (s *Store) Schedules(ctx context.Context, a model.Actor, eid int64) ([]*model.Schedule, error) {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT s.id, s.enterprise_id, s.family_id, c.title, s.frequency, s.adjusted, s.active FROM schedules s
		JOIN checklists c ON c.id = (SELECT MAX(id) FROM checklists WHERE family_id = s.family_id AND status <> 'draft')
		WHERE s.enterprise_id = ? ORDER BY s.active DESC, s.family_id`, eid)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Schedule, error) {
		sc := &model.Schedule{Occurrences: []model.Occurrence{}}
		var adj, act int
		err := r.Scan(&sc.ID, &sc.EnterpriseID, &sc.FamilyID, &sc.ChecklistTitle, &sc.Frequency, &adj, &act)
		sc.Adjusted, sc.Active = adj == 1, act == 1
		return sc, err
	})
	if err != nil {
		return nil, err
	}
	by := map[int64]*model.Schedule{}
	for _, sc := range out {
		by[sc.ID] = sc
	}
	from := string(model.Today(s.Now()).AddDays(-366))
	rows, err = s.query(ctx, `SELECT `+occurrenceColumns+` FROM occurrences o`+familyTitle+`
		WHERE o.enterprise_id = ? AND o.due_on >= ? ORDER BY o.period_start DESC, o.id DESC`, eid, from)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		o, err := scanOccurrence(r, false)
		if sc := by[o.ScheduleID]; sc != nil && err == nil {
			sc.Occurrences = append(sc.Occurrences, o)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if out == nil {
		out = []*model.Schedule{}
	}
	return out, nil
}

// SetSchedule sets a schedule's frequency by hand, or back to what the
// enterprise's facts give when freq is "": the association of the
// enterprise's town or the bureau.
func (s *Store) SetSchedule(ctx context.Context, a model.Actor, id int64, freq string) (*model.Schedule, error) {
	var eid, family int64
	if err := s.queryRow(ctx, `SELECT enterprise_id, family_id FROM schedules WHERE id = ?`, id).Scan(&eid, &family); err != nil {
		return nil, notFound(err)
	}
	e, err := s.Enterprise(ctx, a, eid)
	if err != nil {
		return nil, err
	}
	if !a.MaySetSchedule(e) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	adjusted := freq != ""
	if !adjusted {
		freq = model.DefaultFrequency(e)
	} else if err := model.ValidFrequency(freq); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		var old string
		var active int
		if err := tx.QueryRow(ctx, `SELECT frequency, active FROM schedules WHERE id = ?`+s.dialect.forUpdate(), id).Scan(&old, &active); err != nil {
			return err
		}
		if active == 0 {
			return model.Errorf(model.ErrConflict, "err.schedule.inactive")
		}
		if err := s.setScheduleFrequency(ctx, tx, id, eid, family, freq, adjusted, model.Today(s.Now())); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "schedule.set", "schedule", &id, model.Changes{"frequency": {Old: old, New: freq}, "adjusted": {New: adjusted}})
	})
	if err != nil {
		return nil, fmt.Errorf("set schedule: %w", err)
	}
	scs, err := s.Schedules(ctx, a, eid)
	if err != nil {
		return nil, err
	}
	for _, sc := range scs {
		if sc.ID == id {
			return sc, nil
		}
	}
	return nil, model.Errorf(model.ErrNotFound, "err.not_found")
}

// OccurrenceFilter narrows a list of occurrences.
type OccurrenceFilter struct {
	EnterpriseID int64
	RegionID     int64
	Statuses     []string
	Limit        int
}

// Occurrences lists occurrences of enterprises in the actor's scope,
// earliest due first: what is due (scheduled, in progress, overdue) with
// period started, or what was missed in the last 90 days.
func (s *Store) Occurrences(ctx context.Context, a model.Actor, f OccurrenceFilter) ([]model.Occurrence, error) {
	cond, args := scopeSQL(a.Scope())
	today := model.Today(s.Now())
	q := `SELECT ` + occurrenceColumns + `, e.name FROM occurrences o JOIN enterprises e ON e.id = o.enterprise_id` + familyTitle + `
		WHERE ` + cond + ` AND o.period_start <= ? AND o.due_on >= ?`
	args = append(args, string(today), string(today.AddDays(-90)))
	if f.EnterpriseID != 0 {
		q += ` AND o.enterprise_id = ?`
		args = append(args, f.EnterpriseID)
	}
	if f.RegionID != 0 {
		q += ` AND e.region_id = ?`
		args = append(args, f.RegionID)
	}
	if len(f.Statuses) > 0 {
		q += ` AND o.status IN (?` + strings.Repeat(`, ?`, len(f.Statuses)-1) + `)`
		for _, st := range f.Statuses {
			args = append(args, st)
		}
	}
	if f.Limit <= 0 || f.Limit > 200 {
		f.Limit = 200
	}
	rows, err := s.query(ctx, q+` ORDER BY o.due_on, o.id LIMIT `+strconv.Itoa(f.Limit), args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.Occurrence, error) { return scanOccurrence(r, true) })
	if out == nil {
		out = []model.Occurrence{}
	}
	return out, err
}
