package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/envhome/envhome/internal/api"
	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/config"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/httpx"
	"github.com/envhome/envhome/internal/i18n"
	"github.com/envhome/envhome/internal/imports"
	"github.com/envhome/envhome/internal/jobs"
	"github.com/envhome/envhome/internal/notify"
	"github.com/envhome/envhome/internal/service"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/web"
)

func serve(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("serve", "[serve] [flags]", env)
	finish := config.Serve(fs, env.Getenv)
	if err := cli.Parse(fs, args, env); err != nil {
		return err
	}
	cfg, err := finish()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUsage, err)
	}
	log := newLogger(cfg.LogFormat, env)
	keys, err := store.ParsePIIKeys(cfg.PIIKeys)
	if err != nil {
		return fmt.Errorf("ENVHOME_PII_KEYS: %w", err)
	}
	if keys == nil {
		log.Warn("ENVHOME_PII_KEYS is not set: ID numbers are stored in clear; see envhome pii newkey")
	}
	st, err := openStoreWith(ctx, cfg.DB, store.Options{Serve: true, PIIKeys: keys, MaxConns: cfg.DBConns})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Warm(ctx); err != nil {
		log.Warn("database connections not opened at start", "err", err)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	// Absolute links (QR codes, calendar feeds, notices) come from the
	// base URL, never from a request's Host header.
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + displayAddr(ln.Addr().String())
	}
	base := cfg.BaseURL
	policy := auth.DefaultPolicy()
	srv, err := NewServer(st, policy, cfg, log)
	if err != nil {
		ln.Close()
		return err
	}
	if n, err := srv.Files.MoveFromDisk(ctx, cfg.DataDir, log); err != nil {
		ln.Close()
		return fmt.Errorf("move uploaded files into the database: %w", err)
	} else if n > 0 {
		log.Info("moved uploaded files from disk into the database", "files", n)
	}
	if cfg.Demo {
		accounts, err := demo.Seed(ctx, srv.Auth)
		if err != nil {
			ln.Close()
			return fmt.Errorf("seed demo data: %w", err)
		}
		if accounts != nil {
			demo.Print(env.Stdout, base, accounts)
		}
	}
	log.Info("envhome listening", "url", base, "db", string(st.Dialect()), "version", Version)
	fmt.Fprintf(env.Stdout, "envhome %s listening on %s (log in at %s/login)\n", Version, ln.Addr(), base)

	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Go(func() { prune(bg, st, policy, log) })
	wg.Go(func() { srv.Jobs.Run(bg) })
	wg.Go(func() { srv.Notices.Run(bg) })
	wg.Go(func() { sweep(bg, st, log) })

	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		stopBG()
		wg.Wait()
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("stopping: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 25*time.Second)
	defer cancel()
	err = hs.Shutdown(sctx)
	stopBG()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// displayAddr turns a listen address into one a browser can open.
func displayAddr(a string) string {
	host, port, err := net.SplitHostPort(a)
	if err != nil {
		return a
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

func newLogger(format string, env Env) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(env.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(env.Stderr, nil))
}

// openStore opens and migrates the database, with messages an operator can
// act on.
func openStore(ctx context.Context, dsn string) (*store.Store, error) {
	return openStoreWith(ctx, dsn, store.Options{})
}

// openStoreWith opens and migrates with options (serve claims the SQLite
// file).
func openStoreWith(ctx context.Context, dsn string, opt store.Options) (*store.Store, error) {
	st, err := store.Open(ctx, dsn, opt)
	if err != nil {
		if store.IsPostgres(dsn) {
			return nil, fmt.Errorf("cannot reach PostgreSQL at %s: %w", redact(dsn), err)
		}
		return nil, err
	}
	if _, err := st.Migrate(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return st, nil
}

// redact hides a password in a database URL before it is printed.
func redact(dsn string) string {
	at := strings.LastIndex(dsn, "@")
	scheme := strings.Index(dsn, "://")
	if at < 0 || scheme < 0 {
		return dsn
	}
	creds := dsn[scheme+3 : at]
	if user, _, ok := strings.Cut(creds, ":"); ok {
		return dsn[:scheme+3] + user + ":***" + dsn[at:]
	}
	return dsn
}

// prune removes expired sessions and old login failures every few minutes,
// and keeps the query planner's statistics fresh.
func prune(ctx context.Context, st *store.Store, p auth.Policy, log *slog.Logger) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		if err := st.Prune(ctx, st.Now().Add(-p.ThrottleWindow)); err != nil && ctx.Err() == nil {
			log.Warn("prune", "err", err)
		}
		// PostgreSQL's autovacuum keeps statistics; SQLite asks for it.
		if st.Dialect() == store.SQLite {
			if err := st.Analyze(ctx); err != nil && ctx.Err() == nil {
				log.Warn("analyze", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// sweep makes the day-before reminders, passes on expired waitlist
// offers, counts a new year's town figures (the writes keep them after
// that), escalates overdue rectifications, keeps the
// inspection schedules and moves search to law versions that took effect,
// every minute. Any number of instances may run it:
// each reminder is made once, each offer expires once, figures are
// written whole.
func sweep(ctx context.Context, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		if _, err := st.QueueReminders(ctx); err != nil && ctx.Err() == nil {
			log.Warn("reminders", "err", err)
		}
		if _, err := st.ExpireOffers(ctx); err != nil && ctx.Err() == nil {
			log.Warn("offers", "err", err)
		}
		if err := st.RefreshRegionStats(ctx, false); err != nil && ctx.Err() == nil {
			log.Warn("region stats", "err", err)
		}
		if _, err := st.QueueDutyReminders(ctx); err != nil && ctx.Err() == nil {
			log.Warn("duty reminders", "err", err)
		}
		if _, err := st.EscalateTasks(ctx); err != nil && ctx.Err() == nil {
			log.Warn("task escalation", "err", err)
		}
		if _, err := st.SyncSchedules(ctx); err != nil && ctx.Err() == nil {
			log.Warn("inspection schedules", "err", err)
		}
		if err := st.RefreshCurrentLaws(ctx); err != nil && ctx.Err() == nil {
			log.Warn("law versions in force", "err", err)
		}
		if _, err := st.NoticeExpiringLicences(ctx); err != nil && ctx.Err() == nil {
			log.Warn("provider licences", "err", err)
		}
		if _, err := st.NoticeQuotesOpen(ctx); err != nil && ctx.Err() == nil {
			log.Warn("quotes open", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Server is envhome's HTTP handler (web UI, API, health and metrics) and
// its background job runner, which the caller runs.
type Server struct {
	http.Handler
	Store *store.Store
	Auth  *auth.Service
	Web   *web.Handler
	API   *api.Handler
	Jobs  *jobs.Runner
	// Notices delivers email and webhook copies of notices.
	Notices *notify.Sender
	// Files keeps uploads in the database.
	Files *files.Service
}

// NewServer builds the handler; tests use it without a listener.
func NewServer(st *store.Store, policy auth.Policy, cfg config.Config, log *slog.Logger) (*Server, error) {
	cat, err := i18n.Load()
	if err != nil {
		return nil, err
	}
	svc, err := auth.New(st, policy)
	if err != nil {
		return nil, err
	}
	runner := &jobs.Runner{Store: st, Log: log}
	fs := &files.Service{Store: st}
	imp := &imports.Service{Store: st, Files: fs, I18n: cat, DataDir: cfg.DataDir, Wake: runner.Wake}
	runner.Handlers = map[string]jobs.Handler{imports.Kind: imp.Run}
	hooks := notify.WebhookPolicy{Hosts: cfg.WebhookHosts, HTTP: cfg.WebhookHTTP, Private: cfg.WebhookPrivate}
	if len(hooks.Hosts) == 0 {
		hooks.Hosts = notify.DefaultWebhookHosts
	}
	services := service.New(st, fs, hooks)
	renderer := &notify.Renderer{I18n: cat}
	w, err := web.New(web.Handler{Store: st, Service: services, Auth: svc, I18n: cat, Log: log, Proxies: cfg.TrustedProxies,
		SecureCookies: strings.HasPrefix(cfg.BaseURL, "https://"), BaseURL: cfg.BaseURL, Imports: imp, Notices: renderer})
	if err != nil {
		return nil, err
	}
	a := &api.Handler{Store: st, BaseURL: cfg.BaseURL, Service: services, Auth: svc, I18n: cat, Log: log, Imports: imp, Notices: renderer}
	sender := &notify.Sender{Store: st, Renderer: renderer, Log: log, BaseURL: cfg.BaseURL, Webhooks: hooks,
		SMTP: notify.SMTP{Addr: cfg.SMTPAddr, From: cfg.SMTPFrom, Username: cfg.SMTPUser, Password: cfg.SMTPPassword}}
	if cfg.SMTPAddr != "" {
		w.Mail = sender.Email
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	obs := httpx.NewObserver(log, cfg.TrustedProxies, reg, func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") {
			a.Fail(rw, r, errors.New("panic"))
			return
		}
		w.Fail(rw, r, errors.New("panic"))
	})

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		rw.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		if err := st.Ready(ctx); err != nil {
			log.Warn("not ready", "err", err)
			rw.WriteHeader(http.StatusServiceUnavailable)
			rw.Write([]byte("not ready\n"))
			return
		}
		rw.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	a.Register(mux)
	w.Register(mux)
	return &Server{Handler: obs.Wrap(mux), Store: st, Auth: svc, Web: w, API: a, Jobs: runner, Notices: sender, Files: fs}, nil
}
