package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/envhome/envhome/internal/apptest"
)

// TestLoginSwitchLanguageLogout is the first journey: an enterprise account
// logs in on a phone, switches to English and logs out.
func TestLoginSwitchLanguageLogout(t *testing.T) {
	ctx := NewBrowser(t)
	e := apptest.New(t, "sqlite")
	ses := Session{t, ctx, e.HTTP.URL}
	text := ses.Text
	err := chromedp.Do(ctx,
		chromedp.Navigate(e.HTTP.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text("h1"); got != "登录" {
		t.Errorf("login page heading %q", got)
	}
	Screenshot(t, ctx, "01-login-zh")
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#username"), "ent-a"),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
	)
	if err != nil {
		t.Fatal(err)
	}
	// An enterprise starts at its workbench: book a class, its managers'
	// hours, what is due (it has no manager yet).
	if got := text("#book-a-class"); got != "预约课程" {
		t.Errorf("the workbench's first action %q", got)
	}
	if got := text("#due h2"); got != "待办提醒" {
		t.Errorf("due heading %q", got)
	}
	Screenshot(t, ctx, "02-home-zh")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#lang-en")),
		chromedp.WaitVisible(chromedp.CSS("#lang-zh-CN")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text("#book-a-class"); got != "Book a class" {
		t.Errorf("English action %q", got)
	}
	Screenshot(t, ctx, "03-home-en")
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS("#logout")),
		chromedp.WaitVisible(chromedp.CSS("#username")),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := text(".flash"); got != "You have logged out." {
		t.Errorf("after logout: %q", got)
	}
	Screenshot(t, ctx, "04-logged-out-en")
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "/login") {
		t.Errorf("after logout at %s", loc)
	}
	// The account page now asks for a login again.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.HTTP.URL+"/account"), chromedp.WaitVisible(chromedp.CSS("#username"))); err != nil {
		t.Errorf("account page after logout: %v", err)
	}
}
