package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestLawRoleMatrix: every route of the law library and the notices
// answers every role as its permission says, on both databases: the
// library is public, only the bureau writes it; announcements are read by
// their recipients and the publishers in scope (404 to anyone else),
// published and followed up by the bureau and associations (403 to the
// rest).
func TestLawRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		l, err := e.Store.CreateLaw(ctx, sys, model.LawInput{Title: "排污许可管理条例", Kind: "administrative_regulation", EffectiveOn: "2021-03-01"})
		must(t, err)
		v1, _, err := e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "2021", EffectiveOn: "2021-03-01", Text: "第一条　一。\n第二条　二。"})
		must(t, err)
		v2, _, err := e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "2025", EffectiveOn: "2025-03-01", Text: "第一条　一一。\n第二条　二。"})
		must(t, err)
		bureau := model.Actor{User: e.Users[admin]}
		x, err := e.Store.PublishAnnouncement(ctx, bureau, model.AnnouncementInput{Title: "全县通知", Body: "正文", Audience: model.Audience{Roles: []model.Role{model.RoleEnterprise}}})
		must(t, err)
		y, err := e.Store.PublishAnnouncement(ctx, model.Actor{User: e.Users[assocA]}, model.AnnouncementInput{Title: "镇A通知", Body: "正文"})
		must(t, err)

		_, err = e.Store.AddQuiz(ctx, model.Actor{User: e.Users[assocA]}, y.ID, model.QuizInput{Title: "小测", ClosesAt: e.Clock.Now().Add(48 * time.Hour),
			Questions: []model.Question{{Text: "问", Options: []string{"甲", "乙"}, Answer: []int{0}, Cite: model.ArticleRef{LawID: l.ID, Key: "1"}}}})
		must(t, err)
		m, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
		must(t, err)
		all := expect{map[who]int{}, 200}
		staff := func(ok int) expect { return expect{map[who]int{guest: 401, admin: ok, assocA: ok, assocB: ok}, 403} }
		cases := []struct {
			method, path string
			body         any
			want         expect
		}{
			{"GET", "/api/v1/laws", nil, all},
			{"POST", "/api/v1/laws", map[string]any{"title": "新法", "kind": "law", "effective_on": "2026-01-01"}, adminOnly(201)},
			{"GET", fmt.Sprintf("/api/v1/laws/%d", l.ID), nil, all},
			{"POST", fmt.Sprintf("/api/v1/laws/%d/versions", l.ID), map[string]any{"label": "2026", "effective_on": "2026-01-01", "text": "第一条　x。"}, adminOnly(201)},
			{"GET", fmt.Sprintf("/api/v1/laws/%d/articles/1", l.ID), nil, all},
			{"GET", fmt.Sprintf("/api/v1/laws/%d/diff?from=%d&to=%d", l.ID, v1.ID, v2.ID), nil, all},
			{"GET", "/api/v1/search/laws?q=" + "一", nil, all},
			{"GET", "/api/v1/announcements", nil, anyUser(200)},
			{"POST", "/api/v1/announcements/preview", map[string]any{"audience": map[string]any{}}, staff(200)},
			{"POST", "/api/v1/announcements", map[string]any{"title": "t", "body": "b", "audience": map[string]any{}}, staff(201)},
			{"GET", fmt.Sprintf("/api/v1/announcements/%d", x.ID), nil,
				expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 200, entA: 200, entB: 200}, 404}},
			{"GET", fmt.Sprintf("/api/v1/announcements/%d", y.ID), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, entA: 200}, 404}},
			{"GET", fmt.Sprintf("/api/v1/announcements/%d/receipts", x.ID), nil, staff(200)},
			{"GET", fmt.Sprintf("/api/v1/announcements/%d/receipts", y.ID), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 404}, 403}},
			{"POST", fmt.Sprintf("/api/v1/announcements/%d/remind", y.ID), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 404}, 403}},
			{"GET", fmt.Sprintf("/api/v1/announcements/%d/quiz", y.ID), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, entA: 200}, 404}},
			{"POST", fmt.Sprintf("/api/v1/announcements/%d/quiz", x.ID), map[string]any{"title": "t", "closes_at": e.Clock.Now().Add(time.Hour),
				"questions": []map[string]any{{"text": "q", "options": []string{"a", "b"}, "answer": []int{0}, "cite": map[string]any{"law_id": l.ID, "article": "1"}}}},
				expect{map[who]int{guest: 401, admin: 201, assocA: 403, assocB: 403}, 403}},
			{"POST", fmt.Sprintf("/api/v1/announcements/%d/quiz/answers", y.ID), map[string]any{"manager_id": m.ID, "answers": [][]int{{0}}},
				expect{map[who]int{guest: 401, entA: 201, admin: 422, assocA: 422}, 404}},
			{"GET", fmt.Sprintf("/api/v1/announcements/%d/quiz/attempts", y.ID), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, entA: 200}, 404}},
			{"GET", fmt.Sprintf("/api/v1/announcements/%d/quiz/results", y.ID), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 404}, 403}},
		}
		for _, c := range cases {
			for _, w := range apptest.Everyone {
				r := e.API(w, c.method, c.path, c.body)
				if want := c.want.status(w); r.StatusCode != want {
					t.Errorf("%s %s as %s: %d, want %d\n%s", c.method, c.path, w, r.StatusCode, want, truncate(r.Body))
				}
				if r.StatusCode == 404 && strings.Contains(string(r.Body), "镇A通知") {
					t.Errorf("%s %s as %s: 404 carries data", c.method, c.path, w)
				}
			}
		}
	})
}

// TestLawRoutesAnswerAlikeOnBothFaces: each law-library and notice action
// the web offers answers every logged-in role as the API does.
func TestLawRoutesAnswerAlikeOnBothFaces(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		l, err := e.Store.CreateLaw(ctx, sys, model.LawInput{Title: "排污许可管理条例", Kind: "administrative_regulation", EffectiveOn: "2021-03-01"})
		must(t, err)
		y, err := e.Store.PublishAnnouncement(ctx, model.Actor{User: e.Users[assocA]}, model.AnnouncementInput{Title: "镇A通知", Body: "正文"})
		must(t, err)
		v1, _, err := e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "2021", EffectiveOn: "2021-03-01", Text: "第一条　一。"})
		must(t, err)
		v2, _, err := e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "2025", EffectiveOn: "2025-03-01", Text: "第一条　一一。"})
		must(t, err)
		question := []model.Question{{Text: "问", Options: []string{"甲", "乙"}, Answer: []int{0}, Cite: model.ArticleRef{LawID: l.ID, Key: "1"}}}
		_, err = e.Store.AddQuiz(ctx, model.Actor{User: e.Users[assocA]}, y.ID, model.QuizInput{Title: "小测", ClosesAt: e.Clock.Now().Add(48 * time.Hour), Questions: question})
		must(t, err)
		bureau := model.Actor{User: e.Users[admin]}
		noQuiz := func() int64 {
			x, err := e.Store.PublishAnnouncement(ctx, bureau, model.AnnouncementInput{Title: "全县通知", Body: "正文"})
			must(t, err)
			return x.ID
		}
		quizAPI, quizWeb := noQuiz(), noQuiz()
		mAPI, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
		must(t, err)
		mWeb, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "李娜", Mobile: "13900002222"})
		must(t, err)
		class := func(code int, web bool) string {
			if code >= 200 && code < 300 || web && code == 303 {
				return "ok"
			}
			return fmt.Sprint(code)
		}
		n := 0
		cases := []struct {
			name string
			api  func(w apptest.Who) int
			web  func(b *apptest.Browser) int
		}{
			{"add a law",
				func(w apptest.Who) int {
					return e.API(w, "POST", "/api/v1/laws", map[string]any{"title": "新法", "kind": "law", "effective_on": "2026-01-01"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/laws", url.Values{"title": {"新法"}, "kind": {"law"}, "effective_on": {"2026-01-01"}}).StatusCode
				}},
			{"add a version",
				func(w apptest.Who) int {
					n++
					return e.API(w, "POST", fmt.Sprintf("/api/v1/laws/%d/versions", l.ID), map[string]any{"label": fmt.Sprintf("api-%d", n),
						"effective_on": "2021-03-01", "text": "第一条　一。"}).StatusCode
				},
				func(b *apptest.Browser) int {
					n++
					return b.Post(fmt.Sprintf("/laws/%d/versions/text", l.ID), url.Values{"label": {fmt.Sprintf("web-%d", n)},
						"effective_on": {"2021-03-01"}, "text": {"第一条　一。"}}).StatusCode
				}},
			{"read a law, an article and a comparison",
				func(w apptest.Who) int {
					return max(e.API(w, "GET", fmt.Sprintf("/api/v1/laws/%d", l.ID), nil).StatusCode,
						e.API(w, "GET", fmt.Sprintf("/api/v1/laws/%d/articles/1", l.ID), nil).StatusCode,
						e.API(w, "GET", fmt.Sprintf("/api/v1/laws/%d/diff?from=%d&to=%d", l.ID, v1.ID, v2.ID), nil).StatusCode)
				},
				func(b *apptest.Browser) int {
					return max(b.Get(fmt.Sprintf("/laws/%d", l.ID)).StatusCode, b.Get(fmt.Sprintf("/laws/%d/articles/1", l.ID)).StatusCode,
						b.Get(fmt.Sprintf("/laws/%d/diff?from=%d&to=%d", l.ID, v1.ID, v2.ID)).StatusCode)
				}},
			{"add a quiz",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/announcements/%d/quiz", quizAPI), map[string]any{"title": "t", "closes_at": e.Clock.Now().Add(time.Hour),
						"questions": []map[string]any{{"text": "q", "options": []string{"a", "b"}, "answer": []int{0}, "cite": map[string]any{"law_id": l.ID, "article": "1"}}}}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/announcements/%d/quiz", quizWeb), url.Values{"title": {"t"}, "text0": {"q"}, "options0": {"*a\nb"},
						"law0": {fmt.Sprint(l.ID)}, "article0": {"1"}, "closes_at": {"2026-03-01T18:00"}}).StatusCode
				}},
			{"answer a quiz",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/announcements/%d/quiz/answers", y.ID), map[string]any{"manager_id": mAPI.ID, "answers": [][]int{{0}}}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/announcements/%d/quiz/answers", y.ID), url.Values{"manager_id": {fmt.Sprint(mWeb.ID)}, "q0": {"0"}}).StatusCode
				}},
			{"read an announcement",
				func(w apptest.Who) int {
					return e.API(w, "GET", fmt.Sprintf("/api/v1/announcements/%d", y.ID), nil).StatusCode
				},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/announcements/%d", y.ID)).StatusCode }},
			{"publish",
				func(w apptest.Who) int {
					return e.API(w, "POST", "/api/v1/announcements", map[string]any{"title": "t", "body": "b", "audience": map[string]any{}}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/announcements", url.Values{"title": {"t"}, "body": {"b"}}).StatusCode
				}},
			{"count an audience",
				func(w apptest.Who) int {
					return e.API(w, "POST", "/api/v1/announcements/preview", map[string]any{"audience": map[string]any{}}).StatusCode
				},
				func(b *apptest.Browser) int { return b.Post("/announcements/preview", url.Values{}).StatusCode }},
			{"read receipts",
				func(w apptest.Who) int {
					return e.API(w, "GET", fmt.Sprintf("/api/v1/announcements/%d/receipts", y.ID), nil).StatusCode
				},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/announcements/%d/receipts", y.ID)).StatusCode }},
			{"remind the unread",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/announcements/%d/remind", y.ID), nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/announcements/%d/remind", y.ID), nil).StatusCode
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
