package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
)

// benchDashboards: the county's, a town's and an enterprise's dashboards
// through the real handler at province scale (a million enterprises,
// 400,000 managers, ten million inspection answers, a million tasks, ten
// million monthly activity lines), with the generator's time; then an
// enterprise's year recomputed after the factor it uses is corrected.
func benchDashboards(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench dashboards", "bench dashboards [--enterprises 1000000] [--inspections 250000] [--lines 10000000] [--db DSN] [--n 300]", env.Env)
	n := fs.Int("enterprises", 1_000_000, "generate this many enterprises (and 0.4 managers each) first when the database has fewer")
	ins := fs.Int("inspections", 250_000, "self-inspections of 41 answers each (about 10 million answers and 1 million tasks)")
	lines := fs.Int("lines", 10_000_000, "monthly activity lines (24 months for each enterprise until there are this many)")
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
	st, err := benchDB(ctx, env, *dsn, dir, "dashboards")
	if err != nil {
		return err
	}
	defer st.Close()
	t0 := time.Now()
	if err := fillTo(ctx, env, st, *n); err != nil {
		return err
	}
	have, err := st.CountInspections(ctx)
	if err != nil {
		return err
	}
	if have < *ins {
		fmt.Fprintf(env.Stdout, "generating %d self-inspections…\n", *ins-have)
		t := time.Now()
		ds, err := st.GenerateInspections(ctx, *ins-have, func(done int) { fmt.Fprintf(env.Stdout, "\r%d inspections", done) })
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "\nwrote in %s: %d inspections, %d answers, %d tasks\n", time.Since(t).Round(time.Second), ds.Inspections, ds.Answers, ds.Tasks)
	}
	t := time.Now()
	got, err := st.GenerateActivity(ctx, *lines, 24, func(done int) { fmt.Fprintf(env.Stdout, "\r%d activity lines", done) })
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\n%d monthly activity lines (written in %s); data generated in %s\n", got, time.Since(t).Round(time.Second), time.Since(t0).Round(time.Second))

	srv, err := env.NewServer(st, auth.DefaultPolicy(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	regions, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		return err
	}
	year := st.Now().In(model.ChinaTime).Year()
	t = time.Now()
	if err := st.RefreshRegionStats(ctx, true); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "towns' figures counted from the rows in %s (once a year; the writes keep them)\n", time.Since(t).Round(time.Millisecond))

	sys := model.SystemActor()
	stamp := time.Now().UnixNano()
	token := func(i int, u model.NewUser) (string, *model.User, error) {
		u.Username, u.Password = fmt.Sprintf("bench-%d-%d", stamp, i), "benchmark password"
		x, err := srv.Auth.CreateUser(ctx, sys, u)
		if err != nil {
			return "", nil, err
		}
		_, tk, err := st.CreateToken(ctx, model.Actor{User: x}, x.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
		return tk, x, err
	}
	bureau, _, err := token(0, model.NewUser{Role: model.RoleAdmin})
	if err != nil {
		return err
	}
	// The largest town, and an enterprise with the most rows of its own:
	// a generated one with an inspection, its tasks and 24 months.
	big, err := st.LargestTown(ctx)
	if err != nil {
		return err
	}
	assoc, _, err := token(1, model.NewUser{Role: model.RoleAssociation, RegionID: &big})
	if err != nil {
		return err
	}
	inspected, err := st.InspectedEnterprises(ctx, 1)
	if err != nil || len(inspected) == 0 {
		return fmt.Errorf("no inspected enterprise: %v", err)
	}
	ent := inspected[0]
	entTok, entUser, err := token(2, model.NewUser{Role: model.RoleEnterprise, EnterpriseID: &ent})
	if err != nil {
		return err
	}
	cases := []struct{ label, token, path string }{
		{"county (bureau)", bureau, fmt.Sprintf("/api/v1/dashboards/county?year=%d", year)},
		{"county, last year", bureau, fmt.Sprintf("/api/v1/dashboards/county?year=%d", year-1)},
		{"largest town (association)", assoc, fmt.Sprintf("/api/v1/dashboards/towns/%d?year=%d", big, year)},
		{"smallest town (bureau)", bureau, fmt.Sprintf("/api/v1/dashboards/towns/%d?year=%d", regions[len(regions)-1], year)},
		{"enterprise (itself)", entTok, fmt.Sprintf("/api/v1/dashboards/enterprises/%d?year=%d", ent, year)},
		{"enterprise, last year", entTok, fmt.Sprintf("/api/v1/dashboards/enterprises/%d?year=%d", ent, year-1)},
	}
	fmt.Fprintf(env.Stdout, "%s, %d generated enterprises, %d sequential requests each (the first request of a year counts it)\n",
		st.Dialect(), st.CountGenerated(ctx), *reqs)
	for _, c := range cases {
		lat, _, err := timeGets(srv, c.path, c.token, *reqs)
		if err != nil {
			return fmt.Errorf("%s: %w", c.label, err)
		}
		printLat(env, c.label, lat)
	}

	// A factor corrected after reports used it; each enterprise then
	// recomputes its year (24 months' lines, 12 in this year).
	fs2, err := st.Factors(ctx, model.FactorElectricity)
	if err != nil {
		return err
	}
	var ets *model.Factor
	for _, f := range fs2 {
		if f.Value == 0.5703 && f.Current() {
			ets = f
		}
	}
	if ets == nil {
		return fmt.Errorf("no current ETS factor")
	}
	if _, err := st.UpdateFactor(ctx, sys, ets.ID, model.FactorInput{Kind: ets.Kind, Name: ets.Name + "（基准测试更正）", Year: ets.Year, Scope: ets.Scope,
		Region: ets.Region, Value: 0.5704, Unit: ets.Unit, Source: ets.Source}); err != nil {
		return err
	}
	ids, err := st.CarbonEnterprises(ctx, year, 5000)
	if err != nil {
		return err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	lat := make([]time.Duration, 0, *reqs)
	for range min(*reqs, len(ids)) {
		id := ids[rng.IntN(len(ids))]
		ids = removeID(ids, id)
		actor := model.Actor{User: &model.User{ID: entUser.ID, Role: model.RoleEnterprise, EnterpriseID: &id}}
		t := time.Now()
		if _, err := st.RefactorYear(ctx, actor, id, year); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	printLat(env, "year recomputed after a factor change", lat)

	// The writes that keep the towns' figures, at their heaviest: an
	// enterprise with an inspection, tasks and managers moved to another
	// town, every figure it feeds moved in the same transaction.
	movers, err := st.InspectedEnterprises(ctx, *reqs)
	if err != nil {
		return err
	}
	lat = lat[:0]
	for _, id := range movers {
		e, err := st.Enterprise(ctx, sys, id)
		if err != nil {
			return err
		}
		to := big
		if e.RegionID == big {
			to = regions[len(regions)-1]
		}
		t := time.Now()
		if _, err := st.UpdateEnterprise(ctx, sys, id, model.EnterprisePatch{RegionID: &to}); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	printLat(env, "enterprise moved to another town", lat)
	if drift, err := st.SummaryDrift(ctx); err != nil || len(drift) > 0 {
		return fmt.Errorf("towns' figures after the moves differ from a recount: %v %v", drift, err)
	}
	fmt.Fprintf(env.Stdout, "towns' figures after the moves equal a recount\n")

	// The appraisal computed for the largest town (the association's
	// button) and for the county (the bureau's).
	for _, c := range []struct {
		label  string
		region int64
	}{{"appraisal computed, largest town", big}, {"appraisal computed, county", 0}} {
		t := time.Now()
		n, err := st.ComputeAppraisals(ctx, sys, year, c.region)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%-38s %9s  (%d managers)\n", c.label, time.Since(t).Round(time.Millisecond), n)
	}
	return nil
}

func removeID(ids []int64, id int64) []int64 {
	for i, x := range ids {
		if x == id {
			return append(ids[:i], ids[i+1:]...)
		}
	}
	return ids
}
