package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestFeedbackBelongsToTheAttendee: the attendee's enterprise rates a
// class; the bureau and the association that see the booking read the
// rating and cannot overwrite it.
func TestFeedbackBelongsToTheAttendee(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		ctx := context.Background()
		sys := model.SystemActor()
		k := ce.class(t, 10, 0, e.Clock.Now().Add(48*time.Hour))
		_, b := ce.book(t, entA, k.ID, ce.mA[0])
		e.Clock.Advance(48*time.Hour + 10*time.Minute)
		if _, err := e.Store.SetAttendance(ctx, sys, b.ID, model.AttendancePresent); err != nil {
			t.Fatal(err)
		}
		e.Clock.Advance(4 * time.Hour)
		path := fmt.Sprintf("/api/v1/bookings/%d/feedback", b.ID)
		if r := e.API(entA, "POST", path, map[string]any{"rating": 5, "comment": "讲得好"}); r.StatusCode != 200 {
			t.Fatalf("the attendee rates: %d %s", r.StatusCode, r.Body)
		}
		for w, want := range map[who]int{admin: 403, assocA: 403, lecturer: 403, assocB: 404, entB: 404} {
			if r := e.API(w, "POST", path, map[string]any{"rating": 1, "comment": "改写"}); r.StatusCode != want {
				t.Errorf("%s rewrites the rating: %d, want %d", w, r.StatusCode, want)
			}
		}
		var fb model.FeedbackSummary
		e.API(admin, "GET", fmt.Sprintf("/api/v1/classes/%d/feedback", k.ID), nil).JSON(t, &fb)
		if fb.Count != 1 || fb.Comments[0].Rating != 5 || fb.Comments[0].Comment != "讲得好" {
			t.Errorf("the rating was changed: %+v", fb)
		}
	})
}

// TestDraftCoursesClassesAreNeitherPublicNorBookable: a course put back to
// draft hides its classes from the public and takes no bookings.
func TestDraftCoursesClassesAreNeitherPublicNorBookable(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		k := ce.class(t, 10, 0, e.Clock.Now().Add(48*time.Hour))
		var c model.Course
		e.API(admin, "GET", fmt.Sprintf("/api/v1/courses/%d", ce.course), nil).JSON(t, &c)
		if r := e.API(admin, "PUT", fmt.Sprintf("/api/v1/courses/%d", ce.course), map[string]any{"title": c.Title, "category": c.Category,
			"credit_hours": c.CreditHours, "status": model.CourseDraft, "lecturer_ids": c.LecturerIDs}); r.StatusCode != 200 {
			t.Fatalf("back to draft: %d %s", r.StatusCode, r.Body)
		}
		for w, want := range map[who]int{guest: 404, entA: 404, admin: 200, assocA: 200} {
			if r := e.API(w, "GET", fmt.Sprintf("/api/v1/classes/%d", k.ID), nil); r.StatusCode != want {
				t.Errorf("%s reads a draft course's class: %d, want %d", w, r.StatusCode, want)
			}
		}
		if r, _ := ce.book(t, entA, k.ID, ce.mA[0]); r.StatusCode != 409 || r.ErrorCode() != string(model.ErrBookingClosed) {
			t.Errorf("booking a draft course's class: %d %s", r.StatusCode, r.Body)
		}
	})
}

// TestRoomsInUse: a room that classes use cannot be removed, nor shrunk
// below a scheduled class; the answer names the classes.
func TestRoomsInUse(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e) // rooms: 一号教室 (30 seats) and 小教室 (4)
		ce.class(t, 20, 0, e.Clock.Now().Add(48*time.Hour))
		put := func(rooms []map[string]any) *apptest.Response {
			return e.API(admin, "PUT", fmt.Sprintf("/api/v1/homes/%d", ce.home), map[string]any{"name": "智慧港之家", "region_id": e.Regions["A"], "rooms": rooms})
		}
		if r := put([]map[string]any{{"name": "小教室", "seats": 4}}); r.StatusCode != 409 || !strings.Contains(string(r.Body), "碳排放权交易管理") {
			t.Errorf("removing a used room: %d %s", r.StatusCode, r.Body)
		}
		if r := put([]map[string]any{{"name": "一号教室", "seats": 10}, {"name": "小教室", "seats": 4}}); r.StatusCode != 409 || !strings.Contains(string(r.Body), "一号教室") {
			t.Errorf("shrinking a used room: %d %s", r.StatusCode, r.Body)
		}
		if r := put([]map[string]any{{"name": "一号教室", "seats": 25}}); r.StatusCode != 200 {
			t.Errorf("shrinking to what still fits and removing an unused room: %d %s", r.StatusCode, r.Body)
		}
	})
}

// TestBadBytesAreRefusedAtTheEdge: NUL bytes and invalid UTF-8 in a path,
// a query, a form or a JSON string answer 400, never 500, on both
// databases (PostgreSQL text holds no NUL).
func TestBadBytesAreRefusedAtTheEdge(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		for _, c := range []struct{ method, path, body string }{
			{"GET", "/verify?code=%00", ""},
			{"GET", "/verify?code=%FF%FE", ""},
			{"GET", "/calendar/%00.ics", ""},
			{"GET", "/certificates/A%00B", ""},
			{"GET", "/api/v1/certificates/%00", ""},
			{"GET", "/api/v1/enterprises?q=%FF%FF%FF", ""},
			{"GET", "/api/v1/courses?q=%00%00%00", ""},
			{"POST", "/api/v1/auth/token", `{"username":"admin\u0000","password":"x"}`},
			{"POST", "/api/v1/auth/token", "{\"username\":\"\xff\xfe\",\"password\":\"x\"}"},
			{"POST", "/api/v1/topics", `{"title":"\u0000"}`},
			{"POST", "/login", "username=ad%00min&password=x"},
			{"POST", "/login", "username=%FF&password=x"},
		} {
			req, _ := http.NewRequest(c.method, e.HTTP.URL+c.path, strings.NewReader(c.body))
			if strings.HasPrefix(c.body, "{") {
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+e.Tokens[entA])
			} else if c.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			}
			if r := e.Do(req); r.StatusCode != 400 {
				t.Errorf("%s %s %q: %d, want 400", c.method, c.path, c.body, r.StatusCode)
			}
		}
		// A control character in a one-line field is a field error.
		if r := e.API(entA, "POST", "/api/v1/topics", map[string]any{"title": "碳核算\x07培训"}); r.StatusCode != 422 {
			t.Errorf("a bell in a title: %d", r.StatusCode)
		}
	})
}

// TestParallelGuessesAreCounted: 100 wrong passwords sent at once on one
// account get at most the allowed number of checks; the rest are refused
// before any hashing, and then the account is locked.
func TestParallelGuessesAreCounted(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		const n = 100
		count := parallelPosts(t, e, "/api/v1/auth/token", n, func(i int) string {
			return fmt.Sprintf(`{"username":"ent-a","password":"wrong password %d"}`, i)
		})
		if count[401] > 5 || count[401] == 0 || count[401]+count[429] != n {
			t.Errorf("100 parallel guesses: %v (at most 5 checked, the rest 429)", count)
		}
		t.Logf("100 parallel wrong passwords: %d checked, %d refused with 429", count[401], count[429])
		// The failures that were checked lock the account, right password or not.
		if count[401] == 5 {
			r := e.API(guest, "POST", "/api/v1/auth/token", map[string]any{"username": "ent-a", "password": apptest.Password})
			if r.StatusCode != 429 || r.Header.Get("Retry-After") == "" {
				t.Errorf("after 5 failures: %d", r.StatusCode)
			}
		}
	})
}

// parallelPosts sends n JSON bodies to path at once, as a guest, and
// counts the answers by status.
func parallelPosts(t *testing.T, e *apptest.Env, path string, n int, body func(i int) string) map[int]int {
	t.Helper()
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req, _ := http.NewRequest("POST", e.HTTP.URL+path, strings.NewReader(body(i)))
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			res.Body.Close()
			codes <- res.StatusCode
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	return count
}

// TestPasswordChangeIsThrottled: guessing the current password in a
// password change counts like guessing it at the login.
func TestPasswordChangeIsThrottled(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		last := 0
		for i := range 7 {
			r := e.API(entB, "POST", "/api/v1/me/password", map[string]any{"current_password": fmt.Sprintf("guess %d", i), "new_password": "a new long password"})
			last = r.StatusCode
		}
		if last != 429 {
			t.Errorf("the 7th wrong current password: %d, want 429", last)
		}
	})
}

// TestWrongMethod: a path that exists answers another method with 405 and
// the methods it takes; an unknown path is still 404.
func TestWrongMethod(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		for path, allow := range map[string]string{
			"/api/v1/me":                  "GET, PATCH, HEAD",
			"/api/v1/classes/1/cancel":    "POST",
			"/api/v1/managers/3/calendar": "GET, POST, DELETE, HEAD",
		} {
			r := e.API(admin, "PUT", path, map[string]any{})
			if r.StatusCode != 405 || r.Header.Get("Allow") != allow || r.ErrorCode() != "method_not_allowed" {
				t.Errorf("PUT %s: %d, Allow %q (want 405, %q)", path, r.StatusCode, r.Header.Get("Allow"), allow)
			}
		}
		if r := e.API(admin, "GET", "/api/v1/no-such-thing", nil); r.StatusCode != 404 {
			t.Errorf("unknown path: %d", r.StatusCode)
		}
	})
}

// TestLocationsPointAtAGet: every 201's Location is a GET that answers
// the row the POST answered (the stored row, not the input echoed).
func TestLocationsPointAtAGet(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		uscc, _ := model.BuildUSCC("91330481", "MA2B0LMC")
		for _, c := range []struct {
			who  who
			path string
			body map[string]any
		}{
			{admin, "/api/v1/regions", map[string]any{"code": "330481009", "name": " 袁花镇 ", "parent_id": nil}},
			{admin, "/api/v1/associations", map[string]any{"region_id": e.Regions["A"], "name": "A镇环保协会"}},
			{admin, "/api/v1/homes", map[string]any{"name": "新之家", "region_id": e.Regions["A"]}},
			{entA, "/api/v1/topics", map[string]any{"title": "  VOCs 治理  "}},
			{admin, "/api/v1/lecturers", map[string]any{"name": "李教授", "affiliation_kind": "university"}},
			{admin, "/api/v1/courses", map[string]any{"title": "噪声防治", "category": "noise", "credit_hours": 2}},
			{admin, "/api/v1/enterprises", map[string]any{"uscc": uscc, "name": "定位测试有限公司", "region_id": e.Regions["A"], "kind": "company"}},
		} {
			r := e.API(c.who, "POST", c.path, c.body)
			if r.StatusCode != 201 {
				t.Errorf("POST %s: %d %s", c.path, r.StatusCode, r.Body)
				continue
			}
			loc := r.Header.Get("Location")
			g := e.API(c.who, "GET", loc, nil)
			var posted, got map[string]any
			r.JSON(t, &posted)
			if g.StatusCode != 200 {
				t.Errorf("POST %s: Location %s answers %d", c.path, loc, g.StatusCode)
				continue
			}
			g.JSON(t, &got)
			if fmt.Sprint(posted) != fmt.Sprint(got) {
				t.Errorf("POST %s answered\n%v\nbut GET %s answers\n%v", c.path, posted, loc, got)
			}
		}
	})
}

// TestClassesPage: ?limit and ?cursor page through the classes in start
// order, however many start at the same time.
func TestClassesPage(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		ce := newCourseEnv(t, e)
		starts := e.Clock.Now().Add(48 * time.Hour)
		var want []int64
		for i := range 7 {
			k := ce.class(t, 5, 0, starts.Add(time.Duration(i/3)*time.Hour)) // three share a start
			want = append(want, k.ID)
		}
		var got []int64
		cursor := ""
		for pages := 0; pages < 10; pages++ {
			var l model.List[model.Class]
			r := e.API(entA, "GET", "/api/v1/classes?limit=2"+cursor, nil)
			if r.StatusCode != 200 {
				t.Fatalf("page: %d %s", r.StatusCode, r.Body)
			}
			r.JSON(t, &l)
			if len(l.Items) > 2 {
				t.Fatalf("a page of %d", len(l.Items))
			}
			for _, k := range l.Items {
				got = append(got, k.ID)
			}
			if l.Next == nil {
				break
			}
			cursor = "&cursor=" + *l.Next
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("paged %v, want %v", got, want)
		}
		if r := e.API(entA, "GET", "/api/v1/classes?limit=0", nil); r.StatusCode != 422 {
			t.Errorf("limit=0: %d", r.StatusCode)
		}
	})
}
