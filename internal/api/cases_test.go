package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// caseBody is a valid case for the VOCs of industries under C39.
func caseBody(title string) map[string]any {
	return map[string]any{"title": title, "industries": []string{"c39"}, "pollutants": []string{"vocs"},
		"technique": "沸石转轮浓缩＋RTO", "source": "测试来源", "provider": "某环保公司", "investment": 450, "running_cost": 60,
		"figures": []map[string]any{{"name": "非甲烷总烃", "unit": "mg/m³", "before": 85, "after": 12}}}
}

func caseOf(t *testing.T, r *apptest.Response, status int) model.TechCase {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("status %d, want %d: %s", r.StatusCode, status, r.Body)
	}
	var c model.TechCase
	r.JSON(t, &c)
	return c
}

// TestTechCasesReachTheUnitsTheyFit (issue 11, item 6): a provider submits
// a case, the bureau publishes it, and it is pushed to exactly the key
// discharge units whose industry and main pollutants it fits (the SQL
// agrees with model.CaseFits enterprise by enterprise); an opened case is
// read for the enterprise; an enterprise's interest is a lead the bureau
// and its town's association see, once.
func TestTechCasesReachTheUnitsTheyFit(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		// A: a key unit of C3985 with VOCs (fits). B: VOCs but on no key
		// list. C: a key unit of C3985 with COD only. D: a key unit with
		// VOCs in another industry. F: fits but closed.
		r := e.API(admin, "PATCH", fmt.Sprintf("/api/v1/enterprises/%d", e.Ents["A"]), map[string]any{"key_lists": []string{"air"},
			"pollutants": []string{"vocs", "cod", "vocs"}})
		if r.StatusCode != 200 {
			t.Fatalf("patch A: %d %s", r.StatusCode, r.Body)
		}
		var a model.Enterprise
		r.JSON(t, &a)
		if strings.Join(a.Pollutants, ",") != "cod,vocs" {
			t.Errorf("pollutants not normalised: %v", a.Pollutants)
		}
		if r := e.API(admin, "PATCH", fmt.Sprintf("/api/v1/enterprises/%d", e.Ents["A"]), map[string]any{"pollutants": []string{"smoke"}}); r.StatusCode != 422 ||
			errorFields(t, r)["pollutants"] == "" {
			t.Errorf("an unknown pollutant: %d %s", r.StatusCode, r.Body)
		}
		must(t, errOf(e.Store.UpdateEnterprise(ctx, sys, e.Ents["B"], model.EnterprisePatch{Pollutants: &[]string{"vocs"}})))
		mk := func(code, industry, status string, lists, pollutants []string) *model.Enterprise {
			uscc, _ := model.BuildUSCC("91330481", code)
			x, err := e.Store.CreateEnterprise(ctx, sys, model.Enterprise{USCC: uscc, Name: "企业" + code, RegionID: e.Regions["A"], Kind: model.KindCompany,
				IndustryCode: industry, KeyLists: lists, Pollutants: pollutants, Status: status})
			must(t, err)
			return x
		}
		c := mk("MA2C0CE1", "C3985", model.StatusActive, []string{"water"}, []string{"cod"})
		d := mk("MA2C0CE2", "C2614", model.StatusActive, []string{"air"}, []string{"vocs"})
		f := mk("MA2C0CE3", "C3985", model.StatusClosed, []string{"air"}, []string{"vocs"})

		if r := e.API(entA, "POST", "/api/v1/cases", caseBody("企业提交")); r.StatusCode != 403 {
			t.Errorf("an enterprise submits a case: %d", r.StatusCode)
		}
		x := caseOf(t, e.API(provider, "POST", "/api/v1/cases", caseBody("涂装 VOCs 治理")), 201)
		if x.Status != model.CaseSubmitted || strings.Join(x.Industries, ",") != "C39" || !x.Can.Edit || x.Can.Review {
			t.Errorf("submitted: %+v", x)
		}
		path := fmt.Sprintf("/api/v1/cases/%d", x.ID)
		for _, w := range []who{entA, lecturer, assocA} {
			if r := e.API(w, "GET", path, nil); r.StatusCode != 404 {
				t.Errorf("%s reads an unpublished case: %d", w, r.StatusCode)
			}
		}
		var l model.List[model.TechCase]
		e.API(admin, "GET", "/api/v1/cases?box=review", nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].ID != x.ID || !l.Items[0].Can.Review {
			t.Errorf("the bureau's queue: %+v", l.Items)
		}
		if r := e.API(assocA, "GET", "/api/v1/cases?box=review", nil); r.StatusCode != 403 {
			t.Errorf("an association reads the queue: %d", r.StatusCode)
		}
		if r := e.API(admin, "POST", path+"/review", map[string]any{"decision": "return"}); r.StatusCode != 422 || errorFields(t, r)["reason"] == "" {
			t.Errorf("a return without a reason: %d %s", r.StatusCode, r.Body)
		}
		x = caseOf(t, e.API(admin, "POST", path+"/review", map[string]any{"decision": "publish"}), 200)
		if x.Status != model.CasePublished || x.Recipients != 1 || x.PublishedAt == nil {
			t.Fatalf("published: %+v", x)
		}
		if r := e.API(admin, "POST", path+"/review", map[string]any{"decision": "publish"}); r.StatusCode != 409 {
			t.Errorf("published twice: %d", r.StatusCode)
		}
		if r := e.API(provider, "PUT", path, caseBody("改")); r.StatusCode != 409 {
			t.Errorf("a published case changed: %d", r.StatusCode)
		}
		// The push agrees with the rule, enterprise by enterprise.
		var readers model.List[model.CaseReader]
		e.API(admin, "GET", path+"/readers", nil).JSON(t, &readers)
		for _, id := range []int64{e.Ents["A"], e.Ents["B"], c.ID, d.ID, f.ID} {
			ent, err := e.Store.Enterprise(ctx, sys, id)
			must(t, err)
			pushed := slices.ContainsFunc(readers.Items, func(r model.CaseReader) bool { return r.EnterpriseID == id })
			if fits := model.CaseFits(&x.CaseInput, ent); fits != pushed || pushed != (id == e.Ents["A"]) {
				t.Errorf("%s: fits %v, pushed %v", ent.Name, fits, pushed)
			}
		}
		// A's account has the notice and the case unread; opening it reads it.
		if !hasNotice(t, e, entA, "case") || hasNotice(t, e, entB, "case") {
			t.Error("the push notice went to the wrong accounts")
		}
		e.API(entA, "GET", "/api/v1/cases?box=pushed", nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].ReadAt != nil || !l.Items[0].Pushed {
			t.Fatalf("A's pushed box: %+v", l.Items)
		}
		got := caseOf(t, e.API(entA, "GET", path, nil), 200)
		if !got.Pushed || got.ReadAt == nil || got.Reads != 1 || got.Can.Edit || !got.Can.Interest {
			t.Errorf("A opens it: %+v", got)
		}
		caseOf(t, e.API(entA, "GET", path, nil), 200)
		e.API(admin, "GET", path+"/readers", nil).JSON(t, &readers)
		if len(readers.Items) != 1 || readers.Items[0].ReadAt == nil {
			t.Errorf("readers after reading: %+v", readers.Items)
		}
		if x := caseOf(t, e.API(admin, "GET", path, nil), 200); x.Reads != 1 {
			t.Errorf("read twice counts %d", x.Reads)
		}
		// B (not pushed) reads it from the library and marks interest, once.
		if got := caseOf(t, e.API(entB, "GET", path, nil), 200); got.Pushed || got.ReadAt != nil {
			t.Errorf("B was not pushed: %+v", got)
		}
		got = caseOf(t, e.API(entB, "POST", path+"/interest", map[string]any{"note": "想了解投资回收期"}), 200)
		if !got.Interested || got.Interests != 1 || got.Can.Interest {
			t.Errorf("B's interest: %+v", got)
		}
		if got := caseOf(t, e.API(entB, "POST", path+"/interest", nil), 200); got.Interests != 1 {
			t.Errorf("interest twice counts %d", got.Interests)
		}
		if r := e.API(provider, "POST", path+"/interest", nil); r.StatusCode != 403 {
			t.Errorf("a provider marks interest: %d", r.StatusCode)
		}
		var leads model.List[model.CaseLead]
		e.API(admin, "GET", "/api/v1/cases/leads", nil).JSON(t, &leads)
		if len(leads.Items) != 1 || leads.Items[0].EnterpriseID != e.Ents["B"] || leads.Items[0].Note != "想了解投资回收期" {
			t.Errorf("the bureau's leads: %+v", leads.Items)
		}
		e.API(assocB, "GET", "/api/v1/cases/leads", nil).JSON(t, &leads)
		if len(leads.Items) != 1 {
			t.Errorf("B's association sees its town's lead: %+v", leads.Items)
		}
		e.API(assocA, "GET", "/api/v1/cases/leads", nil).JSON(t, &leads)
		if len(leads.Items) != 0 {
			t.Errorf("A's association sees another town's lead: %+v", leads.Items)
		}
		if !hasNotice(t, e, admin, "case_lead") || !hasNotice(t, e, assocB, "case_lead") || hasNotice(t, e, assocA, "case_lead") {
			t.Error("the lead notice went to the wrong accounts")
		}
		e.API(assocB, "GET", path+"/readers", nil).JSON(t, &readers)
		if len(readers.Items) != 0 {
			t.Errorf("another town's association sees A: %+v", readers.Items)
		}
		// The library by industry and pollutant.
		for q, want := range map[string]bool{"": true, "industry=C3985": true, "industry=c39": true, "industry=C": true, "industry=C17": false,
			"pollutant=vocs": true, "pollutant=cod": false, "industry=C3985&pollutant=vocs": true} {
			e.API(entA, "GET", "/api/v1/cases?"+q, nil).JSON(t, &l)
			if (len(l.Items) == 1) != want {
				t.Errorf("cases?%s: %d, want found %v", q, len(l.Items), want)
			}
		}
		if r := e.API(entA, "GET", "/api/v1/cases?pollutant=smoke", nil); r.StatusCode != 422 {
			t.Errorf("an unknown pollutant filter: %d", r.StatusCode)
		}
	})
}

func hasNotice(t *testing.T, e *apptest.Env, w who, kind string) bool {
	t.Helper()
	var l struct {
		Items []struct {
			Kind string `json:"kind"`
		} `json:"items"`
	}
	e.API(w, "GET", "/api/v1/notifications", nil).JSON(t, &l)
	return slices.ContainsFunc(l.Items, func(n struct {
		Kind string `json:"kind"`
	}) bool {
		return n.Kind == kind
	})
}

// TestCaseReviewAndBadInput: a returned case tells its submitter why and,
// changed, goes back to the bureau; attachments are checked files; bad
// input names its field and stores nothing.
func TestCaseReviewAndBadInput(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		x := caseOf(t, e.API(lecturer, "POST", "/api/v1/cases", caseBody("高校成果")), 201)
		path := fmt.Sprintf("/api/v1/cases/%d", x.ID)
		x = caseOf(t, e.API(admin, "POST", path+"/review", map[string]any{"decision": "return", "reason": "请补充费用数据"}), 200)
		if x.Status != model.CaseReturned || x.Reason != "请补充费用数据" || !hasNotice(t, e, lecturer, "case_returned") {
			t.Errorf("returned: %+v", x)
		}
		if r := e.API(admin, "POST", path+"/review", map[string]any{"decision": "publish"}); r.StatusCode != 409 {
			t.Errorf("a returned case published before it is changed: %d", r.StatusCode)
		}
		if r := e.API(provider, "PUT", path, caseBody("别人的")); r.StatusCode != 404 {
			t.Errorf("another account changes it: %d", r.StatusCode)
		}
		x = caseOf(t, e.API(lecturer, "PUT", path, caseBody("高校成果（补充）")), 200)
		if x.Status != model.CaseSubmitted || x.Reason != "" || x.Title != "高校成果（补充）" {
			t.Errorf("resubmitted: %+v", x)
		}
		// Attachments: a checked file, downloadable by those who see the case.
		if r := uploadFile(e, lecturer, path+"/attachments", "file", []byte("not a document")); r.StatusCode != 415 {
			t.Errorf("a text file attached: %d %s", r.StatusCode, r.Body)
		}
		if r := uploadFile(e, provider, path+"/attachments", "file", pngBytes(t)); r.StatusCode != 404 {
			t.Errorf("another account attaches: %d", r.StatusCode)
		}
		x = caseOf(t, uploadFile(e, lecturer, path+"/attachments", "file", pngBytes(t)), 200)
		if len(x.Attachments) != 1 || x.Attachments[0].N != 1 || x.Attachments[0].ContentType != "image/png" {
			t.Fatalf("attached: %+v", x.Attachments)
		}
		if r := e.API(lecturer, "GET", path+"/attachments/1", nil); r.StatusCode != 200 || len(r.Body) == 0 {
			t.Errorf("download: %d", r.StatusCode)
		}
		for _, w := range []who{entA, provider} {
			if r := e.API(w, "GET", path+"/attachments/1", nil); r.StatusCode != 404 {
				t.Errorf("%s downloads from an unpublished case: %d", w, r.StatusCode)
			}
		}
		if r := e.API(lecturer, "GET", path+"/attachments/2", nil); r.StatusCode != 404 {
			t.Errorf("a missing attachment: %d", r.StatusCode)
		}
		caseOf(t, e.API(admin, "POST", path+"/review", map[string]any{"decision": "publish"}), 200)
		if r := e.API(entA, "GET", path+"/attachments/1", nil); r.StatusCode != 200 {
			t.Errorf("download from a published case: %d", r.StatusCode)
		}
		if r := uploadFile(e, lecturer, path+"/attachments", "file", pngBytes(t)); r.StatusCode != 409 {
			t.Errorf("attach to a published case: %d", r.StatusCode)
		}
		// Bad input: each names its field, nothing is stored.
		bad := func(change func(b map[string]any)) map[string]any {
			b := caseBody("坏")
			change(b)
			return b
		}
		for field, body := range map[string]map[string]any{
			"figures":      bad(func(b map[string]any) { b["figures"] = []map[string]any{} }),
			"pollutants":   bad(func(b map[string]any) { b["pollutants"] = []string{"smoke"} }),
			"industries":   bad(func(b map[string]any) { b["industries"] = []string{"39"} }),
			"investment":   bad(func(b map[string]any) { b["investment"] = -1 }),
			"source":       bad(func(b map[string]any) { b["source"] = " " }),
			"technique":    bad(func(b map[string]any) { b["technique"] = "a\x00b" }),
			"running_cost": bad(func(b map[string]any) { b["running_cost"] = 1e9 }),
		} {
			r := e.API(provider, "POST", "/api/v1/cases", body)
			if r.StatusCode != 422 && !(field == "technique" && r.StatusCode == 400) {
				t.Errorf("%s: %d %s", field, r.StatusCode, r.Body)
			} else if r.StatusCode == 422 && errorFields(t, r)[field] == "" {
				t.Errorf("%s not named: %s", field, r.Body)
			}
		}
		var l model.List[model.TechCase]
		e.API(provider, "GET", "/api/v1/cases?box=mine", nil).JSON(t, &l)
		if len(l.Items) != 0 {
			t.Errorf("bad input stored %d cases", len(l.Items))
		}
	})
}

// TestCaseRoleMatrix: every case route answers every role as its
// permission says, on both databases: published cases are read by every
// account, submitted ones by their submitter and the bureau (404 to the
// rest); only the bureau reviews; only enterprises mark interest; leads
// and readers are the bureau's and the associations'.
func TestCaseRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		bureau := model.Actor{User: e.Users[admin]}
		in := model.CaseInput{Title: "案例", Pollutants: []string{"vocs"}, Technique: "技术", Source: "来源",
			Figures: []model.CaseFigure{{Name: "浓度", Unit: "mg/m³", Before: 10, After: 1}}}
		pub, err := e.Store.SubmitCase(ctx, model.Actor{User: e.Users[provider]}, in)
		must(t, err)
		must(t, errOf(e.Store.ReviewCase(ctx, bureau, pub.ID, model.CaseReview{Decision: "publish"})))
		draft, err := e.Store.SubmitCase(ctx, model.Actor{User: e.Users[provider]}, in)
		must(t, err)
		_, err = e.Store.AddCaseFile(ctx, model.Actor{User: e.Users[provider]}, draft.ID, model.CaseAttachment{Name: "a.png", Size: 1, ContentType: "image/png"}, "")
		must(t, err)
		review := func(w who) int {
			fresh, err := e.Store.SubmitCase(ctx, model.Actor{User: e.Users[provider]}, in)
			must(t, err)
			return e.API(w, "POST", fmt.Sprintf("/api/v1/cases/%d/review", fresh.ID), map[string]any{"decision": "publish"}).StatusCode
		}
		staff := func(ok int) expect { return expect{map[who]int{guest: 401, admin: ok, assocA: ok, assocB: ok}, 403} }
		submitters := expect{map[who]int{guest: 401, entA: 403, entB: 403}, 201}
		cases := []struct {
			method, path string
			body         any
			want         expect
			call         func(w who) int
		}{
			{"GET", "/api/v1/cases", nil, anyUser(200), nil},
			{"GET", "/api/v1/cases?box=review", nil, adminOnly(200), nil},
			{"POST", "/api/v1/cases", caseBody("新案例"), submitters, nil},
			{"GET", "/api/v1/cases/leads", nil, staff(200), nil},
			{"GET", fmt.Sprintf("/api/v1/cases/%d", pub.ID), nil, anyUser(200), nil},
			{"GET", fmt.Sprintf("/api/v1/cases/%d", draft.ID), nil, expect{map[who]int{guest: 401, admin: 200, provider: 200}, 404}, nil},
			{"PUT", fmt.Sprintf("/api/v1/cases/%d", draft.ID), caseBody("改"), expect{map[who]int{guest: 401, admin: 200, provider: 200}, 404}, nil},
			{"PUT", fmt.Sprintf("/api/v1/cases/%d", pub.ID), caseBody("改"), expect{map[who]int{guest: 401}, 409}, nil},
			{"POST", "review", nil, adminOnly(200), review},
			{"GET", fmt.Sprintf("/api/v1/cases/%d/attachments/1", draft.ID), nil, expect{map[who]int{guest: 401}, 404}, nil},
			{"POST", fmt.Sprintf("/api/v1/cases/%d/interest", pub.ID), nil, expect{map[who]int{guest: 401, entA: 200, entB: 200}, 403}, nil},
			{"POST", fmt.Sprintf("/api/v1/cases/%d/interest", draft.ID), nil, expect{map[who]int{guest: 401, entA: 404, entB: 404}, 403}, nil},
			{"GET", fmt.Sprintf("/api/v1/cases/%d/readers", pub.ID), nil, staff(200), nil},
		}
		for _, c := range cases {
			for _, w := range apptest.Everyone {
				var got int
				if c.call != nil {
					got = c.call(w)
				} else {
					got = e.API(w, c.method, c.path, c.body).StatusCode
				}
				if want := c.want.status(w); got != want {
					t.Errorf("%s %s as %s: %d, want %d", c.method, c.path, w, got, want)
				}
			}
		}
	})
}

// TestCaseRoutesAnswerAlikeOnBothFaces: each case action the web offers
// answers every logged-in role as the API does.
func TestCaseRoutesAnswerAlikeOnBothFaces(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		bureau := model.Actor{User: e.Users[admin]}
		in := model.CaseInput{Title: "案例", Pollutants: []string{"vocs"}, Technique: "技术", Source: "来源",
			Figures: []model.CaseFigure{{Name: "浓度", Unit: "mg/m³", Before: 10, After: 1}}}
		fresh := func() int64 {
			c, err := e.Store.SubmitCase(ctx, model.Actor{User: e.Users[provider]}, in)
			must(t, err)
			return c.ID
		}
		published := func() int64 {
			id := fresh()
			must(t, errOf(e.Store.ReviewCase(ctx, bureau, id, model.CaseReview{Decision: "publish"})))
			return id
		}
		draft := fresh()
		class := func(code int, web bool) string {
			if code >= 200 && code < 300 || web && code == 303 {
				return "ok"
			}
			return fmt.Sprint(code)
		}
		form := url.Values{"title": {"网页案例"}, "pollutants": {"vocs"}, "technique": {"技术"}, "source": {"来源"},
			"fig_name0": {"浓度"}, "fig_unit0": {"mg/m³"}, "fig_before0": {"10"}, "fig_after0": {"1"}}
		cases := []struct {
			name string
			api  func(w apptest.Who) int
			web  func(b *apptest.Browser) int
		}{
			{"list the library", func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/cases", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/cases").StatusCode }},
			{"the review queue", func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/cases?box=review", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/cases?box=review").StatusCode }},
			{"submit", func(w apptest.Who) int { return e.API(w, "POST", "/api/v1/cases", caseBody("案例")).StatusCode },
				func(b *apptest.Browser) int { return b.Post("/cases", form).StatusCode }},
			{"read a draft", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/cases/%d", draft), nil).StatusCode
			},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/cases/%d", draft)).StatusCode }},
			{"change a draft", func(w apptest.Who) int {
				return e.API(w, "PUT", fmt.Sprintf("/api/v1/cases/%d", draft), caseBody("案例")).StatusCode
			}, func(b *apptest.Browser) int { return b.Post(fmt.Sprintf("/cases/%d/edit", draft), form).StatusCode }},
			{"review", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/cases/%d/review", fresh()), map[string]any{"decision": "publish"}).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/cases/%d/review", fresh()), url.Values{"decision": {"publish"}}).StatusCode
			}},
			{"mark interest", func(w apptest.Who) int {
				return e.API(w, "POST", fmt.Sprintf("/api/v1/cases/%d/interest", published()), nil).StatusCode
			}, func(b *apptest.Browser) int {
				return b.Post(fmt.Sprintf("/cases/%d/interest", published()), nil).StatusCode
			}},
			{"readers", func(w apptest.Who) int {
				return e.API(w, "GET", fmt.Sprintf("/api/v1/cases/%d/readers", published()), nil).StatusCode
			}, func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/cases/%d/readers", published())).StatusCode }},
			{"leads", func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/cases/leads", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/cases/leads").StatusCode }},
			{"attach a file", func(w apptest.Who) int {
				return uploadFile(e, w, fmt.Sprintf("/api/v1/cases/%d/attachments", fresh()), "file", pngBytes(t)).StatusCode
			}, func(b *apptest.Browser) int {
				return webUpload(t, e, b, fmt.Sprintf("/cases/%d/attachments", fresh()), nil, "file", pngBytes(t)).StatusCode
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

// TestCaseDecidedOnce: reviewers publishing the same case at once, and its
// submitter changing it meanwhile, leave one decision, one push per unit
// and no server error.
func TestCaseDecidedOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		must(t, errOf(e.Store.UpdateEnterprise(t.Context(), model.SystemActor(), e.Ents["A"], model.EnterprisePatch{KeyLists: &[]string{"air"},
			Pollutants: &[]string{"vocs"}})))
		x := caseOf(t, e.API(provider, "POST", "/api/v1/cases", caseBody("并发")), 201)
		path := fmt.Sprintf("/api/v1/cases/%d", x.ID)
		codes := make(chan int, 12)
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%3 == 2 {
					codes <- -e.API(provider, "PUT", path, caseBody("并发（改）")).StatusCode
					return
				}
				codes <- e.API(admin, "POST", path+"/review", map[string]any{"decision": "publish"}).StatusCode
			}()
		}
		wg.Wait()
		close(codes)
		published := 0
		for c := range codes {
			switch c {
			case 200:
				published++
			case 409, -200, -409:
			default:
				t.Errorf("status %d", c)
			}
		}
		got := caseOf(t, e.API(admin, "GET", path, nil), 200)
		if published != 1 || got.Status != model.CasePublished || got.Recipients != 1 {
			t.Errorf("published %d times; the case: %s, %d recipients", published, got.Status, got.Recipients)
		}
	})
}
