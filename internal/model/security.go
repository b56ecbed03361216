package model

import (
	"bufio"
	_ "embed"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// SecuritySettings is the bureau's security policy.
type SecuritySettings struct {
	// RequireTwoFactorForStaff: bureau and association accounts must use
	// two-factor sign-in.
	RequireTwoFactorForStaff bool `json:"require_two_factor_for_staff"`
	// PasswordMinLength is the shortest new password, in characters (10 at
	// least, whatever is set).
	PasswordMinLength int `json:"password_min_length"`
	// BlockCommonPasswords refuses a new password found in the list of
	// common passwords.
	BlockCommonPasswords bool `json:"block_common_passwords"`
	// SessionIdleMinutes ends a browser session unused for this long.
	SessionIdleMinutes int `json:"session_idle_minutes"`
	// TokenRoles are the roles besides the bureau whose accounts may make
	// API tokens (systems that integrate); the others never see tokens.
	TokenRoles []Role `json:"token_roles"`
}

// TokensAllowed reports whether accounts of the role may make API tokens.
func (s SecuritySettings) TokensAllowed(r Role) bool {
	return r == RoleAdmin || slices.Contains(s.TokenRoles, r)
}

// Limits of the security settings.
const (
	MinPasswordLength  = 10
	MaxPasswordLength  = 64
	MinSessionIdleMins = 5
	MaxSessionIdleMins = 24 * 60
)

// DefaultSecuritySettings is the policy until the bureau sets one.
func DefaultSecuritySettings() SecuritySettings {
	return SecuritySettings{PasswordMinLength: MinPasswordLength, BlockCommonPasswords: true, SessionIdleMinutes: 8 * 60, TokenRoles: []Role{}}
}

// Validate checks the settings.
func (s *SecuritySettings) Validate() error {
	v := Validation{}
	if s.PasswordMinLength < MinPasswordLength || s.PasswordMinLength > MaxPasswordLength {
		v.Add("password_min_length", "err.field.password_min_length")
	}
	if s.SessionIdleMinutes < MinSessionIdleMins || s.SessionIdleMinutes > MaxSessionIdleMins {
		v.Add("session_idle_minutes", "err.field.session_idle_minutes")
	}
	if s.TokenRoles == nil {
		s.TokenRoles = []Role{}
	}
	for _, r := range s.TokenRoles {
		if !r.Valid() || r == RoleAdmin {
			v.Add("token_roles", "err.field.choice")
		}
	}
	return v.Err()
}

// CheckNewPassword checks a password someone chooses under the policy.
func (s SecuritySettings) CheckNewPassword(field, pw string) error {
	v := Validation{}
	validatePassword(v, field, pw)
	if v.Err() != nil {
		return v.Err()
	}
	switch {
	case utf8.RuneCountInString(pw) < s.PasswordMinLength:
		v.Add(field, "err.field.password_policy_short")
	case s.BlockCommonPasswords && IsCommonPassword(pw):
		v.Add(field, "err.field.password_common")
	}
	return v.Err()
}

// commonPasswords is the list of common passwords of zxcvbn-ts
// (@zxcvbn-ts/language-common 4.1.3, MIT), the entries of 8 characters or
// more, with common Chinese-pinyin and number passwords added.
//
//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]bool {
	m := make(map[string]bool, 20000)
	sc := bufio.NewScanner(strings.NewReader(commonPasswordsText))
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			m[l] = true
		}
	}
	return m
})

// IsCommonPassword reports whether pw is a common password, in any case and
// with spaces or a trailing punctuation mark or two ignored (Password1!
// is password1).
func IsCommonPassword(pw string) bool {
	p := strings.ToLower(strings.Join(strings.Fields(FoldWidth(pw)), ""))
	p = strings.TrimRightFunc(p, unicode.IsPunct)
	return commonPasswords()[p]
}
