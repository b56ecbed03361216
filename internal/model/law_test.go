package model

import (
	"strings"
	"testing"
)

func TestChineseNumber(t *testing.T) {
	for s, want := range map[string]int{"一": 1, "十": 10, "十一": 11, "二十": 20, "二十一": 21, "一百": 100, "一百零二": 102, "一百一十": 110,
		"一百一十二": 112, "两百": 200, "一千零一": 1001, "一千零一十": 1010, "三百零五": 305, "九十九": 99, "12": 12, "〇": 0} {
		got, ok := ChineseNumber(s)
		if want == 0 {
			if ok {
				t.Errorf("%s read as %d", s, got)
			}
			continue
		}
		if !ok || got != want {
			t.Errorf("%s: %d %v, want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "条", "一二", "十x"} {
		if n, ok := ChineseNumber(s); ok {
			t.Errorf("%q read as %d", s, n)
		}
	}
}

// TestParseLaw: chapters, sections, articles with 之一, a preamble, text
// running over lines; duplicates refused by number; no articles warned.
func TestParseLaw(t *testing.T) {
	text := "中华人民共和国某某法（示例文本）\r\n目录\n第一章　总则\n第一条　为了示例，制定本法。\n第二条 本法所称示例，\n是指结构。\n" +
		"第二章 监督管理\n第一节 一般规定\n第十条 第一款。\n第十条之一 新增的一条。\n第十一条 下一条。\n第一百零二条 远处的一条。\n"
	p, err := ParseLaw(text)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, a := range p.Articles {
		keys = append(keys, a.Key)
	}
	if got := strings.Join(keys, ","); got != "0,1,2,10,10-1,11,102" {
		t.Fatalf("keys %s", got)
	}
	a := p.Articles[2]
	if a.Label != "第二条" || a.Text != "本法所称示例，\n是指结构。" || a.Chapter != "第一章　总则" {
		t.Errorf("article 2: %+v", a)
	}
	if c := p.Articles[4]; c.Label != "第十条之一" || c.Chapter != "第二章 监督管理 第一节 一般规定" || c.Text != "新增的一条。" {
		t.Errorf("article 10-1: %+v", c)
	}
	if len(p.Warnings) != 2 { // 2 → 10, 11 → 102
		t.Errorf("warnings %v", p.Warnings)
	}
	if _, err := ParseLaw("第一条 一。\n第二条 二。\n第二条 又是二。"); err == nil || !strings.Contains(err.(*Error).Args[0].(string), "第二条") {
		t.Errorf("duplicates: %v", err)
	}
	p, err = ParseLaw("没有条文的一段通知。\n第二段。")
	if err != nil || len(p.Articles) != 1 || p.Articles[0].Key != "0" || len(p.Warnings) != 1 {
		t.Errorf("no articles: %+v %v", p, err)
	}
}

func TestCompareArticles(t *testing.T) {
	from := []Article{{Key: "1", Label: "第一条", Text: "排放污染物的企业应当采取措施。"}, {Key: "2", Label: "第二条", Text: "旧条文。"}}
	to := []Article{{Key: "1", Label: "第一条", Text: "排放污染物的企业事业单位应当采取有效措施。"}, {Key: "3", Label: "第三条", Text: "新条文。"}}
	ch := CompareArticles(from, to)
	if len(ch) != 3 || ch[0].Change != "changed" || ch[1].Change != "added" || ch[2].Change != "removed" {
		t.Fatalf("changes %+v", ch)
	}
	var added, kept string
	for _, d := range ch[0].Diff {
		switch d.Op {
		case "+":
			added += d.Text
		case "=":
			kept += d.Text
		case "-":
			t.Errorf("nothing was removed: %+v", d)
		}
	}
	if added != "事业单位有效" || kept != "排放污染物的企业应当采取措施。" {
		t.Errorf("added %q kept %q", added, kept)
	}
}

func TestLawStatus(t *testing.T) {
	today := Date("2026-11-29")
	for _, c := range []struct {
		l    Law
		want string
	}{
		{Law{EffectiveOn: "2015-01-01"}, LawInForce},
		{Law{EffectiveOn: "2027-01-01"}, LawNotYetInForce},
		{Law{EffectiveOn: "2015-01-01", RepealedOn: "2026-11-29"}, LawRepealed},
		{Law{EffectiveOn: "2015-01-01", RepealedOn: "2026-12-01"}, LawInForce},
	} {
		if got := LawStatusOn(&c.l, today); got != c.want {
			t.Errorf("%+v: %s, want %s", c.l, got, c.want)
		}
	}
}

// longLaw is a 300-article text in 15 chapters, about 90,000 characters.
func longLaw() string {
	var b strings.Builder
	n := 0
	for c := 1; c <= 15; c++ {
		b.WriteString("第" + chineseNumeral(c) + "章　第" + chineseNumeral(c) + "章的标题\n")
		for range 20 {
			n++
			b.WriteString("第" + chineseNumeral(n) + "条　排放污染物的企业事业单位和其他生产经营者，应当采取措施，防治在生产建设或者其他活动中产生的废气、废水、废渣、医疗废物、粉尘、恶臭气体、放射性物质以及噪声、振动、光辐射、电磁辐射等对环境的污染和危害。\n")
			b.WriteString("前款规定的单位应当建立环境保护责任制度，明确单位负责人和相关人员的责任。\n")
		}
	}
	return b.String()
}

// chineseNumeral writes 1–999 as the law does.
func chineseNumeral(n int) string {
	d := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	s := ""
	if n >= 100 {
		s += d[n/100] + "百"
		if n%100 != 0 && n%100 < 10 {
			s += "零"
		}
	}
	if t := n % 100 / 10; t > 0 {
		if t > 1 || n >= 100 {
			s += d[t]
		}
		s += "十"
	}
	if u := n % 10; u > 0 {
		s += d[u]
	}
	return s
}

func TestLongLawParses(t *testing.T) {
	p, err := ParseLaw(longLaw())
	if err != nil || len(p.Articles) != 300 || p.Articles[299].Label != "第三百条" || p.Articles[101].Label != "第一百零二条" || len(p.Warnings) != 0 {
		t.Fatalf("%d articles, last %q, warnings %v, %v", len(p.Articles), p.Articles[len(p.Articles)-1].Label, p.Warnings, err)
	}
}

// BenchmarkParseLaw: a 300-article law, for the closing note
// (go test -run XXX -bench ParseLaw -benchmem ./internal/model).
func BenchmarkParseLaw(b *testing.B) {
	text := longLaw()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseLaw(text); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseArticleKeys(t *testing.T) {
	for in, want := range map[string]string{
		"34":              "34",
		"第三十四条、第三十五条":     "34,35",
		"10之一, 第十条之二，102": "10-1,10-2,102",
		"第一百零二条 10-1 １２":  "102,10-1,12",
		"34,34":           "34",
		"":                "",
	} {
		got, ok := ParseArticleKeys(in)
		if !ok || strings.Join(got, ",") != want {
			t.Errorf("%q: %v %v, want %s", in, got, ok, want)
		}
	}
	for _, bad := range []string{"abc", "第条", "三十四款", "10之x"} {
		if _, ok := ParseArticleKeys(bad); ok {
			t.Errorf("%q read as article numbers", bad)
		}
	}
	if ArticleLabel("10-1") != "第10条之1" || ArticleLabel("34") != "第34条" {
		t.Error("labels")
	}
}
