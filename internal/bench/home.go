package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
)

// benchHome: each role's workbench (GET /api/v1/workbench, the numbers of
// the home pages) on a province-scale directory, sequential requests,
// after the towns' figures are computed once (timed too: the sweep does it
// in the background every few minutes).
func benchHome(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench home", "bench home [--enterprises 1000000] [--db DSN] [--n 300]", env.Env)
	n := fs.Int("enterprises", 1_000_000, "generate this many first when the database has fewer generated ones")
	dsn := fs.String("db", "", "database (default: a new SQLite file, filled by the generator)")
	reqs := fs.Int("n", 300, "requests per role")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "envhome-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, *dsn, dir, "home")
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
	regions, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := st.RefreshRegionStats(ctx, true); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "towns' figures counted from the rows in %s (once; the writes keep them)\n", time.Since(t0).Round(time.Millisecond))
	// The enterprise: the newest generated one (a rare row, far from any
	// cache warmed by the generator's first rows).
	l, err := st.ListEnterprises(ctx, model.SystemActor(), model.EnterpriseFilter{Page: model.Page{Limit: 1}})
	if err != nil || len(l.Items) == 0 {
		return fmt.Errorf("no enterprise to bench: %v", err)
	}
	ent := l.Items[0].ID
	stamp := time.Now().UnixNano()
	roles := []struct {
		label string
		user  model.NewUser
	}{
		{"bureau", model.NewUser{Role: model.RoleAdmin}},
		{"association (largest town)", model.NewUser{Role: model.RoleAssociation, RegionID: &regions[0]}},
		{"enterprise", model.NewUser{Role: model.RoleEnterprise, EnterpriseID: &ent}},
		{"lecturer", model.NewUser{Role: model.RoleLecturer}},
	}
	fmt.Fprintf(env.Stdout, "GET /api/v1/workbench on %s (%d generated enterprises), %d sequential requests each\n", st.Dialect(), st.CountGenerated(ctx), *reqs)
	for i, r := range roles {
		r.user.Username = fmt.Sprintf("bench-%d-%d", stamp, i)
		r.user.Password = "benchmark password"
		u, err := srv.Auth.CreateUser(ctx, model.SystemActor(), r.user)
		if err != nil {
			return err
		}
		_, token, err := st.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
		if err != nil {
			return err
		}
		lat, _, err := timeGets(srv, "/api/v1/workbench", token, *reqs)
		if err != nil {
			return fmt.Errorf("%s: %w", r.label, err)
		}
		p := func(x int) time.Duration { return percentile(lat, x) }
		fmt.Fprintf(env.Stdout, "%-28s p50 %8s  p99 %8s\n", r.label, p(50), p(99))
	}
	return nil
}
