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
