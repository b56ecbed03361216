package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
)

// benchLogin sends --parallel logins at once, each for another (unknown)
// account so that no throttle stops them, through the real handler with
// the production password hashing, and prints the process's peak memory,
// how many were checked and how many were told to retry. --slots 0 bounds
// the hashing to one per CPU (as served); --slots N>0 sets the bound, and
// a large N shows what unbounded hashing costs.
func benchLogin(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench login", "bench login [--parallel 200] [--slots 0]", env.Env)
	parallel := fs.Int("parallel", 200, "logins sent at once")
	slots := fs.Int("slots", 0, "password hashes computed at once (0: one per CPU, as served)")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	if *parallel < 1 || *slots < 0 {
		return fmt.Errorf("%w: --parallel positive, --slots not negative", cli.ErrUsage)
	}
	dir, err := os.MkdirTemp("", "envhome-bench-login-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, "", dir, "login")
	if err != nil {
		return err
	}
	defer st.Close()
	p := auth.DefaultPolicy()
	p.HashSlots = *slots
	p.AddrFailures = *parallel + 1 // every request comes from this machine
	srv, err := env.NewServer(st, p, dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	peakRSS(true)
	base := peakRSS(false)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[int]int{}
	start := make(chan struct{})
	t0 := time.Now()
	for i := range *parallel {
		wg.Go(func() {
			<-start
			body := fmt.Sprintf(`{"username":"nobody-%d","password":"a wrong password"}`, i)
			res, err := http.Post(hs.URL+"/api/v1/auth/token", "application/json", strings.NewReader(body))
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				codes[0]++
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			codes[res.StatusCode]++
		})
	}
	close(start)
	wg.Wait()
	slotsSaid := fmt.Sprint(*slots)
	if *slots == 0 {
		slotsSaid = "one per CPU"
	}
	fmt.Fprintf(env.Stdout, "%d parallel logins, argon2id %d MiB each, hashing slots: %s\n", *parallel, p.Argon2.Memory>>10, slotsSaid)
	fmt.Fprintf(env.Stdout, "checked (401) %d, told to retry (429) %d, other %d, in %s\n", codes[401], codes[429],
		*parallel-codes[401]-codes[429], time.Since(t0).Round(time.Millisecond))
	fmt.Fprintf(env.Stdout, "peak RSS %.0f MiB (%.0f MiB before the logins)\n", peakRSS(false), base)
	return nil
}
