package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
)

// benchMarket: the through train at province scale, through the real
// handler — a demand matched against every generated provider (the
// commonest category, and a rare one), a provider's market over every
// open demand, and providers quoting demands at once, with the proof that
// no demand holds two quotes of one provider and no sealed quote leaks.
func benchMarket(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench market", "bench market [--providers 100000] [--demands 100000] [--quoters 1000] [--targets 100] [--clients 64] [--db DSN] [--n 200]", env.Env)
	providers := fs.Int("providers", 100_000, "providers to generate")
	demands := fs.Int("demands", 100_000, "open demands to generate")
	quoters := fs.Int("quoters", 1000, "providers quoting at once")
	targets := fs.Int("targets", 100, "demands they all quote on")
	clients := fs.Int("clients", 64, "concurrent clients of the quoting flood")
	dsn := fs.String("db", "", "database (default: a new SQLite file)")
	reqs := fs.Int("n", 200, "requests per timed read")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, *dsn, dir, "market")
	if err != nil {
		return err
	}
	defer st.Close()
	if err := fillTo(ctx, env, st, 10_000); err != nil {
		return err
	}
	towns, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if _, err := st.GenerateProviders(ctx, *providers, towns, uint64(time.Now().UnixNano())); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "generated %d providers in %s\n", *providers, time.Since(t0).Round(time.Millisecond))
	t0 = time.Now()
	if _, err := st.GenerateDemands(ctx, *demands, 24*30, uint64(time.Now().UnixNano())); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "generated %d open demands in %s\n", *demands, time.Since(t0).Round(time.Millisecond))
	srv, err := env.NewServer(st, auth.DefaultPolicy(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	stamp := time.Now().UnixNano()
	sys := model.SystemActor()
	admin, err := srv.Auth.CreateUser(ctx, sys, model.NewUser{Username: fmt.Sprintf("bench-%d-a", stamp), Password: "benchmark password", Role: model.RoleAdmin})
	if err != nil {
		return err
	}
	entID, err := st.FirstEnterpriseID(ctx)
	if err != nil {
		return err
	}
	entUser, err := srv.Auth.CreateUser(ctx, sys, model.NewUser{Username: fmt.Sprintf("bench-%d-e", stamp), Password: "benchmark password",
		Role: model.RoleEnterprise, EnterpriseID: &entID})
	if err != nil {
		return err
	}
	bureau, ent := model.Actor{User: admin}, model.Actor{User: entUser}
	token := func(u *model.User) (string, error) {
		_, t, err := st.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
		return t, err
	}
	entToken, err := token(entUser)
	if err != nil {
		return err
	}
	post := func(title, category string, pollutants []string) (int64, error) {
		d, err := st.PostDemand(ctx, ent, model.DemandInput{Title: title, Category: category, Pollutants: pollutants, Description: "基准测试",
			QuoteDeadline: st.Now().Add(48 * time.Hour)})
		if err != nil {
			return 0, err
		}
		_, err = st.ReviewDemand(ctx, bureau, d.ID, model.DemandReview{Decision: "publish"})
		return d.ID, err
	}

	fmt.Fprintf(env.Stdout, "through the handler on %s, %d sequential requests each\n", st.Dialect(), *reqs)
	for _, c := range []struct{ category, pollutant string }{{"waste_gas", "vocs"}, {"soil", ""}} {
		var pols []string
		if c.pollutant != "" {
			pols = []string{c.pollutant}
		}
		id, err := post("基准需求 "+c.category, c.category, pols)
		if err != nil {
			return err
		}
		candidates, err := st.CategoryProviders(ctx, c.category)
		if err != nil {
			return err
		}
		lat, body, err := timeGets(srv, fmt.Sprintf("/api/v1/demands/%d/matches", id), entToken, *reqs)
		if err != nil {
			return err
		}
		var l model.List[model.Match]
		json.Unmarshal(body, &l)
		top := 0
		if len(l.Items) > 0 {
			top = l.Items[0].Score
		}
		printLat(env, fmt.Sprintf("matches, %s (%d candidates, top score %d)", c.category, candidates, top), lat)
	}

	// A provider's market: a generated provider serving the two commonest
	// categories, over every open demand.
	fitID, err := st.ProviderServingBoth(ctx, "waste_gas", "wastewater")
	if err != nil {
		return err
	}
	accs, err := st.GenerateProviderAccounts(ctx, []int64{fitID})
	if err != nil {
		return err
	}
	fitUser, err := st.User(ctx, accs[0])
	if err != nil {
		return err
	}
	fitToken, err := token(fitUser)
	if err != nil {
		return err
	}
	lat, body, err := timeGets(srv, "/api/v1/demands?box=fits", fitToken, *reqs)
	if err != nil {
		return err
	}
	var fits model.List[model.Demand]
	json.Unmarshal(body, &fits)
	printLat(env, fmt.Sprintf("a provider's market over %d open demands (%d shown)", *demands, len(fits.Items)), lat)

	// The quoting flood.
	ids, err := st.ProvidersServing(ctx, "waste_gas", *quoters)
	if err != nil {
		return err
	}
	if len(ids) < *quoters {
		return fmt.Errorf("only %d providers serve waste_gas", len(ids))
	}
	users, err := st.GenerateProviderAccounts(ctx, ids)
	if err != nil {
		return err
	}
	tokens := make([]string, len(users))
	for i, u := range users {
		acc, err := st.User(ctx, u)
		if err != nil {
			return err
		}
		if tokens[i], err = token(acc); err != nil {
			return err
		}
	}
	demandIDs := make([]int64, *targets)
	for i := range demandIDs {
		if demandIDs[i], err = post(fmt.Sprintf("报价洪峰 %d", i), "waste_gas", []string{"vocs"}); err != nil {
			return err
		}
	}
	type job struct {
		p   int // quoter index
		d   int64
		dup bool
	}
	jobs := make(chan job, 1024)
	go func() {
		defer close(jobs)
		n := 0
		for _, d := range demandIDs {
			for p := range tokens {
				jobs <- job{p, d, false}
				n++
				if n%20 == 0 { // one pair in twenty tries a second quote
					jobs <- job{p, d, true}
				}
			}
		}
	}()
	body = []byte(`{"price": 120, "includes": "设计、设备、安装、调试", "timeline_days": 60, "outcome": "达标"}`)
	var mu sync.Mutex
	var lats []time.Duration
	codes := map[int]int{}
	dupSent := 0
	var wg sync.WaitGroup
	start := time.Now()
	for range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			mc := map[int]int{}
			dups := 0
			for j := range jobs {
				req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/demands/%d/quotes", j.d), bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tokens[j.p])
				req.Header.Set("Content-Type", "application/json")
				rec := httptest.NewRecorder()
				t := time.Now()
				srv.ServeHTTP(rec, req)
				mine = append(mine, time.Since(t))
				mc[rec.Code]++
				if j.dup {
					dups++
				}
			}
			mu.Lock()
			lats = append(lats, mine...)
			for k, v := range mc {
				codes[k] += v
			}
			dupSent += dups
			mu.Unlock()
		}()
	}
	wg.Wait()
	wall := time.Since(start)
	slices.Sort(lats)
	fmt.Fprintf(env.Stdout, "quoting flood: %d providers × %d demands at %d clients: %d requests in %s, %.0f quotes/s, p50 %s p99 %s, statuses %v (%d second quotes sent)\n",
		len(tokens), len(demandIDs), *clients, len(lats), wall.Round(time.Millisecond), float64(codes[http.StatusCreated])/wall.Seconds(),
		percentile(lats, 50), percentile(lats, 99), codes, dupSent)

	// The proofs.
	pairs, doubled, err := st.QuoteRecount(ctx)
	if err != nil {
		return err
	}
	leaks := 0
	for i := 0; i < len(tokens); i += max(1, len(tokens)/50) {
		_, b, err := timeGets(srv, fmt.Sprintf("/api/v1/demands/%d/quotes", demandIDs[i%len(demandIDs)]), tokens[i], 1)
		if err != nil {
			return err
		}
		var l model.List[model.Quote]
		json.Unmarshal(b, &l)
		for _, q := range l.Items {
			if q.ProviderID != ids[i] {
				leaks++
			}
		}
		if len(l.Items) != 1 {
			leaks++
		}
	}
	sealed := 0
	req := httptest.NewRequest("GET", fmt.Sprintf("/api/v1/demands/%d/quotes", demandIDs[0]), nil)
	req.Header.Set("Authorization", "Bearer "+entToken)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req)
	sealed = rec.Code
	fmt.Fprintf(env.Stdout, "proof: %d quotes stored for %d answered 201, %d pairs with two quotes; %d providers read only their own quote (%d leaks); the enterprise reading sealed quotes gets %d\n",
		pairs, codes[http.StatusCreated], doubled, len(tokens)/max(1, len(tokens)/50), leaks, sealed)
	if doubled != 0 || leaks != 0 || sealed != http.StatusForbidden || codes[http.StatusCreated] != pairs {
		return fmt.Errorf("the proof failed")
	}
	return nil
}
