package api_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

func pngBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(1, 1, color.RGBA{200, 0, 0, 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// uploadFile posts data as the multipart file field as w.
func uploadFile(e *apptest.Env, w who, path, field string, data []byte) *apptest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile(field, "现场.png")
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.HTTP.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+e.Tokens[w])
	return e.Do(req)
}

// TestSelfInspection (issue 10, items 4–6 in part): an enterprise inspects
// itself against the published checklist, item by item, each answer saved
// as given; submitting refuses what is missing by item, scores earned of
// the applicable maximum, fails on a critical problem, opens a task per
// problem due by severity, and never changes afterwards; others see it in
// scope only.
func TestSelfInspection(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		body := map[string]any{"title": "自查表", "sections": []map[string]any{{"title": "A", "items": []map[string]any{
			{"code": "A1", "point": "持证排污", "severity": "critical", "weight": 5},
			{"code": "A2", "point": "执行报告", "severity": "major", "weight": 3, "photo_required": true},
			{"code": "A3", "point": "台账", "severity": "minor", "weight": 2},
		}}}}
		e.API(admin, "POST", "/api/v1/checklists", body).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)

		start := fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"])
		for w, want := range map[who]int{guest: 401, entB: 404, assocB: 404, lecturer: 404, assocA: 403} {
			if r := e.API(w, "POST", start, map[string]any{"checklist_id": c.ID, "kind": "self"}); r.StatusCode != want {
				t.Errorf("%s starts A's self-inspection: %d, want %d", w, r.StatusCode, want)
			}
		}
		var in model.Inspection
		r := e.API(entA, "POST", start, map[string]any{"checklist_id": c.ID, "kind": "self"})
		r.JSON(t, &in)
		if r.StatusCode != 201 || in.Status != model.InspectionDraft || len(in.Items) != 3 {
			t.Fatalf("start: %d %s", r.StatusCode, r.Body)
		}
		path := fmt.Sprintf("/api/v1/inspections/%d", in.ID)
		answer := func(w who, code string, a map[string]any) *apptest.Response {
			return e.API(w, "PUT", path+"/answers/"+code, a)
		}
		if r := answer(entA, "Z9", map[string]any{"result": "ok"}); r.StatusCode != 404 {
			t.Errorf("an item not in the checklist: %d", r.StatusCode)
		}
		if r := answer(entA, "A1", map[string]any{"result": "maybe"}); r.StatusCode != 422 {
			t.Errorf("a bad result: %d", r.StatusCode)
		}
		if r := answer(entB, "A1", map[string]any{"result": "ok"}); r.StatusCode != 404 {
			t.Errorf("B answers A's inspection: %d", r.StatusCode)
		}
		answer(entA, "A1", map[string]any{"result": "ok"})
		answer(entA, "A2", map[string]any{"result": "problem"})
		// Incomplete: A2 lacks its note and photo, A3 is unanswered.
		r = e.API(entA, "POST", path+"/submit", nil)
		f := errorFields(t, r)
		if r.StatusCode != 422 || f["items.A2"] == "" || f["items.A3"] == "" || f["items.A1"] != "" {
			t.Errorf("incomplete submit: %d %v", r.StatusCode, f)
		}
		// A photo that is not an image is refused; a real one is kept.
		if r := uploadFile(e, entA, path+"/photos", "photo", []byte("<html>not an image</html>")); r.StatusCode != 415 && r.StatusCode != 422 {
			t.Errorf("a non-image photo: %d", r.StatusCode)
		}
		var photo struct{ ID int64 }
		r = uploadFile(e, entA, path+"/photos", "photo", pngBytes(t))
		r.JSON(t, &photo)
		if r.StatusCode != 201 || photo.ID == 0 {
			t.Fatalf("photo: %d %s", r.StatusCode, r.Body)
		}
		answer(entA, "A2", map[string]any{"result": "problem", "note": "季度报告未按期提交", "photo_ids": []int64{photo.ID}})
		answer(entA, "A3", map[string]any{"result": "na"})
		// A reload resumes where it was.
		e.API(entA, "GET", path, nil).JSON(t, &in)
		if in.Answered() != 3 || in.Items[1].Answer.Note != "季度报告未按期提交" {
			t.Errorf("answers not kept: %+v", in.Items)
		}
		if r := e.API(assocA, "POST", path+"/submit", nil); r.StatusCode != 403 {
			t.Errorf("the association submits the enterprise's self-inspection: %d", r.StatusCode)
		}
		r = e.API(entA, "POST", path+"/submit", nil)
		r.JSON(t, &in)
		// Earned 5 of 8 applicable (A3 n/a) = 62.5; a major problem, no critical.
		if r.StatusCode != 200 || in.Status != model.InspectionSubmitted || in.Earned != 5 || in.MaxScore != 8 || *in.Score != 62.5 || *in.Passed || len(in.Tasks) != 1 {
			t.Fatalf("submit: %d %s", r.StatusCode, r.Body)
		}
		var again model.Inspection
		e.API(entA, "POST", path+"/submit", nil).JSON(t, &again)
		if again.Score == nil || *again.Score != 62.5 || len(again.Tasks) != 1 {
			t.Errorf("submitting twice: %+v", again)
		}
		if r := answer(entA, "A1", map[string]any{"result": "problem", "note": "改"}); r.StatusCode != 409 {
			t.Errorf("an answer after submitting: %d", r.StatusCode)
		}
		for w, want := range map[who]int{entA: 200, assocA: 200, admin: 200, entB: 404, assocB: 404, lecturer: 404} {
			if r := e.API(w, "GET", path, nil); r.StatusCode != want {
				t.Errorf("%s reads the inspection: %d, want %d", w, r.StatusCode, want)
			}
		}
		var l model.List[model.Inspection]
		e.API(assocA, "GET", start, nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != in.ID {
			t.Errorf("A's inspections: %+v", l.Items)
		}
		// A critical problem fails whatever the score.
		var spot model.Inspection
		r = e.API(assocA, "POST", start, map[string]any{"checklist_id": c.ID, "kind": "spot"})
		r.JSON(t, &spot)
		if r.StatusCode != 201 {
			t.Fatalf("spot check: %d %s", r.StatusCode, r.Body)
		}
		sp := fmt.Sprintf("/api/v1/inspections/%d", spot.ID)
		e.API(assocA, "PUT", sp+"/answers/A1", map[string]any{"result": "problem", "note": "无证排污"})
		e.API(assocA, "PUT", sp+"/answers/A2", map[string]any{"result": "ok"})
		e.API(assocA, "PUT", sp+"/answers/A3", map[string]any{"result": "ok"})
		e.API(assocA, "POST", sp+"/submit", nil).JSON(t, &spot)
		if spot.Passed == nil || *spot.Passed || len(spot.Tasks) != 1 {
			t.Errorf("a critical problem: %+v", spot)
		}
	})
}

// TestRectificationTasks (issue 10, item 6): a problem's task is worked by
// the enterprise (owner, evidence, submit) and verified by its town's
// association or the bureau, never by the enterprise; reopening needs a
// reason; every step is in the history.
func TestRectificationTasks(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", map[string]any{"title": "自查表", "sections": []map[string]any{{"title": "A", "items": []map[string]any{
			{"code": "A1", "point": "危废贮存", "severity": "critical", "weight": 5}}}}}).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "self"}).JSON(t, &in)
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A1", in.ID), map[string]any{"result": "problem", "note": "危废混放"})
		e.API(entA, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil).JSON(t, &in)
		if len(in.Tasks) != 1 {
			t.Fatalf("tasks: %+v", in)
		}
		path := fmt.Sprintf("/api/v1/tasks/%d", in.Tasks[0])
		var task model.Task
		e.API(entA, "GET", path, nil).JSON(t, &task)
		if task.Status != model.TaskOpen || task.Severity != "critical" || string(task.DueOn) != string(model.Today(e.Clock.Now()).AddDays(3)) ||
			!task.Can.Work || task.Can.Verify || len(task.History) != 1 {
			t.Fatalf("the new task: %+v", task)
		}
		for w, want := range map[who]int{entA: 200, assocA: 200, admin: 200, entB: 404, assocB: 404, lecturer: 404, guest: 401} {
			if r := e.API(w, "GET", path, nil); r.StatusCode != want {
				t.Errorf("%s reads the task: %d, want %d", w, r.StatusCode, want)
			}
		}
		var l model.List[model.Task]
		e.API(assocB, "GET", "/api/v1/tasks", nil).JSON(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("association B lists A's tasks: %+v", l.Items)
		}
		e.API(assocA, "GET", "/api/v1/tasks?status=open", nil).JSON(t, &l)
		if len(l.Items) != 1 {
			t.Errorf("association A's open tasks: %d", len(l.Items))
		}
		// Submitting without evidence is refused; the enterprise adds a photo.
		if r := e.API(entA, "POST", path+"/submit", map[string]any{"note": "已整改"}); r.StatusCode != 422 {
			t.Errorf("submit without evidence: %d %s", r.StatusCode, r.Body)
		}
		if r := uploadFile(e, entA, path+"/evidence", "file", pngBytes(t)); r.StatusCode != 200 {
			t.Fatalf("evidence: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(entA, "POST", path+"/verify", map[string]any{"decision": "close"}); r.StatusCode != 403 {
			t.Errorf("the enterprise verifies its own task: %d", r.StatusCode)
		}
		if r := e.API(entA, "POST", path+"/submit", map[string]any{"note": "危废已分区贮存"}); r.StatusCode != 200 {
			t.Fatalf("submit: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(assocB, "POST", path+"/verify", map[string]any{"decision": "close"}); r.StatusCode != 404 {
			t.Errorf("another town's association verifies: %d", r.StatusCode)
		}
		if r := e.API(assocA, "POST", path+"/verify", map[string]any{"decision": "reopen"}); r.StatusCode != 422 {
			t.Errorf("reopen without a reason: %d", r.StatusCode)
		}
		if r := e.API(assocA, "POST", path+"/verify", map[string]any{"decision": "reopen", "note": "照片看不清标识"}); r.StatusCode != 200 {
			t.Fatalf("reopen: %d %s", r.StatusCode, r.Body)
		}
		e.API(entA, "POST", path+"/submit", map[string]any{"note": "已补拍"})
		r := e.API(assocA, "POST", path+"/verify", map[string]any{"decision": "close", "note": "整改到位"})
		r.JSON(t, &task)
		if r.StatusCode != 200 || task.Status != model.TaskClosed || len(task.History) != 6 {
			t.Errorf("close: %d %+v", r.StatusCode, task.History)
		}
		if r := e.API(entA, "POST", path+"/submit", map[string]any{"note": "再交"}); r.StatusCode != 409 {
			t.Errorf("submit a closed task: %d", r.StatusCode)
		}
		if r := uploadFile(e, entA, path+"/evidence", "file", pngBytes(t)); r.StatusCode != 409 {
			t.Errorf("evidence on a closed task: %d", r.StatusCode)
		}
	})
}

// TestComplianceColour (issue 10, item 9): the colour follows the facts as
// they change — an overdue critical rectification turns it red, closing
// the task turns it back — each deduction names its rule, reason and
// basis, and every change is kept.
func TestComplianceColour(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		path := fmt.Sprintf("/api/v1/enterprises/%d/compliance", e.Ents["A"])
		get := func() model.Compliance {
			t.Helper()
			var c model.Compliance
			r := e.API(assocA, "GET", path, nil)
			if r.StatusCode != 200 {
				t.Fatalf("compliance: %d %s", r.StatusCode, r.Body)
			}
			r.JSON(t, &c)
			return c
		}
		rules := func(c model.Compliance) map[string]bool {
			m := map[string]bool{}
			for _, d := range c.Deductions {
				m[d.Rule] = true
				if d.Reason == "" || d.Basis == "" {
					t.Errorf("deduction without reason or basis: %+v", d)
				}
			}
			return m
		}
		// Enterprise A has no manager yet: yellow.
		if c := get(); c.Color != model.Yellow || !rules(c)["no_manager"] {
			t.Errorf("no manager: %+v", c)
		}
		e.API(admin, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["A"]), map[string]any{"name": "张三", "mobile": "13800000001"})
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", map[string]any{"title": "自查表", "sections": []map[string]any{{"title": "D", "items": []map[string]any{
			{"code": "D6", "point": "危废贮存", "severity": "critical", "weight": 5}}}}}).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "self"}).JSON(t, &in)
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/D6", in.ID), map[string]any{"result": "problem", "note": "危废混放"})
		e.API(entA, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil).JSON(t, &in)
		// A failed inspection (critical problem): yellow; the manager is
		// behind on hours too.
		if c := get(); c.Color != model.Yellow || !rules(c)["failed_inspection"] || rules(c)["no_manager"] {
			t.Errorf("after the failed inspection: %+v", c)
		}
		// Four days on, the critical task (due in 3) is overdue: red.
		e.Clock.Advance(4 * 24 * time.Hour)
		if c := get(); c.Color != model.Red || !rules(c)["overdue_critical_task"] {
			t.Errorf("overdue critical task: %+v", c)
		}
		if r := e.API(entB, "GET", path, nil); r.StatusCode != 404 {
			t.Errorf("B reads A's colour: %d", r.StatusCode)
		}
		// Fixed and verified: the task no longer counts.
		tp := fmt.Sprintf("/api/v1/tasks/%d", in.Tasks[0])
		uploadFile(e, entA, tp+"/evidence", "file", pngBytes(t))
		e.API(entA, "POST", tp+"/submit", map[string]any{"note": "已分区贮存"})
		e.API(assocA, "POST", tp+"/verify", map[string]any{"decision": "close"})
		if c := get(); c.Color == model.Red || rules(c)["overdue_critical_task"] {
			t.Errorf("after closing the task: %+v", c)
		}
		hist, err := e.Store.ComplianceHistory(t.Context(), model.SystemActor(), e.Ents["A"])
		if err != nil || len(hist) < 2 || hist[1].Color != model.Red {
			t.Errorf("history: %+v %v", hist, err)
		}
	})
}

// TestHonestyFlags (issue 10, item 7): a spot check finding a problem on
// an item the enterprise's last self-inspection marked ok is flagged and
// counted for its town; other towns do not see it.
func TestHonestyFlags(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", map[string]any{"title": "自查表", "sections": []map[string]any{{"title": "A", "items": []map[string]any{
			{"code": "A1", "point": "雨污分流", "severity": "major", "weight": 3}, {"code": "A2", "point": "标志牌", "severity": "minor", "weight": 1}}}}}).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		run := func(w who, kind string, results map[string]string) model.Inspection {
			var in model.Inspection
			e.API(w, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": kind}).JSON(t, &in)
			for code, res := range results {
				e.API(w, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/%s", in.ID, code), map[string]any{"result": res, "note": "现场发现"})
			}
			r := e.API(w, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil)
			if r.StatusCode != 200 {
				t.Fatalf("%s %s submit: %d %s", w, kind, r.StatusCode, r.Body)
			}
			return in
		}
		self := run(entA, "self", map[string]string{"A1": "ok", "A2": "problem"})
		spot := run(assocA, "spot", map[string]string{"A1": "problem", "A2": "problem"})
		var l model.List[model.HonestyFlag]
		e.API(assocA, "GET", "/api/v1/honesty-flags", nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].Code != "A1" || l.Items[0].SelfInspectionID != self.ID || l.Items[0].SpotInspectionID != spot.ID {
			t.Fatalf("flags: %+v", l.Items)
		}
		e.API(assocB, "GET", "/api/v1/honesty-flags", nil).JSON(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("association B sees A's flags: %+v", l.Items)
		}
		if r := e.API(entA, "GET", "/api/v1/honesty-flags", nil); r.StatusCode != 403 {
			t.Errorf("an enterprise lists flags: %d", r.StatusCode)
		}
		var wb model.Workbench
		e.API(assocA, "GET", "/api/v1/workbench", nil).JSON(t, &wb)
		if len(wb.Compliance) != 1 || wb.Compliance[0].HonestyFlags != 1 || wb.Compliance[0].Yellow+wb.Compliance[0].Red != 1 {
			t.Errorf("town A's self-inspection picture: %+v", wb.Compliance)
		}
	})
}

// TestComplianceCalendar (issue 10, item 8): the enterprise's duties
// follow from its facts; a duty past its date turns the colour yellow
// until it is marked done; only those who see the enterprise see them.
func TestComplianceCalendar(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ent := e.Ents["A"]
		e.API(admin, "PATCH", fmt.Sprintf("/api/v1/enterprises/%d", ent), map[string]any{"permit_class": "key", "permit_no": "91330481MA2C0DE1XX001P"})
		facts := fmt.Sprintf("/api/v1/enterprises/%d/obligation-facts", ent)
		if r := e.API(entA, "PUT", facts, map[string]any{"report_frequency": "weekly"}); r.StatusCode != 422 {
			t.Errorf("a bad frequency: %d", r.StatusCode)
		}
		if r := e.API(entB, "PUT", facts, map[string]any{"report_frequency": "quarterly"}); r.StatusCode != 404 {
			t.Errorf("B sets A's facts: %d", r.StatusCode)
		}
		if r := e.API(entA, "PUT", facts, map[string]any{"report_frequency": "quarterly", "permit_issued_on": "2025-01-01", "disclosure_required": true}); r.StatusCode != 200 {
			t.Fatalf("facts: %d %s", r.StatusCode, r.Body)
		}
		var l model.List[model.Obligation]
		e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/obligations", ent), nil).JSON(t, &l)
		byKey := map[string]model.Obligation{}
		for _, o := range l.Items {
			byKey[o.Kind+" "+o.Period] = o
		}
		year := e.Clock.Now().In(model.ChinaTime).Year()
		q1 := byKey[fmt.Sprintf("period_report %d-Q1", year)]
		if string(q1.DueOn) != fmt.Sprintf("%d-04-15", year) || byKey[fmt.Sprintf("disclosure %d", year-1)].DueOn != model.Date(fmt.Sprintf("%d-03-15", year)) {
			t.Fatalf("calendar: %+v", l.Items)
		}
		if r := e.API(entB, "GET", fmt.Sprintf("/api/v1/enterprises/%d/obligations", ent), nil); r.StatusCode != 404 {
			t.Errorf("B reads A's calendar: %d", r.StatusCode)
		}
		// Past the disclosure date without it: yellow, named.
		e.Clock.Advance(time.Until(time.Date(year, 3, 20, 9, 0, 0, 0, model.ChinaTime)) - time.Until(e.Clock.Now()))
		var c model.Compliance
		e.API(assocA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/compliance", ent), nil).JSON(t, &c)
		found := false
		for _, d := range c.Deductions {
			found = found || d.Rule == "overdue_obligations"
		}
		if !found {
			t.Errorf("an overdue duty is not a deduction: %+v", c)
		}
		d := byKey[fmt.Sprintf("disclosure %d", year-1)]
		if r := e.API(entA, "POST", fmt.Sprintf("/api/v1/obligations/%d/done", d.ID), map[string]any{"reference": "浙江省企业环境信息依法披露系统 已发布"}); r.StatusCode != 200 {
			t.Fatalf("done: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(entA, "POST", fmt.Sprintf("/api/v1/obligations/%d/done", d.ID), map[string]any{"reference": "again"}); r.StatusCode != 409 {
			t.Errorf("done twice: %d", r.StatusCode)
		}
		if r := e.API(entB, "POST", fmt.Sprintf("/api/v1/obligations/%d/done", d.ID), map[string]any{"reference": "x"}); r.StatusCode != 404 {
			t.Errorf("B marks A's duty done: %d", r.StatusCode)
		}
		e.API(assocA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/compliance", ent), nil).JSON(t, &c)
		for _, d := range c.Deductions {
			if d.Rule == "overdue_obligations" {
				t.Errorf("still overdue after it was done: %+v", d)
			}
		}
	})
}

// TestRemindersAndEscalation (issue 10, items 6 and 8): a duty is recalled
// at 30, 7 and 1 days, each once, in the reader's language; an overdue
// rectification is told to the enterprise, then a week on to its
// association.
func TestRemindersAndEscalation(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		notices := func(w who, kind string) []*model.Notification {
			var l model.List[*model.Notification]
			e.API(w, "GET", "/api/v1/notifications?limit=200", nil).JSON(t, &l)
			var out []*model.Notification
			for _, n := range l.Items {
				if n.Kind == kind {
					out = append(out, n)
				}
			}
			return out
		}
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/enterprises/%d/obligation-facts", e.Ents["A"]), map[string]any{"disclosure_required": true})
		sweep := func() {
			if _, err := e.Store.QueueDutyReminders(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := e.Store.EscalateTasks(ctx); err != nil {
				t.Fatal(err)
			}
		}
		sweep()
		sweep()
		got := notices(entA, "duty_due")
		if len(got) != 1 || !strings.Contains(got[0].Text, "企业环境信息依法披露") {
			t.Fatalf("the 30-day reminder: %+v", got)
		}
		e.Clock.Advance(8 * 24 * time.Hour) // 6 days before Mar 15
		sweep()
		if got := notices(entA, "duty_due"); len(got) != 2 {
			t.Errorf("the 7-day reminder: %d notices", len(got))
		}
		// A critical rectification due in 3 days, left undone.
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", map[string]any{"title": "自查表", "sections": []map[string]any{{"title": "D", "items": []map[string]any{
			{"code": "D6", "point": "危废贮存", "severity": "critical", "weight": 5}}}}}).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "self"}).JSON(t, &in)
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/D6", in.ID), map[string]any{"result": "problem", "note": "危废混放"})
		e.API(entA, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil)
		e.Clock.Advance(4 * 24 * time.Hour)
		sweep()
		sweep()
		if got := notices(entA, "task_overdue"); len(got) != 1 || !strings.Contains(got[0].Text, "D6 危废贮存") {
			t.Errorf("the enterprise is not told once: %+v", got)
		}
		if got := notices(assocA, "task_escalated"); len(got) != 0 {
			t.Errorf("the association is told too soon: %+v", got)
		}
		e.Clock.Advance(8 * 24 * time.Hour)
		sweep()
		if got := notices(assocA, "task_escalated"); len(got) != 1 || !strings.Contains(got[0].Text, "企业A") {
			t.Errorf("the association is not told: %+v", got)
		}
		if got := notices(assocB, "task_escalated"); len(got) != 0 {
			t.Errorf("another town's association is told: %+v", got)
		}
	})
}

// TestInspectionPointsAPI: points are registered and listed in scope, and
// an answer can only name a point of the inspected enterprise.
func TestInspectionPointsAPI(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		pa := fmt.Sprintf("/api/v1/enterprises/%d/points", e.Ents["A"])
		pb := fmt.Sprintf("/api/v1/enterprises/%d/points", e.Ents["B"])
		var a, b model.InspectionPoint
		if r := e.API(entA, "POST", pa, map[string]any{"name": "1 号排放口", "kind": "outlet", "codes": []string{"B4"}}); r.StatusCode != 201 {
			t.Fatalf("A's point: %d %s", r.StatusCode, r.Body)
		} else {
			r.JSON(t, &a)
		}
		e.API(entB, "POST", pb, map[string]any{"name": "危废间", "kind": "waste_store", "codes": []string{"D6"}}).JSON(t, &b)
		for w, want := range map[who]int{entA: 201, entB: 404, assocB: 404, lecturer: 404, assocA: 201} {
			if r := e.API(w, "POST", pa, map[string]any{"name": "点", "kind": "other", "codes": []string{"A1"}}); r.StatusCode != want {
				t.Errorf("%s registers A's point: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r := e.API(entA, "POST", pa, map[string]any{"name": "点", "kind": "sky", "codes": []string{}}); r.StatusCode != 422 {
			t.Errorf("a bad point: %d", r.StatusCode)
		}
		var l model.List[model.InspectionPoint]
		e.API(assocA, "GET", pa, nil).JSON(t, &l)
		if len(l.Items) != 3 {
			t.Errorf("A's points: %d", len(l.Items))
		}
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", map[string]any{"title": "自查表", "sections": []map[string]any{{"title": "B", "items": []map[string]any{
			{"code": "B4", "point": "排放口标志牌", "weight": 1}}}}}).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "self"}).JSON(t, &in)
		ans := fmt.Sprintf("/api/v1/inspections/%d/answers/B4", in.ID)
		if r := e.API(entA, "PUT", ans, map[string]any{"result": "ok", "point_id": b.ID}); r.StatusCode != 422 {
			t.Errorf("an answer at B's point: %d", r.StatusCode)
		}
		var got model.Answer
		if r := e.API(entA, "PUT", ans, map[string]any{"result": "ok", "point_id": a.ID}); r.StatusCode != 200 {
			t.Errorf("an answer at A's point: %d %s", r.StatusCode, r.Body)
		} else if r.JSON(t, &got); got.PointID == nil || *got.PointID != a.ID {
			t.Errorf("the answer's point: %+v", got)
		}
	})
}
