package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestAnnouncementPages (issue 11, items 4 and 7): the association counts
// its audience, publishes, the enterprise finds it unread first, opens it
// (the body shown as text), and the association's receipts say it was
// read; a reminder goes to the unread.
func TestAnnouncementPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		assoc := e.Browser(apptest.AssociationA)
		form := url.Values{"kind": {"warning"}, "title": {"雨季防汛提醒"}, "body": {"请检查雨污分流。<b>粗体</b>"}, "roles": {"enterprise"}}
		p := string(assoc.Post("/announcements/preview", form).Body)
		if !strings.Contains(p, "发布后将送达 1 个账号（1 家企业）") || !strings.Contains(p, `value="enterprise" checked`) {
			t.Errorf("preview:\n%s", section(p, "reach"))
		}
		nobody := url.Values{"title": {"x"}, "body": {"y"}, "roles": {"enterprise"}, "permit_classes": {"key"}}
		if r := assoc.Post("/announcements", nobody); r.StatusCode != 422 || !strings.Contains(string(r.Body), "所选范围内没有任何账号") {
			t.Errorf("an audience of nobody: %d", r.StatusCode)
		}
		r := assoc.Post("/announcements", form)
		loc := r.Header.Get("Location")
		if r.StatusCode != 303 || !regexp.MustCompile(`^/announcements/\d+`).MatchString(loc) {
			t.Fatalf("publish: %d %s", r.StatusCode, loc)
		}
		page := strings.SplitN(loc, "?", 2)[0]
		ent := e.Browser(apptest.EnterpriseA)
		if p := string(ent.Get("/announcements").Body); !strings.Contains(p, `class="unread"`) || !strings.Contains(p, "雨季防汛提醒") {
			t.Errorf("inbox:\n%s", section(p, "announcements"))
		}
		p = string(ent.Get(page).Body)
		if !strings.Contains(p, "&lt;b&gt;粗体&lt;/b&gt;") || strings.Contains(p, "<b>粗体</b>") || strings.Contains(p, "receipts-link") {
			t.Error("the body is not shown as text, or the enterprise sees the receipts")
		}
		if p := string(ent.Get("/announcements").Body); strings.Contains(p, `class="unread"`) {
			t.Error("still unread after opening")
		}
		if p := string(assoc.Get(page + "/receipts").Body); !strings.Contains(p, "企业A") || !strings.Contains(p, "已读") {
			t.Errorf("receipts:\n%s", section(p, "receipts"))
		}
		if r := assoc.Post(page+"/remind", nil); r.StatusCode != 303 {
			t.Errorf("remind: %d", r.StatusCode)
		}
		if r := e.Browser(apptest.AssociationB).Get(page + "/receipts"); r.StatusCode != 404 {
			t.Errorf("another town's receipts: %d", r.StatusCode)
		}
		if r := ent.Get("/announcements/new"); r.StatusCode != 403 {
			t.Errorf("an enterprise opens the form: %d", r.StatusCode)
		}
	})
}

// TestQuizPages (issue 11, item 5): the bureau adds a quiz to its notice
// from the form; the enterprise answers it for a manager and sees the
// result; the bureau sees the results by town.
func TestQuizPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		l, err := e.Store.CreateLaw(ctx, sys, model.LawInput{Title: "排污许可管理条例", Kind: "administrative_regulation", EffectiveOn: "2021-03-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "2021", EffectiveOn: "2021-03-01", Text: "第一条　一。\n第二条　二。"}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"}); err != nil {
			t.Fatal(err)
		}
		x, err := e.Store.PublishAnnouncement(ctx, model.Actor{User: e.Users[apptest.Admin]}, model.AnnouncementInput{Title: "执行报告", Body: "请作答。",
			Audience: model.Audience{Roles: []model.Role{model.RoleEnterprise}}})
		if err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/announcements/%d", x.ID)
		admin := e.Browser(apptest.Admin)
		form := url.Values{"title": {"小测"}, "text0": {"年度执行报告何时提交？"}, "options0": {"*1月15日前\n3月31日前"}, "law0": {fmt.Sprint(l.ID)},
			"article0": {"2"}, "closes_at": {"2026-03-20T17:00"}, "pass_percent": {"60"}, "credit_hours": {"0"}}
		if r := admin.Post(page+"/quiz", form); r.StatusCode != 303 {
			t.Fatalf("add a quiz: %d %s", r.StatusCode, r.Body)
		}
		ent := e.Browser(apptest.EnterpriseA)
		p := string(ent.Get(page).Body)
		if !strings.Contains(p, `name="q0"`) || !strings.Contains(p, "1月15日前") || !strings.Contains(p, fmt.Sprintf("/laws/%d/articles/2", l.ID)) {
			t.Fatalf("the quiz form:\n%s", section(p, "quiz"))
		}
		m := regexp.MustCompile(`<option value="(\d+)">张伟`).FindStringSubmatch(p)
		if m == nil {
			t.Fatal("no manager to answer for")
		}
		if r := ent.Post(page+"/quiz/answers", url.Values{"manager_id": {m[1]}, "q0": {"0"}}); r.StatusCode != 303 {
			t.Fatalf("answer: %d %s", r.StatusCode, r.Body)
		}
		if p := string(ent.Get(page).Body); !strings.Contains(p, "张伟：答对 1 / 1，通过") {
			t.Errorf("the result:\n%s", section(p, "quiz"))
		}
		if r := ent.Post(page+"/quiz/answers", url.Values{"manager_id": {m[1]}, "q0": {"0"}}); r.StatusCode != 409 ||
			!strings.Contains(string(r.Body), "已作答过") {
			t.Errorf("answered twice: %d", r.StatusCode)
		}
		if p := string(admin.Get(page).Body); !strings.Contains(section(p, "quiz-results"), "镇A") {
			t.Errorf("results:\n%s", section(p, "quiz"))
		}
	})
}

// TestCitingArticlesFromForms (issue 11, items 3 to 5): a publisher comes
// from an article's page to a study notice citing it, adds articles typed
// as people write them, and the notice shows them by law and number;
// numbers that are not article numbers are refused by field; a course
// edited in the web keeps the articles it cites.
func TestCitingArticlesFromForms(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		l, err := e.Store.CreateLaw(ctx, sys, model.LawInput{Title: "某某污染防治条例", ShortTitle: "防治条例", Kind: "local_regulation", EffectiveOn: "2021-03-01"})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := e.Store.AddLawVersion(ctx, sys, l.ID, model.VersionInput{Label: "2021", EffectiveOn: "2021-03-01",
			Text: "第一条　一。\n第二条　二。\n第三条　三。\n第十条　十。\n第十条之一　十之一。"}); err != nil {
			t.Fatal(err)
		}
		admin := e.Browser(apptest.Admin)
		art := string(admin.Get(fmt.Sprintf("/laws/%d/articles/2", l.ID)).Body)
		link := fmt.Sprintf("/announcements/new?kind=study&amp;cite=%d:2", l.ID)
		if !strings.Contains(art, link) {
			t.Fatalf("no cite link on the article:\n%s", section(art, "article"))
		}
		if p := string(e.Browser(apptest.EnterpriseA).Get(fmt.Sprintf("/laws/%d/articles/2", l.ID)).Body); strings.Contains(p, "cite-in-notice") {
			t.Error("an enterprise is offered to cite the article in a notice")
		}
		p := string(admin.Get(strings.ReplaceAll(link, "&amp;", "&")).Body)
		if !strings.Contains(p, fmt.Sprintf(`name="cite" value="%d:2" checked`, l.ID)) || !strings.Contains(p, "《防治条例》第2条") ||
			!strings.Contains(p, `value="study" selected`) {
			t.Errorf("the form does not carry the article:\n%s", section(p, "cites-field"))
		}
		form := url.Values{"kind": {"study"}, "title": {"学条例"}, "body": {"请学习以下条文。"}, "roles": {"enterprise"},
			"cite": {fmt.Sprintf("%d:2", l.ID)}, "cite_law0": {fmt.Sprint(l.ID)}, "cite_articles0": {"第三条、第十条之一，2"}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad["cite_articles0"] = []string{"第三款"}
		if r := admin.Post("/announcements", bad); r.StatusCode != 422 || !strings.Contains(string(r.Body), "条文序号应为数字") {
			t.Errorf("unreadable article numbers: %d", r.StatusCode)
		}
		bad["cite_articles0"] = []string{"99"}
		if r := admin.Post("/announcements", bad); r.StatusCode != 422 {
			t.Errorf("an article the law does not have: %d", r.StatusCode)
		}
		r := admin.Post("/announcements", form)
		if r.StatusCode != 303 {
			t.Fatalf("publish: %d\n%s", r.StatusCode, r.Body)
		}
		page := strings.SplitN(r.Header.Get("Location"), "?", 2)[0]
		p = string(e.Browser(apptest.EnterpriseA).Get(page).Body)
		for _, want := range []string{"《防治条例》第2条", "《防治条例》第3条", "《防治条例》第10条之1", fmt.Sprintf(`href="/laws/%d/articles/10-1"`, l.ID)} {
			if !strings.Contains(section(p, "cites"), want) {
				t.Errorf("the notice lacks %s:\n%s", want, section(p, "cites"))
			}
		}
		// A course's citations survive an edit in the web.
		c, err := e.Store.SaveCourse(ctx, sys, &model.Course{Title: "条例解读", Category: "permit", CreditHours: 2, Status: model.CoursePublished,
			Cites: []model.ArticleRef{{LawID: l.ID, Key: "10-1"}}})
		if err != nil {
			t.Fatal(err)
		}
		edit := string(admin.Get(fmt.Sprintf("/courses/%d/edit", c.ID)).Body)
		if !strings.Contains(edit, fmt.Sprintf(`name="cite" value="%d:10-1" checked`, l.ID)) {
			t.Fatalf("the course form drops its citation:\n%s", section(edit, "cites-field"))
		}
		if r := admin.Post(fmt.Sprintf("/courses/%d", c.ID), url.Values{"title": {"条例解读（修订）"}, "category": {"permit"}, "credit_hours": {"2"},
			"status": {model.CoursePublished}, "cite": {fmt.Sprintf("%d:10-1", l.ID)}, "cite_law0": {fmt.Sprint(l.ID)}, "cite_articles0": {"1"}}); r.StatusCode != 303 {
			t.Fatalf("save the course: %d\n%s", r.StatusCode, r.Body)
		}
		got, err := e.Store.Course(ctx, sys, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Cites) != 2 || got.Cites[0].Key != "10-1" && got.Cites[1].Key != "10-1" {
			t.Errorf("the course cites %v", got.Cites)
		}
	})
}
