package api_test

import (
	"fmt"
	"strings"
	"testing"

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
