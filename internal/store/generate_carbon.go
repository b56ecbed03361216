package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// GenerateActivity writes months of purchased electricity for generated
// enterprises, in id order from the first one without activity: each gets
// the given number of months up to last month, one line a month against
// the shipped ETS grid factor, until lines rows exist in all. The sums
// the dashboards read are then recounted from the months. For benchmarks.
func (s *Store) GenerateActivity(ctx context.Context, lines, months int, progress func(done int)) (int, error) {
	var factorID int64
	var value float64
	if err := s.queryRow(ctx, `SELECT id, value FROM emission_factors WHERE kind = 'electricity' AND value = 0.5703 AND superseded_by IS NULL`).
		Scan(&factorID, &value); err != nil {
		return 0, fmt.Errorf("the shipped ETS factor: %w", err)
	}
	var have int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM activity_lines`).Scan(&have); err != nil {
		return 0, err
	}
	if have >= lines {
		return have, nil
	}
	var start, hi int64
	if err := s.queryRow(ctx, `SELECT COALESCE(MAX(enterprise_id), 0) FROM activity_months`).Scan(&start); err != nil {
		return 0, err
	}
	if err := s.queryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM enterprises`).Scan(&hi); err != nil {
		return 0, err
	}
	now := s.Now().In(model.ChinaTime)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, model.ChinaTime).AddDate(0, -months, 0)
	var vals []string
	var margs []any
	for k := range months {
		vals = append(vals, "(CAST(? AS TEXT), CAST(? AS INTEGER))")
		margs = append(margs, first.AddDate(0, k, 0).Format("2006-01"), k)
	}
	with := `WITH ms(month, k) AS (VALUES ` + strings.Join(vals, ", ") + `) `
	// MWh a month: 20 to 219 by enterprise and month, spread.
	amount := `(20 + (e.id * 7 + ms.k * 13) % 200)`
	at := ms(s.Now())
	const batch = 4_000 // enterprises a transaction
	done := have
	for lo := start + 1; done < lines && lo <= hi; lo += batch {
		up := lo + batch
		err := s.write(ctx, func(tx *Tx) error {
			a := append(append([]any{}, margs...), at, lo, up)
			if _, err := tx.Exec(ctx, with+`INSERT INTO activity_months (enterprise_id, month, output_value, scope1, scope2, updated_by, updated_at)
				SELECT e.id, ms.month, 500 + e.id % 97 * 10, 0, `+amount+` * `+fmt.Sprint(value)+`, NULL, ?
				FROM enterprises e CROSS JOIN ms WHERE e.id >= ? AND e.id < ? AND e.status = 'active'`, a...); err != nil {
				return fmt.Errorf("months: %w", err)
			}
			a = append(append([]any{}, margs...), factorID, lo, up)
			res, err := tx.Exec(ctx, with+`INSERT INTO activity_lines (enterprise_id, month, n, source, factor_id, amount, unit, note, t_co2)
				SELECT e.id, ms.month, 1, 'electricity_in', ?, `+amount+`, 'MWh', '', `+amount+` * `+fmt.Sprint(value)+`
				FROM enterprises e CROSS JOIN ms WHERE e.id >= ? AND e.id < ? AND e.status = 'active'`, a...)
			if err != nil {
				return fmt.Errorf("lines: %w", err)
			}
			n, _ := res.RowsAffected()
			done += int(n)
			return nil
		})
		if err != nil {
			return done, err
		}
		if progress != nil {
			progress(done)
		}
	}
	// The sums, recounted whole from the months.
	err := s.write(ctx, func(tx *Tx) error {
		for _, q := range []string{
			`UPDATE emission_factors SET uses = (SELECT COUNT(*) FROM activity_lines l WHERE l.factor_id = emission_factors.id)`,
			`DELETE FROM carbon_years`,
			`INSERT INTO carbon_years (enterprise_id, year, region_id, scope1, scope2, months)
				SELECT m.enterprise_id, ` + s.dialect.monthYear("m.month") + `, e.region_id, SUM(m.scope1), SUM(m.scope2), COUNT(*)
				FROM activity_months m JOIN enterprises e ON e.id = m.enterprise_id GROUP BY m.enterprise_id, ` + s.dialect.monthYear("m.month") + `, e.region_id`,
			`DELETE FROM region_carbon`,
			`INSERT INTO region_carbon (region_id, year, scope1, scope2, enterprises)
				SELECT region_id, year, SUM(scope1), SUM(scope2), COUNT(*) FROM carbon_years GROUP BY region_id, year`,
		} {
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return done, fmt.Errorf("carbon sums: %w", err)
	}
	return done, s.Analyze(ctx)
}

// CarbonEnterprises lists up to n enterprises with activity in a year.
func (s *Store) CarbonEnterprises(ctx context.Context, year, n int) ([]int64, error) {
	rows, err := s.query(ctx, `SELECT enterprise_id FROM carbon_years WHERE year = ? ORDER BY enterprise_id LIMIT ?`, year, n)
	return scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// LargestTown is the town with the most enterprises.
func (s *Store) LargestTown(ctx context.Context) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT region_id FROM enterprises GROUP BY region_id ORDER BY COUNT(*) DESC, region_id LIMIT 1`).Scan(&id)
	return id, err
}
