package httpx

import (
	"bytes"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/envhome/envhome/internal/model"
)

func TestStatus(t *testing.T) {
	for code, want := range map[model.Code]int{
		model.ErrMalformed: 400, model.ErrUnauthenticated: 401, model.ErrForbidden: 403, model.ErrNotFound: 404,
		model.ErrConflict: 409, model.ErrTooLarge: 413, model.ErrUnsupportedType: 415, model.ErrInvalid: 422,
		model.ErrRateLimited: 429, model.ErrInternal: 500, model.ErrUnavailable: 503, "something new": 500,
	} {
		if got := Status(code); got != want {
			t.Errorf("Status(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestClientAddr(t *testing.T) {
	lb, err := ParseProxies("10.0.0.0/8, 192.168.1.5")
	if err != nil {
		t.Fatal(err)
	}
	req := func(remote string, xff ...string) *http.Request {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = remote
		for _, v := range xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		return r
	}
	for _, c := range []struct {
		p    Proxies
		r    *http.Request
		want string
	}{
		{nil, req("203.0.113.9:5555", "1.2.3.4"), "203.0.113.9"},              // no proxies trusted
		{lb, req("203.0.113.9:5555", "1.2.3.4"), "203.0.113.9"},               // untrusted peer cannot claim
		{lb, req("10.1.2.3:80", "198.51.100.7"), "198.51.100.7"},              // through the load balancer
		{lb, req("10.1.2.3:80", "6.6.6.6, 198.51.100.7"), "198.51.100.7"},     // client-forged first hop ignored
		{lb, req("10.1.2.3:80", "198.51.100.7, 192.168.1.5"), "198.51.100.7"}, // two proxies
		{lb, req("10.1.2.3:80", "6.6.6.6", "198.51.100.7"), "198.51.100.7"},   // several headers
		{lb, req("10.1.2.3:80", "not-an-ip"), "10.1.2.3"},
		{lb, req("10.1.2.3:80"), "10.1.2.3"},
		{lb, req("[::ffff:10.1.2.3]:80", "198.51.100.7"), "198.51.100.7"},
	} {
		if got := c.p.ClientAddr(c.r); got != c.want {
			t.Errorf("%s %v: %s, want %s", c.r.RemoteAddr, c.r.Header["X-Forwarded-For"], got, c.want)
		}
	}
	r := req("10.1.2.3:80")
	r.Header.Set("X-Forwarded-Proto", "https")
	if !lb.IsHTTPS(r) {
		t.Error("https through the load balancer")
	}
	r.RemoteAddr = "203.0.113.9:1"
	if lb.IsHTTPS(r) {
		t.Error("an untrusted peer claimed https")
	}
	r.TLS = &tls.ConnectionState{}
	if !lb.IsHTTPS(r) {
		t.Error("direct TLS")
	}
}

func FuzzParseProxies(f *testing.F) {
	f.Add("10.0.0.0/8, 192.168.1.5")
	f.Add("::1,fe80::/10")
	f.Add("300.1.1.1")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseProxies(s)
		if err != nil {
			return
		}
		for _, pre := range p {
			if !pre.IsValid() {
				t.Errorf("%q gave invalid prefix %v", s, pre)
			}
		}
	})
}

func TestObserverRecoversPanics(t *testing.T) {
	reg := prometheus.NewRegistry()
	var logged bytes.Buffer
	o := NewObserver(slog.New(slog.NewTextHandler(&logged, nil)), nil, reg, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		w.Write([]byte("friendly"))
	})
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom/{id}", func(http.ResponseWriter, *http.Request) { panic("kaput") })
	rec := httptest.NewRecorder()
	o.Wrap(mux).ServeHTTP(rec, httptest.NewRequest("GET", "/boom/7", nil))
	if rec.Code != 500 || rec.Body.String() != "friendly" || strings.Contains(rec.Body.String(), "kaput") {
		t.Errorf("answer %d %q", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logged.String(), "kaput") || !strings.Contains(logged.String(), `route="GET /boom/{id}"`) {
		t.Errorf("log: %s", logged.String())
	}
	n, _ := testutil.GatherAndCount(reg, "envhome_http_requests_total")
	if n != 1 {
		t.Errorf("%d series, want 1 per route pattern", n)
	}
}

// TestLocalPath refuses the known ways out of the site: browsers drop tabs
// and line breaks, read backslashes as slashes and "//" as a host.
func TestLocalPath(t *testing.T) {
	for _, s := range []string{
		"//evil.example", "/\\evil.example", "/\t/evil.example", "/%09/evil.example", "/\n/evil.example", "/%0a/evil.example",
		"/%5Cevil.example", "/%2F/evil.example", "\\\\evil.example", "https://evil.example/", "http:/evil.example", "evil.example",
		"javascript:alert(1)", "/\r\n/evil.example", " /x", "/x\x00y", "/%00", "/\u2028/evil.example", "/%E2%80%A8/evil.example",
		"/\ufeff/evil.example", "", "/%zz", "/" + strings.Repeat("a", 3000), "/\xff",
	} {
		if got := LocalPath(s, "/"); got != "/" {
			t.Errorf("LocalPath(%q) = %q, want the fallback", s, got)
		}
	}
	for _, s := range []string{"/", "/classes/12#bookings", "/directory/enterprises?q=%E5%AE%8F&kind=company", "/bookings/3?ok=flash.saved", "/a/b%20c"} {
		if got := LocalPath(s, "/"); got != s {
			t.Errorf("LocalPath(%q) = %q, want it kept", s, got)
		}
	}
}

// FuzzLocalPath: whatever comes in, what goes out stays on the site.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "//x", "/\\x", "/%09/x", "/a?b=c#d"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := LocalPath(s, "/")
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Errorf("LocalPath(%q) = %q leaves the site", s, got)
		}
	})
}
