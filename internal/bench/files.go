package bench

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/model"
)

// benchFiles uploads a course material of --mb megabytes through the API
// and downloads it from the database at --conns connections, beside
// net/http serving the same bytes from a file on disk: requests and
// megabytes a second, latency, and the process's peak memory during
// each run.
func benchFiles(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("bench files", "bench files [--mb 5] [--conns 16] [--duration 10s] [--db DSN]", env.Env)
	mb := fs.Int("mb", 5, "size of the material in MiB")
	conns := fs.Int("conns", 16, "concurrent connections")
	dur := fs.Duration("duration", 10*time.Second, "how long to load each server")
	dsn := fs.String("db", "", "an empty database (default: a new SQLite file)")
	if err := cli.Parse(fs, args, env.Env); err != nil {
		return err
	}
	if *mb < 1 || *mb > 20 || *conns < 1 || *dur <= 0 {
		return fmt.Errorf("%w: --mb 1–20, --conns and --duration positive", cli.ErrUsage)
	}
	dir, err := os.MkdirTemp("", "envhome-bench-files-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	st, err := benchDB(ctx, env, *dsn, dir, "files")
	if err != nil {
		return err
	}
	defer st.Close()
	srv, err := env.NewServer(st, auth.DefaultPolicy(), dir, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	u, err := srv.Auth.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: fmt.Sprintf("bench-%d", time.Now().UnixNano()),
		Password: "benchmark password", Role: model.RoleAdmin})
	if err != nil {
		return err
	}
	_, token, err := st.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: "bench", ExpiresIn: 1})
	if err != nil {
		return err
	}
	course, err := st.SaveCourse(ctx, model.SystemActor(), &model.Course{Title: "碳排放权交易管理", Category: "carbon", CreditHours: 3})
	if err != nil {
		return err
	}
	data := append([]byte("%PDF-1.4\n"), make([]byte, *mb<<20-9)...)
	rand.Read(data[9:])

	// The upload, as a browser sends it.
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "讲义.pdf")
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest("POST", fmt.Sprintf("/api/v1/courses/%d/materials", course.ID), &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	t0 := time.Now()
	srv.ServeHTTP(rec, req)
	up := time.Since(t0)
	if rec.Code != http.StatusCreated {
		return fmt.Errorf("upload: %d %s", rec.Code, rec.Body)
	}
	var m model.Material
	jsonDecode(rec.Body.Bytes(), &m)

	path := filepath.Join(dir, "material.pdf")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return err
	}
	bare := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		http.ServeFile(w, r, path)
	})
	fmt.Fprintf(env.Stdout, "a %d MiB material, %d connections, %s each, database %s\n", *mb, *conns, *dur, st.Dialect())
	fmt.Fprintf(env.Stdout, "upload through the API: %s (%.0f MiB/s)\n", up.Round(time.Millisecond), float64(*mb)/up.Seconds())
	print := func(label string, r loadResult, rss float64) {
		fmt.Fprintf(env.Stdout, "%-9s %7.0f req/s %7.0f MiB/s  p50 %8s  p99 %8s  errors %d  peak RSS %4.0f MiB\n",
			label, r.rps(), float64(r.bytes)/(1<<20)/r.elapsed.Seconds(), r.pct(50), r.pct(99), r.errors, rss)
	}
	peakRSS(true)
	disk, err := loadServer(ctx, bare, "/material.pdf", "", *conns, *dur)
	if err != nil {
		return err
	}
	print("disk", disk, peakRSS(false))
	peakRSS(true)
	db, err := loadServer(ctx, srv, fmt.Sprintf("/api/v1/materials/%d", m.ID), token, *conns, *dur)
	if err != nil {
		return err
	}
	print("database", db, peakRSS(false))
	fmt.Fprintf(env.Stdout, "ratio database/disk: %.2f\n", db.rps()/disk.rps())
	if db.errors > 0 || disk.errors > 0 {
		return fmt.Errorf("some downloads failed")
	}
	return nil
}
