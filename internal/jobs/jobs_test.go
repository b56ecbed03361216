package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/jobs"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// TestJobSurvivesACrash: a worker claims a job and dies; once its lease
// runs out another worker (after a restart, or on another instance) does it.
func TestJobSurvivesACrash(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
			st := storetest.New(t, d, store.Options{Now: c.now})
			ctx := context.Background()
			j, err := st.EnqueueJob(ctx, model.SystemActor(), "count", map[string]int{"to": 3})
			if err != nil {
				t.Fatal(err)
			}
			// The first worker claims it and crashes (never finishes).
			claimed, err := st.ClaimJob(ctx, time.Minute, 3)
			if err != nil || claimed == nil || claimed.ID != j.ID {
				t.Fatalf("claim: %v %v", claimed, err)
			}
			runs := 0
			r := &jobs.Runner{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Lease: time.Minute,
				Handlers: map[string]jobs.Handler{"count": func(ctx context.Context, j *model.Job, progress func(int, int)) (any, error) {
					var p struct{ To int }
					store.JobPayload(j, &p)
					runs++
					progress(p.To, p.To)
					return map[string]int{"counted": p.To}, nil
				}}}
			if did, _ := r.RunOne(ctx); did {
				t.Fatal("a leased job was taken before its lease ran out")
			}
			c.add(2 * time.Minute)
			if did, err := r.RunOne(ctx); !did || err != nil {
				t.Fatalf("after the lease: %v %v", did, err)
			}
			got, _ := st.Job(ctx, model.SystemActor(), j.ID)
			if got.Status != model.JobDone || string(got.Result) != `{"counted":3}` || got.Attempts != 2 || runs != 1 {
				t.Errorf("job: %+v runs=%d", got, runs)
			}
			if did, _ := r.RunOne(ctx); did {
				t.Error("a finished job ran again")
			}
		})
	}
}

func TestJobGivesUpAfterRepeatedCrashes(t *testing.T) {
	c := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	st := storetest.New(t, store.SQLite, store.Options{Now: c.now})
	ctx := context.Background()
	j, _ := st.EnqueueJob(ctx, model.SystemActor(), "crash", nil)
	for range 3 {
		if got, _ := st.ClaimJob(ctx, time.Minute, 3); got == nil {
			t.Fatal("not claimed")
		}
		c.add(2 * time.Minute)
	}
	if got, _ := st.ClaimJob(ctx, time.Minute, 3); got != nil {
		t.Errorf("claimed a 4th time: %+v", got)
	}
	got, _ := st.Job(ctx, model.SystemActor(), j.ID)
	if got.Status != model.JobFailed {
		t.Errorf("status %s", got.Status)
	}
}

// TestStoppingGivesTheJobBack: a graceful stop mid-job queues it again.
func TestStoppingGivesTheJobBack(t *testing.T) {
	st := storetest.New(t, store.SQLite, store.Options{})
	ctx, cancel := context.WithCancel(context.Background())
	j, _ := st.EnqueueJob(ctx, model.SystemActor(), "slow", nil)
	started := make(chan struct{})
	r := &jobs.Runner{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handlers: map[string]jobs.Handler{"slow": func(ctx context.Context, j *model.Job, _ func(int, int)) (any, error) {
			close(started)
			<-ctx.Done()
			return nil, ctx.Err()
		}}}
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	<-started
	cancel()
	<-done
	got, _ := st.Job(context.Background(), model.SystemActor(), j.ID)
	if got.Status != model.JobQueued || got.Attempts != 0 {
		t.Errorf("after a stop: %+v", got)
	}
}
