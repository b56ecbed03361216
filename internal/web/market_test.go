package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// TestCaseToDemand (issue 12, item 7): a technology case names its
// verified provider, whose record counts it once published; an enterprise
// interested in the case opens a demand pre-filled from it, and the demand
// keeps where it came from.
func TestCaseToDemand(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		bureau := model.Actor{User: e.Users[apptest.Admin]}
		uscc, _ := model.BuildUSCC("91330481", "MA2P00G1")
		p, err := e.Store.RegisterProvider(ctx, bureau, model.ProviderInput{USCC: uscc, Name: "庚环保", Categories: []string{"waste_gas"},
			ContactName: "庚", ContactPhone: "13800001111"})
		if err != nil {
			t.Fatal(err)
		}
		in := model.CaseInput{Title: "沸石转轮＋RTO", Pollutants: []string{"vocs"}, Technique: "浓缩后焚烧", Source: "来源", ProviderID: &p.ID,
			Figures: []model.CaseFigure{{Name: "浓度", Unit: "mg/m³", Before: 85, After: 12}}}
		if _, err := e.Store.SubmitCase(ctx, bureau, in); err == nil || !model.IsCode(err, model.ErrInvalid) {
			t.Fatalf("a case names an unverified provider: %v", err)
		}
		if _, err := e.Store.VerifyProvider(ctx, bureau, p.ID); err != nil {
			t.Fatal(err)
		}
		c, err := e.Store.SubmitCase(ctx, bureau, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.ReviewCase(ctx, bureau, c.ID, model.CaseReview{Decision: "publish"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := e.Store.Provider(ctx, bureau, p.ID); got.Cases != 1 {
			t.Errorf("the provider's cases: %d", got.Cases)
		}
		ent := e.Browser(apptest.EnterpriseA)
		casePage := fmt.Sprintf("/cases/%d", c.ID)
		if r := ent.Post(casePage+"/interest", nil); r.StatusCode != 303 {
			t.Fatalf("interest: %d", r.StatusCode)
		}
		page := string(ent.Get(casePage).Body)
		if !strings.Contains(page, fmt.Sprintf(`href="/providers/%d"`, p.ID)) || !strings.Contains(page, fmt.Sprintf(`href="/demands/new?case=%d"`, c.ID)) {
			t.Fatalf("the case page lacks the provider or the demand link:\n%s", section(page, "interest"))
		}
		form := string(ent.Get(fmt.Sprintf("/demands/new?case=%d", c.ID)).Body)
		if !strings.Contains(form, "引进：沸石转轮＋RTO") || !strings.Contains(form, fmt.Sprintf(`name="source" value="case:%d"`, c.ID)) ||
			!strings.Contains(form, `value="waste_gas" selected`) {
			t.Fatalf("the form is not pre-filled:\n%s", section(form, "demand-form"))
		}
		r := ent.Post("/demands", url.Values{"title": {"引进：沸石转轮＋RTO"}, "category": {"waste_gas"}, "pollutants": {"vocs"},
			"description": {"参考案例"}, "source": {fmt.Sprintf("case:%d", c.ID)},
			"quote_deadline": {e.Clock.Now().Add(72 * time.Hour).In(model.ChinaTime).Format("2006-01-02T15:04")}})
		if r.StatusCode != 303 {
			t.Fatalf("post: %d\n%s", r.StatusCode, r.Body)
		}
		ds, err := e.Store.Demands(ctx, model.Actor{User: e.Users[apptest.EnterpriseA]}, store.DemandFilter{Box: "mine"})
		if err != nil || len(ds) != 1 || ds[0].Source != fmt.Sprintf("case:%d", c.ID) {
			t.Errorf("the demand: %v %+v", err, ds)
		}
		// Other roles are not offered the demand.
		if p := string(e.Browser(apptest.Provider).Get(casePage).Body); strings.Contains(p, "case-demand") {
			t.Error("a provider is offered to post a demand")
		}
	})
}
