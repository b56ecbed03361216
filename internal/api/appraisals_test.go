package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestAppraisal (issue 15, items 5 and 7): every active manager's year is
// scored by the rules, each point with its facts; the town's association
// confirms with a comment (an unqualified manager gets a plan and the
// enterprise is told); recomputing after the rules change moves drafts
// only; the bureau publishes, and then the enterprise sees its manager's
// sheet; the grades reach the dashboards.
func TestAppraisal(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, sys := t.Context(), model.SystemActor()
		ma, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张三", Mobile: "13800000001"})
		must(t, err)
		mb, err := e.Store.CreateManager(ctx, sys, e.Ents["B"], model.Manager{Name: "李四", Mobile: "13800000002"})
		must(t, err)
		course, err := e.Store.SaveCourse(ctx, sys, &model.Course{Title: "碳排放权交易管理", Category: "carbon", CreditHours: 3, Description: "课程", Status: model.CoursePublished})
		must(t, err)
		compute := func(w who, region int64) *apptest.Response {
			return e.API(w, "POST", "/api/v1/appraisals/compute", map[string]any{"year": 2026, "region_id": region})
		}
		if got := decodeAs[map[string]int](t, compute(admin, 0), 200); got["drafts"] != 2 {
			t.Fatalf("computed: %v", got)
		}
		sheet := func(w who, m int64) *apptest.Response {
			return e.API(w, "GET", fmt.Sprintf("/api/v1/managers/%d/appraisals/2026", m), nil)
		}
		a := decodeAs[model.Appraisal](t, sheet(assocA, ma.ID), 200)
		// No hours (0 of 40), nothing booked, due or flagged (10 + 20 + 20),
		// no quiz (0): 50, unqualified.
		if a.Score != 50 || a.Grade != model.GradeUnqualified || a.Status != model.AppraisalDraft || len(a.Points) != 6 {
			t.Fatalf("appraisal: %+v", a)
		}
		if p := a.Points[0]; p.Rule != "hours" || p.Points != 0 || p.Facts != "0 / 12 h" {
			t.Errorf("hours point: %+v", p)
		}
		// Who may see and do what.
		for w, st := range map[who]int{admin: 200, assocA: 200, assocB: 404, entA: 404, entB: 404, lecturer: 404, provider: 404, guest: 401} {
			if r := sheet(w, ma.ID); r.StatusCode != st {
				t.Errorf("%s reads a draft: %d, want %d", w, r.StatusCode, st)
			}
		}
		for w, st := range map[who]int{assocB: 404, entA: 403, lecturer: 403, guest: 401} {
			if r := compute(w, e.Regions["A"]); r.StatusCode != st {
				t.Errorf("%s computes town A: %d, want %d", w, r.StatusCode, st)
			}
		}
		confirm := func(w who, m int64, comment string) *apptest.Response {
			return e.API(w, "POST", fmt.Sprintf("/api/v1/managers/%d/appraisals/2026/confirm", m), map[string]any{"comment": comment})
		}
		for w, st := range map[who]int{assocB: 404, entA: 403, provider: 403} {
			if r := confirm(w, ma.ID, "x"); r.StatusCode != st {
				t.Errorf("%s confirms A's manager: %d, want %d", w, r.StatusCode, st)
			}
		}
		if r := confirm(assocA, ma.ID, strings.Repeat("长", 501)); r.StatusCode != 422 {
			t.Errorf("a long comment: %d", r.StatusCode)
		}
		c := decodeAs[model.Appraisal](t, confirm(assocA, ma.ID, "全年未参加培训，请按计划参训。"), 200)
		if c.Status != model.AppraisalConfirmed || c.Comment == "" || len(c.Plan) != 1 || c.Plan[0].CourseID != course.ID || c.ConfirmedBy == "" {
			t.Errorf("confirmed: %+v", c)
		}
		if r := confirm(admin, ma.ID, "again"); r.StatusCode != 409 {
			t.Errorf("a second confirmation: %d", r.StatusCode)
		}
		notes := decodeAs[model.List[model.Notification]](t, e.API(entA, "GET", "/api/v1/notifications", nil), 200)
		told := false
		for _, n := range notes.Items {
			told = told || n.Kind == "appraisal_unqualified"
		}
		if !told {
			t.Errorf("the enterprise was not told: %+v", notes.Items)
		}
		// New rules: drafts move, the confirmed grade stays.
		rules := model.DefaultAppraisalRules()
		rules.Qualified, rules.Improve = 45, 30
		if r := e.API(assocA, "PUT", "/api/v1/settings/appraisal", rules); r.StatusCode != 403 {
			t.Errorf("the association sets the rules: %d", r.StatusCode)
		}
		bad := rules
		bad.Qualified = 95
		if r := e.API(admin, "PUT", "/api/v1/settings/appraisal", bad); r.StatusCode != 422 {
			t.Errorf("thresholds out of order: %d", r.StatusCode)
		}
		decodeAs[model.AppraisalRules](t, e.API(admin, "PUT", "/api/v1/settings/appraisal", rules), 200)
		decodeAs[map[string]int](t, compute(admin, 0), 200)
		if b := decodeAs[model.Appraisal](t, sheet(admin, mb.ID), 200); b.Grade != model.GradeQualified || b.Status != model.AppraisalDraft {
			t.Errorf("B after the new rules: %+v", b)
		}
		if a := decodeAs[model.Appraisal](t, sheet(admin, ma.ID), 200); a.Grade != model.GradeUnqualified || a.Status != model.AppraisalConfirmed {
			t.Errorf("A after the new rules: %+v", a)
		}
		// Publication: confirmed grades only; then the enterprise sees.
		if r := e.API(assocA, "POST", "/api/v1/appraisals/publish", map[string]any{"year": 2026}); r.StatusCode != 403 {
			t.Errorf("the association publishes: %d", r.StatusCode)
		}
		if got := decodeAs[map[string]int](t, e.API(admin, "POST", "/api/v1/appraisals/publish", map[string]any{"year": 2026}), 200); got["published"] != 1 {
			t.Errorf("published: %v", got)
		}
		if r := sheet(entA, ma.ID); r.StatusCode != 200 {
			t.Errorf("the enterprise reads its manager's published sheet: %d", r.StatusCode)
		}
		if r := sheet(entB, mb.ID); r.StatusCode != 404 {
			t.Errorf("the enterprise reads a draft: %d", r.StatusCode)
		}
		list := decodeAs[model.List[model.Appraisal]](t, e.API(assocA, "GET", "/api/v1/appraisals?year=2026", nil), 200)
		if len(list.Items) != 1 || list.Items[0].ManagerID != ma.ID {
			t.Errorf("town A's list: %+v", list.Items)
		}
		if l := decodeAs[model.List[model.Appraisal]](t, e.API(admin, "GET", "/api/v1/appraisals?year=2026&grade=qualified", nil), 200); len(l.Items) != 1 {
			t.Errorf("the county's qualified: %+v", l.Items)
		}
		for w, st := range map[who]int{lecturer: 403, provider: 403, guest: 401} {
			if r := e.API(w, "GET", "/api/v1/appraisals", nil); r.StatusCode != st {
				t.Errorf("%s lists appraisals: %d, want %d", w, r.StatusCode, st)
			}
		}
		if r := e.API(admin, "GET", "/api/v1/appraisals?grade=best", nil); r.StatusCode != 422 {
			t.Errorf("an unknown grade: %d", r.StatusCode)
		}
		// The grades reach the dashboards.
		county := decodeAs[model.Dashboard](t, e.API(admin, "GET", "/api/v1/dashboards/county", nil), 200)
		if county.Figures.Grades.Unqualified != 1 {
			t.Errorf("county grades: %+v", county.Figures.Grades)
		}
		// The web: the sheet prints, the staff confirm, the list shows.
		page := e.Browser(entA).Get(fmt.Sprintf("/appraisals/%d/2026", ma.ID))
		if page.StatusCode != 200 || !strings.Contains(string(page.Body), "不合格") || !strings.Contains(string(page.Body), "碳排放权交易管理") {
			t.Errorf("the sheet: %d", page.StatusCode)
		}
		if r := e.Browser(assocB).Post(fmt.Sprintf("/appraisals/%d/2026/confirm", mb.ID), map[string][]string{"comment": {"良好"}}); r.StatusCode != 303 {
			t.Errorf("the association confirms on the web: %d", r.StatusCode)
		}
		if r := e.Browser(admin).Get("/appraisals?year=2026"); r.StatusCode != 200 || !strings.Contains(string(r.Body), "李四") {
			t.Errorf("the list page: %d", r.StatusCode)
		}
		if r := e.Browser(lecturer).Get("/appraisals"); r.StatusCode != 403 {
			t.Errorf("the lecturer's list page: %d", r.StatusCode)
		}
	})
}

// TestAppraisalRoutesAnswerAlikeOnBothFaces: each appraisal action the
// web offers answers every logged-in role as the API does; the rules are
// the staff's to read and the bureau's to set.
func TestAppraisalRoutesAnswerAlikeOnBothFaces(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx, sys := t.Context(), model.SystemActor()
		var ms []int64
		for i := range 20 {
			m, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: fmt.Sprintf("管理员%d", i), Mobile: fmt.Sprintf("138000001%02d", i)})
			must(t, err)
			ms = append(ms, m.ID)
		}
		if _, err := e.Store.ComputeAppraisals(ctx, sys, 2026, 0); err != nil {
			t.Fatal(err)
		}
		next := 0
		draft := func() int64 { next++; return ms[next] }
		class := func(code int, web bool) string {
			if code >= 200 && code < 300 || web && code == 303 {
				return "ok"
			}
			return fmt.Sprint(code)
		}
		rules := model.DefaultAppraisalRules()
		cases := []struct {
			name string
			api  func(w apptest.Who) int
			web  func(b *apptest.Browser) int
		}{
			{"list", func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/appraisals?year=2026", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/appraisals?year=2026").StatusCode }},
			{"compute", func(w apptest.Who) int {
				return e.API(w, "POST", "/api/v1/appraisals/compute", map[string]any{"year": 2026}).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post("/appraisals/compute", map[string][]string{"year": {"2026"}}).StatusCode
			}},
			{"read a sheet", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/managers/%d/appraisals/2026", ms[0]), nil).StatusCode
			},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/appraisals/%d/2026", ms[0])).StatusCode }},
			{"confirm", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/managers/%d/appraisals/2026/confirm", draft()), map[string]any{"comment": "好"}).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/appraisals/%d/2026/confirm", draft()), map[string][]string{"comment": {"好"}}).StatusCode
			}},
			{"set the rules", func(w apptest.Who) int { return e.API(w, "PUT", "/api/v1/settings/appraisal", rules).StatusCode },
				func(b *apptest.Browser) int {
					return b.Post("/appraisals/rules", map[string][]string{"hours": {"40"}, "attendance": {"10"}, "inspections": {"20"}, "tasks": {"20"},
						"quizzes": {"10"}, "honesty_flag": {"10"}, "excellent": {"90"}, "qualified": {"75"}, "improve": {"60"}}).StatusCode
				}},
			{"publish", func(w apptest.Who) int {
				return e.API(w, "POST", "/api/v1/appraisals/publish", map[string]any{"year": 2026}).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post("/appraisals/publish", map[string][]string{"year": {"2026"}}).StatusCode
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
		want := expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 200}, 403}
		for _, w := range apptest.Everyone {
			if r := e.API(w, "GET", "/api/v1/settings/appraisal", nil); r.StatusCode != want.status(w) {
				t.Errorf("the rules as %s: %d, want %d", w, r.StatusCode, want.status(w))
			}
		}
	})
}
