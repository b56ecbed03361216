package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestNewRoutesAnswerAlikeOnBothFaces: the routes that two-factor
// sign-in, the security policy, the audit download and the import
// confirmation and the person links added answer every logged-in role the same on the web as in
// the API (a success is 2xx in the API and 2xx or a redirect on the web).
func TestNewRoutesAnswerAlikeOnBothFaces(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		class := func(code int, web bool) string {
			switch {
			case code >= 200 && code < 300, web && code == http.StatusSeeOther:
				return "ok"
			default:
				return fmt.Sprint(code)
			}
		}
		var m struct{ ID int64 }
		e.API(apptest.Admin, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["A"]), map[string]any{"name": "张三", "mobile": "13800000001"}).JSON(t, &m)
		entID := e.Ents["A"]
		second, err := e.Server.Auth.CreateUser(t.Context(), model.SystemActor(), model.NewUser{Username: "ent-a-2", Password: "a long password 2",
			Role: model.RoleEnterprise, EnterpriseID: &entID})
		if err != nil {
			t.Fatal(err)
		}
		cl, err := e.Store.CreateChecklist(t.Context(), model.SystemActor(), model.CountyChecklist())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.PublishChecklist(t.Context(), model.SystemActor(), cl.ID); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name string
			api  func(w apptest.Who) int
			web  func(b *apptest.Browser) int
		}{
			{"confirm an unknown import",
				func(w apptest.Who) int { return e.API(w, "POST", "/api/v1/imports/999999/confirm", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Post("/directory/import/999999/confirm", nil).StatusCode }},
			{"download the audit log",
				func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/audit/export.xlsx", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/admin/audit/export.xlsx").StatusCode }},
			{"set the security policy",
				func(w apptest.Who) int {
					return e.API(w, "PUT", "/api/v1/settings/security", map[string]any{"password_min_length": 12, "session_idle_minutes": 480}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/admin/security", url.Values{"password_min_length": {"12"}, "session_idle_minutes": {"480"}, "block_common_passwords": {"on"}}).StatusCode
				}},
			{"a security policy out of range",
				func(w apptest.Who) int {
					return e.API(w, "PUT", "/api/v1/settings/security", map[string]any{"password_min_length": 5}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/admin/security", url.Values{"password_min_length": {"5"}, "session_idle_minutes": {"480"}}).StatusCode
				}},
			{"reset an unknown account's two-factor sign-in",
				func(w apptest.Who) int {
					return e.API(w, "POST", "/api/v1/users/999999/two-factor/reset", nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/admin/users/999999", url.Values{"action": {"reset_two_factor"}}).StatusCode
				}},
			{"turn off two-factor sign-in that is not on",
				func(w apptest.Who) int {
					return e.API(w, "POST", "/api/v1/me/two-factor/off", map[string]string{"current_password": apptest.Password, "otp": "123456"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/account/2fa/off", url.Values{"current_password": {apptest.Password}, "otp": {"123456"}}).StatusCode
				}},
			{"confirm two-factor sign-in never started",
				func(w apptest.Who) int {
					return e.API(w, "POST", "/api/v1/me/two-factor/confirm", map[string]string{"otp": "123456"}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post("/account/2fa/confirm", url.Values{"otp": {"123456"}}).StatusCode
				}},
			{"reset an enterprise account's password",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/users/%d/password-reset", second.ID), nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/directory/enterprises/%d/accounts/%d/reset", entID, second.ID), nil).StatusCode
				}},
			{"publish a published checklist",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/checklists/%d/publish", cl.ID), nil).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/checklists/%d/publish", cl.ID), nil).StatusCode
				}},
			{"read a checklist",
				func(w apptest.Who) int {
					return e.API(w, "GET", fmt.Sprintf("/api/v1/checklists/%d", cl.ID), nil).StatusCode
				},
				func(b *apptest.Browser) int { return b.Get(fmt.Sprintf("/checklists/%d", cl.ID)).StatusCode }},
			{"read the charts' figures",
				func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/stats", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/stats").StatusCode }},
			{"open the workbench",
				func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/workbench", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/").StatusCode }},
			{"list the person links to verify",
				func(w apptest.Who) int { return e.API(w, "GET", "/api/v1/manager-links", nil).StatusCode },
				func(b *apptest.Browser) int { return b.Get("/directory/links").StatusCode }},
			{"decide a link that no claim made",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/managers/%d/link", m.ID), map[string]any{"confirm": true}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/directory/managers/%d/link", m.ID), url.Values{"decision": {"confirm"}}).StatusCode
				}},
			{"reject without a reason",
				func(w apptest.Who) int {
					return e.API(w, "POST", fmt.Sprintf("/api/v1/managers/%d/link", m.ID), map[string]any{"confirm": false}).StatusCode
				},
				func(b *apptest.Browser) int {
					return b.Post(fmt.Sprintf("/directory/managers/%d/link", m.ID), url.Values{"decision": {"reject"}}).StatusCode
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
