package web_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/web"
)

// TestCoursePagesByRole renders every course-supermarket page for each
// role and checks who may see what: pages render (no template error), a
// guest is sent to log in where an account is needed, other enterprises'
// bookings are not found.
func TestCoursePagesByRole(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := context.Background()
	sys := model.SystemActor()
	home, err := e.Store.CreateHome(ctx, sys, model.Home{Name: "之家", RegionID: e.Regions["A"], Rooms: []model.Room{{Name: "教室", Seats: 30}}})
	if err != nil {
		t.Fatal(err)
	}
	lect, _ := e.Store.SaveLecturer(ctx, sys, &model.Lecturer{Name: "王教授", AffiliationKind: "university", UserID: &e.Users[apptest.Lecturer].ID})
	course, _ := e.Store.SaveCourse(ctx, sys, &model.Course{Title: "碳排放权交易管理", Category: "carbon", CreditHours: 3, LecturerIDs: []int64{lect.ID}})
	starts := e.Clock.Now().Add(48 * time.Hour)
	k, err := e.Store.CreateClass(ctx, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(time.Hour), Capacity: 10})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
	ba := e.Browser(apptest.EnterpriseA)
	r := ba.Post(fmt.Sprintf("/classes/%d/bookings", k.ID), url.Values{"manager_id": {fmt.Sprint(m.ID)}})
	if r.StatusCode != 303 || !strings.HasPrefix(r.Header.Get("Location"), "/bookings/") {
		t.Fatalf("book: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	// Someone else's manager: the class page again, with the error.
	if r := ba.Post(fmt.Sprintf("/classes/%d/bookings", k.ID), url.Values{"manager_id": {"999999"}}); r.StatusCode != 422 || !strings.Contains(string(r.Body), "不是本单位的管理员") {
		t.Errorf("book another's manager: %d", r.StatusCode)
	}
	booking := strings.SplitN(strings.TrimPrefix(r.Header.Get("Location"), "/bookings/"), "?", 2)[0]

	pages := map[string]map[apptest.Who]int{
		"/courses":                                {apptest.Guest: 200, apptest.EnterpriseA: 200, apptest.Admin: 200},
		fmt.Sprintf("/courses/%d", course.ID):     {apptest.Guest: 200, apptest.Admin: 200, apptest.AssociationA: 200},
		"/courses/new":                            {apptest.Admin: 200, apptest.EnterpriseA: 403, apptest.Guest: 303},
		fmt.Sprintf("/classes/%d", k.ID):          {apptest.Guest: 200, apptest.EnterpriseA: 200, apptest.Lecturer: 200, apptest.Admin: 200},
		fmt.Sprintf("/classes/%d/scan", k.ID):     {apptest.Lecturer: 200, apptest.Admin: 200, apptest.EnterpriseA: 404, apptest.AssociationB: 404},
		fmt.Sprintf("/classes/%d/display", k.ID):  {apptest.Lecturer: 200, apptest.EnterpriseA: 404},
		fmt.Sprintf("/classes/%d/sheet", k.ID):    {apptest.Lecturer: 200, apptest.Provider: 404},
		"/bookings/" + booking:                    {apptest.EnterpriseA: 200, apptest.Lecturer: 200, apptest.EnterpriseB: 404, apptest.AssociationB: 404, apptest.Guest: 303},
		"/bookings/" + booking + "/qr.png":        {apptest.EnterpriseA: 200, apptest.EnterpriseB: 404},
		"/training":                               {apptest.EnterpriseA: 200, apptest.Lecturer: 200, apptest.AssociationA: 200},
		"/credits":                                {apptest.Admin: 200, apptest.EnterpriseA: 200, apptest.AssociationA: 200},
		fmt.Sprintf("/credits/managers/%d", m.ID): {apptest.EnterpriseA: 200, apptest.EnterpriseB: 404},
		"/topics":            {apptest.EnterpriseA: 200, apptest.Admin: 200},
		"/notifications":     {apptest.EnterpriseA: 200},
		"/lecturers":         {apptest.Guest: 200},
		"/lecturers/new":     {apptest.Admin: 200, apptest.AssociationA: 403},
		"/settings/training": {apptest.Admin: 200, apptest.AssociationA: 403},
		"/verify?code=NOPE":  {apptest.Guest: 404},
		"/verify":            {apptest.Guest: 200},
	}
	for path, want := range pages {
		for who, status := range want {
			if got := e.Browser(who).Get(path).StatusCode; got != status {
				t.Errorf("%s GET %s: %d, want %d", who, path, got, status)
			}
		}
	}
	// The enterprise's booking page shows its QR code; a calendar feed is
	// made on request, its address shown once (it is stored hashed).
	page := string(ba.Get("/bookings/" + booking).Body)
	if !strings.Contains(page, `id="qr"`) || !strings.Contains(page, `id="calendar-new"`) || strings.Contains(page, ".ics") {
		t.Fatalf("booking page: QR, subscribe button, no feed address expected")
	}
	feedOf := func(page string) string {
		t.Helper()
		i := strings.Index(page, e.HTTP.URL+"/calendar/")
		if i < 0 {
			t.Fatalf("no feed address on the page")
		}
		return strings.TrimPrefix(page[i:i+strings.Index(page[i:], ".ics")+4], e.HTTP.URL)
	}
	feed := feedOf(string(ba.Post("/bookings/"+booking+"/calendar", nil).Body))
	ics := e.Browser(apptest.Guest).Get(feed)
	if ics.StatusCode != 200 || !strings.Contains(string(ics.Body), "BEGIN:VEVENT") || !strings.Contains(string(ics.Body), "SUMMARY:碳排放权交易管理") {
		t.Fatalf("calendar %d %s", ics.StatusCode, ics.Body)
	}
	if strings.Contains(string(ba.Get("/bookings/"+booking).Body), ".ics") {
		t.Error("the feed address is shown again")
	}
	// A new address ends the old one; ending the feed ends the new one.
	renewed := feedOf(string(ba.Post("/bookings/"+booking+"/calendar", nil).Body))
	if r := e.Browser(apptest.Guest).Get(feed); r.StatusCode != 404 {
		t.Errorf("old feed after renewal: %d", r.StatusCode)
	}
	if r := e.Browser(apptest.Guest).Get(renewed); r.StatusCode != 200 {
		t.Errorf("renewed feed: %d", r.StatusCode)
	}
	ba.Post("/bookings/"+booking+"/calendar/end", nil)
	if r := e.Browser(apptest.Guest).Get(renewed); r.StatusCode != 404 {
		t.Errorf("ended feed: %d", r.StatusCode)
	}
	// Another enterprise cannot make a feed for this booking's manager.
	if r := e.Browser(apptest.EnterpriseB).Post("/bookings/"+booking+"/calendar", nil); r.StatusCode != 404 {
		t.Errorf("enterprise B makes a feed: %d", r.StatusCode)
	}
	// A topic proposed and voted; the same enterprise cannot vote twice.
	if r := ba.Post("/topics", url.Values{"title": {"环境信息依法披露"}}); r.StatusCode != 303 {
		t.Fatalf("propose: %d", r.StatusCode)
	}
	ts, _ := e.Store.Topics(ctx, sys, "")
	if len(ts) != 1 || ts[0].Votes != 1 {
		t.Fatalf("topics %+v", ts)
	}
	e.Browser(apptest.EnterpriseB).Post(fmt.Sprintf("/topics/%d/votes", ts[0].ID), nil)
	ba.Post(fmt.Sprintf("/topics/%d/votes", ts[0].ID), nil)
	ts, _ = e.Store.Topics(ctx, sys, "")
	if ts[0].Votes != 2 {
		t.Errorf("votes %d, want 2", ts[0].Votes)
	}
}

// TestPagesShowOnlyWhatTheRightsAllow: the buttons follow the rights. A
// waitlist place can be left until the class starts and not after (the
// page used to offer it after the start, and the store refused); the
// organiser sees the class's management, a lecturer does not; check-in is
// offered only during its hours.
func TestPagesShowOnlyWhatTheRightsAllow(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := context.Background()
	sys := model.SystemActor()
	home, _ := e.Store.CreateHome(ctx, sys, model.Home{Name: "之家", RegionID: e.Regions["A"], Rooms: []model.Room{{Name: "教室", Seats: 30}}})
	lect, _ := e.Store.SaveLecturer(ctx, sys, &model.Lecturer{Name: "王教授", AffiliationKind: "university", UserID: &e.Users[apptest.Lecturer].ID})
	course, _ := e.Store.SaveCourse(ctx, sys, &model.Course{Title: "排污许可管理", Category: "permit", CreditHours: 2, LecturerIDs: []int64{lect.ID}})
	starts := e.Clock.Now().Add(48 * time.Hour)
	k, err := e.Store.CreateClass(ctx, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), Capacity: 1})
	if err != nil {
		t.Fatal(err)
	}
	var bookings []*model.Booking
	for i := range 2 {
		m, _ := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: fmt.Sprintf("学员%d", i), Mobile: fmt.Sprintf("1390000222%d", i)})
		b, err := e.Store.Book(ctx, sys, k.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		bookings = append(bookings, b)
	}
	waitlisted := fmt.Sprintf("/bookings/%d", bookings[1].ID)
	class := fmt.Sprintf("/classes/%d", k.ID)
	has := func(who apptest.Who, path, id string) bool {
		t.Helper()
		r := e.Browser(who).Get(path)
		if r.StatusCode != 200 {
			t.Fatalf("%s %s: %d", who, path, r.StatusCode)
		}
		return strings.Contains(string(r.Body), `id="`+id+`"`)
	}
	for _, c := range []struct {
		who      apptest.Who
		path, id string
		want     bool
	}{
		{apptest.EnterpriseA, waitlisted, "cancel-booking", true},
		{apptest.Admin, class, "manage", true},
		{apptest.AssociationA, class, "manage", true},
		{apptest.Lecturer, class, "manage", false},
		{apptest.Lecturer, class, "run", true},
		{apptest.Lecturer, class, "scan-link", false}, // two days before: check-in not open
		{apptest.EnterpriseA, class, "run", false},
	} {
		if got := has(c.who, c.path, c.id); got != c.want {
			t.Errorf("before the start, %s on %s: #%s shown %v, want %v", c.who, c.path, c.id, got, c.want)
		}
	}
	e.Clock.Advance(48*time.Hour + 10*time.Minute) // the class is on
	for _, c := range []struct {
		who      apptest.Who
		path, id string
		want     bool
	}{
		{apptest.EnterpriseA, waitlisted, "cancel-booking", false},
		{apptest.Lecturer, class, "scan-link", true},
		{apptest.Lecturer, class, "complete", true},
		{apptest.Admin, class, "manage", true}, // still scheduled: may be changed
	} {
		if got := has(c.who, c.path, c.id); got != c.want {
			t.Errorf("during the class, %s on %s: #%s shown %v, want %v", c.who, c.path, c.id, got, c.want)
		}
	}
	// And the store agrees with what was hidden.
	if r := e.Browser(apptest.EnterpriseA).Post(waitlisted+"/cancel", nil); r.StatusCode != 409 {
		t.Errorf("leaving the waitlist after the start: %d, want 409", r.StatusCode)
	}
}

// TestICalendarFollowsRFC5545: lines fold at 75 octets without splitting a
// character, a line break in a name cannot start a property, and a
// cancelled class is sent as cancelled with a newer sequence.
func TestICalendarFollowsRFC5545(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	k := &model.Class{CourseTitle: strings.Repeat("碳排放权交易管理", 8), HomeName: "之家", StartsAt: now, EndsAt: now.Add(time.Hour),
		Status: model.ClassCancelled, UpdatedAt: now}
	b := &model.Booking{ID: 7, ManagerName: "张三\r\nATTENDEE:mailto:evil@example.com", EnterpriseName: "企业A", Status: model.BookingCancelled,
		UpdatedAt: now.Add(time.Minute), Class: k}
	ics := string(web.ICalendar([]*model.Booking{b}, now, "https://envhome.example.gov.cn"))
	var unfolded []string
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("a fold split a character: %q", l)
		}
		if strings.HasPrefix(l, " ") {
			unfolded[len(unfolded)-1] += l[1:]
		} else {
			unfolded = append(unfolded, l)
		}
	}
	text := strings.Join(unfolded, "\n")
	if strings.Contains(text, "\nATTENDEE") || !strings.Contains(text, `DESCRIPTION:张三\nATTENDEE:mailto:evil@example.com · 企业A`) {
		t.Errorf("injected property or lost text:\n%s", text)
	}
	if !strings.Contains(text, "SUMMARY:"+k.CourseTitle) || !strings.Contains(text, "STATUS:CANCELLED") || !strings.Contains(text, "SEQUENCE:") {
		t.Errorf("summary, status or sequence:\n%s", text)
	}
	if strings.Contains(ics, "\n") && strings.Count(ics, "\n") != strings.Count(ics, "\r\n") {
		t.Error("a bare LF in the calendar")
	}
}

// TestCheckInSaysWhatHappened (issue 9, item 5): the scan page counts who
// is in, names a wrong code as such, and says "already" for a second scan;
// self check-in shows the person as done; cancelling a class or a booking
// asks first, saying how many bookings go and who is told.
func TestCheckInSaysWhatHappened(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := context.Background()
	sys := model.SystemActor()
	home, _ := e.Store.CreateHome(ctx, sys, model.Home{Name: "之家", RegionID: e.Regions["A"], Rooms: []model.Room{{Name: "教室", Seats: 30}}})
	lect, _ := e.Store.SaveLecturer(ctx, sys, &model.Lecturer{Name: "王教授", AffiliationKind: "university", UserID: &e.Users[apptest.Lecturer].ID})
	course, _ := e.Store.SaveCourse(ctx, sys, &model.Course{Title: "排污许可管理", Category: "permit", CreditHours: 2, LecturerIDs: []int64{lect.ID}})
	starts := e.Clock.Now().Add(48 * time.Hour)
	k, err := e.Store.CreateClass(ctx, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), Capacity: 5})
	if err != nil {
		t.Fatal(err)
	}
	var bs []*model.Booking
	for i := range 3 {
		m, _ := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: fmt.Sprintf("学员%d", i), Mobile: fmt.Sprintf("1390000333%d", i)})
		b, err := e.Store.Book(ctx, sys, k.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, b)
	}
	class := fmt.Sprintf("/classes/%d", k.ID)
	admin := e.Browser(apptest.Admin)
	page := string(admin.Get(class).Body)
	if !strings.Contains(page, `data-confirm="取消后，这节课的 3 个预约（含候补）全部取消，相关企业会收到通知；此操作不能撤销。"`) {
		t.Error("cancelling the class does not ask first with the count")
	}
	if b := string(e.Browser(apptest.EnterpriseA).Get(fmt.Sprintf("/bookings/%d", bs[0].ID)).Body); !strings.Contains(b, `data-confirm="确定取消 学员0 的预约吗？`) {
		t.Error("cancelling a booking does not ask first")
	}
	e.Clock.Advance(48*time.Hour + 5*time.Minute)
	lec := e.Browser(apptest.Lecturer)
	if b := string(lec.Get(class + "/scan").Body); !strings.Contains(b, "已签到 0 / 3") {
		t.Errorf("scan page count: %s", b)
	}
	// The scan page, with everything it loads, compressed as a phone
	// fetches it: under 100 KB (item 9).
	gz := func(path string) (int, string) {
		req, _ := http.NewRequest("GET", e.HTTP.URL+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		r := lec.Send(req)
		if r.StatusCode != 200 {
			t.Fatalf("%s: %d", path, r.StatusCode)
		}
		body := r.Body
		if r.Header.Get("Content-Encoding") == "gzip" {
			zr, _ := gzip.NewReader(bytes.NewReader(r.Body))
			body, _ = io.ReadAll(zr)
		}
		return len(r.Body), string(body)
	}
	total, page := gz(class + "/scan")
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?:src|href)="(/static/[^"#]+)`).FindAllStringSubmatch(page, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			n, _ := gz(strings.ReplaceAll(m[1], "&amp;", "&"))
			total += n
		}
	}
	t.Logf("scan page: %d bytes transferred with its %d files", total, len(seen))
	if total > 100_000 {
		t.Errorf("the scan page transfers %d bytes, over 100 KB", total)
	}
	r := lec.Post(class+"/scan", url.Values{"code": {"NOSUCHCODE0000"}})
	if r.StatusCode != 422 || !strings.Contains(string(r.Body), "无效的签到码") || strings.Contains(string(r.Body), "请检查标出的字段") {
		t.Errorf("a wrong code: %d", r.StatusCode)
	}
	r = lec.Post(class+"/scan", url.Values{"code": {bs[0].Code}})
	if !strings.Contains(string(r.Body), "签到成功") || !strings.Contains(string(r.Body), "已签到 1 / 3") {
		t.Errorf("a good code: %d", r.StatusCode)
	}
	if r := lec.Post(class+"/scan", url.Values{"code": {bs[0].Code}}); !strings.Contains(string(r.Body), "已签到过") || !strings.Contains(string(r.Body), "已签到 1 / 3") {
		t.Errorf("the same code again: %d", r.StatusCode)
	}
	code, _, err := e.Store.RotatingCode(ctx, sys, k)
	if err != nil {
		t.Fatal(err)
	}
	ent := e.Browser(apptest.EnterpriseA)
	r = ent.Post(class+"/checkin", url.Values{"t": {code}, "booking_id": {fmt.Sprint(bs[1].ID)}})
	body := string(r.Body)
	if r.StatusCode != 200 || !strings.Contains(body, "签到成功") || strings.Count(body, `class="badge checked-in"`) != 2 {
		t.Errorf("self check-in: %d, %d shown as done", r.StatusCode, strings.Count(body, `class="badge checked-in"`))
	}
	// A completed class offers no scanning, and refuses a scan.
	e.Clock.Advance(2 * time.Hour)
	if _, err := e.Store.CompleteClass(ctx, sys, k.ID); err != nil {
		t.Fatal(err)
	}
	if b := string(lec.Get(class).Body); strings.Contains(b, `id="scan-link"`) {
		t.Error("a completed class offers scanning")
	}
	if r := lec.Post(class+"/scan", url.Values{"code": {bs[2].Code}}); r.StatusCode != 409 || !strings.Contains(string(r.Body), "已结课") {
		t.Errorf("scanning into a completed class: %d", r.StatusCode)
	}
}

// TestMyTrainingReadsInOrder: coming classes first, soonest first, then
// the past; a new calendar feed is offered as "add to calendar".
func TestMyTrainingReadsInOrder(t *testing.T) {
	e := apptest.New(t, "sqlite")
	ctx := context.Background()
	sys := model.SystemActor()
	home, _ := e.Store.CreateHome(ctx, sys, model.Home{Name: "之家", RegionID: e.Regions["A"], Rooms: []model.Room{{Name: "教室", Seats: 30}}})
	lect, _ := e.Store.SaveLecturer(ctx, sys, &model.Lecturer{Name: "王教授", AffiliationKind: "university"})
	m, _ := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "学员", Mobile: "13900004444"})
	var bs []*model.Booking
	for i, title := range []string{"后开的课", "先开的课"} {
		course, _ := e.Store.SaveCourse(ctx, sys, &model.Course{Title: title, Category: "permit", CreditHours: 2, LecturerIDs: []int64{lect.ID}})
		starts := e.Clock.Now().Add(time.Duration(48-24*i) * time.Hour)
		k, err := e.Store.CreateClass(ctx, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), Capacity: 5})
		if err != nil {
			t.Fatal(err)
		}
		b, err := e.Store.Book(ctx, sys, k.ID, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		bs = append(bs, b)
	}
	ent := e.Browser(apptest.EnterpriseA)
	body := string(ent.Get("/training").Body)
	if first, later := strings.Index(body, "先开的课"), strings.Index(body, "后开的课"); first < 0 || later < 0 || first > later {
		t.Errorf("coming classes not soonest first: %d, %d", first, later)
	}
	r := ent.Post(fmt.Sprintf("/bookings/%d/calendar", bs[0].ID), nil)
	if !strings.Contains(string(r.Body), `href="webcal://`) || !strings.Contains(string(r.Body), "添加到日历") {
		t.Errorf("calendar feed not offered as add-to-calendar: %d", r.StatusCode)
	}
}
