package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/model"
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
	return signInTimes(ctx, env, srv, hs.URL)
}

// signInTimes logs in one after another, each time a new account (so no
// throttle and no used code is met), with the password alone and with the
// password and a code from the app, and prints the medians.
func signInTimes(ctx context.Context, env Env, srv *Server, base string) error {
	const n = 20
	sys := model.SystemActor()
	var plain, totp []time.Duration
	for i := range n {
		for _, twoFactor := range []bool{false, true} {
			name := fmt.Sprintf("signin-%d-%v", i, twoFactor)
			u, err := srv.Auth.CreateUser(ctx, sys, model.NewUser{Username: name, Password: "meadow lantern 42", Role: model.RoleLecturer})
			if err != nil {
				return err
			}
			otp := ""
			if twoFactor {
				a := model.Actor{User: u}
				setup, err := srv.Auth.StartTwoFactor(ctx, a)
				if err != nil {
					return err
				}
				if err := srv.Auth.Store.EnableTOTP(ctx, a, model.NewRecoveryCodes(10)); err != nil {
					return err
				}
				otp = model.TOTPCode(setup.Secret, srv.Auth.Store.Now())
			}
			body := fmt.Sprintf(`{"username":%q,"password":"meadow lantern 42","otp":%q}`, name, otp)
			t0 := time.Now()
			res, err := http.Post(base+"/api/v1/auth/token", "application/json", strings.NewReader(body))
			if err != nil {
				return err
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				return fmt.Errorf("sign-in of %s: %s", name, res.Status)
			}
			if twoFactor {
				totp = append(totp, time.Since(t0))
			} else {
				plain = append(plain, time.Since(t0))
			}
		}
	}
	slices.Sort(plain)
	slices.Sort(totp)
	fmt.Fprintf(env.Stdout, "sign-in, one after another, median of %d: password %s, password and TOTP code %s (slowest %s and %s)\n",
		n, plain[n/2].Round(10*time.Microsecond), totp[n/2].Round(10*time.Microsecond),
		plain[n-1].Round(10*time.Microsecond), totp[n-1].Round(10*time.Microsecond))
	return nil
}
