package api_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/model"
)

// TestPatternsStateWhatTheServerTakes (hardening, item 19): the pattern
// the OpenAPI document gives a normalised field (mobile, phone, ID number,
// industry code, credit code) matches exactly the strings the server
// accepts there, spaces, full-width characters and +86 included, so that a
// client that checks its input by the document neither refuses what the
// server would take nor sends what it refuses. Where a check character
// decides (credit code, ID number) the pattern states everything but it.
// Checked on 30,000 strings per field: canonical values decorated the
// way people type them, then mutated.
func TestPatternsStateWhatTheServerTakes(t *testing.T) {
	raw, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Pattern string `json:"pattern"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	pattern := func(schema, field string) *regexp.Regexp {
		p := doc.Components.Schemas[schema].Properties[field].Pattern
		if p == "" {
			t.Fatalf("%s.%s states no pattern", schema, field)
		}
		return regexp.MustCompile(p)
	}
	fieldOK := func(err error, field string) bool {
		var e *model.Error
		if err == nil {
			return true
		}
		if !errors.As(err, &e) {
			t.Fatalf("not a model error: %v", err)
		}
		_, bad := e.Fields[field]
		return !bad
	}
	manager := func(mobile, id string) error {
		m := model.Manager{Name: "张三", Mobile: mobile, IDCard: id}
		m.Normalize()
		return m.Validate()
	}
	enterprise := func(uscc, industry, phone string) (model.Enterprise, error) {
		e := model.Enterprise{USCC: uscc, Name: "示例", RegionID: 1, IndustryCode: industry, ContactPhone: phone}
		e.Normalize()
		return e, e.Validate()
	}
	canonicalUSCC := regexp.MustCompile(`^[0-9A-HJ-NPQRTUWXY]{18}$`)
	idShape := regexp.MustCompile(`^[0-9]{17}[0-9X]$`)
	masked := regexp.MustCompile(`^[0-9]{3}\*{11}[0-9]{3}[0-9X]$`)
	cases := []struct {
		schema, field string
		seeds         []string
		// takes reports whether the server takes s, leaving out check
		// characters where the pattern cannot state them.
		takes func(s string) bool
	}{
		{"Manager", "mobile", []string{"13812345678", "19900000000", "+8613812345678", "008615000000001", "12345678901"},
			func(s string) bool { return fieldOK(manager(s, ""), "mobile") }},
		{"ManagerPatch", "mobile", []string{"13812345678", "+86 138 1234 5678"},
			func(s string) bool { return fieldOK(manager(s, ""), "mobile") }},
		{"Enterprise", "contact_phone", []string{"", "13812345678", "0573-87001234", "057387001234*123", "010-12345678", "+86 0573 8700 1234"},
			func(s string) bool {
				_, err := enterprise("91350100M000100Y43", "", s)
				return fieldOK(err, "contact_phone")
			}},
		{"Manager", "id_card", []string{"", "11010519491231002X", "110105194912310021", "330481199001011234", "110***********002X"},
			func(s string) bool {
				if masked.MatchString(s) {
					return true // answers show it so
				}
				if fieldOK(manager("13812345678", s), "id_card") {
					return true
				}
				x := strings.ToUpper(strings.TrimSpace(model.FoldWidth(s)))
				return idShape.MatchString(x) // refused for its date or check character
			}},
		{"Enterprise", "industry_code", []string{"", "C3985", "F5123", "A01", "T999", "C39851"},
			func(s string) bool {
				_, err := enterprise("91350100M000100Y43", s, "")
				return fieldOK(err, "industry_code")
			}},
		{"Enterprise", "uscc", []string{"91350100M000100Y43", "91330481MA2C0DE1XX", "9135 0100-m000 100y43"},
			func(s string) bool {
				e, err := enterprise(s, "", "")
				return fieldOK(err, "uscc") || canonicalUSCC.MatchString(e.USCC) // refused for a check character
			}},
	}
	noise := []rune(" \t\n\u00a0\u3000\u2028\u0085-()（）－+＋*＊xXｘＸ0123456789０１８６aAıſｃＣIiOoZz#.,、")
	for _, c := range cases {
		re := pattern(c.schema, c.field)
		r := rand.New(rand.NewPCG(1, uint64(len(c.field))))
		fold := func(s string) string {
			var b strings.Builder
			for _, ch := range s {
				if ch >= '!' && ch <= '~' && r.IntN(4) == 0 {
					ch += 0xFEE0
				}
				b.WriteRune(ch)
			}
			return b.String()
		}
		mismatches, taken := 0, 0
		for i := range 30000 {
			s := []rune(c.seeds[i%len(c.seeds)])
			if i%3 != 0 {
				s = []rune(fold(string(s)))
			}
			for range r.IntN(4) {
				pos := r.IntN(len(s) + 1)
				s = append(s[:pos], append([]rune{noise[r.IntN(len(noise))]}, s[pos:]...)...)
			}
			if i%5 == 0 && len(s) > 0 {
				pos := r.IntN(len(s))
				s = append(s[:pos], s[pos+1:]...)
			}
			str := string(s)
			got, want := re.MatchString(str), c.takes(str)
			if want {
				taken++
			}
			if got != want {
				mismatches++
				if mismatches <= 5 {
					t.Errorf("%s.%s %q: the pattern says %v, the server %v", c.schema, c.field, str, got, want)
				}
			}
		}
		if mismatches > 0 {
			t.Errorf("%s.%s: %d of 30000 strings disagree", c.schema, c.field, mismatches)
		}
		// Both sides of the line must be walked for the test to mean much.
		if taken < 3000 || taken > 27000 {
			t.Errorf("%s.%s: %d of 30000 strings taken; the generator misses one side", c.schema, c.field, taken)
		}
		t.Logf("%s.%s: %d of 30000 taken, pattern and server agree on all", c.schema, c.field, taken)
	}
}
