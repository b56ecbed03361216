package bench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

const benchUsage = `Usage:
  envhome bench me [--conns 64] [--duration 10s] [--db DSN]      GET /api/v1/me beside a bare net/http handler
  envhome bench import [--rows 100000] [--db DSN]                 a roster import beside a bare batched insert
  envhome bench list [--enterprises 1000000] [--db DSN] [--n 300] the enterprise list: first page, search, filters
  envhome bench rush [--managers 10000] [--classes 500] [--clients 64] [--db DSN --bare-db DSN] [--processes N] [--client wire|stdlib]
                                                                  the registration rush over HTTP beside the bare booking, and a hot class
  envhome bench home [--enterprises 1000000] [--db DSN] [--n 300] each role's workbench (home page numbers) at province scale
  envhome bench inspection [--enterprises 1000000] [--inspections 250000] [--db DSN] [--n 300]
                                                                  the self-inspection overview at province scale, summaries against a recount, colour recomputation
  envhome bench autosave [--phones 64] [--duration 10s] [--db DSN] answers saved as given over HTTP beside the bare store write
  envhome bench laws [--docs 2000] [--articles 100] [--db DSN]     law search through the handler: common, rare and absent terms, 2 and 5 characters
  envhome bench announce [--accounts 100000] [--db DSN]            an announcement published to every enterprise account, and its read receipts;
                                                                  a technology case pushed to every key unit it fits
  envhome bench market [--providers 100000] [--demands 100000] [--quoters 1000] [--targets 100] [--clients 64] [--db DSN]
                                                                  matching against every provider, a provider's market, a quoting flood with its proofs
  envhome bench login [--parallel 200] [--slots 0]                 parallel logins: peak memory of password hashing, bounded and not
  envhome bench files [--mb 5] [--conns 16] [--duration 10s] [--db DSN]
                                                                  a course material served from the database beside the same file from disk
  envhome bench dashboards [--enterprises 1000000] [--inspections 250000] [--lines 10000000] [--db DSN] [--n 300]
                                                                  each dashboard through the handler at province scale; a year recomputed after a factor change`

// Run runs "envhome bench …", the load tools that print the figures of
// the closing notes.
func Run(ctx context.Context, env Env, args []string) error {
	if len(args) > 0 && cli.WantsHelp(args[:1]) {
		fmt.Fprintln(env.Stdout, benchUsage)
		return nil
	}
	if len(args) > 0 && args[0] == "dashboards" {
		return benchDashboards(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "market" {
		return benchMarket(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "import" {
		return benchImport(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "rush" {
		return benchRush(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "list" {
		return benchList(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "home" {
		return benchHome(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "inspection" {
		return benchInspection(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "announce" {
		return benchAnnounce(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "laws" {
		return benchLaws(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "autosave" {
		return benchAutosave(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "login" {
		return benchLogin(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "files" {
		return benchFiles(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "me" {
		return fmt.Errorf("%w: %s", cli.ErrUsage, benchUsage)
	}
	fs := cli.NewFlags("bench me", "bench me [--conns 64] [--duration 10s] [--db DSN]", env.Env)
	db := fs.String("db", "", "database to run on (default: a new SQLite file in a temporary directory)")
	conns := fs.Int("conns", 64, "concurrent connections")
	dur := fs.Duration("duration", 10*time.Second, "how long to load each server")
	if err := cli.Parse(fs, args[1:], env.Env); err != nil {
		return err
	}
	if *conns < 1 || *dur <= 0 {
		return fmt.Errorf("%w: --conns and --duration must be positive", cli.ErrUsage)
	}
	dsn := *db
	if dsn == "" {
		dir, err := os.MkdirTemp("", "envhome-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dsn = filepath.Join(dir, "bench.db")
	}
	st, err := env.OpenStore(ctx, dsn)
	if err != nil {
		return err
	}
	defer st.Close()
	log := slog.New(slog.NewTextHandler(io.Discard, nil)) // logs are formatted as in production, then dropped
	srv, err := env.NewServer(st, auth.DefaultPolicy(), "", log)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("bench-%d", time.Now().UnixNano())
	u, err := srv.Auth.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: name, Password: "benchmark password", Role: model.RoleAdmin})
	if err != nil {
		return err
	}
	_, token, err := st.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
	if err != nil {
		return err
	}
	// The bare handler answers a JSON object of the same size without
	// touching the database: the floor of net/http on this machine.
	body, _ := json.Marshal(u)
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(body)
	})
	fmt.Fprintf(env.Stdout, "GET /api/v1/me with a bearer token, %d connections, %s each, database %s, GOMAXPROCS=%d\n",
		*conns, *dur, st.Dialect(), runtimeProcs())
	bareRes, err := loadServer(ctx, bare, "/api/v1/me", "", *conns, *dur)
	if err != nil {
		return err
	}
	print := func(label string, r loadResult) {
		fmt.Fprintf(env.Stdout, "%-9s %9.0f req/s  p50 %7s  p99 %7s  errors %d  (%d requests)\n",
			label, r.rps(), r.pct(50), r.pct(99), r.errors, len(r.lat))
	}
	print("bare", bareRes)
	meRes, err := loadServer(ctx, srv, "/api/v1/me", token, *conns, *dur)
	if err != nil {
		return err
	}
	print("envhome", meRes)
	fmt.Fprintf(env.Stdout, "ratio envhome/bare: %.2f\n", meRes.rps()/bareRes.rps())
	if meRes.errors > 0 {
		return errors.New("some envhome requests failed")
	}
	return nil
}

type loadResult struct {
	lat     []time.Duration
	elapsed time.Duration
	errors  int64
	bytes   int64 // response bodies read
	// first holds each client's first latency, sorted: what a fresh
	// server's connections and caches cost.
	first []time.Duration
}

func (r loadResult) rps() float64 { return float64(len(r.lat)) / r.elapsed.Seconds() }

func (r loadResult) pct(p int) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	i := (len(r.lat) - 1) * p / 100
	return r.lat[i].Round(10 * time.Microsecond)
}

// loadServer serves h on a loopback port and loads GET path on it
// from conns keep-alive connections for dur.
func loadServer(ctx context.Context, h http.Handler, path, token string, conns int, dur time.Duration) (loadResult, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return loadResult{}, err
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	url := "http://" + ln.Addr().String() + path
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}

	lctx, cancel := context.WithTimeout(ctx, dur)
	defer cancel()
	var (
		mu    sync.Mutex
		all   []time.Duration
		errs  atomic.Int64
		read  atomic.Int64
		wg    sync.WaitGroup
		start = time.Now()
	)
	for range conns {
		wg.Go(func() {
			var lat []time.Duration
			for lctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				res, err := client.Do(req)
				if err != nil {
					errs.Add(1)
					continue
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				read.Add(n)
				if res.StatusCode != 200 {
					errs.Add(1)
					continue
				}
				lat = append(lat, time.Since(t0))
			}
			mu.Lock()
			all = append(all, lat...)
			mu.Unlock()
		})
	}
	wg.Wait()
	r := loadResult{lat: all, elapsed: time.Since(start), errors: errs.Load(), bytes: read.Load()}
	slices.Sort(r.lat)
	return r, nil
}

func runtimeProcs() int { return runtime.GOMAXPROCS(0) }

// Env is a command's environment and the two pieces of wiring that live in
// app, so that the load tools measure the server exactly as it runs.
type Env struct {
	cli.Env
	// OpenStore opens and migrates a database as "envhome serve" does.
	OpenStore func(ctx context.Context, dsn string) (*store.Store, error)
	// NewServer builds the whole HTTP handler on st with policy p.
	NewServer func(st *store.Store, p auth.Policy, dataDir string, log *slog.Logger) (*Server, error)
}

// Server is the handler under test and the account service to make its
// users with.
type Server struct {
	http.Handler
	Auth *auth.Service
}

// timeGets serves GET path on h n times in a row with the bearer token
// (none when empty) through the real handler, and returns the sorted
// latencies and the first answer's body; any status but 200 fails.
func timeGets(h http.Handler, path, token string, n int) ([]time.Duration, []byte, error) {
	lat := make([]time.Duration, 0, n)
	var first []byte
	for i := range n {
		req := httptest.NewRequest("GET", path, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		rec := httptest.NewRecorder()
		t := time.Now()
		h.ServeHTTP(rec, req)
		lat = append(lat, time.Since(t))
		if rec.Code != http.StatusOK {
			return nil, nil, fmt.Errorf("GET %s: %d %s", path, rec.Code, rec.Body)
		}
		if i == 0 {
			first = rec.Body.Bytes()
		}
	}
	slices.Sort(lat)
	return lat, first, nil
}

// percentile reads the p-th percentile of sorted latencies.
func percentile(lat []time.Duration, p int) time.Duration {
	return lat[(len(lat)-1)*p/100].Round(10 * time.Microsecond)
}

// startProfile starts a CPU profile into path (none when path is empty);
// the function returned stops it.
func startProfile(path string) (func(), error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// writeHeapProfile writes the allocations so far (go tool pprof
// -sample_index=alloc_space) into path, unless path is empty.
func writeHeapProfile(path string) error {
	if path == "" {
		return nil
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return pprof.Lookup("allocs").WriteTo(f, 0)
}
