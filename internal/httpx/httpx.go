// Package httpx holds what the web and API packages share: the mapping from
// error codes to HTTP status, client addresses behind proxies, and the
// middleware for recovery, access logs and metrics, uploads and QR images.
package httpx

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/envhome/envhome/internal/model"
)

// Status is the one place that maps an error code to an HTTP status.
func Status(code model.Code) int {
	switch code {
	case model.ErrMalformed:
		return http.StatusBadRequest
	case model.ErrUnauthenticated:
		return http.StatusUnauthorized
	case model.ErrForbidden:
		return http.StatusForbidden
	case model.ErrNotFound:
		return http.StatusNotFound
	case model.ErrConflict, model.ErrLimitReached, model.ErrBookingClosed, model.ErrQuoteExists:
		return http.StatusConflict
	case model.ErrTooLarge:
		return http.StatusRequestEntityTooLarge
	case model.ErrUnsupportedType:
		return http.StatusUnsupportedMediaType
	case model.ErrInvalid:
		return http.StatusUnprocessableEntity
	case model.ErrRateLimited:
		return http.StatusTooManyRequests
	case model.ErrUnavailable:
		return http.StatusServiceUnavailable
	case model.ErrMethodNotAllowed:
		return http.StatusMethodNotAllowed
	default:
		return http.StatusInternalServerError
	}
}

// Proxies decides which peers may say who the client is via X-Forwarded-For.
type Proxies []netip.Prefix

// ParseProxies reads a comma-separated list of addresses and CIDR ranges.
func ParseProxies(s string) (Proxies, error) {
	var p Proxies
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !strings.Contains(f, "/") {
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, err
			}
			p = append(p, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		pre, err := netip.ParsePrefix(f)
		if err != nil {
			return nil, err
		}
		p = append(p, pre.Masked())
	}
	return p, nil
}

func (p Proxies) trusted(a netip.Addr) bool {
	for _, pre := range p {
		if pre.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// ClientAddr returns the client's IP address. X-Forwarded-For is believed
// only from trusted proxies, read from the right, so a client cannot forge
// its way past per-address throttling.
func (p Proxies) ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || len(p) == 0 || !p.trusted(peer) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !p.trusted(a) {
			return a.Unmap().String()
		}
	}
	return peer.Unmap().String()
}

// IsHTTPS reports whether the client reached us over TLS, directly or
// through a trusted proxy.
func (p Proxies) IsHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host, _, _ := net.SplitHostPort(r.RemoteAddr)
	peer, err := netip.ParseAddr(host)
	return err == nil && p.trusted(peer) && r.Header.Get("X-Forwarded-Proto") == "https"
}

type ctxKey int

const (
	actorKey ctxKey = iota
	logKey
)

// WithActor stores who is asking in the request context.
func WithActor(ctx context.Context, a model.Actor) context.Context {
	if li, ok := ctx.Value(logKey).(*logInfo); ok && a.User != nil {
		li.user = a.User.Username
	}
	return context.WithValue(ctx, actorKey, a)
}

// ActorFrom returns who is asking; User is nil for a guest.
func ActorFrom(ctx context.Context) model.Actor {
	a, _ := ctx.Value(actorKey).(model.Actor)
	return a
}

// logInfo carries what inner handlers learn back to the access log.
type logInfo struct{ user string }

// statusWriter remembers the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	size   int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.size += n
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Observer wraps a handler with access logs, metrics and panic recovery,
// and puts the client's address into the request's actor.
type Observer struct {
	Log      *slog.Logger
	Proxies  Proxies
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	// OnPanic writes the answer after a handler panicked.
	OnPanic func(w http.ResponseWriter, r *http.Request)
}

// NewObserver registers the HTTP metrics with reg.
func NewObserver(log *slog.Logger, proxies Proxies, reg prometheus.Registerer, onPanic func(http.ResponseWriter, *http.Request)) *Observer {
	o := &Observer{
		Log:     log,
		Proxies: proxies,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "envhome_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
		}, []string{"route", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "envhome_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route", "method"}),
		OnPanic: onPanic,
	}
	reg.MustRegister(o.requests, o.latency)
	return o
}

// Wrap observes every request that next serves. next is a ServeMux, which
// sets r.Pattern to the matched route, so metrics stay per route and do not
// grow with ids in paths.
func (o *Observer) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		setSecurityHeaders(w.Header(), o.Proxies.IsHTTPS(r))
		sw := &statusWriter{ResponseWriter: w}
		li := &logInfo{}
		addr := o.Proxies.ClientAddr(r)
		r = r.WithContext(WithActor(context.WithValue(r.Context(), logKey, li), model.Actor{Addr: addr, Guest: true}))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				o.Log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", v)
				if sw.status == 0 {
					o.OnPanic(sw, r)
				}
			}
			d := time.Since(start)
			route := r.Pattern
			if route == "" {
				route = "unmatched"
			}
			if sw.status == 0 {
				sw.status = http.StatusOK
			}
			o.requests.WithLabelValues(route, r.Method, strconv.Itoa(sw.status)).Inc()
			o.latency.WithLabelValues(route, r.Method).Observe(d.Seconds())
			o.Log.LogAttrs(r.Context(), slog.LevelInfo, "request",
				slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
				slog.Int("status", sw.status), slog.Int("bytes", sw.size),
				slog.Duration("duration", d), slog.String("addr", addr), slog.String("user", li.user))
		}()
		next.ServeHTTP(sw, r)
	})
}

// ContentSecurityPolicy allows the site's own scripts, styles and images
// only: no inline script or style, no plugins, no framing, forms posted
// only here. QR codes are images from this origin; the scan page's camera
// is a media stream, not a URL.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// setSecurityHeaders puts the headers every response carries; HSTS only
// over https, where a browser heeds it.
func setSecurityHeaders(h http.Header, https bool) {
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(self), geolocation=(), microphone=()")
	if https {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// ReadUpload reads one uploaded file of a multipart form, refusing bodies
// over max bytes; errors are model errors for the user.
func ReadUpload(w http.ResponseWriter, r *http.Request, field string, max int64) ([]byte, error) {
	_, data, err := ReadUploadFile(w, r, field, max)
	return data, err
}

// ReadUploadFile is ReadUpload that also returns the file's name as sent.
// Small fields sent after the file are kept for FormValue too.
func ReadUploadFile(w http.ResponseWriter, r *http.Request, field string, max int64) (string, []byte, error) {
	name, part, mr, err := uploadPart(w, r, field, max)
	if err != nil {
		return "", nil, err
	}
	data, err := io.ReadAll(io.LimitReader(part, max+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || int64(len(data)) > max {
		return "", nil, model.Errorf(model.ErrTooLarge, "err.upload.too_large")
	}
	if err != nil {
		return "", nil, model.Errorf(model.ErrMalformed, "err.upload.malformed")
	}
	for {
		p, err := mr.NextPart()
		if err != nil {
			break
		}
		keepField(r, p)
	}
	return name, data, nil
}

// keepField keeps a small form field for FormValue.
func keepField(r *http.Request, p *multipart.Part) {
	b, _ := io.ReadAll(io.LimitReader(p, 1024))
	if r.Form == nil {
		r.Form = url.Values{}
	}
	r.Form.Add(p.FormName(), string(b))
}

// UploadPart returns the file in the multipart field of the request as a
// stream, with its name as sent, so that a large upload is never held in
// memory; small fields sent before the file are kept for FormValue.
// Reading past max bytes fails with *http.MaxBytesError.
func UploadPart(w http.ResponseWriter, r *http.Request, field string, max int64) (string, io.Reader, error) {
	name, part, _, err := uploadPart(w, r, field, max)
	return name, part, err
}

func uploadPart(w http.ResponseWriter, r *http.Request, field string, max int64) (string, *multipart.Part, *multipart.Reader, error) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return "", nil, nil, model.Errorf(model.ErrUnsupportedType, "err.upload.multipart")
	}
	r.Body = http.MaxBytesReader(w, r.Body, max+1<<20)
	mr, err := r.MultipartReader()
	if err != nil {
		return "", nil, nil, model.Errorf(model.ErrMalformed, "err.upload.malformed")
	}
	for {
		part, err := mr.NextPart()
		var mbe *http.MaxBytesError
		switch {
		case errors.As(err, &mbe):
			return "", nil, nil, model.Errorf(model.ErrTooLarge, "err.upload.too_large")
		case err == io.EOF:
			return "", nil, nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Fields: map[string]string{field: "err.field.required"}}
		case err != nil:
			return "", nil, nil, model.Errorf(model.ErrMalformed, "err.upload.malformed")
		}
		if part.FormName() == field {
			return part.FileName(), part, mr, nil
		}
		keepField(r, part)
	}
}

// StoredFile is a file kept in the database, opened for reading.
type StoredFile interface {
	io.ReadSeeker
	Info() model.File
}

// ServeStored answers a stored file: its type, nosniff, the hash as ETag
// (a repeat download is a 304), range requests, and as an attachment
// under name when name is set. cache is the Cache-Control header.
func ServeStored(w http.ResponseWriter, r *http.Request, f StoredFile, name, cache string) {
	info := f.Info()
	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+info.Hash+`"`)
	h.Set("Cache-Control", cache)
	if name != "" {
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	}
	http.ServeContent(w, r, "", time.Time{}, f)
}

// ServeByID serves the stored file that open finds for the path's {id}
// (a Home's or a lecturer's photo), cached as cache says.
func ServeByID[F StoredFile](open func(context.Context, int64) (F, error), cache string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		f, err := open(r.Context(), id)
		if err != nil {
			return err
		}
		ServeStored(w, r, f, "", cache)
		return nil
	}
}

// DownloadByID serves, as an attachment under its name, the stored file
// that open finds for the path's {id} and the asking actor (a course
// material).
func DownloadByID[F StoredFile](open func(context.Context, model.Actor, int64) (F, string, error), cache string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		f, name, err := open(r.Context(), ActorFrom(r.Context()), id)
		if err != nil {
			return err
		}
		ServeStored(w, r, f, name, cache)
		return nil
	}
}

// DownloadByIDs is DownloadByID for a file numbered {n} (from 1) of the
// path's {id} (a task's evidence).
func DownloadByIDs[F StoredFile](open func(context.Context, model.Actor, int64, int) (F, string, error), cache string) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		n, err := PathID(r, "n")
		if err != nil {
			return err
		}
		f, name, err := open(r.Context(), ActorFrom(r.Context()), id, int(min(n, 1000)))
		if err != nil {
			return err
		}
		ServeStored(w, r, f, name, cache)
		return nil
	}
}

// QRByID answers the QR code of the text that code finds for the path's
// {id} and the asking actor (a booking's check-in code).
func QRByID(code func(context.Context, model.Actor, int64) (string, error)) HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := PathID(r, "id")
		if err != nil {
			return err
		}
		text, err := code(r.Context(), ActorFrom(r.Context()), id)
		if err != nil {
			return err
		}
		WriteQR(w, text)
		return nil
	}
}

// Methods knows which methods each path of a route table answers, so that
// a request with another method gets 405 and an Allow header, not 404.
type Methods struct {
	probe   *http.ServeMux
	allowed map[string][]string // path pattern → methods
}

// NewMethods indexes routes given as "METHOD /path" patterns.
func NewMethods(patterns []string) *Methods {
	m := &Methods{probe: http.NewServeMux(), allowed: map[string][]string{}}
	for _, p := range patterns {
		method, path, _ := strings.Cut(p, " ")
		if _, seen := m.allowed[path]; !seen {
			m.probe.Handle(path, http.NotFoundHandler())
		}
		m.allowed[path] = append(m.allowed[path], method)
	}
	return m
}

// Allowed returns the methods the request's path answers, nil when no route
// has the path (HEAD comes with GET).
func (m *Methods) Allowed(r *http.Request) []string {
	_, pattern := m.probe.Handler(r)
	methods := m.allowed[pattern]
	if slices.Contains(methods, http.MethodGet) && !slices.Contains(methods, http.MethodHead) {
		methods = append(slices.Clone(methods), http.MethodHead)
	}
	return methods
}

// WriteQR answers a PNG QR code of content (a check-in code, a link).
func WriteQR(w http.ResponseWriter, content string) {
	png, err := qrcode.Encode(content, qrcode.Medium, 320)
	if err != nil {
		http.Error(w, "qr", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Write(png)
}

// LocalPath returns s if it is a path on this site to send a browser back
// to, fallback otherwise. Browsers drop tabs and line breaks from a URL,
// read a backslash as a slash and "//" as another host, so any control
// character or backslash, a leading "//" and anything with a scheme or a
// host are refused, percent-decoded as well as raw.
func LocalPath(s, fallback string) string {
	if s == "" || s[0] != '/' || len(s) > 2000 || !utf8.ValidString(s) {
		return fallback
	}
	dec, err := url.PathUnescape(s)
	if err != nil {
		return fallback
	}
	for _, p := range []string{s, dec} {
		if strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") {
			return fallback
		}
		for _, c := range p {
			if c < 0x20 || c == 0x7f || c == '\\' || c == 0x85 || c == 0x2028 || c == 0x2029 || c == 0xfeff {
				return fallback
			}
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") {
		return fallback
	}
	return s
}

// CheckBytes refuses a request whose path, query or form carries what no
// field can hold: invalid UTF-8 or control characters (line breaks and
// tabs are allowed in posted form values, which may be multi-line). Both
// faces call it before any handler, so no such bytes reach the database.
func CheckBytes(r *http.Request) error {
	bad := model.Errorf(model.ErrMalformed, "err.bad_bytes")
	if !model.PlainText(r.URL.Path, false) {
		return bad
	}
	for k, vs := range r.URL.Query() {
		if !model.PlainText(k, false) {
			return bad
		}
		for _, v := range vs {
			if !model.PlainText(v, false) {
				return bad
			}
		}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "application/x-www-form-urlencoded" {
		if err := r.ParseForm(); err != nil {
			return model.Errorf(model.ErrMalformed, "err.upload.malformed")
		}
		for k, vs := range r.PostForm {
			if !model.PlainText(k, false) {
				return bad
			}
			for _, v := range vs {
				if !model.PlainText(strings.ReplaceAll(v, "\r", ""), true) {
					return bad
				}
			}
		}
	}
	return nil
}

// PathID reads a positive numeric id from the request path; anything else
// is not found, as a missing record would be.
func PathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, model.NotFound()
	}
	return id, nil
}

// XLSXType is the media type of .xlsx workbooks.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// StartXLSX sets the headers of a workbook download named name.
func StartXLSX(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", XLSXType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
}

// StreamXLSX runs export, which calls start once nothing can fail before
// the first byte; then the workbook's headers are set. An error before start
// is returned, to be shown as any other; one after it is only logged, as
// the headers are gone and the download breaks off.
func StreamXLSX(w http.ResponseWriter, name string, log *slog.Logger, export func(start func()) error) error {
	started := false
	err := export(func() {
		started = true
		StartXLSX(w, name)
	})
	if err != nil && started {
		log.Error("export", "file", name, "err", err)
		return nil
	}
	return err
}

// HandlerFunc is a handler that returns its failure instead of writing it:
// each face has one adapter that writes the error as an HTML page or as
// JSON, so no handler repeats that plumbing.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Permission is what a route demands of its caller, checked before the
// handler runs; the data a handler returns is filtered by who asks as well.
type Permission int

const (
	Public        Permission = iota // anyone
	Optional                        // anyone; a credential, if sent, says who asks
	Authenticated                   // any logged-in account
	Staff                           // the bureau and the associations
	Admin                           // the bureau only
)

// Allows reports whether a logged-in user meets the permission.
func (p Permission) Allows(u *model.User) bool {
	switch p {
	case Admin:
		return u.Role == model.RoleAdmin
	case Staff:
		return u.Role == model.RoleAdmin || u.Role == model.RoleAssociation
	}
	return true
}

// Route is one endpoint of a face: its method and path pattern, the
// permission it needs and its handler.
type Route struct {
	Method, Path string
	Perm         Permission
	Handle       HandlerFunc
}
