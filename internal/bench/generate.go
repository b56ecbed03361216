package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/config"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// generateStart offsets generated credit codes and mobiles past the demo
// county's, so both fit in one database.
const generateStart = 10_000_000

// Generate runs "envhome generate": a synthetic province-scale dataset.
func Generate(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("generate", "generate --enterprises N [--inspections M] [--db DSN]", env.Env)
	finish := config.Database(fs, env.Getenv)
	n := fs.Int("enterprises", 1_000_000, "how many enterprises (a third companies, the rest shops) to add")
	perMgr := fs.Float64("managers", 0.4, "managers per enterprise")
	ins := fs.Int("inspections", 0, "then this many submitted self-inspections of 41 answers (250000: 10 million answers, 1 million tasks)")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	if *n < 1 || *perMgr < 0 || *perMgr > 3 || *ins < 0 {
		return fmt.Errorf("%w: --enterprises must be positive, --managers between 0 and 3, --inspections not negative", cli.ErrUsage)
	}
	cfg, _ := finish()
	st, err := env.OpenStore(ctx, cfg.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	ents, mgrs, d, err := generateInto(ctx, st, *n, *perMgr, func(done int, d time.Duration) {
		fmt.Fprintf(env.Stdout, "\r%d enterprises, %.0f rows/s", done, float64(done)/d.Seconds())
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "\nwrote %d enterprises and %d managers in %s: %.0f rows/s\n", ents, mgrs, d.Round(time.Millisecond),
		float64(ents+mgrs)/d.Seconds())
	if *ins > 0 {
		t0 := time.Now()
		ds, err := st.GenerateInspections(ctx, *ins, func(done int) { fmt.Fprintf(env.Stdout, "\r%d inspections", done) })
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "\nin %s; the database holds %d inspections, %d answers, %d tasks, %d coloured enterprises\n",
			time.Since(t0).Round(time.Second), ds.Inspections, ds.Answers, ds.Tasks, ds.Coloured)
	}
	return nil
}

// generateInto adds n synthetic enterprises and their managers, continuing
// the code sequence after any earlier generated data.
func generateInto(ctx context.Context, st *store.Store, n int, perMgr float64, progress func(int, time.Duration)) (int, int, time.Duration, error) {
	regions, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		return 0, 0, 0, err
	}
	start := generateStart + st.CountGenerated(ctx)
	const batch = 20_000
	t0 := time.Now()
	mgrTotal := 0
	for done := 0; done < n; {
		k := min(batch, n-done)
		ents, mgrs := demo.Roster(uint64(start+done), k/3, k-k/3, int(float64(k)*perMgr), regions, start+done)
		if err := st.BulkInsert(ctx, model.SystemActor(), ents, mgrs); err != nil {
			return 0, 0, 0, err
		}
		done += k
		mgrTotal += len(mgrs)
		if progress != nil {
			progress(done, time.Since(t0))
		}
	}
	if err := st.Analyze(ctx); err != nil {
		return 0, 0, 0, err
	}
	d := time.Since(t0)
	return n, mgrTotal, d, st.LogDataset(ctx, model.SystemActor(), n, mgrTotal)
}
