package store

import (
	"context"
	"database/sql"
)

// Exec and QueryRow let tests reach the database directly.
func (s *Store) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.exec(ctx, q, args...)
}

func (s *Store) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.w.QueryRowContext(ctx, s.dialect.Rebind(q), args...)
}

// SetRankPage makes matching read n candidates at a time, until restore.
func SetRankPage(n int) (restore func()) {
	old := rankPage
	rankPage = n
	return func() { rankPage = old }
}

// ScanSearch lists, by a plain scan of the search text, the enterprises
// whose text holds q (lower case), highest id first.
func (s *Store) ScanSearch(ctx context.Context, q string) ([]int64, error) {
	rows, err := s.w.QueryContext(ctx, s.dialect.Rebind(`SELECT id FROM enterprises WHERE `+s.dialect.hasText(`search_text`)+` ORDER BY id DESC`), q)
	return scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// TokenCacheOn tells whether token lookups are cached now (on PostgreSQL:
// whether the store listens for other processes' revocations).
func (s *Store) TokenCacheOn() bool { return s.tokens.enabled.Load() }

// KeptStatements counts the prepared statements the store keeps.
func (s *Store) KeptStatements() int {
	n := 0
	s.stmts.Range(func(_, _ any) bool { n++; return true })
	return n
}

// SetBeforePlace runs f between a PostgreSQL booking's decision and its
// placing.
func (s *Store) SetBeforePlace(f func()) { s.beforePlace = f }

// ReadPool is the read pool's connection figures.
func (s *Store) ReadPool() sql.DBStats { return s.r.Stats() }
