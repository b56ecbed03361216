package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
)

// TestLawPages (issue 11, item 7): the bureau adds a document and pastes
// its text; anyone reads the library, searches it with the words marked,
// opens an article at its address and compares versions; text that looks
// like markup is shown as text.
func TestLawPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		admin := e.Browser(apptest.Admin)
		if r := admin.Post("/laws", url.Values{"title": {"某某污染防治法"}, "kind": {"law"}, "effective_on": {""}}); r.StatusCode != 422 ||
			!strings.Contains(string(r.Body), "必填") {
			t.Errorf("no effective date: %d", r.StatusCode)
		}
		r := admin.Post("/laws", url.Values{"title": {"某某污染防治法"}, "kind": {"law"}, "effective_on": {"2020-01-01"}})
		loc := r.Header.Get("Location")
		if r.StatusCode != 303 || !regexp.MustCompile(`^/laws/\d+`).MatchString(loc) {
			t.Fatalf("create: %d %s", r.StatusCode, loc)
		}
		page := strings.SplitN(loc, "?", 2)[0]
		text := "第一章　总则\n第一条　为了防治污染，制定本法。<script>alert(1)</script>\n第二条　排放污染物的单位应当申报。"
		if r := admin.Post(page+"/versions/text", url.Values{"label": {"2020年版"}, "effective_on": {"2020-01-01"}, "text": {text}}); r.StatusCode != 303 {
			t.Fatalf("paste: %d %s", r.StatusCode, r.Body)
		}
		if r := admin.Post(page+"/versions/text", url.Values{"label": {"2024年修正"}, "effective_on": {"2024-01-01"},
			"text": {"第一章　总则\n第一条　为了防治污染，保护环境，制定本法。\n第二条　排放污染物的单位应当申报。"}}); r.StatusCode != 303 {
			t.Fatalf("second version: %d", r.StatusCode)
		}
		guest := e.Browser(apptest.Guest)
		p := string(guest.Get(page).Body)
		if !strings.Contains(p, "第一条") || !strings.Contains(p, "现行有效") || !strings.Contains(p, "已被修改") || strings.Contains(p, `action="/laws`) {
			t.Errorf("the law's page for a guest:\n%s", section(p, "versions"))
		}
		p = string(guest.Get("/laws?q=" + url.QueryEscape("排放污染物")).Body)
		if !strings.Contains(p, "<mark>排放污染物</mark>") || !strings.Contains(p, "/articles/2") {
			t.Errorf("search:\n%s", section(p, "hits"))
		}
		r = guest.Get(page + "/articles/1")
		if r.StatusCode != 200 || !strings.Contains(string(r.Body), "保护环境") {
			t.Errorf("article 1: %d", r.StatusCode)
		}
		// The first version's text, with its markup shown as text.
		p = string(guest.Get(page).Body)
		m := regexp.MustCompile(`\?version=(\d+)">2020年版`).FindStringSubmatch(p)
		if m == nil {
			t.Fatal("no link to the first version")
		}
		old := string(guest.Get(page + "?version=" + m[1]).Body)
		if strings.Contains(old, "<script>alert(1)</script>") || !strings.Contains(old, "&lt;script&gt;") {
			t.Error("markup in a law's text is not escaped")
		}
		p = string(guest.Get(page + "/diff").Body)
		if !strings.Contains(p, "<ins>保护环境，</ins>") && !strings.Contains(p, "<ins>，保护环境</ins>") {
			t.Errorf("diff:\n%s", p[strings.Index(p, "<main"):])
		}
		if r := e.Browser(apptest.EnterpriseA).Post(page+"/versions/text", url.Values{"label": {"x"}, "effective_on": {"2024-01-01"}, "text": {"第一条 x"}}); r.StatusCode != 403 {
			t.Errorf("an enterprise adds a version: %d", r.StatusCode)
		}
	})
}
