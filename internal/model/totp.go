package model

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Two-factor sign-in with time-based one-time passwords (RFC 6238: HMAC-SHA1,
// 30-second steps, 6 digits), which every authenticator app reads from an
// otpauth:// QR code.

const totpStep = 30 * time.Second

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewTOTPSecret makes a 160-bit secret, base32 as authenticator apps take it.
func NewTOTPSecret() string {
	b := make([]byte, 20)
	rand.Read(b)
	return b32.EncodeToString(b)
}

// TOTPCode is the code of secret for the step holding t.
func TOTPCode(secret string, t time.Time) string {
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return ""
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], uint64(t.Unix()/int64(totpStep/time.Second)))
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	n := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", n%1_000_000)
}

// MatchTOTP checks a code against the steps around now (one either way,
// for clocks that differ by a few seconds) and returns the step it belongs
// to, so that a code is taken once; 0 when it matches none.
func MatchTOTP(secret, code string, now time.Time) int64 {
	code = strings.ReplaceAll(strings.TrimSpace(FoldWidth(code)), " ", "")
	if len(code) != 6 || secret == "" {
		return 0
	}
	for _, d := range []time.Duration{0, -totpStep, totpStep} {
		t := now.Add(d)
		if hmac.Equal([]byte(TOTPCode(secret, t)), []byte(code)) {
			return t.Unix() / int64(totpStep/time.Second)
		}
	}
	return 0
}

// OTPAuthURL is what the enrollment QR code holds.
func OTPAuthURL(issuer, account, secret string) string {
	v := url.Values{"secret": {secret}, "issuer": {issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + url.PathEscape(issuer+":"+account) + "?" + v.Encode()
}

// NewRecoveryCodes makes n one-time codes (XXXX-XXXX) for a lost phone.
func NewRecoveryCodes(n int) []string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 8)
		rand.Read(b)
		for j := range b {
			b[j] = alphabet[int(b[j])%len(alphabet)]
		}
		out[i] = string(b[:4]) + "-" + string(b[4:])
	}
	return out
}

// NormalizeRecoveryCode is how a typed recovery code is compared.
func NormalizeRecoveryCode(s string) string {
	s = strings.ToUpper(strings.TrimSpace(FoldWidth(s)))
	s = strings.ReplaceAll(strings.ReplaceAll(s, " ", ""), "-", "")
	if len(s) != 8 {
		return ""
	}
	return s[:4] + "-" + s[4:]
}

// IsStaff reports whether the account is the bureau's or an association's,
// the accounts the bureau may require two-factor sign-in for.
func (u *User) IsStaff() bool { return u.Role == RoleAdmin || u.Role == RoleAssociation }
