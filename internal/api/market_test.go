package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// newAccount adds a fixture account of a role with an API token.
func newAccount(t *testing.T, e *apptest.Env, name string, n model.NewUser) who {
	t.Helper()
	n.Username, n.Password, n.DisplayName = name, apptest.Password, "测试 "+name
	u, err := e.Server.Auth.CreateUser(t.Context(), model.SystemActor(), n)
	must(t, err)
	_, secret, err := e.Store.CreateToken(t.Context(), model.Actor{User: u}, u.ID, model.NewToken{Name: "test", ExpiresIn: 30})
	must(t, err)
	w := who(name)
	e.Users[w], e.Tokens[w] = u, secret
	return w
}

func providerBody(code, name string, cats, pols, inds []string, towns []int64, lics []map[string]any) map[string]any {
	uscc, _ := model.BuildUSCC("91330481", code)
	return map[string]any{"uscc": uscc, "name": name, "categories": cats, "pollutants": pols, "industries": inds, "region_ids": towns,
		"licences": lics, "contact_name": "联系人", "contact_phone": "13800001234", "contact_email": "sales@" + strings.ToLower(code) + ".example.cn"}
}

func demandBody(e *apptest.Env, title, category string, hours int) map[string]any {
	return map[string]any{"title": title, "category": category, "pollutants": []string{"vocs"}, "description": "喷涂线废气治理",
		"flow": 20000, "flow_unit": "m³/h", "targets": []map[string]any{{"pollutant": "vocs", "current": 85, "target": 20, "unit": "mg/m³"}},
		"standard": "DB33/2146-2018", "budget_min": 100, "budget_max": 300, "quote_deadline": e.Clock.Now().Add(time.Duration(hours) * time.Hour)}
}

func decodeAs[T any](t *testing.T, r *apptest.Response, status int) T {
	t.Helper()
	var v T
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", r.StatusCode, status, r.Body)
	}
	r.JSON(t, &v)
	return v
}

// TestThroughTrain (issue 12): a provider registers and is verified; an
// enterprise posts a demand its town's association publishes; matching
// ranks the providers with every reason; quotes are sealed until quoting
// ends, one per provider; the accepted quote becomes the deal, whose
// saving reaches the town's and the county's totals; each side rates the
// other once.
func TestThroughTrain(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		today := model.Today(e.Clock.Now())
		lic := []map[string]any{{"kind": "hazardous_waste_operation", "number": "浙危废经第0001号", "valid_until": string(today.AddDays(30))}}
		p1 := decodeAs[model.Provider](t, e.API(provider, "POST", "/api/v1/providers", providerBody("MA2P00A1", "甲环保工程有限公司",
			[]string{"waste_gas", "solid_waste"}, []string{"vocs"}, []string{"c39"}, []int64{e.Regions["A"]}, lic)), 201)
		if p1.Status != model.ProviderPending || strings.Join(p1.Industries, ",") != "C39" || !p1.Can.Edit || !p1.Licences[0].Valid {
			t.Errorf("registered: %+v", p1)
		}
		if r := e.API(provider, "POST", "/api/v1/providers", providerBody("MA2P00A2", "again", []string{"other"}, nil, nil, nil, nil)); r.StatusCode != 409 {
			t.Errorf("a second registration: %d", r.StatusCode)
		}
		if r := e.API(entA, "POST", "/api/v1/providers", providerBody("MA2P00A3", "企业冒充", []string{"other"}, nil, nil, nil, nil)); r.StatusCode != 403 {
			t.Errorf("an enterprise registers a provider: %d", r.StatusCode)
		}
		p2 := decodeAs[model.Provider](t, e.API(admin, "POST", "/api/v1/providers", providerBody("MA2P00B1", "乙环境科技有限公司",
			[]string{"waste_gas"}, nil, nil, nil, nil)), 201)
		// Verification: the bureau, not an account tied to the provider.
		for _, p := range []int64{p1.ID, p2.ID} {
			if got := decodeAs[model.Provider](t, e.API(admin, "POST", fmt.Sprintf("/api/v1/providers/%d/verify", p), nil), 200); got.Status != model.ProviderVerified {
				t.Fatalf("verify %d: %s", p, got.Status)
			}
		}
		if r := e.API(provider, "POST", fmt.Sprintf("/api/v1/providers/%d/verify", p1.ID), nil); r.StatusCode != 403 {
			t.Errorf("a provider verifies itself: %d", r.StatusCode)
		}
		if r := e.API(admin, "POST", fmt.Sprintf("/api/v1/providers/%d/tie", p2.ID), nil); r.StatusCode != 204 {
			t.Fatalf("declare a tie: %d %s", r.StatusCode, r.Body)
		}
		before := auditCount(t, e)
		if r := e.API(admin, "POST", fmt.Sprintf("/api/v1/providers/%d/grade", p2.ID), map[string]any{"grade": "green", "reason": "好"}); r.StatusCode != 403 {
			t.Errorf("a tied bureau account grades: %d", r.StatusCode)
		}
		if auditCount(t, e) != before+1 {
			t.Error("the refused grading is not logged")
		}
		// A demand inviting the provider the bureau account is tied to: that
		// account may not review it, and the refusal is logged.
		inv := demandBody(e, "邀请乙", "waste_gas", 48)
		inv["open_to"], inv["invited"] = "invited", []int64{p2.ID}
		di := decodeAs[model.Demand](t, e.API(entB, "POST", "/api/v1/demands", inv), 201)
		before = auditCount(t, e)
		if r := e.API(admin, "POST", fmt.Sprintf("/api/v1/demands/%d/review", di.ID), map[string]any{"decision": "publish"}); r.StatusCode != 403 {
			t.Errorf("a tied reviewer: %d", r.StatusCode)
		}
		if auditCount(t, e) != before+1 {
			t.Error("the refused review is not logged")
		}
		if got := decodeAs[model.Demand](t, e.API(assocB, "POST", fmt.Sprintf("/api/v1/demands/%d/review", di.ID), map[string]any{"decision": "publish"}), 200); got.Status != model.DemandPublished {
			t.Errorf("the town's association publishes it: %s", got.Status)
		}
		// The demand: bad input first, then a good one for review.
		for field, change := range map[string]func(b map[string]any){
			"quote_deadline": func(b map[string]any) { b["quote_deadline"] = e.Clock.Now().Add(-time.Hour) },
			"targets": func(b map[string]any) {
				b["targets"] = []map[string]any{{"pollutant": "vocs", "current": 20, "target": 85, "unit": "mg/m³"}}
			},
			"budget_max": func(b map[string]any) { b["budget_min"], b["budget_max"] = 300, 100 },
			"flow":       func(b map[string]any) { b["flow"] = -5 },
		} {
			b := demandBody(e, "坏需求", "waste_gas", 48)
			change(b)
			if r := e.API(entA, "POST", "/api/v1/demands", b); r.StatusCode != 422 || errorFields(t, r)[field] == "" {
				t.Errorf("%s: %d %s", field, r.StatusCode, r.Body)
			}
		}
		if r := e.API(provider, "POST", "/api/v1/demands", demandBody(e, "服务商发需求", "waste_gas", 48)); r.StatusCode != 403 {
			t.Errorf("a provider posts a demand: %d", r.StatusCode)
		}
		d := decodeAs[model.Demand](t, e.API(entA, "POST", "/api/v1/demands", demandBody(e, "喷涂废气治理", "waste_gas", 48)), 201)
		path := fmt.Sprintf("/api/v1/demands/%d", d.ID)
		if d.Status != model.DemandSubmitted || d.Enterprise == nil || !hasNotice(t, e, assocA, "demand_new") {
			t.Errorf("posted: %+v", d)
		}
		for _, w := range []who{provider, assocB, entB} {
			if r := e.API(w, "GET", path, nil); r.StatusCode != 404 {
				t.Errorf("%s reads an unpublished demand: %d", w, r.StatusCode)
			}
		}
		if r := e.API(assocB, "POST", path+"/review", map[string]any{"decision": "publish"}); r.StatusCode != 404 {
			t.Errorf("another town reviews: %d", r.StatusCode)
		}
		d = decodeAs[model.Demand](t, e.API(assocA, "POST", path+"/review", map[string]any{"decision": "publish"}), 200)
		if d.Status != model.DemandPublished || !d.Sealed || !hasNotice(t, e, provider, "demand_new") || !hasNotice(t, e, entA, "demand_published") {
			t.Errorf("published: %+v", d)
		}
		// Providers see the need, not who posted it.
		seen := decodeAs[model.Demand](t, e.API(provider, "GET", path, nil), 200)
		if seen.Enterprise != nil || seen.EnterpriseID != 0 || !seen.Can.Quote {
			t.Errorf("a provider's view: %+v", seen)
		}
		// Matching: ranked, explained, the same twice.
		var m1, m2 model.List[model.Match]
		e.API(entA, "GET", path+"/matches", nil).JSON(t, &m1)
		e.API(assocA, "GET", path+"/matches", nil).JSON(t, &m2)
		if len(m1.Items) != 2 || m1.Items[0].ProviderID != p1.ID || m1.Items[0].Score <= m1.Items[1].Score || fmt.Sprint(m1) != fmt.Sprint(m2) {
			t.Fatalf("matches: %+v / %+v", m1.Items, m2.Items)
		}
		codes := []string{}
		sum := 0
		for _, r := range m1.Items[0].Reasons {
			codes = append(codes, r.Code)
			sum += r.Points
		}
		if strings.Join(codes, ",") != "category,pollutant,industry,town" || sum != m1.Items[0].Score {
			t.Errorf("reasons %v add to %d, score %d", codes, sum, m1.Items[0].Score)
		}
		if r := e.API(provider, "GET", path+"/matches", nil); r.StatusCode != 403 {
			t.Errorf("a provider reads the ranking: %d", r.StatusCode)
		}
		// The provider's market lists the demand with the same score.
		var market model.List[model.Demand]
		e.API(provider, "GET", "/api/v1/demands?box=fits", nil).JSON(t, &market)
		if len(market.Items) != 1 || market.Items[0].Fit == nil || market.Items[0].Fit.Score != m1.Items[0].Score {
			t.Errorf("the provider's market: %+v", market.Items)
		}
		// Quotes: one each, sealed.
		quote := map[string]any{"price": 260, "includes": "设计、设备、安装、调试", "timeline_days": 90, "outcome": "非甲烷总烃 ≤ 20 mg/m³"}
		q1 := decodeAs[model.Quote](t, e.API(provider, "POST", path+"/quotes", quote), 201)
		var quoted model.List[model.Demand]
		e.API(provider, "GET", "/api/v1/demands?box=quoted", nil).JSON(t, &quoted)
		if len(quoted.Items) != 1 || quoted.Items[0].ID != d.ID {
			t.Errorf("the provider's quoted demands: %+v", quoted.Items)
		}
		if r := e.API(provider, "POST", path+"/quotes", quote); r.StatusCode != 409 || r.ErrorCode() != "quote_exists" {
			t.Errorf("a second quote: %d %s", r.StatusCode, r.Body)
		}
		p2acc := newAccount(t, e, "provider-b", model.NewUser{Role: model.RoleProvider})
		must(t, e.Store.LinkProviderAccount(t.Context(), model.SystemActor(), e.Users[p2acc].ID, p2.ID))
		quote["price"] = 180
		q2 := decodeAs[model.Quote](t, e.API(p2acc, "POST", path+"/quotes", quote), 201)
		if r := e.API(p2acc, "GET", fmt.Sprintf("/api/v1/quotes/%d", q1.ID), nil); r.StatusCode != 404 {
			t.Errorf("a provider reads another's quote: %d", r.StatusCode)
		}
		var ql model.List[model.Quote]
		e.API(provider, "GET", path+"/quotes", nil).JSON(t, &ql)
		if len(ql.Items) != 1 || ql.Items[0].ID != q1.ID {
			t.Errorf("a provider lists: %+v", ql.Items)
		}
		if r := e.API(entA, "GET", path+"/quotes", nil); r.StatusCode != 403 {
			t.Errorf("the enterprise reads sealed quotes: %d", r.StatusCode)
		}
		if r := e.API(entA, "POST", fmt.Sprintf("/api/v1/quotes/%d/accept", q2.ID), nil); r.StatusCode != 403 {
			t.Errorf("accepted while sealed: %d", r.StatusCode)
		}
		before = auditCount(t, e)
		e.API(assocA, "GET", path+"/quotes", nil).JSON(t, &ql)
		if len(ql.Items) != 2 || auditCount(t, e) != before+1 {
			t.Errorf("the reviewer's sealed read: %d quotes, logged %d", len(ql.Items), auditCount(t, e)-before)
		}
		// A revision replaces the quote and keeps the first.
		quote["price"] = 240
		q1 = decodeAs[model.Quote](t, e.API(provider, "PUT", fmt.Sprintf("/api/v1/quotes/%d", q1.ID), quote), 200)
		if q1.Revision != 2 || q1.Price != 240 || len(q1.History) != 1 || q1.History[0].Price != 260 {
			t.Errorf("revised: %+v", q1)
		}
		// Quoting ends; the enterprise compares and accepts once.
		d = decodeAs[model.Demand](t, e.API(entA, "POST", path+"/close", nil), 200)
		if d.Status != model.DemandClosed || d.Sealed || !d.Can.SeeQuotes {
			t.Errorf("closed: %+v", d)
		}
		if r := e.API(provider, "PUT", fmt.Sprintf("/api/v1/quotes/%d", q1.ID), quote); r.StatusCode != 409 {
			t.Errorf("revised after quoting: %d", r.StatusCode)
		}
		e.API(entA, "GET", path+"/quotes", nil).JSON(t, &ql)
		if len(ql.Items) != 2 || ql.Items[0].Price != 180 {
			t.Errorf("side by side: %+v", ql.Items)
		}
		deal := decodeAs[model.Deal](t, e.API(entA, "POST", fmt.Sprintf("/api/v1/quotes/%d/accept", q2.ID), nil), 201)
		if deal.Price != 180 || deal.ProviderID != p2.ID || !deal.Can.Edit {
			t.Errorf("the deal: %+v", deal)
		}
		if r := e.API(entA, "POST", fmt.Sprintf("/api/v1/quotes/%d/accept", q1.ID), nil); r.StatusCode != 409 {
			t.Errorf("a second acceptance: %d", r.StatusCode)
		}
		if !hasNotice(t, e, provider, "quote_declined") || !hasNotice(t, e, p2acc, "quote_accepted") {
			t.Error("the providers were not told")
		}
		if w := decodeAs[model.Demand](t, e.API(p2acc, "GET", path, nil), 200); w.Enterprise == nil || w.Enterprise.Name != "企业A" {
			t.Errorf("the winner does not see whom it works for: %+v", w.Enterprise)
		}
		if l := decodeAs[model.Demand](t, e.API(provider, "GET", path, nil), 200); l.Enterprise != nil {
			t.Errorf("the loser sees the enterprise: %+v", l.Enterprise)
		}
		// The deal: milestones, costs, the saving; ratings once.
		dpath := fmt.Sprintf("/api/v1/deals/%d", deal.ID)
		if r := e.API(p2acc, "PATCH", dpath, map[string]any{"baseline_cost": 1}); r.StatusCode != 403 {
			t.Errorf("the provider sets the costs: %d", r.StatusCode)
		}
		deal = decodeAs[model.Deal](t, e.API(p2acc, "PATCH", dpath, map[string]any{"milestones": []map[string]any{{"title": "设备进场", "due": "2026-04-01"}, {"title": "验收监测"}}, "done": []int{0}}), 200)
		if len(deal.Milestones) != 2 || deal.Milestones[0].DoneAt == nil || deal.Milestones[1].DoneAt != nil {
			t.Errorf("milestones: %+v", deal.Milestones)
		}
		if r := e.API(entA, "PATCH", dpath, map[string]any{"complete": true}); r.StatusCode != 422 {
			t.Errorf("completed without costs: %d", r.StatusCode)
		}
		if r := e.API(entA, "PATCH", dpath, map[string]any{"baseline_cost": -5}); r.StatusCode != 422 {
			t.Errorf("a negative cost: %d", r.StatusCode)
		}
		deal = decodeAs[model.Deal](t, e.API(entA, "PATCH", dpath, map[string]any{"baseline_cost": 50, "baseline_note": "委外处置费与超标罚款",
			"achieved_cost": 30, "achieved_note": "运行电费与耗材", "complete": true}), 200)
		if deal.Status != model.DealCompleted || deal.Saving == nil || *deal.Saving != 20 || !deal.Can.Rate || deal.Can.Edit {
			t.Fatalf("completed: %+v", deal)
		}
		if r := e.API(entB, "GET", dpath, nil); r.StatusCode != 404 {
			t.Errorf("another enterprise reads the deal: %d", r.StatusCode)
		}
		deal = decodeAs[model.Deal](t, e.API(entA, "POST", dpath+"/ratings", map[string]any{"score": 5, "comment": "按期完成"}), 200)
		if r := e.API(entA, "POST", dpath+"/ratings", map[string]any{"score": 1}); r.StatusCode != 409 {
			t.Errorf("rated twice: %d", r.StatusCode)
		}
		decodeAs[model.Deal](t, e.API(p2acc, "POST", dpath+"/ratings", map[string]any{"score": 4}), 200)
		if got := decodeAs[model.Provider](t, e.API(entB, "GET", fmt.Sprintf("/api/v1/providers/%d", p2.ID), nil), 200); got.Rating != 5 || got.Ratings != 1 || got.DealsDone != 1 {
			t.Errorf("the provider's record: %+v", got)
		}
		// The rating is public: another enterprise reads it on the provider's page.
		if page := string(e.Browser(entB).Get(fmt.Sprintf("/providers/%d", p2.ID)).Body); !strings.Contains(page, "按期完成") || strings.Contains(page, "企业A") {
			t.Error("the provider's page does not show the rating, or names the enterprise")
		}
		// Savings per town and county.
		var sv model.List[model.Savings]
		e.API(admin, "GET", "/api/v1/savings", nil).JSON(t, &sv)
		if len(sv.Items) != 2 || sv.Items[0].RegionID != nil || sv.Items[0].Saving != 20 || sv.Items[1].Saving != 20 || sv.Items[1].Completed != 1 {
			t.Errorf("the bureau's savings: %+v", sv.Items)
		}
		e.API(assocB, "GET", "/api/v1/savings", nil).JSON(t, &sv)
		if len(sv.Items) != 0 {
			t.Errorf("another town's savings: %+v", sv.Items)
		}
	})
}

// TestLicencesAndUnverifiedProviders: a licence about to lapse is told to
// its provider 60 days ahead, once; lapsed, the provider leaves the
// matches of the category that needs it; a provider not yet verified
// cannot quote.
func TestLicencesAndUnverifiedProviders(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		today := model.Today(e.Clock.Now())
		lic := []map[string]any{{"kind": "hazardous_waste_operation", "number": "浙危废经第0002号", "valid_until": string(today.AddDays(45))}}
		p := decodeAs[model.Provider](t, e.API(provider, "POST", "/api/v1/providers", providerBody("MA2P00C1", "丙固废处置有限公司",
			[]string{"solid_waste"}, []string{"hazardous_waste"}, nil, nil, lic)), 201)
		d := decodeAs[model.Demand](t, e.API(entA, "POST", "/api/v1/demands", map[string]any{"title": "危废处置", "category": "solid_waste",
			"pollutants": []string{"hazardous_waste"}, "description": "年产废活性炭 20 吨", "quote_deadline": e.Clock.Now().Add(90 * 24 * time.Hour)}), 201)
		decodeAs[model.Demand](t, e.API(admin, "POST", fmt.Sprintf("/api/v1/demands/%d/review", d.ID), map[string]any{"decision": "publish"}), 200)
		quote := map[string]any{"price": 12, "includes": "收运处置", "timeline_days": 30, "outcome": "合规处置并提供转移联单"}
		if r := e.API(provider, "POST", fmt.Sprintf("/api/v1/demands/%d/quotes", d.ID), quote); r.StatusCode != 403 {
			t.Errorf("an unverified provider quotes: %d %s", r.StatusCode, r.Body)
		}
		decodeAs[model.Provider](t, e.API(admin, "POST", fmt.Sprintf("/api/v1/providers/%d/verify", p.ID), nil), 200)
		n, err := e.Store.NoticeExpiringLicences(ctx)
		must(t, err)
		again, err := e.Store.NoticeExpiringLicences(ctx)
		must(t, err)
		if n != 1 || again != 0 || !hasNotice(t, e, provider, "licence_expiring") {
			t.Errorf("licence notices: %d then %d", n, again)
		}
		var m model.List[model.Match]
		e.API(entA, "GET", fmt.Sprintf("/api/v1/demands/%d/matches", d.ID), nil).JSON(t, &m)
		if len(m.Items) != 1 || !slices.ContainsFunc(m.Items[0].Reasons, func(r model.MatchReason) bool { return r.Code == "licence" }) {
			t.Errorf("matched with its licence: %+v", m.Items)
		}
		e.Clock.Advance(46 * 24 * time.Hour)
		renewTokens(t, e)
		e.API(entA, "GET", fmt.Sprintf("/api/v1/demands/%d/matches", d.ID), nil).JSON(t, &m)
		if len(m.Items) != 0 {
			t.Errorf("a lapsed licence still matches: %+v", m.Items)
		}
		if r := e.API(provider, "POST", fmt.Sprintf("/api/v1/demands/%d/quotes", d.ID), quote); r.StatusCode != 403 {
			t.Errorf("quoting with a lapsed licence: %d", r.StatusCode)
		}
	})
}

// TestMarketRoleMatrix: every through-train route answers every role as
// its permission says, on both databases: demands and deals are their
// enterprise's, their reviewers' and (published, or won) the providers';
// anything outside answers 404; what a role may see but not do, 403.
func TestMarketRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		bureau := model.Actor{User: e.Users[admin]}
		prov := model.Actor{User: e.Users[provider]}
		uscc, _ := model.BuildUSCC("91330481", "MA2P00D1")
		in := model.ProviderInput{USCC: uscc, Name: "丁环保", Categories: []string{"waste_gas"}, ContactName: "丁", ContactPhone: "13800001111"}
		p, err := e.Store.RegisterProvider(ctx, prov, in)
		must(t, err)
		prov.User.ProviderID = &p.ID
		must(t, errOf(e.Store.VerifyProvider(ctx, bureau, p.ID)))
		uscc2, _ := model.BuildUSCC("91330481", "MA2P00D2")
		in.USCC, in.Name = uscc2, "戊环保"
		q, err := e.Store.RegisterProvider(ctx, bureau, in)
		must(t, err)
		ent := model.Actor{User: e.Users[entA]}
		demand := func() int64 {
			b := model.DemandInput{Title: "废气", Category: "waste_gas", Description: "治理", QuoteDeadline: e.Clock.Now().Add(48 * time.Hour)}
			d, err := e.Store.PostDemand(ctx, ent, b)
			must(t, err)
			must(t, errOf(e.Store.ReviewDemand(ctx, bureau, d.ID, model.DemandReview{Decision: "publish"})))
			return d.ID
		}
		quoteIn := model.QuoteInput{Price: 100, Includes: "全部", TimelineDays: 30, Outcome: "达标"}
		d, closing, cancelling, won := demand(), demand(), demand(), demand()
		qt, err := e.Store.SendQuote(ctx, prov, d, quoteIn)
		must(t, err)
		wq, err := e.Store.SendQuote(ctx, prov, won, quoteIn)
		must(t, err)
		must(t, errOf(e.Store.CloseQuoting(ctx, ent, won)))
		deal, err := e.Store.AcceptQuote(ctx, ent, wq.ID)
		must(t, err)
		staff := func(ok int) expect { return expect{map[who]int{guest: 401, admin: ok, assocA: ok, assocB: ok}, 403} }
		demandRead := func(ok int, prov int) expect {
			return expect{map[who]int{guest: 401, admin: ok, assocA: ok, entA: ok, provider: prov}, 404}
		}
		owner := func(ok int) expect {
			return expect{map[who]int{guest: 401, admin: 403, assocA: 403, entA: ok, provider: 403}, 404}
		}
		pb := providerBody("MA2P00D3", "己环保", []string{"other"}, nil, nil, nil, nil)
		cases := []struct {
			method, path string
			body         any
			want         expect
		}{
			{"GET", "/api/v1/providers", nil, anyUser(200)},
			{"POST", "/api/v1/providers", pb, expect{map[who]int{guest: 401, admin: 201, provider: 409}, 403}},
			{"GET", fmt.Sprintf("/api/v1/providers/%d", p.ID), nil, anyUser(200)},
			{"GET", fmt.Sprintf("/api/v1/providers/%d", q.ID), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 200}, 404}},
			{"PUT", fmt.Sprintf("/api/v1/providers/%d", p.ID), providerBody("MA2P00D1", "丁环保", []string{"waste_gas"}, nil, nil, nil, nil),
				expect{map[who]int{guest: 401, admin: 200, provider: 200}, 403}},
			{"POST", fmt.Sprintf("/api/v1/providers/%d/verify", q.ID), nil, adminOnly(200)},
			{"POST", fmt.Sprintf("/api/v1/providers/%d/grade", p.ID), map[string]any{"grade": "blue", "reason": "按期履约"}, adminOnly(200)},
			{"GET", "/api/v1/demands", nil, anyUser(200)},
			{"GET", "/api/v1/demands?box=fits", nil, expect{map[who]int{guest: 401, provider: 200}, 403}},
			{"POST", "/api/v1/demands", demandBody(e, "新需求", "waste_gas", 48), expect{map[who]int{guest: 401, entA: 201, entB: 201}, 403}},
			{"GET", fmt.Sprintf("/api/v1/demands/%d", d), nil, demandRead(200, 200)},
			{"PUT", fmt.Sprintf("/api/v1/demands/%d", d), demandBody(e, "改", "waste_gas", 48), owner(409)},
			{"POST", fmt.Sprintf("/api/v1/demands/%d/review", d), map[string]any{"decision": "publish"},
				expect{map[who]int{guest: 401, admin: 409, assocA: 409, assocB: 404}, 403}},
			{"POST", fmt.Sprintf("/api/v1/demands/%d/close", closing), nil, owner(200)},
			// Cancelled by its enterprise (before the provider's turn), it
			// leaves the provider's sight.
			{"POST", fmt.Sprintf("/api/v1/demands/%d/cancel", cancelling), nil, owner(200).with(provider, 404)},
			{"GET", fmt.Sprintf("/api/v1/demands/%d/matches", d), nil, demandRead(200, 403)},
			{"POST", fmt.Sprintf("/api/v1/demands/%d/quotes", d), map[string]any{"price": 1, "includes": "x", "timeline_days": 1, "outcome": "y"},
				expect{map[who]int{guest: 401, provider: 409}, 403}},
			{"GET", fmt.Sprintf("/api/v1/demands/%d/quotes", d), nil, demandRead(200, 200).with(entA, 403)},
			{"GET", fmt.Sprintf("/api/v1/quotes/%d", qt.ID), nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, provider: 200}, 404}},
			{"PUT", fmt.Sprintf("/api/v1/quotes/%d", qt.ID), map[string]any{"price": 2, "includes": "x", "timeline_days": 1, "outcome": "y"},
				expect{map[who]int{guest: 401, provider: 200}, 404}},
			{"POST", fmt.Sprintf("/api/v1/quotes/%d/accept", qt.ID), nil, demandRead(403, 403)},
			{"GET", "/api/v1/deals", nil, anyUser(200)},
			{"GET", fmt.Sprintf("/api/v1/deals/%d", deal.ID), nil, demandRead(200, 200)},
			{"PATCH", fmt.Sprintf("/api/v1/deals/%d", deal.ID), map[string]any{"milestones": []map[string]any{{"title": "进场"}}},
				expect{map[who]int{guest: 401, admin: 403, assocA: 403, entA: 200, provider: 200}, 404}},
			{"POST", fmt.Sprintf("/api/v1/deals/%d/ratings", deal.ID), map[string]any{"score": 5},
				expect{map[who]int{guest: 401, admin: 403, assocA: 403, entA: 409, provider: 409}, 404}},
			{"GET", "/api/v1/savings", nil, staff(200)},
			{"POST", fmt.Sprintf("/api/v1/providers/%d/tie", q.ID), nil, expect{map[who]int{guest: 401}, 204}},
		}
		for _, c := range cases {
			for _, w := range apptest.Everyone {
				r := e.API(w, c.method, c.path, c.body)
				if want := c.want.status(w); r.StatusCode != want {
					t.Errorf("%s %s as %s: %d, want %d\n%s", c.method, c.path, w, r.StatusCode, want, truncate(r.Body))
				}
			}
		}
		// Files: the demand's enterprise and the deal's sides attach; those
		// who see them download.
		uploads := []struct {
			path string
			want expect
		}{
			{fmt.Sprintf("/api/v1/demands/%d/attachments", d), owner(200)},
			{fmt.Sprintf("/api/v1/deals/%d/evidence", deal.ID), expect{map[who]int{guest: 401, admin: 403, assocA: 403, entA: 200, provider: 200}, 404}},
		}
		for _, u := range uploads {
			for _, w := range apptest.Everyone {
				if r := uploadFile(e, w, u.path, "file", pngBytes(t)); r.StatusCode != u.want.status(w) {
					t.Errorf("POST %s as %s: %d, want %d", u.path, w, r.StatusCode, u.want.status(w))
				}
			}
		}
		for _, g := range []struct {
			path string
			want expect
		}{
			{fmt.Sprintf("/api/v1/demands/%d/attachments/1", d), demandRead(200, 200)},
			{fmt.Sprintf("/api/v1/deals/%d/evidence/2", deal.ID), demandRead(200, 200)},
		} {
			for _, w := range apptest.Everyone {
				if r := e.API(w, "GET", g.path, nil); r.StatusCode != g.want.status(w) {
					t.Errorf("GET %s as %s: %d, want %d", g.path, w, r.StatusCode, g.want.status(w))
				}
			}
		}
		if r := uploadFile(e, entA, fmt.Sprintf("/api/v1/demands/%d/attachments", d), "file", []byte("plain text, not a document")); r.StatusCode != 415 {
			t.Errorf("a text file as a demand's attachment: %d", r.StatusCode)
		}
	})
}

// TestMarketRoutesAnswerAlikeOnBothFaces: each through-train action the
// web offers answers every logged-in role as the API does.
func TestMarketRoutesAnswerAlikeOnBothFaces(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		bureau := model.Actor{User: e.Users[admin]}
		prov := model.Actor{User: e.Users[provider]}
		ent := model.Actor{User: e.Users[entA]}
		n := 0
		newProvider := func() int64 {
			n++
			uscc, _ := model.BuildUSCC("91330481", fmt.Sprintf("MA2Q%04d", n))
			p, err := e.Store.RegisterProvider(ctx, bureau, model.ProviderInput{USCC: uscc, Name: fmt.Sprintf("服务商%d", n), Categories: []string{"waste_gas"},
				ContactName: "联系人", ContactPhone: "13800001111"})
			must(t, err)
			return p.ID
		}
		uscc, _ := model.BuildUSCC("91330481", "MA2P00F1")
		own, err := e.Store.RegisterProvider(ctx, prov, model.ProviderInput{USCC: uscc, Name: "本服务商", Categories: []string{"waste_gas"},
			ContactName: "联系人", ContactPhone: "13800001111"})
		must(t, err)
		prov.User.ProviderID = &own.ID
		must(t, errOf(e.Store.VerifyProvider(ctx, bureau, own.ID)))
		submitted := func() int64 {
			d, err := e.Store.PostDemand(ctx, ent, model.DemandInput{Title: "需求", Category: "waste_gas", Description: "描述", QuoteDeadline: e.Clock.Now().Add(48 * time.Hour)})
			must(t, err)
			return d.ID
		}
		published := func() int64 {
			id := submitted()
			must(t, errOf(e.Store.ReviewDemand(ctx, bureau, id, model.DemandReview{Decision: "publish"})))
			return id
		}
		quoteIn := model.QuoteInput{Price: 10, Includes: "全部", TimelineDays: 10, Outcome: "达标"}
		quoted := func() int64 { // a closed demand's quote, ready to accept
			id := published()
			q, err := e.Store.SendQuote(ctx, prov, id, quoteIn)
			must(t, err)
			must(t, errOf(e.Store.CloseQuoting(ctx, ent, id)))
			return q.ID
		}
		deal := func(complete bool) int64 {
			k, err := e.Store.AcceptQuote(ctx, ent, quoted())
			must(t, err)
			if complete {
				b, a, note := 10.0, 5.0, "费用"
				must(t, errOf(e.Store.PatchDeal(ctx, ent, k.ID, model.DealPatch{BaselineCost: &b, AchievedCost: &a, BaselineNote: &note, Complete: true})))
			}
			return k.ID
		}
		shown := published()
		class := func(code int, web bool) string {
			if code >= 200 && code < 300 || web && code == 303 {
				return "ok"
			}
			return fmt.Sprint(code)
		}
		demandForm := url.Values{"title": {"网页需求"}, "category": {"waste_gas"}, "description": {"描述"},
			"quote_deadline": {e.Clock.Now().Add(72 * time.Hour).In(model.ChinaTime).Format("2006-01-02T15:04")}}
		demandJSON := demandBody(e, "接口需求", "waste_gas", 72)
		quoteForm := url.Values{"price": {"10"}, "includes": {"全部"}, "timeline_days": {"10"}, "outcome": {"达标"}}
		quoteJSON := map[string]any{"price": 10, "includes": "全部", "timeline_days": 10, "outcome": "达标"}
		cases := []struct {
			name string
			api  func(w apptest.Who) int
			web  func(b *apptest.Browser) int
		}{
			{"read a provider", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/providers/%d", own.ID), nil).StatusCode
			},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/providers/%d", own.ID)).StatusCode }},
			{"change a provider", func(w apptest.Who) int {
				return e.API(w, "PUT", fmt.Sprintf("/api/v1/providers/%d", own.ID), providerBody("MA2P00F1", "本服务商", []string{"waste_gas"}, nil, nil, nil, nil)).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/providers/%d/edit", own.ID), url.Values{"name": {"本服务商"}, "categories": {"waste_gas"},
					"contact_name": {"联系人"}, "contact_phone": {"13800001234"}}).StatusCode
			}},
			{"verify", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/providers/%d/verify", newProvider()), nil).StatusCode
			},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/providers/%d/verify", newProvider()), nil).StatusCode
				}},
			{"grade", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/providers/%d/grade", newProvider()), map[string]any{"grade": "blue", "reason": "良好"}).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/providers/%d/grade", newProvider()), url.Values{"grade": {"blue"}, "reason": {"良好"}}).StatusCode
			}},
			{"post a demand", func(w apptest.Who) int { return e.API(w, "POST", "/api/v1/demands", demandJSON).StatusCode },
				func(b *apptest.Browser) int { return b.Post("/demands", demandForm).StatusCode }},
			{"read a demand", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/demands/%d", shown), nil).StatusCode
			},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/demands/%d", shown)).StatusCode }},
			{"change a demand", func(w apptest.Who) int {
				return e.API(w, "PUT", fmt.Sprintf("/api/v1/demands/%d", submitted()), demandJSON).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/demands/%d/edit", submitted()), demandForm).StatusCode
			}},
			{"review", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/demands/%d/review", submitted()), map[string]any{"decision": "publish"}).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/demands/%d/review", submitted()), url.Values{"decision": {"publish"}}).StatusCode
			}},
			{"close quoting", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/demands/%d/close", published()), nil).StatusCode
			},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/demands/%d/close", published()), nil).StatusCode
				}},
			{"cancel", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/demands/%d/cancel", published()), nil).StatusCode
			},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/demands/%d/cancel", published()), nil).StatusCode
				}},
			{"quote", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/demands/%d/quotes", published()), quoteJSON).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/demands/%d/quotes", published()), quoteForm).StatusCode
			}},
			{"accept", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/quotes/%d/accept", quoted()), nil).StatusCode
			},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/quotes/%d/accept", quoted()), nil).StatusCode
				}},
			{"read a deal", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/deals/%d", deal(false)), nil).StatusCode
			},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/deals/%d", deal(false))).StatusCode }},
			{"milestones", func(w apptest.Who) int {
				return e.API(w, "PATCH", fmt.Sprintf("/api/v1/deals/%d", deal(false)), map[string]any{"milestones": []map[string]any{{"title": "进场"}}}).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/deals/%d", deal(false)), url.Values{"m_title0": {"进场"}}).StatusCode
			}},
			{"attach to a demand", func(w apptest.Who) int {
				return uploadFile(e, w, fmt.Sprintf("/api/v1/demands/%d/attachments", submitted()), "file", pngBytes(t)).StatusCode
			}, func(b *apptest.Browser) int {
				return webUpload(t, e, b, fmt.Sprintf("/demands/%d/attachments", submitted()), nil, "file", pngBytes(t)).StatusCode
			}},
			{"evidence of a deal", func(w apptest.Who) int {
				return uploadFile(e, w, fmt.Sprintf("/api/v1/deals/%d/evidence", deal(false)), "file", pngBytes(t)).StatusCode
			}, func(b *apptest.Browser) int {
				return webUpload(t, e, b, fmt.Sprintf("/deals/%d/evidence", deal(false)), nil, "file", pngBytes(t)).StatusCode
			}},
			{"rate", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/deals/%d/ratings", deal(true)), map[string]any{"score": 4}).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/deals/%d/ratings", deal(true)), url.Values{"score": {"4"}}).StatusCode
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
