package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// attend gives a manager of enterprise B a completed, attended class, so
// that the person has hours and a certificate that are B's business.
func attend(t *testing.T, ce *courseEnv, manager int64) model.Certificate {
	t.Helper()
	e := ce.Env
	k := ce.class(t, 10, 0, e.Clock.Now().Add(2*time.Hour))
	r, b := ce.book(t, entB, k.ID, manager)
	if r.StatusCode != 201 {
		t.Fatalf("book: %d %s", r.StatusCode, r.Body)
	}
	e.Clock.Advance(2*time.Hour + 5*time.Minute)
	if r := e.API(lecturer, "POST", fmt.Sprintf("/api/v1/classes/%d/checkins", k.ID), map[string]any{"code": b.Code}); r.StatusCode != 200 {
		t.Fatalf("check in: %d %s", r.StatusCode, r.Body)
	}
	e.Clock.Advance(3 * time.Hour)
	if r := e.API(lecturer, "POST", fmt.Sprintf("/api/v1/classes/%d/complete", k.ID), nil); r.StatusCode != 200 {
		t.Fatalf("complete: %d %s", r.StatusCode, r.Body)
	}
	var c model.Certificate
	e.API(entB, "GET", fmt.Sprintf("/api/v1/bookings/%d/certificate", b.ID), nil).JSON(t, &c)
	if c.Code == "" {
		t.Fatal("no certificate")
	}
	return c
}

type credits struct {
	Progress model.CreditProgress `json:"progress"`
	History  []model.CreditRecord `json:"history"`
}

func creditsOf(t *testing.T, e *apptest.Env, w who, manager int64) (credits, string) {
	t.Helper()
	r := e.API(w, "GET", fmt.Sprintf("/api/v1/managers/%d/credits?year=%d", manager, e.Clock.Now().Year()), nil)
	if r.StatusCode != 200 {
		t.Fatalf("%s reads credits of %d: %d %s", w, manager, r.StatusCode, r.Body)
	}
	var c credits
	r.JSON(t, &c)
	return c, string(r.Body)
}

// shape is an answer's keys and the values that could tell one manager
// from another beyond what the adder typed: whether a link shows and the
// rights.
func shape(t *testing.T, r *apptest.Response) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatal(err)
	}
	keys := []string{}
	for k := range m {
		keys = append(keys, k)
	}
	return fmt.Sprintf("%d %d %v %v %v", r.StatusCode, len(keys), m["link"], m["can"], m["status"])
}

func linkRequests(t *testing.T, e *apptest.Env, w who) []model.LinkRequest {
	t.Helper()
	var l model.List[model.LinkRequest]
	r := e.API(w, "GET", "/api/v1/manager-links", nil)
	if r.StatusCode != 200 {
		t.Fatalf("%s lists links: %d %s", w, r.StatusCode, r.Body)
	}
	r.JSON(t, &l)
	return l.Items
}

// TestSharedPersonsDoNotLeak (hardening, item 12): an enterprise that adds
// a manager with the mobile of someone serving another town's enterprise
// learns nothing from the answer, whatever name it gives; the person's
// hours reach it only after its association confirms that it is the same
// person, and then only as a total, never the other enterprise's classes
// or certificate codes. A wrong name can only be rejected, and the
// rejection (with its reason) is what the adder then sees.
func TestSharedPersonsDoNotLeak(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e) // ce.mB: 李四, 13800000009, at enterprise B (town B)
		cert := attend(t, ce, ce.mB)
		var wrongB model.Manager
		e.API(admin, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["B"]), map[string]any{"name": "钱八", "mobile": "13800000088"}).JSON(t, &wrongB)
		attend(t, ce, wrongB.ID)

		add := func(name, mobile string) *apptest.Response {
			return e.API(entA, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["A"]), map[string]any{"name": name, "mobile": mobile})
		}
		fresh := add("赵六", "13700000001")
		same := add("李四", "13800000009")   // B's person, right name
		wrong := add("冒名者", "13800000088") // B's person, wrong name
		if shape(t, same) != shape(t, fresh) || shape(t, wrong) != shape(t, fresh) {
			t.Fatalf("the answers differ:\nfresh %s\nsame  %s\nwrong %s", shape(t, fresh), shape(t, same), shape(t, wrong))
		}
		var mFresh, mSame, mWrong model.Manager
		fresh.JSON(t, &mFresh)
		same.JSON(t, &mSame)
		wrong.JSON(t, &mWrong)
		if mWrong.Name != "冒名者" || mWrong.Mobile != "13800000088" {
			t.Errorf("the adder reads back something else: %+v", mWrong)
		}
		// Again: the same answer as adding a fresh number twice.
		if a, b := add("李四", "13800000009"), add("赵六", "13700000001"); a.StatusCode != b.StatusCode || a.ErrorCode() != b.ErrorCode() {
			t.Errorf("a second add answers %d %s, a fresh number's %d %s", a.StatusCode, a.Body, b.StatusCode, b.Body)
		}
		// Nothing of B's person before a decision.
		for _, m := range []int64{mSame.ID, mWrong.ID} {
			c, body := creditsOf(t, e, entA, m)
			if c.Progress.Hours != 0 || c.Progress.OtherHours != 0 || len(c.History) != 0 || strings.Contains(body, cert.Code) {
				t.Errorf("the adder reads the person's hours before a decision: %s", body)
			}
		}

		// Who decides: the association of A's town and the bureau; not B's
		// association, and the enterprise is refused like for any manager.
		if l := linkRequests(t, e, assocB); len(l) != 0 {
			t.Errorf("association B sees A's claims: %+v", l)
		}
		reqs := linkRequests(t, e, assocA)
		if len(reqs) != 2 || len(linkRequests(t, e, admin)) != 2 {
			t.Fatalf("association A sees %d claims", len(reqs))
		}
		byID := map[int64]model.LinkRequest{}
		for _, r := range reqs {
			byID[r.Manager.ID] = r
			if r.Manager.Link == nil || r.Manager.Link.Needs != model.LinkNeedsAssociation || !r.Manager.Can.DecideLink || r.Enterprises != 1 {
				t.Errorf("claim as the decider sees it: %+v %+v", r, r.Manager.Link)
			}
		}
		if !byID[mSame.ID].NameMatches || byID[mWrong.ID].NameMatches {
			t.Errorf("name matches: %+v", byID)
		}
		if strings.Contains(fmt.Sprint(byID), "钱八") {
			t.Error("the registered name is shown to the decider")
		}
		for _, w := range []who{entA, entB, lecturer, provider} {
			for _, m := range []int64{mSame.ID, mFresh.ID} {
				r := e.API(w, "POST", fmt.Sprintf("/api/v1/managers/%d/link", m), map[string]any{"confirm": true})
				if r.StatusCode != 403 {
					t.Errorf("%s decides a link: %d", w, r.StatusCode)
				}
			}
		}
		if r := e.API(assocB, "POST", fmt.Sprintf("/api/v1/managers/%d/link", mSame.ID), map[string]any{"confirm": true}); r.StatusCode != 404 {
			t.Errorf("association B decides A's claim: %d", r.StatusCode)
		}
		if r := e.API(assocA, "POST", fmt.Sprintf("/api/v1/managers/%d/link", mFresh.ID), map[string]any{"confirm": true}); r.StatusCode != 409 {
			t.Errorf("deciding a manager without a claim: %d %s", r.StatusCode, r.Body)
		}

		// A wrong name cannot be confirmed; a rejection needs a reason.
		if r := e.API(assocA, "POST", fmt.Sprintf("/api/v1/managers/%d/link", mWrong.ID), map[string]any{"confirm": true}); r.StatusCode != 409 {
			t.Errorf("confirming a wrong name: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(assocA, "POST", fmt.Sprintf("/api/v1/managers/%d/link", mWrong.ID), map[string]any{"confirm": false}); r.StatusCode != 422 {
			t.Errorf("rejecting without a reason: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(assocA, "POST", fmt.Sprintf("/api/v1/managers/%d/link", mWrong.ID), map[string]any{"confirm": false, "reason": "手机号与姓名不符"}); r.StatusCode != 200 {
			t.Fatalf("reject: %d %s", r.StatusCode, r.Body)
		}
		var got model.Manager
		e.API(entA, "GET", fmt.Sprintf("/api/v1/managers/%d", mWrong.ID), nil).JSON(t, &got)
		if got.Link == nil || got.Link.Status != model.LinkRejected || got.Link.Reason != "手机号与姓名不符" || got.Name != "冒名者" {
			t.Errorf("the adder reads the rejection as %+v %+v", got, got.Link)
		}
		if c, _ := creditsOf(t, e, entA, mWrong.ID); c.Progress.Hours != 0 {
			t.Errorf("a rejected claim has the person's hours: %+v", c.Progress)
		}
		var b model.Manager
		e.API(entB, "GET", fmt.Sprintf("/api/v1/managers/%d", wrongB.ID), nil).JSON(t, &b)
		if b.Name != "钱八" {
			t.Errorf("B's manager renamed: %+v", b)
		}

		// The right name: confirmed, merged; A sees the hours as a total.
		if r := e.API(assocA, "POST", fmt.Sprintf("/api/v1/managers/%d/link", mSame.ID), map[string]any{"confirm": true}); r.StatusCode != 200 {
			t.Fatalf("confirm: %d %s", r.StatusCode, r.Body)
		}
		c, body := creditsOf(t, e, entA, mSame.ID)
		if c.Progress.Hours != 3 || c.Progress.OtherHours != 3 || c.Progress.OtherClasses != 1 || len(c.History) != 0 {
			t.Errorf("after the merge A reads %+v %+v", c.Progress, c.History)
		}
		if strings.Contains(body, cert.Code) || strings.Contains(body, "碳排放权交易管理") {
			t.Errorf("A reads B's class or certificate: %s", body)
		}
		bc, _ := creditsOf(t, e, entB, ce.mB)
		if bc.Progress.Hours != 3 || len(bc.History) != 1 || bc.History[0].CertificateCode != cert.Code || bc.Progress.OtherHours != 0 {
			t.Errorf("B reads its own %+v %+v", bc.Progress, bc.History)
		}
		ac, _ := creditsOf(t, e, admin, mSame.ID)
		if len(ac.History) != 1 || ac.Progress.OtherHours != 0 {
			t.Errorf("the bureau reads %+v %+v", ac.Progress, ac.History)
		}
		var merged, bm model.Manager
		e.API(admin, "GET", fmt.Sprintf("/api/v1/managers/%d", mSame.ID), nil).JSON(t, &merged)
		e.API(admin, "GET", fmt.Sprintf("/api/v1/managers/%d", ce.mB), nil).JSON(t, &bm)
		if merged.PersonID != bm.PersonID || merged.Link != nil {
			t.Errorf("not merged: %+v vs %+v", merged, bm)
		}
		if len(linkRequests(t, e, assocA)) != 0 {
			t.Error("decided claims still listed")
		}
		if r := e.API(assocA, "POST", fmt.Sprintf("/api/v1/managers/%d/link", mSame.ID), map[string]any{"confirm": true}); r.StatusCode != 409 {
			t.Errorf("deciding twice: %d", r.StatusCode)
		}
	})
}

// TestClaimsFromARoster: an association's roster naming a person who
// serves another town is a claim too, written without a problem that
// would tell, decided by the bureau, and found again by the next import.
func TestClaimsFromARoster(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		attend(t, ce, ce.mB)
		var ent model.Enterprise
		e.API(admin, "GET", fmt.Sprintf("/api/v1/enterprises/%d", e.Ents["A"]), nil).JSON(t, &ent)
		file := workbook(t, nil, [][]any{{ent.USCC, "冒名者", "13800000009", "", "环保管理员", "", "", "", "", ""}})
		for run, want := range []int{1, 0} {
			j, r := finished(t, e, assocA, upload(t, e, assocA, file, "all"))
			if j.Status != model.JobDone || !r.Written || len(r.Problems) != 0 || r.ManagersCreated != want {
				t.Fatalf("import %d: %+v %+v", run, j, r)
			}
		}
		if l := linkRequests(t, e, assocA); len(l) != 0 {
			t.Errorf("the association decides its own claim: %+v", l)
		}
		l := linkRequests(t, e, admin)
		if len(l) != 1 || l[0].Manager.Link.Needs != model.LinkNeedsBureau || l[0].NameMatches {
			t.Fatalf("the bureau sees %+v", l)
		}
		var ms model.List[model.Manager]
		e.API(assocA, "GET", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["A"]), nil).JSON(t, &ms)
		for _, m := range ms.Items {
			if m.Link != nil {
				t.Errorf("the association sees the claim's state: %+v", m.Link)
			}
		}
		if c, _ := creditsOf(t, e, assocA, l[0].Manager.ID); c.Progress.Hours != 0 {
			t.Errorf("the claim has B's hours: %+v", c.Progress)
		}
		var notes model.List[*model.Notification]
		e.API(admin, "GET", "/api/v1/notifications", nil).JSON(t, &notes)
		found := false
		for _, n := range notes.Items {
			found = found || n.Kind == model.NoticeLinkPending.Name
		}
		if !found {
			t.Errorf("the bureau was not told: %+v", notes.Items)
		}
	})
}
