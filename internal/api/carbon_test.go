package api_test

import (
	"bytes"
	"fmt"
	"math"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// near reports whether two tonnages agree to a gram.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// shippedFactor finds the shipped grid factor of a year and coverage.
func shippedFactor(t *testing.T, e *apptest.Env, value float64) model.Factor {
	t.Helper()
	l := decodeAs[model.List[model.Factor]](t, e.API(entA, "GET", "/api/v1/factors?kind=electricity", nil), 200)
	for _, f := range l.Items {
		if f.Value == value {
			return f
		}
	}
	t.Fatalf("no shipped factor %v among %+v", value, l.Items)
	return model.Factor{}
}

// TestCarbonAccounting (issue 15, items 1–3 and 7): the shipped grid
// factors are REFERENCE.md's; the bureau enters a fuel's parameters with
// their table; an enterprise enters months of electricity, gas and process
// emissions and gets scope 1 and 2 with every line's formula, per month
// and for the year against last year; a factor corrected after a report
// used it leaves the report alone until the enterprise recomputes; the
// sums the dashboards read equal a recount.
func TestCarbonAccounting(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		// 1. The shipped factors, exactly as REFERENCE.md gives them.
		all := decodeAs[model.List[model.Factor]](t, e.API(entA, "GET", "/api/v1/factors", nil), 200)
		want := map[float64]int{0.5568: 2021, 0.5366: 2022, 0.5856: 2022, 0.8325: 2022, 0.5617: 2022, 0.5703: 2022}
		got := map[float64]int{}
		for _, f := range all.Items {
			if f.Kind == model.FactorFuel {
				t.Errorf("a fuel parameter shipped without a verified table: %+v", f)
			}
			if f.Source == "" {
				t.Errorf("factor %d has no source", f.ID)
			}
			got[f.Value] = f.Year
		}
		for v, y := range want {
			if got[v] != y {
				t.Errorf("shipped factor %v of %d missing: %v", v, y, got)
			}
		}
		ets := shippedFactor(t, e, 0.5703)
		if ets.Unit != model.UnitTPerMWh || !strings.Contains(ets.Source, "发电行业") {
			t.Errorf("ETS factor: %+v", ets)
		}
		// The bureau adds a fuel's parameters; nobody else may.
		gasIn := map[string]any{"kind": "fuel", "name": "天然气（测试参数）", "year": 2025, "unit": "万Nm3", "ncv": 389.31, "carbon_content": 0.0153,
			"oxidation": 0.99, "source": "测试用参数表 表1"}
		for _, w := range []who{entA, assocA, provider} {
			if r := e.API(w, "POST", "/api/v1/factors", gasIn); r.StatusCode != 403 {
				t.Errorf("%s adds a factor: %d", w, r.StatusCode)
			}
		}
		gas := decodeAs[model.Factor](t, e.API(admin, "POST", "/api/v1/factors", gasIn), 201)
		if !near(gas.PerUnit(), 389.31*0.0153*0.99*44/12) {
			t.Errorf("gas per unit %v", gas.PerUnit())
		}
		// Bad factors: a kg slip, a unit of the wrong kind, no source.
		for _, bad := range []map[string]any{
			{"kind": "electricity", "name": "x", "year": 2022, "unit": "tCO2/MWh", "value": 570.3, "source": "s"},
			{"kind": "electricity", "name": "x", "year": 2022, "unit": "t", "value": 0.5, "source": "s"},
			{"kind": "fuel", "name": "x", "year": 2022, "unit": "t", "ncv": 20, "carbon_content": 0.03, "oxidation": 94, "source": "s"},
			{"kind": "heat", "name": "x", "year": 2022, "unit": "tCO2/GJ", "value": 0.11, "source": ""},
			{"kind": "heat", "name": "x", "year": 2999, "unit": "tCO2/GJ", "value": 0.11, "source": "s"},
		} {
			if r := e.API(admin, "POST", "/api/v1/factors", bad); r.StatusCode != 422 {
				t.Errorf("bad factor %v: %d %s", bad, r.StatusCode, r.Body)
			}
		}

		// 2. January and February of 2026 for enterprise A.
		ent := e.Ents["A"]
		path := func(m string) string { return fmt.Sprintf("/api/v1/enterprises/%d/activity/%s", ent, m) }
		out := 1200.0
		jan := map[string]any{"output_value": out, "lines": []map[string]any{
			{"source": "electricity_in", "factor_id": ets.ID, "amount": 100000, "unit": "kWh"},
			{"source": "electricity_out", "factor_id": ets.ID, "amount": 10, "unit": "MWh"},
			{"source": "fuel", "factor_id": gas.ID, "amount": 2, "unit": "万Nm3", "note": "锅炉"},
			{"source": "process", "amount": 5, "unit": "tCO2", "note": "石灰石分解"},
		}}
		a := decodeAs[model.Activity](t, e.API(entA, "PUT", path("2026-01"), jan), 200)
		wantS1 := 2*389.31*0.0153*0.99*44/12 + 5
		wantS2 := (100 - 10) * 0.5703
		if !near(a.Scope1, wantS1) || !near(a.Scope2, wantS2) || len(a.Lines) != 4 {
			t.Fatalf("January: %+v, want %v / %v", a, wantS1, wantS2)
		}
		if f := a.Lines[0].Formula; !strings.Contains(f, "100000 kWh = 100 MWh × 0.5703 tCO2/MWh = 57.03 tCO2") {
			t.Errorf("electricity formula %q", f)
		}
		if f := a.Lines[2].Formula; !strings.Contains(f, "389.31 GJ/万Nm3 × 0.0153 tC/GJ × 99% × 44/12") {
			t.Errorf("gas formula %q", f)
		}
		if a.Lines[1].TCO2 >= 0 {
			t.Errorf("exported electricity counts %v", a.Lines[1].TCO2)
		}
		feb := map[string]any{"lines": []map[string]any{{"source": "electricity_in", "factor_id": ets.ID, "amount": 12, "unit": "万kWh"}}}
		decodeAs[model.Activity](t, e.API(entA, "PUT", path("2026-02"), feb), 200)
		// Last year's December, for the comparison.
		decodeAs[model.Activity](t, e.API(entA, "PUT", path("2025-12"), feb), 200)

		// Bad input changes nothing.
		bad := []struct {
			name  string
			month string
			body  map[string]any
			field string
		}{
			{"negative", "2026-02", map[string]any{"lines": []map[string]any{{"source": "electricity_in", "factor_id": ets.ID, "amount": -5, "unit": "MWh"}}}, "lines.0.amount"},
			{"unit against the factor", "2026-02", map[string]any{"lines": []map[string]any{{"source": "fuel", "factor_id": gas.ID, "amount": 5, "unit": "t"}}}, "lines.0.unit"},
			{"factor of the wrong kind", "2026-02", map[string]any{"lines": []map[string]any{{"source": "fuel", "factor_id": ets.ID, "amount": 5, "unit": "MWh"}}}, "lines.0.factor_id"},
			{"absurd", "2026-02", map[string]any{"lines": []map[string]any{{"source": "electricity_in", "factor_id": ets.ID, "amount": 9e9, "unit": "kWh"}}}, "lines.0.amount"},
			{"process without a note", "2026-02", map[string]any{"lines": []map[string]any{{"source": "process", "amount": 3, "unit": "tCO2"}}}, "lines.0.note"},
			{"a future month", "2026-04", feb, "month"},
			{"no month", "2026-13", feb, "month"},
		}
		for _, c := range bad {
			r := e.API(entA, "PUT", path(c.month), c.body)
			if r.StatusCode != 422 {
				t.Errorf("%s: %d %s", c.name, r.StatusCode, r.Body)
				continue
			}
			if !strings.Contains(string(r.Body), `"`+c.field+`"`) {
				t.Errorf("%s: no %s in %s", c.name, c.field, r.Body)
			}
		}
		// An unusual amount is accepted once confirmed (not silently).
		big := map[string]any{"lines": []map[string]any{{"source": "electricity_in", "factor_id": ets.ID, "amount": 600000, "unit": "MWh"}}}
		r := e.API(entA, "PUT", path("2026-03"), big)
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "err.carbon.check_amount") && !strings.Contains(string(r.Body), "核对") {
			t.Errorf("unusual amount without confirm: %d %s", r.StatusCode, r.Body)
		}
		big["confirm"] = true
		decodeAs[model.Activity](t, e.API(entA, "PUT", path("2026-03"), big), 200)
		decodeAs[model.Activity](t, e.API(entA, "PUT", path("2026-03"), map[string]any{"lines": []map[string]any{}}), 200) // cleared

		// Only the enterprise enters; others in scope read.
		for w, st := range map[who]int{admin: 403, assocA: 403, assocB: 404, entB: 404, provider: 404, lecturer: 404} {
			if r := e.API(w, "PUT", path("2026-02"), feb); r.StatusCode != st {
				t.Errorf("%s enters A's month: %d, want %d", w, r.StatusCode, st)
			}
		}

		// The year: lines summed with their formula, months, last year.
		em := decodeAs[model.Emissions](t, e.API(assocA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2026", ent), nil), 200)
		wantS2 = wantS2 + 120*0.5703
		if !near(em.Scope1, model.Round(wantS1, 3)) || !near(em.Scope2, model.Round(wantS2, 3)) || len(em.Months) != 2 {
			t.Fatalf("year: %+v, want %v / %v", em, wantS1, wantS2)
		}
		if em.Intensity == nil || !near(*em.Intensity, model.Round((wantS1+(100-10)*0.5703)/out, 4)) {
			t.Errorf("intensity %v", em.Intensity)
		}
		if em.LastYear == nil || !near(em.LastYear.Total, model.Round(120*0.5703, 3)) || em.Change == nil {
			t.Errorf("last year %+v change %v", em.LastYear, em.Change)
		}
		var elec *model.EmissionLine
		for i := range em.Lines {
			if em.Lines[i].Source == "electricity_in" && em.Lines[i].Unit == "kWh" {
				elec = &em.Lines[i]
			}
		}
		if elec == nil || elec.FactorID == nil || *elec.FactorID != ets.ID || elec.Factor != ets.Name {
			t.Errorf("year lines %+v", em.Lines)
		}
		for w, st := range map[who]int{admin: 200, assocA: 200, entA: 200, assocB: 404, entB: 404, provider: 404, lecturer: 404, guest: 401} {
			if r := e.API(w, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2026", ent), nil); r.StatusCode != st {
				t.Errorf("%s reads A's emissions: %d, want %d", w, r.StatusCode, st)
			}
		}

		// A correction of a used factor is a new version; the report keeps
		// the old one until the enterprise recomputes.
		corr := map[string]any{"kind": "electricity", "name": ets.Name + "（更正）", "year": 2022, "unit": "tCO2/MWh", "value": 0.6, "source": ets.Source}
		nv := decodeAs[model.Factor](t, e.API(admin, "PUT", fmt.Sprintf("/api/v1/factors/%d", ets.ID), corr), 200)
		if nv.ID == ets.ID || nv.Value != 0.6 {
			t.Fatalf("correction: %+v", nv)
		}
		if r := e.API(admin, "PUT", fmt.Sprintf("/api/v1/factors/%d", ets.ID), corr); r.StatusCode != 409 {
			t.Errorf("correcting a superseded factor: %d", r.StatusCode)
		}
		same := decodeAs[model.Emissions](t, e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2026", ent), nil), 200)
		if !near(same.Scope2, em.Scope2) || same.Outdated == 0 {
			t.Errorf("the report changed with the factor: %v → %v, outdated %d", em.Scope2, same.Scope2, same.Outdated)
		}
		// A month may keep its old factor; a new month may not choose it.
		if r := e.API(entA, "PUT", path("2026-03"), feb); r.StatusCode != 422 {
			t.Errorf("a new month chose a superseded factor: %d", r.StatusCode)
		}
		decodeAs[model.Activity](t, e.API(entA, "PUT", path("2026-02"), feb), 200)
		if r := e.API(assocA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/emissions/2026/refactor", ent), nil); r.StatusCode != 403 {
			t.Errorf("the association recomputes: %d", r.StatusCode)
		}
		re := decodeAs[model.Emissions](t, e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/emissions/2026/refactor", ent), nil), 200)
		if !near(re.Scope2, model.Round((100-10+120)*0.6, 3)) || re.Outdated != 0 {
			t.Errorf("recomputed: %+v", re)
		}
		// The old factor is still the one last year's report used.
		ly := decodeAs[model.Emissions](t, e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2025", ent), nil), 200)
		if !near(ly.Scope2, model.Round(120*0.5703, 3)) {
			t.Errorf("last year changed: %+v", ly)
		}

		// 3. A deal names the emissions it cut (covered with the deals);
		// the year above 1,000 t recommends the carbon classes.
		if re.RecommendClasses {
			t.Errorf("recommended below the threshold: %v t", re.Total)
		}
		decodeAs[model.Activity](t, e.API(entA, "PUT", path("2026-03"), map[string]any{"confirm": true, "lines": []map[string]any{
			{"source": "electricity_in", "factor_id": nv.ID, "amount": 2000, "unit": "MWh"}}}), 200)
		if em := decodeAs[model.Emissions](t, e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions", ent), nil), 200); !em.RecommendClasses {
			t.Errorf("not recommended at %v t", em.Total)
		}

		// The dashboards' sums equal a recount of the lines.
		if drift, err := e.Store.SummaryDrift(t.Context()); err != nil || len(drift) > 0 {
			t.Errorf("summaries drift from a recount: %v %v", drift, err)
		}
	})
}

// TestCarbonWorkbook: the year exports in the bureau's layout and the
// same workbook imports back, all or none; a workbook in another layout
// is refused as a whole with what is missing.
func TestCarbonWorkbook(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ets := shippedFactor(t, e, 0.5703)
		ent := e.Ents["A"]
		path := func(m string) string { return fmt.Sprintf("/api/v1/enterprises/%d/activity/%s", ent, m) }
		for _, m := range []string{"2026-01", "2026-02"} {
			decodeAs[model.Activity](t, e.API(entA, "PUT", path(m), map[string]any{"output_value": 800, "lines": []map[string]any{
				{"source": "electricity_in", "factor_id": ets.ID, "amount": 50, "unit": "MWh"},
				{"source": "process", "amount": 1.5, "unit": "tCO2", "note": "脱硫"}}}), 200)
		}
		before := decodeAs[model.Emissions](t, e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2026", ent), nil), 200)
		r := e.API(assocA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions/2026/export.xlsx", ent), nil)
		if r.StatusCode != 200 {
			t.Fatalf("export: %d", r.StatusCode)
		}
		f, err := excelize.OpenReader(bytes.NewReader(r.Body))
		must(t, err)
		rows, err := f.GetRows("活动数据")
		must(t, err)
		if len(rows) != 5 || rows[0][0] != "月份" || rows[1][1] != "外购电力" {
			t.Fatalf("activity sheet: %v", rows)
		}
		// Edit the workbook as a user would: February's electricity doubles.
		must(t, f.SetCellValue("活动数据", "C4", 100))
		var buf bytes.Buffer
		must(t, f.Write(&buf))
		upload := func(w who, data []byte, confirm string) *apptest.Response {
			var body bytes.Buffer
			mw := multipart.NewWriter(&body)
			fw, _ := mw.CreateFormFile("file", "碳核算.xlsx")
			fw.Write(data)
			if confirm != "" {
				mw.WriteField("confirm", confirm)
			}
			mw.Close()
			req, _ := http.NewRequest("POST", e.HTTP.URL+fmt.Sprintf("/api/v1/enterprises/%d/emissions/import", ent), &body)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			req.Header.Set("Authorization", "Bearer "+e.Tokens[w])
			return e.Do(req)
		}
		if r := upload(assocA, buf.Bytes(), ""); r.StatusCode != 403 {
			t.Errorf("the association imports: %d", r.StatusCode)
		}
		if r := upload(entA, buf.Bytes(), ""); r.StatusCode != 200 {
			t.Fatalf("import: %d %s", r.StatusCode, r.Body)
		}
		after := decodeAs[model.Emissions](t, e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2026", ent), nil), 200)
		if !near(after.Scope2, model.Round(before.Scope2+50*0.5703, 3)) || !near(after.Scope1, before.Scope1) || after.OutputValue == nil || *after.OutputValue != 1600 {
			t.Errorf("after import: %+v (before %+v)", after, before)
		}
		// One bad row (a negative amount) imports nothing and names its row.
		must(t, f.SetCellValue("活动数据", "C2", -3))
		must(t, f.SetCellValue("活动数据", "C4", 70))
		buf.Reset()
		must(t, f.Write(&buf))
		r = upload(entA, buf.Bytes(), "")
		if r.StatusCode != 422 || !strings.Contains(string(r.Body), "rows.2.amount") {
			t.Errorf("bad row: %d %s", r.StatusCode, r.Body)
		}
		if again := decodeAs[model.Emissions](t, e.API(entA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2026", ent), nil), 200); !near(again.Scope2, after.Scope2) {
			t.Errorf("a refused import changed the year: %v → %v", after.Scope2, again.Scope2)
		}
		// Another layout: the roster template, a CSV, nothing.
		other := excelize.NewFile()
		other.SetSheetRow("Sheet1", "A1", &[]any{"统一社会信用代码", "企业名称"})
		buf.Reset()
		must(t, other.Write(&buf))
		for name, data := range map[string][]byte{"roster": buf.Bytes(), "csv": []byte("月份,排放源类别\n2026-01,外购电力\n")} {
			r := upload(entA, data, "")
			if r.StatusCode != 422 || !strings.Contains(string(r.Body), "活动数据") && !strings.Contains(string(r.Body), "xlsx") {
				t.Errorf("%s: %d %s", name, r.StatusCode, r.Body)
			}
		}
		if drift, err := e.Store.SummaryDrift(t.Context()); err != nil || len(drift) > 0 {
			t.Errorf("summaries drift from a recount: %v %v", drift, err)
		}
	})
}

// TestCarbonRoleMatrix: every carbon route answers every role as its
// permission says; an enterprise's months are its own accounts' to enter
// and its town's staff's and the bureau's to read; outside, 404.
func TestCarbonRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ets := shippedFactor(t, e, 0.5703)
		ent := e.Ents["A"]
		month := map[string]any{"lines": []map[string]any{{"source": "electricity_in", "factor_id": ets.ID, "amount": 5, "unit": "MWh"}}}
		decodeAs[model.Activity](t, e.API(entA, "PUT", fmt.Sprintf("/api/v1/enterprises/%d/activity/2026-01", ent), month), 200)
		fac := map[string]any{"kind": "heat", "name": "热力（测试）", "year": 2025, "unit": "tCO2/GJ", "value": 0.11, "source": "测试表"}
		read := expect{map[who]int{guest: 401, admin: 200, assocA: 200, entA: 200}, 404}
		own := expect{map[who]int{guest: 401, admin: 403, assocA: 403, entA: 200}, 404}
		cases := []struct {
			method, path string
			body         any
			want         expect
		}{
			{"GET", "/api/v1/factors", nil, anyUser(200)},
			{"POST", "/api/v1/factors", fac, adminOnly(201)},
			{"PUT", fmt.Sprintf("/api/v1/factors/%d", ets.ID), map[string]any{"kind": "electricity", "name": ets.Name, "year": 2022, "unit": "tCO2/MWh",
				"value": 0.5703, "source": ets.Source}, adminOnly(200)},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/activity/2026-01", ent), nil, read},
			{"PUT", fmt.Sprintf("/api/v1/enterprises/%d/activity/2026-02", ent), month, own},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2026", ent), nil, read},
			{"POST", fmt.Sprintf("/api/v1/enterprises/%d/emissions/2026/refactor", ent), nil, own},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions/2026/export.xlsx", ent), nil, read},
		}
		for _, c := range cases {
			for _, w := range apptest.Everyone {
				r := e.API(w, c.method, c.path, c.body)
				if want := c.want.status(w); r.StatusCode != want {
					t.Errorf("%s %s as %s: %d, want %d\n%s", c.method, c.path, w, r.StatusCode, want, truncate(r.Body))
				}
			}
		}
		for _, w := range apptest.Everyone {
			r := uploadFile(e, w, fmt.Sprintf("/api/v1/enterprises/%d/emissions/import", ent), "file", []byte("not a workbook"))
			want := own.with(entA, 422).status(w)
			if r.StatusCode != want {
				t.Errorf("import as %s: %d, want %d", w, r.StatusCode, want)
			}
		}
	})
}

// TestCarbonRoutesAnswerAlikeOnBothFaces: each carbon action the web
// offers answers every logged-in role as the API does.
func TestCarbonRoutesAnswerAlikeOnBothFaces(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ets := shippedFactor(t, e, 0.5703)
		ent := e.Ents["A"]
		class := func(code int, web bool) string {
			if code >= 200 && code < 300 || web && code == 303 {
				return "ok"
			}
			return fmt.Sprint(code)
		}
		n := 0
		facJSON := func() map[string]any {
			n++
			return map[string]any{"kind": "heat", "name": fmt.Sprintf("热力%d", n), "year": 2025, "unit": "tCO2/GJ", "value": 0.11, "source": "测试表"}
		}
		facForm := func() url.Values {
			n++
			return url.Values{"kind": {"heat"}, "name": {fmt.Sprintf("热力%d", n)}, "year": {"2025"}, "unit": {"tCO2/GJ"}, "value": {"0.11"}, "source": {"测试表"}}
		}
		monthJSON := map[string]any{"lines": []map[string]any{{"source": "electricity_in", "factor_id": ets.ID, "amount": 5, "unit": "MWh"}}}
		monthForm := url.Values{"src0": {"electricity_in"}, "fac0": {fmt.Sprint(ets.ID)}, "amt0": {"5"}, "unit0": {"MWh"}}
		cases := []struct {
			name string
			api  func(w apptest.Who) int
			web  func(b *apptest.Browser) int
		}{
			{"factors", func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/factors", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/factors").StatusCode }},
			{"add a factor", func(w apptest.Who) int { return e.API(w, "POST", "/api/v1/factors", facJSON()).StatusCode },
				func(b *apptest.Browser) int { return b.Post("/factors", facForm()).StatusCode }},
			{"read a month", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/enterprises/%d/activity/2026-01", ent), nil).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Get(fmt.Sprintf("/directory/enterprises/%d/carbon/2026-01", ent)).StatusCode
			}},
			{"enter a month", func(w apptest.Who) int {
				return e.API(w, "PUT", fmt.Sprintf("/api/v1/enterprises/%d/activity/2026-01", ent), monthJSON).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/directory/enterprises/%d/carbon/2026-01", ent), monthForm).StatusCode
			}},
			{"read the year", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions?year=2026", ent), nil).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Get(fmt.Sprintf("/directory/enterprises/%d/carbon?year=2026", ent)).StatusCode
			}},
			{"recompute", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/enterprises/%d/emissions/2026/refactor", ent), nil).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/directory/enterprises/%d/carbon/refactor", ent), url.Values{"year": {"2026"}}).StatusCode
			}},
			{"export", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/enterprises/%d/emissions/2026/export.xlsx", ent), nil).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Get(fmt.Sprintf("/directory/enterprises/%d/carbon/export.xlsx?year=2026", ent)).StatusCode
			}},
		}
		for _, w := range apptest.Everyone[1:] {
			b := e.Browser(w)
			for _, c := range cases {
				if a, wb := class(c.api(w), false), class(c.web(b), true); a != wb {
					t.Errorf("%s as %s: API %s, web %s", c.name, w, a, wb)
				}
			}
		}
	})
}
