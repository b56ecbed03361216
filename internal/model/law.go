package model

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kinds of legal documents, highest rank first.
var LawKinds = []string{"law", "administrative_regulation", "departmental_rule", "local_regulation", "national_standard", "normative_document"}

// Law statuses. A document's is computed from its dates where they tell:
// repealed from its repeal date, not yet in force before its effective
// date, in force otherwise. A version is "amended" once a later version
// of the same document has taken effect.
const (
	LawInForce       = "in_force"
	LawAmended       = "amended"
	LawRepealed      = "repealed"
	LawNotYetInForce = "not_yet_in_force"
)

// LawStatuses lists them.
var LawStatuses = []string{LawInForce, LawAmended, LawRepealed, LawNotYetInForce}

// Law is a legal document of the library.
type Law struct {
	ID            int64  `json:"id"`
	Title         string `json:"title"`
	ShortTitle    string `json:"short_title"`
	Kind          string `json:"kind"`
	Issuer        string `json:"issuer"`
	DocNumber     string `json:"doc_number"`
	AdoptedOn     Date   `json:"adopted_on"`
	PromulgatedOn Date   `json:"promulgated_on"`
	EffectiveOn   Date   `json:"effective_on"`
	RepealedOn    Date   `json:"repealed_on"`
	Note          string `json:"note"` // e.g. where the text was taken from
	// Status is computed from the dates on reading.
	Status    string       `json:"status"`
	Versions  []LawVersion `json:"versions"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
}

// LawStatusOn computes a document's status on a day.
func LawStatusOn(l *Law, today Date) string {
	switch {
	case l.RepealedOn != "" && l.RepealedOn <= today:
		return LawRepealed
	case l.EffectiveOn != "" && l.EffectiveOn > today:
		return LawNotYetInForce
	}
	return LawInForce
}

// LawVersion is one text of a document, as amended on a date.
type LawVersion struct {
	ID          int64     `json:"id"`
	LawID       int64     `json:"law_id"`
	Label       string    `json:"label"` // e.g. 2014年修订
	EffectiveOn Date      `json:"effective_on"`
	Source      string    `json:"source"` // where the text comes from; "sample" marks demo text
	Status      string    `json:"status"`
	Articles    int       `json:"articles"`
	Warnings    []string  `json:"warnings"`
	CreatedAt   time.Time `json:"created_at"`
}

// Article is one article (条) of a version.
type Article struct {
	ID        int64  `json:"id"`
	LawID     int64  `json:"law_id"`
	VersionID int64  `json:"version_id"`
	Key       string `json:"key"`     // stable in URLs: "102", "10-1" for 第十条之一
	Label     string `json:"label"`   // 第一百零二条
	Chapter   string `json:"chapter"` // 第三章 防治污染和其他公害
	Text      string `json:"text"`
	Seq       int    `json:"seq"`
	// CitedBy lists what cites the article (on reading one article).
	CitedBy []Citation `json:"cited_by,omitempty"`
}

// ArticleRef names an article of the library by its document and key.
type ArticleRef struct {
	LawID int64  `json:"law_id"`
	Key   string `json:"article"`
}

// MaxCites bounds the articles one item or course cites.
const MaxCites = 5

// ValidRefs checks citations' form ("" when fine, else an i18n key); the
// store checks that the articles exist.
func ValidRefs(refs []ArticleRef) string {
	if len(refs) > MaxCites {
		return "err.field.too_many"
	}
	for _, r := range refs {
		if r.LawID <= 0 || !ValidArticleKey(r.Key) {
			return "err.field.article_ref"
		}
	}
	return ""
}

// Citation kinds: what cites an article.
const (
	CitedByChecklistItem = "checklist_item"
	CitedByCourse        = "course"
)

// Citation is one thing that cites an article: a published checklist's
// item (Ref its code) or a course.
type Citation struct {
	Kind  string `json:"kind"`
	ID    int64  `json:"id"` // the checklist version or the course
	Ref   string `json:"ref"`
	Label string `json:"label"`
}

// LawInput is what a document is made or changed from.
type LawInput struct {
	Title         string `json:"title"`
	ShortTitle    string `json:"short_title"`
	Kind          string `json:"kind"`
	Issuer        string `json:"issuer"`
	DocNumber     string `json:"doc_number"`
	AdoptedOn     Date   `json:"adopted_on"`
	PromulgatedOn Date   `json:"promulgated_on"`
	EffectiveOn   Date   `json:"effective_on"`
	RepealedOn    Date   `json:"repealed_on"`
	Note          string `json:"note"`
}

// Normalize tidies an input.
func (in *LawInput) Normalize() {
	for _, p := range []*string{&in.Title, &in.ShortTitle, &in.Issuer, &in.DocNumber, &in.Note} {
		*p = strings.TrimSpace(*p)
	}
}

// Validate checks an input after Normalize.
func (in *LawInput) Validate() error {
	v := Validation{}
	requiredText(v, "title", in.Title, 120)
	optionalText(v, "short_title", &in.ShortTitle, 40)
	optionalText(v, "issuer", &in.Issuer, 60)
	optionalText(v, "doc_number", &in.DocNumber, 60)
	optionalText(v, "note", &in.Note, 300)
	if !slices.Contains(LawKinds, in.Kind) {
		v.Add("kind", "err.field.choice")
	}
	for f, d := range map[string]Date{"adopted_on": in.AdoptedOn, "promulgated_on": in.PromulgatedOn, "effective_on": in.EffectiveOn, "repealed_on": in.RepealedOn} {
		if d != "" && !d.Valid() {
			v.Add(f, "err.field.date")
		}
	}
	if in.EffectiveOn == "" {
		v.Add("effective_on", "err.field.required")
	}
	if in.RepealedOn != "" && in.EffectiveOn != "" && in.RepealedOn < in.EffectiveOn {
		v.Add("repealed_on", "err.field.repealed_before")
	}
	return v.Err()
}

// VersionInput is a new text of a document.
type VersionInput struct {
	Label       string `json:"label"`
	EffectiveOn Date   `json:"effective_on"`
	Source      string `json:"source"`
	Text        string `json:"text"`
}

// MaxLawText bounds a version's text (a long code is about 300,000
// characters).
const MaxLawText = 2 << 20

// Validate checks a version's fields (the text is checked by parsing).
func (in *VersionInput) Validate() error {
	v := Validation{}
	in.Label, in.Source = strings.TrimSpace(in.Label), strings.TrimSpace(in.Source)
	requiredText(v, "label", in.Label, 40)
	optionalText(v, "source", &in.Source, 200)
	if !in.EffectiveOn.Valid() {
		v.Add("effective_on", "err.field.date")
	}
	switch {
	case strings.TrimSpace(in.Text) == "":
		v.Add("text", "err.field.required")
	case len(in.Text) > MaxLawText:
		v.Add("text", "err.field.too_long")
	case !utf8.ValidString(in.Text):
		v.Add("text", "err.field.encoding")
	}
	return v.Err()
}

// ChineseNumber reads a number written in Chinese numerals (一百零二,
// 十, 两千零一十) or in digits; ok is false for anything else.
func ChineseNumber(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	if n, ok := digits(s); ok {
		return n, true
	}
	digit := map[rune]int{'零': 0, '〇': 0, '一': 1, '二': 2, '两': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	unit := map[rune]int{'十': 10, '百': 100, '千': 1000}
	total, cur := 0, -1 // cur: a digit waiting for its unit
	for _, r := range s {
		if d, ok := digit[r]; ok {
			if cur > 0 { // two digits in a row: not a number we read
				return 0, false
			}
			cur = d
			continue
		}
		u, ok := unit[r]
		if !ok {
			return 0, false
		}
		if cur < 0 {
			cur = 1 // 十 alone is ten
		}
		total += cur * u
		cur = -1
	}
	if cur > 0 {
		total += cur
	}
	return total, total > 0
}

func digits(s string) (int, bool) {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, false
		}
		n = n*10 + int(r-'0')
		if n > 1_000_000 {
			return 0, false
		}
	}
	return n, true
}

var (
	articleHead = regexp.MustCompile(`^\s*第([零〇一二两三四五六七八九十百千0-9]+)条(?:之([一二三四五六七八九十]+))?[\s　]*`)
	chapterHead = regexp.MustCompile(`^\s*第([零〇一二两三四五六七八九十百千0-9]+)章[\s　]*(.*)$`)
	sectionHead = regexp.MustCompile(`^\s*第([零〇一二两三四五六七八九十百千0-9]+)节[\s　]*(.*)$`)
)

// ParsedLaw is a text split into articles.
type ParsedLaw struct {
	Articles []Article
	// Warnings say what the reader should check: no article found (the
	// text is kept as one block), numbers out of order.
	Warnings []string
}

// ParseLaw splits a law's text into chapters and articles: a line starting
// 第…章 opens a chapter, 第…条 (or 第…条之…) an article whose text runs to
// the next; text before the first article is the preamble, kept as an
// article with key "0". Duplicate article numbers are an error naming
// them.
func ParseLaw(text string) (*ParsedLaw, error) {
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	p := &ParsedLaw{}
	chapter, section := "", ""
	var cur *Article
	var pre []string
	seen := map[string]bool{}
	var dups []string
	lastNum := 0
	flush := func() {
		if cur != nil {
			cur.Text = strings.TrimSpace(cur.Text)
			p.Articles = append(p.Articles, *cur)
			cur = nil
		}
	}
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if m := chapterHead.FindStringSubmatch(trimmed); m != nil && len([]rune(trimmed)) < 60 {
			flush()
			chapter, section = strings.TrimSpace(trimmed), ""
			continue
		}
		if m := sectionHead.FindStringSubmatch(trimmed); m != nil && len([]rune(trimmed)) < 60 {
			flush()
			section = strings.TrimSpace(trimmed)
			continue
		}
		if m := articleHead.FindStringSubmatchIndex(trimmed); m != nil {
			num, ok := ChineseNumber(trimmed[m[2]:m[3]])
			if ok {
				flush()
				key := fmt.Sprint(num)
				label := trimmed[:m[1]]
				if m[4] >= 0 {
					sub, _ := ChineseNumber(trimmed[m[4]:m[5]])
					key = fmt.Sprintf("%d-%d", num, sub)
				} else if num != lastNum+1 && lastNum != 0 {
					p.Warnings = append(p.Warnings, fmt.Sprintf("第%d条之后是第%d条", lastNum, num))
				}
				if m[4] < 0 {
					lastNum = num
				}
				if seen[key] {
					dups = append(dups, strings.TrimSpace(label))
				}
				seen[key] = true
				ch := chapter
				if section != "" {
					ch = strings.TrimSpace(chapter + " " + section)
				}
				cur = &Article{Key: key, Label: strings.TrimSpace(label), Chapter: ch, Text: trimmed[m[1]:], Seq: len(p.Articles) + 1}
				continue
			}
		}
		if cur != nil {
			if trimmed != "" {
				cur.Text += "\n" + trimmed
			}
		} else if trimmed != "" {
			pre = append(pre, trimmed)
		}
	}
	flush()
	if len(dups) > 0 {
		return nil, &Error{Code: ErrInvalid, Message: "err.law.duplicate_articles", Fields: map[string]string{"text": "err.law.duplicate_field"},
			Args: []any{strings.Join(dups, "、")}}
	}
	if len(pre) > 0 {
		preamble := Article{Key: "0", Label: "", Chapter: "", Text: strings.Join(pre, "\n"), Seq: 0}
		p.Articles = append([]Article{preamble}, p.Articles...)
	}
	if len(p.Articles) == 0 || (len(p.Articles) == 1 && p.Articles[0].Key == "0") {
		p.Warnings = append(p.Warnings, "未识别出条文（第…条），全文作为一段保存")
	}
	return p, nil
}

// DiffOp is one piece of a compared text: "=" kept, "-" removed, "+" added.
type DiffOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// ArticleChange is an article added, removed or changed between versions.
type ArticleChange struct {
	Key    string   `json:"key"`
	Label  string   `json:"label"`
	Change string   `json:"change"` // added | removed | changed
	Diff   []DiffOp `json:"diff"`
}

// CompareArticles lists what changed from one version's articles to the
// other's, by article key, in the newer version's order (removed ones
// where they stood); a changed article's words are marked.
func CompareArticles(from, to []Article) []ArticleChange {
	old := map[string]Article{}
	for _, a := range from {
		old[a.Key] = a
	}
	now := map[string]bool{}
	out := []ArticleChange{}
	for _, a := range to {
		now[a.Key] = true
		o, ok := old[a.Key]
		switch {
		case !ok:
			out = append(out, ArticleChange{Key: a.Key, Label: a.Label, Change: "added", Diff: []DiffOp{{"+", a.Text}}})
		case o.Text != a.Text:
			out = append(out, ArticleChange{Key: a.Key, Label: a.Label, Change: "changed", Diff: DiffText(o.Text, a.Text)})
		}
	}
	for _, a := range from {
		if !now[a.Key] {
			out = append(out, ArticleChange{Key: a.Key, Label: a.Label, Change: "removed", Diff: []DiffOp{{"-", a.Text}}})
		}
	}
	return out
}

// DiffText marks the changes from a to b character by character (a
// longest common subsequence; Chinese has no spaces between words), runs
// merged. Texts beyond 4,000 characters each are compared whole.
func DiffText(a, b string) []DiffOp {
	x, y := []rune(a), []rune(b)
	if len(x) > 4000 || len(y) > 4000 {
		return []DiffOp{{"-", a}, {"+", b}}
	}
	// lcs[i][j]: the common length of x[i:] and y[j:].
	lcs := make([][]int32, len(x)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(y)+1)
	}
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffOp
	add := func(op string, r rune) {
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += string(r)
			return
		}
		out = append(out, DiffOp{op, string(r)})
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			add("=", x[i])
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			add("-", x[i])
			i++
		default:
			add("+", y[j])
			j++
		}
	}
	for ; i < len(x); i++ {
		add("-", x[i])
	}
	for ; j < len(y); j++ {
		add("+", y[j])
	}
	return out
}

// LawHit is one search result: an article (or a document's title).
type LawHit struct {
	LawID   int64  `json:"law_id"`
	Title   string `json:"title"`
	Article string `json:"article"` // its label; "" for a title match
	Key     string `json:"key"`
	Snippet string `json:"snippet"`
	Status  string `json:"status"`
	Kind    string `json:"kind"`
}

// Snippet cuts text around the first match of q (case folded), about
// width characters, with an ellipsis where it was cut.
func Snippet(text, q string, width int) string {
	r := []rune(text)
	low := []rune(strings.ToLower(text))
	qs := []rune(strings.ToLower(q))
	at := -1
	for i := 0; i+len(qs) <= len(low) && len(qs) > 0; i++ {
		if string(low[i:i+len(qs)]) == string(qs) {
			at = i
			break
		}
	}
	if at < 0 || len(r) <= width {
		if len(r) > width {
			return string(r[:width]) + "…"
		}
		return text
	}
	start := max(0, at-width/3)
	end := min(len(r), start+width)
	s := string(r[start:end])
	if start > 0 {
		s = "…" + s
	}
	if end < len(r) {
		s += "…"
	}
	return s
}

// ValidArticleKey checks an article key from a URL: "102" or "10-1".
func ValidArticleKey(k string) bool {
	a, b, found := strings.Cut(k, "-")
	if _, ok := digits(a); !ok || a == "" || len(a) > 5 {
		return false
	}
	if found {
		if _, ok := digits(b); !ok || b == "" || len(b) > 2 {
			return false
		}
	}
	return true
}

// ParseArticleKeys reads article numbers as people type them — "34",
// "第三十四条", "10之一", "第十条之一", "10-1" — separated by commas, 、 or
// spaces, into article keys; ok is false if one of them is not a number.
func ParseArticleKeys(s string) (keys []string, ok bool) {
	for _, tok := range strings.FieldsFunc(FoldWidth(s), func(r rune) bool { return strings.ContainsRune(",，、;； ", r) }) {
		tok = strings.TrimSuffix(strings.TrimPrefix(tok, "第"), "条")
		main, sub, found := strings.Cut(strings.Replace(strings.Replace(tok, "条之", "-", 1), "之", "-", 1), "-")
		n, ok := ChineseNumber(main)
		if !ok {
			return nil, false
		}
		key := strconv.Itoa(n)
		if found {
			m, ok := ChineseNumber(sub)
			if !ok {
				return nil, false
			}
			key += "-" + strconv.Itoa(m)
		}
		if !ValidArticleKey(key) {
			return nil, false
		}
		if !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	return keys, true
}

// ArticleLabel writes an article key as people read it: 第34条, 第10条之1.
func ArticleLabel(key string) string {
	main, sub, found := strings.Cut(key, "-")
	if found {
		return "第" + main + "条之" + sub
	}
	return "第" + main + "条"
}
