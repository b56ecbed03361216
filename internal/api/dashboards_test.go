package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestDashboards (issue 15, items 4 and 7): the county's figures are its
// towns' summed; a town's lists its enterprises; an enterprise's reads its
// own rows; the pages show the API's figures; the workbook exports them.
func TestDashboards(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ets := shippedFactor(t, e, 0.5703)
		for _, who := range []who{entA, entB} {
			id := e.Ents["A"]
			if who == entB {
				id = e.Ents["B"]
			}
			decodeAs[model.Activity](t, e.API(who, "PUT", fmt.Sprintf("/api/v1/enterprises/%d/activity/2026-01", id), map[string]any{
				"lines": []map[string]any{{"source": "electricity_in", "factor_id": ets.ID, "amount": 100, "unit": "MWh"}}}), 200)
		}
		county := decodeAs[model.Dashboard](t, e.API(admin, "GET", "/api/v1/dashboards/county?year=2026", nil), 200)
		if county.Level != "county" || len(county.Towns) != 2 || county.Figures.Enterprises != 2 || !near(county.Figures.Scope2, 2*57.03) {
			t.Fatalf("county: %+v", county)
		}
		var sum model.Figures
		for _, tw := range county.Towns {
			sum.Add(tw.Figures)
		}
		if sum != county.Figures {
			t.Errorf("county %+v is not its towns' sum %+v", county.Figures, sum)
		}
		town := decodeAs[model.Dashboard](t, e.API(assocA, "GET", fmt.Sprintf("/api/v1/dashboards/towns/%d?year=2026", e.Regions["A"]), nil), 200)
		if town.Level != "town" || town.Figures.Enterprises != 1 || len(town.Enterprises) != 1 || town.Enterprises[0].EnterpriseID != e.Ents["A"] ||
			!near(town.Enterprises[0].Scope2, 57.03) || !near(town.Figures.Scope2, 57.03) {
			t.Errorf("town A: %+v", town)
		}
		ent := decodeAs[model.Dashboard](t, e.API(entA, "GET", fmt.Sprintf("/api/v1/dashboards/enterprises/%d?year=2026", e.Ents["A"]), nil), 200)
		if ent.Level != "enterprise" || !near(ent.Figures.Scope2, 57.03) || len(ent.Months) != 1 || ent.Figures.Unassessed != 1 {
			t.Errorf("enterprise A: %+v", ent)
		}
		// The page shows the API's figures.
		page := e.Browser(assocA).Get(fmt.Sprintf("/dashboards/towns/%d?year=2026", e.Regions["A"]))
		if page.StatusCode != 200 || !strings.Contains(string(page.Body), `id="fig-enterprises">1<`) || !strings.Contains(string(page.Body), "企业A") {
			t.Errorf("town page: %d", page.StatusCode)
		}
		// Bad years.
		for _, y := range []string{"1999", "2027", "abc"} {
			if r := e.API(admin, "GET", "/api/v1/dashboards/county?year="+y, nil); r.StatusCode != 422 {
				t.Errorf("year %s: %d", y, r.StatusCode)
			}
		}
		// Who sees which.
		townA, townB := fmt.Sprintf("/api/v1/dashboards/towns/%d", e.Regions["A"]), fmt.Sprintf("/api/v1/dashboards/towns/%d", e.Regions["B"])
		entPath := fmt.Sprintf("/api/v1/dashboards/enterprises/%d", e.Ents["A"])
		cases := []struct {
			path string
			want expect
		}{
			{"/api/v1/dashboards/county", adminOnly(200)},
			{"/api/v1/dashboards/county/export.xlsx", adminOnly(200)},
			{townA, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 404}, 403}},
			{townB + "/export.xlsx", expect{map[who]int{guest: 401, admin: 200, assocA: 404, assocB: 200}, 403}},
			{entPath, expect{map[who]int{guest: 401, admin: 200, assocA: 200, entA: 200}, 404}},
			{entPath + "/export.xlsx", expect{map[who]int{guest: 401, admin: 200, assocA: 200, entA: 200}, 404}},
		}
		for _, c := range cases {
			for _, w := range apptest.Everyone {
				if r := e.API(w, "GET", c.path, nil); r.StatusCode != c.want.status(w) {
					t.Errorf("GET %s as %s: %d, want %d", c.path, w, r.StatusCode, c.want.status(w))
				}
			}
		}
		// The web answers alike.
		webPaths := map[string]string{"/api/v1/dashboards/county": "/dashboards", townA: strings.TrimPrefix(townA, "/api/v1"),
			townB: strings.TrimPrefix(townB, "/api/v1"), entPath: strings.TrimPrefix(entPath, "/api/v1"),
			entPath + "/export.xlsx": strings.TrimPrefix(entPath, "/api/v1") + "/export.xlsx", "/api/v1/dashboards/county/export.xlsx": "/dashboards/export.xlsx"}
		for _, w := range apptest.Everyone[1:] {
			b := e.Browser(w)
			for api, web := range webPaths {
				a, wb := e.API(w, "GET", api, nil).StatusCode, b.Get(web).StatusCode
				if web == "/dashboards" && w != admin {
					continue // the web sends other roles on to their own
				}
				if a != wb {
					t.Errorf("%s as %s: API %d, web %d", web, w, a, wb)
				}
			}
		}
		// Each role's /dashboards is its own.
		for w, want := range map[who]string{assocA: fmt.Sprintf("/dashboards/towns/%d", e.Regions["A"]), entA: fmt.Sprintf("/dashboards/enterprises/%d", e.Ents["A"])} {
			r := e.Browser(w).Get("/dashboards")
			if r.StatusCode != 303 || r.Header.Get("Location") != want {
				t.Errorf("/dashboards as %s: %d %s", w, r.StatusCode, r.Header.Get("Location"))
			}
		}
		if r := e.Browser(admin).Get("/dashboards?display=1"); r.StatusCode != 200 || r.Header.Get("Refresh") == "" || !strings.Contains(string(r.Body), `class="signed-in screen"`) {
			t.Errorf("display mode: %d %q", r.StatusCode, r.Header.Get("Refresh"))
		}
	})
}

// TestTownFiguresKeptByWrites (issue 15, item 6): a town's figures move
// in the transaction of the write that changes them, with no recount in
// between; figures of the day (overdue tasks) move with the clock alone;
// parallel writes racing a full recount leave the figures equal to a
// recount (checked when every test's store closes).
func TestTownFiguresKeptByWrites(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		townPath := fmt.Sprintf("/api/v1/dashboards/towns/%d?year=2026", e.Regions["A"])
		town := func() model.Figures {
			t.Helper()
			return decodeAs[model.Dashboard](t, e.API(admin, "GET", townPath, nil), 200).Figures
		}
		before := town()
		ce := newCourseEnv(t, e) // four managers at A, none with hours
		now := town()
		if now.Managers != before.Managers+4 || now.Behind != before.Behind+4 || now.Required != before.Required+4*model.DefaultTrainingSettings().RequiredHours {
			t.Errorf("four managers added: %+v, before %+v", now, before)
		}
		// A settings change moves every manager's standing.
		if r := e.API(admin, "PUT", "/api/v1/settings/training", map[string]any{"required_hours": 20, "waitlist_mode": "auto",
			"offer_hours": 12, "late_minutes": 15, "quiz_credit": true}); r.StatusCode != 200 {
			t.Fatalf("training settings: %d %s", r.StatusCode, r.Body)
		}
		if got := town(); got.Required != float64(got.Managers)*20 {
			t.Errorf("required after the requirement fell to 20: %+v", got)
		}
		// A class and a booking count at once.
		k := ce.class(t, 10, 4, e.Clock.Now().Add(72*time.Hour))
		if r, _ := ce.book(t, entA, k.ID, ce.mA[0]); r.StatusCode != 201 {
			t.Fatalf("book: %d %s", r.StatusCode, r.Body)
		}
		got := town()
		if got.Classes != now.Classes+1 || got.Seats != now.Seats+10 || got.Booked != now.Booked+1 {
			t.Errorf("a class of 10 and a booking: %+v, before %+v", got, now)
		}
		// A self-inspection with a problem: done, a task open, a colour.
		var c model.Checklist
		e.API(admin, "POST", "/api/v1/checklists", map[string]any{"title": "自查表", "sections": []map[string]any{{"title": "A", "items": []map[string]any{
			{"code": "A1", "point": "危废贮存", "severity": "critical", "weight": 5}}}}}).JSON(t, &c)
		e.API(admin, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil)
		var in model.Inspection
		e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", e.Ents["A"]), map[string]any{"checklist_id": c.ID, "kind": "self"}).JSON(t, &in)
		e.API(entA, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A1", in.ID), map[string]any{"result": "problem", "note": "危废混放"})
		decodeAs[model.Inspection](t, e.API(entA, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", in.ID), nil), 200)
		after := town()
		if after.InspectionsDone != got.InspectionsDone+1 || after.TasksOpen != got.TasksOpen+1 || after.TasksOverdue != 0 ||
			after.Unassessed != got.Unassessed-1 || after.Green+after.Yellow+after.Red != got.Green+got.Yellow+got.Red+1 {
			t.Errorf("a self-inspection with a problem: %+v, before %+v", after, got)
		}
		// Four days on, nobody writing, the critical task (three days) is overdue.
		e.Clock.Advance(4 * 24 * time.Hour)
		if late := town(); late.TasksOverdue != 1 || late.TasksOpen != after.TasksOpen {
			t.Errorf("four days later: overdue %d, open %d", late.TasksOverdue, late.TasksOpen)
		}
		// Bookings in parallel while the towns' figures are counted again
		// from the rows: no booking is counted twice or lost.
		k2 := ce.class(t, 4, 4, e.Clock.Now().Add(72*time.Hour))
		done := make(chan int, 5)
		for i, m := range append(append([]int64{}, ce.mA...), ce.mB) {
			go func() {
				w := entA
				if i == 4 {
					w = entB
				}
				r, _ := ce.book(t, w, k2.ID, m)
				done <- r.StatusCode
			}()
		}
		recount := make(chan error, 1)
		go func() { recount <- e.Store.RefreshRegionStats(t.Context(), true) }()
		for range 5 {
			if s := <-done; s != 201 {
				t.Errorf("parallel booking: %d", s)
			}
		}
		if err := <-recount; err != nil {
			t.Fatal(err)
		}
		if drift, err := e.Store.SummaryDrift(t.Context()); err != nil || len(drift) > 0 {
			t.Errorf("after parallel bookings and a recount: %v %v", drift, err)
		}
	})
}
