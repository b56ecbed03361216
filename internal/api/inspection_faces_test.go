package api_test

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/model"
)

// webUpload posts a multipart form (fields, then the file last) as the
// browser's user; nil data is an empty file input.
func webUpload(t *testing.T, e *apptest.Env, b *apptest.Browser, path string, fields map[string]string, file string, data []byte) *apptest.Response {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	name := "现场.png"
	if data == nil {
		name = "" // no file chosen, as a browser sends it
	}
	fw, _ := mw.CreateFormFile(file, name)
	fw.Write(data)
	mw.Close()
	req, err := http.NewRequest("POST", e.HTTP.URL+path, &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.Send(req)
}

// TestInspectionRoutesAnswerAlikeOnBothFaces: each self-inspection action
// the web offers answers every logged-in role as the API does (a success
// is 2xx in the API and 2xx or a redirect on the web).
func TestInspectionRoutesAnswerAlikeOnBothFaces(t *testing.T) {
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
		_, err = e.Store.MarkObligationDone(ctx, ent, obs[0].ID, "已披露") // done already: alike on both faces
		must(t, err)
		pt, err := e.Store.CreatePoint(ctx, ent, e.Ents["A"], model.InspectionPoint{Name: "排放口", Kind: "outlet", Codes: []string{"A1"}})
		must(t, err)
		A, task := e.Ents["A"], done.Tasks[0]
		_, err = e.Store.SyncSchedules(ctx)
		must(t, err)
		scs, err := e.Store.Schedules(ctx, sys, A)
		must(t, err)
		f, err := e.Server.Files.Put(ctx, files.Photo, "现场.png", bytes.NewReader(pngBytes(t)))
		must(t, err)
		photo, err := e.Store.AddInspectionPhoto(ctx, ent, draft.ID, f.Hash, nil)
		must(t, err)
		// Two of each once-only action, one for each face.
		submitted := func() int64 {
			in, err := e.Store.StartInspection(ctx, ent, A, c.ID, model.InspectionSelf)
			must(t, err)
			_, err = e.Store.SaveAnswer(ctx, ent, in.ID, "A1", model.AnswerInput{Result: model.ResultOK})
			must(t, err)
			_, err = e.Store.SubmitInspection(ctx, ent, in.ID)
			must(t, err)
			return in.ID
		}
		revAPI, revWeb := submitted(), submitted()
		planned := func(month string) int64 {
			p, err := e.Store.PlanSpotCheck(ctx, model.Actor{User: e.Users[assocA]}, A, month)
			must(t, err)
			return p.ID
		}
		planAPI, planWeb := planned("2026-06"), planned("2026-07")
		other, err := e.Store.StartInspection(ctx, ent, A, c.ID, model.InspectionSelf)
		must(t, err)
		_, err = e.Store.SaveAnswer(ctx, ent, other.ID, "A1", model.AnswerInput{Result: model.ResultProblem, Note: "另一处问题"})
		must(t, err)
		other, err = e.Store.SubmitInspection(ctx, ent, other.ID)
		must(t, err)
		withEvidence := other.Tasks[0]
		_, err = e.Store.AddTaskEvidence(ctx, ent, withEvidence, f.Hash)
		must(t, err)

		class := func(code int, web bool) string {
			if code >= 200 && code < 300 || web && code == http.StatusSeeOther {
				return "ok"
			}
			return fmt.Sprint(code)
		}
		cases := []struct {
			name string
			api  func(w apptest.Who) int
			web  func(b *apptest.Browser) int
		}{
			{"start a self-inspection",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/enterprises/%d/inspections", A), map[string]any{"checklist_id": c.ID, "kind": "self"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/directory/enterprises/%d/inspections", A), url.Values{"checklist_id": {fmt.Sprint(c.ID)}, "kind": {"self"}}).StatusCode
				}},
			{"read an inspection",
				func(w apptest.Who) int {
					return e.API(w, "GET", fmt.Sprintf("/api/v1/inspections/%d", draft.ID), nil).StatusCode
				},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/inspections/%d", draft.ID)).StatusCode }},
			{"answer an item",
				func(w apptest.Who) int {
					return e.API(w, "PUT", fmt.Sprintf("/api/v1/inspections/%d/answers/A1", draft.ID), map[string]any{"result": "ok"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return webUpload(t, e, b, fmt.Sprintf("/inspections/%d/answers/A1", draft.ID), map[string]string{"result": "ok"}, "photo", nil).StatusCode
				}},
			{"submit a submitted inspection",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/inspections/%d/submit", done.ID), nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/inspections/%d/submit", done.ID), nil).StatusCode
				}},
			{"read a task",
				func(w apptest.Who) int { return e.API(w, "GET", fmt.Sprintf("/api/v1/tasks/%d", task), nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/tasks/%d", task)).StatusCode }},
			{"name a task's owner",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/tasks/%d/owner", task), map[string]any{"manager_id": m.ID}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/tasks/%d/owner", task), url.Values{"manager_id": {fmt.Sprint(m.ID)}}).StatusCode
				}},
			{"submit a task without evidence",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/tasks/%d/submit", task), map[string]any{"note": "已整改"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/tasks/%d/submit", task), url.Values{"note": {"已整改"}}).StatusCode
				}},
			{"verify an open task",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/tasks/%d/verify", task), map[string]any{"decision": "close"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/tasks/%d/verify", task), url.Values{"decision": {"close"}}).StatusCode
				}},
			{"mark a done duty done",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/obligations/%d/done", obs[0].ID), map[string]any{"reference": "x"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/obligations/%d/done", obs[0].ID), url.Values{"reference": {"x"}}).StatusCode
				}},
			{"set the calendar's facts",
				func(w apptest.Who) int {
					return e.API(w, "PUT", fmt.Sprintf("/api/v1/enterprises/%d/obligation-facts", A), map[string]any{"disclosure_required": true}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/directory/enterprises/%d/obligation-facts", A), url.Values{"disclosure_required": {"on"}}).StatusCode
				}},
			{"register a point",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/enterprises/%d/points", A), map[string]any{"name": "点", "kind": "other", "codes": []string{"A1"}}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/directory/enterprises/%d/points", A), url.Values{"name": {"点"}, "kind": {"other"}, "codes": {"A1"}}).StatusCode
				}},
			{"read a point",
				func(w apptest.Who) int {
					return e.API(w, "GET", fmt.Sprintf("/api/v1/enterprises/%d/points", A), nil).StatusCode
				},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/points/%d/label", pt.ID)).StatusCode }},
			{"list honesty flags",
				func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/honesty-flags", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/honesty").StatusCode }},
			{"see a photo",
				func(w apptest.Who) int {
					return e.API(w, "GET", fmt.Sprintf("/api/v1/inspection-photos/%d", photo), nil).StatusCode
				},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/inspection-photos/%d", photo)).StatusCode }},
			{"set a schedule's frequency",
				func(w apptest.Who) int {
					return e.API(w, "PUT", fmt.Sprintf("/api/v1/schedules/%d", scs[0].ID), map[string]any{"frequency": "weekly"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/schedules/%d", scs[0].ID), url.Values{"frequency": {"weekly"}}).StatusCode
				}},
			{"list scheduled inspections",
				func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/occurrences?status=missed", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/occurrences?status=missed").StatusCode }},
			{"make a calendar feed",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/enterprises/%d/calendar", A), nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/directory/enterprises/%d/duty-feed", A), nil).StatusCode
				}},
			{"end a calendar feed",
				func(w apptest.Who) int {
					return e.API(w, "DELETE", fmt.Sprintf("/api/v1/enterprises/%d/calendar", A), nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/directory/enterprises/%d/duty-feed/end", A), nil).StatusCode
				}},
			{"change the inspection settings",
				func(w apptest.Who) int {
					return e.API(w, "PUT", "/api/v1/settings/inspection", map[string]any{"pass_mark": 80}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/settings/inspection", url.Values{"pass_mark": {"80"}, "critical_days": {"3"}, "major_days": {"15"}, "minor_days": {"30"},
						"overdue_tasks_yellow": {"1"}, "missed_inspections_yellow": {"1"}, "missed_after_days": {"7"}}).StatusCode
				}},
			{"read the spot-check plan",
				func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/spot-plan", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/spot-plan").StatusCode }},
			{"plan a spot check",
				func(w apptest.Who) int {
					return e.API(w, "POST", "/api/v1/spot-plan", map[string]any{"enterprise_id": A, "month": "2026-04"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/spot-plan", url.Values{"enterprise_id": {fmt.Sprint(A)}, "month": {"2026-05"}}).StatusCode
				}},
			{"correct a submitted inspection",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/inspections/%d/revise", revAPI), map[string]any{"reason": "更正"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/inspections/%d/revise", revWeb), url.Values{"reason": {"更正"}}).StatusCode
				}},
			{"take an entry off the spot-check plan",
				func(w apptest.Who) int {
					return e.API(w, "DELETE", fmt.Sprintf("/api/v1/spot-plan/%d", planAPI), nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/spot-plan/%d/delete", planWeb), url.Values{"month": {"2026-07"}}).StatusCode
				}},
			{"see a task's evidence",
				func(w apptest.Who) int {
					return e.API(w, "GET", fmt.Sprintf("/api/v1/tasks/%d/evidence/1", withEvidence), nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Get(fmt.Sprintf("/tasks/%d/evidence/1", withEvidence)).StatusCode
				}},
			{"add evidence to a task",
				func(w apptest.Who) int {
					return uploadFile(e, w, fmt.Sprintf("/api/v1/tasks/%d/evidence", task), "file", pngBytes(t)).StatusCode
				},
				func(b *apptest.Browser) int {
					return webUpload(t, e, b, fmt.Sprintf("/tasks/%d/evidence", task), nil, "file", pngBytes(t)).StatusCode
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
