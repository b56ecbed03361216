package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// courseEnv sets up a Home with a 30- and a 4-seat room in region A, a
// course taught by the fixture lecturer, and managers at enterprises A and B.
type courseEnv struct {
	*apptest.Env
	home, course int64
	mA           []int64 // enterprise A's managers
	mB           int64
}

func newCourseEnv(t *testing.T, e *apptest.Env) *courseEnv {
	t.Helper()
	ctx := context.Background()
	sys := model.SystemActor()
	home, err := e.Store.CreateHome(ctx, sys, model.Home{Name: "智慧港之家", RegionID: e.Regions["A"],
		Rooms: []model.Room{{Name: "一号教室", Seats: 30}, {Name: "小教室", Seats: 4}}})
	if err != nil {
		t.Fatal(err)
	}
	lect, err := e.Store.SaveLecturer(ctx, sys, &model.Lecturer{Name: "王教授", AffiliationKind: "university", UserID: &e.Users[apptest.Lecturer].ID})
	if err != nil {
		t.Fatal(err)
	}
	var c model.Course
	r := e.API(admin, "POST", "/api/v1/courses", map[string]any{"title": "碳排放权交易管理", "category": "carbon", "credit_hours": 3,
		"description": "全国碳市场", "lecturer_ids": []int64{lect.ID}})
	if r.StatusCode != 201 {
		t.Fatalf("create course: %d %s", r.StatusCode, r.Body)
	}
	r.JSON(t, &c)
	ce := &courseEnv{Env: e, home: home.ID, course: c.ID}
	for i := range 4 {
		var m model.Manager
		e.API(admin, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["A"]), map[string]any{"name": fmt.Sprintf("张%d", i), "mobile": fmt.Sprintf("1390000000%d", i)}).JSON(t, &m)
		ce.mA = append(ce.mA, m.ID)
	}
	var m model.Manager
	e.API(admin, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["B"]), map[string]any{"name": "李四", "mobile": "13800000009"}).JSON(t, &m)
	ce.mB = m.ID
	return ce
}

func (ce *courseEnv) class(t *testing.T, capacity, limit int, starts time.Time) model.Class {
	t.Helper()
	r := ce.API(admin, "POST", fmt.Sprintf("/api/v1/courses/%d/classes", ce.course), map[string]any{"home_id": ce.home,
		"starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(3 * time.Hour).Format(time.RFC3339),
		"capacity": capacity, "per_enterprise_limit": limit, "booking_opens_at": ce.Clock.Now().Add(-time.Hour).Format(time.RFC3339),
		"booking_closes_at": starts.Add(-time.Hour).Format(time.RFC3339)})
	if r.StatusCode != 201 {
		t.Fatalf("create class: %d %s", r.StatusCode, r.Body)
	}
	var k model.Class
	r.JSON(t, &k)
	return k
}

func (ce *courseEnv) book(t *testing.T, who apptest.Who, class, manager int64) (*apptest.Response, model.Booking) {
	t.Helper()
	r := ce.API(who, "POST", fmt.Sprintf("/api/v1/classes/%d/bookings", class), map[string]any{"manager_id": manager})
	var b model.Booking
	if r.StatusCode < 300 {
		r.JSON(t, &b)
	}
	return r, b
}

func TestClassesAndBookings(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		starts := e.Clock.Now().Add(72 * time.Hour)

		// Bad classes change nothing and say which field is wrong.
		for name, tc := range map[string]struct {
			body  map[string]any
			field string
		}{
			"ends before start": {map[string]any{"home_id": ce.home, "starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(-time.Hour).Format(time.RFC3339), "capacity": 10}, "ends_at"},
			"room too small":    {map[string]any{"home_id": ce.home, "starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(time.Hour).Format(time.RFC3339), "capacity": 31}, "capacity"},
			"unknown home":      {map[string]any{"home_id": 999, "starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(time.Hour).Format(time.RFC3339), "capacity": 5}, "home_id"},
		} {
			r := e.API(admin, "POST", fmt.Sprintf("/api/v1/courses/%d/classes", ce.course), tc.body)
			if r.StatusCode != 422 || !strings.Contains(string(r.Body), `"`+tc.field+`"`) {
				t.Errorf("%s: %d %s", name, r.StatusCode, r.Body)
			}
		}
		if r := e.API(admin, "POST", "/api/v1/courses", map[string]any{"title": "x", "category": "cooking", "credit_hours": 2}); r.StatusCode != 422 {
			t.Errorf("bad category: %d", r.StatusCode)
		}
		// Another town's association may not schedule at this Home.
		if r := e.API(apptest.AssociationB, "POST", fmt.Sprintf("/api/v1/courses/%d/classes", ce.course), map[string]any{"home_id": ce.home,
			"starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(time.Hour).Format(time.RFC3339), "capacity": 5}); r.StatusCode != 403 {
			t.Errorf("association B schedules in A: %d", r.StatusCode)
		}

		k := ce.class(t, 2, 2, starts)
		if k.Capacity != 2 || k.Confirmed != 0 || k.Waitlisted != 0 || k.RoomName != "小教室" {
			t.Fatalf("class %+v", k)
		}
		r, b1 := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[0])
		if r.StatusCode != 201 || b1.Status != "confirmed" || b1.WaitlistPosition != nil {
			t.Fatalf("book: %d %s", r.StatusCode, r.Body)
		}
		if !strings.Contains(string(r.Body), `"waitlist_position":null`) {
			t.Errorf("waitlist_position missing: %s", r.Body)
		}
		// Booking again returns the same booking with 200.
		if r, again := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[0]); r.StatusCode != 200 || again.ID != b1.ID {
			t.Fatalf("repeat: %d %s", r.StatusCode, r.Body)
		}
		// Another enterprise's manager is not one of ours.
		if r, _ := ce.book(t, apptest.EnterpriseA, k.ID, ce.mB); r.StatusCode != 422 {
			t.Errorf("book B's manager: %d %s", r.StatusCode, r.Body)
		}
		r, _ = ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[1])
		if r.StatusCode != 201 {
			t.Fatalf("second: %d", r.StatusCode)
		}
		// Enterprise A is at its cap of 2.
		if r, _ := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[2]); r.StatusCode != 409 || r.ErrorCode() != "limit_reached" {
			t.Errorf("cap: %d %s", r.StatusCode, r.Body)
		}
		// The class is full: B joins the waitlist at position 1.
		r, wb := ce.book(t, apptest.EnterpriseB, k.ID, ce.mB)
		if r.StatusCode != 201 || wb.Status != "waitlisted" || wb.WaitlistPosition == nil || *wb.WaitlistPosition != 1 {
			t.Fatalf("waitlist: %d %s", r.StatusCode, r.Body)
		}
		e.API(admin, "GET", fmt.Sprintf("/api/v1/classes/%d", k.ID), nil).JSON(t, &k)
		if k.Confirmed != 2 || k.Waitlisted != 1 {
			t.Fatalf("counts %+v", k)
		}
		// Each enterprise sees only its own bookings; the lecturer sees all.
		for who, want := range map[apptest.Who]int{apptest.EnterpriseA: 2, apptest.EnterpriseB: 1, apptest.Lecturer: 3, admin: 3, apptest.AssociationB: 1, apptest.Provider: -1} {
			var l model.List[model.Booking]
			r := e.API(who, "GET", fmt.Sprintf("/api/v1/classes/%d/bookings", k.ID), nil)
			if want < 0 {
				if r.StatusCode != 404 {
					t.Errorf("%s: %d", who, r.StatusCode)
				}
				continue
			}
			r.JSON(t, &l)
			if len(l.Items) != want {
				t.Errorf("%s sees %d bookings, want %d", who, len(l.Items), want)
			}
		}
		// Another enterprise cannot see or cancel A's booking.
		if r := e.API(apptest.EnterpriseB, "DELETE", fmt.Sprintf("/api/v1/bookings/%d", b1.ID), nil); r.StatusCode != 404 {
			t.Errorf("B cancels A's booking: %d", r.StatusCode)
		}
		// A cancels: B is promoted at once and notified.
		if r := e.API(apptest.EnterpriseA, "DELETE", fmt.Sprintf("/api/v1/bookings/%d", b1.ID), nil); r.StatusCode != 200 {
			t.Fatalf("cancel: %d %s", r.StatusCode, r.Body)
		}
		var got model.Booking
		e.API(apptest.EnterpriseB, "GET", fmt.Sprintf("/api/v1/bookings/%d", wb.ID), nil).JSON(t, &got)
		if got.Status != "confirmed" {
			t.Fatalf("not promoted: %+v", got)
		}
		var ns model.List[model.Notification]
		e.API(apptest.EnterpriseB, "GET", "/api/v1/notifications", nil).JSON(t, &ns)
		if len(ns.Items) != 1 || ns.Items[0].Kind != "promoted" || !strings.Contains(ns.Items[0].Text, "碳排放权交易管理") {
			t.Fatalf("notices %+v", ns.Items)
		}
		var nsA model.List[model.Notification]
		e.API(apptest.EnterpriseA, "GET", "/api/v1/notifications", nil).JSON(t, &nsA)
		if len(nsA.Items) != 0 {
			t.Errorf("A got B's notice")
		}

		// Lowering capacity below the confirmed seats is refused, unless the
		// bureau names who moves, with a reason.
		if r := e.API(admin, "PATCH", fmt.Sprintf("/api/v1/classes/%d", k.ID), map[string]any{"capacity": 1}); r.StatusCode != 409 {
			t.Errorf("lower capacity: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(admin, "PATCH", fmt.Sprintf("/api/v1/classes/%d", k.ID), map[string]any{"capacity": 1, "demote_booking_ids": []int64{wb.ID}, "reason": "教室调整"}); r.StatusCode != 200 {
			t.Fatalf("demote: %d %s", r.StatusCode, r.Body)
		}
		e.API(apptest.EnterpriseB, "GET", fmt.Sprintf("/api/v1/bookings/%d", wb.ID), nil).JSON(t, &got)
		if got.Status != "waitlisted" || *got.WaitlistPosition != 1 {
			t.Fatalf("demoted %+v", got)
		}
		// Leaving the waitlist closes the gap.
		if r := e.API(apptest.EnterpriseB, "DELETE", fmt.Sprintf("/api/v1/bookings/%d", wb.ID), nil); r.StatusCode != 200 {
			t.Fatalf("leave waitlist: %d", r.StatusCode)
		}
		e.API(admin, "GET", fmt.Sprintf("/api/v1/classes/%d", k.ID), nil).JSON(t, &k)
		if k.Confirmed != 1 || k.Waitlisted != 0 || k.Capacity != 1 {
			t.Fatalf("after leaving %+v", k)
		}

		// Suspended managers, windows and cancelled classes.
		reason := "离职"
		e.API(admin, "PATCH", fmt.Sprintf("/api/v1/managers/%d", ce.mA[3]), map[string]any{"status": "suspended", "reason": reason})
		k2 := ce.class(t, 10, 0, starts.Add(24*time.Hour))
		if r, _ := ce.book(t, apptest.EnterpriseA, k2.ID, ce.mA[3]); r.StatusCode != 422 {
			t.Errorf("suspended manager: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(admin, "POST", fmt.Sprintf("/api/v1/classes/%d/cancel", k2.ID), map[string]any{"reason": "讲师出差"}); r.StatusCode != 200 {
			t.Fatalf("cancel class: %d %s", r.StatusCode, r.Body)
		}
		if r, _ := ce.book(t, apptest.EnterpriseA, k2.ID, ce.mA[0]); r.StatusCode != 409 || r.ErrorCode() != "booking_closed" {
			t.Errorf("cancelled class: %d %s", r.StatusCode, r.Body)
		}
		k3 := ce.class(t, 10, 0, starts.Add(48*time.Hour))
		e.Clock.Advance(6 * 24 * time.Hour)
		if r, _ := ce.book(t, apptest.EnterpriseA, k3.ID, ce.mA[0]); r.StatusCode != 409 || r.ErrorCode() != "booking_closed" {
			t.Errorf("past class: %d %s", r.StatusCode, r.Body)
		}
	})
}

func TestCheckInCreditsCertificates(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		starts := e.Clock.Now().Add(2 * time.Hour)
		k := ce.class(t, 10, 0, starts)
		other := ce.class(t, 10, 0, starts.Add(24*time.Hour))
		_, b := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[0])
		_, b2 := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[1])
		_, bo := ce.book(t, apptest.EnterpriseA, other.ID, ce.mA[0])
		if b.Code == "" {
			t.Fatal("no check-in code")
		}
		// Enterprises cannot check people in; a forged code is refused.
		if r := e.API(apptest.EnterpriseA, "POST", fmt.Sprintf("/api/v1/classes/%d/checkins", k.ID), map[string]any{"code": b.Code}); r.StatusCode != 404 {
			t.Errorf("enterprise scans: %d", r.StatusCode)
		}
		e.Clock.Advance(2*time.Hour + 5*time.Minute)
		if r := e.API(apptest.Lecturer, "POST", fmt.Sprintf("/api/v1/classes/%d/checkins", k.ID), map[string]any{"code": "FORGED0000000000"}); r.StatusCode != 422 {
			t.Errorf("forged: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(apptest.Lecturer, "POST", fmt.Sprintf("/api/v1/classes/%d/checkins", k.ID), map[string]any{"code": bo.Code}); r.StatusCode != 409 {
			t.Errorf("other class's code: %d %s", r.StatusCode, r.Body)
		}
		var ci model.CheckIn
		r := e.API(apptest.Lecturer, "POST", fmt.Sprintf("/api/v1/classes/%d/checkins", k.ID), map[string]any{"code": b.Code})
		r.JSON(t, &ci)
		if r.StatusCode != 200 || ci.Duplicate || ci.Booking.Attendance != "present" {
			t.Fatalf("check in: %d %s", r.StatusCode, r.Body)
		}
		e.API(apptest.Lecturer, "POST", fmt.Sprintf("/api/v1/classes/%d/checkins", k.ID), map[string]any{"code": b.Code}).JSON(t, &ci)
		if !ci.Duplicate {
			t.Errorf("second scan not a duplicate")
		}
		// Self check-in with the rotating code: an expired code is refused.
		var rot struct{ Code string }
		e.API(apptest.Lecturer, "GET", fmt.Sprintf("/api/v1/classes/%d/rotating-code", k.ID), nil).JSON(t, &rot)
		e.Clock.Advance(20 * time.Minute)
		if r := e.API(apptest.EnterpriseA, "POST", fmt.Sprintf("/api/v1/classes/%d/self-checkins", k.ID), map[string]any{"booking_id": b2.ID, "code": rot.Code}); r.StatusCode != 409 {
			t.Errorf("expired rotation: %d %s", r.StatusCode, r.Body)
		}
		e.API(apptest.Lecturer, "GET", fmt.Sprintf("/api/v1/classes/%d/rotating-code", k.ID), nil).JSON(t, &rot)
		r = e.API(apptest.EnterpriseA, "POST", fmt.Sprintf("/api/v1/classes/%d/self-checkins", k.ID), map[string]any{"booking_id": b2.ID, "code": rot.Code})
		r.JSON(t, &ci)
		if r.StatusCode != 200 || ci.Booking.Attendance != "late" {
			t.Fatalf("self check-in: %d %s", r.StatusCode, r.Body)
		}
		// Feedback waits for the end; the class is completed by its lecturer.
		if r := e.API(apptest.EnterpriseA, "POST", fmt.Sprintf("/api/v1/bookings/%d/feedback", b.ID), map[string]any{"rating": 5}); r.StatusCode != 409 {
			t.Errorf("early feedback: %d", r.StatusCode)
		}
		e.Clock.Advance(3 * time.Hour)
		if r := e.API(apptest.Lecturer, "POST", fmt.Sprintf("/api/v1/classes/%d/complete", k.ID), nil); r.StatusCode != 200 {
			t.Fatalf("complete: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(apptest.EnterpriseA, "POST", fmt.Sprintf("/api/v1/bookings/%d/feedback", b.ID), map[string]any{"rating": 6}); r.StatusCode != 422 {
			t.Errorf("rating 6: %d", r.StatusCode)
		}
		e.API(apptest.EnterpriseA, "POST", fmt.Sprintf("/api/v1/bookings/%d/feedback", b.ID), map[string]any{"rating": 4, "comment": "很实用"})
		var fb model.FeedbackSummary
		e.API(apptest.Lecturer, "GET", fmt.Sprintf("/api/v1/classes/%d/feedback", k.ID), nil).JSON(t, &fb)
		if fb.Count != 1 || fb.Average != 4 || fb.Comments[0].Comment != "很实用" {
			t.Errorf("feedback %+v", fb)
		}
		if r := e.API(apptest.EnterpriseB, "GET", fmt.Sprintf("/api/v1/classes/%d/feedback", k.ID), nil); r.StatusCode != 404 {
			t.Errorf("B reads feedback: %d", r.StatusCode)
		}
		// Certificates and credit hours.
		var cert model.Certificate
		e.API(apptest.EnterpriseA, "GET", fmt.Sprintf("/api/v1/bookings/%d/certificate", b.ID), nil).JSON(t, &cert)
		if cert.Code == "" || cert.CreditHours != 3 || cert.PersonName != "张0" {
			t.Fatalf("certificate %+v", cert)
		}
		r = e.API(apptest.Guest, "GET", "/api/v1/certificates/"+cert.Code, nil)
		if r.StatusCode != 200 || strings.Contains(string(r.Body), "mobile") || strings.Contains(string(r.Body), "139") {
			t.Fatalf("public verify: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(apptest.Guest, "GET", "/api/v1/certificates/NOPE", nil); r.StatusCode != 404 {
			t.Errorf("unknown certificate: %d", r.StatusCode)
		}
		var hist struct {
			Progress model.CreditProgress
			History  []model.CreditRecord
		}
		e.API(apptest.EnterpriseA, "GET", fmt.Sprintf("/api/v1/managers/%d/credits?year=2026", ce.mA[0]), nil).JSON(t, &hist)
		if hist.Progress.Hours != 3 || hist.Progress.Required != 12 || len(hist.History) != 1 {
			t.Fatalf("credits %+v", hist)
		}
		if r := e.API(apptest.EnterpriseB, "GET", fmt.Sprintf("/api/v1/managers/%d/credits", ce.mA[0]), nil); r.StatusCode != 404 {
			t.Errorf("B reads A's credits: %d", r.StatusCode)
		}
		// Behind lists: the bureau sees both towns, association B only its own.
		var behind model.List[model.CreditProgress]
		e.API(admin, "GET", "/api/v1/credits?year=2026&behind=1", nil).JSON(t, &behind)
		if len(behind.Items) != 5 { // 4 of A (3 h < 12) and B's
			t.Errorf("bureau behind: %d", len(behind.Items))
		}
		e.API(apptest.AssociationB, "GET", "/api/v1/credits?year=2026&behind=1", nil).JSON(t, &behind)
		if len(behind.Items) != 1 || behind.Items[0].ManagerID != ce.mB {
			t.Errorf("association B behind: %+v", behind.Items)
		}
		e.API(admin, "PUT", "/api/v1/settings/training", map[string]any{"required_hours": 3, "waitlist_mode": "auto", "offer_hours": 24, "late_minutes": 15})
		e.API(admin, "GET", "/api/v1/credits?year=2026&behind=1", nil).JSON(t, &behind)
		if len(behind.Items) != 3 { // mA[0] and mA[1] have 3 h now
			t.Errorf("behind at 3 h: %d", len(behind.Items))
		}
	})
}

func TestBookingRushOverHTTP(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		k := ce.class(t, 2, 0, e.Clock.Now().Add(72*time.Hour))
		// Every manager of both enterprises books twice at once.
		var wg sync.WaitGroup
		type res struct {
			status int
			id     int64
		}
		out := make(chan res, 20)
		for i := range 2 {
			_ = i
			for _, m := range ce.mA[:3] {
				wg.Go(func() { r, b := ce.book(t, apptest.EnterpriseA, k.ID, m); out <- res{r.StatusCode, b.ID} })
			}
			wg.Go(func() { r, b := ce.book(t, apptest.EnterpriseB, k.ID, ce.mB); out <- res{r.StatusCode, b.ID} })
		}
		wg.Wait()
		close(out)
		ids := map[int64]int{}
		for r := range out {
			if r.status != 200 && r.status != 201 {
				t.Fatalf("status %d", r.status)
			}
			ids[r.id]++
		}
		if len(ids) != 4 {
			t.Fatalf("%d distinct bookings, want 4: %v", len(ids), ids)
		}
		var l model.List[model.Booking]
		e.API(admin, "GET", fmt.Sprintf("/api/v1/classes/%d/bookings", k.ID), nil).JSON(t, &l)
		conf, pos := 0, map[int]bool{}
		for _, b := range l.Items {
			if b.Status == "confirmed" {
				conf++
			} else {
				pos[*b.WaitlistPosition] = true
			}
		}
		if conf != 2 || !pos[1] || !pos[2] || len(pos) != 2 {
			t.Fatalf("confirmed %d, waitlist %v", conf, pos)
		}
	})
}

func TestNoticesAreDeliveredOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		var mu sync.Mutex
		var posts []string
		hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var b strings.Builder
			buf := make([]byte, 4096)
			n, _ := r.Body.Read(buf)
			b.Write(buf[:n])
			mu.Lock()
			posts = append(posts, b.String())
			mu.Unlock()
			w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
		}))
		defer hook.Close()
		if r := e.API(apptest.EnterpriseA, "PUT", "/api/v1/me/notices", map[string]any{"webhook_url": hook.URL}); r.StatusCode != 200 {
			t.Fatalf("set webhook: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(apptest.EnterpriseA, "PUT", "/api/v1/me/notices", map[string]any{"email": "not-an-address"}); r.StatusCode != 422 {
			t.Errorf("bad email: %d", r.StatusCode)
		}
		k := ce.class(t, 10, 0, e.Clock.Now().Add(20*time.Hour))
		ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[0])
		// The reminder sweep runs on every instance, often: one notice.
		for range 3 {
			if _, err := e.Store.QueueReminders(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		for {
			did, err := e.Server.Notices.RunOnce(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if !did {
				break
			}
		}
		mu.Lock()
		defer mu.Unlock()
		if len(posts) != 1 || !strings.Contains(posts[0], `"msgtype":"text"`) || !strings.Contains(posts[0], "碳排放权交易管理") {
			t.Fatalf("webhook posts %q", posts)
		}
		var ns model.List[model.Notification]
		e.API(apptest.EnterpriseA, "GET", "/api/v1/notifications", nil).JSON(t, &ns)
		if len(ns.Items) != 1 || ns.Items[0].Kind != "reminder" {
			t.Fatalf("notices %+v", ns.Items)
		}
	})
}

func TestWaitlistOffersAndReorder(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		if r := e.API(admin, "PUT", "/api/v1/settings/training", map[string]any{"required_hours": 12, "waitlist_mode": "offer", "offer_hours": 2, "late_minutes": 15}); r.StatusCode != 200 {
			t.Fatalf("settings: %d %s", r.StatusCode, r.Body)
		}
		if r := e.API(apptest.AssociationA, "PUT", "/api/v1/settings/training", map[string]any{"required_hours": 1, "waitlist_mode": "auto", "offer_hours": 2, "late_minutes": 15}); r.StatusCode != 403 {
			t.Errorf("association changes settings: %d", r.StatusCode)
		}
		k := ce.class(t, 1, 0, e.Clock.Now().Add(72*time.Hour))
		_, seat := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[0])
		_, w1 := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[1])
		_, w2 := ce.book(t, apptest.EnterpriseB, k.ID, ce.mB)
		_, w3 := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[2])
		// The bureau moves B to the front, with a reason; without one it is refused.
		if r := e.API(admin, "POST", fmt.Sprintf("/api/v1/bookings/%d/position", w2.ID), map[string]any{"position": 1}); r.StatusCode != 422 {
			t.Errorf("reorder without reason: %d", r.StatusCode)
		}
		if r := e.API(apptest.AssociationA, "POST", fmt.Sprintf("/api/v1/bookings/%d/position", w2.ID), map[string]any{"position": 1, "reason": "x"}); r.StatusCode != 403 {
			t.Errorf("association reorders: %d", r.StatusCode)
		}
		if r := e.API(admin, "POST", fmt.Sprintf("/api/v1/bookings/%d/position", w2.ID), map[string]any{"position": 1, "reason": "重点排污单位优先"}); r.StatusCode != 200 {
			t.Fatalf("reorder: %d %s", r.StatusCode, r.Body)
		}
		positions := func() map[int64]int {
			var l model.List[model.Booking]
			e.API(admin, "GET", fmt.Sprintf("/api/v1/classes/%d/bookings", k.ID), nil).JSON(t, &l)
			out := map[int64]int{}
			for _, b := range l.Items {
				if b.WaitlistPosition != nil {
					out[b.ID] = *b.WaitlistPosition
				} else {
					out[b.ID] = 0
				}
			}
			return out
		}
		if p := positions(); p[w2.ID] != 1 || p[w1.ID] != 2 || p[w3.ID] != 3 {
			t.Fatalf("after reorder %v", p)
		}
		var audit model.List[model.AuditEntry]
		e.API(admin, "GET", "/api/v1/audit?action=booking.reorder", nil).JSON(t, &audit)
		if len(audit.Items) != 1 || !strings.Contains(string(audit.Items[0].Changes), "重点排污单位优先") {
			t.Errorf("reorder not logged with its reason: %+v", audit.Items)
		}
		// The seat frees: in offer mode B is offered it for 2 hours.
		e.API(apptest.EnterpriseA, "DELETE", fmt.Sprintf("/api/v1/bookings/%d", seat.ID), nil)
		var b model.Booking
		e.API(apptest.EnterpriseB, "GET", fmt.Sprintf("/api/v1/bookings/%d", w2.ID), nil).JSON(t, &b)
		if b.Status != "offered" || b.OfferExpiresAt == nil {
			t.Fatalf("not offered: %+v", b)
		}
		// B lets it run out: the seat passes to the next.
		e.Clock.Advance(3 * time.Hour)
		if n, err := e.Store.ExpireOffers(context.Background()); err != nil || n != 1 {
			t.Fatalf("expire: %d %v", n, err)
		}
		if r := e.API(apptest.EnterpriseB, "POST", fmt.Sprintf("/api/v1/bookings/%d/accept", w2.ID), nil); r.StatusCode != 409 {
			t.Errorf("accept an expired offer: %d", r.StatusCode)
		}
		e.API(apptest.EnterpriseA, "GET", fmt.Sprintf("/api/v1/bookings/%d", w1.ID), nil).JSON(t, &b)
		if b.Status != "offered" {
			t.Fatalf("next not offered: %+v", b)
		}
		if r := e.API(apptest.EnterpriseB, "POST", fmt.Sprintf("/api/v1/bookings/%d/accept", w1.ID), nil); r.StatusCode != 404 {
			t.Errorf("B accepts A's offer: %d", r.StatusCode)
		}
		if r := e.API(apptest.EnterpriseA, "POST", fmt.Sprintf("/api/v1/bookings/%d/accept", w1.ID), nil); r.StatusCode != 200 {
			t.Fatalf("accept: %d %s", r.StatusCode, r.Body)
		}
		if p := positions(); p[w1.ID] != 0 || p[w3.ID] != 1 || len(p) != 2 {
			t.Fatalf("after accept %v", p)
		}
	})
}

func TestTopicsBecomeCourses(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		var topic model.Topic
		r := e.API(apptest.EnterpriseA, "POST", "/api/v1/topics", map[string]any{"title": "环境信息依法披露"})
		if r.StatusCode != 201 {
			t.Fatalf("propose: %d %s", r.StatusCode, r.Body)
		}
		r.JSON(t, &topic)
		for range 2 { // voting twice counts once
			if r := e.API(apptest.EnterpriseB, "POST", fmt.Sprintf("/api/v1/topics/%d/votes", topic.ID), nil); r.StatusCode != 204 {
				t.Fatalf("vote: %d", r.StatusCode)
			}
		}
		if r := e.API(apptest.Lecturer, "POST", fmt.Sprintf("/api/v1/topics/%d/votes", topic.ID), nil); r.StatusCode != 403 {
			t.Errorf("lecturer votes: %d", r.StatusCode)
		}
		var l model.List[model.Topic]
		e.API(apptest.EnterpriseB, "GET", "/api/v1/topics", nil).JSON(t, &l)
		if len(l.Items) != 1 || l.Items[0].Votes != 2 || !l.Items[0].Voted {
			t.Fatalf("topics %+v", l.Items)
		}
		if r := e.API(apptest.EnterpriseA, "POST", fmt.Sprintf("/api/v1/topics/%d/course", topic.ID), map[string]any{"title": "x", "category": "law", "credit_hours": 2}); r.StatusCode != 403 {
			t.Errorf("enterprise adopts: %d", r.StatusCode)
		}
		var c model.Course
		r = e.API(admin, "POST", fmt.Sprintf("/api/v1/topics/%d/course", topic.ID), map[string]any{"title": "企业环境信息依法披露实务", "category": "law", "credit_hours": 2})
		if r.StatusCode != 201 {
			t.Fatalf("adopt: %d %s", r.StatusCode, r.Body)
		}
		r.JSON(t, &c)
		if c.TopicID == nil || *c.TopicID != topic.ID {
			t.Errorf("course %+v", c)
		}
		if r := e.API(apptest.EnterpriseB, "POST", fmt.Sprintf("/api/v1/topics/%d/votes", topic.ID), nil); r.StatusCode != 409 {
			t.Errorf("vote on adopted topic: %d", r.StatusCode)
		}
	})
}

// TestCourseRoutesByRole asks every course-supermarket route with an id in
// it as every role: each either answers or is not found/forbidden, never
// another's data.
func TestCourseRoutesByRole(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		k := ce.class(t, 10, 0, e.Clock.Now().Add(72*time.Hour))
		_, b := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[0])
		m := ce.mA[0]
		type want map[apptest.Who]int
		const G, Ad, AA, AB, EA, EB, L, P = apptest.Guest, apptest.Admin, apptest.AssociationA, apptest.AssociationB, apptest.EnterpriseA, apptest.EnterpriseB, apptest.Lecturer, apptest.Provider
		cases := []struct {
			method, path string
			body         any
			want         want
		}{
			{"GET", fmt.Sprintf("/api/v1/bookings/%d", b.ID), nil, want{G: 401, Ad: 200, AA: 200, AB: 404, EA: 200, EB: 404, L: 200, P: 404}},
			{"GET", fmt.Sprintf("/api/v1/bookings/%d/qr.png", b.ID), nil, want{G: 401, Ad: 200, EA: 200, EB: 404, AB: 404, P: 404}},
			{"GET", fmt.Sprintf("/api/v1/bookings/%d/certificate", b.ID), nil, want{G: 401, EA: 404, EB: 404}},
			{"GET", fmt.Sprintf("/api/v1/classes/%d/bookings", k.ID), nil, want{G: 401, Ad: 200, AA: 200, AB: 200, EA: 200, EB: 200, L: 200, P: 404}},
			{"GET", fmt.Sprintf("/api/v1/classes/%d/rotating-code", k.ID), nil, want{G: 401, Ad: 200, AA: 200, AB: 404, EA: 404, EB: 404, L: 200, P: 404}},
			{"GET", fmt.Sprintf("/api/v1/classes/%d/feedback", k.ID), nil, want{G: 401, Ad: 200, AA: 200, AB: 404, EA: 404, L: 200, P: 404}},
			{"POST", fmt.Sprintf("/api/v1/classes/%d/checkins", k.ID), map[string]any{"code": "NOSUCHCODE"}, want{G: 401, Ad: 422, AA: 422, AB: 404, EA: 404, EB: 404, L: 422, P: 404}},
			{"PUT", fmt.Sprintf("/api/v1/bookings/%d/attendance", b.ID), map[string]any{"attendance": "excused"}, want{G: 401, AB: 404, EA: 404, EB: 404, P: 404, L: 200}},
			{"PATCH", fmt.Sprintf("/api/v1/classes/%d", k.ID), map[string]any{}, want{G: 401, Ad: 200, AA: 200, AB: 404, EA: 403, L: 403, P: 403}},
			{"POST", fmt.Sprintf("/api/v1/bookings/%d/position", b.ID), map[string]any{"position": 1, "reason": "测试"}, want{G: 401, AA: 403, EA: 403, L: 403, Ad: 409}},
			{"GET", fmt.Sprintf("/api/v1/managers/%d/credits", m), nil, want{G: 401, Ad: 200, AA: 200, AB: 404, EA: 200, EB: 404, L: 404, P: 404}},
			{"GET", fmt.Sprintf("/api/v1/managers/%d/calendar", m), nil, want{G: 401, Ad: 200, AA: 200, AB: 404, EA: 200, EB: 404, L: 404, P: 404}},
			{"GET", "/api/v1/credits", nil, want{G: 401, Ad: 200, AA: 200, EA: 200, L: 200, P: 200}},
			{"POST", "/api/v1/courses", map[string]any{"title": "噪声", "category": "noise", "credit_hours": 1}, want{G: 401, AA: 403, EA: 403, L: 403, P: 403, Ad: 201}},
			{"PUT", "/api/v1/settings/training", map[string]any{"required_hours": 12, "waitlist_mode": "auto", "offer_hours": 24, "late_minutes": 15}, want{G: 401, AA: 403, EA: 403, L: 403, Ad: 200}},
			{"POST", "/api/v1/topics", map[string]any{"title": "土壤"}, want{G: 401, L: 403, P: 403, EA: 201}},
			{"GET", fmt.Sprintf("/api/v1/classes/%d", k.ID), nil, want{G: 200, P: 200}},
		}
		for _, c := range cases {
			for who, status := range c.want {
				if r := e.API(who, c.method, c.path, c.body); r.StatusCode != status {
					t.Errorf("%s %s %s: %d, want %d (%s)", who, c.method, c.path, r.StatusCode, status, truncate(r.Body))
				}
			}
		}
		// The lists an association or another enterprise got hold nothing of A's.
		for _, who := range []apptest.Who{AB, EB} {
			var l model.List[model.Booking]
			e.API(who, "GET", fmt.Sprintf("/api/v1/classes/%d/bookings", k.ID), nil).JSON(t, &l)
			if len(l.Items) != 0 {
				t.Errorf("%s sees %d of A's bookings", who, len(l.Items))
			}
			var cl model.List[model.CreditProgress]
			e.API(who, "GET", "/api/v1/credits", nil).JSON(t, &cl)
			for _, c := range cl.Items {
				if c.EnterpriseID == e.Ents["A"] {
					t.Errorf("%s sees A's manager %d in credits", who, c.ManagerID)
				}
			}
		}
	})
}

func TestCancellationDeadline(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		k := ce.class(t, 1, 0, e.Clock.Now().Add(72*time.Hour)) // deadline: 24 hours before
		_, seat := ce.book(t, apptest.EnterpriseA, k.ID, ce.mA[0])
		_, wait := ce.book(t, apptest.EnterpriseB, k.ID, ce.mB)
		e.Clock.Advance(49 * time.Hour)
		if r := e.API(apptest.EnterpriseA, "DELETE", fmt.Sprintf("/api/v1/bookings/%d", seat.ID), nil); r.StatusCode != 409 {
			t.Errorf("cancel after the deadline: %d %s", r.StatusCode, r.Body)
		}
		// Leaving the waitlist is always possible; the organiser may still cancel a seat.
		if r := e.API(apptest.EnterpriseB, "DELETE", fmt.Sprintf("/api/v1/bookings/%d", wait.ID), nil); r.StatusCode != 200 {
			t.Errorf("leave waitlist after the deadline: %d", r.StatusCode)
		}
		if r := e.API(apptest.AssociationA, "DELETE", fmt.Sprintf("/api/v1/bookings/%d", seat.ID), nil); r.StatusCode != 200 {
			t.Errorf("organiser cancels: %d %s", r.StatusCode, r.Body)
		}
		var got model.Class
		e.API(admin, "GET", fmt.Sprintf("/api/v1/classes/%d", k.ID), nil).JSON(t, &got)
		if got.Confirmed != 0 || got.Waitlisted != 0 {
			t.Errorf("class %+v", got)
		}
	})
}
