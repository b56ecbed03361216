package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// tokenChannel is the PostgreSQL notification channel on which a process
// that changed what a token lookup answers (a revoked token, a disabled
// account, a new password) tells every other process to forget its
// cached lookups.
const tokenChannel = "envhome_tokens"

// forgetTokens empties this process's token cache and, on PostgreSQL,
// every other process's: called after the write commits.
func (s *Store) forgetTokens() {
	s.tokens.invalidate()
	if s.dialect == Postgres {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// A lost notice leaves other processes a stale entry only until
		// their cache entries age out (tokenCacheAge).
		s.w.ExecContext(ctx, `SELECT pg_notify('`+tokenChannel+`', '')`)
	}
}

// listenTokens keeps one connection listening on tokenChannel for the
// store's life. While it listens the token cache is on and every notice
// empties it; when the connection is lost the cache is off (and empty)
// until it listens again, a second later.
func (s *Store) listenTokens(ctx context.Context, dsn string) {
	defer close(s.listening)
	for {
		s.listenOnce(ctx, dsn)
		s.tokens.enabled.Store(false)
		s.tokens.invalidate()
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

func (s *Store) listenOnce(ctx context.Context, dsn string) error {
	// A connection of its own, outside the pool: it is held for the
	// store's life and must not take one of the pool's few.
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, `LISTEN `+tokenChannel); err != nil {
		return err
	}
	// Whatever changed before the listening began is forgotten too.
	s.tokens.invalidate()
	s.tokens.enabled.Store(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		s.tokens.invalidate()
	}
}
