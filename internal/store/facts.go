package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

// Kinds of an enterprise's multi-valued facts kept as rows
// (enterprise_facts), beside the text columns that are the record's copy.
// A technology case's industries and pollutants are kept the same way
// (case_facts).
const (
	factKeyList   = "key_list"
	factPollutant = "pollutant"
	factIndustry  = "industry"
)

// putFacts replaces the fact rows of the enterprises (ids set) with what
// their records say.
func (s *Store) putFacts(ctx context.Context, tx *Tx, es ...*model.Enterprise) error {
	return chunks(es, rowsPerStatement, func(part []*model.Enterprise) error {
		ids := make([]int64, len(part))
		var args []any
		for i, e := range part {
			ids[i] = e.ID
			for _, v := range e.KeyLists {
				args = append(args, factKeyList, v, e.ID, e.RegionID)
			}
			for _, v := range e.Pollutants {
				args = append(args, factPollutant, v, e.ID, e.RegionID)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM enterprise_facts WHERE enterprise_id IN (`+intList(ids)+`)`); err != nil {
			return err
		}
		if len(args) == 0 {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO enterprise_facts (kind, value, enterprise_id, region_id) VALUES `+placeholders(len(args)/4, 4), args...)
		return err
	})
}

// factsOfNewRows writes the fact rows of enterprises inserted in bulk
// (ids above after), from their text columns.
func (s *Store) factsOfNewRows(ctx context.Context, tx *Tx, after int64) error {
	var parts []string
	var args []any
	for _, l := range []struct {
		kind, col string
		values    []string
	}{{factKeyList, "key_lists", model.KeyLists}, {factPollutant, "pollutants", model.Pollutants}} {
		for _, v := range l.values {
			parts = append(parts, `SELECT ?, ?, id, region_id FROM enterprises WHERE id > ? AND `+l.col+` LIKE ?`)
			args = append(args, l.kind, v, after, "%,"+v+",%")
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO enterprise_facts (kind, value, enterprise_id, region_id) `+strings.Join(parts, ` UNION ALL `), args...)
	return err
}

// hasFact is a condition that the enterprise in col has any of the
// values of a kind: an index lookup on the fact rows.
func hasFact(col, kind string, values []string) (string, []any) {
	args := []any{kind}
	for _, v := range values {
		args = append(args, v)
	}
	return col + ` IN (SELECT enterprise_id FROM enterprise_facts WHERE kind = ? AND value IN ` + placeholders(1, len(values)) + `)`, args
}

// factDrift lists enterprises and technology cases whose fact rows differ
// from their records.
func (s *Store) factDrift(ctx context.Context) ([]string, error) {
	want := map[string]bool{}
	rows, err := s.query(ctx, `SELECT id, region_id, key_lists, pollutants FROM enterprises`)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var id, region int64
		var kl, po string
		if err := r.Scan(&id, &region, &kl, &po); err != nil {
			return err
		}
		for _, v := range splitLists(kl) {
			want[fmt.Sprintf("%d %d %s %s", id, region, factKeyList, v)] = true
		}
		for _, v := range splitLists(po) {
			want[fmt.Sprintf("%d %d %s %s", id, region, factPollutant, v)] = true
		}
		return nil
	}); err != nil {
		return nil, err
	}
	out, err := s.rowsDrift(ctx, "enterprise_facts", `SELECT enterprise_id, region_id, kind, value FROM enterprise_facts`, want)
	if err != nil {
		return nil, err
	}
	want = map[string]bool{}
	rows, err = s.query(ctx, `SELECT id, industries, pollutants FROM tech_cases`)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var id int64
		var inds, po string
		if err := r.Scan(&id, &inds, &po); err != nil {
			return err
		}
		in := splitLists(inds)
		if len(in) == 0 {
			in = []string{""} // every industry
		}
		for _, v := range in {
			want[fmt.Sprintf("%d %s %s", id, factIndustry, v)] = true
		}
		for _, v := range splitLists(po) {
			want[fmt.Sprintf("%d %s %s", id, factPollutant, v)] = true
		}
		return nil
	}); err != nil {
		return nil, err
	}
	cases, err := s.rowsDrift(ctx, "case_facts", `SELECT case_id, kind, value FROM case_facts`, want)
	out = append(out, cases...)
	sort.Strings(out)
	return out, err
}

// rowsDrift compares the rows q returns, their columns joined by spaces,
// with the rows the records call for (want, emptied as it goes), and names
// each difference.
func (s *Store) rowsDrift(ctx context.Context, table, q string, want map[string]bool) ([]string, error) {
	var out []string
	rows, err := s.query(ctx, q)
	err = eachRow(rows, err, func(r *sql.Rows) error {
		cols, err := r.Columns()
		if err != nil {
			return err
		}
		vals := make([]string, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := r.Scan(dest...); err != nil {
			return err
		}
		k := strings.Join(vals, " ")
		if !want[k] {
			out = append(out, table+": "+k+" kept, not in the record")
		}
		delete(want, k)
		return nil
	})
	for k := range want {
		out = append(out, table+": "+k+" in the record, not kept")
	}
	return out, err
}
