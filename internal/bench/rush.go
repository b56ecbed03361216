package bench

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// benchRush measures the registration rush: distinct managers booking
// classes through the HTTP API with bearer tokens, beside the bare store
// booking transaction on an equally fresh database seeded alike, then a
// hot class; it checks that no class is overbooked and no booking lost.
func benchRush(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench rush", "bench rush [--managers 10000] [--classes 500] [--clients 64] [--db DSN --bare-db DSN] [--processes 0] [--client wire]", env.Env)
	db := fs.String("db", "", "an empty database for the HTTP run (default: a new SQLite file in a temporary directory)")
	bareDB := fs.String("bare-db", "", "an empty database for the bare run (default: a new SQLite file; needed with a postgres:// --db)")
	managers := fs.Int("managers", 10000, "distinct managers, each booking one class")
	classes := fs.Int("classes", 500, "classes they book")
	clients := fs.Int("clients", 64, "concurrent HTTP clients (and goroutines for the bare run)")
	hot := fs.Int("hot", 2000, "managers rushing one hot class")
	hotSeats := fs.Int("hot-seats", 30, "seats of the hot class")
	clientKind := fs.String("client", "wire", "the load's HTTP client: wire (a lean one, as wrk) or stdlib (Go's http.Client, which costs the shared cores about as much as the server)")
	procs := fs.Int("processes", 0, "serve from this many envhome processes on the database (PostgreSQL); 0: in this process")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the runs (not the seeding) to this file")
	memprofile := fs.String("memprofile", "", "write an allocation profile (seeding included) to this file at the end")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	if *managers < 1 || *classes < 1 || *clients < 1 || *hot > *managers {
		return fmt.Errorf("%w: --managers, --classes and --clients must be positive, --hot at most --managers", cli.ErrUsage)
	}
	if *clientKind != "wire" && *clientKind != "stdlib" {
		return fmt.Errorf("%w: --client is wire or stdlib, not %q", cli.ErrUsage, *clientKind)
	}
	if store.IsPostgres(*db) != store.IsPostgres(*bareDB) || (*db == *bareDB && *db != "") {
		return fmt.Errorf("%w: --db and --bare-db are two empty databases of one kind: the bare run needs one as fresh as the HTTP run's", cli.ErrUsage)
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	dsn, bareDSN := cmp.Or(*db, filepath.Join(dir, "http.db")), cmp.Or(*bareDB, filepath.Join(dir, "bare.db"))
	if *procs > 0 && !store.IsPostgres(dsn) {
		return fmt.Errorf("%w: --processes needs a postgres:// database", cli.ErrUsage)
	}
	w := env.Stdout
	capacity := (*managers + *classes - 1) / *classes
	seed := uint64(time.Now().UnixNano() % 50)
	t0 := time.Now()
	st, hr, err := seedRush(ctx, env, dsn, *managers, *classes, capacity, *hotSeats, seed)
	if st != nil {
		defer st.Close()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "registration rush on %s: %d managers over %d classes of %d seats, %d clients (%s)\n", st.Dialect(), *managers, *classes, capacity, *clients, *clientKind)
	bare, br, err := seedRush(ctx, env, bareDSN, *managers, *classes, capacity, *hotSeats, seed)
	if bare != nil {
		defer bare.Close()
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "seeded two databases alike in %s\n", time.Since(t0).Round(time.Millisecond))
	// Both pools opened, as a serving process's are (envhome serve).
	if err := errors.Join(st.Warm(ctx), bare.Warm(ctx)); err != nil {
		return err
	}

	// The servers: this process, or child processes on the same database.
	var urls []string
	if *procs == 0 {
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv, err := env.NewServer(st, auth.DefaultPolicy(), "", log)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		hs := &http.Server{Handler: srv}
		go hs.Serve(ln)
		defer hs.Close()
		urls = []string{"http://" + ln.Addr().String()}
	} else {
		stop, us, err := startProcesses(ctx, dsn, *procs)
		defer stop()
		if err != nil {
			return err
		}
		urls = us
	}
	post, closeClients, err := rushPoster(*clientKind, urls, *clients)
	if err != nil {
		return err
	}
	defer closeClients()
	book := func(i int, classID int64, token string, managerID int64) error {
		body, _ := json.Marshal(map[string]int64{"manager_id": managerID})
		status, err := post(ctx, i, fmt.Sprintf("/api/v1/classes/%d/bookings", classID), token, body)
		if err != nil {
			return err
		}
		if status != http.StatusCreated {
			return fmt.Errorf("HTTP %d", status)
		}
		return nil
	}

	stopProfile, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	defer stopProfile()
	order := rand.Perm(*managers)
	type job struct {
		class int64
		m     demo.RushManager
	}
	jobs := func(r *rushDB) []job {
		js := make([]job, 0, *managers)
		for _, i := range order {
			js = append(js, job{r.Classes[i%*classes], r.Managers[i]})
		}
		return js
	}
	// HTTP run.
	var created atomic.Int64
	httpRes := runJobs(jobs(hr), *clients, func(i int, j job) error {
		if err := book(i, j.class, hr.tokens[j.m.EnterpriseID], j.m.ID); err != nil {
			return err
		}
		created.Add(1)
		return nil
	})
	// Bare run: the same store call, no HTTP, on the other database.
	bareRes := runJobs(jobs(br), *clients, func(_ int, j job) error {
		_, err := bare.Book(ctx, model.Actor{User: br.users[j.m.EnterpriseID]}, j.class, j.m.ID)
		return err
	})
	line := func(label string, res loadResult) {
		fmt.Fprintf(w, "%-6s %8.0f bookings/s  p50 %7s  p99 %7s  errors %d  (%d in %s)\n", label, res.rps(), res.pct(50), res.pct(99),
			res.errors, len(res.lat), res.elapsed.Round(time.Millisecond))
		if n := len(res.first); n > 0 {
			fmt.Fprintf(w, "       each client's first booking: median %s, max %s\n", res.first[n/2].Round(time.Millisecond), res.first[n-1].Round(time.Millisecond))
		}
	}
	if err := writeHeapProfile(*memprofile); err != nil {
		return err
	}
	line("HTTP", httpRes)
	line("bare", bareRes)
	fmt.Fprintf(w, "ratio HTTP/bare: %.2f\n", httpRes.rps()/bareRes.rps())
	var problems []string
	for _, c := range []struct {
		name string
		st   *store.Store
		r    *rushDB
	}{{"HTTP", st, hr}, {"bare", bare, br}} {
		n, err := checkClasses(ctx, c.st, c.r.Classes)
		if err != nil {
			problems = append(problems, c.name+": "+err.Error())
		}
		if n != *managers {
			problems = append(problems, fmt.Sprintf("%s: %d bookings stored for %d managers", c.name, n, *managers))
		}
	}
	if int(created.Load()) != *managers {
		problems = append(problems, fmt.Sprintf("%d of %d HTTP bookings answered 201", created.Load(), *managers))
	}

	// Hot class: everyone at once for a few seats.
	hotJobs := make([]job, 0, *hot)
	for _, i := range order[:*hot] {
		hotJobs = append(hotJobs, job{hr.hot, hr.Managers[i]})
	}
	hotRes := runJobs(hotJobs, *clients, func(i int, j job) error {
		return book(i, j.class, hr.tokens[j.m.EnterpriseID], j.m.ID)
	})
	k, err := st.Class(ctx, model.SystemActor(), hr.hot)
	if err != nil {
		return err
	}
	bs, err := st.ClassBookings(ctx, model.SystemActor(), hr.hot)
	if err != nil {
		return err
	}
	var pos []int
	confirmed := 0
	for _, b := range bs {
		if b.Status == model.BookingConfirmed {
			confirmed++
		} else if b.WaitlistPosition != nil {
			pos = append(pos, *b.WaitlistPosition)
		}
	}
	slices.Sort(pos)
	gapless := len(pos) == *hot-*hotSeats
	for i, p := range pos {
		if p != i+1 {
			gapless = false
		}
	}
	fmt.Fprintf(w, "hot class: %d managers for %d seats in %s (p99 %s): %d confirmed, %d waitlisted, positions 1..%d without gaps: %v\n",
		*hot, *hotSeats, hotRes.elapsed.Round(time.Millisecond), hotRes.pct(99), confirmed, len(pos), len(pos), gapless)
	if confirmed != *hotSeats || k.Confirmed != *hotSeats || !gapless || hotRes.errors > 0 {
		problems = append(problems, "hot class is wrong")
	}
	if httpRes.errors > 0 || bareRes.errors > 0 {
		problems = append(problems, "some bookings failed")
	}
	if len(problems) > 0 {
		return errors.New("rush checks failed: " + fmt.Sprint(problems))
	}
	fmt.Fprintln(w, "checks: no class over capacity, counters equal the rows, every booking stored once")
	return nil
}

// rushDB is one seeded rush database: its managers, classes, hot class and
// each enterprise's account and token.
type rushDB struct {
	*demo.Rush
	hot    int64
	tokens map[int64]string
	users  map[int64]*model.User
}

// seedRush opens dsn and seeds it for the rush; the same seed gives two
// databases the same rows.
func seedRush(ctx context.Context, env Env, dsn string, managers, classes, capacity, hotSeats int, seed uint64) (*store.Store, *rushDB, error) {
	st, err := env.OpenStore(ctx, dsn)
	if err != nil {
		return nil, nil, err
	}
	r, err := demo.SeedRush(ctx, st, demo.RushSpec{Managers: managers, PerEnterprise: 5, Classes: classes, Capacity: capacity,
		StartsAt: time.Now().Add(30 * 24 * time.Hour), Seed: seed})
	if err != nil {
		return st, nil, err
	}
	hotClass, err := st.CreateClass(ctx, model.SystemActor(), r.CourseID, model.ClassInput{HomeID: r.HomeID, StartsAt: time.Now().Add(40 * 24 * time.Hour),
		EndsAt: time.Now().Add(40*24*time.Hour + 3*time.Hour), Capacity: hotSeats})
	if err != nil {
		return st, nil, err
	}
	tokens, users, err := rushTokens(ctx, st, r.Enterprises)
	if err != nil {
		return st, nil, err
	}
	// The towns' figures counted, as a running server's sweep does at
	// once: from then on every booking keeps its town's.
	if err := st.RefreshRegionStats(ctx, false); err != nil {
		return st, nil, err
	}
	return st, &rushDB{Rush: r, hot: hotClass.ID, tokens: tokens, users: users}, nil
}

// rushTokens makes one account and one API token per enterprise.
func rushTokens(ctx context.Context, st *store.Store, ents []int64) (map[int64]string, map[int64]*model.User, error) {
	tokens, users := map[int64]string{}, map[int64]*model.User{}
	sys := model.SystemActor()
	stamp := time.Now().UnixNano()
	for i, id := range ents {
		if _, ok := tokens[id]; ok {
			continue
		}
		// No one logs in with these: a placeholder hash saves 2,000 argon2 runs.
		u, err := st.CreateUser(ctx, sys, model.NewUser{Username: fmt.Sprintf("rush-%d-%d", stamp, i), Role: model.RoleEnterprise, EnterpriseID: &id}, "!")
		if err != nil {
			return nil, nil, err
		}
		_, tok, err := st.CreateToken(ctx, sys, u.ID, model.NewToken{Name: "rush", ExpiresIn: 1})
		if err != nil {
			return nil, nil, err
		}
		tokens[id], users[id] = tok, u
	}
	return tokens, users, nil
}

// runJobs runs fn over jobs from n workers and records each latency.
func runJobs[J any](jobs []J, n int, fn func(worker int, j J) error) loadResult {
	ch := make(chan J)
	var mu sync.Mutex
	var res loadResult
	var errs atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		wg.Go(func() {
			var lat []time.Duration
			for j := range ch {
				t := time.Now()
				if err := fn(i, j); err != nil {
					errs.Add(1)
					continue
				}
				lat = append(lat, time.Since(t))
			}
			mu.Lock()
			res.lat = append(res.lat, lat...)
			if len(lat) > 0 {
				res.first = append(res.first, lat[0])
			}
			mu.Unlock()
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	res.elapsed = time.Since(start)
	res.errors = errs.Load()
	slices.Sort(res.lat)
	slices.Sort(res.first)
	return res
}

// checkClasses counts the stored live bookings of classes and checks each
// class's seats and waitlist.
func checkClasses(ctx context.Context, st *store.Store, ids []int64) (int, error) {
	total := 0
	for _, id := range ids {
		k, err := st.Class(ctx, model.SystemActor(), id)
		if err != nil {
			return total, err
		}
		bs, err := st.ClassBookings(ctx, model.SystemActor(), id)
		if err != nil {
			return total, err
		}
		conf, wait := 0, 0
		for _, b := range bs {
			if b.Status == model.BookingConfirmed {
				conf++
			} else {
				wait++
			}
		}
		total += len(bs)
		if conf > k.Capacity || conf != k.Confirmed || wait != k.Waitlisted {
			return total, fmt.Errorf("class %d: %d confirmed, %d waitlisted; counters %d, %d; capacity %d", id, conf, wait, k.Confirmed, k.Waitlisted, k.Capacity)
		}
	}
	return total, nil
}

// startProcesses runs n "envhome serve" processes on dsn and waits until
// each answers /healthz. They share the one process's 16 connections, as
// the README asks of instances behind a load balancer (at least 4 each).
func startProcesses(ctx context.Context, dsn string, n int) (func(), []string, error) {
	exe, err := os.Executable()
	if err != nil {
		return func() {}, nil, err
	}
	var cmds []*exec.Cmd
	stop := func() {
		for _, c := range cmds {
			c.Process.Signal(os.Interrupt)
			c.Wait()
		}
	}
	var urls []string
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return stop, nil, err
		}
		addr := ln.Addr().String()
		ln.Close()
		c := exec.CommandContext(ctx, exe, "serve", "--db", dsn, "--addr", addr, "--demo=false", "--data-dir", os.TempDir(),
			"--db-conns", strconv.Itoa(max(4, 16/n)))
		if err := c.Start(); err != nil {
			return stop, nil, err
		}
		cmds = append(cmds, c)
		urls = append(urls, "http://"+addr)
	}
	deadline := time.Now().Add(30 * time.Second)
	for _, u := range urls {
		for {
			resp, err := http.Get(u + "/healthz")
			if err == nil {
				resp.Body.Close()
				break
			}
			if time.Now().After(deadline) {
				return stop, nil, fmt.Errorf("%s did not start", u)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	return stop, urls, nil
}
