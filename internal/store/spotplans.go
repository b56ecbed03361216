package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// monthBounds are the first instant of a month (China time) and of the
// next, in milliseconds.
func monthBounds(m string) (int64, int64) {
	t, _ := time.ParseInLocation("2006-01", m, model.ChinaTime)
	return ms(t), ms(t.AddDate(0, 1, 0))
}

// SpotPlan reads a month's spot-check plan in the actor's scope (its town
// for an association; regionID narrows the bureau's), with suggestions
// from the town, or from the county when the bureau names no town.
func (s *Store) SpotPlan(ctx context.Context, a model.Actor, month string, regionID int64) (*model.SpotPlan, error) {
	sc := a.Scope()
	if !sc.All && sc.RegionID == 0 {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := model.ValidMonth(month, model.Today(s.Now()), false); err != nil {
		return nil, err
	}
	if !sc.All {
		regionID = sc.RegionID
	}
	from, to := monthBounds(month)
	q := `SELECT p.id, p.enterprise_id, e.name, r.name, e.color, p.month, p.planned_by, p.created_at,
		(SELECT MAX(i.id) FROM inspections i WHERE i.enterprise_id = p.enterprise_id AND i.kind = 'spot' AND i.created_at >= ? AND i.created_at < ?),
		(SELECT COUNT(*) FROM inspections i WHERE i.enterprise_id = p.enterprise_id AND i.kind = 'spot' AND i.status = 'submitted'
			AND i.submitted_at >= ? AND i.submitted_at < ?)
		FROM spot_plans p JOIN enterprises e ON e.id = p.enterprise_id JOIN regions r ON r.id = e.region_id WHERE p.month = ?`
	args := []any{from, to, from, to, month}
	if regionID != 0 {
		q += ` AND p.region_id = ?`
		args = append(args, regionID)
	}
	rows, err := s.query(ctx, q+` ORDER BY r.code, p.id LIMIT 500`, args...)
	plan := &model.SpotPlan{Month: month, Suggestions: []model.SpotCandidate{}}
	plan.Items, err = scanAll(rows, err, func(r *sql.Rows) (model.SpotPlanItem, error) {
		var it model.SpotPlanItem
		var insp sql.NullInt64
		var done int
		err := r.Scan(&it.ID, &it.EnterpriseID, &it.EnterpriseName, &it.RegionName, &it.Color, &it.Month, &it.PlannedBy, timeCol{&it.CreatedAt}, &insp, &done)
		if insp.Valid {
			it.InspectionID = &insp.Int64
		}
		it.Done = done > 0
		return it, err
	})
	if err != nil {
		return nil, fmt.Errorf("spot plan: %w", err)
	}
	if plan.Items == nil {
		plan.Items = []model.SpotPlanItem{}
	}
	// Suggestions walk the colour index: red first, then yellow, then those
	// never assessed, then green.
	for _, color := range []string{model.Red, model.Yellow, "", model.Green} {
		if len(plan.Suggestions) >= 10 {
			break
		}
		q := `SELECT e.id, e.name, r.name, e.color, (SELECT COUNT(*) FROM honesty_flags f WHERE f.enterprise_id = e.id)
			FROM enterprises e JOIN regions r ON r.id = e.region_id WHERE e.color = ? AND e.status = 'active'
			AND NOT EXISTS (SELECT 1 FROM spot_plans p WHERE p.enterprise_id = e.id AND p.month = ?)`
		args := []any{color, month}
		if regionID != 0 {
			q += ` AND e.region_id = ?`
			args = append(args, regionID)
		}
		rows, err := s.query(ctx, q+` ORDER BY e.id DESC LIMIT ?`, append(args, 10-len(plan.Suggestions))...)
		more, err := scanAll(rows, err, func(r *sql.Rows) (model.SpotCandidate, error) {
			var c model.SpotCandidate
			return c, r.Scan(&c.EnterpriseID, &c.EnterpriseName, &c.RegionName, &c.Color, &c.HonestyFlags)
		})
		if err != nil {
			return nil, fmt.Errorf("spot suggestions: %w", err)
		}
		plan.Suggestions = append(plan.Suggestions, more...)
	}
	return plan, nil
}

// PlanSpotCheck adds an enterprise of the actor's town (any, for the
// bureau) to a month's plan; the month must not be over.
func (s *Store) PlanSpotCheck(ctx context.Context, a model.Actor, enterpriseID int64, month string) (*model.SpotPlanItem, error) {
	if !a.MayRunInspection(model.InspectionSpot) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := model.ValidMonth(month, model.Today(s.Now()), true); err != nil {
		return nil, err
	}
	e, err := s.Enterprise(ctx, a, enterpriseID)
	if err != nil {
		return nil, fieldError(model.ErrInvalid, "enterprise_id", "err.field.no_such_enterprise")
	}
	var id int64
	err = s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM spot_plans WHERE enterprise_id = ? AND month = ?`, e.ID, month).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return model.Errorf(model.ErrConflict, "err.spot_plan.planned")
		}
		if err := tx.QueryRow(ctx, `INSERT INTO spot_plans (enterprise_id, region_id, month, planned_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			e.ID, e.RegionID, month, a.Name(), ms(s.Now())).Scan(&id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "spot_plan.add", "enterprise", &e.ID, model.Changes{"month": {New: month}})
	})
	if err != nil {
		return nil, fmt.Errorf("plan spot check: %w", err)
	}
	plan, err := s.SpotPlan(ctx, a, month, e.RegionID)
	if err != nil {
		return nil, err
	}
	for _, it := range plan.Items {
		if it.ID == id {
			return &it, nil
		}
	}
	return nil, model.NotFound()
}

// UnplanSpotCheck takes an entry off a plan (whoever may plan its town).
func (s *Store) UnplanSpotCheck(ctx context.Context, a model.Actor, id int64) error {
	if !a.MayRunInspection(model.InspectionSpot) {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	var eid int64
	if err := s.queryRow(ctx, `SELECT enterprise_id FROM spot_plans WHERE id = ?`, id).Scan(&eid); err != nil {
		return notFound(err)
	}
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM spot_plans WHERE id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "spot_plan.remove", "enterprise", &eid, nil)
	})
}
