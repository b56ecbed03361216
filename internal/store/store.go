// Package store holds all of envhome's SQL. Each query is written once with
// ? placeholders for both SQLite and PostgreSQL; real differences between the
// two live in dialect.go.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	"modernc.org/sqlite"

	"github.com/envhome/envhome/internal/model"
)

// Store is envhome's database. On SQLite every write goes through one writer
// connection (BEGIN IMMEDIATE) and reads through a pool: SQLite allows one
// writer at a time, and connections queueing on its lock are slower and
// have multi-second tails. On PostgreSQL both are the same pool.
type Store struct {
	dialect Dialect
	w       *sql.DB
	r       *sql.DB
	now     func() time.Time
	// stmts caches prepared statements by query text on SQLite, where
	// parsing a statement costs more than running it; pgx keeps its own
	// per-connection cache on PostgreSQL.
	stmts  sync.Map // stmtKey → *sql.Stmt
	tokens tokenCache
}

type stmtKey struct {
	db *sql.DB
	q  string
}

// Options tune Open.
type Options struct {
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxConns caps PostgreSQL connections (default 16).
	MaxConns int
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// Open connects to dsn: a postgres:// URL or a SQLite file path.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	s := &Store{now: opt.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if IsPostgres(dsn) {
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		n := opt.MaxConns
		if n <= 0 {
			n = 16
		}
		db.SetMaxOpenConns(n)
		db.SetMaxIdleConns(n)
		db.SetConnMaxIdleTime(5 * time.Minute)
		s.dialect, s.w, s.r = Postgres, db, db
		// Several processes share a PostgreSQL database, so none may cache
		// what another can revoke.
	} else {
		if err := openSQLite(s, dsn); err != nil {
			return nil, err
		}
		s.tokens.enabled = true
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.Ping(pctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func openSQLite(s *Store, path string) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return fmt.Errorf("sqlite: %w", err)
		}
	}
	if err := checkSQLiteFile(path); err != nil {
		return err
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_time_format=sqlite" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	// The writer gets a 64 MiB page cache so that a large import does not
	// spill pages to the WAL mid-transaction, and keeps statement journals
	// in memory rather than in temporary files.
	w, err := sql.Open("sqlite", base+"&_pragma=journal_mode(WAL)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_txlock=immediate")
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// The writer opens first so that WAL mode is set before readers connect.
	if err := w.Ping(); err != nil {
		w.Close()
		return sqliteOpenError(path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return fmt.Errorf("sqlite: %w", err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	r.SetConnMaxIdleTime(0)
	s.dialect, s.w, s.r = SQLite, w, r
	return nil
}

// checkSQLiteFile refuses a file that exists but is not a SQLite database,
// before the driver can make a mess of it.
func checkSQLiteFile(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	defer f.Close()
	head := make([]byte, 16)
	n, _ := f.Read(head)
	if n == 0 {
		return nil // empty file: SQLite makes it a database
	}
	if n < 16 || string(head) != "SQLite format 3\x00" {
		return fmt.Errorf("%s is not a SQLite database", path)
	}
	return nil
}

func sqliteOpenError(path string, err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return fmt.Errorf("cannot open SQLite database %s: %s", path, sqlite.ErrorCodeString[se.Code()])
	}
	return fmt.Errorf("cannot open SQLite database %s: %w", path, err)
}

// Dialect returns the database kind.
func (s *Store) Dialect() Dialect { return s.dialect }

// Now returns the store's clock reading in UTC.
func (s *Store) Now() time.Time { return s.now().UTC() }

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	if s.r != s.w {
		if err := s.r.PingContext(ctx); err != nil {
			return fmt.Errorf("database unreachable: %w", err)
		}
	}
	return nil
}

// Close closes the connections.
func (s *Store) Close() error {
	s.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Tx is a transaction whose queries take ? placeholders.
type Tx struct {
	tx   *sql.Tx
	d    Dialect
	s    *Store
	db   *sql.DB
	miss []string
}

// prepared returns the cached prepared form of q for this transaction on
// SQLite, where parsing a statement costs more than running it (the
// booking transaction runs seven). Statements with many placeholders are
// the bulk paths' varying multi-row INSERTs: they are not cached.
func (t *Tx) prepared(ctx context.Context, q string) *sql.Stmt {
	if t.d != SQLite || strings.Count(q, "?") > 24 {
		return nil
	}
	st, ok := t.s.stmts.Load(stmtKey{t.db, q})
	if !ok {
		// The transaction holds the writer's only connection, so the
		// statement is prepared after it ends, for the next one.
		t.miss = append(t.miss, q)
		return nil
	}
	return t.tx.StmtContext(ctx, st.(*sql.Stmt))
}

func (t *Tx) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.prepared(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return t.tx.ExecContext(ctx, t.d.Rebind(q), args...)
}

func (t *Tx) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.prepared(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return t.tx.QueryContext(ctx, t.d.Rebind(q), args...)
}

func (t *Tx) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.prepared(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return t.tx.QueryRowContext(ctx, t.d.Rebind(q), args...)
}

// write runs fn in a write transaction and commits when it returns nil.
func (s *Store) write(ctx context.Context, fn func(*Tx) error) error {
	return s.inTx(ctx, s.w, fn)
}

func (s *Store) inTx(ctx context.Context, db *sql.DB, fn func(*Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	t := &Tx{tx: tx, d: s.dialect, s: s, db: db}
	defer func() {
		for _, q := range t.miss {
			s.stmt(ctx, db, q)
		}
	}()
	if err := fn(t); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// stmt returns a cached prepared statement for q on db (SQLite only).
func (s *Store) stmt(ctx context.Context, db *sql.DB, q string) (*sql.Stmt, error) {
	k := stmtKey{db, q}
	if st, ok := s.stmts.Load(k); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := db.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(k, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// queryRow reads one row outside a transaction.
func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if s.dialect == SQLite {
		if st, err := s.stmt(ctx, s.r, q); err == nil {
			return st.QueryRowContext(ctx, args...)
		}
	}
	return s.r.QueryRowContext(ctx, s.dialect.Rebind(q), args...)
}

// query reads rows outside a transaction.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s.dialect == SQLite {
		st, err := s.stmt(ctx, s.r, q)
		if err != nil {
			return nil, err
		}
		return st.QueryContext(ctx, args...)
	}
	return s.r.QueryContext(ctx, s.dialect.Rebind(q), args...)
}

// exec writes outside an explicit transaction (one statement).
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s.dialect == SQLite {
		st, err := s.stmt(ctx, s.w, q)
		if err != nil {
			return nil, err
		}
		return st.ExecContext(ctx, args...)
	}
	return s.w.ExecContext(ctx, s.dialect.Rebind(q), args...)
}

// notFound turns sql.ErrNoRows into model's not-found error.
func notFound(err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return model.NotFound()
	}
	return err
}

// scanAll reads every row with scan.
func scanAll[T any](rows *sql.Rows, err error, scan func(*sql.Rows) (T, error)) ([]T, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
