package api_test

import (
	"fmt"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestAnnouncements (issue 11, item 4): the bureau or an association
// publishes to an audience (an association only to its town), says before
// publishing whom it reaches and refuses an audience of nobody; each
// account in it has it in its inbox and notices, it is read when opened,
// the publisher sees read / unread per enterprise (an association its
// town's only) and reminds the unread once a day.
func TestAnnouncements(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ents := map[string]any{"roles": []string{"enterprise"}}
		var reach model.Reach
		r := e.API(admin, "POST", "/api/v1/announcements/preview", map[string]any{"audience": ents})
		r.JSON(t, &reach)
		if r.StatusCode != 200 || reach.Accounts != 2 || reach.Enterprises != 2 {
			t.Fatalf("reach: %d %s", r.StatusCode, r.Body)
		}
		for w, want := range map[who]int{guest: 401, entA: 403, lecturer: 403} {
			if r := e.API(w, "POST", "/api/v1/announcements", map[string]any{"title": "x", "body": "y", "audience": ents}); r.StatusCode != want {
				t.Errorf("%s publishes: %d, want %d", w, r.StatusCode, want)
			}
		}
		nobody := map[string]any{"roles": []string{"enterprise"}, "permit_classes": []string{"key"}}
		if r := e.API(admin, "POST", "/api/v1/announcements", map[string]any{"title": "x", "body": "y", "audience": nobody}); r.StatusCode != 422 ||
			errorFields(t, r)["audience"] == "" {
			t.Errorf("an audience of nobody: %d %s", r.StatusCode, r.Body)
		}
		var x model.Announcement
		r = e.API(admin, "POST", "/api/v1/announcements", map[string]any{"kind": "rule_change", "title": "排污许可执行报告提醒",
			"body": "请按期提交执行报告。<script>alert(1)</script>", "audience": ents})
		r.JSON(t, &x)
		if r.StatusCode != 201 || x.Recipients != 2 || x.Read != 0 {
			t.Fatalf("publish: %d %s", r.StatusCode, r.Body)
		}
		path := fmt.Sprintf("/api/v1/announcements/%d", x.ID)
		var inbox struct{ Items []model.Announcement }
		e.API(entA, "GET", "/api/v1/announcements", nil).JSON(t, &inbox)
		if len(inbox.Items) != 1 || inbox.Items[0].ReadAt != nil {
			t.Fatalf("inbox: %+v", inbox.Items)
		}
		var notes struct{ Items []struct{ Kind, Text string } }
		e.API(entA, "GET", "/api/v1/notifications", nil).JSON(t, &notes)
		if len(notes.Items) == 0 || notes.Items[0].Kind != "announcement" {
			t.Errorf("no notice of the announcement: %+v", notes.Items)
		}
		e.API(entA, "GET", path, nil).JSON(t, &x)
		if x.ReadAt == nil || x.Read != 1 || x.Body != "请按期提交执行报告。<script>alert(1)</script>" {
			t.Errorf("opened: %+v", x)
		}
		// An association's announcement reaches its town only.
		var y model.Announcement
		e.API(assocA, "POST", "/api/v1/announcements", map[string]any{"title": "镇A 培训通知", "body": "周五下午培训。", "audience": map[string]any{}}).JSON(t, &y)
		if y.Recipients != 2 { // the enterprise's account and the association's own
			t.Errorf("town A's reach: %+v", y)
		}
		for w, want := range map[who]int{entA: 200, entB: 404, assocB: 404, lecturer: 404, admin: 200} {
			if r := e.API(w, "GET", fmt.Sprintf("/api/v1/announcements/%d", y.ID), nil); r.StatusCode != want {
				t.Errorf("%s reads town A's announcement: %d, want %d", w, r.StatusCode, want)
			}
		}
		// Receipts: unread first; an association sees its town's only.
		var rec struct{ Items []model.Receipt }
		e.API(admin, "GET", path+"/receipts", nil).JSON(t, &rec)
		if len(rec.Items) != 2 || rec.Items[0].Name != "企业B" || rec.Items[0].Read != 0 || rec.Items[1].Read != 1 {
			t.Errorf("receipts: %+v", rec.Items)
		}
		e.API(assocA, "GET", path+"/receipts", nil).JSON(t, &rec)
		if len(rec.Items) != 1 || rec.Items[0].Name != "企业A" {
			t.Errorf("town A's receipts: %+v", rec.Items)
		}
		for w, want := range map[who]int{entA: 403, lecturer: 403, guest: 401} {
			if r := e.API(w, "GET", path+"/receipts", nil); r.StatusCode != want {
				t.Errorf("%s reads receipts: %d, want %d", w, r.StatusCode, want)
			}
		}
		var rem struct{ Reminded int }
		e.API(admin, "POST", path+"/remind", nil).JSON(t, &rem)
		if rem.Reminded != 1 {
			t.Errorf("reminded %d, want 1 (企业B)", rem.Reminded)
		}
		e.API(admin, "POST", path+"/remind", nil).JSON(t, &rem)
		if rem.Reminded != 0 {
			t.Errorf("reminded again the same day: %d", rem.Reminded)
		}
		var sent struct{ Items []model.Announcement }
		e.API(assocB, "GET", "/api/v1/announcements?box=sent", nil).JSON(t, &sent)
		if len(sent.Items) != 1 || sent.Items[0].ID != x.ID { // the bureau's reached town B; town A's did not
			t.Errorf("town B's view: %+v", sent.Items)
		}
	})
}
