package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// checkpointEvery is how often the WAL is copied back into a SQLite file:
// often, so that the writer's own checkpoint finds little left to copy.
const checkpointEvery = 50 * time.Millisecond

// checkpoints copies a SQLite database's write-ahead log back into the
// file on a connection of its own, so that writes need not wait for it.
// Left to SQLite, the commit that fills the log past 1,000 pages does the
// copy and its fsync itself: in a registration rush every such commit held
// the one writer and everyone queued behind it (bench rush: 5,600 bookings
// a second, p99 29 ms, against 8,600 and 13 ms with the copying moved off
// the writer). A PASSIVE checkpoint never blocks the writer or readers;
// the writer starts the log over once a checkpoint has caught up, which
// takes a pause in the writes of a few milliseconds. Writes that never
// pause leave it no such moment (seeding and a 10,000-booking rush grew it
// to 169 MiB), so the writer keeps SQLite's own checkpoint as a bound, at
// 16,000 pages (longLog, 64 MiB) instead of 1,000: it then finds all but
// the last 50 ms of pages copied, and starts the log over. (At 4,000 pages
// the rush's p99 rose from 28 to 37-46 ms, at 16,000 copied every 250 ms
// to 36-53, every 50 ms to 31-36.)
type checkpoints struct {
	db   *sql.DB
	stop func()
}

// longLog is the log's length, in pages (4 KiB each), at which the writer
// checkpoints itself (wal_autocheckpoint; Options.LogPages).
const longLog = 16000

func startCheckpoints(dsn string) (*checkpoints, error) {
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxIdleTime(0)
	c := &checkpoints{db: db}
	c.stop = ticking(checkpointEvery, func(ctx context.Context) {
		// Nothing to copy costs a look at the log's index; an error (the
		// file busy, say) is retried at the next tick.
		db.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`)
	})
	return c, nil
}

// ticking calls fn every d on a goroutine of its own; the function it
// returns stops it and waits for a call under way to end (fn's context
// is cancelled then).
func ticking(d time.Duration, fn func(context.Context)) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				fn(ctx)
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// close stops the checkpoints; the last connection to close copies what
// is left, as SQLite always does.
func (c *checkpoints) close() error {
	if c == nil {
		return nil
	}
	c.stop()
	return c.db.Close()
}
