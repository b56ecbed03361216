package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
)

// benchInspection: the self-inspection overview at province scale — the
// association's and the bureau's workbench (colour counts and overdue
// rectifications by town), the first page of lists filtered by colour and
// of open rectifications — with the towns' figures checked against a
// recount, and an enterprise's colour recomputed.
func benchInspection(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench inspection", "bench inspection [--enterprises 1000000] [--inspections 250000] [--db DSN] [--n 300]", env.Env)
	n := fs.Int("enterprises", 1_000_000, "generate this many enterprises first when the database has fewer generated ones")
	ins := fs.Int("inspections", 250_000, "self-inspections of 41 answers each (250,000: about 10 million answers and 1 million tasks)")
	dsn := fs.String("db", "", "database (default: a new SQLite file, filled by the generator)")
	reqs := fs.Int("n", 300, "requests per case")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, *dsn, dir, "inspection")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := fillTo(ctx, env, st, *n); err != nil {
		return err
	}
	have, err := st.CountInspections(ctx)
	if err != nil {
		return err
	}
	if have < *ins {
		fmt.Fprintf(env.Stdout, "generating %d self-inspections…\n", *ins-have)
		t0 := time.Now()
		ds, err := st.GenerateInspections(ctx, *ins-have, func(done int) {
			fmt.Fprintf(env.Stdout, "\r%d inspections", done)
		})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "\nwrote in %s; the database holds %d inspections, %d answers, %d tasks, %d coloured enterprises\n",
			time.Since(t0).Round(time.Second), ds.Inspections, ds.Answers, ds.Tasks, ds.Coloured)
	}
	srv, err := env.NewServer(st, auth.DefaultPolicy(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	regions, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := st.RefreshRegionStats(ctx, true); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "towns' figures counted from the rows in %s (once; the writes keep them)\n", time.Since(t0).Round(time.Millisecond))

	// The summaries against a recount of the tables.
	sys := model.SystemActor()
	towns, err := st.TownCompliances(ctx, sys)
	if err != nil {
		return err
	}
	recount, err := st.TownRecount(ctx)
	if err != nil {
		return err
	}
	equal := 0
	for _, t := range towns {
		r := recount[t.RegionID]
		if t.Green == r.Green && t.Yellow == r.Yellow && t.Red == r.Red && t.Unassessed == r.Unassessed && t.OverdueTasks == r.OverdueTasks {
			equal++
		} else {
			fmt.Fprintf(env.Stdout, "%s: kept %+v, recount %+v\n", t.RegionName, t, r)
		}
	}
	fmt.Fprintf(env.Stdout, "towns' figures equal a recount of the tables: %d of %d towns\n", equal, len(towns))

	stamp := time.Now().UnixNano()
	token := func(i int, u model.NewUser) (string, error) {
		u.Username, u.Password = fmt.Sprintf("bench-%d-%d", stamp, i), "benchmark password"
		x, err := srv.Auth.CreateUser(ctx, sys, u)
		if err != nil {
			return "", err
		}
		_, t, err := st.CreateToken(ctx, model.Actor{User: x}, x.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
		return t, err
	}
	bureau, err := token(0, model.NewUser{Role: model.RoleAdmin})
	if err != nil {
		return err
	}
	assoc, err := token(1, model.NewUser{Role: model.RoleAssociation, RegionID: &regions[0]})
	if err != nil {
		return err
	}
	small := regions[len(regions)-1]
	cases := []struct{ label, token, path string }{
		{"bureau workbench", bureau, "/api/v1/workbench"},
		{"association workbench", assoc, "/api/v1/workbench"},
		{"bureau red, first page", bureau, "/api/v1/enterprises?color=red"},
		{"association red, first page", assoc, "/api/v1/enterprises?color=red"},
		{"bureau red in smallest town", bureau, fmt.Sprintf("/api/v1/enterprises?color=red&region_id=%d", small)},
		{"bureau open tasks", bureau, "/api/v1/tasks?status=open"},
		{"association open tasks", assoc, "/api/v1/tasks?status=open"},
		{"association missed", assoc, "/api/v1/occurrences?status=missed"},
	}
	fmt.Fprintf(env.Stdout, "%s, %d generated enterprises, %d sequential requests each\n", st.Dialect(), st.CountGenerated(ctx), *reqs)
	for _, c := range cases {
		lat, _, err := timeGets(srv, c.path, c.token, *reqs)
		if err != nil {
			return fmt.Errorf("%s: %w", c.label, err)
		}
		printLat(env, c.label, lat)
	}

	// An enterprise's colour recomputed after a fact changed: facts read,
	// rules applied, the colour and any change recorded, in one write.
	ids, err := st.InspectedEnterprises(ctx, 2000)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(1, 2))
	lat := make([]time.Duration, 0, *reqs)
	for range *reqs {
		id := ids[rng.IntN(len(ids))]
		t := time.Now()
		if _, err := st.Compliance(ctx, sys, id); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	printLat(env, "colour recomputed", lat)
	return nil
}

func printLat(env Env, label string, lat []time.Duration) {
	slices.Sort(lat)
	fmt.Fprintf(env.Stdout, "%-30s p50 %9s  p99 %9s\n", label, percentile(lat, 50), percentile(lat, 99))
}

// benchAutosave: phones answering a self-inspection item by item, each
// answer saved as given (PUT /api/v1/inspections/{id}/answers/{code}),
// beside the bare store write of the same answers in the same run.
func benchAutosave(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench autosave", "bench autosave [--phones 64] [--duration 10s] [--db DSN]", env.Env)
	phones := fs.Int("phones", 64, "phones answering at once, each its own enterprise's inspection")
	dur := fs.Duration("duration", 10*time.Second, "how long each run lasts")
	dsn := fs.String("db", "", "database (default: a new SQLite file)")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	if *phones < 1 || *dur <= 0 {
		return fmt.Errorf("%w: --phones and --duration must be positive", cli.ErrUsage)
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, *dsn, dir, "autosave")
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := env.NewServer(st, auth.DefaultPolicy(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	regions, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		return err
	}
	sys := model.SystemActor()
	d, err := st.CreateChecklist(ctx, sys, model.CountyChecklist())
	if err != nil {
		return err
	}
	c, err := st.PublishChecklist(ctx, sys, d.ID)
	if err != nil {
		return err
	}
	codes := make([]string, 0, 41)
	for _, it := range c.Items() {
		codes = append(codes, it.Code)
	}
	stamp := time.Now().UnixNano()
	type phone struct {
		actor  model.Actor
		token  string
		insp   int64 // for the HTTP run
		bareID int64 // for the bare run
	}
	ps := make([]phone, *phones)
	for i := range ps {
		uscc, _ := model.BuildUSCC("91330481", fmt.Sprintf("A%07d", (stamp/1000+int64(i))%10_000_000))
		e, err := st.CreateEnterprise(ctx, sys, model.Enterprise{USCC: uscc, Name: fmt.Sprintf("自查压测企业%d", i), RegionID: regions[i%len(regions)],
			Kind: model.KindCompany, PermitClass: model.PermitKey, IndustryCode: "C2614"})
		if err != nil {
			return err
		}
		u, err := srv.Auth.CreateUser(ctx, sys, model.NewUser{Username: fmt.Sprintf("autosave-%d-%d", stamp, i), Password: "benchmark password",
			Role: model.RoleEnterprise, EnterpriseID: &e.ID})
		if err != nil {
			return err
		}
		a := model.Actor{User: u}
		_, tok, err := st.CreateToken(ctx, a, u.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
		if err != nil {
			return err
		}
		in1, err := st.StartInspection(ctx, a, e.ID, c.ID, model.InspectionSelf)
		if err != nil {
			return err
		}
		in2, err := st.StartInspection(ctx, a, e.ID, c.ID, model.InspectionSelf)
		if err != nil {
			return err
		}
		ps[i] = phone{a, tok, in1.ID, in2.ID}
	}
	// Each phone answers its items in turn, again and again (a changed
	// mind is a save too): ok, or a problem with a note.
	body := func(n int) (model.AnswerInput, string) {
		if n%7 == 0 {
			return model.AnswerInput{Result: model.ResultProblem, Note: "台账缺页"}, `{"result":"problem","note":"台账缺页"}`
		}
		return model.AnswerInput{Result: model.ResultOK}, `{"result":"ok"}`
	}
	run := func(save func(p phone, code string, n int) error) (loadResult, error) {
		lctx, cancel := context.WithTimeout(ctx, *dur)
		defer cancel()
		var mu sync.Mutex
		var all []time.Duration
		var errs atomic.Int64
		var wg sync.WaitGroup
		start := time.Now()
		for _, p := range ps {
			wg.Go(func() {
				var lat []time.Duration
				for n := 0; lctx.Err() == nil; n++ {
					t := time.Now()
					if err := save(p, codes[n%len(codes)], n); err != nil {
						errs.Add(1)
						continue
					}
					lat = append(lat, time.Since(t))
				}
				mu.Lock()
				all = append(all, lat...)
				mu.Unlock()
			})
		}
		wg.Wait()
		r := loadResult{lat: all, elapsed: time.Since(start), errors: errs.Load()}
		slices.Sort(r.lat)
		return r, nil
	}
	fmt.Fprintf(env.Stdout, "answers saved as given by %d phones, %s each run, %s, GOMAXPROCS=%d\n", *phones, *dur, st.Dialect(), runtimeProcs())
	bare, err := run(func(p phone, code string, n int) error {
		in, _ := body(n)
		_, err := st.SaveAnswer(ctx, p.actor, p.bareID, code, in)
		return err
	})
	if err != nil {
		return err
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	tr := &http.Transport{MaxIdleConns: *phones, MaxIdleConnsPerHost: *phones}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	web, err := run(func(p phone, code string, n int) error {
		_, js := body(n)
		req, _ := http.NewRequestWithContext(ctx, "PUT", fmt.Sprintf("%s/api/v1/inspections/%d/answers/%s", hs.URL, p.insp, code), strings.NewReader(js))
		req.Header.Set("Authorization", "Bearer "+p.token)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			return fmt.Errorf("%d", res.StatusCode)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, x := range []struct {
		label string
		r     loadResult
	}{{"bare store write", bare}, {"PUT over HTTP", web}} {
		fmt.Fprintf(env.Stdout, "%-17s %8.0f answers/s  p50 %8s  p99 %8s  errors %d\n", x.label, x.r.rps(), x.r.pct(50), x.r.pct(99), x.r.errors)
	}
	fmt.Fprintf(env.Stdout, "ratio HTTP/bare: %.2f\n", web.rps()/bare.rps())
	if web.errors > 0 || bare.errors > 0 {
		return fmt.Errorf("some saves failed")
	}
	return nil
}
