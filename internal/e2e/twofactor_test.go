package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/envhome/envhome/internal/apptest"
	"github.com/envhome/envhome/internal/model"
)

// TestTwoFactorOnAPhone: on a 360 px phone an enterprise account turns on
// two-factor sign-in from the QR code, sees its recovery codes, and the
// next login asks for a code.
func TestTwoFactorOnAPhone(t *testing.T) {
	ctx := NewBrowser(t)
	e := apptest.New(t, "sqlite")
	must(t, chromedp.Do(ctx, chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2))))
	fits := func(page string) {
		t.Helper()
		w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
		must(t, err)
		if w > 360 {
			t.Errorf("%s is %d px wide on a 360 px phone", page, w)
		}
	}
	login := func() {
		t.Helper()
		must(t, chromedp.Do(ctx,
			chromedp.Navigate(e.HTTP.URL+"/login"),
			chromedp.WaitVisible(chromedp.CSS("#username")),
			chromedp.SendKeys(chromedp.CSS("#username"), "ent-b"),
			chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
			chromedp.Click(chromedp.CSS("#login")),
		))
	}
	login()
	must(t, chromedp.Do(ctx,
		chromedp.WaitVisible(chromedp.CSS("#logout")),
		chromedp.Navigate(e.HTTP.URL+"/account#two-factor"),
		chromedp.WaitVisible(chromedp.CSS("#two-factor-on")),
		chromedp.Click(chromedp.CSS("#two-factor-on")),
		chromedp.WaitVisible(chromedp.CSS("#totp-secret")),
	))
	secret, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#totp-secret")))
	must(t, err)
	// The image's natural width is 0 until a PNG has loaded (and stays 0
	// for a broken one), so this waits for a real picture.
	qrWidth, err := chromedp.Run(ctx, chromedp.Poll[int](`document.querySelector("img.qr").complete && document.querySelector("img.qr").naturalWidth`))
	must(t, err)
	if qrWidth == 0 {
		t.Error("the QR code did not load")
	}
	fits("the setup")
	Screenshot(t, ctx, "20-two-factor-setup")
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#otp"), model.TOTPCode(strings.TrimSpace(secret), e.Clock.Now())),
		chromedp.Click(chromedp.CSS("#two-factor-confirm")),
		chromedp.WaitVisible(chromedp.CSS("#recovery-codes")),
	))
	codes, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("#recovery-codes code").length`))
	must(t, err)
	if codes != 10 {
		t.Errorf("%d recovery codes shown", codes)
	}
	fits("the recovery codes")
	Screenshot(t, ctx, "21-two-factor-on")

	must(t, chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username"))))
	login()
	must(t, chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("#otp"))))
	fits("the login asking for a code")
	Screenshot(t, ctx, "22-login-code")
	e.Clock.Advance(30 * time.Second)
	must(t, chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.SendKeys(chromedp.CSS("#otp"), model.TOTPCode(strings.TrimSpace(secret), e.Clock.Now())),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
	))
}
