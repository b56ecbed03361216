package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/apptest"
)

// TestPagesLoadAtOnce (issue 9, items 8 and 9): pages and static files go
// gzipped to a browser that takes gzip; fingerprinted files are immutable
// for a year; the scan page's script is minified; the app is installable
// (manifest, service worker at the root, offline page) and signing in or
// out tells the browser to drop what it kept.
func TestPagesLoadAtOnce(t *testing.T) {
	apptest.Each(t, func(t *testing.T, e *apptest.Env) {
		b := e.Browser(entA)
		get := func(path string, gz bool) *apptest.Response {
			req, _ := http.NewRequest("GET", e.HTTP.URL+path, nil)
			if gz {
				req.Header.Set("Accept-Encoding", "gzip, deflate, br")
			}
			return b.Send(req)
		}
		unzip := func(r *apptest.Response) []byte {
			zr, err := gzip.NewReader(bytes.NewReader(r.Body))
			if err != nil {
				t.Fatalf("not gzip: %v", err)
			}
			out, _ := io.ReadAll(zr)
			return out
		}
		home := get("/", true)
		if home.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(string(unzip(home)), "预约课程") {
			t.Fatalf("home page not gzipped: %q", home.Header.Get("Content-Encoding"))
		}
		if plain := get("/", false); plain.Header.Get("Content-Encoding") != "" || !strings.Contains(string(plain.Body), "预约课程") {
			t.Error("a client without gzip gets gzip")
		}
		css := regexp.MustCompile(`/static/app\.css\?v=[0-9a-f]+`).FindString(string(unzip(home)))
		r := get(css, true)
		if r.Header.Get("Content-Encoding") != "gzip" || !strings.Contains(r.Header.Get("Cache-Control"), "immutable") ||
			!strings.HasPrefix(r.Header.Get("Content-Type"), "text/css") || len(r.Body) > 8000 {
			t.Errorf("css: %v, %d bytes", r.Header, len(r.Body))
		}
		req, _ := http.NewRequest("GET", e.HTTP.URL+css, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		req.Header.Set("If-None-Match", r.Header.Get("ETag"))
		if r := b.Send(req); r.StatusCode != 304 {
			t.Errorf("revalidation: %d", r.StatusCode)
		}
		// The scan page's script, minified and compressed, stays small.
		js := get("/static/vendor/jsqr.min.js", true)
		if js.StatusCode != 200 || len(js.Body) > 60_000 {
			t.Errorf("jsQR: %d, %d bytes compressed", js.StatusCode, len(js.Body))
		}
		// Installable.
		var m struct {
			Name, StartURL, Display string
			Icons                   []struct{ Src, Sizes string }
		}
		mr := get("/manifest.webmanifest", false)
		if err := json.Unmarshal(bytes.ReplaceAll(mr.Body, []byte("start_url"), []byte("starturl")), &m); err != nil || m.Display != "standalone" || len(m.Icons) != 2 {
			t.Errorf("manifest: %v %s", err, mr.Body)
		}
		for _, ic := range m.Icons {
			if r := get(ic.Src, false); r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
				t.Errorf("icon %s: %d", ic.Src, r.StatusCode)
			}
		}
		sw := get("/sw.js", false)
		if sw.StatusCode != 200 || !strings.Contains(string(sw.Body), `var SHELL = ["/offline"`) || sw.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("service worker: %d %s", sw.StatusCode, sw.Header)
		}
		off := e.Browser(guest).Get("/offline")
		if off.StatusCode != 200 || !strings.Contains(string(off.Body), "暂时没有网络") {
			t.Errorf("offline page: %d", off.StatusCode)
		}
		if strings.Contains(string(get("/offline", false).Body), e.Users[entA].DisplayName+"</a>") {
			t.Error("the cached offline page carries the user")
		}
		if r := b.Post("/logout", nil); r.Header.Get("Clear-Site-Data") == "" {
			t.Errorf("logout keeps the site's data: %v", r.Header)
		}
	})
}
