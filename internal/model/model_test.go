package model

import (
	"encoding/base32"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestUSCC(t *testing.T) {
	for _, c := range []struct {
		in   string
		want bool
	}{
		{"91350100M000100Y43", true},   // REFERENCE.md's example
		{"91350100M000100Y44", false},  // wrong check character
		{"91350100M000100Y4", false},   // short
		{"91350100M000100Y43X", false}, // long
		{"91350100M000100I43", false},  // I is not in the alphabet
		{"91350100M000101Y43", false},  // organisation code check broken
		{"", false},
	} {
		if got := ValidUSCC(NormalizeUSCC(c.in)); got != c.want {
			t.Errorf("ValidUSCC(%q) = %v", c.in, got)
		}
	}
	if got := NormalizeUSCC(" ９１３５０１００ｍ０００１００ｙ４３ "); got != "91350100M000100Y43" {
		t.Errorf("full-width normalisation: %q", got)
	}
	code, ok := BuildUSCC("91330481", "MA2HN001")
	if !ok || !ValidUSCC(code) {
		t.Errorf("BuildUSCC: %q %v", code, ok)
	}
	if _, ok := BuildUSCC("91330481", "MA2SO001"); ok {
		t.Error("BuildUSCC accepted S and O")
	}
}

func FuzzUSCC(f *testing.F) {
	for _, s := range []string{"91350100M000100Y43", "９１３５０１００ｍ０００１００ｙ４３", "", "zzzz", "91350100M000100Y4\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := NormalizeUSCC(s)
		if NormalizeUSCC(n) != n {
			t.Errorf("normalisation is not idempotent: %q → %q", s, n)
		}
		if ValidUSCC(n) {
			if len(n) != 18 {
				t.Errorf("valid code of length %d", len(n))
			}
			c, ok := USCCCheck(n[:17])
			if !ok || c != n[17] {
				t.Errorf("valid code %q fails its check", n)
			}
		}
	})
}

func TestPasswordHash(t *testing.T) {
	p := Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	h, err := HashPassword("correct horse battery", p)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q", h)
	}
	if !CheckPassword(h, "correct horse battery") || CheckPassword(h, "correct horse batterY") {
		t.Error("check")
	}
	h2, _ := HashPassword("correct horse battery", p)
	if h == h2 {
		t.Error("no salt")
	}
	for _, bad := range []string{"", "$argon2i$v=19$m=1,t=1,p=1$a$b", "$argon2id$v=19$m=99999999,t=1,p=1$YQ$YQ", "plain"} {
		if CheckPassword(bad, "x") {
			t.Errorf("accepted hash %q", bad)
		}
	}
}

// BenchmarkHashPassword measures the production parameters.
func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		HashPassword("correct horse battery", DefaultArgon2)
	}
}

func TestNewUserValidate(t *testing.T) {
	region := int64(1)
	for _, c := range []struct {
		n      NewUser
		fields []string
	}{
		{NewUser{Username: "ok.user", Password: "long enough pw", Role: RoleLecturer}, nil},
		{NewUser{Username: "", Password: "", Role: ""}, []string{"username", "password", "role"}},
		{NewUser{Username: "ab", Password: "short", Role: RoleAdmin}, []string{"username", "password"}},
		{NewUser{Username: "张三", Password: "long enough pw", Role: RoleAdmin}, []string{"username"}},
		{NewUser{Username: "assoc", Password: "long enough pw", Role: RoleAssociation}, []string{"region_id"}},
		{NewUser{Username: "ent", Password: "long enough pw", Role: RoleEnterprise, RegionID: &region}, []string{"enterprise_id", "region_id"}},
		{NewUser{Username: "lect", Password: "long enough pw", Role: RoleLecturer, RegionID: &region}, []string{"region_id"}},
		{NewUser{Username: "lect", Password: "long enough\x00pw", Role: RoleLecturer}, []string{"password"}},
		{NewUser{Username: "lect", Password: "long enough pw", Role: RoleLecturer, Language: "fr"}, []string{"language"}},
	} {
		c.n.Normalize()
		err := c.n.Validate()
		var got []string
		if err != nil {
			for f := range err.(*Error).Fields {
				got = append(got, f)
			}
		}
		if len(got) != len(c.fields) {
			t.Errorf("%+v: fields %v, want %v", c.n, got, c.fields)
			continue
		}
		for _, f := range c.fields {
			if err.(*Error).Fields[f] == "" {
				t.Errorf("%+v: no error on %s", c.n, f)
			}
		}
	}
}

func TestPageAndCursor(t *testing.T) {
	p, err := ParsePage("", "")
	if err != nil || p.Limit != DefaultLimit || p.After != 0 {
		t.Errorf("defaults: %+v %v", p, err)
	}
	c := EncodeCursor(42)
	p, err = ParsePage("10", c)
	if err != nil || p.Limit != 10 || p.After != 42 {
		t.Errorf("%+v %v", p, err)
	}
	for _, l := range []string{"0", "-1", "201", "x", "1e3"} {
		if _, err := ParsePage(l, ""); err == nil {
			t.Errorf("limit %q accepted", l)
		}
	}
	items := []int64{9, 8, 7, 6}
	l := PageOf(items, 3, func(v int64) int64 { return v })
	if len(l.Items) != 3 || l.Next == nil {
		t.Fatalf("%+v", l)
	}
	if id, ok := DecodeCursor(*l.Next); !ok || id != 7 {
		t.Errorf("next cursor → %d", id)
	}
	if l := PageOf([]int64(nil), 3, func(v int64) int64 { return v }); l.Items == nil || l.Next != nil {
		t.Error("empty page must be [] with no next")
	}
}

func FuzzParsePage(f *testing.F) {
	f.Add("10", EncodeCursor(5))
	f.Add("", "")
	f.Add("x", "%%%")
	f.Fuzz(func(t *testing.T, limit, cursor string) {
		p, err := ParsePage(limit, cursor)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		if p.Limit < 1 || p.Limit > MaxLimit || p.After < 0 {
			t.Errorf("accepted %+v", p)
		}
		if cursor != "" {
			if EncodeCursor(p.After) != cursor && p.After <= 0 {
				t.Errorf("cursor %q decoded to %d", cursor, p.After)
			}
		}
	})
}

func FuzzParseAuditFilter(f *testing.F) {
	f.Add("actor_id=1&action=user.&since=2026-01-01&until=2026-02-01T00:00:00Z&limit=5")
	f.Add("object_id=-1&since=x")
	f.Fuzz(func(t *testing.T, q string) {
		v, err := url.ParseQuery(q)
		if err != nil {
			return
		}
		a, err := ParseAuditFilter(v)
		if err != nil {
			if e, ok := err.(*Error); !ok || e.Code != ErrInvalid || len(e.Fields) == 0 {
				t.Fatalf("error %v", err)
			}
			return
		}
		if a.ActorID != nil && *a.ActorID <= 0 {
			t.Error("non-positive actor id accepted")
		}
		if a.Action != nil && !utf8.ValidString(*a.Action) && utf8.ValidString(v.Get("action")) {
			t.Error("action mangled")
		}
	})
}

func TestParseAuditFilterDates(t *testing.T) {
	f, err := ParseAuditFilter(url.Values{"since": {"2026-03-01"}, "until": {"2026-03-01"}})
	if err != nil {
		t.Fatal(err)
	}
	if f.Until.Sub(*f.Since).Hours() != 24 {
		t.Errorf("a one-day range is %v", f.Until.Sub(*f.Since))
	}
	if f.Since.UTC().Hour() != 16 { // midnight in China is 16:00 UTC the day before
		t.Errorf("since %v", f.Since.UTC())
	}
}

// TestTOTPMatchesRFC6238 checks the SHA-1 test vectors of RFC 6238
// (appendix B), truncated to 6 digits.
func TestTOTPMatchesRFC6238(t *testing.T) {
	secret := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037"} {
		if got := TOTPCode(secret, time.Unix(unix, 0)); got != want {
			t.Errorf("T=%d: %s, want %s", unix, got, want)
		}
	}
	now := time.Unix(1234567890, 0)
	step := now.Unix() / 30
	if MatchTOTP(secret, "005924", now) != step || MatchTOTP(secret, "００５ ９２４", now) != step ||
		MatchTOTP(secret, TOTPCode(secret, now.Add(-30*time.Second)), now) != step-1 ||
		MatchTOTP(secret, TOTPCode(secret, now.Add(-90*time.Second)), now) != 0 || MatchTOTP(secret, "123456", now) != 0 {
		t.Error("verification window")
	}
}

// TestPagesReadsEveryPageOnce: an export streams a keyset list page after
// page, each row once, and stops at the page without a cursor.
func TestPagesReadsEveryPageOnce(t *testing.T) {
	rows := []int64{1, 2, 3, 4, 5, 6, 7}
	calls := 0
	next := Pages(func(after int64) (List[int64], error) {
		calls++
		var items []int64
		for _, r := range rows {
			if r > after && len(items) < 3 {
				items = append(items, r)
			}
		}
		l := List[int64]{Items: items}
		if len(items) == 3 && items[2] != rows[len(rows)-1] {
			c := "more"
			l.Next = &c
		}
		return l, nil
	}, func(r int64) int64 { return r })
	var got []int64
	for {
		page, err := next()
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		got = append(got, page...)
	}
	if fmt.Sprint(got) != fmt.Sprint(rows) || calls != 3 {
		t.Errorf("read %v in %d calls", got, calls)
	}
}
