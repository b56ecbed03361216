package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestCaseJourney (issue 11, items 6 and 7): a provider submits a case of
// governance technology from a phone; the bureau sees whom it would reach
// and publishes it; the key discharge unit it fits finds it pushed, unread,
// reads the before-and-after figures and marks interest; the bureau sees
// the lead.
func TestCaseJourney(t *testing.T) {
	ctx := NewBrowserFor(t, 2*time.Minute)
	e := apptest.New(t, "sqlite")
	bg := context.Background()
	_, err := e.Store.UpdateEnterprise(bg, model.SystemActor(), e.Ents["A"], model.EnterprisePatch{KeyLists: &[]string{"air"},
		Pollutants: &[]string{"vocs"}})
	must(t, err)

	ses := Session{t, ctx, e.HTTP.URL}
	login, logout, tap, text := ses.Login, ses.Logout, Tap, ses.Text

	// The provider, on a phone.
	login("provider")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/cases"),
		tap("#new-case"),
		chromedp.WaitVisible(chromedp.CSS("#case-form")),
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "涂装废气沸石转轮＋RTO 治理"),
		chromedp.SendKeys(chromedp.CSS(`input[name="industries"]`), "C39"),
		tap(`input[name="pollutants"][value="vocs"]`),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="technique"]`), "密闭收集，沸石转轮浓缩后送蓄热式焚烧。<script>alert(1)</script>"),
		chromedp.SendKeys(chromedp.CSS(`input[name="fig_name0"]`), "非甲烷总烃"),
		chromedp.SendKeys(chromedp.CSS(`input[name="fig_unit0"]`), "mg/m³"),
		chromedp.SendKeys(chromedp.CSS(`input[name="fig_before0"]`), "85"),
		chromedp.SendKeys(chromedp.CSS(`input[name="fig_after0"]`), "12"),
		chromedp.SendKeys(chromedp.CSS(`input[name="source"]`), "企业验收监测报告"),
	))
	Screenshot(t, ctx, "55-case-form")
	must(t, chromedp.Do(ctx, tap("#case-submit"), chromedp.WaitVisible(chromedp.CSS("#case-status"))))
	if got := text("#case-status"); got != "待审核" {
		t.Errorf("after submitting: %q", got)
	}
	if got := text("#technique"); !strings.Contains(got, "<script>alert(1)</script>") {
		t.Errorf("the technique is not shown as text: %q", got)
	}
	logout()

	// The bureau, on a desktop.
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)))
	login("admin")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/cases?box=review"), chromedp.WaitVisible(chromedp.CSS("#cases a"))))
	must(t, chromedp.Do(ctx, tap("#cases a"), chromedp.WaitVisible(chromedp.CSS("#case-reach"))))
	if got := text("#case-reach"); !strings.Contains(got, "1 家") {
		t.Errorf("the reach: %q", got)
	}
	Screenshot(t, ctx, "56-case-review")
	must(t, chromedp.Do(ctx, tap("#publish-case"), chromedp.WaitVisible(chromedp.CSS(".flash.ok"))))
	logout()

	// The key discharge unit, on a phone.
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateScale(2))))
	login("ent-a")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/cases?box=pushed"), chromedp.WaitVisible(chromedp.CSS("#cases li.unread a"))))
	must(t, chromedp.Do(ctx, tap("#cases li.unread a"), chromedp.WaitVisible(chromedp.CSS("#figures"))))
	if got := text("#figures"); !strings.Contains(got, "-85.9%") || !strings.Contains(got, "85 mg/m³") {
		t.Errorf("the figures: %q", got)
	}
	must(t, chromedp.Do(ctx, tap("#mark-interest"), chromedp.WaitVisible(chromedp.CSS("#interest .flash.ok"))))
	Screenshot(t, ctx, "57-case-interest")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/cases?box=pushed"), chromedp.WaitVisible(chromedp.CSS("#cases"))))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#cases li.unread").length`)); err != nil || n != 0 {
		t.Errorf("still unread after reading: %d %v", n, err)
	}
	logout()

	// The bureau sees the lead.
	login("admin")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/cases/leads"), chromedp.WaitVisible(chromedp.CSS("#leads"))))
	if got := text("#leads"); !strings.Contains(got, "企业A") || !strings.Contains(got, "涂装废气") {
		t.Errorf("leads: %q", got)
	}
	Screenshot(t, ctx, "58-case-leads")
}
