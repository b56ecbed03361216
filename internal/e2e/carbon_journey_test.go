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

// TestCarbonJourney (issue 15, item 8): on a phone, the enterprise opens its carbon page, enters February's
// purchased electricity and a process line, is asked to confirm an
// amount far above its usual months, and sees the month's and the year's
// emissions with each line's formula (February's and March's kWh summed
// on one line of the year). Then the bureau drills from the county's
// dashboard to the town's and to the enterprise's, which shows them.
func TestCarbonJourney(t *testing.T) {
	ctx := NewBrowserFor(t, 3*time.Minute)
	e := apptest.New(t, "sqlite")
	bg := context.Background()
	grid, err := e.Store.Factors(bg, model.FactorElectricity)
	must(t, err)
	var ets model.Factor
	for _, f := range grid {
		if f.Value == 0.5703 {
			ets = *f
		}
	}
	ses := Session{t, ctx, e.HTTP.URL}
	login, tap, text := ses.Login, Tap, ses.Text
	login("ent-a")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/carbon"),
		chromedp.WaitVisible(chromedp.CSS("#month-links")),
		tap(`#month-links a[href$="/2026-02"]`),
		chromedp.WaitVisible(chromedp.CSS("#activity-form")),
		chromedp.SetValue(chromedp.CSS(`select[name="src0"]`), "electricity_in"),
		chromedp.SetValue(chromedp.CSS(`select[name="fac0"]`), fmt.Sprint(ets.ID)),
		chromedp.SendKeys(chromedp.CSS(`input[name="amt0"]`), "1200000"),
		chromedp.SetValue(chromedp.CSS(`select[name="unit0"]`), "kWh"),
		chromedp.SetValue(chromedp.CSS(`select[name="src1"]`), "process"),
		chromedp.SetValue(chromedp.CSS(`select[name="fac1"]`), ""),
		chromedp.SendKeys(chromedp.CSS(`input[name="amt1"]`), "2.5"),
		chromedp.SetValue(chromedp.CSS(`select[name="unit1"]`), "tCO2"),
		chromedp.SendKeys(chromedp.CSS(`input[name="note1"]`), "废气焚烧处理"),
		chromedp.SendKeys(chromedp.CSS(`input[name="output_value"]`), "860"),
	))
	Screenshot(t, ctx, "65-carbon-month")
	must(t, chromedp.Do(ctx, tap("#save-activity"), chromedp.WaitVisible(chromedp.CSS("#carbon-totals"))))
	if got := text("#scope2"); got != "684.36 tCO2" {
		t.Errorf("scope 2 after February: %q", got)
	}
	// March: a slip of a thousand (kWh typed as MWh) is asked to confirm.
	for _, m := range []string{"2026-01", "2025-12", "2025-11"} {
		_, err := e.Store.PutActivity(bg, model.Actor{User: e.Users[apptest.EnterpriseA]}, e.Ents["A"], m, model.ActivityInput{Lines: []model.ActivityLine{
			{Source: model.SourceElectricityIn, FactorID: &ets.ID, Amount: 1100, Unit: model.UnitMWh}}})
		must(t, err)
	}
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+fmt.Sprintf("/directory/enterprises/%d/carbon/2026-03", e.Ents["A"])),
		chromedp.WaitVisible(chromedp.CSS("#activity-form")),
		chromedp.SetValue(chromedp.CSS(`select[name="src0"]`), "electricity_in"),
		chromedp.SetValue(chromedp.CSS(`select[name="fac0"]`), fmt.Sprint(ets.ID)),
		chromedp.SendKeys(chromedp.CSS(`input[name="amt0"]`), "1150000"),
		chromedp.SetValue(chromedp.CSS(`select[name="unit0"]`), "MWh"),
		tap("#save-activity"),
		chromedp.WaitVisible(chromedp.CSS("#confirm-box")),
	))
	if got := text(".field-err"); !strings.Contains(got, "核对") {
		t.Errorf("the unusual amount: %q", got)
	}
	Screenshot(t, ctx, "66-carbon-confirm")
	// Corrected to kWh, it saves without a question.
	must(t, chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`select[name="unit0"]`), "kWh"),
		tap("#save-activity"),
		chromedp.WaitVisible(chromedp.CSS("#carbon-totals")),
		chromedp.WaitVisible(chromedp.CSS("#months-table")),
	))
	if got := text("#lines"); !strings.Contains(got, "2350000 kWh = 2350 MWh × 0.5703 tCO2/MWh = 1340.205 tCO2") || !strings.Contains(got, "2.5 tCO2") {
		t.Errorf("year lines: %q", got)
	}
	Screenshot(t, ctx, "67-carbon-year")
	ses.Logout()

	// The bureau, at a desktop, drills from the county to town A and to
	// the enterprise, whose emissions are the ones just entered.
	login("admin")
	must(t, chromedp.Do(ctx,
		chromedp.EmulateViewport(1280, 900),
		chromedp.Navigate(e.HTTP.URL+"/dashboards"),
		chromedp.WaitVisible(chromedp.CSS("#towns-table")),
	))
	if got := text("#fig-enterprises"); got != "2" {
		t.Errorf("the county's enterprises: %q", got)
	}
	Screenshot(t, ctx, "68-dashboard-county")
	must(t, chromedp.Do(ctx,
		tap(fmt.Sprintf(`#towns-table a[href^="/dashboards/towns/%d"]`, e.Regions["A"])),
		chromedp.WaitVisible(chromedp.CSS("#enterprises-table")),
	))
	Screenshot(t, ctx, "69-dashboard-town")
	must(t, chromedp.Do(ctx,
		tap(fmt.Sprintf(`#enterprises-table a[href^="/dashboards/enterprises/%d"]`, e.Ents["A"])),
		chromedp.WaitVisible(chromedp.CSS("#months-table")),
	))
	if got := text("#fig-emissions"); !strings.HasPrefix(got, "1,970.0") { // 2.5 + (1,200 + 1,150 + 1,100) MWh × 0.5703
		t.Errorf("the enterprise's emissions on its dashboard: %q", got)
	}
	if got := text("#months-table"); !strings.Contains(got, "2026-02") || !strings.Contains(got, "2026-03") {
		t.Errorf("months: %q", got)
	}
	Screenshot(t, ctx, "70-dashboard-enterprise")
}
