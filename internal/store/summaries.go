package store

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"strconv"
)

// SummaryDrift recounts every sum the dashboards read (emissions, the
// towns' figures) from the rows it sums and lists where the two differ (none, when the writing
// transactions kept them right). Tests call it after their writes; an
// operator may run it against a live database.
func (s *Store) SummaryDrift(ctx context.Context) ([]string, error) {
	var out []string
	type sums struct {
		s1, s2 float64
		n      int
	}
	read := func(q string, args ...any) (map[string]sums, error) {
		rows, err := s.query(ctx, q, args...)
		m := map[string]sums{}
		err = eachRow(rows, err, func(r *sql.Rows) error {
			var k1, k2 int64
			var v sums
			if err := r.Scan(&k1, &k2, &v.s1, &v.s2, &v.n); err != nil {
				return err
			}
			m[strconv.FormatInt(k1, 10)+"/"+strconv.FormatInt(k2, 10)] = v
			return nil
		})
		return m, err
	}
	compare := func(what string, kept, counted map[string]sums) {
		for k, c := range counted {
			v, ok := kept[k]
			if !ok || differ(v.s1, c.s1) || differ(v.s2, c.s2) || v.n != c.n {
				out = append(out, fmt.Sprintf("%s %s: kept %+v, recounted %+v", what, k, v, c))
			}
		}
		for k, v := range kept {
			if _, ok := counted[k]; !ok && (v.n != 0 || differ(v.s1, 0) || differ(v.s2, 0)) {
				out = append(out, fmt.Sprintf("%s %s: kept %+v, recounted nothing", what, k, v))
			}
		}
	}
	year := s.dialect.monthYear("m.month")
	kept, err := read(`SELECT enterprise_id, year, scope1, scope2, months FROM carbon_years`)
	if err != nil {
		return nil, err
	}
	counted, err := read(`SELECT m.enterprise_id, ` + year + `, SUM(m.scope1), SUM(m.scope2), COUNT(*) FROM activity_months m GROUP BY m.enterprise_id, ` + year)
	if err != nil {
		return nil, err
	}
	compare("carbon_years", kept, counted)
	// Each month's totals are the sum of its lines.
	monthKept, err := read(`SELECT m.enterprise_id, ` + s.dialect.monthNumber("m.month") + `, m.scope1, m.scope2, 0 FROM activity_months m`)
	if err != nil {
		return nil, err
	}
	monthCounted, err := read(`SELECT m.enterprise_id, ` + s.dialect.monthNumber("m.month") + `,
		COALESCE(SUM(CASE WHEN l.source IN ('fuel', 'process') THEN l.t_co2 END), 0),
		COALESCE(SUM(CASE WHEN l.source NOT IN ('fuel', 'process') THEN l.t_co2 END), 0), 0
		FROM activity_months m LEFT JOIN activity_lines l ON l.enterprise_id = m.enterprise_id AND l.month = m.month
		GROUP BY m.enterprise_id, m.month`)
	if err != nil {
		return nil, err
	}
	compare("activity_months", monthKept, monthCounted)
	kept, err = read(`SELECT region_id, year, scope1, scope2, enterprises FROM region_carbon`)
	if err != nil {
		return nil, err
	}
	counted, err = read(`SELECT e.region_id, c.year, SUM(c.scope1), SUM(c.scope2), COUNT(*) FROM carbon_years c
		JOIN enterprises e ON e.id = c.enterprise_id GROUP BY e.region_id, c.year`)
	if err != nil {
		return nil, err
	}
	compare("region_carbon", kept, counted)
	uses, err := read(`SELECT f.id, 0, 0, 0, f.uses FROM emission_factors f`)
	if err != nil {
		return nil, err
	}
	usesCounted, err := read(`SELECT f.id, 0, 0, 0, COUNT(l.factor_id) FROM emission_factors f LEFT JOIN activity_lines l ON l.factor_id = f.id GROUP BY f.id`)
	if err != nil {
		return nil, err
	}
	compare("emission_factors.uses", uses, usesCounted)
	// Each class's seats taken and waiting, which the dashboards sum.
	seats, err := read(`SELECT id, 0, 0, 0, booked * 100000 + waitlisted FROM classes`)
	if err != nil {
		return nil, err
	}
	seatsCounted, err := read(`SELECT k.id, 0, 0, 0, SUM(CASE WHEN b.status IN ('confirmed', 'offered') THEN 100000 WHEN b.status = 'waitlisted' THEN 1 ELSE 0 END)
		FROM classes k LEFT JOIN bookings b ON b.class_id = k.id GROUP BY k.id`)
	if err != nil {
		return nil, err
	}
	compare("classes.booked*100000+waitlisted", seats, seatsCounted)
	facts, err := s.factDrift(ctx)
	if err != nil {
		return nil, err
	}
	out = append(out, facts...)
	towns, err := s.townDrift(ctx)
	return append(out, towns...), err
}

// differ tells a kept sum from its recount beyond the rounding of adding
// the same numbers in another order (relative, for a county's tonnes).
func differ(kept, counted float64) bool {
	return math.Abs(kept-counted) > 1e-6*math.Max(1, math.Abs(counted))
}
