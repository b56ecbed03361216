package i18n

import (
	"regexp"
	"strings"
	"testing"
)

// TestCataloguesHaveTheSameKeys makes sure no message exists in only one
// language, and that format verbs agree.
func TestCataloguesHaveTheSameKeys(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Languages()) < 2 || c.Languages()[0] != Default {
		t.Fatalf("languages %v", c.Languages())
	}
	base := c.Keys(Default)
	verbs := regexp.MustCompile(`%[a-z]`)
	for _, lang := range c.Languages()[1:] {
		if got := strings.Join(c.Keys(lang), ","); got != strings.Join(base, ",") {
			missing := diff(base, c.Keys(lang))
			extra := diff(c.Keys(lang), base)
			t.Errorf("%s: missing %v, extra %v", lang, missing, extra)
		}
		for _, k := range base {
			a := verbs.FindAllString(c.T(Default, k), -1)
			b := verbs.FindAllString(c.T(lang, k), -1)
			if strings.Join(a, "") != strings.Join(b, "") {
				t.Errorf("%s %s: verbs %v vs %v", lang, k, a, b)
			}
		}
	}
}

func diff(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if !in[x] {
			out = append(out, x)
		}
	}
	return out
}

func TestMatchAndFallback(t *testing.T) {
	c, _ := Load()
	for header, want := range map[string]string{
		"":                         "zh-CN",
		"en-US,en;q=0.9":           "en",
		"zh-TW,zh;q=0.9":           "zh-CN",
		"fr-FR":                    "zh-CN",
		"en;q=0.1,zh-CN;q=0.9":     "zh-CN",
		"!!garbage!!":              "zh-CN",
		"de;q=0.9, en-GB;q=0.8, *": "en",
	} {
		if got := c.Match(header); got != want {
			t.Errorf("Match(%q) = %s, want %s", header, got, want)
		}
	}
	if got := c.T("en", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key: %q", got)
	}
	if got := c.T("en", "home.welcome", "王"); got != "Hello, 王" {
		t.Errorf("args: %q", got)
	}
}

func FuzzMatch(f *testing.F) {
	f.Add("en-US,en;q=0.9")
	f.Add("zh-CN;q=abc")
	c, _ := Load()
	f.Fuzz(func(t *testing.T, h string) {
		if !c.Has(c.Match(h)) {
			t.Errorf("Match(%q) gave an unknown language", h)
		}
	})
}

// TestChineseTypography: Chinese messages use full-width punctuation next
// to Chinese characters (（）：，；？！), never the ASCII marks.
func TestChineseTypography(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	bad := regexp.MustCompile(`\p{Han}\s*[:(),;?!]|[:(),;?!]\s*\p{Han}`)
	for _, k := range c.Keys("zh-CN") {
		if m := c.T("zh-CN", k); bad.MatchString(m) {
			t.Errorf("%s: ASCII punctuation among Chinese: %q", k, m)
		}
	}
}
