package store

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
)

// usedTokens gathers bearer tokens' last-use times and writes them
// together, a second at most after the use: a token's first request of
// the minute no longer waits for a write of its own (in a registration
// rush every phone's first request is one, and the write was a round
// trip and a commit of the request's). A process killed loses at most a
// second of these times, which say when a token was last seen, nothing
// more.
type usedTokens struct {
	mu      sync.Mutex
	pending map[int64]int64 // token id → last use (ms)
	once    sync.Once
	stop    func() // ends the writer (ticking)
}

// flushTokenUsesEvery is how long a token's last use waits to be written.
const flushTokenUsesEvery = time.Second

// noteTokenUse records a token's use, to be written with others.
func (s *Store) noteTokenUse(id int64, at time.Time) {
	u := &s.used
	u.once.Do(func() { u.stop = ticking(flushTokenUsesEvery, s.flushTokenUses) })
	u.mu.Lock()
	if u.pending == nil {
		u.pending = map[int64]int64{}
	}
	u.pending[id] = max(u.pending[id], ms(at))
	u.mu.Unlock()
}

// flushTokenUses writes the last-use times gathered so far, a few hundred
// tokens a statement.
func (s *Store) flushTokenUses(ctx context.Context) {
	u := &s.used
	u.mu.Lock()
	pending := u.pending
	u.pending = nil
	u.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	ids := make([]int64, 0, len(pending))
	for id := range pending {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	err := s.write(ctx, func(tx *Tx) error {
		return chunks(ids, rowsPerStatement, func(part []int64) error {
			args := make([]any, 0, 2*len(part))
			for _, id := range part {
				args = append(args, id, pending[id])
			}
			values := strings.TrimSuffix(strings.Repeat("(CAST(? AS BIGINT), CAST(? AS BIGINT)), ", len(part)), ", ")
			_, err := tx.Exec(ctx, `WITH v(id, at) AS (VALUES `+values+`)
				UPDATE api_tokens SET last_used_at = (SELECT at FROM v WHERE v.id = api_tokens.id)
				WHERE id IN (SELECT id FROM v) AND (last_used_at IS NULL OR last_used_at < (SELECT at FROM v WHERE v.id = api_tokens.id))`, args...)
			return err
		})
	})
	if err != nil {
		// Kept for the next try, unless newer uses came meanwhile.
		u.mu.Lock()
		if u.pending == nil {
			u.pending = map[int64]int64{}
		}
		for id, at := range pending {
			u.pending[id] = max(u.pending[id], at)
		}
		u.mu.Unlock()
	}
}

// stopTokenUses ends the writer of last-use times and writes what is left.
func (s *Store) stopTokenUses() {
	u := &s.used
	u.once.Do(func() {}) // no writer starts after this, and one started is seen
	if u.stop != nil {
		u.stop()
	}
	s.flushTokenUses(context.Background())
}
