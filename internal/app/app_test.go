package app_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/app"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe to write from the server's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is envhome started through app.Run.
type server struct {
	url    string
	stdout *syncBuffer
	stop   func() error
}

func start(t *testing.T, args []string, vars map[string]string) *server {
	t.Helper()
	addr := freeAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- app.Run(ctx, append(args, "--addr", addr), env(vars), strings.NewReader(""), out, errOut)
	}()
	s := &server{url: "http://" + addr, stdout: out}
	var once sync.Once
	var stopErr error
	s.stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case stopErr = <-done:
			case <-time.After(30 * time.Second):
				stopErr = errors.New("server did not stop")
			}
		})
		return stopErr
	}
	t.Cleanup(func() { s.stop() })
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.url + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s
			}
		}
		select {
		case err := <-done:
			t.Fatalf("server exited: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no /healthz after 20s\n%s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *server) get(t *testing.T, path, token string) (int, string) {
	req, _ := http.NewRequest("GET", s.url+path, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (s *server) login(t *testing.T, user, pw string) string {
	body, _ := json.Marshal(map[string]string{"username": user, "password": pw})
	res, err := http.Post(s.url+"/api/v1/auth/token", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct{ Token string }
	json.NewDecoder(res.Body).Decode(&tok)
	if res.StatusCode != 200 || tok.Token == "" {
		t.Fatalf("login %s: %d", user, res.StatusCode)
	}
	return tok.Token
}

var demoLine = regexp.MustCompile(`(?m)^\s+admin\s+(\S+)\s+(\S+)$`)

func TestRunServesWithDemoData(t *testing.T) {
	// As on a fresh machine: the data directory does not exist yet.
	dir := filepath.Join(t.TempDir(), "fresh", "data")
	s := start(t, []string{"--data-dir", dir}, nil)
	if code, _ := s.get(t, "/readyz", ""); code != 200 {
		t.Errorf("/readyz %d", code)
	}
	m := demoLine.FindStringSubmatch(s.stdout.String())
	if m == nil {
		t.Fatalf("no demo admin printed:\n%s", s.stdout.String())
	}
	tok := s.login(t, m[1], m[2])
	code, body := s.get(t, "/api/v1/me", tok)
	if code != 200 || !strings.Contains(body, `"role":"admin"`) {
		t.Errorf("/me: %d %s", code, body)
	}
	if code, body := s.get(t, "/", ""); code != 200 || !strings.Contains(body, "登录") {
		t.Errorf("/ for a guest (after the redirect): %d", code)
	}
	_, metrics := s.get(t, "/metrics", "")
	for _, want := range []string{`envhome_http_requests_total{code="200",method="GET",route="GET /api/v1/me"} 1`,
		`envhome_http_request_duration_seconds_bucket{method="GET",route="GET /api/v1/me"`, "go_goroutines"} {
		if !strings.Contains(metrics, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "envhome.db")); err != nil {
		t.Errorf("database not in the data dir: %v", err)
	}
	// A second start on the same database seeds nothing.
	s2 := start(t, []string{"--data-dir", dir}, nil)
	if strings.Contains(s2.stdout.String(), "Demo data") {
		t.Error("demo data seeded twice")
	}
	s2.login(t, m[1], m[2])
}

func TestRunWithoutDemo(t *testing.T) {
	s := start(t, nil, map[string]string{"ENVHOME_DEMO": "false", "ENVHOME_DB": filepath.Join(t.TempDir(), "x.db")})
	if strings.Contains(s.stdout.String(), "Demo data") {
		t.Error("ENVHOME_DEMO=false seeded")
	}
	// The flag wins over the variable.
	s2 := start(t, []string{"--demo=true"}, map[string]string{"ENVHOME_DEMO": "false", "ENVHOME_DB": filepath.Join(t.TempDir(), "y.db")})
	if !strings.Contains(s2.stdout.String(), "Demo data") {
		t.Error("--demo=true did not win over ENVHOME_DEMO=false")
	}
}

// TestTwoInstancesOnPostgres starts two envhome servers on one empty
// PostgreSQL database at once: they migrate and seed once between them, and
// a token made on one works on the other.
func TestTwoInstancesOnPostgres(t *testing.T) {
	if os.Getenv(storetest.PostgresEnv) == "" {
		t.Skipf("%s is not set; .ci/run sets it", storetest.PostgresEnv)
	}
	dsn := storetest.DSN(t, store.Postgres)
	var a, b *server
	var wg sync.WaitGroup
	wg.Go(func() { a = start(t, []string{"--db", dsn, "--demo=true"}, nil) })
	wg.Go(func() { b = start(t, []string{"--db", dsn, "--demo=true"}, nil) })
	wg.Wait()
	if n := strings.Count(a.stdout.String()+b.stdout.String(), "Demo data seeded"); n != 1 {
		t.Errorf("demo data seeded %d times by two instances", n)
	}
	in := strings.NewReader("a long password\n")
	var out bytes.Buffer
	if err := app.Run(context.Background(), []string{"user", "add", "--db", dsn, "--username", "chief", "--role", "admin", "--password-stdin"}, env(nil), in, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	tok := a.login(t, "chief", "a long password")
	if code, _ := b.get(t, "/api/v1/me", tok); code != 200 {
		t.Errorf("token from instance A on instance B: %d", code)
	}
	req, _ := http.NewRequest("DELETE", b.url+"/api/v1/auth/token", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	http.DefaultClient.Do(req)
	if code, _ := a.get(t, "/api/v1/me", tok); code != 401 {
		t.Errorf("token revoked on B still works on A: %d", code)
	}
}

func run(t *testing.T, stdin string, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := app.Run(context.Background(), args, env(nil), strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "envhome.db")
	out, err := run(t, "", "version")
	if err != nil || !strings.HasPrefix(out, "envhome ") {
		t.Errorf("version: %q %v", out, err)
	}
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"migrate", "--help"}, {"user", "add", "--help"}, {"backup", "--help"}, {"version", "--help"}, {"help"}} {
		out, err := run(t, "", args...)
		if app.ExitCode(err) != 0 || !strings.Contains(out, "Usage") {
			t.Errorf("%v: exit %d, %q", args, app.ExitCode(err), out)
		}
	}
	if _, err := run(t, "", "frobnicate"); app.ExitCode(err) != 2 {
		t.Errorf("unknown command: %v", err)
	}
	if _, err := run(t, "", "serve", "--log-format", "xml"); app.ExitCode(err) != 2 {
		t.Errorf("bad --log-format: %v", err)
	}
	out, err = run(t, "", "migrate", "--db", db)
	if err != nil || !strings.Contains(out, "applied 0001_foundation.sql") {
		t.Errorf("migrate: %q %v", out, err)
	}
	if _, err := run(t, "x\n", "user", "add", "--db", db, "--username", "chief", "--role", "admin"); app.ExitCode(err) != 2 {
		t.Errorf("user add without --password-stdin: %v", err)
	}
	out, err = run(t, "a long password\n", "user", "add", "--db", db, "--username", "chief", "--role", "admin", "--password-stdin")
	if err != nil || !strings.Contains(out, `created admin account "chief"`) {
		t.Errorf("user add: %q %v", out, err)
	}
	if _, err := run(t, "short\n", "user", "add", "--db", db, "--username", "two", "--role", "admin", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "password") {
		t.Errorf("short password: %v", err)
	}
	if _, err := run(t, "a long password\n", "user", "add", "--db", db, "--username", "assoc", "--role", "association", "--region", "999", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "region") {
		t.Errorf("unknown region: %v", err)
	}
	backup := filepath.Join(dir, "backup.db")
	if out, err := run(t, "", "backup", "--db", db, "--to", backup); err != nil {
		t.Fatalf("backup: %q %v", out, err)
	}
	out, err = run(t, "a long password\n", "user", "add", "--db", backup, "--username", "chief", "--role", "admin", "--password-stdin")
	if err == nil || !strings.Contains(err.Error(), "conflict") {
		t.Errorf("the backup lacks the account: %q %v", out, err)
	}
	if _, err := run(t, "", "backup", "--db", db, "--to", backup); err == nil {
		t.Error("backup overwrote a file")
	}
	notDB := filepath.Join(dir, "notes.txt")
	os.WriteFile(notDB, []byte("hello, this is not SQLite"), 0o600)
	if _, err := run(t, "", "migrate", "--db", notDB); err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
		t.Errorf("not a database: %v", err)
	}
	_, err = run(t, "", "serve", "--db", "postgres://envhome:secret@127.0.0.1:1/x?connect_timeout=2", "--addr", freeAddr(t))
	if err == nil || !strings.Contains(err.Error(), "cannot reach PostgreSQL") || strings.Contains(err.Error(), "secret") {
		t.Errorf("PostgreSQL down: %v", err)
	}
}

// TestOneServerPerSQLiteFile: a second server on a SQLite file that one
// serves is refused with a message that says what to do; a backup of the
// live file still works, and the file serves again once the first stops.
func TestOneServerPerSQLiteFile(t *testing.T) {
	dir := t.TempDir()
	s := start(t, []string{"--data-dir", dir, "--demo=false"}, nil)
	var out, errOut bytes.Buffer
	err := app.Run(t.Context(), []string{"serve", "--data-dir", dir, "--addr", "127.0.0.1:0"}, func(string) string { return "" },
		strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "another envhome process is serving") {
		t.Fatalf("second server: %v", err)
	}
	if err := app.Run(t.Context(), []string{"backup", "--db", filepath.Join(dir, "envhome.db"), "--to", filepath.Join(dir, "copy.db")},
		func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil {
		t.Errorf("backup beside the server: %v", err)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	start(t, []string{"--data-dir", dir, "--demo=false"}, nil)
}

// TestPIICommands: pii newkey makes a key the server takes; pii rotate
// seals every ID number stored in clear once keys are set, and says so;
// a malformed key stops the server with a message.
func TestPIICommands(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "envhome.db")
	var out, errOut bytes.Buffer
	if err := app.Run(context.Background(), []string{"pii", "newkey", "--id", "k1"}, env(nil), strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(out.String())
	if !strings.HasPrefix(key, "k1:") || !strings.Contains(errOut.String(), "ENVHOME_PII_KEYS") {
		t.Fatalf("newkey: %q %q", key, errOut.String())
	}
	if _, err := run(t, "", "migrate", "--db", db); err != nil {
		t.Fatal(err)
	}
	// A person stored in clear, as before keys were set.
	raw, err := sql.Open("sqlite", db)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`INSERT INTO people (name, mobile, id_card, created_at, updated_at) VALUES ('李四', '13900000001', '11010519491231002X', 0, 0)`); err != nil {
		t.Fatal(err)
	}
	if _, err := run(t, "", "pii", "rotate", "--db", db); app.ExitCode(err) != 2 {
		t.Errorf("rotate without keys: %v", err)
	}
	withKey := env(map[string]string{"ENVHOME_PII_KEYS": key})
	out.Reset()
	if err := app.Run(context.Background(), []string{"pii", "rotate", "--db", db}, withKey, strings.NewReader(""), &out, &errOut); err != nil || !strings.Contains(out.String(), "sealed 1 ") {
		t.Errorf("rotate: %q %v", out.String(), err)
	}
	var v string
	raw.QueryRow(`SELECT id_card FROM people`).Scan(&v)
	if !strings.HasPrefix(v, "pii1:k1:") {
		t.Errorf("after rotate: %q", v)
	}
	bad := env(map[string]string{"ENVHOME_PII_KEYS": "k1:short"})
	err = app.Run(context.Background(), []string{"serve", "--db", db, "--addr", freeAddr(t)}, bad, strings.NewReader(""), &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "32 bytes") {
		t.Errorf("a malformed key: %v", err)
	}
}

// TestBenchRushChecksItsRuns runs the rush load tool small, on both
// clients: the figures others re-run come from a tool that books every
// manager once over HTTP and bare, on two databases seeded alike, and
// checks the classes afterwards.
func TestBenchRushChecksItsRuns(t *testing.T) {
	for _, client := range []string{"wire", "stdlib"} {
		out, err := run(t, "", "bench", "rush", "--managers", "120", "--classes", "6", "--hot", "40", "--hot-seats", "5", "--clients", "8", "--client", client)
		if err != nil {
			t.Fatalf("%s: %v\n%s", client, err, out)
		}
		for _, want := range []string{"HTTP ", "bare ", "ratio HTTP/bare", "5 confirmed, 35 waitlisted, positions 1..35 without gaps: true", "checks: no class over capacity"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s: no %q in\n%s", client, want, out)
			}
		}
	}
	if _, err := run(t, "", "bench", "rush", "--db", "postgres://x/a", "--clients", "2"); err == nil || !strings.Contains(err.Error(), "--bare-db") {
		t.Errorf("a postgres run without a bare database: %v", err)
	}
}
