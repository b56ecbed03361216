package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

func (s *Store) obligationFacts(ctx context.Context, q querier, eid int64) (model.ObligationFacts, error) {
	var f model.ObligationFacts
	var disclosure int
	err := q.QueryRow(ctx, `SELECT report_frequency, permit_issued_on, disclosure_required, emergency_plan_filed_on FROM obligation_facts
		WHERE enterprise_id = ?`, eid).Scan(&f.ReportFrequency, &f.PermitIssuedOn, &disclosure, &f.EmergencyPlanFiledOn)
	if err == sql.ErrNoRows {
		return f, nil
	}
	f.DisclosureRequired = disclosure == 1
	return f, err
}

// ObligationFacts reads what an enterprise's calendar is derived from.
func (s *Store) ObligationFacts(ctx context.Context, a model.Actor, eid int64) (model.ObligationFacts, error) {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return model.ObligationFacts{}, err
	}
	return s.obligationFacts(ctx, s.reader(), eid)
}

// SetObligationFacts changes them: the enterprise itself or the staff
// whose scope holds it.
func (s *Store) SetObligationFacts(ctx context.Context, a model.Actor, eid int64, f model.ObligationFacts) (model.ObligationFacts, error) {
	if err := f.Validate(); err != nil {
		return f, err
	}
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return f, err
	}
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO obligation_facts (enterprise_id, report_frequency, permit_issued_on, disclosure_required,
			emergency_plan_filed_on, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (enterprise_id) DO UPDATE SET
			report_frequency = excluded.report_frequency, permit_issued_on = excluded.permit_issued_on,
			disclosure_required = excluded.disclosure_required, emergency_plan_filed_on = excluded.emergency_plan_filed_on,
			updated_at = excluded.updated_at`, eid, f.ReportFrequency, f.PermitIssuedOn, boolInt(f.DisclosureRequired), f.EmergencyPlanFiledOn,
			ms(s.Now())); err != nil {
			return err
		}
		if err := s.syncObligations(ctx, tx, eid); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "enterprise.obligation_facts", "enterprise", &eid, model.Changes{
			"report_frequency": {New: f.ReportFrequency}, "permit_issued_on": {New: f.PermitIssuedOn},
			"disclosure_required": {New: f.DisclosureRequired}, "emergency_plan_filed_on": {New: f.EmergencyPlanFiledOn}})
	})
	return f, err
}

// syncObligations derives the enterprise's obligations of this year and
// the next and stores them: new ones added, due dates of undone ones
// updated, undone ones that no longer apply removed; done ones kept.
func (s *Store) syncObligations(ctx context.Context, tx *Tx, eid int64) error {
	e, err := s.enterpriseTx(ctx, tx, model.Scope{All: true}, eid)
	if err != nil {
		return err
	}
	f, err := s.obligationFacts(ctx, tx, eid)
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT `+managerColumns+managerFrom+` WHERE m.enterprise_id = ?`, eid)
	ms_, err := scanAll(rows, err, func(r *sql.Rows) (*model.Manager, error) { return s.scanManager(r) })
	if err != nil {
		return err
	}
	year := s.Now().In(model.ChinaTime).Year()
	keep := map[string]bool{}
	for _, y := range []int{year, year + 1} {
		for _, o := range model.DeriveObligations(e, f, ms_, y) {
			keep[o.Kind+"|"+o.Period] = true
			if _, err := tx.Exec(ctx, `INSERT INTO obligations (enterprise_id, kind, period, due_on) VALUES (?, ?, ?, ?)
				ON CONFLICT (enterprise_id, kind, period) DO UPDATE SET due_on = excluded.due_on WHERE obligations.done_at IS NULL`,
				eid, o.Kind, o.Period, string(o.DueOn)); err != nil {
				return err
			}
		}
	}
	rows, err = tx.Query(ctx, `SELECT id, kind, period FROM obligations WHERE enterprise_id = ? AND done_at IS NULL AND due_on >= ?`,
		eid, fmt.Sprintf("%d-01-01", year))
	var stale []int64
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var id int64
		var kind, period string
		if err := r.Scan(&id, &kind, &period); err != nil {
			return err
		}
		if !keep[kind+"|"+period] {
			stale = append(stale, id)
		}
		return nil
	}); err != nil {
		return err
	}
	for _, id := range stale {
		if _, err := tx.Exec(ctx, `DELETE FROM obligations WHERE id = ?`, id); err != nil {
			return err
		}
	}
	return nil
}

// Obligations lists an enterprise's calendar, soonest first, derived
// afresh from its facts (and kept).
func (s *Store) Obligations(ctx context.Context, a model.Actor, eid int64) ([]model.Obligation, error) {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return nil, err
	}
	if err := s.write(ctx, func(tx *Tx) error { return s.syncObligations(ctx, tx, eid) }); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT id, enterprise_id, kind, period, due_on, done_at, done_ref FROM obligations WHERE enterprise_id = ?
		ORDER BY CASE WHEN done_at IS NULL THEN 0 ELSE 1 END, due_on, id`, eid)
	today := model.Today(s.Now())
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.Obligation, error) {
		var o model.Obligation
		err := r.Scan(&o.ID, &o.EnterpriseID, &o.Kind, &o.Period, &o.DueOn, nullTimeCol{&o.DoneAt}, &o.DoneRef)
		o.Overdue = o.DoneAt == nil && o.DueOn < today
		return o, err
	})
	if out == nil {
		out = []model.Obligation{}
	}
	return out, err
}

// MarkObligationDone records an obligation as done with a reference (a
// filing number, a file name); the enterprise itself or staff in scope.
func (s *Store) MarkObligationDone(ctx context.Context, a model.Actor, id int64, ref string) (*model.Obligation, error) {
	ref = strings.TrimSpace(ref)
	if len([]rune(ref)) > 200 || !model.PlainText(ref, false) {
		return nil, fieldError(model.ErrInvalid, "reference", "err.field.too_long")
	}
	var eid int64
	if err := s.queryRow(ctx, `SELECT enterprise_id FROM obligations WHERE id = ?`, id).Scan(&eid); err != nil {
		return nil, notFound(err)
	}
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE obligations SET done_at = ?, done_ref = ? WHERE id = ? AND done_at IS NULL`, ms(s.Now()), ref, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrConflict, "err.obligation_done")
		}
		if err := s.reassess(ctx, tx, eid); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "obligation.done", "enterprise", &eid, model.Changes{"obligation": {New: id}, "reference": {New: ref}})
	})
	if err != nil {
		return nil, fmt.Errorf("obligation done: %w", err)
	}
	os, err := s.Obligations(ctx, a, eid)
	if err != nil {
		return nil, err
	}
	for _, o := range os {
		if o.ID == id {
			return &o, nil
		}
	}
	return nil, model.NotFound()
}
