package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/envhome/envhome/internal/model"
)

const factorColumns = `id, kind, name, year, scope, region, value, unit, ncv, carbon_content, oxidation, source, announced_on,
	superseded_by, uses, created_at`

func scanFactor(r rowScanner) (*model.Factor, error) {
	f := &model.Factor{}
	var on string
	err := r.Scan(&f.ID, &f.Kind, &f.Name, &f.Year, &f.Scope, &f.Region, &f.Value, &f.Unit, &f.NCV, &f.CarbonContent, &f.Oxidation,
		&f.Source, &on, &f.SupersededBy, &f.Uses, timeCol{&f.CreatedAt})
	f.AnnouncedOn = model.Date(on)
	return f, err
}

// Factors lists the factors, the current ones first, newest year first;
// kind "" lists every kind.
func (s *Store) Factors(ctx context.Context, kind string) ([]*model.Factor, error) {
	q, args := `SELECT `+factorColumns+` FROM emission_factors`, []any{}
	if kind != "" {
		q += ` WHERE kind = ?`
		args = append(args, kind)
	}
	rows, err := s.query(ctx, q+` ORDER BY CASE WHEN superseded_by IS NULL THEN 0 ELSE 1 END, kind, year DESC, id DESC`, args...)
	return scanAll(rows, err, func(r *sql.Rows) (*model.Factor, error) { return scanFactor(r) })
}

// Factor reads one factor.
func (s *Store) Factor(ctx context.Context, id int64) (*model.Factor, error) {
	f, err := scanFactor(s.queryRow(ctx, `SELECT `+factorColumns+` FROM emission_factors WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	return f, nil
}

// AddFactor stores a factor the bureau enters.
func (s *Store) AddFactor(ctx context.Context, a model.Actor, in model.FactorInput) (*model.Factor, error) {
	if !a.IsAdmin() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := in.Validate(model.Today(s.Now())); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		id, err = s.insertFactor(ctx, tx, a, in)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("add factor: %w", err)
	}
	return s.Factor(ctx, id)
}

func (s *Store) insertFactor(ctx context.Context, tx *Tx, a model.Actor, in model.FactorInput) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO emission_factors (kind, name, year, scope, region, value, unit, ncv, carbon_content, oxidation,
		source, announced_on, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		in.Kind, in.Name, in.Year, in.Scope, in.Region, in.Value, in.Unit, in.NCV, in.CarbonContent, in.Oxidation,
		in.Source, string(in.AnnouncedOn), a.ID(), ms(s.Now())).Scan(&id); err != nil {
		return 0, err
	}
	return id, s.audit(ctx, tx, a, "factor.add", "factor", &id, model.Changes{"name": {New: in.Name}, "per_unit": {New: in.Value + in.NCV}})
}

// UpdateFactor corrects a factor. Its description changes in place; its
// numbers too while no report uses it. Once one does, new numbers make a
// new factor that supersedes it, and the reports keep the old one until
// their enterprise recomputes them (RefactorYear).
func (s *Store) UpdateFactor(ctx context.Context, a model.Actor, id int64, in model.FactorInput) (*model.Factor, error) {
	if !a.IsAdmin() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := in.Validate(model.Today(s.Now())); err != nil {
		return nil, err
	}
	out := id
	err := s.write(ctx, func(tx *Tx) error {
		old, err := scanFactor(tx.QueryRow(ctx, `SELECT `+factorColumns+` FROM emission_factors WHERE id = ?`+s.dialect.forUpdate(), id))
		if err != nil {
			return notFound(err)
		}
		if !old.Current() {
			return model.Errorf(model.ErrConflict, "err.carbon.superseded")
		}
		next := &model.Factor{Kind: in.Kind, Unit: in.Unit, Value: in.Value, NCV: in.NCV, CarbonContent: in.CarbonContent, Oxidation: in.Oxidation}
		if old.Uses > 0 && !old.SameNumbers(next) {
			if out, err = s.insertFactor(ctx, tx, a, in); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE emission_factors SET superseded_by = ? WHERE id = ?`, out, id); err != nil {
				return err
			}
			return s.audit(ctx, tx, a, "factor.supersede", "factor", &id, model.Changes{"superseded_by": {New: out}})
		}
		if _, err := tx.Exec(ctx, `UPDATE emission_factors SET kind = ?, name = ?, year = ?, scope = ?, region = ?, value = ?, unit = ?, ncv = ?,
			carbon_content = ?, oxidation = ?, source = ?, announced_on = ? WHERE id = ?`,
			in.Kind, in.Name, in.Year, in.Scope, in.Region, in.Value, in.Unit, in.NCV, in.CarbonContent, in.Oxidation, in.Source,
			string(in.AnnouncedOn), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "factor.update", "factor", &id, model.Changes{"name": {Old: old.Name, New: in.Name}})
	})
	if err != nil {
		return nil, fmt.Errorf("update factor: %w", err)
	}
	return s.Factor(ctx, out)
}

// factorMap reads the factors with the given ids.
func factorMap(ctx context.Context, queryRow func(ctx context.Context, q string, args ...any) *sql.Row, ids []int64) (map[int64]*model.Factor, error) {
	out := map[int64]*model.Factor{}
	for _, id := range ids {
		if _, ok := out[id]; ok {
			continue
		}
		f, err := scanFactor(queryRow(ctx, `SELECT `+factorColumns+` FROM emission_factors WHERE id = ?`, id))
		if err == sql.ErrNoRows {
			continue
		}
		if err != nil {
			return nil, err
		}
		out[id] = f
	}
	return out, nil
}

// canSee reads the enterprise an actor may see, or not found.
func (s *Store) canSee(ctx context.Context, a model.Actor, enterpriseID int64) (*model.Enterprise, error) {
	return s.Enterprise(ctx, a, enterpriseID)
}

// Activity reads an enterprise's month; a month never entered has no
// lines.
func (s *Store) Activity(ctx context.Context, a model.Actor, enterpriseID int64, month string) (*model.Activity, error) {
	if _, err := s.canSee(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	if _, ok := model.ParseMonth(month); !ok {
		return nil, model.CheckMonth(month, s.Now())
	}
	act := &model.Activity{EnterpriseID: enterpriseID, Month: month, Lines: []model.ActivityLine{}}
	err := s.queryRow(ctx, `SELECT output_value, scope1, scope2, updated_at FROM activity_months WHERE enterprise_id = ? AND month = ?`,
		enterpriseID, month).Scan(&act.OutputValue, &act.Scope1, &act.Scope2, timeCol{&act.UpdatedAt})
	if err == sql.ErrNoRows {
		return act, nil
	}
	if err != nil {
		return nil, err
	}
	lines, err := s.activityLines(ctx, enterpriseID, month, month)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, l := range lines {
		if l.FactorID != nil {
			ids = append(ids, *l.FactorID)
		}
	}
	fs, err := factorMap(ctx, s.queryRow, ids)
	if err != nil {
		return nil, err
	}
	for i := range lines {
		l := &lines[i]
		var f *model.Factor
		per := 1.0
		if l.FactorID != nil {
			f = fs[*l.FactorID]
			per = model.UnitFactor(f.Unit, l.Unit)
		}
		_, l.Formula = model.LineEmissions(l.Source, l.Amount, l.Unit, per, f)
	}
	if lines != nil {
		act.Lines = lines
	}
	return act, nil
}

func (s *Store) activityLines(ctx context.Context, enterpriseID int64, from, to string) ([]model.ActivityLine, error) {
	rows, err := s.query(ctx, `SELECT source, factor_id, amount, unit, note, t_co2 FROM activity_lines
		WHERE enterprise_id = ? AND month >= ? AND month <= ? ORDER BY month, n`, enterpriseID, from, to)
	return scanAll(rows, err, func(r *sql.Rows) (model.ActivityLine, error) {
		var l model.ActivityLine
		return l, r.Scan(&l.Source, &l.FactorID, &l.Amount, &l.Unit, &l.Note, &l.TCO2)
	})
}

// PutActivity stores an enterprise's month in place of what it held, and
// moves the year's and the town's sums by the difference in the same
// transaction. Lines may name current factors, or keep one the month
// already used; amounts the check finds unusual need Confirm.
func (s *Store) PutActivity(ctx context.Context, a model.Actor, enterpriseID int64, month string, in model.ActivityInput) (*model.Activity, error) {
	e, err := s.canSee(ctx, a, enterpriseID)
	if err != nil {
		return nil, err
	}
	if !a.MayEnterActivity(enterpriseID) {
		return nil, model.Errorf(model.ErrForbidden, "err.carbon.not_yours")
	}
	if err := model.CheckMonth(month, s.Now()); err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		return s.putMonth(ctx, tx, a, e, month, &in)
	})
	if err != nil {
		return nil, fmt.Errorf("put activity: %w", err)
	}
	return s.Activity(ctx, a, enterpriseID, month)
}

// putMonth checks and writes one month inside tx.
func (s *Store) putMonth(ctx context.Context, tx *Tx, a model.Actor, e *model.Enterprise, month string, in *model.ActivityInput) error {
	if err := s.dialect.lockKey(ctx, tx, "carbon:"+strconv.FormatInt(e.ID, 10)); err != nil {
		return err
	}
	kept := map[int64]bool{}
	rows, err := tx.Query(ctx, `SELECT DISTINCT factor_id FROM activity_lines WHERE enterprise_id = ? AND month = ? AND factor_id IS NOT NULL`, e.ID, month)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		kept[id] = true
		return err
	}); err != nil {
		return err
	}
	ids := []int64{}
	for _, l := range in.Lines {
		if l.FactorID != nil {
			ids = append(ids, *l.FactorID)
		}
	}
	fs, err := factorMap(ctx, tx.QueryRow, ids)
	if err != nil {
		return err
	}
	for id, f := range fs {
		if !f.Current() && !kept[id] {
			delete(fs, id) // superseded: only a month that used it keeps it
		}
	}
	history, err := s.activityHistory(ctx, tx, e.ID, month)
	if err != nil {
		return err
	}
	if err := in.Check(fs, history); err != nil {
		return err
	}
	var old1, old2 float64
	existed := true
	if err := tx.QueryRow(ctx, `SELECT scope1, scope2 FROM activity_months WHERE enterprise_id = ? AND month = ?`, e.ID, month).Scan(&old1, &old2); err == sql.ErrNoRows {
		existed = false
	} else if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE emission_factors SET uses = uses - (SELECT COUNT(*) FROM activity_lines l
		WHERE l.enterprise_id = ? AND l.month = ? AND l.factor_id = emission_factors.id) WHERE id IN (SELECT factor_id FROM activity_lines
		WHERE enterprise_id = ? AND month = ?)`, e.ID, month, e.ID, month); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM activity_lines WHERE enterprise_id = ? AND month = ?`, e.ID, month); err != nil {
		return err
	}
	year, _ := strconv.Atoi(month[:4])
	s1, s2 := model.ScopeTotals(in.Lines)
	empty := len(in.Lines) == 0 && in.OutputValue == nil
	monthsDelta := 0
	switch {
	case empty && existed:
		monthsDelta = -1
		if _, err := tx.Exec(ctx, `DELETE FROM activity_months WHERE enterprise_id = ? AND month = ?`, e.ID, month); err != nil {
			return err
		}
	case empty:
		return nil
	default:
		if !existed {
			monthsDelta = 1
		}
		if _, err := tx.Exec(ctx, `INSERT INTO activity_months (enterprise_id, month, output_value, scope1, scope2, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (enterprise_id, month) DO UPDATE SET output_value = excluded.output_value,
			scope1 = excluded.scope1, scope2 = excluded.scope2, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			e.ID, month, in.OutputValue, s1, s2, a.ID(), ms(s.Now())); err != nil {
			return err
		}
		for i, l := range in.Lines {
			if _, err := tx.Exec(ctx, `INSERT INTO activity_lines (enterprise_id, month, n, source, factor_id, amount, unit, note, t_co2)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, month, i+1, l.Source, l.FactorID, l.Amount, l.Unit, l.Note, l.TCO2); err != nil {
				return err
			}
			if l.FactorID != nil {
				if _, err := tx.Exec(ctx, `UPDATE emission_factors SET uses = uses + 1 WHERE id = ?`, *l.FactorID); err != nil {
					return err
				}
			}
		}
	}
	if err := s.addCarbon(ctx, tx, e.ID, e.RegionID, year, s1-old1, s2-old2, monthsDelta); err != nil {
		return err
	}
	changes := model.Changes{"scope1": {Old: old1, New: s1}, "scope2": {Old: old2, New: s2}}
	if in.Confirm {
		changes["confirmed"] = model.Change{New: true}
	}
	id := e.ID
	return s.audit(ctx, tx, a, "activity.put", "enterprise", &id, changes)
}

// addCarbon moves an enterprise's year and its town's year by a month's
// change.
func (s *Store) addCarbon(ctx context.Context, tx *Tx, enterpriseID, regionID int64, year int, d1, d2 float64, months int) error {
	var before int
	err := tx.QueryRow(ctx, `SELECT months FROM carbon_years WHERE enterprise_id = ? AND year = ?`, enterpriseID, year).Scan(&before)
	if err == sql.ErrNoRows {
		if months <= 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO carbon_years (enterprise_id, year, region_id, scope1, scope2, months) VALUES (?, ?, ?, ?, ?, ?)`,
			enterpriseID, year, regionID, d1, d2, months); err != nil {
			return err
		}
	} else if err != nil {
		return err
	} else if before+months == 0 {
		if _, err := tx.Exec(ctx, `DELETE FROM carbon_years WHERE enterprise_id = ? AND year = ?`, enterpriseID, year); err != nil {
			return err
		}
	} else if _, err := tx.Exec(ctx, `UPDATE carbon_years SET scope1 = scope1 + ?, scope2 = scope2 + ?, months = months + ?
		WHERE enterprise_id = ? AND year = ?`, d1, d2, months, enterpriseID, year); err != nil {
		return err
	}
	ents := 0
	switch {
	case before == 0 && months > 0:
		ents = 1
	case before > 0 && before+months == 0:
		ents = -1
	}
	_, err = tx.Exec(ctx, `INSERT INTO region_carbon (region_id, year, scope1, scope2, enterprises) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (region_id, year) DO UPDATE SET scope1 = region_carbon.scope1 + excluded.scope1,
		scope2 = region_carbon.scope2 + excluded.scope2, enterprises = region_carbon.enterprises + excluded.enterprises`,
		regionID, year, d1, d2, ents)
	return err
}

// moveCarbon carries an enterprise's years from its old town's sums to
// its new town's when it moves.
func (s *Store) moveCarbon(ctx context.Context, tx *Tx, enterpriseID, from, to int64) error {
	if from == to {
		return nil
	}
	type yr struct {
		year   int
		s1, s2 float64
	}
	rows, err := tx.Query(ctx, `SELECT year, scope1, scope2 FROM carbon_years WHERE enterprise_id = ?`, enterpriseID)
	years, err := scanAll(rows, err, func(r *sql.Rows) (yr, error) {
		var y yr
		return y, r.Scan(&y.year, &y.s1, &y.s2)
	})
	if err != nil {
		return err
	}
	for _, y := range years {
		for _, side := range []struct {
			region int64
			sign   float64
		}{{from, -1}, {to, 1}} {
			if _, err := tx.Exec(ctx, `INSERT INTO region_carbon (region_id, year, scope1, scope2, enterprises) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (region_id, year) DO UPDATE SET scope1 = region_carbon.scope1 + excluded.scope1,
				scope2 = region_carbon.scope2 + excluded.scope2, enterprises = region_carbon.enterprises + excluded.enterprises`,
				side.region, y.year, side.sign*y.s1, side.sign*y.s2, int(side.sign)); err != nil {
				return err
			}
		}
	}
	_, err = tx.Exec(ctx, `UPDATE carbon_years SET region_id = ? WHERE enterprise_id = ?`, to, enterpriseID)
	return err
}

// activityHistory reads the enterprise's amounts of the twelve months
// before month, in each factor's unit, by source and factor unit: what
// the unusual-amount check compares with.
func (s *Store) activityHistory(ctx context.Context, tx *Tx, enterpriseID int64, month string) (map[string][]float64, error) {
	t, _ := model.ParseMonth(month)
	from := t.AddDate(-1, 0, 0).Format("2006-01")
	rows, err := tx.Query(ctx, `SELECT l.source, COALESCE(f.unit, ''), l.unit, SUM(l.amount) FROM activity_lines l
		LEFT JOIN emission_factors f ON f.id = l.factor_id
		WHERE l.enterprise_id = ? AND l.month >= ? AND l.month < ? GROUP BY l.month, l.source, f.unit, l.unit`, enterpriseID, from, month)
	out := map[string][]float64{}
	err = eachRow(rows, err, func(r *sql.Rows) error {
		var source, fu, u string
		var sum float64
		if err := r.Scan(&source, &fu, &u, &sum); err != nil {
			return err
		}
		k := source + "|" + fu
		out[k] = append(out[k], sum*model.UnitFactor(fu, u))
		return nil
	})
	return out, err
}

// Emissions reads an enterprise's year: its lines summed by source and
// factor, its months, and last year's totals.
func (s *Store) Emissions(ctx context.Context, a model.Actor, enterpriseID int64, year int) (*model.Emissions, error) {
	if _, err := s.canSee(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	if year < 2000 || year > s.Now().In(model.ChinaTime).Year() {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{"year": "err.carbon.year"}}
	}
	from, to := fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year)
	out := &model.Emissions{EnterpriseID: enterpriseID, Year: year, Months: []model.MonthEmissions{}}
	rows, err := s.query(ctx, `SELECT month, scope1, scope2, output_value FROM activity_months
		WHERE enterprise_id = ? AND month >= ? AND month <= ? ORDER BY month`, enterpriseID, from, to)
	if out.Months, err = scanAll(rows, err, func(r *sql.Rows) (model.MonthEmissions, error) {
		var m model.MonthEmissions
		return m, r.Scan(&m.Month, &m.Scope1, &m.Scope2, &m.OutputValue)
	}); err != nil {
		return nil, err
	}
	if out.Months == nil {
		out.Months = []model.MonthEmissions{}
	}
	lines, err := s.activityLines(ctx, enterpriseID, from, to)
	if err != nil {
		return nil, err
	}
	ids := []int64{}
	for _, l := range lines {
		if l.FactorID != nil {
			ids = append(ids, *l.FactorID)
		}
	}
	fs, err := factorMap(ctx, s.queryRow, ids)
	if err != nil {
		return nil, err
	}
	out.Lines = model.YearLines(lines, fs)
	var last model.YearTotals
	err = s.queryRow(ctx, `SELECT scope1, scope2 FROM carbon_years WHERE enterprise_id = ? AND year = ?`, enterpriseID, year-1).Scan(&last.Scope1, &last.Scope2)
	if err == nil {
		last.Year, last.Total = year-1, model.Round(last.Scope1+last.Scope2, 3)
		last.Scope1, last.Scope2 = model.Round(last.Scope1, 3), model.Round(last.Scope2, 3)
		out.LastYear = &last
	} else if err != sql.ErrNoRows {
		return nil, err
	}
	out.Finish()
	return out, nil
}

// RefactorYear recomputes an enterprise's year with the current version
// of every superseded factor its lines use; lines on current factors stay
// as they are.
func (s *Store) RefactorYear(ctx context.Context, a model.Actor, enterpriseID int64, year int) (*model.Emissions, error) {
	e, err := s.canSee(ctx, a, enterpriseID)
	if err != nil {
		return nil, err
	}
	if !a.MayEnterActivity(enterpriseID) {
		return nil, model.Errorf(model.ErrForbidden, "err.carbon.not_yours")
	}
	from, to := fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year)
	err = s.write(ctx, func(tx *Tx) error {
		if err := s.dialect.lockKey(ctx, tx, "carbon:"+strconv.FormatInt(enterpriseID, 10)); err != nil {
			return err
		}
		type line struct {
			month       string
			n           int
			source      string
			factor      int64
			amount, t   float64
			unit        string
			replacement *model.Factor
		}
		rows, err := tx.Query(ctx, `SELECT l.month, l.n, l.source, l.factor_id, l.amount, l.t_co2, l.unit FROM activity_lines l
			JOIN emission_factors f ON f.id = l.factor_id
			WHERE l.enterprise_id = ? AND l.month >= ? AND l.month <= ? AND f.superseded_by IS NOT NULL`, enterpriseID, from, to)
		lines, err := scanAll(rows, err, func(r *sql.Rows) (line, error) {
			var l line
			return l, r.Scan(&l.month, &l.n, &l.source, &l.factor, &l.amount, &l.t, &l.unit)
		})
		if err != nil || len(lines) == 0 {
			return err
		}
		current := map[int64]*model.Factor{}
		for i := range lines {
			l := &lines[i]
			if f, ok := current[l.factor]; ok {
				l.replacement = f
				continue
			}
			f, err := s.currentFactor(ctx, tx, l.factor)
			if err != nil {
				return err
			}
			current[l.factor], l.replacement = f, f
		}
		d1, d2 := map[string]float64{}, map[string]float64{}
		for _, l := range lines {
			f := l.replacement
			per := model.UnitFactor(f.Unit, l.unit)
			t, _ := model.LineEmissions(l.source, l.amount, l.unit, per, f)
			if _, err := tx.Exec(ctx, `UPDATE activity_lines SET factor_id = ?, t_co2 = ? WHERE enterprise_id = ? AND month = ? AND n = ?`,
				f.ID, t, enterpriseID, l.month, l.n); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE emission_factors SET uses = uses + CASE WHEN id = ? THEN 1 ELSE -1 END WHERE id IN (?, ?)`,
				f.ID, f.ID, l.factor); err != nil {
				return err
			}
			if model.SourceScope(l.source) == 1 {
				d1[l.month] += t - l.t
			} else {
				d2[l.month] += t - l.t
			}
		}
		var y1, y2 float64
		for m := range mergeKeys(d1, d2) {
			if _, err := tx.Exec(ctx, `UPDATE activity_months SET scope1 = scope1 + ?, scope2 = scope2 + ?, updated_at = ? WHERE enterprise_id = ? AND month = ?`,
				d1[m], d2[m], ms(s.Now()), enterpriseID, m); err != nil {
				return err
			}
			y1 += d1[m]
			y2 += d2[m]
		}
		if err := s.addCarbon(ctx, tx, enterpriseID, e.RegionID, year, y1, y2, 0); err != nil {
			return err
		}
		id := enterpriseID
		return s.audit(ctx, tx, a, "activity.refactor", "enterprise", &id, model.Changes{"year": {New: year}, "lines": {New: len(lines)}})
	})
	if err != nil {
		return nil, fmt.Errorf("refactor year: %w", err)
	}
	return s.Emissions(ctx, a, enterpriseID, year)
}

// currentFactor follows a factor's supersessions to the version reports
// may choose now.
func (s *Store) currentFactor(ctx context.Context, tx *Tx, id int64) (*model.Factor, error) {
	for range 100 {
		f, err := scanFactor(tx.QueryRow(ctx, `SELECT `+factorColumns+` FROM emission_factors WHERE id = ?`, id))
		if err != nil {
			return nil, err
		}
		if f.SupersededBy == nil {
			return f, nil
		}
		id = *f.SupersededBy
	}
	return nil, fmt.Errorf("factor %d: supersession chain too long", id)
}

func mergeKeys(a, b map[string]float64) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// ImportActivity stores many months at once, all or none: each month in
// place of what it held. A month's problems come back with their fields
// named "month.lines.n.field".
func (s *Store) ImportActivity(ctx context.Context, a model.Actor, enterpriseID int64, months []string, inputs map[string]*model.ActivityInput) error {
	e, err := s.canSee(ctx, a, enterpriseID)
	if err != nil {
		return err
	}
	if !a.MayEnterActivity(enterpriseID) {
		return model.Errorf(model.ErrForbidden, "err.carbon.not_yours")
	}
	v := model.Validation{}
	for _, m := range months {
		if err := model.CheckMonth(m, s.Now()); err != nil {
			v.Add(m+".month", err.(*model.Error).Fields["month"])
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	err = s.write(ctx, func(tx *Tx) error {
		all := &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{}}
		for _, m := range months {
			err := s.putMonth(ctx, tx, a, e, m, inputs[m])
			var me *model.Error
			if errors.As(err, &me) && me.Code == model.ErrInvalid {
				for f, k := range me.Fields {
					all.Fields[m+"."+f] = k
				}
				if me.Message == "err.carbon.confirm" && all.Message == "err.invalid" {
					all.Message = me.Message
				}
				continue
			}
			if err != nil {
				return err
			}
		}
		if len(all.Fields) > 0 {
			for _, k := range all.Fields {
				if k != "err.carbon.check_amount" {
					all.Message = "err.invalid"
				}
			}
			return all
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("import activity: %w", err)
	}
	return nil
}

// ActivityYear reads every month of a year that holds data, with its
// lines and their formulas.
func (s *Store) ActivityYear(ctx context.Context, a model.Actor, enterpriseID int64, year int) ([]*model.Activity, error) {
	if _, err := s.canSee(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT month FROM activity_months WHERE enterprise_id = ? AND month >= ? AND month <= ? ORDER BY month`,
		enterpriseID, fmt.Sprintf("%04d-01", year), fmt.Sprintf("%04d-12", year))
	months, err := scanAll(rows, err, func(r *sql.Rows) (string, error) {
		var m string
		return m, r.Scan(&m)
	})
	if err != nil {
		return nil, err
	}
	out := make([]*model.Activity, 0, len(months))
	for _, m := range months {
		act, err := s.Activity(ctx, a, enterpriseID, m)
		if err != nil {
			return nil, err
		}
		out = append(out, act)
	}
	return out, nil
}
