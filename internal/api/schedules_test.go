package api_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"image"
	"image/jpeg"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestInspectionSchedules (issue 10, item 2): the sweep derives each
// enterprise's schedule from its facts and makes the current and next
// periods, never twice however many instances run it; a self-inspection
// puts its period in progress and submitting completes it; the town's
// association sets the frequency by hand; a period left undone past the
// bureau's grace is missed, lists per town and turns the colour yellow
// at the bureau's threshold.
func TestInspectionSchedules(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", checklistBody("县级自查表", "A1")).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		// Instances running the job at once, after a publication that makes
		// every enterprise be derived again.
		var v2 model.Checklist
		e.API(admin, "PUT", fmt.Sprintf("/api/v1/checklists/%d", c.ID), checklistBody("县级自查表", "A1")).JSON(t, &v2)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", v2.ID), nil)
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() {
				if _, err := e.Store.SyncSchedules(ctx); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		path := fmt.Sprintf("/api/v1/enterprises/%d/schedules", e.Ents["A"])
		var l struct{ Items []model.Schedule }
		e.API(entA, "GET", path, nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].Frequency != model.Quarterly || l.Items[0].Adjusted || len(l.Items[0].Occurrences) != 2 {
			t.Fatalf("schedules of a simplified-permit enterprise: %+v", l.Items)
		}
		sc := l.Items[0]
		if o := sc.Occurrences; o[0].PeriodStart != "2026-04-01" || o[1].PeriodStart != "2026-01-01" || o[1].DueOn != "2026-03-31" ||
			o[1].Status != model.OccurrenceScheduled {
			t.Errorf("periods: %+v", o)
		}
		for w, want := range map[who]int{guest: 401, entB: 404, assocB: 404, lecturer: 404, provider: 404, assocA: 200, admin: 200} {
			if r := e.API(w, "GET", path, nil); r.StatusCode != want {
				t.Errorf("%s reads A's schedules: %d, want %d", w, r.StatusCode, want)
			}
		}

		// The association sets it by hand; nobody else may.
		set := fmt.Sprintf("/api/v1/schedules/%d", sc.ID)
		for w, want := range map[who]int{guest: 401, entA: 403, entB: 403, assocB: 404, lecturer: 403} {
			if r := e.API(w, "PUT", set, map[string]any{"frequency": "daily"}); r.StatusCode != want {
				t.Errorf("%s sets A's frequency: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r := e.API(assocA, "PUT", set, map[string]any{"frequency": "hourly"}); r.StatusCode != 422 || errorFields(t, r)["frequency"] == "" {
			t.Errorf("a frequency not offered: %d %s", r.StatusCode, r.Body)
		}
		var got model.Schedule
		r := e.API(assocA, "PUT", set, map[string]any{"frequency": "monthly"})
		r.JSON(t, &got)
		if r.StatusCode != 200 || !got.Adjusted || got.Frequency != model.Monthly || len(got.Occurrences) != 2 || got.Occurrences[1].PeriodStart != "2026-03-01" {
			t.Fatalf("set monthly: %d %+v", r.StatusCode, got)
		}
		// The derivation leaves a frequency set by hand alone.
		e.Store.SyncSchedules(ctx)
		e.API(entA, "GET", path, nil).JSON(t, &l)
		if l.Items[0].Frequency != model.Monthly {
			t.Errorf("the derivation changed a frequency set by hand: %+v", l.Items[0])
		}

		// A self-inspection puts March in progress; submitting completes it.
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": v2.ID, "kind": "self"}).JSON(t, &in)
		e.API(entA, "GET", path, nil).JSON(t, &l)
		if o := l.Items[0].Occurrences[1]; o.Status != model.OccurrenceInProgress || o.InspectionID == nil || *o.InspectionID != in.ID {
			t.Errorf("after starting: %+v", o)
		}
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A1", in.ID), map[string]any{"result": "ok"})
		e.API(entA, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil)
		e.API(entA, "GET", path, nil).JSON(t, &l)
		if o := l.Items[0].Occurrences[1]; o.Status != model.OccurrenceCompleted || o.CompletedAt == nil {
			t.Errorf("after submitting: %+v", o)
		}

		// April is left undone: overdue in May, missed after the grace.
		e.Clock.Advance(62 * 24 * time.Hour) // 2 May
		renewTokens(t, e)
		must(t, errOf(e.Store.SyncSchedules(ctx)))
		var os struct{ Items []model.Occurrence }
		e.API(assocA, "GET", "/api/v1/occurrences?status=overdue", nil).JSON(t, &os)
		if len(os.Items) != 1 || os.Items[0].PeriodStart != "2026-04-01" || os.Items[0].EnterpriseName != "企业A" {
			t.Errorf("overdue in town A: %+v", os.Items)
		}
		var col model.Compliance
		e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/compliance", e.Ents["A"]), nil).JSON(t, &col)
		if hasRule(col, "missed_inspections") {
			t.Errorf("missed within the grace: %+v", col)
		}
		e.Clock.Advance(7 * 24 * time.Hour) // 9 May: 8 days late
		must(t, errOf(e.Store.SyncSchedules(ctx)))
		// B never did its first quarter's: missed since 8 April.
		for w, want := range map[who]int{assocA: 1, admin: 2, entA: 1, assocB: 1, entB: 1, lecturer: 0} {
			e.API(w, "GET", "/api/v1/occurrences?status=missed", nil).JSON(t, &os)
			if len(os.Items) != want {
				t.Errorf("%s sees %d missed, want %d", w, len(os.Items), want)
			}
		}
		e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/compliance", e.Ents["A"]), nil).JSON(t, &col)
		if col.Color != model.Yellow || !hasRule(col, "missed_inspections") {
			t.Errorf("a missed inspection: %+v", col)
		}
		// The list filtered by colour, in scope.
		for w, want := range map[who]string{assocA: "企业A", assocB: "企业B", admin: "企业B,企业A", entA: "企业A", lecturer: ""} {
			var l struct{ Items []model.Enterprise }
			e.API(w, "GET", "/api/v1/enterprises?color=yellow", nil).JSON(t, &l)
			var names []string
			for _, x := range l.Items {
				names = append(names, x.Name+map[bool]string{true: "", false: "(" + x.Color + ")"}[x.Color == model.Yellow])
			}
			if got := strings.Join(names, ","); got != want {
				t.Errorf("%s lists yellow enterprises %q, want %q", w, got, want)
			}
		}
		if r := e.API(admin, "GET", "/api/v1/enterprises?color=blue", nil); r.StatusCode != 422 {
			t.Errorf("a colour not offered: %d", r.StatusCode)
		}
		if r := e.API(admin, "GET", "/api/v1/occurrences?status=lost", nil); r.StatusCode != 422 {
			t.Errorf("a status not offered: %d", r.StatusCode)
		}

		// The bureau's threshold: two missed make yellow, so one no longer does.
		if r := e.API(assocA, "PUT", "/api/v1/settings/inspection", map[string]any{"missed_inspections_yellow": 2}); r.StatusCode != 403 {
			t.Errorf("an association changes the settings: %d", r.StatusCode)
		}
		if r := e.API(admin, "PUT", "/api/v1/settings/inspection", map[string]any{"critical_days": 20, "major_days": 10}); r.StatusCode != 422 ||
			errorFields(t, r)["major_days"] == "" {
			t.Errorf("critical longer than major: %d %s", r.StatusCode, r.Body)
		}
		var st model.InspectionSettings
		r = e.API(admin, "PUT", "/api/v1/settings/inspection", map[string]any{"missed_inspections_yellow": 2})
		r.JSON(t, &st)
		if r.StatusCode != 200 || st.MissedInspectionsYellow != 2 || st.PassMark != 80 {
			t.Fatalf("settings: %d %s", r.StatusCode, r.Body)
		}
		e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/compliance", e.Ents["A"]), nil).JSON(t, &col)
		if hasRule(col, "missed_inspections") {
			t.Errorf("one missed under a threshold of two: %+v", col)
		}
	})
}

func errOf[T any](_ T, err error) error { return err }

// renewTokens gives every fixture a fresh API token after the clock moved
// past their expiry.
func renewTokens(t *testing.T, e *apptest.Env) {
	for _, w := range apptest.Everyone[1:] {
		u := e.Users[w]
		_, secret, err := e.Store.CreateToken(context.Background(), model.Actor{User: u}, u.ID, model.NewToken{Name: "renewed", ExpiresIn: 30})
		must(t, err)
		e.Tokens[w] = secret
	}
}

func hasRule(c model.Compliance, rule string) bool {
	for _, d := range c.Deductions {
		if d.Rule == rule {
			return true
		}
	}
	return false
}

// TestInspectionSettingsApply: the pass mark and the days a problem is
// due in are the bureau's.
func TestInspectionSettingsApply(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		body := map[string]any{"title": "自查表", "sections": []map[string]any{{"title": "A", "items": []map[string]any{
			{"code": "A1", "point": "持证排污", "severity": "minor", "weight": 1},
			{"code": "A2", "point": "台账", "severity": "minor", "weight": 9},
		}}}}
		e.API(admin, "POST", "/api/v1/checklists", body).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		if r := e.API(admin, "PUT", "/api/v1/settings/inspection", map[string]any{"pass_mark": 95, "minor_days": 45}); r.StatusCode != 200 {
			t.Fatalf("settings: %d %s", r.StatusCode, r.Body)
		}
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "self"}).JSON(t, &in)
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A1", in.ID), map[string]any{"result": "problem", "note": "许可证未张贴"})
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A2", in.ID), map[string]any{"result": "ok"})
		e.API(entA, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil).JSON(t, &in)
		if in.Score == nil || *in.Score != 90 || in.Passed == nil || *in.Passed || len(in.Tasks) != 1 {
			t.Fatalf("90 points under a pass mark of 95: %+v", in)
		}
		var task model.Task
		e.API(entA, "GET", fmt.Sprintf("/api/v1/tasks/%d", in.Tasks[0]), nil).JSON(t, &task)
		if task.DueOn != "2026-04-15" { // 1 March (China time) + 45 days
			t.Errorf("a minor problem's task is due %s, want 2026-04-15", task.DueOn)
		}
		// The enterprise moves town: its task follows into the new town's list.
		if r := e.API(admin, "PATCH", fmt.Sprintf("/api/v1/enterprises/%d", e.Ents["A"]), map[string]any{"region_id": e.Regions["B"]}); r.StatusCode != 200 {
			t.Fatalf("move: %d %s", r.StatusCode, r.Body)
		}
		for w, want := range map[who]int{assocA: 0, assocB: 1} {
			var l struct{ Items []model.Task }
			e.API(w, "GET", "/api/v1/tasks?status=open", nil).JSON(t, &l)
			if len(l.Items) != want {
				t.Errorf("%s lists %d open tasks after the move, want %d", w, len(l.Items), want)
			}
		}
	})
}

// jpegTakenAt is a small JPEG whose EXIF block says when it was taken
// (DateTimeOriginal, with OffsetTimeOriginal when offset is not "") and
// where (a GPS tag).
func jpegTakenAt(t *testing.T, when, offset string) []byte {
	var pic bytes.Buffer
	if err := jpeg.Encode(&pic, image.NewRGBA(image.Rect(0, 0, 8, 8)), nil); err != nil {
		t.Fatal(err)
	}
	// A big-endian TIFF: IFD0 with the EXIF pointer and a GPS pointer; the
	// EXIF IFD with DateTimeOriginal (and its offset).
	var b bytes.Buffer
	be := binary.BigEndian
	w16 := func(v uint16) { binary.Write(&b, be, v) }
	w32 := func(v uint32) { binary.Write(&b, be, v) }
	b.WriteString("MM")
	w16(42)
	w32(8)
	// IFD0 at 8: 2 entries → 2 + 24 + 4 = 30 bytes; EXIF IFD at 38.
	w16(2)
	w16(0x8769)
	w16(4)
	w32(1)
	w32(38)
	w16(0x8825) // GPS IFD pointer (its content is never read)
	w16(4)
	w32(1)
	w32(0)
	w32(0)
	n := uint16(1)
	if offset != "" {
		n = 2
	}
	dataAt := uint32(38 + 2 + int(n)*12 + 4)
	w16(n)
	w16(0x9003)
	w16(2)
	w32(20)
	w32(dataAt)
	if offset != "" {
		w16(0x9011)
		w16(2)
		w32(7)
		w32(dataAt + 20)
	}
	w32(0)
	b.WriteString(when + "\x00")
	if offset != "" {
		b.WriteString(offset + "\x00")
	}
	app1 := append([]byte("Exif\x00\x00"), b.Bytes()...)
	out := []byte{0xFF, 0xD8, 0xFF, 0xE1, byte((len(app1) + 2) >> 8), byte(len(app1) + 2)}
	out = append(out, app1...)
	return append(out, pic.Bytes()[2:]...)
}

// TestPhotoCaptureTime (issue 10, item 4): a photo's capture time is kept
// from its EXIF block, which is not kept; the photo is shown to whoever
// can see the inspection, and a task's evidence to whoever can see the
// task, nobody else.
func TestPhotoCaptureTime(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", checklistBody("自查表", "A1")).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "self"}).JSON(t, &in)
		photos := fmt.Sprintf("/api/v1/inspections/%d/photos", in.ID)
		var p1, p2, p3 struct{ ID int64 }
		uploadFile(e, entA, photos, "photo", jpegTakenAt(t, "2026:02:27 14:05:09", "")).JSON(t, &p1)
		uploadFile(e, entA, photos, "photo", jpegTakenAt(t, "2026:02:27 14:05:09", "+00:00")).JSON(t, &p2)
		uploadFile(e, entA, photos, "photo", pngBytes(t)).JSON(t, &p3)
		e.API(entA, "GET", fmt.Sprintf("/api/v1/inspections/%d", in.ID), nil).JSON(t, &in)
		if len(in.Photos) != 3 {
			t.Fatalf("photos: %+v", in.Photos)
		}
		want := []string{"2026-02-27T06:05:09Z", "2026-02-27T14:05:09Z", ""} // China time without an offset
		for i, p := range in.Photos {
			got := ""
			if p.TakenAt != nil {
				got = p.TakenAt.UTC().Format(time.RFC3339)
			}
			if got != want[i] {
				t.Errorf("photo %d taken at %q, want %q", i+1, got, want[i])
			}
		}
		path := fmt.Sprintf("/api/v1/inspection-photos/%d", p1.ID)
		for w, want := range map[who]int{guest: 401, entB: 404, assocB: 404, lecturer: 404, entA: 200, assocA: 200, admin: 200} {
			r := e.API(w, "GET", path, nil)
			if r.StatusCode != want {
				t.Errorf("%s reads A's photo: %d, want %d", w, r.StatusCode, want)
			}
			if r.StatusCode == 200 && (r.Header.Get("Content-Type") != "image/jpeg" || bytes.Contains(r.Body, []byte("Exif\x00\x00"))) {
				t.Errorf("the photo served: %s, EXIF kept: %v", r.Header.Get("Content-Type"), bytes.Contains(r.Body, []byte("Exif")))
			}
		}
		if r := e.API(entA, "GET", "/api/v1/inspection-photos/99999", nil); r.StatusCode != 404 {
			t.Errorf("no such photo: %d", r.StatusCode)
		}
		// A task's evidence, numbered from 1.
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A1", in.ID), map[string]any{"result": "problem", "note": "台账缺失", "photo_ids": []int64{p3.ID}})
		e.API(entA, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil).JSON(t, &in)
		uploadFile(e, entA, fmt.Sprintf("/api/v1/tasks/%d/evidence", in.Tasks[0]), "file", pngBytes(t))
		ev := fmt.Sprintf("/api/v1/tasks/%d/evidence/", in.Tasks[0])
		for w, want := range map[who]int{entB: 404, assocB: 404, entA: 200, assocA: 200} {
			if r := e.API(w, "GET", ev+"1", nil); r.StatusCode != want {
				t.Errorf("%s reads A's evidence: %d, want %d", w, r.StatusCode, want)
			}
		}
		for _, n := range []string{"0", "2", "x"} {
			if r := e.API(entA, "GET", ev+n, nil); r.StatusCode != 404 && r.StatusCode != 400 {
				t.Errorf("evidence %s: %d", n, r.StatusCode)
			}
		}
	})
}

// TestDutyCalendarFeed (issue 10, item 8): an enterprise subscribes to its
// duties — obligations, scheduled inspections, open rectifications — in a
// phone calendar; the address is its secret, a new one ends the old.
func TestDutyCalendarFeed(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", checklistBody("县级自查表", "A1")).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		must(t, errOf(e.Store.SyncSchedules(context.Background())))
		path := fmt.Sprintf("/api/v1/enterprises/%d/calendar", e.Ents["A"])
		for w, want := range map[who]int{guest: 401, entB: 404, assocB: 404, lecturer: 404} {
			if r := e.API(w, "POST", path, nil); r.StatusCode != want {
				t.Errorf("%s makes A's feed: %d, want %d", w, r.StatusCode, want)
			}
		}
		var feed struct{ URL string }
		r := e.API(entA, "POST", path, nil)
		r.JSON(t, &feed)
		if r.StatusCode != 201 || !strings.HasSuffix(feed.URL, ".ics") {
			t.Fatalf("feed: %d %s", r.StatusCode, r.Body)
		}
		resp, err := http.Get(feed.URL)
		must(t, err)
		var body bytes.Buffer
		body.ReadFrom(resp.Body)
		resp.Body.Close()
		ics := body.String()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") ||
			!strings.Contains(ics, "SUMMARY:自查：县级自查表") || !strings.Contains(ics, "DTSTART;VALUE=DATE:20260331") ||
			!strings.Contains(ics, "BEGIN:VALARM") || strings.Contains(ics, "\n\n") {
			t.Errorf("feed %d:\n%s", resp.StatusCode, ics)
		}
		var on struct{ On bool }
		e.API(assocA, "GET", path, nil).JSON(t, &on)
		if !on.On {
			t.Error("the feed is not on")
		}
		// A new address ends the old one; ending it ends both.
		var again struct{ URL string }
		e.API(assocA, "POST", path, nil).JSON(t, &again)
		for u, want := range map[string]int{feed.URL: 404, again.URL: 200} {
			if r, err := http.Get(u); err != nil || r.StatusCode != want {
				t.Errorf("after a new address, %s: %v %v, want %d", u, r.StatusCode, err, want)
			}
		}
		if r := e.API(entA, "DELETE", path, nil); r.StatusCode != 204 {
			t.Errorf("end: %d", r.StatusCode)
		}
		if r, err := http.Get(again.URL); err != nil || r.StatusCode != 404 {
			t.Errorf("an ended feed: %v %v", r.StatusCode, err)
		}
	})
}

// TestInspectionRevision (issue 10, item 4): a submitted inspection never
// changes; a correction is a new revision with a reason, the same
// checklist version and the answers and photos copied, made only by who
// ran the original; once submitted it supersedes the original and its
// score is the enterprise's latest.
func TestInspectionRevision(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", checklistBody("自查表", "A1", "A2")).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "self"}).JSON(t, &in)
		base := fmt.Sprintf("/api/v1/inspections/%d", in.ID)
		var p struct{ ID int64 }
		uploadFile(e, entA, base+"/photos", "photo", pngBytes(t)).JSON(t, &p)
		e.API(entA, "PUT", base+"/answers/A1", map[string]any{"result": "problem", "note": "台账缺失", "photo_ids": []int64{p.ID}})
		e.API(entA, "PUT", base+"/answers/A2", map[string]any{"result": "ok"})
		if r := e.API(entA, "POST", base+"/revise", map[string]any{"reason": "填错了"}); r.StatusCode != 409 {
			t.Errorf("revising a draft: %d", r.StatusCode)
		}
		e.API(entA, "POST", base+"/submit", nil).JSON(t, &in)
		// A checklist edited meanwhile: the revision keeps the version.
		e.API(admin, "PUT", fmt.Sprintf("/api/v1/checklists/%d", c.ID), checklistBody("自查表", "A1", "A2", "A3"))
		for w, want := range map[who]int{guest: 401, entB: 404, assocB: 404, assocA: 403, admin: 403} {
			if r := e.API(w, "POST", base+"/revise", map[string]any{"reason": "填错了"}); r.StatusCode != want {
				t.Errorf("%s revises A's inspection: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r := e.API(entA, "POST", base+"/revise", map[string]any{"reason": " "}); r.StatusCode != 422 || errorFields(t, r)["reason"] == "" {
			t.Errorf("no reason: %d %s", r.StatusCode, r.Body)
		}
		var rev model.Inspection
		r := e.API(entA, "POST", base+"/revise", map[string]any{"reason": "A1 实为台账在档案室"})
		r.JSON(t, &rev)
		if r.StatusCode != 201 || rev.Status != model.InspectionDraft || rev.ChecklistID != c.ID || rev.RevisionOf == nil || *rev.RevisionOf != in.ID ||
			rev.Answered() != 2 || len(rev.Photos) != 1 || rev.Photos[0].ID == p.ID || len(rev.Items) != 2 {
			t.Fatalf("revision: %d %s", r.StatusCode, r.Body)
		}
		if a := rev.Items[0].Answer; a == nil || len(a.PhotoIDs) != 1 || a.PhotoIDs[0] != rev.Photos[0].ID {
			t.Errorf("the copied answer's photo: %+v", a)
		}
		if r := e.API(entA, "POST", base+"/revise", map[string]any{"reason": "再改"}); r.StatusCode != 409 {
			t.Errorf("a second revision: %d", r.StatusCode)
		}
		rb := fmt.Sprintf("/api/v1/inspections/%d", rev.ID)
		e.API(entA, "PUT", rb+"/answers/A1", map[string]any{"result": "ok"})
		e.API(entA, "POST", rb+"/submit", nil).JSON(t, &rev)
		if rev.Score == nil || *rev.Score != 100 {
			t.Errorf("the revision's score: %+v", rev.Score)
		}
		var orig model.Inspection
		e.API(entA, "GET", base, nil).JSON(t, &orig)
		if orig.SupersededBy == nil || *orig.SupersededBy != rev.ID || orig.Score == nil || *orig.Score != *in.Score {
			t.Errorf("the original after the revision: %+v", orig)
		}
		if a := orig.Items[0].Answer; a.Result != model.ResultProblem {
			t.Errorf("the original changed: %+v", a)
		}
	})
}

// TestSpotPlan (issue 10, items 7 and 10): an association plans the
// month's spot checks of its town from suggestions (red first), a month
// not yet over, once per enterprise; a submitted spot check marks the
// entry done; other towns and enterprises neither see nor change it.
func TestSpotPlan(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", checklistBody("县级自查表", "A1")).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/compliance", e.Ents["A"]), nil) // A is assessed (yellow: no manager)
		var p model.SpotPlan
		r := e.API(assocA, "GET", "/api/v1/spot-plan", nil)
		r.JSON(t, &p)
		if r.StatusCode != 200 || p.Month != "2026-03" || len(p.Items) != 0 || len(p.Suggestions) != 1 || p.Suggestions[0].EnterpriseID != e.Ents["A"] ||
			p.Suggestions[0].Color != model.Yellow {
			t.Fatalf("town A's plan: %d %s", r.StatusCode, r.Body)
		}
		e.API(admin, "GET", "/api/v1/spot-plan", nil).JSON(t, &p)
		if len(p.Suggestions) != 2 || p.Suggestions[0].EnterpriseID != e.Ents["A"] { // assessed before never assessed
			t.Errorf("the county's suggestions: %+v", p.Suggestions)
		}
		for w, want := range map[who]int{guest: 401, entA: 403, lecturer: 403, provider: 403} {
			if r := e.API(w, "GET", "/api/v1/spot-plan", nil); r.StatusCode != want {
				t.Errorf("%s reads a plan: %d, want %d", w, r.StatusCode, want)
			}
		}
		plan := func(w who, ent int64, month string) *apptest.Response {
			return e.API(w, "POST", "/api/v1/spot-plan", map[string]any{"enterprise_id": ent, "month": month})
		}
		for _, m := range []string{"2026-02", "2026-13", "三月", "2027-04"} {
			if r := plan(assocA, e.Ents["A"], m); r.StatusCode != 422 || errorFields(t, r)["month"] == "" {
				t.Errorf("month %q: %d %s", m, r.StatusCode, r.Body)
			}
		}
		if r := plan(assocB, e.Ents["A"], "2026-03"); r.StatusCode != 422 || errorFields(t, r)["enterprise_id"] == "" {
			t.Errorf("another town's enterprise: %d %s", r.StatusCode, r.Body)
		}
		if r := plan(entA, e.Ents["A"], "2026-03"); r.StatusCode != 403 {
			t.Errorf("an enterprise plans: %d", r.StatusCode)
		}
		var it model.SpotPlanItem
		r = plan(assocA, e.Ents["A"], "2026-03")
		r.JSON(t, &it)
		if r.StatusCode != 201 || it.Done || it.EnterpriseName != "企业A" {
			t.Fatalf("plan: %d %s", r.StatusCode, r.Body)
		}
		if r := plan(assocA, e.Ents["A"], "2026-03"); r.StatusCode != 409 {
			t.Errorf("planned twice: %d", r.StatusCode)
		}
		e.API(assocB, "GET", "/api/v1/spot-plan?month=2026-03", nil).JSON(t, &p)
		if len(p.Items) != 0 {
			t.Errorf("town B sees town A's plan: %+v", p.Items)
		}
		// The spot check done: the entry is done; A is no longer suggested.
		var in model.Inspection
		e.API(assocA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "spot"}).JSON(t, &in)
		e.API(assocA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A1", in.ID), map[string]any{"result": "ok"})
		e.API(assocA, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil)
		e.API(assocA, "GET", "/api/v1/spot-plan?month=2026-03", nil).JSON(t, &p)
		if len(p.Items) != 1 || !p.Items[0].Done || p.Items[0].InspectionID == nil || *p.Items[0].InspectionID != in.ID || len(p.Suggestions) != 0 {
			t.Errorf("after the spot check: %+v", p)
		}
		del := fmt.Sprintf("/api/v1/spot-plan/%d", it.ID)
		for w, want := range map[who]int{guest: 401, entA: 403, assocB: 404} {
			if r := e.API(w, "DELETE", del, nil); r.StatusCode != want {
				t.Errorf("%s removes A's entry: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r := e.API(assocA, "DELETE", del, nil); r.StatusCode != 204 {
			t.Errorf("remove: %d", r.StatusCode)
		}
	})
}

// TestScheduleFollowsFacts: the sweep re-derives an enterprise whose
// facts changed since its last run (a key-management permit: monthly).
func TestScheduleFollowsFacts(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", checklistBody("县级自查表", "A1")).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		must(t, errOf(e.Store.SyncSchedules(ctx)))
		e.Clock.Advance(5 * time.Minute)
		if r := e.API(admin, "PATCH", fmt.Sprintf("/api/v1/enterprises/%d", e.Ents["B"]), map[string]any{"permit_class": "key"}); r.StatusCode != 200 {
			t.Fatalf("patch: %d %s", r.StatusCode, r.Body)
		}
		e.Clock.Advance(time.Minute)
		n, err := e.Store.SyncSchedules(ctx)
		must(t, err)
		var l struct{ Items []model.Schedule }
		e.API(entB, "GET", fmt.Sprintf("/api/v1/enterprises/%d/schedules", e.Ents["B"]), nil).JSON(t, &l)
		if n < 1 || len(l.Items) != 1 || l.Items[0].Frequency != model.Monthly { // B, and any changed within the margin
			t.Errorf("after the permit changed: %d derived, %+v", n, l.Items)
		}
	})
}
