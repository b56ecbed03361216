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

// TestMarketJourney (issue 12, item 11): an enterprise posts a demand on a
// phone, its town's association publishes it, a verified provider finds it
// in its market and quotes on a phone; after quoting closes the enterprise
// compares and accepts, enters the costs before and after, and the deal
// shows the saving.
func TestMarketJourney(t *testing.T) {
	ctx := NewBrowserFor(t, 4*time.Minute)
	e := apptest.New(t, "sqlite")
	bg := context.Background()
	uscc, _ := model.BuildUSCC("91330481", "MA2P00E1")
	prov := model.Actor{User: e.Users[apptest.Provider]}
	p, err := e.Store.RegisterProvider(bg, prov, model.ProviderInput{USCC: uscc, Name: "海宁示例废气治理工程有限公司", Categories: []string{"waste_gas"},
		Pollutants: []string{"vocs"}, Industries: []string{"C39"}, ContactName: "周工", ContactPhone: "13800005678"})
	must(t, err)
	_, err = e.Store.VerifyProvider(bg, model.Actor{User: e.Users[apptest.Admin]}, p.ID)
	must(t, err)

	ses := Session{t, ctx, e.HTTP.URL}
	login, logout, tap, text := ses.Login, ses.Logout, Tap, ses.Text

	// The enterprise, on a phone.
	login("ent-a")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/market"),
		tap("#new-demand"),
		chromedp.WaitVisible(chromedp.CSS("#demand-form")),
		chromedp.SendKeys(chromedp.CSS(`input[name="title"]`), "喷涂线 VOCs 治理"),
		chromedp.SetValue(chromedp.CSS(`select[name="category"]`), "waste_gas"),
		tap(`input[name="pollutants"][value="vocs"]`),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="description"]`), "两条喷涂线，活性炭吸附更换频繁，费用高。"),
		chromedp.SetValue(chromedp.CSS(`select[name="t_pollutant0"]`), "vocs"),
		chromedp.SendKeys(chromedp.CSS(`input[name="t_current0"]`), "85"),
		chromedp.SendKeys(chromedp.CSS(`input[name="t_target0"]`), "20"),
		chromedp.SetValue(chromedp.CSS(`select[name="t_unit0"]`), "mg/m³"),
		chromedp.SendKeys(chromedp.CSS(`input[name="budget_max"]`), "300"),
	))
	Screenshot(t, ctx, "60-demand-form")
	must(t, chromedp.Do(ctx, tap("#demand-submit"), chromedp.WaitVisible(chromedp.CSS("#demand-status"))))
	if got := text("#demand-status"); got != "待审核" {
		t.Fatalf("posted: %q", got)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	must(t, err)
	path := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], e.HTTP.URL)
	logout()

	// The association publishes it.
	login("assoc-a")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/market"), chromedp.WaitVisible(chromedp.CSS("#review-queue a"))))
	must(t, chromedp.Do(ctx, tap("#review-queue a"), chromedp.WaitVisible(chromedp.CSS("#publish-demand"))))
	must(t, chromedp.Do(ctx, tap("#publish-demand"), chromedp.WaitVisible(chromedp.CSS(".flash.ok"))))
	if got := text("#demand-status"); got != "报价中" {
		t.Errorf("published: %q", got)
	}
	logout()

	// The provider, on a phone, finds it in its market and quotes.
	login("provider")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/market"), chromedp.WaitVisible(chromedp.CSS("#fits a"))))
	if got := text("#fits"); !strings.Contains(got, "喷涂线 VOCs 治理") || !strings.Contains(got, "匹配") {
		t.Errorf("the market: %q", got)
	}
	Screenshot(t, ctx, "61-provider-market")
	must(t, chromedp.Do(ctx, tap("#fits a"), chromedp.WaitVisible(chromedp.CSS("#quote-form"))))
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#demand-contact").length`)); err != nil || n != 0 {
		t.Errorf("the provider sees the enterprise before acceptance: %d %v", n, err)
	}
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#quote-form input[name="price"]`), "180"),
		chromedp.SendKeys(chromedp.CSS(`#quote-form input[name="timeline_days"]`), "60"),
		chromedp.SendKeys(chromedp.CSS(`#quote-form textarea[name="includes"]`), "沸石转轮＋RTO 设计、设备、安装、调试"),
		chromedp.SendKeys(chromedp.CSS(`#quote-form textarea[name="outcome"]`), "非甲烷总烃 ≤ 20 mg/m³，验收监测达标"),
		tap("#send-quote"),
		chromedp.WaitVisible(chromedp.CSS("#my-quote")),
	))
	Screenshot(t, ctx, "62-quote-sent")
	logout()

	// The enterprise closes quoting, compares and accepts.
	login("ent-a")
	AcceptDialogs(t, ctx)
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+path), chromedp.WaitVisible(chromedp.CSS("#close-quoting"))))
	must(t, chromedp.Do(ctx, tap("#close-quoting"), chromedp.WaitVisible(chromedp.CSS("#quotes"))))
	if got := text("#quotes"); !strings.Contains(got, "海宁示例废气治理工程有限公司") || !strings.Contains(got, "180") {
		t.Errorf("the comparison: %q", got)
	}
	Screenshot(t, ctx, "63-quotes-compared")
	must(t, chromedp.Do(ctx, tap("#quotes button.primary"), chromedp.WaitVisible(chromedp.CSS("#milestones"))))
	// The costs before and after; the deal completes with its saving.
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`input[name="m_title0"]`), "设备进场"),
		chromedp.SendKeys(chromedp.CSS(`input[name="baseline_cost"]`), "52"),
		chromedp.SendKeys(chromedp.CSS(`input[name="baseline_note"]`), "活性炭更换与危废处置费"),
		chromedp.SendKeys(chromedp.CSS(`input[name="achieved_cost"]`), "31.5"),
		chromedp.SendKeys(chromedp.CSS(`input[name="achieved_note"]`), "RTO 天然气与电费"),
		tap("#complete-deal"),
		tap("#save-deal"),
		chromedp.WaitVisible(chromedp.CSS("#saving .big")), // the page after saving: the deal page before it has no saving yet
	))
	if got := text("#saving"); !strings.Contains(got, "每年节省 20.5 万元") {
		t.Errorf("the saving: %q", got)
	}
	if got := text("#deal-status"); got != "已完成" {
		t.Errorf("the deal: %q", got)
	}
	Screenshot(t, ctx, "64-deal-saving")
	logout()

	// The association sees the town's saving.
	login("assoc-a")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/market"), chromedp.WaitVisible(chromedp.CSS("#savings"))))
	if got := text("#savings"); !strings.Contains(got, "20.5") {
		t.Errorf("the town's savings: %q", got)
	}
}
