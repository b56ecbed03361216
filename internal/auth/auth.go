// Package auth logs people in and manages accounts: password hashing, login
// throttling and the rules on who may change which account. The HTTP
// packages (web and api) share it.
package auth

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// Policy holds the tunable security settings.
type Policy struct {
	Argon2 model.Argon2Params
	// SessionIdle ends a browser session unused for this long;
	// SessionMax ends it this long after login whatever happens.
	SessionIdle, SessionMax time.Duration
	// A login is refused for ThrottleWindow after UserFailures failed
	// attempts on one account or AddrFailures from one address.
	ThrottleWindow             time.Duration
	UserFailures, AddrFailures int
	// APILoginDays is the lifetime of a token made by POST /auth/token.
	APILoginDays int
	// HashSlots bounds the password hashes computed at once (each takes
	// Argon2.Memory KiB; 0 means one per CPU); a request waits at most
	// HashWait for a slot, then is told to retry.
	HashSlots int
	HashWait  time.Duration
}

// DefaultPolicy is what envhome runs with.
func DefaultPolicy() Policy {
	return Policy{
		Argon2:         model.DefaultArgon2,
		SessionIdle:    8 * time.Hour,
		SessionMax:     7 * 24 * time.Hour,
		ThrottleWindow: 15 * time.Minute,
		UserFailures:   5,
		AddrFailures:   30,
		APILoginDays:   30,
		HashWait:       5 * time.Second,
	}
}

// Service is the account logic.
type Service struct {
	Store  *store.Store
	Policy Policy
	// dummyHash is checked when a username does not exist, so that the
	// answer takes as long as for a wrong password.
	dummyHash string
	// hashing holds a slot per password hash being computed: argon2id's
	// memory is the point of it, so 60 parallel logins would otherwise take
	// 60 × 19 MiB at once.
	hashing chan struct{}
}

// New makes a Service.
func New(s *store.Store, p Policy) (*Service, error) {
	h, err := model.HashPassword("not a password of anyone", p.Argon2)
	if err != nil {
		return nil, err
	}
	slots := p.HashSlots
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	if p.HashWait <= 0 {
		p.HashWait = 5 * time.Second
	}
	return &Service{Store: s, Policy: p, dummyHash: h, hashing: make(chan struct{}, slots)}, nil
}

// slot waits for a hashing slot; the caller releases it. A request that
// waits past HashWait is told to retry in a second.
func (s *Service) slot(ctx context.Context) (func(), error) {
	t := time.NewTimer(s.Policy.HashWait)
	defer t.Stop()
	select {
	case s.hashing <- struct{}{}:
		return func() { <-s.hashing }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-t.C:
		e := model.Errorf(model.ErrRateLimited, "err.busy")
		e.RetryAfter = 1
		return nil, e
	}
}

// check verifies a password against a hash in a hashing slot.
func (s *Service) check(ctx context.Context, hash, pw string) (bool, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return model.CheckPassword(hash, pw), nil
}

// hash hashes a new password in a hashing slot.
func (s *Service) hash(ctx context.Context, pw string) (string, error) {
	release, err := s.slot(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	return model.HashPassword(pw, s.Policy.Argon2)
}

// Login checks credentials; it is throttled per account and per address.
// The attempt is counted before the password is checked (store.BeginLogin),
// so parallel guesses are counted too. The error says nothing of whether
// the account exists.
func (s *Service) Login(ctx context.Context, a model.Actor, c model.Credentials) (*model.User, error) {
	username := model.NormalizeUsername(c.Username)
	if username == "" || c.Password == "" || len(username) > 64 || len(c.Password) > 256 {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.bad_credentials")
	}
	u, err := s.Store.UserByUsername(ctx, username)
	if err != nil && !model.IsCode(err, model.ErrNotFound) {
		return nil, err
	}
	hash := s.dummyHash
	if u != nil {
		hash = u.PasswordHash
	}
	ok, err := s.attempt(ctx, a, username, hash, c.Password)
	if err != nil {
		return nil, err
	}
	if !ok || u == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.bad_credentials")
	}
	if u.Disabled() {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.account_disabled")
	}
	return u, nil
}

// attempt checks a password for username under the throttle: the attempt
// is recorded before the check and refused when the account or the address
// has failed too often (a lock for ThrottleWindow) or has too many checks
// running at once (retry in a second). A failed check stays a failure; a
// good one clears the account's failures.
func (s *Service) attempt(ctx context.Context, a model.Actor, username, hash, pw string) (bool, error) {
	now := s.Store.Now()
	id, f, err := s.Store.BeginLogin(ctx, a, username, now.Add(-s.Policy.ThrottleWindow), s.Policy.UserFailures, s.Policy.AddrFailures)
	if err != nil {
		return false, err
	}
	if id == 0 {
		var lockedUntil time.Time
		if f.ByUser >= s.Policy.UserFailures {
			lockedUntil = f.OldestUser.Add(s.Policy.ThrottleWindow)
		}
		if f.ByAddr >= s.Policy.AddrFailures {
			if t := f.OldestAddr.Add(s.Policy.ThrottleWindow); t.After(lockedUntil) {
				lockedUntil = t
			}
		}
		e := model.Errorf(model.ErrRateLimited, "err.login_throttled")
		e.RetryAfter = max(1, int(math.Ceil(lockedUntil.Sub(now).Seconds())))
		return false, e
	}
	ok, err := s.check(ctx, hash, pw)
	if err != nil {
		// The check did not run (no hashing slot in time): not a failure.
		s.Store.DropLogin(context.WithoutCancel(ctx), id)
		return false, err
	}
	if !ok {
		return false, s.Store.FailLogin(context.WithoutCancel(ctx), a, id, username)
	}
	return true, s.Store.ClearLoginFailures(ctx, username)
}

// StartSession logs a browser in after Login.
func (s *Service) StartSession(ctx context.Context, a model.Actor, u *model.User) (string, error) {
	a.User = u
	return s.Store.CreateSession(ctx, a, u.ID, s.Policy.SessionMax)
}

// APILogin makes a token for a login through the API.
func (s *Service) APILogin(ctx context.Context, a model.Actor, c model.Credentials) (*model.Token, string, error) {
	u, err := s.Login(ctx, a, c)
	if err != nil {
		return nil, "", err
	}
	a.User = u
	return s.Store.CreateToken(ctx, a, u.ID, model.NewToken{Name: "API login", ExpiresIn: s.Policy.APILoginDays})
}

// CreateUser makes an account; only the bureau (or the command line) may.
func (s *Service) CreateUser(ctx context.Context, a model.Actor, n model.NewUser) (*model.User, error) {
	if !a.IsAdmin() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	n.Normalize()
	if err := n.Validate(); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, n.Password)
	if err != nil {
		return nil, err
	}
	// A password the bureau chose for someone is theirs to change first.
	n.MustChangePassword = n.MustChangePassword || a.User != nil
	return s.Store.CreateUser(ctx, a, n, hash)
}

// UpdateUser lets the bureau change, disable or reset an account. The bureau
// cannot disable itself, so that it is never locked out.
func (s *Service) UpdateUser(ctx context.Context, a model.Actor, id int64, upd model.UserUpdate) (*model.User, error) {
	if !a.IsAdmin() {
		return nil, model.NotFound()
	}
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	if a.User != nil && a.User.ID == id && upd.Disabled != nil && *upd.Disabled {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
			Fields: map[string]string{"disabled": "err.field.cannot_disable_self"}}
	}
	var hash string
	if upd.Password != nil {
		var err error
		if hash, err = s.hash(ctx, *upd.Password); err != nil {
			return nil, err
		}
	}
	return s.Store.UpdateUser(ctx, a, id, upd, hash)
}

// UpdateSelf changes the caller's own display name and language.
func (s *Service) UpdateSelf(ctx context.Context, a model.Actor, displayName, language *string) (*model.User, error) {
	upd := model.UserUpdate{DisplayName: displayName, Language: language}
	if err := upd.Validate(); err != nil {
		return nil, err
	}
	return s.Store.UpdateUser(ctx, a, a.User.ID, upd, "")
}

// ChangePassword changes the caller's own password after checking the
// current one; every other session and token of the account ends.
func (s *Service) ChangePassword(ctx context.Context, a model.Actor, current, next string) (*model.User, error) {
	if a.User == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	// The current password is guessed no faster than at the login.
	ok, err := s.attempt(ctx, a, a.User.Username, a.User.PasswordHash, current)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
			Fields: map[string]string{"current_password": "err.field.wrong_password"}}
	}
	if err := model.ValidatePassword("new_password", next); err != nil {
		return nil, err
	}
	if current == next {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
			Fields: map[string]string{"new_password": "err.field.password_same"}}
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return nil, err
	}
	return s.Store.UpdateUser(ctx, a, a.User.ID, model.UserUpdate{Password: &next}, hash)
}

// ScopeIDs turns a region code and an enterprise credit code (either may be
// empty) into ids, for the command line.
func (s *Service) ScopeIDs(ctx context.Context, regionCode, uscc string) (region, enterprise *int64, err error) {
	if regionCode != "" {
		id, err := s.Store.RegionIDByCode(ctx, regionCode)
		if err != nil {
			return nil, nil, fmt.Errorf("region %q: %w", regionCode, err)
		}
		region = &id
	}
	if uscc != "" {
		id, err := s.Store.EnterpriseIDByUSCC(ctx, model.NormalizeUSCC(uscc))
		if err != nil {
			return nil, nil, fmt.Errorf("enterprise %q: %w", uscc, err)
		}
		enterprise = &id
	}
	return region, enterprise, nil
}
