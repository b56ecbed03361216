package api_test

import (
	"archive/zip"
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

const sampleLaw = `某某污染防治法（测试文本）
第一章　总则
第一条　为了防治污染，制定本法。
第二条　本法适用于排放污染物的企业事业单位。
第二章　监督管理
第十条　主管部门实施统一监督管理。
第十条之一　新增条文，测试之一编号。
第一百零二条　违反本法规定的，依法处罚。`

// docx is a minimal Word document holding the paragraphs.
func docx(t *testing.T, paras ...string) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, _ := zw.Create("[Content_Types].xml")
	w.Write([]byte(`<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>`))
	w, _ = zw.Create("word/document.xml")
	var body strings.Builder
	for _, p := range paras {
		body.WriteString(`<w:p><w:r><w:t>` + p + `</w:t></w:r></w:p>`)
	}
	w.Write([]byte(`<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` + body.String() + `</w:body></w:document>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func uploadVersion(e *apptest.Env, w who, path, name string, data []byte, fields map[string]string) *apptest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if w != guest {
		req.Header.Set("Authorization", "Bearer "+e.Tokens[w])
	}
	return e.Do(req)
}

// TestLawLibrary (issue 11, items 1, 2 and 8): the bureau adds documents
// and versions of their text — pasted, .txt or .docx — split into
// chapters and articles with Chinese numerals (第一百零二条, 第十条之一);
// every article has a stable address; versions compare article by article
// with the changed words marked; search finds titles and articles, short
// queries too, and always says a document is repealed. Anyone reads; only
// the bureau writes.
func TestLawLibrary(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		law := map[string]any{"title": "某某污染防治法", "short_title": "某某法", "kind": "law", "issuer": "全国人民代表大会常务委员会", "effective_on": "2020-01-01"}
		for w, want := range map[who]int{guest: 401, assocA: 403, entA: 403, lecturer: 403} {
			if r := e.API(w, "POST", "/api/v1/laws", law); r.StatusCode != want {
				t.Errorf("%s adds a law: %d, want %d", w, r.StatusCode, want)
			}
		}
		for body, field := range map[string]map[string]any{
			"kind":         {"title": "x", "kind": "rumour", "effective_on": "2020-01-01"},
			"effective_on": {"title": "x", "kind": "law"},
			"repealed_on":  {"title": "x", "kind": "law", "effective_on": "2020-01-01", "repealed_on": "2019-01-01"},
		} {
			if r := e.API(admin, "POST", "/api/v1/laws", field); r.StatusCode != 422 || errorFields(t, r)[body] == "" {
				t.Errorf("bad %s: %d %s", body, r.StatusCode, r.Body)
			}
		}
		var l model.Law
		r := e.API(admin, "POST", "/api/v1/laws", law)
		r.JSON(t, &l)
		if r.StatusCode != 201 || l.Status != model.LawInForce {
			t.Fatalf("create: %d %s", r.StatusCode, r.Body)
		}
		versions := fmt.Sprintf("/api/v1/laws/%d/versions", l.ID)
		var v1 struct {
			model.LawVersion
			Items []model.Article
		}
		r = e.API(admin, "POST", versions, map[string]any{"label": "2019年版", "effective_on": "2020-01-01", "text": sampleLaw})
		r.JSON(t, &v1)
		var keys []string
		for _, a := range v1.Items {
			keys = append(keys, a.Key)
		}
		if r.StatusCode != 201 || strings.Join(keys, ",") != "0,1,2,10,10-1,102" || v1.Items[5].Label != "第一百零二条" || v1.Items[3].Chapter != "第二章　监督管理" {
			t.Fatalf("version 1: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(admin, "POST", versions, map[string]any{"label": "2019年版", "effective_on": "2020-01-01", "text": sampleLaw}); r.StatusCode != 409 {
			t.Errorf("the same label twice: %d", r.StatusCode)
		}
		if r := e.API(admin, "POST", versions, map[string]any{"label": "重复", "effective_on": "2020-01-01", "text": "第一条 一。\n第一条 又一。"}); r.StatusCode != 422 ||
			!strings.Contains(string(r.Body), "第一条") {
			t.Errorf("duplicate articles: %d %s", r.StatusCode, r.Body)
		}
		var block struct {
			model.LawVersion
			Items []model.Article
		}
		e.API(admin, "POST", versions, map[string]any{"label": "无条文", "effective_on": "2019-06-01", "text": "一段没有条文的说明。"}).JSON(t, &block)
		if len(block.Items) != 1 || len(block.Warnings) != 1 {
			t.Errorf("a text without articles is kept as one block with a warning: %+v", block)
		}
		if r := e.API(entA, "POST", versions, map[string]any{"label": "x", "effective_on": "2020-01-01", "text": sampleLaw}); r.StatusCode != 403 {
			t.Errorf("an enterprise adds a version: %d", r.StatusCode)
		}
		// A .docx upload, the newest version; a file that is not a .docx.
		var v2 struct {
			model.LawVersion
			Items []model.Article
		}
		r = uploadVersion(e, admin, versions, "修正.docx", docx(t, "第一章　总则", "第一条　为了防治污染，保护环境，制定本法。", "第二条　本法适用于排放污染物的企业事业单位。",
			"第十条　主管部门实施统一监督管理。", "第一百零二条　违反本法规定的，依法处罚。"), map[string]string{"label": "2024年修正", "effective_on": "2024-01-01"})
		r.JSON(t, &v2)
		if r.StatusCode != 201 || len(v2.Items) != 4 {
			t.Fatalf("docx: %d %s", r.StatusCode, r.Body)
		}
		if r := uploadVersion(e, admin, versions, "假的.docx", []byte("PK\x03\x04 not a zip"), map[string]string{"label": "坏", "effective_on": "2024-01-01"}); r.StatusCode != 415 {
			t.Errorf("a .docx that is not one: %d %s", r.StatusCode, r.Body)
		}
		if r := uploadVersion(e, admin, versions, "gbk.txt", []byte{0xc4, 0xe3, 0xba, 0xc3}, map[string]string{"label": "编码", "effective_on": "2024-01-01"}); r.StatusCode != 415 {
			t.Errorf("a text file not in UTF-8: %d %s", r.StatusCode, r.Body)
		}
		// Stable article addresses: the version in force, or one named.
		art := fmt.Sprintf("/api/v1/laws/%d/articles/", l.ID)
		var a model.Article
		e.API(guest, "GET", art+"1", nil).JSON(t, &a)
		if a.Text != "为了防治污染，保护环境，制定本法。" || a.VersionID != v2.ID {
			t.Errorf("article 1 now: %+v", a)
		}
		e.API(guest, "GET", art+"10-1?version="+fmt.Sprint(v1.ID), nil).JSON(t, &a)
		if a.Label != "第十条之一" {
			t.Errorf("article 10-1 of version 1: %+v", a)
		}
		for _, k := range []string{"10-1", "999", "abc", "1-2-3"} {
			if r := e.API(guest, "GET", art+k, nil); r.StatusCode != 404 {
				t.Errorf("article %s now: %d", k, r.StatusCode)
			}
		}
		// Compare: 1 changed, 10-1 removed.
		var diff struct{ Items []model.ArticleChange }
		e.API(guest, "GET", fmt.Sprintf("/api/v1/laws/%d/diff?from=%d&to=%d", l.ID, v1.ID, v2.ID), nil).JSON(t, &diff)
		got := map[string]string{}
		for _, c := range diff.Items {
			got[c.Key] = c.Change
		}
		if got["1"] != "changed" || got["10-1"] != "removed" || got["0"] != "removed" || len(got) != 3 {
			t.Errorf("diff: %+v", diff.Items)
		}
		if r := e.API(guest, "GET", fmt.Sprintf("/api/v1/laws/%d/diff?from=%d&to=99999", l.ID, v1.ID), nil); r.StatusCode != 422 {
			t.Errorf("diff with no such version: %d", r.StatusCode)
		}
		// A repealed document with the same words.
		var old model.Law
		e.API(admin, "POST", "/api/v1/laws", map[string]any{"title": "旧排污办法", "kind": "departmental_rule", "effective_on": "2001-01-01", "repealed_on": "2015-01-01"}).JSON(t, &old)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/laws/%d/versions", old.ID), map[string]any{"label": "2001", "effective_on": "2001-01-01", "text": "第一条　排放污染物的单位应当申报。"})
		var hits struct{ Items []model.LawHit }
		for q, want := range map[string]string{"排放污染物": "repealed", "监督管理": "", "污染": "repealed", "某某法": ""} {
			r := e.API(guest, "GET", "/api/v1/search/laws?q="+q, nil)
			r.JSON(t, &hits)
			if r.StatusCode != 200 || len(hits.Items) == 0 {
				t.Errorf("search %s: %d %s", q, r.StatusCode, r.Body)
				continue
			}
			statuses := map[string]bool{}
			for _, h := range hits.Items {
				statuses[h.Status] = true
				if h.LawID == old.ID && h.Status != model.LawRepealed {
					t.Errorf("%s: the repealed document is not said to be: %+v", q, h)
				}
			}
			if want != "" && !statuses[want] {
				t.Errorf("search %s: no %s hit in %+v", q, want, hits.Items)
			}
		}
		e.API(guest, "GET", "/api/v1/search/laws?q=排放污染物&status=in_force", nil).JSON(t, &hits)
		for _, h := range hits.Items {
			if h.Status != model.LawInForce {
				t.Errorf("status filter: %+v", h)
			}
		}
		for _, q := range []string{"", strings.Repeat("法", 51)} {
			if r := e.API(guest, "GET", "/api/v1/search/laws?q="+q, nil); r.StatusCode != 422 {
				t.Errorf("query %q: %d", q, r.StatusCode)
			}
		}
		// A term in more articles than a page: a full page of true matches.
		var big model.Law
		e.API(admin, "POST", "/api/v1/laws", map[string]any{"title": "大法", "kind": "law", "effective_on": "2020-01-01"}).JSON(t, &big)
		var text strings.Builder
		for i := 1; i <= 70; i++ {
			fmt.Fprintf(&text, "第%d条　第%d款规定重点排污单位应当公开信息。\n", i, i)
		}
		e.API(admin, "POST", fmt.Sprintf("/api/v1/laws/%d/versions", big.ID), map[string]any{"label": "v", "effective_on": "2020-01-01", "text": text.String()})
		e.API(guest, "GET", "/api/v1/search/laws?q=重点排污单位", nil).JSON(t, &hits)
		if len(hits.Items) != 50 {
			t.Errorf("a common term: %d hits, want a page of 50", len(hits.Items))
		}
		for _, h := range hits.Items {
			if !strings.Contains(h.Snippet, "重点排污单位") {
				t.Errorf("a hit without the term: %+v", h)
			}
		}
		var list struct{ Items []model.Law }
		e.API(guest, "GET", "/api/v1/laws?status=repealed", nil).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].ID != old.ID {
			t.Errorf("repealed list: %+v", list.Items)
		}
	})
}

// TestArticleCitations (issue 11, item 3): checklist items and courses
// cite articles; an article lists what cites it; a citation of an article
// the library does not hold is refused by field; a new checklist version
// replaces its family's citations.
func TestArticleCitations(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var l model.Law
		e.API(admin, "POST", "/api/v1/laws", map[string]any{"title": "排污许可管理条例", "kind": "administrative_regulation", "effective_on": "2021-03-01"}).JSON(t, &l)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/laws/%d/versions", l.ID), map[string]any{"label": "2021", "effective_on": "2021-03-01",
			"text": "第一条　为了加强排污许可管理，制定本条例。\n第二条　依照法律规定实行排污许可管理的企业事业单位，应当申请取得排污许可证。"})
		cite := []map[string]any{{"law_id": l.ID, "article": "2"}}
		item := func(code string, cites []map[string]any) map[string]any {
			it := map[string]any{"code": code, "point": "持证排污", "standard": "许可证有效", "basis": "《排污许可管理条例》第二条",
				"method": "records", "severity": "critical", "weight": 5}
			if cites != nil {
				it["cites"] = cites
			}
			return it
		}
		body := func(cites []map[string]any) map[string]any {
			return map[string]any{"title": "县级自查表", "sections": []map[string]any{{"title": "A 许可", "items": []map[string]any{item("A1", cites)}}}}
		}
		if r := e.API(admin, "POST", "/api/v1/checklists", body([]map[string]any{{"law_id": l.ID, "article": "9"}})); r.StatusCode != 422 ||
			errorFields(t, r)["sections.0.items.0.cites"] == "" {
			t.Errorf("citing an article not held: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(admin, "POST", "/api/v1/checklists", body([]map[string]any{{"law_id": l.ID, "article": "第二条"}})); r.StatusCode != 422 {
			t.Errorf("a malformed citation: %d", r.StatusCode)
		}
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", body(cite)).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		var course model.Course
		r := e.API(admin, "POST", "/api/v1/courses", map[string]any{"title": "排污许可证申领实务", "category": "permit", "credit_hours": 2, "cites": cite})
		r.JSON(t, &course)
		if r.StatusCode != 201 || len(course.Cites) != 1 || course.Cites[0].Key != "2" {
			t.Fatalf("course: %d %s", r.StatusCode, r.Body)
		}
		var a model.Article
		e.API(guest, "GET", fmt.Sprintf("/api/v1/laws/%d/articles/2", l.ID), nil).JSON(t, &a)
		if len(a.CitedBy) != 2 || a.CitedBy[0].Kind != model.CitedByChecklistItem || a.CitedBy[0].Ref != "A1" || a.CitedBy[0].ID != c.ID ||
			a.CitedBy[1].Kind != model.CitedByCourse || a.CitedBy[1].Label != "排污许可证申领实务" {
			t.Errorf("cited by: %+v", a.CitedBy)
		}
		link := fmt.Sprintf(`/laws/%d/articles/2"`, l.ID)
		for _, page := range []string{fmt.Sprintf("/courses/%d", course.ID), fmt.Sprintf("/checklists/%d", c.ID)} {
			if p := string(e.Browser(admin).Get(page).Body); !strings.Contains(p, link) {
				t.Errorf("%s does not link the cited article", page)
			}
		}
		// The next version cites nothing: only the course is left.
		var v2 model.Checklist
		e.API(admin, "PUT", fmt.Sprintf("/api/v1/checklists/%d", c.ID), body(nil)).JSON(t, &v2)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", v2.ID), nil)
		e.API(guest, "GET", fmt.Sprintf("/api/v1/laws/%d/articles/2", l.ID), nil).JSON(t, &a)
		if len(a.CitedBy) != 1 || a.CitedBy[0].Kind != model.CitedByCourse {
			t.Errorf("after a version without the citation: %+v", a.CitedBy)
		}
	})
}

// TestFutureVersionTakesEffect: a version dated ahead is not yet in force
// and search reads the one in force; on its day the sweep's job moves
// search and the article address to it.
func TestFutureVersionTakesEffect(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		l, err := e.Store.CreateLaw(ctx, sys, model.LawInput{Title: "某办法", Kind: "departmental_rule", EffectiveOn: "2020-01-01"})
		must(t, err)
		_, _, err = e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "旧", EffectiveOn: "2020-01-01", Text: "第一条　旧的规定。"})
		must(t, err)
		_, _, err = e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "新", EffectiveOn: "2026-03-10", Text: "第一条　新的规定。"})
		must(t, err)
		var a model.Article
		e.API(guest, "GET", fmt.Sprintf("/api/v1/laws/%d/articles/1", l.ID), nil).JSON(t, &a)
		if a.Text != "旧的规定。" {
			t.Errorf("before its day: %q", a.Text)
		}
		must(t, e.Store.RefreshCurrentLaws(ctx))
		e.Clock.Advance(10 * 24 * time.Hour) // 11 March
		must(t, e.Store.RefreshCurrentLaws(ctx))
		e.API(guest, "GET", fmt.Sprintf("/api/v1/laws/%d/articles/1", l.ID), nil).JSON(t, &a)
		if a.Text != "新的规定。" {
			t.Errorf("after its day: %q", a.Text)
		}
	})
}
