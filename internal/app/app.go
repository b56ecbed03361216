// Package app wires envhome together: configuration, database, migrations,
// the web UI and API, background work and a graceful stop. Run takes its
// whole environment as arguments so that a test can start the real server.
package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/bench"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/config"
	"github.com/envhome/envhome/internal/store"
)

// Version is set at build time with -ldflags "-X …/app.Version=v1.2.3".
var Version = "dev"

// ErrUsage marks a command-line mistake (exit code 2).
var ErrUsage = cli.ErrUsage

// ExitCode maps Run's error to a process exit code.
func ExitCode(err error) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, ErrUsage):
		return 2
	default:
		return 1
	}
}

// Env is what a command may touch of the outside world.
type Env = cli.Env

type command struct {
	name, summary string
	run           func(ctx context.Context, env Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "run the web server (the default)", serve},
		{"migrate", "apply database migrations and exit", migrate},
		{"user", "manage accounts: user add", userCmd},
		{"backup", "copy a live SQLite database to a file", backup},
		{"restore", "put a backup in place of a SQLite database (server stopped)", restore},
		{"pii", "personal information at rest: pii newkey | pii rotate", piiCmd},
		{"generate", "add a synthetic province-scale dataset (for benchmarks)", benchCommand(bench.Generate)},
		{"bench", "measure: bench me | import | list | rush (see envhome bench --help)", benchCommand(bench.Run)},
		{"version", "print the version", version},
	}
}

// Run runs the envhome command line. args excludes the program name; with
// no command, or only flags, it serves.
func Run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	env := Env{Getenv: getenv, Stdin: stdin, Stdout: stdout, Stderr: stderr}
	name := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		name, args = args[0], args[1:]
	} else if cli.WantsHelp(args) {
		// Bare `envhome --help`: the commands, then the server's flags.
		usage(stdout)
		fmt.Fprintln(stdout)
	}
	if name == "help" {
		usage(stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env, args)
		}
	}
	usage(stderr)
	return fmt.Errorf("%w: unknown command %q", ErrUsage, name)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "envhome — the platform of a county's Homes for Environmental Managers")
	fmt.Fprintln(w, "\nUsage: envhome [command] [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'envhome COMMAND --help' for a command's flags.")
}

func version(_ context.Context, env Env, args []string) error {
	fs := cli.NewFlags("version", "version", env)
	if err := cli.Parse(fs, args, env); err != nil {
		return err
	}
	fmt.Fprintln(env.Stdout, "envhome", Version)
	return nil
}

// benchCommand hands a load tool the server's own wiring.
func benchCommand(run func(context.Context, bench.Env, []string) error) func(context.Context, Env, []string) error {
	return func(ctx context.Context, env Env, args []string) error {
		// The tools seal ID numbers as the server would, when keys are set.
		keys, err := store.ParsePIIKeys(env.Getenv("ENVHOME_PII_KEYS"))
		if err != nil {
			return fmt.Errorf("ENVHOME_PII_KEYS: %w", err)
		}
		openStore := func(ctx context.Context, dsn string) (*store.Store, error) {
			return openStoreWith(ctx, dsn, store.Options{PIIKeys: keys})
		}
		return run(ctx, bench.Env{Env: env, OpenStore: openStore,
			NewServer: func(st *store.Store, p auth.Policy, dataDir string, log *slog.Logger) (*bench.Server, error) {
				srv, err := NewServer(st, p, config.Config{DataDir: dataDir}, log)
				if err != nil {
					return nil, err
				}
				return &bench.Server{Handler: srv, Auth: srv.Auth}, nil
			}}, args)
	}
}
