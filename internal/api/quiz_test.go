package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestQuizzes (issue 11, item 5): a notice carries a short quiz whose
// questions cite articles; managers answer it once through their
// enterprise's account before it closes; the right answers stay with the
// publisher; results by town, an association its own; a passed quiz counts
// its hours only while the bureau credits quizzes.
func TestQuizzes(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		l, err := e.Store.CreateLaw(ctx, sys, model.LawInput{Title: "排污许可管理条例", Kind: "administrative_regulation", EffectiveOn: "2021-03-01"})
		must(t, err)
		_, _, err = e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "2021", EffectiveOn: "2021-03-01", Text: "第一条　一。\n第二条　二。"})
		must(t, err)
		x, err := e.Store.PublishAnnouncement(ctx, model.Actor{User: e.Users[admin]}, model.AnnouncementInput{Title: "执行报告", Body: "请阅读并作答。",
			Audience: model.Audience{Roles: []model.Role{model.RoleEnterprise}}})
		must(t, err)
		m1, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
		must(t, err)
		m2, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "李娜", Mobile: "13900002222"})
		must(t, err)
		mB, err := e.Store.CreateManager(ctx, sys, e.Ents["B"], model.Manager{Name: "王强", Mobile: "13900003333"})
		must(t, err)
		cite := map[string]any{"law_id": l.ID, "article": "2"}
		quiz := func(cite any, closes time.Time, answer []int) map[string]any {
			return map[string]any{"title": "执行报告小测", "closes_at": closes, "credit_hours": 2, "questions": []map[string]any{
				{"text": "年度执行报告何时提交？", "options": []string{"1月15日前", "3月31日前", "6月30日前"}, "answer": answer, "cite": cite},
				{"text": "执行报告包括哪些？", "options": []string{"年报", "日报", "季报", "周报"}, "answer": []int{0, 2}, "cite": cite},
			}}
		}
		week := e.Clock.Now().Add(7 * 24 * time.Hour)
		path := fmt.Sprintf("/api/v1/announcements/%d/quiz", x.ID)
		for name, c := range map[string]struct {
			body  map[string]any
			field string
		}{
			"an article not held": {quiz(map[string]any{"law_id": l.ID, "article": "9"}, week, []int{0}), "questions.0.cite"},
			"closing in the past": {quiz(cite, e.Clock.Now().Add(-time.Hour), []int{0}), "closes_at"},
			"no such option":      {quiz(cite, week, []int{5}), "questions.0.answer"},
		} {
			if r := e.API(admin, "POST", path, c.body); r.StatusCode != 422 || errorFields(t, r)[c.field] == "" {
				t.Errorf("%s: %d %s", name, r.StatusCode, r.Body)
			}
		}
		for w, want := range map[who]int{entA: 403, assocA: 403, guest: 401} {
			if r := e.API(w, "POST", path, quiz(cite, week, []int{0})); r.StatusCode != want {
				t.Errorf("%s adds the bureau's quiz: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r := e.API(admin, "POST", path, quiz(cite, week, []int{0})); r.StatusCode != 201 {
			t.Fatalf("add: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(admin, "POST", path, quiz(cite, week, []int{0})); r.StatusCode != 409 {
			t.Errorf("a second quiz: %d", r.StatusCode)
		}
		if r := e.API(entA, "GET", path, nil); r.StatusCode != 200 || strings.Contains(string(r.Body), `"answer"`) {
			t.Errorf("the enterprise sees the answers: %s", r.Body)
		}
		answer := func(w who, m int64, ans [][]int) *apptest.Response {
			return e.API(w, "POST", path+"/answers", map[string]any{"manager_id": m, "answers": ans})
		}
		if r := answer(entA, mB.ID, [][]int{{0}, {0, 2}}); r.StatusCode != 422 || errorFields(t, r)["manager_id"] == "" {
			t.Errorf("another enterprise's manager: %d %s", r.StatusCode, r.Body)
		}
		if r := answer(entA, m1.ID, [][]int{{0}}); r.StatusCode != 422 {
			t.Errorf("a question unanswered: %d", r.StatusCode)
		}
		var at model.Attempt
		r := answer(entA, m1.ID, [][]int{{0}, {2, 0}})
		r.JSON(t, &at)
		if r.StatusCode != 201 || at.Right != 2 || !at.Passed || at.CreditHours != 0 {
			t.Fatalf("answer: %d %s", r.StatusCode, r.Body)
		}
		if r := answer(entA, m1.ID, [][]int{{0}, {0, 2}}); r.StatusCode != 409 {
			t.Errorf("answered twice: %d", r.StatusCode)
		}
		// Credited quizzes count in the year's hours.
		if r := e.API(admin, "PUT", "/api/v1/settings/training", map[string]any{"required_hours": 12, "waitlist_mode": "auto", "offer_hours": 24,
			"late_minutes": 15, "quiz_credit": true}); r.StatusCode != 200 {
			t.Fatalf("settings: %d %s", r.StatusCode, r.Body)
		}
		answer(entA, m2.ID, [][]int{{0}, {0, 2}}).JSON(t, &at)
		if at.CreditHours != 2 {
			t.Errorf("credited: %+v", at)
		}
		var hist struct {
			Progress model.CreditProgress
			Items    []model.CreditRecord `json:"history"`
		}
		e.API(entA, "GET", fmt.Sprintf("/api/v1/managers/%d/credits", m2.ID), nil).JSON(t, &hist)
		if len(hist.Items) != 1 || hist.Items[0].Category != "quiz" || hist.Items[0].Hours != 2 {
			t.Errorf("credit history: %+v", hist)
		}
		answer(entB, mB.ID, [][]int{{1}, {0}})
		var res struct{ Items []model.TownResult }
		e.API(admin, "GET", path+"/results", nil).JSON(t, &res)
		if len(res.Items) != 2 || res.Items[0].Attempts != 2 || res.Items[0].Passed != 2 || res.Items[1].Passed != 0 {
			t.Errorf("results: %+v", res.Items)
		}
		e.API(assocB, "GET", path+"/results", nil).JSON(t, &res)
		if len(res.Items) != 1 || res.Items[0].RegionName != "镇B" {
			t.Errorf("town B's results: %+v", res.Items)
		}
		if r := e.API(entA, "GET", path+"/results", nil); r.StatusCode != 403 {
			t.Errorf("an enterprise reads the results: %d", r.StatusCode)
		}
		// Closed.
		m3, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "赵敏", Mobile: "13900004444"})
		must(t, err)
		e.Clock.Advance(8 * 24 * time.Hour)
		renewTokens(t, e)
		if r := answer(entA, m3.ID, [][]int{{0}, {0, 2}}); r.StatusCode != 409 {
			t.Errorf("after closing: %d", r.StatusCode)
		}
	})
}
