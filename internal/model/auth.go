package model

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
	"unicode/utf8"
)

// Secret prefixes make leaked credentials easy to recognise in logs and scans.
const (
	TokenPrefix   = "eh_"
	SessionPrefix = "ehs_"
)

// NewSecret returns a random secret with the given prefix (160 bits).
func NewSecret(prefix string) string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// HashSecret is how tokens and session ids are stored: a leaked database
// does not hand out working credentials.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Session is a logged-in browser.
type Session struct {
	ID         int64
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
	Addr       string
}

// Token is an API token; its secret is shown once and only its hash is kept.
type Token struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Hint       string     `json:"hint"` // last characters, to tell tokens apart
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// Active reports whether the token still works at now.
func (t *Token) Active(now time.Time) bool {
	return t.RevokedAt == nil && now.Before(t.ExpiresAt)
}

// NewToken is a request for an API token.
type NewToken struct {
	Name      string `json:"name"`
	ExpiresIn int    `json:"expires_in_days"`
}

// MaxTokenDays is the longest a token may live.
const MaxTokenDays = 366

// Validate checks a token request; a zero lifetime becomes 90 days.
func (n *NewToken) Validate() error {
	v := Validation{}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		v.Add("name", "err.field.required")
	} else if utf8.RuneCountInString(n.Name) > 64 {
		v.Add("name", "err.field.too_long")
	}
	if n.ExpiresIn == 0 {
		n.ExpiresIn = 90
	}
	if n.ExpiresIn < 1 || n.ExpiresIn > MaxTokenDays {
		v.Add("expires_in_days", "err.field.token_days")
	}
	return v.Err()
}

// Credentials is a login.
type Credentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
	// OTP is the code of an account with two-factor sign-in: from the
	// authenticator app, or a recovery code.
	OTP string `json:"otp,omitempty"`
}
