package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
)

const userColumns = `u.id, u.username, u.display_name, u.role, u.region_id, u.enterprise_id, u.language, u.email, u.webhook_url,
	u.password_hash, u.disabled_at, u.created_at, u.updated_at, u.must_change_password, u.totp_secret, u.totp_enabled, u.provider_id`

type rowScanner interface{ Scan(dest ...any) error }

func (s *Store) scanUser(r rowScanner, extra ...any) (*model.User, error) {
	u := &model.User{}
	dest := append([]any{&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.RegionID, &u.EnterpriseID, &u.Language, &u.Email, &u.WebhookURL,
		&u.PasswordHash, nullTimeCol{&u.DisabledAt}, timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt}, &u.MustChangePassword, sealedCol{&u.TOTPSecret, s.pii, totpAAD}, &u.TOTPEnabled, &u.ProviderID}, extra...)
	if err := r.Scan(dest...); err != nil {
		return nil, err
	}
	return u, nil
}

// CreateUser creates an account whose password is already hashed.
func (s *Store) CreateUser(ctx context.Context, a model.Actor, n model.NewUser, passwordHash string) (*model.User, error) {
	var u *model.User
	err := s.write(ctx, func(tx *Tx) error {
		if err := checkScope(ctx, tx, n.RegionID, n.EnterpriseID); err != nil {
			return err
		}
		now := ms(s.Now())
		row := tx.QueryRow(ctx, `INSERT INTO users (username, display_name, role, region_id, enterprise_id, language, password_hash, must_change_password, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			n.Username, n.DisplayName, n.Role, n.RegionID, n.EnterpriseID, n.Language, passwordHash, boolInt(n.MustChangePassword), now, now)
		var id int64
		if err := row.Scan(&id); err != nil {
			if isUniqueViolation(err) {
				return &model.Error{Code: model.ErrConflict, Message: "err.username_taken",
					Fields: map[string]string{"username": "err.username_taken"}}
			}
			return err
		}
		var err error
		if u, err = s.userByID(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user.create", "user", &id, model.Changes{
			"username": {New: n.Username}, "role": {New: n.Role}, "display_name": {New: n.DisplayName},
			"region_id": {New: n.RegionID}, "enterprise_id": {New: n.EnterpriseID}, "password": {New: model.Redacted},
		})
	})
	if err != nil {
		return nil, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// checkScope makes sure the region and enterprise an account is tied to
// exist, so the caller gets a field error rather than a foreign-key failure.
func checkScope(ctx context.Context, tx *Tx, region, enterprise *int64) error {
	v := model.Validation{}
	var one int
	if region != nil {
		if err := tx.QueryRow(ctx, `SELECT 1 FROM regions WHERE id = ?`, *region).Scan(&one); err != nil {
			if err != sql.ErrNoRows {
				return err
			}
			v.Add("region_id", "err.field.no_such_region")
		}
	}
	if enterprise != nil {
		if err := tx.QueryRow(ctx, `SELECT 1 FROM enterprises WHERE id = ?`, *enterprise).Scan(&one); err != nil {
			if err != sql.ErrNoRows {
				return err
			}
			v.Add("enterprise_id", "err.field.no_such_enterprise")
		}
	}
	return v.Err()
}

func (s *Store) userByID(ctx context.Context, tx *Tx, id int64) (*model.User, error) {
	u, err := s.scanUser(tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	return u, notFound(err)
}

// User returns an account by id.
func (s *Store) User(ctx context.Context, id int64) (*model.User, error) {
	u, err := s.scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	return u, nil
}

// UserByUsername returns an account by its (lower-case) username.
func (s *Store) UserByUsername(ctx context.Context, username string) (*model.User, error) {
	u, err := s.scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users u WHERE u.username = ?`, username))
	if err != nil {
		return nil, notFound(err)
	}
	return u, nil
}

// ListUsers pages through accounts, newest first.
func (s *Store) ListUsers(ctx context.Context, f model.UserFilter) (model.List[*model.User], error) {
	q := `SELECT ` + userColumns + ` FROM users u WHERE 1=1`
	var args []any
	if f.Role != nil {
		q += ` AND u.role = ?`
		args = append(args, *f.Role)
	}
	if f.After > 0 {
		q += ` AND u.id < ?`
		args = append(args, f.After)
	}
	q += ` ORDER BY u.id DESC LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := s.query(ctx, q, args...)
	items, err := scanAll(rows, err, func(r *sql.Rows) (*model.User, error) { return s.scanUser(r) })
	if err != nil {
		return model.List[*model.User]{}, fmt.Errorf("list users: %w", err)
	}
	return model.PageOf(items, f.Limit, func(u *model.User) int64 { return u.ID }), nil
}

// UpdateUser applies upd to account id. newHash, when not empty, replaces the
// password (upd.Password is only a marker then) and ends the account's
// sessions and tokens; so does disabling the account.
func (s *Store) UpdateUser(ctx context.Context, a model.Actor, id int64, upd model.UserUpdate, newHash string) (*model.User, error) {
	defer s.forgetTokens() // cached token lookups carry the account
	var u *model.User
	err := s.write(ctx, func(tx *Tx) error {
		old, err := s.userByID(ctx, tx, id)
		if err != nil {
			return err
		}
		now := s.Now()
		changes := model.Changes{}
		set := ""
		var args []any
		if upd.DisplayName != nil && *upd.DisplayName != old.DisplayName {
			set += `, display_name = ?`
			args = append(args, *upd.DisplayName)
			changes["display_name"] = model.Change{Old: old.DisplayName, New: *upd.DisplayName}
		}
		if upd.Language != nil && *upd.Language != old.Language {
			set += `, language = ?`
			args = append(args, *upd.Language)
			changes["language"] = model.Change{Old: old.Language, New: *upd.Language}
		}
		endSessions := false
		if upd.Disabled != nil && *upd.Disabled != old.Disabled() {
			if *upd.Disabled {
				set += `, disabled_at = ?`
				args = append(args, ms(now))
				endSessions = true
			} else {
				set += `, disabled_at = NULL`
			}
			changes["disabled"] = model.Change{Old: old.Disabled(), New: *upd.Disabled}
		}
		if newHash != "" {
			// One's own new password is one's own; one set by the bureau
			// is changed at the next sign-in.
			set += `, password_hash = ?, must_change_password = ?`
			args = append(args, newHash, boolInt(a.User == nil || a.User.ID != id))
			changes["password"] = model.Change{New: model.Redacted}
			endSessions = true
		}
		if len(changes) == 0 {
			u = old
			return nil
		}
		args = append(append([]any{ms(now)}, args...), id)
		if _, err := tx.Exec(ctx, `UPDATE users SET updated_at = ?`+set+` WHERE id = ?`, args...); err != nil {
			return err
		}
		if endSessions {
			if err := s.endAccess(ctx, tx, id, now); err != nil {
				return err
			}
		}
		action := "user.update"
		if a.User != nil && a.User.ID == id && newHash != "" {
			action = "user.password_change"
		}
		if err := s.audit(ctx, tx, a, action, "user", &id, changes); err != nil {
			return err
		}
		u, err = s.userByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update user: %w", err)
	}
	return u, nil
}

// endAccess logs an account out everywhere: its sessions go and its tokens
// are revoked.
func (s *Store) endAccess(ctx context.Context, tx *Tx, userID int64, now time.Time) error {
	if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, now.UnixMilli(), userID)
	return err
}

// IsEmpty tells whether the database holds no account and no region, so
// that demo data is never mixed into real data.
func (s *Store) IsEmpty(ctx context.Context) (bool, error) {
	var one int
	err := s.queryRow(ctx, `SELECT 1 FROM users UNION ALL SELECT 1 FROM regions LIMIT 1`).Scan(&one)
	if err == sql.ErrNoRows {
		return true, nil
	}
	return false, err
}

// SetNoticeChannels sets where the actor's own notices are copied to.
func (s *Store) SetNoticeChannels(ctx context.Context, a model.Actor, n model.NoticeChannels) (*model.User, error) {
	if err := n.Validate(); err != nil {
		return nil, err
	}
	if a.User == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.session_expired")
	}
	defer s.forgetTokens() // cached token lookups carry the account
	var u *model.User
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET email = ?, webhook_url = ?, updated_at = ? WHERE id = ?`, n.Email, n.WebhookURL, ms(s.Now()), a.User.ID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "user.notice_channels", "user", &a.User.ID, model.Changes{"email": {Old: a.User.Email, New: n.Email},
			"webhook_url": {Old: a.User.WebhookURL != "", New: n.WebhookURL != ""}}); err != nil {
			return err
		}
		var err error
		u, err = s.userByID(ctx, tx, a.User.ID)
		return err
	})
	return u, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ResetPassword gives an account a password chosen by staff (a temporary
// one, to be changed at the next sign-in) and ends its sessions and
// tokens. The caller checks who may.
func (s *Store) ResetPassword(ctx context.Context, a model.Actor, id int64, hash string) (*model.User, error) {
	defer s.forgetTokens()
	var u *model.User
	err := s.write(ctx, func(tx *Tx) error {
		now := s.Now()
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = 1, updated_at = ? WHERE id = ?`, hash, ms(now), id); err != nil {
			return err
		}
		if err := s.endAccess(ctx, tx, id, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "user.password_reset", "user", &id, model.Changes{"password": {New: model.Redacted}}); err != nil {
			return err
		}
		var err error
		u, err = s.userByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reset password: %w", err)
	}
	return u, nil
}

// EnterpriseAccounts lists the accounts of an enterprise in the actor's
// scope.
func (s *Store) EnterpriseAccounts(ctx context.Context, a model.Actor, enterpriseID int64) ([]*model.User, error) {
	if _, err := s.Enterprise(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT `+userColumns+` FROM users u WHERE u.enterprise_id = ? ORDER BY u.id`, enterpriseID)
	us, err := scanAll(rows, err, func(r *sql.Rows) (*model.User, error) { return s.scanUser(r) })
	if us == nil {
		us = []*model.User{}
	}
	return us, err
}

// CreatePasswordReset keeps the hash of a reset link's token for a user.
func (s *Store) CreatePasswordReset(ctx context.Context, userID int64, tokenHash string, expires time.Time) error {
	_, err := s.exec(ctx, `INSERT INTO password_resets (token_hash, user_id, expires_at) VALUES (?, ?, ?)`, tokenHash, userID, ms(expires))
	return err
}

// UsePasswordReset sets the password of the user whose unexpired, unused
// reset token hashes to tokenHash, ends the user's sessions and tokens,
// and spends every reset token the user has. A token that is unknown,
// used or expired is refused alike.
func (s *Store) UsePasswordReset(ctx context.Context, tokenHash, newHash string) (*model.User, error) {
	defer s.forgetTokens()
	var u *model.User
	err := s.write(ctx, func(tx *Tx) error {
		now := s.Now()
		var id int64
		err := tx.QueryRow(ctx, `SELECT user_id FROM password_resets WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
			tokenHash, ms(now)).Scan(&id)
		if err == sql.ErrNoRows {
			return model.Errorf(model.ErrConflict, "err.reset_link_invalid")
		}
		if err != nil {
			return err
		}
		if u, err = s.userByID(ctx, tx, id); err != nil {
			return err
		}
		if u.Disabled() {
			return model.Errorf(model.ErrConflict, "err.reset_link_invalid")
		}
		if _, err := tx.Exec(ctx, `UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, ms(now), id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, must_change_password = 0, updated_at = ? WHERE id = ?`, newHash, ms(now), id); err != nil {
			return err
		}
		if err := s.endAccess(ctx, tx, id, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, model.Actor{User: u}, "user.password_reset", "user", &id, model.Changes{"password": {New: model.Redacted}, "by": {New: "email"}}); err != nil {
			return err
		}
		u, err = s.userByID(ctx, tx, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("use password reset: %w", err)
	}
	return u, nil
}

// RecentPasswordResets counts a user's reset tokens that expire after
// the given time (made recently, as every token lives as long).
func (s *Store) RecentPasswordResets(ctx context.Context, userID int64, expiresAfter time.Time) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM password_resets WHERE user_id = ? AND expires_at > ?`, userID, ms(expiresAfter)).Scan(&n)
	return n, err
}
