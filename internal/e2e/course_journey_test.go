package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestBookCheckInVerify is the course supermarket's journey on a phone: an
// enterprise books a class for its manager and sees the booking confirmed
// with its QR code; the lecturer checks the manager in by the code; after
// the class the certificate verifies on the public page.
func TestBookCheckInVerify(t *testing.T) {
	ctx := NewBrowser(t)
	e := apptest.New(t, "sqlite")
	bg := context.Background()
	sys := model.SystemActor()
	home, err := e.Store.CreateHome(bg, sys, model.Home{Name: "智慧港产业社区环保管理员之家", RegionID: e.Regions["A"], Rooms: []model.Room{{Name: "一号教室", Seats: 30}}})
	must(t, err)
	lect, err := e.Store.SaveLecturer(bg, sys, &model.Lecturer{Name: "王教授", AffiliationKind: "university", UserID: &e.Users[apptest.Lecturer].ID})
	must(t, err)
	course, err := e.Store.SaveCourse(bg, sys, &model.Course{Title: "碳排放权交易管理", Category: "carbon", CreditHours: 3, LecturerIDs: []int64{lect.ID}})
	must(t, err)
	starts := e.Clock.Now().Add(2 * time.Hour)
	k, err := e.Store.CreateClass(bg, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(3 * time.Hour), Capacity: 20})
	must(t, err)
	m, err := e.Store.CreateManager(bg, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
	must(t, err)

	ses := Session{t, ctx, e.HTTP.URL}
	login, text := ses.Login, ses.Text

	// The catalogue is public; the enterprise books from it.
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/courses"), chromedp.WaitVisible(chromedp.CSS(".course"))))
	if got := text(".course h2"); got != "碳排放权交易管理" {
		t.Errorf("catalogue shows %q", got)
	}
	Screenshot(t, ctx, "05-catalogue")
	login("ent-a")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/classes/%d", e.HTTP.URL, k.ID)),
		chromedp.WaitVisible(chromedp.CSS("#book-button")),
		chromedp.SetValue(chromedp.CSS("#manager"), fmt.Sprint(m.ID)),
		chromedp.Click(chromedp.CSS("#book-button")),
		chromedp.WaitVisible(chromedp.CSS("#qr")),
	))
	if got := text("#booking-status"); !strings.Contains(got, "已确认") {
		t.Errorf("booking status %q", got)
	}
	// The image may still be on its way when its box is visible.
	loaded := false
	for i := 0; i < 50 && !loaded; i++ {
		loaded, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(function(){var i=document.getElementById("qr");return i.complete && i.naturalWidth > 0})()`))
		if !loaded {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !loaded {
		t.Error("the QR image did not load")
	}
	code := text("#code")
	Screenshot(t, ctx, "06-booked-with-qr")
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username"))))

	// At the class the lecturer checks the manager in by the code.
	e.Clock.Advance(2*time.Hour + 5*time.Minute)
	login("lecturer")
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/classes/%d/scan", e.HTTP.URL, k.ID)),
		chromedp.WaitVisible(chromedp.CSS("#code")),
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS("#check-in")),
		chromedp.WaitVisible(chromedp.CSS("#scan-result")),
	))
	if got := text("#scan-result"); !strings.Contains(got, "张伟") || !strings.Contains(got, "签到成功") {
		t.Errorf("scan result %q", got)
	}
	Screenshot(t, ctx, "07-lecturer-checked-in")
	// After the class the lecturer completes it (the page asks first);
	// certificates are issued.
	e.Clock.Advance(3 * time.Hour)
	dialogs := AcceptDialogs(t, ctx)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/classes/%d", e.HTTP.URL, k.ID)),
		chromedp.WaitVisible(chromedp.CSS("#complete")),
		chromedp.Click(chromedp.CSS("#complete")),
		chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
	))
	if seen := dialogs.Seen(); len(seen) != 1 || !strings.Contains(seen[0], "结课") {
		t.Errorf("completing asked %q", seen)
	}
	bs, err := e.Store.ClassBookings(bg, sys, k.ID)
	must(t, err)
	cert, err := e.Store.CertificateForBooking(bg, sys, bs[0].ID)
	must(t, err)

	// Anyone verifies the certificate without logging in.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/verify"),
		chromedp.WaitVisible(chromedp.CSS("input[name=code]")),
		chromedp.SendKeys(chromedp.CSS("input[name=code]"), cert.Code),
		chromedp.Submit(chromedp.CSS("input[name=code]")),
		chromedp.WaitVisible(chromedp.CSS("#verified-name")),
	))
	if got := text("#verified-name"); got != "张伟" {
		t.Errorf("verified name %q", got)
	}
	Screenshot(t, ctx, "08-certificate-verified")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/certificates/"+cert.Code), chromedp.WaitVisible(chromedp.CSS("#cert-code"))))
	if got := text(".cert-body"); !strings.Contains(got, "碳排放权交易管理") || !strings.Contains(got, "3 学时") {
		t.Errorf("certificate text %q", got)
	}
	Screenshot(t, ctx, "09-certificate")
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
