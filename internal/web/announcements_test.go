package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
)

// TestAnnouncementPages (issue 11, items 4 and 7): the association counts
// its audience, publishes, the enterprise finds it unread first, opens it
// (the body shown as text), and the association's receipts say it was
// read; a reminder goes to the unread.
func TestAnnouncementPages(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		assoc := e.Browser(apptest.AssociationA)
		form := url.Values{"kind": {"warning"}, "title": {"雨季防汛提醒"}, "body": {"请检查雨污分流。<b>粗体</b>"}, "roles": {"enterprise"}}
		p := string(assoc.Post("/announcements/preview", form).Body)
		if !strings.Contains(p, "发布后将送达 1 个账号（1 家企业）") || !strings.Contains(p, `value="enterprise" checked`) {
			t.Errorf("preview:\n%s", section(p, "reach"))
		}
		nobody := url.Values{"title": {"x"}, "body": {"y"}, "roles": {"enterprise"}, "permit_classes": {"key"}}
		if r := assoc.Post("/announcements", nobody); r.StatusCode != 422 || !strings.Contains(string(r.Body), "所选范围内没有任何账号") {
			t.Errorf("an audience of nobody: %d", r.StatusCode)
		}
		r := assoc.Post("/announcements", form)
		loc := r.Header.Get("Location")
		if r.StatusCode != 303 || !regexp.MustCompile(`^/announcements/\d+`).MatchString(loc) {
			t.Fatalf("publish: %d %s", r.StatusCode, loc)
		}
		page := strings.SplitN(loc, "?", 2)[0]
		ent := e.Browser(apptest.EnterpriseA)
		if p := string(ent.Get("/announcements").Body); !strings.Contains(p, `class="unread"`) || !strings.Contains(p, "雨季防汛提醒") {
			t.Errorf("inbox:\n%s", section(p, "announcements"))
		}
		p = string(ent.Get(page).Body)
		if !strings.Contains(p, "&lt;b&gt;粗体&lt;/b&gt;") || strings.Contains(p, "<b>粗体</b>") || strings.Contains(p, "receipts-link") {
			t.Error("the body is not shown as text, or the enterprise sees the receipts")
		}
		if p := string(ent.Get("/announcements").Body); strings.Contains(p, `class="unread"`) {
			t.Error("still unread after opening")
		}
		if p := string(assoc.Get(page + "/receipts").Body); !strings.Contains(p, "企业A") || !strings.Contains(p, "已读") {
			t.Errorf("receipts:\n%s", section(p, "receipts"))
		}
		if r := assoc.Post(page+"/remind", nil); r.StatusCode != 303 {
			t.Errorf("remind: %d", r.StatusCode)
		}
		if r := e.Browser(apptest.AssociationB).Get(page + "/receipts"); r.StatusCode != 404 {
			t.Errorf("another town's receipts: %d", r.StatusCode)
		}
		if r := ent.Get("/announcements/new"); r.StatusCode != 403 {
			t.Errorf("an enterprise opens the form: %d", r.StatusCode)
		}
	})
}
