package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// touchEvery is how stale a session's or token's last-use time may get
// before a request writes it again: a write per request would make every
// read a write.
const touchEvery = time.Minute

// CreateSession starts a browser session for user and returns its secret.
func (s *Store) CreateSession(ctx context.Context, a model.Actor, userID int64, lifetime time.Duration) (string, error) {
	secret := model.NewSecret(model.SessionPrefix)
	err := s.write(ctx, func(tx *Tx) error {
		now := s.Now()
		var id int64
		err := tx.QueryRow(ctx, `INSERT INTO sessions (secret_hash, user_id, addr, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			model.HashSecret(secret), userID, a.Addr, ms(now), ms(now), ms(now.Add(lifetime))).Scan(&id)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "auth.login", "user", &userID, nil)
	})
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return secret, nil
}

// SessionUser returns the account behind a session secret, if the session
// has been used within idle and has not reached its absolute expiry and the
// account is enabled. Anything else is unauthenticated.
func (s *Store) SessionUser(ctx context.Context, secret string, idle time.Duration) (*model.User, *model.Session, error) {
	var sess model.Session
	u, err := s.scanUser(s.queryRow(ctx, `SELECT `+userColumns+`, s.id, s.created_at, s.last_seen_at, s.expires_at, s.addr
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.secret_hash = ?`, model.HashSecret(secret)),
		&sess.ID, timeCol{&sess.CreatedAt}, timeCol{&sess.LastSeenAt}, timeCol{&sess.ExpiresAt}, &sess.Addr)
	if err == sql.ErrNoRows {
		return nil, nil, model.Errorf(model.ErrUnauthenticated, "err.session_expired")
	}
	if err != nil {
		return nil, nil, fmt.Errorf("session: %w", err)
	}
	sess.UserID = u.ID
	now := s.Now()
	if u.Disabled() || !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) > idle {
		return nil, nil, model.Errorf(model.ErrUnauthenticated, "err.session_expired")
	}
	if now.Sub(sess.LastSeenAt) > touchEvery {
		if _, err := s.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, ms(now), sess.ID); err != nil {
			return nil, nil, fmt.Errorf("session: %w", err)
		}
		sess.LastSeenAt = now
	}
	return u, &sess, nil
}

// DeleteSession logs a browser out.
func (s *Store) DeleteSession(ctx context.Context, a model.Actor, secret string) error {
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM sessions WHERE secret_hash = ?`, model.HashSecret(secret))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.audit(ctx, tx, a, "auth.logout", "user", a.ID(), nil)
	})
}

// CreateToken makes an API token for user and returns it with its secret,
// which is never stored and cannot be shown again.
func (s *Store) CreateToken(ctx context.Context, a model.Actor, userID int64, n model.NewToken) (*model.Token, string, error) {
	secret := model.NewSecret(model.TokenPrefix)
	now := s.Now()
	t := &model.Token{UserID: userID, Name: n.Name, Hint: secret[len(secret)-4:], CreatedAt: now,
		ExpiresAt: now.Add(time.Duration(n.ExpiresIn) * 24 * time.Hour)}
	err := s.write(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO api_tokens (user_id, name, secret_hash, hint, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			userID, t.Name, model.HashSecret(secret), t.Hint, ms(t.CreatedAt), ms(t.ExpiresAt)).Scan(&t.ID)
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "token.create", "token", &t.ID, model.Changes{
			"name": {New: t.Name}, "user_id": {New: userID}, "expires_at": {New: t.ExpiresAt}})
	})
	if err != nil {
		return nil, "", fmt.Errorf("create token: %w", err)
	}
	t.CreatedAt, t.ExpiresAt = time.UnixMilli(ms(t.CreatedAt)).UTC(), time.UnixMilli(ms(t.ExpiresAt)).UTC()
	return t, secret, nil
}

const tokenColumns = `t.id, t.user_id, t.name, t.hint, t.created_at, t.expires_at, t.last_used_at, t.revoked_at`

func tokenDest(t *model.Token) []any {
	return []any{&t.ID, &t.UserID, &t.Name, &t.Hint, timeCol{&t.CreatedAt}, timeCol{&t.ExpiresAt},
		nullTimeCol{&t.LastUsedAt}, nullTimeCol{&t.RevokedAt}}
}

// TokenUser returns the account behind a bearer token if the token is
// neither expired nor revoked and the account is enabled.
func (s *Store) TokenUser(ctx context.Context, secret string) (*model.User, *model.Token, error) {
	hash := model.HashSecret(secret)
	now := s.Now()
	u, t, gen, cached := s.tokens.get(hash, now)
	if !cached {
		t = &model.Token{}
		var err error
		u, err = s.scanUser(s.queryRow(ctx, `SELECT `+userColumns+`, `+tokenColumns+`
			FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ?`, hash), tokenDest(t)...)
		if err == sql.ErrNoRows {
			return nil, nil, model.Errorf(model.ErrUnauthenticated, "err.token_invalid")
		}
		if err != nil {
			return nil, nil, fmt.Errorf("token: %w", err)
		}
	}
	if u.Disabled() {
		return nil, nil, model.Errorf(model.ErrUnauthenticated, "err.account_disabled")
	}
	if !t.Active(now) {
		return nil, nil, model.Errorf(model.ErrUnauthenticated, "err.token_invalid")
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > touchEvery {
		s.noteTokenUse(t.ID, now)
		t.LastUsedAt = &now
	}
	if !cached {
		s.tokens.put(hash, u, t, gen, now)
	} else if t.LastUsedAt != nil {
		s.tokens.touch(hash, *t.LastUsedAt)
	}
	return u, t, nil
}

// tokenCache remembers token lookups: a bearer request then costs no
// query. Every write that can change an answer (a revoked token, a changed
// or disabled account) calls forgetTokens after it commits, which on
// PostgreSQL tells every other process too (tokensync.go). A lookup that
// raced such a write is not stored, because the generation moved on
// meanwhile; an entry is kept at most tokenCacheAge, in case a notice
// between processes was lost.
type tokenCache struct {
	// enabled: always on SQLite; on PostgreSQL while this process listens
	// for other processes' invalidations (tokensync.go).
	enabled atomic.Bool
	mu      sync.Mutex
	gen     uint64
	m       map[string]cachedToken
}

type cachedToken struct {
	u  model.User
	t  model.Token
	at time.Time
}

// tokenCacheAge bounds how long a cached lookup is trusted.
const tokenCacheAge = time.Minute

// maxCachedTokens bounds the cache; past it the cache starts over.
const maxCachedTokens = 10000

// get returns copies of a cached entry, or the current generation to pass
// to put after a database lookup.
func (c *tokenCache) get(hash string, now time.Time) (*model.User, *model.Token, uint64, bool) {
	if !c.enabled.Load() {
		return nil, nil, 0, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.Sub(e.at) > tokenCacheAge || now.Before(e.at) {
		return nil, nil, c.gen, false
	}
	u, t := e.u, e.t
	return &u, &t, c.gen, true
}

func (c *tokenCache) put(hash string, u *model.User, t *model.Token, gen uint64, now time.Time) {
	if !c.enabled.Load() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if c.m == nil || len(c.m) >= maxCachedTokens {
		c.m = map[string]cachedToken{}
	}
	c.m[hash] = cachedToken{*u, *t, now}
}

func (c *tokenCache) touch(hash string, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[hash]; ok {
		e.t.LastUsedAt = &at
		c.m[hash] = e
	}
}

func (c *tokenCache) invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.m = nil
}

// ListTokens pages through one account's tokens, newest first.
func (s *Store) ListTokens(ctx context.Context, userID int64, p model.Page) (model.List[*model.Token], error) {
	q := `SELECT ` + tokenColumns + ` FROM api_tokens t WHERE t.user_id = ?`
	args := []any{userID}
	if p.After > 0 {
		q += ` AND t.id < ?`
		args = append(args, p.After)
	}
	q += ` ORDER BY t.id DESC LIMIT ?`
	args = append(args, p.Limit+1)
	rows, err := s.query(ctx, q, args...)
	items, err := scanAll(rows, err, func(r *sql.Rows) (*model.Token, error) {
		t := &model.Token{}
		return t, r.Scan(tokenDest(t)...)
	})
	if err != nil {
		return model.List[*model.Token]{}, fmt.Errorf("list tokens: %w", err)
	}
	return model.PageOf(items, p.Limit, func(t *model.Token) int64 { return t.ID }), nil
}

// RevokeToken revokes one of userID's tokens; another account's token is
// not found. Revoking a revoked token changes nothing.
func (s *Store) RevokeToken(ctx context.Context, a model.Actor, userID, tokenID int64) error {
	defer s.forgetTokens()
	return s.write(ctx, func(tx *Tx) error {
		var revoked sql.NullInt64
		err := tx.QueryRow(ctx, `SELECT revoked_at FROM api_tokens WHERE id = ? AND user_id = ?`, tokenID, userID).Scan(&revoked)
		if err != nil {
			return notFound(err)
		}
		if revoked.Valid {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, ms(s.Now()), tokenID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "token.revoke", "token", &tokenID, nil)
	})
}

// LoginFailures counts failed logins since a time for an account and for a
// client address, with the oldest of each (to tell when a lock lifts), and
// the attempts being checked right now.
type LoginFailures struct {
	ByUser, ByAddr         int
	OldestUser, OldestAddr time.Time
	InFlightUser           int
	InFlightAddr           int
}

// inFlight is how long a pending attempt counts as being checked; an older
// one (the process died mid-check) counts as a failure.
const inFlight = time.Minute

// BeginLogin counts the attempts that bear on a login and, unless they
// already reach the limits, records this one as pending before its
// password is checked; id 0 means the login is refused. Counting and
// recording are one transaction, serialised per account and address (the
// single writer on SQLite, advisory locks on PostgreSQL, across instances),
// so parallel requests are counted one after another.
func (s *Store) BeginLogin(ctx context.Context, a model.Actor, username string, since time.Time, maxUser, maxAddr int) (int64, LoginFailures, error) {
	var f LoginFailures
	var id int64
	now := s.Now()
	stale := ms(now.Add(-inFlight))
	err := s.write(ctx, func(tx *Tx) error {
		if err := s.dialect.lockKey(ctx, tx, "login user "+username); err != nil {
			return err
		}
		if err := s.dialect.lockKey(ctx, tx, "login addr "+a.Addr); err != nil {
			return err
		}
		var ou, oa sql.NullInt64
		failed := `at >= ? AND (pending = 0 OR at < ?)`
		running := `pending = 1 AND at >= ?`
		err := tx.QueryRow(ctx, `SELECT
			(SELECT COUNT(*) FROM login_failures WHERE username = ? AND `+failed+`),
			(SELECT MIN(at) FROM login_failures WHERE username = ? AND `+failed+`),
			(SELECT COUNT(*) FROM login_failures WHERE addr = ? AND `+failed+`),
			(SELECT MIN(at) FROM login_failures WHERE addr = ? AND `+failed+`),
			(SELECT COUNT(*) FROM login_failures WHERE username = ? AND `+running+`),
			(SELECT COUNT(*) FROM login_failures WHERE addr = ? AND `+running+`)`,
			username, ms(since), stale, username, ms(since), stale, a.Addr, ms(since), stale, a.Addr, ms(since), stale,
			username, stale, a.Addr, stale).Scan(&f.ByUser, &ou, &f.ByAddr, &oa, &f.InFlightUser, &f.InFlightAddr)
		if err != nil {
			return fmt.Errorf("login failures: %w", err)
		}
		f.OldestUser = time.UnixMilli(ou.Int64).UTC()
		f.OldestAddr = time.UnixMilli(oa.Int64).UTC()
		if f.ByUser+f.InFlightUser >= maxUser || f.ByAddr+f.InFlightAddr >= maxAddr {
			return nil
		}
		return tx.QueryRow(ctx, `INSERT INTO login_failures (username, addr, at, pending) VALUES (?, ?, ?, 1) RETURNING id`,
			username, a.Addr, ms(now)).Scan(&id)
	})
	return id, f, err
}

// FailLogin turns a pending attempt into a failure and audits it.
func (s *Store) FailLogin(ctx context.Context, a model.Actor, id int64, username string) error {
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE login_failures SET pending = 0 WHERE id = ?`, id); err != nil {
			return err
		}
		a.User = nil
		return s.audit(ctx, tx, a, "auth.login_failed", "user", nil, model.Changes{"username": {New: username}})
	})
}

// DropLogin forgets a pending attempt whose check never ran.
func (s *Store) DropLogin(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE id = ?`, id)
		return err
	})
}

// ClearLoginFailures forgets an account's failures (and its pending
// attempt) after it logs in.
func (s *Store) ClearLoginFailures(ctx context.Context, username string) error {
	_, err := s.exec(ctx, `DELETE FROM login_failures WHERE username = ?`, username)
	return err
}

// Prune deletes expired sessions and login failures older than before;
// run periodically.
func (s *Store) Prune(ctx context.Context, failuresBefore time.Time) error {
	now := ms(s.Now())
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM login_failures WHERE at < ?`, ms(failuresBefore))
		return err
	})
}
