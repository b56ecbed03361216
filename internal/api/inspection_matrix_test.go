package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/model"
)

// TestInspectionRoleMatrix: every self-inspection route answers every role
// as its permission says, on both databases: an enterprise's records to
// itself, its town's association and the bureau (404 to anyone else);
// running a self-inspection or working a task to the enterprise (403 to
// staff); verifying to staff (403 to the enterprise).
func TestInspectionRoleMatrix(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := t.Context()
		sys := model.SystemActor()
		ent := model.Actor{User: e.Users[entA]}
		c, err := e.Store.CreateChecklist(ctx, sys, model.ChecklistInput{Title: "自查表", Sections: []model.ChecklistSection{{Title: "A",
			Items: []model.ChecklistItem{{Code: "A1", Point: "持证排污", Severity: "major", Weight: 3}}}}})
		must(t, err)
		_, err = e.Store.PublishChecklist(ctx, sys, c.ID)
		must(t, err)
		m, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张三", Mobile: "13800000001"})
		must(t, err)
		draft, err := e.Store.StartInspection(ctx, ent, e.Ents["A"], c.ID, model.InspectionSelf)
		must(t, err)
		done, err := e.Store.StartInspection(ctx, ent, e.Ents["A"], c.ID, model.InspectionSelf)
		must(t, err)
		_, err = e.Store.SaveAnswer(ctx, ent, done.ID, "A1", model.AnswerInput{Result: model.ResultProblem, Note: "未持证"})
		must(t, err)
		done, err = e.Store.SubmitInspection(ctx, ent, done.ID)
		must(t, err)
		_, err = e.Store.SetObligationFacts(ctx, ent, e.Ents["A"], model.ObligationFacts{DisclosureRequired: true})
		must(t, err)
		obs, err := e.Store.Obligations(ctx, ent, e.Ents["A"])
		must(t, err)
		_, err = e.Store.SyncSchedules(ctx)
		must(t, err)
		scs, err := e.Store.Schedules(ctx, sys, e.Ents["A"])
		must(t, err)
		f, err := e.Server.Files.Put(ctx, files.Photo, "现场.png", bytes.NewReader(pngBytes(t)))
		must(t, err)
		photo, err := e.Store.AddInspectionPhoto(ctx, ent, draft.ID, f.Hash, nil)
		must(t, err)
		plan, err := e.Store.PlanSpotCheck(ctx, model.Actor{User: e.Users[assocA]}, e.Ents["A"], "2026-04")
		must(t, err)

		A := e.Ents["A"]
		inA := expect{map[who]int{guest: 401, admin: 200, assocA: 200, entA: 200}, 404}
		runs := func(ok int) expect { // the enterprise runs; staff who see it may not
			return expect{map[who]int{guest: 401, entA: ok, admin: 403, assocA: 403}, 404}
		}
		cases := []struct {
			method, path string
			body         any
			want         expect
		}{
			{"GET", "/api/v1/checklists", nil, anyUser(200)},
			{"GET", fmt.Sprintf("/api/v1/checklists/%d", c.ID), nil, expect{map[who]int{guest: 401, lecturer: 404, provider: 404}, 200}},
			{"POST", fmt.Sprintf("/api/v1/checklists/%d/publish", c.ID), nil, expect{map[who]int{guest: 401, admin: 409, lecturer: 404, provider: 404}, 403}},
			{"PUT", fmt.Sprintf("/api/v1/checklists/%d", c.ID), checklistBody("县级自查表", "A1"), expect{map[who]int{guest: 401, admin: 200, lecturer: 404, provider: 404}, 403}},
			{"POST", "/api/v1/checklists", checklistBody("补充", "X1"), expect{map[who]int{guest: 401, lecturer: 403, provider: 403}, 201}},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/inspections", A), nil, inA},
			{"POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", A), map[string]any{"checklist_id": c.ID, "kind": "self"}, runs(201)},
			{"GET", fmt.Sprintf("/api/v1/inspections/%d", draft.ID), nil, inA},
			{"PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A1", draft.ID), map[string]any{"result": "ok"}, runs(200)},
			{"POST", fmt.Sprintf("/api/v1/inspections/%d/submit", done.ID), nil, runs(200)},
			{"POST", fmt.Sprintf("/api/v1/inspections/%d/revise", done.ID), map[string]any{"reason": "更正"}, runs(201)},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/compliance", A), nil, inA},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/points", A), nil, inA},
			{"POST", fmt.Sprintf("/api/v1/enterprises/%d/points", A), map[string]any{"name": "排放口", "kind": "outlet", "codes": []string{"A1"}},
				expect{map[who]int{guest: 401, admin: 201, assocA: 201, entA: 201}, 404}},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/obligations", A), nil, inA},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/obligation-facts", A), nil, inA},
			{"PUT", fmt.Sprintf("/api/v1/enterprises/%d/obligation-facts", A), map[string]any{"disclosure_required": true}, inA},
			// The bureau marks it done first; later the duty is done already.
			{"POST", fmt.Sprintf("/api/v1/obligations/%d/done", obs[0].ID), map[string]any{"reference": "已披露"},
				expect{map[who]int{guest: 401, admin: 200, assocA: 409, entA: 409}, 404}},
			{"GET", "/api/v1/tasks", nil, anyUser(200)},
			{"GET", fmt.Sprintf("/api/v1/tasks/%d", done.Tasks[0]), nil, inA},
			{"POST", fmt.Sprintf("/api/v1/tasks/%d/owner", done.Tasks[0]), map[string]any{"manager_id": m.ID}, runs(200)},
			{"POST", fmt.Sprintf("/api/v1/tasks/%d/submit", done.Tasks[0]), map[string]any{"note": "已整改"}, runs(422)}, // no evidence yet
			{"POST", fmt.Sprintf("/api/v1/tasks/%d/verify", done.Tasks[0]), map[string]any{"decision": "close"},
				expect{map[who]int{guest: 401, admin: 409, assocA: 409, entA: 403}, 404}}, // open, not submitted
			{"GET", "/api/v1/honesty-flags", nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 200}, 403}},
			{"GET", fmt.Sprintf("/api/v1/inspection-photos/%d", photo), nil, inA},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/schedules", A), nil, inA},
			{"PUT", fmt.Sprintf("/api/v1/schedules/%d", scs[0].ID), map[string]any{"frequency": "monthly"},
				expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 404}, 403}},
			{"GET", "/api/v1/occurrences", nil, anyUser(200)},
			{"GET", fmt.Sprintf("/api/v1/enterprises/%d/calendar", A), nil, inA},
			{"POST", fmt.Sprintf("/api/v1/enterprises/%d/calendar", A), nil, expect{map[who]int{guest: 401, admin: 201, assocA: 201, entA: 201}, 404}},
			{"DELETE", fmt.Sprintf("/api/v1/enterprises/%d/calendar", A), nil, expect{map[who]int{guest: 401, admin: 204, assocA: 204, entA: 204}, 404}},
			{"GET", "/api/v1/settings/inspection", nil, anyUser(200)},
			{"GET", "/api/v1/spot-plan", nil, expect{map[who]int{guest: 401, admin: 200, assocA: 200, assocB: 200}, 403}},
			{"DELETE", fmt.Sprintf("/api/v1/spot-plan/%d", plan.ID), nil, expect{map[who]int{guest: 401, admin: 204, assocA: 404, assocB: 404}, 403}}, // the bureau removes it first
			{"POST", "/api/v1/spot-plan", map[string]any{"enterprise_id": A, "month": "2026-03"},
				expect{map[who]int{guest: 401, admin: 201, assocA: 409, assocB: 422}, 403}},
			{"PUT", "/api/v1/settings/inspection", map[string]any{"pass_mark": 80}, adminOnly(200)},
		}
		for _, c := range cases {
			for _, w := range apptest.Everyone {
				r := e.API(w, c.method, c.path, c.body)
				if want := c.want.status(w); r.StatusCode != want {
					t.Errorf("%s %s as %s: %d, want %d\n%s", c.method, c.path, w, r.StatusCode, want, truncate(r.Body))
				}
				if r.StatusCode == 404 && strings.Contains(string(r.Body), "企业A") {
					t.Errorf("%s %s as %s: 404 carries data", c.method, c.path, w)
				}
			}
		}
		// Uploads: a photo to a draft inspection, evidence to a task.
		for _, u := range []struct {
			path, field string
			want        expect
		}{
			{fmt.Sprintf("/api/v1/inspections/%d/photos", draft.ID), "photo", runs(201)},
			{fmt.Sprintf("/api/v1/tasks/%d/evidence", done.Tasks[0]), "file", runs(200)},
		} {
			for _, w := range apptest.Everyone {
				r := uploadFile(e, w, u.path, u.field, pngBytes(t))
				if w == guest {
					r = e.Do(mustRequest(t, "POST", e.HTTP.URL+u.path))
				}
				if want := u.want.status(w); r.StatusCode != want {
					t.Errorf("upload to %s as %s: %d, want %d", u.path, w, r.StatusCode, want)
				}
			}
		}
		for _, w := range apptest.Everyone {
			path := fmt.Sprintf("/api/v1/tasks/%d/evidence/1", done.Tasks[0])
			if r := e.API(w, "GET", path, nil); r.StatusCode != inA.status(w) {
				t.Errorf("GET %s as %s: %d, want %d", path, w, r.StatusCode, inA.status(w))
			}
		}
	})
}

func mustRequest(t *testing.T, method, url string) *http.Request {
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
