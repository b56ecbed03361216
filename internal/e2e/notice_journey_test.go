package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestNoticeJourney (issue 11, item 9): on a phone a manager's enterprise
// opens a notice, follows the article it cites, answers its quiz; the
// town's association sees the read receipt and the result.
func TestNoticeJourney(t *testing.T) {
	ctx := NewBrowserFor(t, 2*time.Minute)
	e := apptest.New(t, "sqlite")
	bg := context.Background()
	sys := model.SystemActor()
	l, err := e.Store.CreateLaw(bg, sys, model.LawInput{Title: "危险废物贮存示例办法", Kind: "departmental_rule", Issuer: "生态环境部", EffectiveOn: "2023-07-01"})
	must(t, err)
	_, _, err = e.Store.AddLawVersion(bg, sys, l.ID, model.VersionInput{Label: "2023年版（示例文本）", EffectiveOn: "2023-07-01", Source: "sample",
		Text: "第一条　（示例）本条说明目的。\n第二条　（示例）贮存场所应当防雨、防渗、防流失，设置围堰和导流设施。"})
	must(t, err)
	_, err = e.Store.CreateManager(bg, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
	must(t, err)
	assoc := model.Actor{User: e.Users[apptest.AssociationA]}
	x, err := e.Store.PublishAnnouncement(bg, assoc, model.AnnouncementInput{Kind: "warning", Title: "雨季危险废物贮存提醒",
		Body:  "各企业：\n雨季将至，请对照所引条文检查危险废物贮存场所，并完成下面的小测。",
		Cites: []model.ArticleRef{{LawID: l.ID, Key: "2"}}})
	must(t, err)
	_, err = e.Store.AddQuiz(bg, assoc, x.ID, model.QuizInput{Title: "贮存要求小测", ClosesAt: e.Clock.Now().Add(72 * time.Hour),
		Questions: []model.Question{{Text: "贮存场所应当具备哪些措施？（可多选）", Options: []string{"防雨", "防渗", "露天堆放"}, Answer: []int{0, 1},
			Cite: model.ArticleRef{LawID: l.ID, Key: "2"}}}})
	must(t, err)

	ses := Session{t, ctx, e.HTTP.URL}
	login, tap, text := ses.Login, Tap, ses.Text

	login("ent-a")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/announcements"), chromedp.WaitVisible(chromedp.CSS("#announcements li.unread a"))))
	Screenshot(t, ctx, "50-notices-unread")
	must(t, chromedp.Do(ctx, tap("#announcements li.unread a"), chromedp.WaitVisible(chromedp.CSS("#body"))))
	if got := text("#body"); !strings.Contains(got, "雨季将至") {
		t.Errorf("the notice: %q", got)
	}
	Screenshot(t, ctx, "51-notice")
	// The cited article, and back.
	must(t, chromedp.Do(ctx, tap(`a[href$="/articles/2"]`), chromedp.WaitVisible(chromedp.CSS("#article"))))
	if got := text("#article"); !strings.Contains(got, "防雨、防渗") {
		t.Errorf("the article: %q", got)
	}
	Screenshot(t, ctx, "52-cited-article")
	must(t, chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/announcements/%d", e.HTTP.URL, x.ID)), chromedp.WaitVisible(chromedp.CSS("#quiz"))))
	// The quiz.
	must(t, chromedp.Do(ctx,
		tap(`#quiz input[name="q0"][value="0"]`),
		tap(`#quiz input[name="q0"][value="1"]`),
		tap("#quiz-submit"),
		chromedp.WaitVisible(chromedp.CSS("#quiz .attempt")),
	))
	if got := text("#quiz .attempt"); !strings.Contains(got, "张伟：答对 1 / 1，通过") {
		t.Errorf("the result: %q", got)
	}
	Screenshot(t, ctx, "53-quiz-passed")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username"))))

	// The association sees it read, and the result.
	login("assoc-a")
	must(t, chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/announcements/%d/receipts", e.HTTP.URL, x.ID)), chromedp.WaitVisible(chromedp.CSS("#receipts"))))
	if got := text("#receipts"); !strings.Contains(got, "企业A") || !strings.Contains(got, "已读") {
		t.Errorf("receipts: %q", got)
	}
	Screenshot(t, ctx, "54-read-receipts")
	must(t, chromedp.Do(ctx, chromedp.Navigate(fmt.Sprintf("%s/announcements/%d", e.HTTP.URL, x.ID)), chromedp.WaitVisible(chromedp.CSS("#quiz-results"))))
	if got := text("#quiz-results"); !strings.Contains(got, "1 人作答，1 人通过") {
		t.Errorf("results: %q", got)
	}
}
