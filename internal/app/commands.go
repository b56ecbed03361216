package app

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/cli"
	"github.com/envhome/envhome/internal/config"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

func migrate(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("migrate", "migrate [--db DSN]", env)
	finish := config.Database(fs, env.Getenv)
	if err := cli.Parse(fs, args, env); err != nil {
		return err
	}
	cfg, _ := finish()
	st, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	applied, err := st.Migrate(ctx)
	for _, name := range applied {
		fmt.Fprintln(env.Stdout, "applied", name)
	}
	if err != nil {
		return err
	}
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "database schema is at version %d\n", v)
	return nil
}

func userCmd(ctx context.Context, env Env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		if len(args) > 0 && cli.WantsHelp(args[:1]) {
			fmt.Fprintln(env.Stdout, "Usage: envhome user add --username U --role R --password-stdin [--region CODE] [--enterprise USCC]")
			return nil
		}
		return fmt.Errorf("%w: envhome user add --username U --role R --password-stdin", ErrUsage)
	}
	args = args[1:]
	fs := cli.NewFlags("user add", "user add --username U --role R --password-stdin [--region CODE] [--enterprise USCC] [--name NAME]", env)
	finish := config.Database(fs, env.Getenv)
	username := fs.String("username", "", "login name: lower-case letters, digits, . _ -")
	role := fs.String("role", "", "admin, association, enterprise, lecturer or provider")
	name := fs.String("name", "", "display name")
	region := fs.String("region", "", "division code of the association's region (role association)")
	uscc := fs.String("enterprise", "", "unified social credit code of the enterprise (role enterprise)")
	stdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	if err := cli.Parse(fs, args, env); err != nil {
		return err
	}
	if !*stdin {
		return fmt.Errorf("%w: --password-stdin is required (passwords never go on the command line)", ErrUsage)
	}
	line, err := bufio.NewReader(env.Stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("no password on standard input")
	}
	password := strings.TrimRight(line, "\r\n")
	cfg, _ := finish()
	keys, err := store.ParsePIIKeys(cfg.PIIKeys)
	if err != nil {
		return fmt.Errorf("ENVHOME_PII_KEYS: %w", err)
	}
	st, err := openStoreWith(ctx, cfg.DB, store.Options{PIIKeys: keys})
	if err != nil {
		return err
	}
	defer st.Close()
	svc, err := auth.New(st, auth.DefaultPolicy())
	if err != nil {
		return err
	}
	n := model.NewUser{Username: *username, DisplayName: *name, Role: model.Role(*role), Password: password}
	if n.RegionID, n.EnterpriseID, err = svc.ScopeIDs(ctx, *region, *uscc); err != nil {
		return err
	}
	u, err := svc.CreateUser(ctx, model.SystemActor(), n)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "created %s account %q (id %d)\n", u.Role, u.Username, u.ID)
	return nil
}

// describe turns a validation error into a line for the terminal. Messages
// name i18n keys; the command line speaks English to operators.
func describe(err error) error {
	var e *model.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	var parts []string
	for f, k := range e.Fields {
		parts = append(parts, f+": "+k)
	}
	return fmt.Errorf("%s (%s)", e.Code, strings.Join(parts, ", "))
}

func backup(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("backup", "backup --to FILE [--db PATH]", env)
	finish := config.Database(fs, env.Getenv)
	to := fs.String("to", "", "file to write the copy to (must not exist)")
	if err := cli.Parse(fs, args, env); err != nil {
		return err
	}
	if *to == "" {
		return fmt.Errorf("%w: --to FILE is required", ErrUsage)
	}
	if _, err := os.Stat(*to); err == nil {
		return fmt.Errorf("%s exists; choose a new file", *to)
	}
	cfg, _ := finish()
	if !store.IsPostgres(cfg.DB) {
		if _, err := os.Stat(cfg.DB); err != nil {
			return fmt.Errorf("no database at %s", cfg.DB)
		}
	}
	st, err := store.Open(ctx, cfg.DB, store.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, *to); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	fmt.Fprintf(env.Stdout, "backed up %s to %s\n", cfg.DB, *to)
	return nil
}

func restore(ctx context.Context, env Env, args []string) error {
	fs := cli.NewFlags("restore", "restore --from FILE [--db PATH]", env)
	finish := config.Database(fs, env.Getenv)
	from := fs.String("from", "", "a backup made by envhome backup")
	if err := cli.Parse(fs, args, env); err != nil {
		return err
	}
	if *from == "" {
		return fmt.Errorf("%w: --from FILE is required", ErrUsage)
	}
	cfg, _ := finish()
	if err := store.Restore(ctx, *from, cfg.DB); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	st, err := openStore(ctx, cfg.DB) // migrates a backup from an older version
	if err != nil {
		return err
	}
	st.Close()
	fmt.Fprintf(env.Stdout, "restored %s from %s\n", cfg.DB, *from)
	return nil
}

// piiCmd makes a key for sealing ID numbers, or seals every stored one
// under the first key of ENVHOME_PII_KEYS (after a new key was put first,
// or when keys are set for the first time); it can run beside the server.
func piiCmd(ctx context.Context, env Env, args []string) error {
	sub := ""
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	switch sub {
	case "newkey":
		fs := cli.NewFlags("pii newkey", "pii newkey [--id ID]", env)
		id := fs.String("id", "k"+time.Now().Format("20060102"), "the key's name, stored with every value it seals")
		if err := cli.Parse(fs, args, env); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, store.NewPIIKey(*id))
		fmt.Fprintln(env.Stderr, "Put it first in ENVHOME_PII_KEYS (comma-separated, older keys after it), restart, then run envhome pii rotate. Keep every key as safely as the backups: without it the ID numbers cannot be read.")
		return nil
	case "rotate":
		fs := cli.NewFlags("pii rotate", "pii rotate [--db DSN]", env)
		finish := config.Database(fs, env.Getenv)
		if err := cli.Parse(fs, args, env); err != nil {
			return err
		}
		cfg, _ := finish()
		keys, err := store.ParsePIIKeys(cfg.PIIKeys)
		if err != nil {
			return fmt.Errorf("ENVHOME_PII_KEYS: %w", err)
		}
		if keys == nil {
			return fmt.Errorf("%w: set ENVHOME_PII_KEYS first (envhome pii newkey makes a key)", ErrUsage)
		}
		st, err := openStoreWith(ctx, cfg.DB, store.Options{PIIKeys: keys})
		if err != nil {
			return err
		}
		defer st.Close()
		n, err := st.RotatePII(ctx)
		fmt.Fprintf(env.Stdout, "sealed %d ID numbers under the first key\n", n)
		return err
	default:
		return fmt.Errorf("%w: pii newkey | pii rotate", ErrUsage)
	}
}
