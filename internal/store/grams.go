package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Short queries (one or two characters, the usual length of a Chinese
// name's distinctive part) cannot use the trigram indexes. A table's
// short index holds every one- and two-character piece of each row's
// search text: on SQLite an FTS5 table with the ascii tokenizer (every
// non-ASCII character is part of a token, ASCII letters and digits too,
// the rest separate), on PostgreSQL a text[] column with a GIN index. A
// query is then a lookup of one token, the same rows a substring scan
// finds.

// gramRune reports whether a character belongs in a piece: what the ascii
// tokenizer keeps in a token.
func gramRune(r rune) bool {
	return r >= utf8.RuneSelf || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
}

// shortQuery reports whether q is looked up in the short index: one or
// two characters, each kept in a piece. Anything else (a space or ASCII
// punctuation inside) is searched by a scan.
func shortQuery(q string) bool {
	n := 0
	for _, r := range q {
		if !gramRune(r) {
			return false
		}
		n++
	}
	return n >= 1 && n <= 2
}

// grams lists the distinct one- and two-character pieces of a (lower
// case) search text made only of characters kept in pieces.
func grams(text string) []string {
	rs := []rune(text)
	seen := map[string]bool{}
	var out []string
	put := func(g string) {
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	for i, r := range rs {
		if !gramRune(r) {
			continue
		}
		put(string(r))
		if i+1 < len(rs) && gramRune(rs[i+1]) {
			put(string(rs[i : i+2]))
		}
	}
	return out
}

// syncShort writes the short index of ix for the rows of its table
// matching cond.
func (d Dialect) syncShort(ctx context.Context, tx *Tx, ix searchIndex, cond string, args ...any) error {
	return d.writeShort(ctx, tx, ix, false, cond, args...)
}

// writeShort is syncShort; fresh rows (just inserted) have nothing in the
// index to delete first.
func (d Dialect) writeShort(ctx context.Context, tx *Tx, ix searchIndex, fresh bool, cond string, args ...any) error {
	if ix.short == "" {
		return nil
	}
	rows, err := tx.Query(ctx, `SELECT id, search_text FROM `+ix.table+` WHERE `+cond, args...)
	type row struct {
		id   int64
		text string
	}
	list, err := scanAll(rows, err, func(r *sql.Rows) (row, error) {
		var x row
		return x, r.Scan(&x.id, &x.text)
	})
	if err != nil {
		return err
	}
	return chunks(list, 200, func(part []row) error {
		ids := make([]int64, len(part))
		var vals []any
		for i, x := range part {
			ids[i] = x.id
			g := grams(x.text)
			if d == Postgres {
				vals = append(vals, x.id, g)
			} else {
				vals = append(vals, x.id, strings.Join(g, " "))
			}
		}
		if d == Postgres {
			_, err := tx.Exec(ctx, `INSERT INTO `+ix.short+` (id, grams) VALUES `+placeholders(len(part), 2)+`
				ON CONFLICT (id) DO UPDATE SET grams = excluded.grams`, vals...)
			return err
		}
		if !fresh {
			if _, err := tx.Exec(ctx, `DELETE FROM `+ix.short+` WHERE rowid IN (`+intList(ids)+`)`); err != nil {
				return err
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO `+ix.short+` (rowid, grams) VALUES `+placeholders(len(part), 2), vals...)
		return err
	})
}

// shortProbe is how many rows of a piece a short search reads first on
// PostgreSQL to tell a rare piece from a common one.
const shortProbe = 5000

// rareShort returns, on PostgreSQL, every row whose text holds q when q
// is a short query of a rare piece (nil otherwise). For a piece in a
// thousand rows of a million the planner walks the primary key backwards,
// testing 47,000 arrays to fill a page (33 ms), where the GIN index finds
// the thousand at once; a common piece fills its page within a few
// hundred rows of that walk. The probe reads at most shortProbe+1 rows.
func (s *Store) rareShort(ctx context.Context, ix searchIndex, q string) (*[]int64, error) {
	q = strings.ToLower(q)
	if s.dialect != Postgres || ix.short == "" || !shortQuery(q) {
		return nil, nil
	}
	// The planner's estimate first (its statistics keep the common pieces'
	// frequencies): a piece it takes for common skips the probe, which
	// for a piece in 2% of a million rows read 5,000 of them (16 ms) only
	// to learn that the walk was the way.
	if est, err := s.estimate(ctx, `SELECT id FROM `+ix.short+` WHERE grams @> `+gramLiteral(q)); err == nil && est > 2*shortProbe {
		return nil, nil
	}
	rows, err := s.query(ctx, `SELECT id FROM `+ix.short+` WHERE grams @> `+gramLiteral(q)+` LIMIT ?`, shortProbe+1)
	ids, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil || len(ids) > shortProbe {
		return nil, err
	}
	if ids == nil {
		ids = []int64{}
	}
	return &ids, nil
}

// gramLiteral writes a short query's piece as a PostgreSQL array literal
// in the statement: a parameter would let a prepared statement settle on
// one generic plan for every piece, the GIN index's bitmap, which sorts a
// million rows for a piece in every name (46 ms) where the primary key's
// order finds a page at once. A piece (shortQuery) holds only letters,
// digits and non-ASCII characters: nothing that ends a literal.
func gramLiteral(q string) string {
	return `ARRAY['` + q + `']::text[]`
}

// estimate is the number of rows PostgreSQL's planner expects q to return.
func (s *Store) estimate(ctx context.Context, q string) (float64, error) {
	var out string
	if err := s.queryRow(ctx, `EXPLAIN (FORMAT JSON) `+q).Scan(&out); err != nil {
		return 0, err
	}
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan) == 0 {
		return 0, fmt.Errorf("explain: %v", err)
	}
	return plan[0].Plan.Rows, nil
}
