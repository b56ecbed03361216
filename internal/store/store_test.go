package store_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

var ctx = context.Background()

// TestMigrationsMatch keeps one migration file per dialect with the same name.
func TestMigrationsMatch(t *testing.T) {
	sq, err := store.Migrations(store.SQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := store.Migrations(store.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(sq) == 0 || len(sq) != len(pg) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(sq), len(pg))
	}
	for i := range sq {
		if sq[i].Name != pg[i].Name {
			t.Errorf("migration %d: %s vs %s", i+1, sq[i].Name, pg[i].Name)
		}
	}
	entries, _ := os.ReadDir("migrations")
	for _, e := range entries {
		if e.Name() != "sqlite" && e.Name() != "postgres" {
			t.Errorf("unexpected migrations folder %s", e.Name())
		}
	}
}

func TestMigrateIsIdempotentAndRefusesNewer(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			dsn := storetest.DSN(t, d)
			s, err := store.Open(ctx, dsn, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := s.Ready(ctx); err == nil {
				t.Error("an empty database is ready")
			}
			applied, err := s.Migrate(ctx)
			if err != nil || len(applied) != s.LatestVersion() {
				t.Fatalf("first migrate: %v %v", applied, err)
			}
			if err := s.Ready(ctx); err != nil {
				t.Errorf("not ready after migrate: %v", err)
			}
			if applied, err := s.Migrate(ctx); err != nil || len(applied) != 0 {
				t.Fatalf("second migrate: %v %v", applied, err)
			}
			// A newer envhome has been here.
			if _, err := s.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, 999, "9999_future.sql", 0); err != nil {
				t.Fatal(err)
			}
			_, err = s.Migrate(ctx)
			if err == nil || !strings.Contains(err.Error(), "newer envhome") {
				t.Errorf("newer database: %v", err)
			}
		})
	}
}

func TestOpenRefusesNonSQLiteFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "notes.db")
	os.WriteFile(p, []byte("these are my notes, not a database at all"), 0o600)
	_, err := store.Open(ctx, p, store.Options{})
	if err == nil || !strings.Contains(err.Error(), "not a SQLite database") {
		t.Fatalf("err = %v", err)
	}
	b, _ := os.ReadFile(p)
	if string(b) != "these are my notes, not a database at all" {
		t.Error("the file was changed")
	}
}

func TestOpenPostgresDown(t *testing.T) {
	start := time.Now()
	_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/none?sslmode=disable&connect_timeout=2", store.Options{})
	if err == nil || !strings.Contains(err.Error(), "database unreachable") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 15*time.Second {
		t.Errorf("took %v to give up", time.Since(start))
	}
}

func TestAuditLogIsAppendOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		if _, err := s.CreateRegion(ctx, model.SystemActor(), model.Region{Code: "330481", Name: "海宁市"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Exec(ctx, `UPDATE audit_log SET actor_name = 'mallory'`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("update: %v", err)
		}
		if _, err := s.Exec(ctx, `DELETE FROM audit_log`); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("delete: %v", err)
		}
		l, err := s.ListAudit(ctx, model.AuditFilter{Page: model.Page{Limit: 10}})
		if err != nil || len(l.Items) != 1 || l.Items[0].ActorName != "system" || l.Items[0].Action != "region.create" {
			t.Errorf("audit: %+v %v", l.Items, err)
		}
	})
}

func TestUsersAndScope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := model.SystemActor()
		region, _ := s.CreateRegion(ctx, a, model.Region{Code: "330481", Name: "海宁市"})
		_, err := s.CreateUser(ctx, a, model.NewUser{Username: "x", Role: model.RoleAssociation, RegionID: ptr(int64(99))}, "h")
		if !model.IsCode(err, model.ErrInvalid) {
			t.Errorf("unknown region: %v", err)
		}
		u, err := s.CreateUser(ctx, a, model.NewUser{Username: "haichang", Role: model.RoleAssociation, RegionID: &region}, "h")
		if err != nil {
			t.Fatal(err)
		}
		if u.RegionID == nil || *u.RegionID != region || u.CreatedAt.IsZero() {
			t.Errorf("user: %+v", u)
		}
		if _, err := s.CreateUser(ctx, a, model.NewUser{Username: "haichang", Role: model.RoleLecturer}, "h"); !model.IsCode(err, model.ErrConflict) {
			t.Errorf("duplicate: %v", err)
		}
		if _, err := s.User(ctx, 12345); !model.IsCode(err, model.ErrNotFound) {
			t.Errorf("missing user: %v", err)
		}
		got, err := s.UserByUsername(ctx, "haichang")
		if err != nil || got.ID != u.ID {
			t.Errorf("by username: %v %v", got, err)
		}
	})
}

func TestSessionsExpire(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
			s := storetest.New(t, d, store.Options{Now: func() time.Time { return now }})
			u, err := s.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: "lect", Role: model.RoleLecturer}, "h")
			if err != nil {
				t.Fatal(err)
			}
			secret, err := s.CreateSession(ctx, model.Actor{User: u, Addr: "10.0.0.1"}, u.ID, 24*time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			idle := 2 * time.Hour
			check := func(want bool) {
				t.Helper()
				_, _, err := s.SessionUser(ctx, secret, idle)
				if (err == nil) != want {
					t.Errorf("at %v: valid=%v, err=%v", now, err == nil, err)
				}
			}
			check(true)
			for range 14 { // use it every 110 minutes: idle never reached …
				now = now.Add(110 * time.Minute)
				if now.Before(time.Date(2026, 5, 2, 8, 0, 0, 0, time.UTC)) {
					check(true)
				}
			}
			check(false) // … but the absolute expiry is
			secret2, _ := s.CreateSession(ctx, model.Actor{User: u}, u.ID, 24*time.Hour)
			now = now.Add(idle + time.Minute)
			if _, _, err := s.SessionUser(ctx, secret2, idle); err == nil {
				t.Error("idle session still valid")
			}
			if _, _, err := s.SessionUser(ctx, "ehs_forged", idle); !model.IsCode(err, model.ErrUnauthenticated) {
				t.Errorf("forged: %v", err)
			}
		})
	}
}

func TestPruneAndSecretsStoredHashed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		u, _ := s.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: "p", Role: model.RoleProvider}, "h")
		sess, _ := s.CreateSession(ctx, model.Actor{User: u}, u.ID, time.Hour)
		_, tok, _ := s.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: "n", ExpiresIn: 1})
		var n int
		s.QueryRow(ctx, `SELECT COUNT(*) FROM sessions WHERE secret_hash = ?`, sess).Scan(&n)
		var m int
		s.QueryRow(ctx, `SELECT COUNT(*) FROM api_tokens WHERE secret_hash = ?`, tok).Scan(&m)
		if n+m != 0 {
			t.Error("a secret is stored in the clear")
		}
		if err := s.Prune(ctx, s.Now()); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.SessionUser(ctx, sess, time.Hour); err != nil {
			t.Errorf("prune removed a live session: %v", err)
		}
	})
}

func TestBackup(t *testing.T) {
	dir := t.TempDir()
	s := storetest.New(t, store.SQLite, store.Options{})
	if _, err := s.CreateRegion(ctx, model.SystemActor(), model.Region{Code: "330481", Name: "海宁市"}); err != nil {
		t.Fatal(err)
	}
	to := filepath.Join(dir, "copy.db")
	if err := s.Backup(ctx, to); err != nil {
		t.Fatal(err)
	}
	c, err := store.Open(ctx, to, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if id, err := c.RegionIDByCode(ctx, "330481"); err != nil || id == 0 {
		t.Errorf("copy: %d %v", id, err)
	}
	if err := s.Backup(ctx, to); err == nil {
		t.Error("backup overwrote an existing file")
	}
}

func TestRebind(t *testing.T) {
	if got := store.Postgres.Rebind(`SELECT a FROM t WHERE a = ? AND b IN (?, ?)`); got != `SELECT a FROM t WHERE a = $1 AND b IN ($2, $3)` {
		t.Error(got)
	}
	if got := store.SQLite.Rebind(`a = ?`); got != `a = ?` {
		t.Error(got)
	}
}

func ptr[T any](v T) *T { return &v }

// TestTokenLookupsFollowWrites checks that a token answer never outlives a
// write that changes it, although lookups are cached on SQLite.
func TestTokenLookupsFollowWrites(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
			s := storetest.New(t, d, store.Options{Now: func() time.Time { return now }})
			u, _ := s.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: "p", Role: model.RoleProvider}, "h")
			a := model.Actor{User: u}
			newToken := func(days int) (int64, string) {
				tok, secret, err := s.CreateToken(ctx, a, u.ID, model.NewToken{Name: "n", ExpiresIn: days})
				if err != nil {
					t.Fatal(err)
				}
				return tok.ID, secret
			}
			valid := func(secret string) bool {
				_, _, err := s.TokenUser(ctx, secret)
				return err == nil
			}
			id1, s1 := newToken(1)
			_, s2 := newToken(30)
			for range 3 {
				if !valid(s1) || !valid(s2) {
					t.Fatal("fresh tokens refused")
				}
			}
			if err := s.RevokeToken(ctx, a, u.ID, id1); err != nil {
				t.Fatal(err)
			}
			if valid(s1) || !valid(s2) {
				t.Error("revocation not seen at once")
			}
			name := "新名字"
			s.UpdateUser(ctx, a, u.ID, model.UserUpdate{DisplayName: &name}, "")
			if got, _, _ := s.TokenUser(ctx, s2); got == nil || got.DisplayName != name {
				t.Errorf("stale account after an update: %+v", got)
			}
			now = now.Add(31 * 24 * time.Hour)
			if valid(s2) {
				t.Error("expired token accepted")
			}
			now = now.Add(-31 * 24 * time.Hour)
			off := true
			s.UpdateUser(ctx, model.SystemActor(), u.ID, model.UserUpdate{Disabled: &off}, "")
			if valid(s2) {
				t.Error("disabled account's token accepted")
			}
		})
	}
}

// TestKeptStatementsDoNotGrowWithWrites: statements with ids written in
// (the towns' figures' touches, the search index) are not kept prepared,
// so a running server's cache stops growing once its own texts are in.
func TestKeptStatementsDoNotGrowWithWrites(t *testing.T) {
	s := storetest.New(t, store.SQLite, store.Options{})
	regions, err := demo.EnsureRegions(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	create := func(from, to int) {
		for i := from; i < to; i++ {
			code, _ := model.BuildUSCC("91330481", fmt.Sprintf("MA2K%04d", i))
			if _, err := s.CreateEnterprise(ctx, model.SystemActor(), model.Enterprise{USCC: code, Name: fmt.Sprint("缓存公司", i),
				RegionID: regions[0], Kind: model.KindCompany, Status: model.StatusActive}); err != nil {
				t.Fatal(err)
			}
		}
	}
	create(0, 20)
	after20 := s.KeptStatements()
	create(20, 120)
	if n := s.KeptStatements(); n > after20 || n == 0 {
		t.Errorf("kept statements: %d after 20 creates, %d after 120", after20, n)
	}
}

// TestLogCopiedBackBesideTheWriter: on SQLite the write-ahead log is copied
// back into the file by a connection of its own, not by the commits (a
// short log is in the file within a tick, the writer doing nothing), and
// writes that never pause still start it over once it is as long as the
// store was told (Options.LogPages).
func TestLogCopiedBackBesideTheWriter(t *testing.T) {
	row := strings.Repeat("x", 40<<10)
	open := func(t *testing.T) (*store.Store, string) {
		dsn := storetest.DSN(t, store.SQLite)
		s, err := store.Open(ctx, dsn, store.Options{LogPages: 1000})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if _, err := s.Exec(ctx, `CREATE TABLE ck (b TEXT)`); err != nil {
			t.Fatal(err)
		}
		return s, dsn
	}
	size := func(path string) int64 {
		fi, err := os.Stat(path)
		if err != nil {
			return 0
		}
		return fi.Size()
	}
	t.Run("copied beside the writer", func(t *testing.T) {
		s, dsn := open(t)
		// 20 rows, 200 pages: far from the writer's own checkpoint at 1,000.
		for i := range 20 {
			if _, err := s.Exec(ctx, `INSERT INTO ck (b) VALUES (?)`, fmt.Sprint(i, row)); err != nil {
				t.Fatal(err)
			}
		}
		deadline := time.Now().Add(2 * time.Second)
		for size(dsn) < 20*40<<10 {
			if time.Now().After(deadline) {
				t.Fatalf("the file holds %d bytes 2 s after 800 KiB were written: the log was not copied back", size(dsn))
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
	t.Run("a long log starts over", func(t *testing.T) {
		s, dsn := open(t)
		// About 64 MiB in 1,600 commits without a pause: with no
		// checkpoint the log ends that big; the writer's own, at 1,000
		// pages (4 MiB), bounds it.
		peak := int64(0)
		for i := range 1600 {
			if _, err := s.Exec(ctx, `INSERT INTO ck (b) VALUES (?)`, fmt.Sprint(i, row)); err != nil {
				t.Fatal(err)
			}
			peak = max(peak, size(dsn+"-wal"))
		}
		// Past the bound the writer's checkpoint may find the
		// checkpointer's under way and try again at the next commit: the
		// log has reached 9.7 MiB in 30 runs, never 16.
		if peak == 0 || peak > 16<<20 {
			t.Errorf("the log grew to %d bytes for 64 MiB written; it starts over soon past 1,000 pages (4 MiB)", peak)
		}
		var n int
		if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM ck`).Scan(&n); err != nil || n != 1600 {
			t.Errorf("%d rows, %v", n, err)
		}
	})
}

// A serving process opens its read pool at start and keeps it: the first
// requests of a rush find their connections open.
func TestWarmOpensTheReadPool(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			s := storetest.New(t, d, store.Options{MaxConns: 5})
			if err := s.Warm(ctx); err != nil {
				t.Fatal(err)
			}
			st := s.ReadPool()
			if st.OpenConnections != st.MaxOpenConnections || st.Idle != st.MaxOpenConnections {
				t.Fatalf("after Warm: %d open, %d idle of %d", st.OpenConnections, st.Idle, st.MaxOpenConnections)
			}
			// A read now takes a kept connection instead of opening one.
			var n int
			if err := s.QueryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if after := s.ReadPool(); after.OpenConnections != st.OpenConnections {
				t.Errorf("a read opened a connection: %d open, %d before", after.OpenConnections, st.OpenConnections)
			}
		})
	}
}
