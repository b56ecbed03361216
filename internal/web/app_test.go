package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestPagesLoadAtOnce (issue 9, items 8 and 9): pages and static files go
// gzipped to a browser that takes gzip; fingerprinted files are immutable
// for a year; the scan page's script is minified; the app is installable
// (manifest, service worker at the root, offline page) and signing in or
// out tells the browser to drop what it kept.
func TestPagesLoadAtOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(entA)
		get := func(path string, gz bool) *apptest.Response {
			req, _ := http.NewRequest("GET", e.HTTP.URL+path, nil)
			if gz {
				req.Header.Set("Accept-Encoding", "gzip, deflate, br")
			}
			return b.Send(req)
		}
		unzip := func(r *apptest.Response) []byte {
			zr, err := gzip.NewReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatalf("not gzip: %v", err)
			}
			out, _ := io.ReadAll(zr)
			return out
		}
		home := get("/", true)
		if home.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(string(unzip(home)), "预约课程") {
			t.Fatalf("home page not gzipped: %q", home.Header.Get("Content-Encoding"))
		}
		if plain := get("/", false); plain.Header.Get("Content-Encoding") != "" || !strings.Contains(string(plain.Body), "预约课程") {
			t.Error("a client without gzip gets gzip")
		}
		css := regexp.MustCompile(`/static/app\.css\?v=[0-9a-f]+`).FindString(string(unzip(home)))
		r := get(css, true)
		if r.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") || len(r.Body) > 8000 {
			t.Errorf("css: %v, %d bytes", r.Header, len(r.Body))
		}
		req, _ := http.NewRequest("GET", e.HTTP.URL+css, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("If-None-Match", r.Header.Get("ETag"))
		if r := b.Send(req); r.StatusCode != 304 {
			t.Errorf("revalidation: %d", r.StatusCode)
		}
		// The scan page's script, minified and compressed, stays small.
		js := get("/static/vendor/jsqr.min.js", true)
		if js.StatusCode != 200 || len(js.Body) > 60_000 {
			t.Errorf("jsQR: %d, %d bytes compressed", js.StatusCode, len(js.Body))
		}
		// Installable.
		var m struct {
			Name, StartURL, Display string
			Icons                   []struct{ Src, Sizes string }
		}
		mr := get("/manifest.webmanifest", false)
		if err := json.Unmarshal(bytes.ReplaceAll(mr.Body, []byte("start_url"), []byte("starturl")), &m); err != nil || m.Display != "standalone" || len(m.Icons) != 2 {
			t.Errorf("manifest: %v %s", err, mr.Body)
		}
		for _, ic := range m.Icons {
			if r := get(ic.Src, false); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
				t.Errorf("icon %s: %d", ic.Src, r.StatusCode)
			}
		}
		sw := get("/sw.js", false)
		if sw.StatusCode != 200 || !strings.Contains(string(sw.Body), `var SHELL = ["/offline"`) || sw.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("service worker: %d %s", sw.StatusCode, sw.Header)
		}
		off := e.Browser(guest).Get("/offline")
		if off.StatusCode != 200 || !strings.Contains(string(off.Body), "暂时没有网络") {
			t.Errorf("offline page: %d", off.StatusCode)
		}
		if strings.Contains(string(get("/offline", false).Body), e.Users[entA].DisplayName+"</a>") {
			t.Error("the cached offline page carries the user")
		}
		if r := b.Post("/logout", nil); r.Header.Get("Clear-Site-Data") == "" {
			t.Errorf("logout keeps the site's data: %v", r.Header)
		}
	})
}

// TestForgottenPassword (issue 9, item 7): without a mail server the page
// says whom to ask; with one, a link goes to the account's email, the
// answer is the same for any username, the link works once and within
// its hour, and the new password signs in.
func TestForgottenPassword(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		g := e.Browser(guest)
		if b := string(g.Get("/forgot").Body); strings.Contains(b, `id="send-link"`) || !strings.Contains(b, "所在镇街的环保协会") {
			t.Error("without mail: the page offers a link or does not say whom to ask")
		}
		if !strings.Contains(string(g.Get("/login").Body), `href="/forgot"`) {
			t.Error("the login page has no way to recover a password")
		}
		var sent []string
		e.Server.Web.Mail = func(to, subject, body string) error {
			sent = append(sent, to+"\n"+body)
			return nil
		}
		u := e.Users[entA]
		if _, err := e.Store.SetNoticeChannels(t.Context(), model.Actor{User: u}, model.NoticeChannels{Email: "ent-a@example.com"}); err != nil {
			t.Fatal(err)
		}
		known := g.Post("/forgot", url.Values{"username": {"ENT-A"}})
		unknown := g.Post("/forgot", url.Values{"username": {"nobody"}})
		if known.StatusCode != 200 || string(known.Body) != string(unknown.Body) || !strings.Contains(string(known.Body), "重置链接已发出") {
			t.Errorf("the answers differ or say nothing: %d / %d", known.StatusCode, unknown.StatusCode)
		}
		if len(sent) != 1 || !strings.HasPrefix(sent[0], "ent-a@example.com\n") {
			t.Fatalf("mails: %q", sent)
		}
		g.Post("/forgot", url.Values{"username": {"ent-a"}})
		if len(sent) != 1 {
			t.Errorf("a second link within minutes: %d mails", len(sent))
		}
		token := regexp.MustCompile(`/reset\?t=([a-z2-7]+)`).FindStringSubmatch(sent[0])
		if token == nil {
			t.Fatalf("no link in %q", sent[0])
		}
		if r := g.Post("/reset", url.Values{"t": {token[1]}, "new_password": {"a brand new password"}, "confirm_password": {"another one"}}); r.StatusCode != 422 {
			t.Errorf("mismatched confirmation: %d", r.StatusCode)
		}
		r := g.Post("/reset", url.Values{"t": {token[1]}, "new_password": {"a brand new password"}, "confirm_password": {"a brand new password"}})
		if r.StatusCode != 303 || r.Header.Get("Location") != "/login?ok=flash.password_reset" {
			t.Fatalf("reset: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(guest, "POST", "/api/v1/auth/token", map[string]string{"username": "ent-a", "password": "a brand new password"}); r.StatusCode != 200 {
			t.Errorf("the new password: %d", r.StatusCode)
		}
		if r := e.API(entA, "GET", "/api/v1/me", nil); r.StatusCode != 401 {
			t.Errorf("a token outlived the reset: %d", r.StatusCode)
		}
		if r := g.Post("/reset", url.Values{"t": {token[1]}, "new_password": {"yet another password"}, "confirm_password": {"yet another password"}}); r.StatusCode != 409 || !strings.Contains(string(r.Body), "重置链接无效") {
			t.Errorf("the link used twice: %d", r.StatusCode)
		}
		// A link older than an hour is refused.
		e.Clock.Advance(16 * time.Minute)
		g.Post("/forgot", url.Values{"username": {"ent-a"}})
		if len(sent) != 2 {
			t.Fatalf("a new link after a quarter hour: %d mails", len(sent))
		}
		late := regexp.MustCompile(`/reset\?t=([a-z2-7]+)`).FindStringSubmatch(sent[1])
		e.Clock.Advance(61 * time.Minute)
		if r := g.Post("/reset", url.Values{"t": {late[1]}, "new_password": {"yet another password"}, "confirm_password": {"yet another password"}}); r.StatusCode != 409 {
			t.Errorf("a link after its hour: %d", r.StatusCode)
		}
	})
}

// TestChartsPage (issue 9, item 4): staff see charts, each beside its
// table; ECharts is loaded there and nowhere else; others may not.
func TestChartsPage(t *testing.T) {
	e := apptest.New(t, "sqlite")
	for w, want := range map[apptest.Who]int{admin: 200, apptest.AssociationA: 200, entA: 403, apptest.Lecturer: 403, guest: 303} {
		if r := e.Browser(w).Get("/stats"); r.StatusCode != want {
			t.Errorf("%s opens the charts: %d, want %d", w, r.StatusCode, want)
		}
	}
	body := string(e.Browser(admin).Get("/stats").Body)
	for _, want := range []string{`data-chart-for="towns-table"`, `id="towns-table"`, "vendor/echarts.min.js", "charts.js"} {
		if !strings.Contains(body, want) {
			t.Errorf("the charts page lacks %s", want)
		}
	}
	if home := string(e.Browser(admin).Get("/").Body); strings.Contains(home, "echarts") {
		t.Error("the home page loads ECharts")
	}
}

// TestInspectionOnThePhonePages (issue 10, item 4): the enterprise starts
// a self-inspection from its page, answers item by item (a problem with a
// photo), is told which items are missing, submits and sees the score.
func TestInspectionOnThePhonePages(t *testing.T) {
	e := apptest.New(t, "sqlite")
	sys := model.SystemActor()
	in := model.ChecklistInput{Title: "自查表", Sections: []model.ChecklistSection{{Title: "A", Items: []model.ChecklistItem{
		{Code: "A1", Point: "持证排污", Severity: "critical", Weight: 5},
		{Code: "A2", Point: "执行报告", Severity: "major", Weight: 3, PhotoRequired: true},
	}}}}
	c, err := e.Store.CreateChecklist(t.Context(), sys, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Store.PublishChecklist(t.Context(), sys, c.ID); err != nil {
		t.Fatal(err)
	}
	b := e.Browser(entA)
	page := string(b.Get(fmt.Sprintf("/directory/enterprises/%d", e.Ents["A"])).Body)
	if !strings.Contains(page, "开始自查") {
		t.Fatal("the enterprise page offers no self-inspection")
	}
	r := b.Post(fmt.Sprintf("/directory/enterprises/%d/inspections", e.Ents["A"]), url.Values{"checklist_id": {fmt.Sprint(c.ID)}, "kind": {"self"}})
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !strings.HasPrefix(loc, "/inspections/") {
		t.Fatalf("start: %d %s", r.StatusCode, loc)
	}
	answer := func(code, result, note string, photo []byte) *apptest.Response {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("result", result)
		mw.WriteField("note", note)
		fw, _ := mw.CreateFormFile("photo", map[bool]string{true: "现场.png", false: ""}[photo != nil])
		fw.Write(photo)
		mw.Close()
		req, _ := http.NewRequest("POST", e.HTTP.URL+loc+"/answers/"+code, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		return b.Send(req)
	}
	if r := answer("A1", "ok", "", nil); r.StatusCode != 303 {
		t.Fatalf("answer A1: %d %s", r.StatusCode, r.Body)
	}
	if r := b.Post(loc+"/submit", nil); r.StatusCode != 422 || !strings.Contains(string(r.Body), "尚未作答") {
		t.Errorf("submit with A2 unanswered: %d", r.StatusCode)
	}
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, img)
	if r := answer("A2", "problem", "季度报告未提交", pngBuf.Bytes()); r.StatusCode != 303 {
		t.Fatalf("answer A2 with a photo: %d %s", r.StatusCode, r.Body)
	}
	if page := string(b.Get(loc).Body); !strings.Contains(page, "已答 2 / 2") || !strings.Contains(page, "1 张照片") {
		t.Errorf("the page does not show the answers")
	}
	r = b.Post(loc+"/submit", nil)
	if r.StatusCode != 303 {
		t.Fatalf("submit: %d %s", r.StatusCode, r.Body)
	}
	page = string(b.Get(loc).Body)
	if !strings.Contains(page, "得分 62.5（5 / 8）") || !strings.Contains(page, "已生成 1 项整改任务") || strings.Contains(page, `id="submit-inspection"`) {
		t.Errorf("the submitted inspection page: %s", page)
	}
	if r := e.Browser(apptest.EnterpriseB).Get(loc); r.StatusCode != 404 {
		t.Errorf("B opens A's inspection: %d", r.StatusCode)
	}
}

// TestTaskPages (issue 10, item 6): the enterprise works its task on the
// web (owner, evidence, submit); the association closes it; each sees
// only the actions it may take.
func TestTaskPages(t *testing.T) {
	e := apptest.New(t, "sqlite")
	sys := model.SystemActor()
	ctx := t.Context()
	c, _ := e.Store.CreateChecklist(ctx, sys, model.ChecklistInput{Title: "自查表", Sections: []model.ChecklistSection{{Title: "A", Items: []model.ChecklistItem{
		{Code: "A1", Point: "危废贮存", Severity: "major", Weight: 3}}}}})
	e.Store.PublishChecklist(ctx, sys, c.ID)
	entActor := model.Actor{User: e.Users[entA]}
	in, err := e.Store.StartInspection(ctx, entActor, e.Ents["A"], c.ID, model.InspectionSelf)
	if err != nil {
		t.Fatal(err)
	}
	e.Store.SaveAnswer(ctx, entActor, in.ID, "A1", model.AnswerInput{Result: "problem", Note: "危废混放"})
	in, err = e.Store.SubmitInspection(ctx, entActor, in.ID)
	if err != nil || len(in.Tasks) != 1 {
		t.Fatalf("submit: %v %+v", err, in)
	}
	m, _ := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
	page := fmt.Sprintf("/tasks/%d", in.Tasks[0])
	ent, assoc := e.Browser(entA), e.Browser(apptest.AssociationA)
	if b := string(ent.Get(page).Body); !strings.Contains(b, `id="work"`) || strings.Contains(b, `id="verify"`) {
		t.Error("the enterprise's task page shows the wrong actions")
	}
	if r := ent.Post(page+"/owner", url.Values{"manager_id": {fmt.Sprint(m.ID)}}); r.StatusCode != 303 {
		t.Errorf("owner: %d", r.StatusCode)
	}
	if r := ent.Post(page+"/submit", url.Values{"note": {"已整改"}}); r.StatusCode != 422 || !strings.Contains(string(r.Body), "请上传整改照片或文件") {
		t.Errorf("submit without evidence: %d", r.StatusCode)
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "整改后.png")
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	png.Encode(fw, img)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+page+"/evidence", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := ent.Send(req); r.StatusCode != 303 {
		t.Fatalf("evidence: %d %s", r.StatusCode, r.Body)
	}
	if r := ent.Post(page+"/submit", url.Values{"note": {"危废已分区贮存"}}); r.StatusCode != 303 {
		t.Fatalf("submit: %d", r.StatusCode)
	}
	if r := ent.Post(page+"/verify", url.Values{"decision": {"close"}}); r.StatusCode != 403 {
		t.Errorf("the enterprise verifies its own task: %d", r.StatusCode)
	}
	if b := string(assoc.Get(page).Body); !strings.Contains(b, `id="verify"`) || strings.Contains(b, `id="work"`) {
		t.Error("the association's task page shows the wrong actions")
	}
	if r := assoc.Post(page+"/verify", url.Values{"decision": {"close"}, "note": {"整改到位"}}); r.StatusCode != 303 {
		t.Fatalf("close: %d", r.StatusCode)
	}
	b := string(ent.Get(page).Body)
	for _, want := range []string{"已销号", "张伟", "核验通过", "整改到位"} {
		if !strings.Contains(b, want) {
			t.Errorf("the closed task page lacks %q", want)
		}
	}
	if r := e.Browser(apptest.AssociationB).Get(page); r.StatusCode != 404 {
		t.Errorf("association B opens A's task: %d", r.StatusCode)
	}
}

// TestInspectionPoints (issue 10, item 3): an enterprise registers a point
// with the items checked there; its label's QR opens the current
// self-inspection showing those items; an answer given there records the
// point; no one else opens it.
func TestInspectionPoints(t *testing.T) {
	e := apptest.New(t, "sqlite")
	sys := model.SystemActor()
	c, _ := e.Store.CreateChecklist(t.Context(), sys, model.CountyChecklist())
	e.Store.PublishChecklist(t.Context(), sys, c.ID)
	b := e.Browser(entA)
	ent := fmt.Sprintf("/directory/enterprises/%d", e.Ents["A"])
	if r := b.Post(ent+"/points", url.Values{"name": {"危废贮存间"}, "kind": {"waste_store"}, "codes": {"d2，D6"}}); r.StatusCode != 303 {
		t.Fatalf("register: %d %s", r.StatusCode, r.Body)
	}
	if r := b.Post(ent+"/points", url.Values{"name": {"坏"}, "kind": {"waste_store"}, "codes": {"6D"}}); r.StatusCode != 422 {
		t.Errorf("a bad code: %d", r.StatusCode)
	}
	ps, err := e.Store.Points(t.Context(), sys, e.Ents["A"])
	if err != nil || len(ps) != 1 || strings.Join(ps[0].Codes, ",") != "D2,D6" {
		t.Fatalf("points: %+v %v", ps, err)
	}
	point := fmt.Sprintf("/points/%d", ps[0].ID)
	if page := string(b.Get(point + "/label").Body); !strings.Contains(page, point+"/qr.png") || !strings.Contains(page, "危废贮存间") {
		t.Error("the label has no QR code")
	}
	if r := b.Get(point + "/qr.png"); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Errorf("the QR image: %d", r.StatusCode)
	}
	r := b.Get(point)
	loc := r.Header.Get("Location")
	if r.StatusCode != 303 || !strings.HasSuffix(loc, fmt.Sprintf("?point=%d", ps[0].ID)) {
		t.Fatalf("scan: %d %s", r.StatusCode, loc)
	}
	page := string(b.Get(loc).Body)
	if !strings.Contains(page, `id="item-D6"`) || strings.Contains(page, `id="item-A1"`) || !strings.Contains(page, "当前检查点") {
		t.Error("the point's page does not show only its items")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("point", fmt.Sprint(ps[0].ID))
	mw.WriteField("result", "ok")
	mw.WriteField("note", "")
	fw, _ := mw.CreateFormFile("photo", "")
	fw.Write(nil)
	mw.Close()
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/inspections/")
	req, _ := http.NewRequest("POST", e.HTTP.URL+"/inspections/"+id+"/answers/D6", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if r := b.Send(req); r.StatusCode != 303 || !strings.Contains(r.Header.Get("Location"), "?point=") {
		t.Fatalf("answer at the point: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	var iid int64
	fmt.Sscan(id, &iid)
	in, err := e.Store.Inspection(t.Context(), sys, iid)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range in.Items {
		if it.Code == "D6" && (it.Answer == nil || it.Answer.PointID == nil || *it.Answer.PointID != ps[0].ID) {
			t.Errorf("the answer does not record the point: %+v", it.Answer)
		}
	}
	if r := e.Browser(apptest.EnterpriseB).Get(point); r.StatusCode != 404 {
		t.Errorf("B scans A's point: %d", r.StatusCode)
	}
	if r := e.Browser(apptest.AssociationA).Get(point); r.StatusCode != 403 {
		t.Errorf("the association scans the enterprise's point into a self-inspection: %d", r.StatusCode)
	}
}
