package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/envhome/envhome/internal/model"
)

func recoveryHash(code string) string {
	h := sha256.Sum256([]byte(model.NormalizeRecoveryCode(code)))
	return hex.EncodeToString(h[:])
}

// StartTOTP gives the actor's own account a new authenticator secret, not
// yet in force (an enabled one stays until a code confirms the new one).
func (s *Store) StartTOTP(ctx context.Context, a model.Actor, secret string) error {
	defer s.forgetTokens() // cached token lookups carry the account
	return s.write(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET totp_secret = ?, updated_at = ? WHERE id = ? AND totp_enabled = 0`, s.pii.sealAs(totpAAD, secret), ms(s.Now()), a.User.ID)
		return err
	})
}

// EnableTOTP puts the actor's enrolling secret in force with new recovery
// codes (stored hashed; the caller shows them once).
func (s *Store) EnableTOTP(ctx context.Context, a model.Actor, recovery []string) error {
	defer s.forgetTokens()
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_enabled = 1, updated_at = ? WHERE id = ? AND totp_secret <> ''`, ms(s.Now()), a.User.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, a.User.ID); err != nil {
			return err
		}
		for _, c := range recovery {
			if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, a.User.ID, recoveryHash(c)); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "user.two_factor_on", "user", &a.User.ID, nil)
	})
}

// ResetTOTP turns an account's two-factor sign-in off: the bureau for a
// user who lost the phone (logged), or the user.
func (s *Store) ResetTOTP(ctx context.Context, a model.Actor, userID int64) error {
	if !a.IsAdmin() && (a.User == nil || a.User.ID != userID) {
		return model.NotFound()
	}
	defer s.forgetTokens()
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE users SET totp_enabled = 0, totp_secret = '', updated_at = ? WHERE id = ?`, ms(s.Now()), userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.NotFound()
		}
		if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user.two_factor_reset", "user", &userID, nil)
	})
}

// UseTOTPStep takes the code of step for an account: false when a code of
// that step or a later one was taken already (a replayed code). Taking it
// is one conditional update, so two requests with one code cannot both win.
func (s *Store) UseTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	fresh := false
	err := s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, userID, step)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		fresh = n == 1
		return nil
	})
	return fresh, err
}

// RecoveryCodesLeft counts an account's unused recovery codes.
func (s *Store) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n)
	return n, err
}

// UseRecoveryCode spends one of an account's recovery codes; false when it
// is not one (or was used).
func (s *Store) UseRecoveryCode(ctx context.Context, userID int64, code string) (bool, error) {
	if model.NormalizeRecoveryCode(code) == "" {
		return false, nil
	}
	used := false
	err := s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`,
			ms(s.Now()), userID, recoveryHash(code))
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		used = n == 1
		return nil
	})
	return used, err
}

// RequireTOTPForStaff reads whether the bureau requires two-factor sign-in
// of every staff account.
func (s *Store) RequireTOTPForStaff(ctx context.Context) bool {
	return s.SecuritySettings(ctx).RequireTwoFactorForStaff
}
