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

// TestBookingQRWorksOffline (issue 9, item 8): the installed app keeps the
// booking page with its QR code, so a manager in a classroom without
// signal still shows the code; other pages say there is no connection;
// signing out drops the kept pages.
func TestBookingQRWorksOffline(t *testing.T) {
	ctx := NewBrowser(t)
	e := apptest.New(t, "sqlite")
	bg := context.Background()
	sys := model.SystemActor()
	home, err := e.Store.CreateHome(bg, sys, model.Home{Name: "智慧港之家", RegionID: e.Regions["A"], Rooms: []model.Room{{Name: "一号教室", Seats: 30}}})
	must(t, err)
	lect, err := e.Store.SaveLecturer(bg, sys, &model.Lecturer{Name: "王教授", AffiliationKind: "university"})
	must(t, err)
	course, err := e.Store.SaveCourse(bg, sys, &model.Course{Title: "危险废物规范化管理", Category: "waste", CreditHours: 1.5, LecturerIDs: []int64{lect.ID}})
	must(t, err)
	starts := e.Clock.Now().Add(24 * time.Hour)
	k, err := e.Store.CreateClass(bg, sys, course.ID, model.ClassInput{HomeID: home.ID, StartsAt: starts, EndsAt: starts.Add(2 * time.Hour), Capacity: 10})
	must(t, err)
	m, err := e.Store.CreateManager(bg, sys, e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
	must(t, err)
	b, err := e.Store.Book(bg, sys, k.ID, m.ID)
	must(t, err)
	booking := fmt.Sprintf("%s/bookings/%d", e.HTTP.URL, b.ID)

	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	login := func() {
		t.Helper()
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(e.HTTP.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), "ent-a"),
			chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
			chromedp.Click(chromedp.CSS("#login")),
			chromedp.WaitVisible(chromedp.CSS("#logout")),
		))
		// The worker controls the pages once it is active.
		if got := eval(`navigator.serviceWorker.ready.then(function(){ return new Promise(function(ok){
			if (navigator.serviceWorker.controller) return ok("yes");
			navigator.serviceWorker.addEventListener("controllerchange", function(){ ok("yes") }); }) })`); got != "yes" {
			t.Fatalf("no service worker: %q", got)
		}
		must(t, chromedp.Do(ctx, chromedp.Navigate(booking), chromedp.WaitVisible(chromedp.CSS("#qr"))))
		waitImage(t, ctx, "qr")
	}
	kept := func() string {
		return eval(fmt.Sprintf(`caches.match(%q).then(function(r){ return r ? "kept" : "none" })`, booking))
	}

	login()
	if got := kept(); got != "kept" {
		t.Fatalf("the booking page was not kept: %s", got)
	}
	// Signing out drops it.
	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username"))))
	time.Sleep(200 * time.Millisecond)
	if got := kept(); got != "none" {
		t.Errorf("after signing out the booking page is still kept: %s", got)
	}

	// Signed in again; then the signal goes.
	login()
	e.HTTP.Close()
	must(t, chromedp.Do(ctx, chromedp.Navigate(booking), chromedp.WaitVisible(chromedp.CSS("#qr"))))
	waitImage(t, ctx, "qr")
	code, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#code")))
	must(t, err)
	if code != b.Code {
		t.Errorf("offline booking page shows code %q, want %q", code, b.Code)
	}
	Screenshot(t, ctx, "32-booking-offline")
	must(t, chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/credits"), chromedp.WaitVisible(chromedp.CSS("h1"))))
	if h, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1"))); !strings.Contains(h, "暂时没有网络") {
		t.Errorf("an unkept page offline shows %q", h)
	}
}

// waitImage waits until the image with the id has loaded.
func waitImage(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	for range 50 {
		ok, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](fmt.Sprintf(`(function(){var i=document.getElementById(%q);return !!i && i.complete && i.naturalWidth > 0})()`, id)))
		if ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("image #%s did not load", id)
}

// TestRevokingAManagerAsks (issue 9, item 5): saving a manager asks first
// only when the save revokes them.
func TestRevokingAManagerAsks(t *testing.T) {
	ctx := NewBrowser(t)
	e := apptest.New(t, "sqlite")
	m, err := e.Store.CreateManager(context.Background(), model.SystemActor(), e.Ents["A"], model.Manager{Name: "张伟", Mobile: "13900001111"})
	must(t, err)
	dialogs := AcceptDialogs(t, ctx)
	page := fmt.Sprintf("%s/directory/managers/%d", e.HTTP.URL, m.ID)
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), "ent-a"),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS("#edit-manager")),
		chromedp.SetValue(chromedp.CSS("input[name=cert_no]"), "HB-1"),
		chromedp.Click(chromedp.CSS("#edit-manager button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
	))
	if seen := dialogs.Seen(); len(seen) != 0 {
		t.Errorf("an ordinary save asked %q", seen)
	}
	// A fresh page, so that the flash waited for is the revoke's.
	must(t, chromedp.Do(ctx,
		chromedp.Navigate(page),
		chromedp.WaitVisible(chromedp.CSS("#edit-manager")),
		chromedp.SetValue(chromedp.CSS("#status"), "revoked"),
		chromedp.SetValue(chromedp.CSS("#reason"), "离职"),
		chromedp.Click(chromedp.CSS("#edit-manager button.primary")),
		chromedp.WaitVisible(chromedp.CSS(".flash.ok")),
	))
	if seen := dialogs.Seen(); len(seen) != 1 || !strings.Contains(seen[0], "撤销") {
		t.Errorf("revoking asked %q", seen)
	}
	got, err := e.Store.Manager(context.Background(), model.SystemActor(), m.ID)
	must(t, err)
	if got.Status != model.ManagerRevoked {
		t.Errorf("status %s after the confirmed revoke", got.Status)
	}
}
