package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFiles embed.FS

// Migration is one embedded schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// Migrations returns the dialect's migrations in order.
func Migrations(d Dialect) ([]Migration, error) {
	dir := "migrations/" + string(d)
	entries, err := fs.ReadDir(migrationFiles, dir)
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a number and _", name)
		}
		b, err := fs.ReadFile(migrationFiles, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: name, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: versions must run 1, 2, 3 … without gaps", m.Name)
		}
	}
	return out, nil
}

// SchemaVersion returns the applied schema version (0 for an empty database).
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	if _, err := s.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`); err != nil {
		return 0, fmt.Errorf("schema_migrations: %w", err)
	}
	var v int
	err := s.w.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	return v, err
}

// LatestVersion is the newest schema version this binary knows.
func (s *Store) LatestVersion() int {
	ms, _ := Migrations(s.dialect)
	return len(ms)
}

// Migrate applies pending migrations, each in its own transaction, and
// refuses a database whose schema is newer than this binary. It returns the
// names of the migrations it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	all, err := Migrations(s.dialect)
	if err != nil {
		return nil, err
	}
	if s.dialect == Postgres {
		// Several instances may start at once: one migrates, the others wait.
		conn, err := s.w.Conn(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Close()
		const lockKey = 7130481 // any constant unique to envhome
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, lockKey); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, lockKey)
	}
	cur, err := s.SchemaVersion(ctx)
	if err != nil {
		return nil, err
	}
	if cur > len(all) {
		return nil, fmt.Errorf("the database schema is version %d but this envhome knows only up to %d: run a newer envhome", cur, len(all))
	}
	var applied []string
	for _, m := range all[cur:] {
		err := s.write(ctx, func(tx *Tx) error {
			if _, err := tx.tx.ExecContext(ctx, m.SQL); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
				m.Version, m.Name, ms(s.Now()))
			return err
		})
		if err != nil {
			return applied, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	return applied, nil
}

// Ready reports whether the database answers and its schema is current,
// reading only (for /readyz).
func (s *Store) Ready(ctx context.Context) error {
	var v int
	if err := s.queryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return fmt.Errorf("database not ready: %w", err)
	}
	if v != s.LatestVersion() {
		return fmt.Errorf("database schema is version %d, want %d", v, s.LatestVersion())
	}
	return nil
}

// Backup writes a consistent copy of a live SQLite database to path, which
// must not exist. PostgreSQL is backed up with pg_dump (see the README).
func (s *Store) Backup(ctx context.Context, path string) error {
	if s.dialect != SQLite {
		return fmt.Errorf("backup works on SQLite; back up PostgreSQL with pg_dump (see the README)")
	}
	// VACUUM INTO reads one snapshot, so writers may keep going meanwhile.
	_, err := s.w.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// Restore puts a backup made by Backup in place of the SQLite database at
// path: the backup is checked first (SQLite's integrity check, a schema
// this binary knows), copied beside the target and renamed over it, so a
// failure leaves the old database as it was. A database that a server
// holds is refused: stop it first. The caller migrates afterwards.
func Restore(ctx context.Context, from, path string) error {
	if IsPostgres(path) {
		return fmt.Errorf("restore works on SQLite; restore PostgreSQL with pg_restore (see the README)")
	}
	if _, err := os.Stat(from); err != nil {
		return fmt.Errorf("no backup at %s", from)
	}
	if err := checkSQLiteFile(from); err != nil {
		return err
	}
	// The backup is read, never written (not even its journal mode).
	b, err := sql.Open("sqlite", "file:"+(&url.URL{Path: from}).EscapedPath()+"?mode=ro")
	if err != nil {
		return err
	}
	var check string
	var v int
	err = b.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check)
	verr := b.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	b.Close()
	ms, _ := Migrations(SQLite)
	latest := len(ms)
	switch {
	case err != nil:
		return fmt.Errorf("backup %s: %w", from, err)
	case check != "ok":
		return fmt.Errorf("backup %s is damaged: %s", from, check)
	case verr != nil || v == 0:
		return fmt.Errorf("backup %s holds no envhome database", from)
	case v > latest:
		return fmt.Errorf("backup %s is from a newer envhome (schema %d, this one knows %d)", from, v, latest)
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
	}
	owner, err := claimOwner(path)
	if err != nil {
		return err
	}
	defer func() {
		if owner != nil {
			owner.Close()
		}
	}()
	tmp := path + ".restoring"
	if err := copyFile(from, tmp); err != nil {
		os.Remove(tmp)
		return err
	}
	for _, side := range []string{"-wal", "-shm"} {
		if err := os.Remove(path + side); err != nil && !os.IsNotExist(err) {
			os.Remove(tmp)
			return err
		}
	}
	return os.Rename(tmp, path)
}

// copyFile copies src to dst and syncs it to disk.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o640)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
