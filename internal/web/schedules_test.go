package web_test

import (
	"context"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestSchedulePages (issue 10, items 2, 8 and 10): the enterprise's page
// shows its schedule and which periods are done; only its town's
// association sees the frequency control; the enterprise's home lists
// today's work; the association lists what its town missed; the bureau
// changes the settings and a bad value is named in Chinese; a calendar
// feed is offered once.
func TestSchedulePages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ctx := context.Background()
		sys := model.SystemActor()
		c, err := e.Store.CreateChecklist(ctx, sys, model.ChecklistInput{Title: "县级自查表", Sections: []model.ChecklistSection{{Title: "A",
			Items: []model.ChecklistItem{{Code: "A1", Point: "持证排污", Severity: "major", Weight: 3}}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.PublishChecklist(ctx, sys, c.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.Store.SyncSchedules(ctx); err != nil {
			t.Fatal(err)
		}
		page := fmt.Sprintf("/directory/enterprises/%d", e.Ents["A"])
		ent, assoc := e.Browser(apptest.EnterpriseA), e.Browser(apptest.AssociationA)
		p := string(ent.Get(page).Body)
		if !strings.Contains(p, `id="schedules"`) || !strings.Contains(p, "每季度") || !strings.Contains(p, "2026-01-01 至 2026-03-31") ||
			strings.Contains(p, `action="/schedules/`) {
			t.Errorf("the enterprise's schedule section:\n%s", section(p, "schedules"))
		}
		p = string(assoc.Get(page).Body)
		m := regexp.MustCompile(`action="(/schedules/\d+)"`).FindStringSubmatch(p)
		if m == nil {
			t.Fatalf("the association has no frequency control:\n%s", section(p, "schedules"))
		}
		if r := assoc.Post(m[1], url.Values{"frequency": {"monthly"}}); r.StatusCode != 303 {
			t.Fatalf("set monthly: %d", r.StatusCode)
		}
		if p := string(ent.Get(page).Body); !strings.Contains(p, "每月") || !strings.Contains(p, "人工调整") {
			t.Errorf("after setting monthly:\n%s", section(p, "schedules"))
		}
		home := string(ent.Get("/").Body)
		if !strings.Contains(home, `id="today"`) || !strings.Contains(home, "自查：县级自查表") {
			t.Errorf("today's work:\n%s", section(home, "today"))
		}
		if p := string(assoc.Get("/occurrences").Body); !strings.Contains(p, "企业A") || strings.Contains(p, "企业B") {
			t.Errorf("the association's due list shows another town or misses its own")
		}
		// The bureau's settings, with a bad value named.
		admin := e.Browser(apptest.Admin)
		if p := string(admin.Get("/settings/training").Body); !strings.Contains(p, `id="inspection"`) || !strings.Contains(p, `name="pass_mark"`) {
			t.Error("no self-inspection settings on the settings page")
		}
		form := url.Values{"pass_mark": {"30"}, "critical_days": {"3"}, "major_days": {"15"}, "minor_days": {"30"},
			"overdue_tasks_yellow": {"1"}, "missed_inspections_yellow": {"1"}, "missed_after_days": {"7"}}
		if r := admin.Post("/settings/inspection", form); r.StatusCode != 422 || !strings.Contains(string(r.Body), "合格线应在 50 到 100 分之间") {
			t.Errorf("a pass mark of 30: %d", r.StatusCode)
		}
		form.Set("pass_mark", "90")
		if r := admin.Post("/settings/inspection", form); r.StatusCode != 303 {
			t.Errorf("a pass mark of 90: %d", r.StatusCode)
		}
		if s, _ := e.Store.InspectionSettings(ctx, nil); s.PassMark != 90 {
			t.Errorf("pass mark stored: %v", s.PassMark)
		}
		// The calendar feed: its address once, with a webcal link.
		r := ent.Post(page+"/duty-feed", nil)
		if p := string(r.Body); r.StatusCode != 200 || !strings.Contains(p, "webcal://") || !strings.Contains(p, "/duties/") {
			t.Errorf("the feed's address is not shown: %d", r.StatusCode)
		}
		if p := string(ent.Get(page).Body); strings.Contains(p, "/duties/") || !strings.Contains(p, "停用订阅") {
			t.Error("the feed's address is shown again, or it cannot be stopped")
		}
	})
}

// section cuts a page's element with the id, for a failure's message.
func section(page, id string) string {
	i := strings.Index(page, `id="`+id+`"`)
	if i < 0 {
		return "(no #" + id + ")"
	}
	return page[i:min(len(page), i+1500)]
}

// TestSpotPlanPage: the association plans a spot check from the
// suggestions and sees it planned; a month already over is refused in
// Chinese; an enterprise has no such page.
func TestSpotPlanPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(apptest.AssociationA)
		p := string(b.Get("/spot-plan").Body)
		if !strings.Contains(p, `id="suggestions"`) || !strings.Contains(p, "企业A") || strings.Contains(p, "企业B") {
			t.Fatalf("suggestions:\n%s", section(p, "suggestions"))
		}
		if r := b.Post("/spot-plan", url.Values{"enterprise_id": {fmt.Sprint(e.Ents["A"])}, "month": {"2026-02"}}); r.StatusCode != 422 ||
			!strings.Contains(string(r.Body), "只能安排本月起一年内的月份") {
			t.Errorf("a month over: %d", r.StatusCode)
		}
		if r := b.Post("/spot-plan", url.Values{"enterprise_id": {fmt.Sprint(e.Ents["A"])}, "month": {"2026-03"}}); r.StatusCode != 303 {
			t.Fatalf("plan: %d", r.StatusCode)
		}
		p = string(b.Get("/spot-plan?month=2026-03").Body)
		if !strings.Contains(section(p, "planned"), "企业A") || !strings.Contains(p, "已完成 0 / 1") {
			t.Errorf("planned:\n%s", section(p, "planned"))
		}
		if r := e.Browser(apptest.EnterpriseA).Get("/spot-plan"); r.StatusCode != 403 {
			t.Errorf("an enterprise opens the plan: %d", r.StatusCode)
		}
	})
}
