package store

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect is the kind of database behind a Store.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Rebind rewrites ? placeholders to $1, $2 … for PostgreSQL. Queries never
// hold a literal ? inside a string, so a plain scan is enough.
func (d Dialect) Rebind(q string) string {
	if d != Postgres || strings.IndexByte(q, '?') < 0 {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// isUniqueViolation reports whether err is a unique-constraint violation.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// isForeignKeyViolation reports whether err is a foreign-key violation.
func isForeignKeyViolation(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23503"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// Times are stored as Unix milliseconds in BIGINT columns on both databases:
// one representation that compares, sorts and indexes the same everywhere.

// ms converts a time for storage.
func ms(t time.Time) int64 { return t.UnixMilli() }

// timeCol scans a BIGINT millisecond column into a time.Time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	if !v.Valid {
		return errors.New("store: NULL in a non-null time column")
	}
	*c.t = time.UnixMilli(v.Int64).UTC()
	return nil
}

// nullTimeCol scans a nullable BIGINT millisecond column into a *time.Time.
type nullTimeCol struct{ t **time.Time }

func (c nullTimeCol) Scan(src any) error {
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	if !v.Valid {
		*c.t = nil
		return nil
	}
	t := time.UnixMilli(v.Int64).UTC()
	*c.t = &t
	return nil
}

// searchIndex is a table's Chinese substring index over its search_text
// column (lower-case text the store writes): on SQLite an FTS5 table with
// the trigram tokenizer whose rowid is the row's id, kept in step by
// syncIndex; on PostgreSQL a pg_trgm GIN index on the column itself. Any
// table gets one with a migration and an entry here.
type searchIndex struct {
	table, alias, fts string
	// short is the index of one- and two-character pieces (grams.go), if
	// the table has one; without it short queries scan.
	short string
}

var (
	enterpriseSearch = searchIndex{table: "enterprises", alias: "e", fts: "enterprise_search", short: "enterprise_grams"}
	courseSearch     = searchIndex{table: "courses", alias: "c", fts: "course_search"}
)

// match finds the rows of ix's table (under its alias) whose search text
// contains q (lower case): the FROM clause, the condition, the column to
// order and page by, and the arguments. Three characters or more use the
// trigram index: on SQLite the FTS5 table drives the query in rowid order,
// so a common term stops after one page instead of collecting every match;
// on PostgreSQL pg_trgm serves LIKE. Shorter queries fall back to LIKE,
// which trigrams cannot serve.
func (d Dialect) match(ix searchIndex, q string) (from, where, order string, args []any) {
	like := "%" + escapeLike(q) + "%"
	a := ix.alias
	if ix.short != "" && shortQuery(q) {
		if d == Postgres {
			// Only a common piece gets here (a rare one is listed by id,
			// see rareShort): the primary key walked newest first finds a
			// page within a few thousand rows, testing the search text
			// (5 ms for a piece in 2% of a million rows) rather than the
			// wide gram arrays (18 ms).
			return ix.table + ` ` + a, `strpos(` + a + `.search_text, ?) > 0`, a + `.id`, []any{q}
		}
		// One token of the short index: an index lookup, not a scan.
		return ix.short + ` g JOIN ` + ix.table + ` ` + a + ` ON ` + a + `.id = g.rowid`, ix.short + ` MATCH ?`, `g.rowid`, []any{`"` + q + `"`}
	}
	short := utf8.RuneCountInString(q) < 3
	if short && d == Postgres {
		// Not LIKE: a prepared LIKE gets one generic plan for every length,
		// which walks the trigram index for a 2-character query that it
		// cannot serve (340 ms over 200,000 articles, against 100 ms for a
		// plain scan); strpos never takes that index.
		return ix.table + ` ` + a, `strpos(` + a + `.search_text, ?) > 0`, a + `.id`, []any{q}
	}
	if short || d == Postgres {
		return ix.table + ` ` + a, a + `.search_text LIKE ? ESCAPE '\'`, a + `.id`, []any{like}
	}
	return ix.fts + ` s JOIN ` + ix.table + ` ` + a + ` ON ` + a + `.id = s.rowid`, ix.fts + ` MATCH ?`, `s.rowid`,
		[]any{`"` + strings.ReplaceAll(q, `"`, `""`) + `"`}
}

// hitsOrder is the ORDER BY of a search that takes the first hits, not a
// page: on SQLite the FTS table gives rowid order for free; on PostgreSQL
// an order would sort every match of a common term (125 ms for 137,000
// articles) where the trigram bitmap alone stops at the limit (15 ms).
func (d Dialect) hitsOrder(order string) string {
	if d == Postgres {
		return ""
	}
	return ` ORDER BY ` + order
}

// syncIndex brings ix's SQLite index up to date for the given rows, in a
// few statements however many ids; PostgreSQL's trigram index follows the
// column by itself.
func (d Dialect) syncIndex(ctx context.Context, r *Tx, ix searchIndex, ids []int64) error {
	return d.indexRows(ctx, r, ix, ids, false)
}

// addToIndex indexes rows just inserted: nothing of theirs is in the
// indexes to remove first.
func (d Dialect) addToIndex(ctx context.Context, r *Tx, ix searchIndex, ids []int64) error {
	return d.indexRows(ctx, r, ix, ids, true)
}

// indexRows writes the rows' entries in ix's short and (SQLite) full-text
// indexes, removing their old entries first unless they are fresh.
func (d Dialect) indexRows(ctx context.Context, r *Tx, ix searchIndex, ids []int64, fresh bool) error {
	if len(ids) == 0 {
		return nil
	}
	if err := d.writeShort(ctx, r, ix, fresh, `id IN (`+intList(ids)+`)`); err != nil {
		return err
	}
	if d != SQLite {
		return nil
	}
	return chunks(ids, 500, func(part []int64) error {
		in := `(` + intList(part) + `)`
		if !fresh {
			if _, err := r.Exec(ctx, `DELETE FROM `+ix.fts+` WHERE rowid IN `+in); err != nil {
				return err
			}
		}
		_, err := r.Exec(ctx, `INSERT INTO `+ix.fts+`(rowid, search_text) SELECT id, search_text FROM `+ix.table+` WHERE id IN `+in)
		return err
	})
}

// likeEscaper escapes LIKE's wildcards and its escape character.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// escapeLike makes % and _ match themselves.
func escapeLike(s string) string {
	return likeEscaper.Replace(s)
}

// skipLocked lets PostgreSQL workers pass over rows another worker holds;
// SQLite has one writer at a time and needs nothing.
func (d Dialect) skipLocked() string {
	if d == Postgres {
		return ` FOR UPDATE SKIP LOCKED`
	}
	return ``
}

// updateSearch writes search texts and manager counts for a chunk of
// enterprises. PostgreSQL takes one UPDATE … FROM a derived table (one
// round trip); SQLite, in process, runs one prepared UPDATE per row, which
// its planner serves by primary key where the derived-table form scans.
func (d Dialect) updateSearch(ctx context.Context, tx *Tx, ids []int64, text func(int64) (string, int, bool)) error {
	if d == SQLite {
		st, err := tx.tx.PrepareContext(ctx, `UPDATE enterprises SET search_text = ?, manager_count = ? WHERE id = ?`)
		if err != nil {
			return err
		}
		defer st.Close()
		for _, id := range ids {
			if t, n, ok := text(id); ok {
				if _, err := st.ExecContext(ctx, t, n, id); err != nil {
					return err
				}
			}
		}
		return nil
	}
	var vals []string
	var args []any
	for _, id := range ids {
		if t, n, ok := text(id); ok {
			vals = append(vals, `SELECT CAST(? AS BIGINT) AS id, CAST(? AS TEXT) AS t, CAST(? AS INTEGER) AS c`)
			args = append(args, id, t, n)
		}
	}
	if len(vals) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `UPDATE enterprises SET search_text = v.t, manager_count = v.c
		FROM (`+strings.Join(vals, ` UNION ALL `)+`) AS v WHERE enterprises.id = v.id`, args...)
	return err
}

// forUpdate locks the selected row on PostgreSQL until the transaction
// ends, so bookings for one class queue behind each other across
// processes; SQLite's single writer already runs one transaction at a time.
func (d Dialect) forUpdate() string {
	if d == Postgres {
		return ` FOR UPDATE`
	}
	return ``
}

// forUpdateOf locks only the named table's row of a join on PostgreSQL.
func (d Dialect) forUpdateOf(alias string) string {
	if d == Postgres {
		return ` FOR UPDATE OF ` + alias
	}
	return ``
}

// lockKey serialises the transactions that name the same key until they
// end: a transaction-scoped advisory lock on PostgreSQL (across
// instances); SQLite's single writer already runs one at a time.
func (d Dialect) lockKey(ctx context.Context, tx *Tx, key string) error {
	if d != Postgres {
		return nil
	}
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext(?))`, key)
	return err
}

// hasText is a condition that col holds the text of the next argument:
// instr and strpos find a substring without LIKE's pattern matching.
func (d Dialect) hasText(col string) string {
	if d == Postgres {
		return `strpos(` + col + `, ?) > 0`
	}
	return `instr(` + col + `, ?) > 0`
}

// monthYear is the year of a yyyy-mm column, as an integer.
func (d Dialect) monthYear(col string) string {
	return `CAST(substr(` + col + `, 1, 4) AS INTEGER)`
}

// monthNumber is a yyyy-mm column as the integer yyyymm.
func (d Dialect) monthNumber(col string) string {
	return `CAST(substr(` + col + `, 1, 4) || substr(` + col + `, 6, 2) AS INTEGER)`
}

// dayEndMillis is the end of a yyyy-mm-dd column's day in China time
// (midnight after it, UTC+8), in Unix milliseconds.
func (d Dialect) dayEndMillis(col string) string {
	if d == Postgres {
		return `((CAST(EXTRACT(EPOCH FROM CAST(CAST(` + col + ` AS DATE) + 1 AS TIMESTAMP)) AS BIGINT) - 28800) * 1000)`
	}
	return `((CAST(strftime('%s', ` + col + `, '+1 day') AS INTEGER) - 28800) * 1000)`
}
