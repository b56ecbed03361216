package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/imports"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/roster"
	"github.com/envhome/envhome/internal/store"
)

// benchDB opens dsn, or a new SQLite file in dir when dsn is empty.
func benchDB(ctx context.Context, env Env, dsn, dir, name string) (*store.Store, error) {
	if dsn == "" {
		dsn = filepath.Join(dir, name+".db")
	}
	return env.OpenStore(ctx, dsn)
}

// peakRSS reads the process's peak resident memory (Linux), in MiB; reset
// starts a new peak.
func peakRSS(reset bool) float64 {
	if reset {
		os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
		return 0
	}
	return procStatus("VmHWM:")
}

// currentRSS reads the process's resident memory now, in MiB.
func currentRSS() float64 { return procStatus("VmRSS:") }

// procStatus reads a memory line of /proc/self/status, in MiB.
func procStatus(field string) float64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, field) {
			kb, _ := strconv.Atoi(strings.Fields(line)[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// benchImport: a roster of --rows rows (70% enterprises, 30% managers) as
// an .xlsx, imported the way a user's upload is (parse, check every row,
// write with audit), beside a bare batched insert of the same rows into an
// equally fresh database.
func benchImport(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench import", "bench import [--rows 100000] [--db DSN] [--bare-db DSN]", env.Env)
	rows := fs.Int("rows", 100_000, "rows in the roster")
	dsn := fs.String("db", "", "empty database for the import (default: a new SQLite file)")
	bareDSN := fs.String("bare-db", "", "empty database for the bare insert (default: a new SQLite file)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file")
	memprofile := fs.String("memprofile", "", "write an allocation profile of the import to this file")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	nEnt := *rows * 7 / 10
	nMgr := *rows - nEnt
	names := map[int64]string{}
	st, err := benchDB(ctx, env, *dsn, dir, "import")
	if err != nil {
		return err
	}
	defer st.Close()
	regions, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		return err
	}
	all, _ := st.Regions(ctx)
	for _, r := range all {
		names[r.ID] = r.Name
	}
	ents, mgrs := demo.Roster(42, nEnt/3, nEnt-nEnt/3, nMgr, regions, 20_000_000)
	var file bytes.Buffer
	if err := roster.Write(&file, func(id int64) string { return names[id] }, ents, mgrs); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "roster: %d enterprises + %d managers = %d rows, %.1f MiB .xlsx, database %s\n",
		len(ents), len(mgrs), len(ents)+len(mgrs), float64(file.Len())/(1<<20), st.Dialect())

	// The import holds what a server holds: the uploaded bytes, nothing
	// the generator made.
	ents, mgrs = nil, nil
	runtime.GC()
	debug.FreeOSMemory()
	stopProfile, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	base := currentRSS()
	peakRSS(true)
	t0 := time.Now()
	rd, err := roster.Open(file.Bytes(), all, nil)
	if err != nil {
		return err
	}
	next, stop := rd.Batches(imports.BatchRows)
	res, err := st.ImportRosterBatches(ctx, model.SystemActor(), next, model.ImportAllOrNothing, false)
	stop()
	if err != nil {
		return err
	}
	tImport := time.Since(t0)
	peak := peakRSS(false)
	stopProfile()
	if err := writeHeapProfile(*memprofile); err != nil {
		return err
	}
	if !res.Written || res.EnterprisesCreated != nEnt || res.ManagersCreated != nMgr {
		return fmt.Errorf("import did not write every row: %+v (first problem %v)", res, res.Problems[:min(1, len(res.Problems))])
	}
	fmt.Fprintf(env.Stdout, "import:    %6.2f s streamed in batches of %d rows (the next parsed while one is written), %.0f rows/s, peak RSS %.0f MiB (%.0f MiB before it began)\n",
		tImport.Seconds(), imports.BatchRows, float64(*rows)/tImport.Seconds(), peak, base)

	t1 := time.Now()
	rd, err = roster.Open(file.Bytes(), all, nil)
	if err != nil {
		return err
	}
	next, stop = rd.Batches(imports.BatchRows)
	again, err := st.ImportRosterBatches(ctx, model.SystemActor(), next, model.ImportAllOrNothing, false)
	stop()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "re-import: %6.2f s, %d unchanged, %d written\n", time.Since(t1).Seconds(),
		again.EnterprisesUnchanged+again.ManagersUnchanged, again.EnterprisesCreated+again.EnterprisesUpdated+again.ManagersCreated+again.ManagersUpdated)

	// The marked-up report of a file with a bad cell in every 50th row:
	// what a user gets back from a refused import.
	var problems []model.RowProblem
	for row := 2; row <= nEnt+1; row += 50 {
		problems = append(problems, model.RowProblem{Sheet: model.SheetEnterprises, Row: row, Field: "contact_phone", Key: "err.field.phone"})
	}
	runtime.GC()
	debug.FreeOSMemory()
	base = currentRSS()
	peakRSS(true)
	t3 := time.Now()
	rep, err := roster.Report(file.Bytes(), problems, func(key string, args ...any) string { return key })
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "report:    %6.2f s for %d marked cells, %.1f MiB .xlsx, peak RSS %.0f MiB (%.0f MiB before it began)\n",
		time.Since(t3).Seconds(), len(problems), float64(len(rep))/(1<<20), peakRSS(false), base)
	rep = nil

	ents, mgrs = demo.Roster(42, nEnt/3, nEnt-nEnt/3, nMgr, regions, 20_000_000)
	bare, err := benchDB(ctx, env, *bareDSN, dir, "bare")
	if err != nil {
		return err
	}
	defer bare.Close()
	if _, err := demo.EnsureRegions(ctx, bare); err != nil {
		return err
	}
	t2 := time.Now()
	if err := bare.BulkInsert(ctx, model.SystemActor(), ents, mgrs); err != nil {
		return err
	}
	tBare := time.Since(t2)
	fmt.Fprintf(env.Stdout, "bare:      %6.2f s batched multi-row INSERT of the same rows, %.0f rows/s\n", tBare.Seconds(), float64(*rows)/tBare.Seconds())
	fmt.Fprintf(env.Stdout, "ratio bare/import: %.2f\n", tBare.Seconds()/tImport.Seconds())
	return nil
}

// benchList measures the enterprise list through the HTTP API as the
// bureau sees it: the first page, Chinese substring searches and filtered
// pages, sequentially, --n requests each.
func benchList(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench list", "bench list [--enterprises 1000000] [--db DSN] [--n 300]", env.Env)
	n := fs.Int("enterprises", 1_000_000, "generate this many first when the database has fewer generated ones")
	dsn := fs.String("db", "", "database (default: a new SQLite file, filled by the generator)")
	reqs := fs.Int("n", 300, "requests per query")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the requests to this file")
	memprofile := fs.String("memprofile", "", "write an allocation profile of the requests to this file")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, *dsn, dir, "list")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := fillTo(ctx, env, st, *n); err != nil {
		return err
	}
	srv, err := env.NewServer(st, auth.DefaultPolicy(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	u, err := srv.Auth.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: fmt.Sprintf("bench-%d", time.Now().UnixNano()), Password: "benchmark password", Role: model.RoleAdmin})
	if err != nil {
		return err
	}
	_, token, err := st.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
	if err != nil {
		return err
	}
	regions, _ := demo.EnsureRegions(ctx, st)
	first := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/api/v1/enterprises?limit=50", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	srv.ServeHTTP(first, req)
	var page struct{ Next *string }
	jsonDecode(first.Body.Bytes(), &page)
	queries := []struct{ label, query string }{
		{"first page", ""},
		{"second page (cursor)", "cursor=" + url.QueryEscape(deref(page.Next))},
		{"search 新材料 (trigram)", "q=" + url.QueryEscape("新材料")},
		{"search 宏嘉 (2 chars)", "q=" + url.QueryEscape("宏嘉")},
		{"search 昌五 (2, ~3,500 rows)", "q=" + url.QueryEscape("昌五")},
		{"search 环保 (2, ~22,000)", "q=" + url.QueryEscape("环保")},
		{"search 海 (1, every name)", "q=" + url.QueryEscape("海")},
		{"search 垚 (1, absent)", "q=" + url.QueryEscape("垚")},
		{"search by credit code", "q=91330481M0"},
		{"filter town+permit", fmt.Sprintf("region_id=%d&permit_class=key", regions[0])},
		{"filter shops in a town", fmt.Sprintf("region_id=%d&kind=shop", regions[3])},
	}
	// Every key list, common to absent, and a common one in the smallest
	// town: the list's rows drive, so none may walk the table.
	for _, l := range model.KeyLists {
		queries = append(queries, struct{ label, query string }{"filter key list " + l, "key_list=" + l})
	}
	queries = append(queries, struct{ label, query string }{"key list air, smallest town", fmt.Sprintf("key_list=air&region_id=%d", regions[len(regions)-1])})
	var worst, worstShort time.Duration
	worstLabel, worstShortLabel := "", ""
	stopProfile, err := startProfile(*cpuprofile)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "GET /api/v1/enterprises?limit=50 on %s, %d sequential requests each\n", st.Dialect(), *reqs)
	for _, q := range queries {
		lat, body, err := timeGets(srv, "/api/v1/enterprises?limit=50&"+q.query, token, *reqs)
		if err != nil {
			return fmt.Errorf("%s: %w", q.label, err)
		}
		var l struct{ Items []any }
		jsonDecode(body, &l)
		items := len(l.Items)
		p := func(x int) time.Duration { return percentile(lat, x) }
		fmt.Fprintf(env.Stdout, "%-28s p50 %8s  p99 %8s  (%d items)\n", q.label, p(50), p(99), items)
		if strings.Contains(q.query, "key_list=") && p(99) > worst {
			worst, worstLabel = p(99), q.label
		}
		if strings.Contains(q.label, "search") && !strings.Contains(q.label, "trigram") && !strings.Contains(q.label, "credit") && p(99) > worstShort {
			worstShort, worstShortLabel = p(99), q.label
		}
	}
	fmt.Fprintf(env.Stdout, "worst key-list filter: %s, p99 %s\n", worstLabel, worst)
	fmt.Fprintf(env.Stdout, "worst 1-2 character search: %s, p99 %s\n", worstShortLabel, worstShort)
	stopProfile()
	if err := writeHeapProfile(*memprofile); err != nil {
		return err
	}
	return nil
}

// fillTo generates enterprises (and managers for 40% of them) until the
// database holds n generated ones, saying how long it took.
func fillTo(ctx context.Context, env Env, st *store.Store, n int) error {
	have := st.CountGenerated(ctx)
	if have >= n {
		return nil
	}
	fmt.Fprintf(env.Stdout, "generating %d enterprises…\n", n-have)
	ents, mgrs, d, err := generateInto(ctx, st, n-have, 0.4, nil)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "generated %d enterprises and %d managers in %s (%.0f rows/s)\n", ents, mgrs, d.Round(time.Second), float64(ents+mgrs)/d.Seconds())
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func jsonDecode(b []byte, v any) { _ = json.Unmarshal(b, v) }
