// Package auth logs people in and manages accounts: password hashing, login
// throttling and the rules on who may change which account. The HTTP
// packages (web and api) share it.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"math"
	"runtime"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// Policy holds the tunable security settings.
type Policy struct {
	Argon2 model.Argon2Params
	// SessionMax ends a browser session this long after login whatever
	// happens; the idle timeout is the bureau's setting (SessionIdle).
	SessionMax time.Duration
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
	var second func() (bool, error)
	if u != nil && u.TOTPEnabled {
		second = func() (bool, error) {
			if strings.TrimSpace(c.OTP) == "" {
				return false, &model.Error{Code: model.ErrUnauthenticated, Message: "err.otp_required",
					Fields: map[string]string{"otp": "err.field.otp_required"}}
			}
			return s.secondFactor(ctx, u, c.OTP)
		}
	}
	ok, err := s.attempt(ctx, a, username, hash, c.Password, second)
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
// good one clears the account's failures. second, when not nil, checks the
// second factor after a right password: a wrong code is a failure too (so
// codes are guessed no faster than passwords), an error (no code given)
// is not.
func (s *Service) attempt(ctx context.Context, a model.Actor, username, hash, pw string, second func() (bool, error)) (bool, error) {
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
	if ok && second != nil {
		if ok, err = second(); err != nil {
			s.Store.DropLogin(context.WithoutCancel(ctx), id)
			return false, err
		}
		if !ok {
			if err := s.Store.FailLogin(context.WithoutCancel(ctx), a, id, username); err != nil {
				return false, err
			}
			return false, &model.Error{Code: model.ErrUnauthenticated, Message: "err.otp_wrong",
				Fields: map[string]string{"otp": "err.field.otp_wrong"}}
		}
	}
	if !ok {
		return false, s.Store.FailLogin(context.WithoutCancel(ctx), a, id, username)
	}
	return true, s.Store.ClearLoginFailures(ctx, username)
}

// secondFactor checks a code from the account's authenticator app (each
// taken once) or one of its unused recovery codes.
func (s *Service) secondFactor(ctx context.Context, u *model.User, code string) (bool, error) {
	if step := model.MatchTOTP(u.TOTPSecret, code, s.Store.Now()); step != 0 {
		return s.Store.UseTOTPStep(ctx, u.ID, step)
	}
	return s.Store.UseRecoveryCode(ctx, u.ID, code)
}

// TwoFactorSetup is what an account enrolling in two-factor sign-in needs:
// the secret for the app, as text and as the otpauth:// URL its QR code holds.
type TwoFactorSetup struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

// StartTwoFactor gives the caller's account a new authenticator secret,
// not in force until ConfirmTwoFactor.
func (s *Service) StartTwoFactor(ctx context.Context, a model.Actor) (*TwoFactorSetup, error) {
	if a.User == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	if a.User.TOTPEnabled {
		return nil, model.Errorf(model.ErrConflict, "err.two_factor_on")
	}
	secret := model.NewTOTPSecret()
	if err := s.Store.StartTOTP(ctx, a, secret); err != nil {
		return nil, err
	}
	a.User.TOTPSecret = secret
	return s.twoFactorSetup(a.User), nil
}

// PendingTwoFactor is the setup of an account that started enrolling and
// has not confirmed yet; nil otherwise.
func (s *Service) PendingTwoFactor(u *model.User) *TwoFactorSetup {
	if u == nil || u.TOTPEnabled || u.TOTPSecret == "" {
		return nil
	}
	return s.twoFactorSetup(u)
}

func (s *Service) twoFactorSetup(u *model.User) *TwoFactorSetup {
	return &TwoFactorSetup{Secret: u.TOTPSecret, URL: model.OTPAuthURL("envhome", u.Username, u.TOTPSecret)}
}

// ConfirmTwoFactor puts the caller's new secret in force once a code from
// the app matches it, and returns ten recovery codes, shown this once.
func (s *Service) ConfirmTwoFactor(ctx context.Context, a model.Actor, code string) ([]string, error) {
	if a.User == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	if a.User.TOTPEnabled {
		return nil, model.Errorf(model.ErrConflict, "err.two_factor_on")
	}
	if a.User.TOTPSecret == "" {
		return nil, model.Errorf(model.ErrConflict, "err.two_factor_not_started")
	}
	step := model.MatchTOTP(a.User.TOTPSecret, code, s.Store.Now())
	fresh := false
	if step != 0 {
		var err error
		if fresh, err = s.Store.UseTOTPStep(ctx, a.User.ID, step); err != nil {
			return nil, err
		}
	}
	if !fresh {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
			Fields: map[string]string{"otp": "err.field.otp_wrong"}}
	}
	codes := model.NewRecoveryCodes(10)
	if err := s.Store.EnableTOTP(ctx, a, codes); err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTwoFactor turns the caller's two-factor sign-in off; it takes the
// password and a code, checked as a login is (throttled), so that a
// borrowed session cannot remove the second factor.
func (s *Service) DisableTwoFactor(ctx context.Context, a model.Actor, password, code string) error {
	if a.User == nil {
		return model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	if !a.User.TOTPEnabled {
		return model.Errorf(model.ErrConflict, "err.two_factor_off")
	}
	wrongCode := &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
		Fields: map[string]string{"otp": "err.field.otp_wrong"}}
	if strings.TrimSpace(code) == "" {
		return wrongCode
	}
	second := func() (bool, error) { return s.secondFactor(ctx, a.User, code) }
	ok, err := s.attempt(ctx, a, a.User.Username, a.User.PasswordHash, password, second)
	if model.IsCode(err, model.ErrUnauthenticated) {
		return wrongCode
	}
	if err != nil {
		return err
	}
	if !ok {
		return &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
			Fields: map[string]string{"current_password": "err.field.wrong_password"}}
	}
	return s.Store.ResetTOTP(ctx, a, a.User.ID)
}

// ResetTwoFactor is the bureau turning off the two-factor sign-in of
// someone who lost the phone and the recovery codes (audited).
func (s *Service) ResetTwoFactor(ctx context.Context, a model.Actor, userID int64) error {
	if !a.IsAdmin() {
		return model.NotFound()
	}
	return s.Store.ResetTOTP(ctx, a, userID)
}

// SessionIdle is how long a browser session may go unused: the bureau's
// setting.
func (s *Service) SessionIdle(ctx context.Context) time.Duration {
	return time.Duration(s.Store.SecuritySettings(ctx).SessionIdleMinutes) * time.Minute
}

// checkNewPassword checks a password someone chooses against the bureau's
// password policy.
func (s *Service) checkNewPassword(ctx context.Context, field, pw string) error {
	return s.Store.SecuritySettings(ctx).CheckNewPassword(field, pw)
}

// TwoFactorMissing reports whether the account must enrol in two-factor
// sign-in before anything else in a browser (and before it gets a token by
// password): the bureau requires it of staff.
func (s *Service) TwoFactorMissing(ctx context.Context, u *model.User) bool {
	return u != nil && u.IsStaff() && !u.TOTPEnabled && s.Store.RequireTOTPForStaff(ctx)
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
	// Where the bureau requires two-factor sign-in, a password alone gets
	// no token: the account sets it up on its account page first. Tokens
	// made before, or on the account page, are not affected.
	if s.TwoFactorMissing(ctx, u) {
		return nil, "", model.Errorf(model.ErrForbidden, "err.two_factor_required")
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
	if err := s.checkNewPassword(ctx, "password", n.Password); err != nil {
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
		if err := s.checkNewPassword(ctx, "password", *upd.Password); err != nil {
			return nil, err
		}
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
	ok, err := s.attempt(ctx, a, a.User.Username, a.User.PasswordHash, current, nil)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
			Fields: map[string]string{"current_password": "err.field.wrong_password"}}
	}
	if err := s.checkNewPassword(ctx, "new_password", next); err != nil {
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

// ResetPassword gives another account a temporary password, shown once to
// the staff member who asked, to be changed at the next sign-in; its
// sessions and tokens end. The bureau may reset any account but its own
// (that is changed, not reset); an association the accounts of its
// town's enterprises. Any other account is not found.
func (s *Service) ResetPassword(ctx context.Context, a model.Actor, id int64) (*model.User, string, error) {
	if a.User == nil || a.User.ID == id {
		return nil, "", model.NotFound()
	}
	u, err := s.Store.User(ctx, id)
	if err != nil {
		return nil, "", model.NotFound()
	}
	switch {
	case a.IsAdmin():
	case a.User.Role == model.RoleAssociation && u.Role == model.RoleEnterprise && u.EnterpriseID != nil:
		if _, err := s.Store.Enterprise(ctx, a, *u.EnterpriseID); err != nil {
			return nil, "", model.NotFound()
		}
	default:
		return nil, "", model.NotFound()
	}
	pw := model.TemporaryPassword()
	hash, err := s.hash(ctx, pw)
	if err != nil {
		return nil, "", err
	}
	u, err = s.Store.ResetPassword(ctx, a, id, hash)
	return u, pw, err
}

// ResetLinkTTL is how long a "forgot password" link works.
const ResetLinkTTL = time.Hour

// RequestPasswordReset makes a reset link's token for the enabled account
// with the username, if it has an email address to send it to; otherwise
// it answers nothing, so that the caller's answer cannot tell accounts
// apart. At most one link per account in ResetLinkTTL/4.
func (s *Service) RequestPasswordReset(ctx context.Context, username string) (email, token string, err error) {
	u, err := s.Store.UserByUsername(ctx, model.NormalizeUsername(username))
	if err != nil || u.Disabled() || u.Email == "" {
		return "", "", nil
	}
	now := s.Store.Now()
	if n, err := s.Store.RecentPasswordResets(ctx, u.ID, now.Add(ResetLinkTTL-ResetLinkTTL/4)); err != nil || n > 0 {
		return "", "", err
	}
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	token = strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	sum := sha256.Sum256([]byte(token))
	if err := s.Store.CreatePasswordReset(ctx, u.ID, hex.EncodeToString(sum[:]), now.Add(ResetLinkTTL)); err != nil {
		return "", "", err
	}
	return u.Email, token, nil
}

// ResetWithToken sets a new password with a reset link's token.
func (s *Service) ResetWithToken(ctx context.Context, token, password string) (*model.User, error) {
	if err := s.checkNewPassword(ctx, "new_password", password); err != nil {
		return nil, err
	}
	hash, err := s.hash(ctx, password)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(token))))
	return s.Store.UsePasswordReset(ctx, hex.EncodeToString(sum[:]), hash)
}
