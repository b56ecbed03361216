// Package e2e drives envhome's web UI in a real Chromium (Debian's package)
// through chromedp. Tests skip with a clear message where no Chromium is
// installed, unless ENVHOME_REQUIRE_BROWSER=1 (as in .ci/run) makes that a
// failure.
package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/envhome/envhome/internal/apptest"
)

// Chromium finds the browser: $CHROMIUM, then the usual names on PATH.
func Chromium() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// Phone is the viewport of a mid-range phone, where managers use envhome.
const PhoneWidth, PhoneHeight = 390, 844

// NewBrowser starts a headless Chromium for the test and returns its
// context; it is stopped when the test ends, or after a minute.
func NewBrowser(t *testing.T) context.Context {
	t.Helper()
	return NewBrowserFor(t, 60*time.Second)
}

// NewBrowserFor is NewBrowser for a test that may take up to d (many
// pages, under the race detector on a busy machine).
func NewBrowserFor(t *testing.T, d time.Duration) context.Context {
	t.Helper()
	path := Chromium()
	if path == "" {
		if os.Getenv("ENVHOME_REQUIRE_BROWSER") == "1" {
			t.Fatal("no Chromium found and ENVHOME_REQUIRE_BROWSER=1: apt-get install chromium")
		}
		t.Skip("no Chromium installed (apt-get install chromium); browser journeys skipped")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("lang", "zh-CN"),
		chromedp.Flag("accept-lang", "zh-CN,zh"),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, d)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateScale(2))); err != nil {
		t.Fatalf("start Chromium %s: %v", path, err)
	}
	return ctx
}

// Screenshot saves a full-page PNG under $ENVHOME_SCREENSHOTS (default
// testdata/screenshots) and logs where.
func Screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	dir := os.Getenv("ENVHOME_SCREENSHOTS")
	if dir == "" {
		dir = filepath.Join("testdata", "screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", p)
}

// Dialogs accepts every confirm() the page opens, as a user who reads it
// and agrees, and keeps the messages for the test to check.
type Dialogs struct {
	mu   sync.Mutex
	seen []string
}

// AcceptDialogs starts accepting the dialogs of ctx's tab.
func AcceptDialogs(t *testing.T, ctx context.Context) *Dialogs {
	t.Helper()
	d := &Dialogs{}
	events := chromedp.Events(ctx, page.JavascriptDialogOpening)
	go func() {
		for ev, err := range events {
			if err != nil {
				return
			}
			d.mu.Lock()
			d.seen = append(d.seen, ev.Message)
			d.mu.Unlock()
			chromedp.Call(ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return d
}

// Seen lists the dialogs' messages so far.
func (d *Dialogs) Seen() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.seen...)
}

// Session is one browser on one test server, with the steps every journey
// takes.
type Session struct {
	T   *testing.T
	Ctx context.Context
	URL string // the server's base address
}

// Login signs a fixture account in and waits for the signed-in page.
func (s Session) Login(user string) {
	s.T.Helper()
	if err := chromedp.Do(s.Ctx,
		chromedp.Navigate(s.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#username")),
		chromedp.SendKeys(chromedp.CSS("#username"), user),
		chromedp.SendKeys(chromedp.CSS("#password"), apptest.Password),
		chromedp.Click(chromedp.CSS("#login")),
		chromedp.WaitVisible(chromedp.CSS("#logout")),
	); err != nil {
		s.T.Fatalf("log in as %s: %v", user, err)
	}
}

// Logout signs out and waits for the login form.
func (s Session) Logout() {
	s.T.Helper()
	if err := chromedp.Do(s.Ctx, chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#username"))); err != nil {
		s.T.Fatalf("log out: %v", err)
	}
}

// Text is the visible text of the first element sel finds.
func (s Session) Text(sel string) string {
	s.T.Helper()
	t, err := chromedp.Run(s.Ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		s.T.Fatalf("text of %s: %v", sel, err)
	}
	return t
}

// Tap scrolls an element to the middle of the screen, clear of the phone's
// tab bar, and taps it.
func Tap(sel string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		if _, err := chromedp.Evaluate[bool](fmt.Sprintf(`(function(){var e=document.querySelector(%q);e.scrollIntoView({block:"center"});return true})()`, sel))(ctx, tg); err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Click(chromedp.CSS(sel))(ctx, tg)
	}
}
