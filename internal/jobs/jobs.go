// Package jobs runs persistent background work stored in the jobs table.
// Any number of instances run a Runner; a job is leased by one of them, and
// a job whose worker died is taken up again when its lease runs out, so
// work survives a restart.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// Handler does one job, reporting progress; its result is stored as JSON.
type Handler func(ctx context.Context, j *model.Job, progress func(done, total int)) (any, error)

// Runner claims and runs jobs.
type Runner struct {
	Store       *store.Store
	Log         *slog.Logger
	Handlers    map[string]Handler
	Lease       time.Duration // how long a claim lasts without progress
	Poll        time.Duration // how often to look for work when idle
	MaxAttempts int

	once sync.Once
	wake chan struct{}
}

func (r *Runner) init() {
	r.once.Do(func() {
		r.wake = make(chan struct{}, 1)
		if r.Lease == 0 {
			// Long enough for the write phase of a large import, which
			// cannot renew its lease from inside its transaction.
			r.Lease = 5 * time.Minute
		}
		if r.Poll == 0 {
			r.Poll = 2 * time.Second
		}
		if r.MaxAttempts == 0 {
			r.MaxAttempts = 3
		}
	})
}

// Wake makes an idle runner look for work now (after an enqueue here).
func (r *Runner) Wake() {
	r.init()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx ends; a job in hand is given back to the queue.
func (r *Runner) Run(ctx context.Context) {
	r.init()
	for ctx.Err() == nil {
		did, err := r.RunOne(ctx)
		if err != nil && ctx.Err() == nil {
			r.Log.Warn("jobs", "err", err)
		}
		if did {
			continue
		}
		select {
		case <-ctx.Done():
		case <-r.wake:
		case <-time.After(r.Poll):
		}
	}
}

// RunOne claims and runs one due job; it reports whether there was one.
func (r *Runner) RunOne(ctx context.Context) (bool, error) {
	r.init()
	j, err := r.Store.ClaimJob(ctx, r.Lease, r.MaxAttempts)
	if err != nil || j == nil {
		return false, err
	}
	h := r.Handlers[j.Kind]
	if h == nil {
		return true, r.Store.FinishJob(context.WithoutCancel(ctx), j.ID, nil, fmt.Errorf("no handler for %q", j.Kind))
	}
	// Progress is written at most once a second; it also renews the lease.
	var last time.Time
	progress := func(done, total int) {
		if time.Since(last) < time.Second {
			return
		}
		last = time.Now()
		if err := r.Store.JobProgress(ctx, j.ID, done, total, r.Lease); err != nil && ctx.Err() == nil {
			r.Log.Warn("job progress", "job", j.ID, "err", err)
		}
	}
	start := time.Now()
	result, err := r.runSafely(ctx, h, j, progress)
	if ctx.Err() != nil {
		// Stopping: the job's transaction rolled back; leave it to be
		// claimed again (here after a restart, or by another instance).
		return true, r.Store.ReleaseJob(context.WithoutCancel(ctx), j.ID)
	}
	r.Log.Info("job finished", "job", j.ID, "kind", j.Kind, "duration", time.Since(start), "err", err)
	return true, r.Store.FinishJob(context.WithoutCancel(ctx), j.ID, result, err)
}

func (r *Runner) runSafely(ctx context.Context, h Handler, j *model.Job, progress func(int, int)) (result any, err error) {
	defer func() {
		if v := recover(); v != nil {
			r.Log.Error("job panicked", "job", j.ID, "kind", j.Kind, "panic", v)
			err = errors.New("internal error")
			result = nil
		}
	}()
	return h(ctx, j, progress)
}
