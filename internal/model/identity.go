package model

import (
	"encoding/json"
	"regexp"
	"strings"
	"time"
)

// FoldWidth turns full-width ASCII (common in Chinese spreadsheets) into
// half-width and the ideographic space into a space.
func FoldWidth(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r >= 0xFF01 && r <= 0xFF5E || r == 0x3000 }) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormalizePhone strips spaces, dashes, brackets and a +86 / 0086 prefix.
func NormalizePhone(s string) string {
	s = FoldWidth(strings.TrimSpace(s))
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '(', ')', '\u00a0':
			return -1
		}
		return r
	}, s)
	if strings.HasPrefix(s, "+86") {
		s = s[3:]
	} else if strings.HasPrefix(s, "0086") {
		s = s[4:]
	}
	return s
}

var (
	mobileRE = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	// A landline: area code 0xx or 0xxx and 7–8 digits, optional extension.
	landlineRE = regexp.MustCompile(`^0[1-9][0-9]{1,2}[0-9]{7,8}(\*[0-9]{1,6})?$`)
)

// ValidMobile reports whether s (normalised) is a mainland mobile number.
func ValidMobile(s string) bool { return mobileRE.MatchString(s) }

// ValidPhone accepts a mobile number or a landline with area code.
func ValidPhone(s string) bool { return mobileRE.MatchString(s) || landlineRE.MatchString(s) }

var idCardWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// ValidIDCard checks an 18-character resident ID number (GB 11643-1999):
// digits, a real birth date and the ISO 7064 MOD 11-2 check character.
func ValidIDCard(s string) bool {
	if len(s) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * idCardWeights[i]
	}
	if _, err := time.Parse("20060102", s[6:14]); err != nil {
		return false
	}
	return s[17] == "10X98765432"[sum%11]
}

// MaskIDCard shows only the first 3 and last 4 characters.
func MaskIDCard(s string) string {
	if len(s) < 8 {
		return strings.Repeat("*", len(s))
	}
	return s[:3] + strings.Repeat("*", len(s)-7) + s[len(s)-4:]
}

// dateSeparators turns 2026年3月1日, 2026/3/1 and 2026.3.1 into 2026-3-1.
var dateSeparators = strings.NewReplacer("年", "-", "月", "-", "日", "", "/", "-", ".", "-")

// Date is a calendar date written YYYY-MM-DD; stored as text, it sorts and
// compares as dates on both databases.
type Date string

// MarshalJSON writes an empty date as null, never "".
func (d Date) MarshalJSON() ([]byte, error) {
	if d == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(d))
}

// UnmarshalJSON reads a date or null (no date).
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = ""
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*d = Date(s)
	return nil
}

// Valid reports whether d is a real date.
func (d Date) Valid() bool {
	_, err := time.Parse("2006-01-02", string(d))
	return err == nil
}

// ParseDate reads a date as people write it in forms and spreadsheets:
// 2026-03-01, 2026/3/1, 2026.3.1, 20260301 or 2026年3月1日.
func ParseDate(s string) (Date, bool) {
	s = strings.TrimSpace(FoldWidth(s))
	if s == "" {
		return "", true
	}
	// A time after the date (2026-03-01 00:00:00, as LibreOffice and
	// pandas write date cells as text) is not part of it.
	if d, t, ok := strings.Cut(s, " "); ok && strings.Count(t, ":") >= 1 {
		s = d
	} else if d, t, ok := strings.Cut(s, "T"); ok && strings.Count(t, ":") >= 1 {
		s = d
	}
	s = dateSeparators.Replace(s)
	for _, layout := range []string{"2006-1-2", "20060102"} {
		if t, err := time.Parse(layout, s); err == nil {
			return Date(t.Format("2006-01-02")), true
		}
	}
	return "", false
}

// Today is the date in China at t.
func Today(t time.Time) Date { return Date(t.In(ChinaTime).Format("2006-01-02")) }

// AddDays returns the date n days after d (d must be valid).
func (d Date) AddDays(n int) Date {
	t, _ := time.Parse("2006-01-02", string(d))
	return Date(t.AddDate(0, 0, n).Format("2006-01-02"))
}
