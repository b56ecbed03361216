package api_test

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestRightsMatchTheStore walks the role matrix over classes and bookings
// in every phase of a class's life: for each actor, each right the API
// reports ("can") is tried. A right that is true must be accepted (on a
// fresh copy of the situation, since it changes things); a right that is
// false must be refused, with the same status on the web page as in the
// API. So a button the web shows is one the store accepts, and a hidden
// one is one it refuses.
func TestRightsMatchTheStore(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		ctx := context.Background()
		sys := model.SystemActor()
		if err := e.Store.SetTrainingSettings(ctx, sys, model.TrainingSettings{RequiredHours: 12, WaitlistMode: model.WaitlistOffer,
			OfferHours: 24, LateMinutes: 15}); err != nil {
			t.Fatal(err)
		}
		var extra model.Manager // a manager of A booked nowhere, to book with
		e.API(admin, "POST", fmt.Sprintf("/api/v1/enterprises/%d/managers", e.Ents["A"]), map[string]any{"name": "赵五", "mobile": "13900000099"}).JSON(t, &extra)
		browsers := map[apptest.Who]*apptest.Browser{}
		for _, w := range apptest.Everyone {
			browsers[w] = e.Browser(w)
		}

		phases := []string{"open", "after_deadline", "in_class", "completed", "cancelled"}
		states := []string{"confirmed", "cancelled", "offered", "waitlisted"}
		tried := map[string]int{}
		for _, phase := range phases {
			shared := ce.situation(t, phase)
			for _, who := range apptest.Everyone {
				// Class rights.
				kc := classRights(t, e, who, shared.class)
				for _, right := range []string{"book", "edit", "cancel_class", "check_in", "complete", "bookings"} {
					s := shared
					if kc[right] {
						s = ce.situation(t, phase)
					}
					manager := extra.ID
					if who == apptest.EnterpriseB || who == apptest.AssociationB {
						manager = ce.mB
					}
					ar, wr := classAction(e, browsers[who], who, right, s, manager)
					check(t, fmt.Sprintf("%s: %s on class (%s)", who, right, phase), kc[right], who, ar, wr)
					if kc[right] {
						tried[right+" true"]++
					} else {
						tried[right+" false"]++
					}
				}
				// Booking rights.
				for i, state := range states {
					bc := bookingRights(t, e, who, shared.bookings[i])
					if bc["cancel"] && bc["leave_waitlist"] {
						t.Errorf("%s: booking %s (%s): cancel and leave_waitlist both true", who, state, phase)
					}
					for _, right := range []string{"cancel", "accept_offer", "feedback", "qr", "attendance", "move"} {
						want := bc[right]
						if right == "cancel" {
							want = bc["cancel"] || bc["leave_waitlist"]
						}
						s := shared
						if want {
							s = ce.situation(t, phase)
						}
						ar, wr := bookingAction(e, browsers[who], who, right, s.bookings[i])
						check(t, fmt.Sprintf("%s: %s on a %s booking (%s)", who, right, state, phase), want, who, ar, wr)
						if want {
							tried[right+" true"]++
						} else {
							tried[right+" false"]++
						}
					}
				}
			}
		}
		// The matrix must have exercised every right both ways somewhere.
		for _, right := range []string{"book", "edit", "cancel_class", "check_in", "complete", "bookings",
			"cancel", "accept_offer", "feedback", "qr", "attendance", "move"} {
			if tried[right+" true"] == 0 || tried[right+" false"] == 0 {
				t.Errorf("%s was granted %d times and refused %d: the matrix does not test it both ways", right, tried[right+" true"], tried[right+" false"])
			}
		}
	})
}

// rightsSituation is a class in one phase with four bookings of
// enterprise A: a confirmed seat, a cancelled one, an offered seat and a
// waitlist place, in that order.
type rightsSituation struct {
	class    int64
	bookings [4]int64
	code     string // the confirmed booking's check-in code
}

func (ce *courseEnv) situation(t *testing.T, phase string) rightsSituation {
	t.Helper()
	ctx := context.Background()
	sys := model.SystemActor()
	now := ce.Clock.Now()
	k, err := ce.Store.CreateClass(ctx, sys, ce.course, model.ClassInput{HomeID: ce.home, StartsAt: now.Add(48 * time.Hour),
		EndsAt: now.Add(51 * time.Hour), Capacity: 2})
	if err != nil {
		t.Fatal(err)
	}
	var s rightsSituation
	s.class = k.ID
	for i := range 4 {
		b, err := ce.Store.Book(ctx, sys, k.ID, ce.mA[i])
		if err != nil {
			t.Fatal(err)
		}
		s.bookings[i] = b.ID
		if i == 0 {
			s.code = b.Code
		}
	}
	// Cancelling the second seat offers it to the first on the waitlist.
	if _, err := ce.Store.CancelBooking(ctx, sys, s.bookings[1]); err != nil {
		t.Fatal(err)
	}
	move := func(starts time.Time) {
		t.Helper()
		ends, opens, closes, deadline := starts.Add(3*time.Hour), now.Add(-72*time.Hour), starts, starts.Add(-24*time.Hour)
		if _, err := ce.Store.UpdateClass(ctx, sys, k.ID, model.ClassPatch{StartsAt: &starts, EndsAt: &ends, BookingOpensAt: &opens,
			BookingClosesAt: &closes, CancelDeadline: &deadline}); err != nil {
			t.Fatal(err)
		}
	}
	switch phase {
	case "after_deadline":
		move(now.Add(12 * time.Hour))
	case "in_class":
		move(now.Add(-30 * time.Minute))
	case "completed":
		move(now.Add(-5 * time.Hour))
		if _, err := ce.Store.SetAttendance(ctx, sys, s.bookings[0], model.AttendancePresent); err != nil {
			t.Fatal(err)
		}
		if _, err := ce.Store.CompleteClass(ctx, sys, k.ID); err != nil {
			t.Fatal(err)
		}
	case "cancelled":
		if _, err := ce.Store.CancelClass(ctx, sys, k.ID, "讲师出差"); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// classRights reads a class's "can" as who; a class who may not see has
// no rights.
func classRights(t *testing.T, e *apptest.Env, who apptest.Who, id int64) map[string]bool {
	t.Helper()
	var k struct{ Can map[string]bool }
	r := e.API(who, "GET", fmt.Sprintf("/api/v1/classes/%d", id), nil)
	if r.StatusCode != 200 {
		t.Fatalf("%s reads class %d: %d %s", who, id, r.StatusCode, r.Body)
	}
	r.JSON(t, &k)
	if k.Can == nil {
		t.Fatalf("%s reads class %d: no rights in %s", who, id, r.Body)
	}
	return k.Can
}

func bookingRights(t *testing.T, e *apptest.Env, who apptest.Who, id int64) map[string]bool {
	t.Helper()
	r := e.API(who, "GET", fmt.Sprintf("/api/v1/bookings/%d", id), nil)
	if r.StatusCode == 404 || r.StatusCode == 401 {
		return map[string]bool{}
	}
	var b struct{ Can map[string]bool }
	r.JSON(t, &b)
	if b.Can == nil {
		t.Fatalf("%s reads booking %d: no rights in %s", who, id, r.Body)
	}
	return b.Can
}

// classAction performs a class right's action through the API and, for a
// right that is refused, through the web page as well.
func classAction(e *apptest.Env, br *apptest.Browser, who apptest.Who, right string, s rightsSituation, manager int64) (api, web *apptest.Response) {
	base, page := fmt.Sprintf("/api/v1/classes/%d", s.class), fmt.Sprintf("/classes/%d", s.class)
	switch right {
	case "book":
		return e.API(who, "POST", base+"/bookings", map[string]any{"manager_id": manager}),
			br.Post(page+"/bookings", url.Values{"manager_id": {fmt.Sprint(manager)}})
	case "edit":
		return e.API(who, "PATCH", base, map[string]any{"per_enterprise_limit": 0}),
			br.Post(page+"/edit", url.Values{"per_enterprise_limit": {"0"}})
	case "cancel_class":
		return e.API(who, "POST", base+"/cancel", map[string]any{"reason": "讲师出差"}),
			br.Post(page+"/cancel", url.Values{"reason": {"讲师出差"}})
	case "check_in":
		return e.API(who, "POST", base+"/checkins", map[string]any{"code": s.code}),
			br.Post(page+"/scan", url.Values{"code": {s.code}})
	case "complete":
		return e.API(who, "POST", base+"/complete", nil), br.Post(page+"/complete", nil)
	case "bookings":
		return e.API(who, "GET", base+"/feedback", nil), br.Get(page + "/sheet")
	}
	panic(right)
}

func bookingAction(e *apptest.Env, br *apptest.Browser, who apptest.Who, right string, id int64) (api, web *apptest.Response) {
	base, page := fmt.Sprintf("/api/v1/bookings/%d", id), fmt.Sprintf("/bookings/%d", id)
	switch right {
	case "cancel":
		return e.API(who, "DELETE", base, nil), br.Post(page+"/cancel", nil)
	case "accept_offer":
		return e.API(who, "POST", base+"/accept", nil), br.Post(page+"/accept", nil)
	case "feedback":
		return e.API(who, "POST", base+"/feedback", map[string]any{"rating": 5}), br.Post(page+"/feedback", url.Values{"rating": {"5"}})
	case "qr":
		return e.API(who, "GET", base+"/qr.png", nil), br.Get(page + "/qr.png")
	case "attendance":
		return e.API(who, "PUT", base+"/attendance", map[string]any{"attendance": "present"}),
			br.Post(page+"/attendance", url.Values{"attendance": {"present"}})
	case "move":
		return e.API(who, "POST", base+"/position", map[string]any{"position": 1, "reason": "调整顺序"}),
			br.Post(page+"/position", url.Values{"position": {"1"}, "reason": {"调整顺序"}})
	}
	panic(right)
}

// check compares what happened with the right: accepted exactly when it
// was granted; a refusal answers the same status on both faces (a guest's
// web request is sent to the login page instead).
func check(t *testing.T, what string, granted bool, who apptest.Who, api, web *apptest.Response) {
	t.Helper()
	accepted := api.StatusCode < 300
	if accepted != granted {
		t.Errorf("%s: right %v but the API answered %d %s", what, granted, api.StatusCode, truncate(api.Body))
		return
	}
	if granted {
		return // the web copy ran on the changed situation; nothing to compare
	}
	if who == apptest.Guest {
		if web.StatusCode != http.StatusUnauthorized && !(web.StatusCode == http.StatusSeeOther && strings.HasPrefix(web.Header.Get("Location"), "/login")) {
			t.Errorf("%s: the web answered a guest %d", what, web.StatusCode)
		}
		return
	}
	if web.StatusCode != api.StatusCode {
		t.Errorf("%s: refused with %d in the API (%s) but %d on the web", what, api.StatusCode, api.ErrorCode(), web.StatusCode)
	}
}

// TestDirectoryAndCourseRightsMatchTheStore walks the same matrix over
// courses (published and archived), an enterprise and a manager.
func TestDirectoryAndCourseRightsMatchTheStore(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		ctx := context.Background()
		sys := model.SystemActor()
		homeB, err := e.Store.CreateHome(ctx, sys, model.Home{Name: "B镇之家", RegionID: e.Regions["B"], Rooms: []model.Room{{Name: "教室", Seats: 30}}})
		if err != nil {
			t.Fatal(err)
		}
		uscc, _ := model.BuildUSCC("91330481", "MA2B0CAC")
		a2, err := e.Store.CreateEnterprise(ctx, sys, model.Enterprise{USCC: uscc, Name: "企业A2", RegionID: e.Regions["A"],
			Kind: model.KindCompany, PermitClass: model.PermitSimplified, IndustryCode: "C3985"})
		if err != nil {
			t.Fatal(err)
		}
		tried := map[string]int{}
		note := func(right string, granted bool) {
			if granted {
				tried[right+" true"]++
			} else {
				tried[right+" false"]++
			}
		}
		newCourse := func(status string) int64 {
			c, err := e.Store.SaveCourse(ctx, sys, &model.Course{Title: "排污许可", Category: "permit", CreditHours: 2, Status: status})
			if err != nil {
				t.Fatal(err)
			}
			return c.ID
		}
		newManager := func(i int) int64 {
			m, err := e.Store.CreateManager(ctx, sys, e.Ents["A"], model.Manager{Name: "钱六", Mobile: fmt.Sprintf("1370000%04d", i)})
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		n := 0
		for _, who := range apptest.Everyone {
			for _, status := range []string{model.CoursePublished, model.CourseArchived} {
				course := newCourse(status)
				var c struct{ Can map[string]bool }
				e.API(who, "GET", fmt.Sprintf("/api/v1/courses/%d", course), nil).JSON(t, &c)
				for _, right := range []string{"edit", "add_material", "schedule"} {
					home := ce.home
					if who == apptest.AssociationB {
						home = homeB.ID
					}
					var r *apptest.Response
					switch right {
					case "edit":
						r = e.API(who, "PUT", fmt.Sprintf("/api/v1/courses/%d", course), map[string]any{"title": "排污许可", "category": "permit",
							"credit_hours": 2, "status": status})
					case "add_material":
						r = uploadMaterial(t, e, who, course)
					case "schedule":
						starts := e.Clock.Now().Add(72 * time.Hour)
						r = e.API(who, "POST", fmt.Sprintf("/api/v1/courses/%d/classes", course), map[string]any{"home_id": home,
							"starts_at": starts.Format(time.RFC3339), "ends_at": starts.Add(2 * time.Hour).Format(time.RFC3339), "capacity": 20})
					}
					if (r.StatusCode < 300) != c.Can[right] {
						t.Errorf("%s: %s on a %s course: right %v, answered %d %s", who, right, status, c.Can[right], r.StatusCode, truncate(r.Body))
					}
					note("course "+right, c.Can[right])
				}
			}
			// The enterprise and its manager.
			var ent struct{ Can map[string]bool }
			if r := e.API(who, "GET", fmt.Sprintf("/api/v1/enterprises/%d", e.Ents["A"]), nil); r.StatusCode == 200 {
				r.JSON(t, &ent)
			}
			for _, right := range []string{"edit", "manage", "add_manager"} {
				var r *apptest.Response
				path := fmt.Sprintf("/api/v1/enterprises/%d", e.Ents["A"])
				switch right {
				case "edit":
					r = e.API(who, "PATCH", path, map[string]any{"contact_name": "孙七"})
				case "manage":
					r = e.API(who, "PATCH", path, map[string]any{"status": model.StatusActive})
				case "add_manager":
					n++
					r = e.API(who, "POST", path+"/managers", map[string]any{"name": "周八", "mobile": fmt.Sprintf("1360000%04d", n)})
				}
				if (r.StatusCode < 300) != ent.Can[right] {
					t.Errorf("%s: %s on an enterprise: right %v, answered %d %s", who, right, ent.Can[right], r.StatusCode, truncate(r.Body))
				}
				note("enterprise "+right, ent.Can[right])
			}
			n++
			mid := newManager(n)
			var m struct{ Can map[string]bool }
			if r := e.API(who, "GET", fmt.Sprintf("/api/v1/managers/%d", mid), nil); r.StatusCode == 200 {
				r.JSON(t, &m)
			}
			for _, right := range []string{"edit", "move"} {
				var r *apptest.Response
				path := fmt.Sprintf("/api/v1/managers/%d", mid)
				switch right {
				case "edit":
					r = e.API(who, "PATCH", path, map[string]any{"cert_no": "HB-2026-001"})
				case "move":
					r = e.API(who, "PATCH", path, map[string]any{"enterprise_id": a2.ID, "reason": "调往分公司"})
				}
				if (r.StatusCode < 300) != m.Can[right] {
					t.Errorf("%s: %s on a manager: right %v, answered %d %s", who, right, m.Can[right], r.StatusCode, truncate(r.Body))
				}
				note("manager "+right, m.Can[right])
			}
		}
		for _, right := range []string{"course edit", "course add_material", "course schedule", "enterprise edit", "enterprise manage",
			"enterprise add_manager", "manager edit", "manager move"} {
			if tried[right+" true"] == 0 || tried[right+" false"] == 0 {
				t.Errorf("%s was granted %d times and refused %d: the matrix does not test it both ways", right, tried[right+" true"], tried[right+" false"])
			}
		}
	})
}

// uploadMaterial attaches a small PDF to a course as who.
func uploadMaterial(t *testing.T, e *apptest.Env, who apptest.Who, course int64) *apptest.Response {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "讲义.pdf")
	fw.Write([]byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/courses/%d/materials", e.HTTP.URL, course), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if tok := e.Tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return e.Do(req)
}
