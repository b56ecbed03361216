package store

import (
	"context"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// securityTTL is how long a read of the security settings is reused: they
// are read on every browser request (the idle timeout), and another
// instance's change reaches this one within it.
const securityTTL = 5 * time.Second

type securityCache struct {
	mu  sync.Mutex
	at  time.Time
	val model.SecuritySettings
}

// SecuritySettings reads the bureau's security policy; if the database
// cannot be read, the defaults (the stricter choice for two-factor sign-in
// is not assumed, so nobody is locked out by an outage).
func (s *Store) SecuritySettings(ctx context.Context) model.SecuritySettings {
	c := &s.security
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.at.IsZero() && time.Since(c.at) < securityTTL {
		return c.val
	}
	v := model.DefaultSecuritySettings()
	rows, err := s.query(ctx, `SELECT key, value FROM settings WHERE key LIKE 'security.%'`)
	if err != nil {
		return v
	}
	defer rows.Close()
	for rows.Next() {
		var k, val string
		if rows.Scan(&k, &val) != nil {
			return v
		}
		switch k {
		case "security.require_totp_staff":
			v.RequireTwoFactorForStaff, _ = strconv.ParseBool(val)
		case "security.password_min_length":
			v.PasswordMinLength, _ = strconv.Atoi(val)
		case "security.block_common_passwords":
			v.BlockCommonPasswords, _ = strconv.ParseBool(val)
		case "security.session_idle_minutes":
			v.SessionIdleMinutes, _ = strconv.Atoi(val)
		case "security.token_roles":
			for _, r := range strings.Split(val, ",") {
				if r != "" {
					v.TokenRoles = append(v.TokenRoles, model.Role(r))
				}
			}
		}
	}
	if rows.Err() != nil || v.Validate() != nil {
		return model.DefaultSecuritySettings()
	}
	c.val, c.at = v, time.Now()
	return v
}

// SetSecuritySettings changes the policy (the bureau only), audited with
// what changed.
func (s *Store) SetSecuritySettings(ctx context.Context, a model.Actor, v model.SecuritySettings) error {
	if !a.IsAdmin() {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := v.Validate(); err != nil {
		return err
	}
	old := s.SecuritySettings(ctx)
	defer func() {
		s.security.mu.Lock()
		s.security.at = time.Time{}
		s.security.mu.Unlock()
	}()
	return s.write(ctx, func(tx *Tx) error {
		vals := map[string]string{
			"security.require_totp_staff":     strconv.FormatBool(v.RequireTwoFactorForStaff),
			"security.password_min_length":    strconv.Itoa(v.PasswordMinLength),
			"security.block_common_passwords": strconv.FormatBool(v.BlockCommonPasswords),
			"security.session_idle_minutes":   strconv.Itoa(v.SessionIdleMinutes),
			"security.token_roles":            joinRoles(v.TokenRoles),
		}
		if err := putSettings(ctx, tx, vals); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "settings.security", "settings", nil, model.Changes{
			"require_two_factor_for_staff": {Old: old.RequireTwoFactorForStaff, New: v.RequireTwoFactorForStaff},
			"password_min_length":          {Old: old.PasswordMinLength, New: v.PasswordMinLength},
			"block_common_passwords":       {Old: old.BlockCommonPasswords, New: v.BlockCommonPasswords},
			"session_idle_minutes":         {Old: old.SessionIdleMinutes, New: v.SessionIdleMinutes},
			"token_roles":                  {Old: joinRoles(old.TokenRoles), New: joinRoles(v.TokenRoles)},
		})
	})
}

func joinRoles(rs []model.Role) string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}

// putSettings stores settings by key, replacing what was there.
func putSettings(ctx context.Context, tx *Tx, vals map[string]string) error {
	for k, v := range vals {
		if _, err := tx.Exec(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, k, v); err != nil {
			return err
		}
	}
	return nil
}
