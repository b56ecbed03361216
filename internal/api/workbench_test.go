package api_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestWorkbenchByRole: each role's home holds its own work and nothing
// outside its scope: the enterprise its managers' hours, coming bookings
// and dues; an association its town's figures only; the bureau every
// town's; a lecturer the classes it teaches, with the right to scan.
func TestWorkbenchByRole(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		k := ce.class(t, 10, 0, e.Clock.Now().Add(48*time.Hour))
		if r, _ := ce.book(t, entA, k.ID, ce.mA[0]); r.StatusCode != 201 {
			t.Fatalf("book: %d %s", r.StatusCode, r.Body)
		}
		attend(t, ce, ce.mB) // B's manager: 3 of the required hours
		get := func(w who) model.Workbench {
			t.Helper()
			var wb model.Workbench
			r := e.API(w, "GET", "/api/v1/workbench", nil)
			if r.StatusCode != 200 {
				t.Fatalf("%s: %d %s", w, r.StatusCode, r.Body)
			}
			r.JSON(t, &wb)
			return wb
		}
		if r := e.API(guest, "GET", "/api/v1/workbench", nil); r.StatusCode != 401 {
			t.Errorf("guest: %d", r.StatusCode)
		}

		ent := get(entA)
		if ent.Enterprise == nil || ent.Enterprise.ID != e.Ents["A"] || len(ent.Managers) != 4 || ent.Towns != nil {
			t.Fatalf("enterprise A's workbench: %+v", ent)
		}
		if len(ent.Bookings) != 1 || ent.Bookings[0].Class.ID != k.ID || ent.Bookings[0].ManagerID != ce.mA[0] {
			t.Errorf("enterprise A's coming bookings: %+v", ent.Bookings)
		}
		for _, m := range ent.Managers {
			if m.EnterpriseID != e.Ents["A"] {
				t.Errorf("A sees another enterprise's manager %+v", m)
			}
		}
		b := get(entB)
		if len(b.Bookings) != 0 || b.Managers[0].Hours != 3 {
			t.Errorf("enterprise B's workbench: %+v %+v", b.Bookings, b.Managers)
		}

		aA := get(assocA)
		if len(aA.Towns) != 1 || aA.Towns[0].RegionID != e.Regions["A"] || aA.Total.Managers != 4 || aA.Total.Behind != 4 {
			t.Errorf("association A's towns: %+v", aA.Towns)
		}
		if len(aA.Classes) != 1 || aA.Classes[0].ID != k.ID || aA.Enterprise != nil {
			t.Errorf("association A's classes: %+v", aA.Classes)
		}
		aB := get(assocB)
		if len(aB.Towns) != 1 || aB.Towns[0].RegionID != e.Regions["B"] || len(aB.Classes) != 0 {
			t.Errorf("association B's workbench: %+v %+v", aB.Towns, aB.Classes)
		}
		if aB.Towns[0].Managers != 1 || aB.Towns[0].Behind != 1 || aB.Towns[0].Hours != 3 {
			t.Errorf("town B's figures: %+v", aB.Towns[0])
		}

		ad := get(admin)
		if len(ad.Towns) < 2 || ad.Total.Managers != 5 {
			t.Errorf("the bureau's towns: %+v total %+v", ad.Towns, ad.Total)
		}
		lec := get(lecturer)
		if len(lec.Classes) != 1 || lec.Classes[0].ID != k.ID || lec.Classes[0].Can.CheckIn {
			t.Errorf("the lecturer's classes two days ahead: %+v", lec.Classes)
		}
		if p := get(provider); p.Towns != nil || p.Classes != nil || p.Enterprise != nil {
			t.Errorf("the provider's workbench: %+v", p)
		}
		// The charts' figures, in scope.
		stats := func(w who, q string) (model.Stats, int) {
			var st model.Stats
			r := e.API(w, "GET", "/api/v1/stats"+q, nil)
			if r.StatusCode == 200 {
				r.JSON(t, &st)
			}
			return st, r.StatusCode
		}
		for _, w := range []who{guest, entA, entB, lecturer, provider} {
			if _, code := stats(w, ""); code != map[bool]int{true: 401, false: 403}[w == guest] {
				t.Errorf("%s reads the stats: %d", w, code)
			}
		}
		sA, _ := stats(assocA, "?region_id="+fmt.Sprint(e.Regions["B"])) // an association keeps to its town
		if sA.RegionID != e.Regions["A"] || len(sA.Towns) != 1 || len(sA.Enterprises) != 1 || sA.Enterprises[0].Managers != 4 || len(sA.Classes) != 2 {
			t.Errorf("association A's stats: %+v", sA)
		}
		sB, _ := stats(assocB, "")
		if sB.RegionID != e.Regions["B"] || len(sB.Classes) != 0 || len(sB.Enterprises) != 1 || sB.Enterprises[0].Hours != 3 {
			t.Errorf("association B's stats: %+v", sB)
		}
		sAd, _ := stats(admin, "?region_id="+fmt.Sprint(e.Regions["B"]))
		if sAd.RegionID != e.Regions["B"] || len(sAd.Classes) != 2 || len(sAd.Towns) < 2 {
			t.Errorf("the bureau's stats for town B: %+v", sAd)
		}
		for _, c := range sAd.Classes {
			if c.Status == model.ClassCompleted && (c.Confirmed != 1 || c.Attended != 1) {
				t.Errorf("the completed class's attendance: %+v", c)
			}
		}
		if _, code := stats(admin, "?region_id=x"); code != 422 {
			t.Errorf("a bad region: %d", code)
		}
		// The figures follow the data once the sweep recomputes them.
		var m model.Manager
		e.API(admin, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["B"]), map[string]any{"name": "周七", "mobile": "13800000077"}).JSON(t, &m)
		e.Clock.Advance(6 * time.Minute)
		if err := e.Store.RefreshRegionStats(t.Context(), false); err != nil {
			t.Fatal(err)
		}
		if got := get(assocB).Towns[0].Managers; got != 2 {
			t.Errorf("after a new manager and a refresh: %d managers", got)
		}
		// At the start the lecturer's home offers the scan.
		e.Clock.Advance(k.StartsAt.Sub(e.Clock.Now()))
		if lec := get(lecturer); len(lec.Classes) != 1 || !lec.Classes[0].Can.CheckIn {
			t.Errorf("the lecturer's class at its start: %+v", lec.Classes)
		}
	})
}
