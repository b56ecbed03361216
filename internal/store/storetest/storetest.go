// Package storetest gives tests a fresh, migrated store on SQLite and, when
// ENVHOME_TEST_POSTGRES holds a connection URL, on PostgreSQL too: each test
// gets a database of its own that is dropped when it ends.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/store"
)

// PostgresEnv names the variable that holds the test server's URL.
const PostgresEnv = "ENVHOME_TEST_POSTGRES"

// Dialects lists the databases tests run on here.
func Dialects() []store.Dialect {
	if os.Getenv(PostgresEnv) != "" {
		return []store.Dialect{store.SQLite, store.Postgres}
	}
	return []store.Dialect{store.SQLite}
}

// Each runs fn as a subtest on every configured database.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, d := range Dialects() {
		t.Run(string(d), func(t *testing.T) {
			fn(t, New(t, d, store.Options{}))
		})
	}
}

// New opens a fresh migrated store of dialect d, closed when t ends.
func New(t testing.TB, d store.Dialect, opt store.Options) *store.Store {
	t.Helper()
	dsn := DSN(t, d)
	s, err := store.Open(context.Background(), dsn, opt)
	if err != nil {
		t.Fatalf("open %s: %v", d, err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate %s: %v", d, err)
	}
	// The towns' figures are counted from the start, so every write of
	// every test keeps them, and they must equal a recount when the test
	// ends (cleanups run last first: this one before the store closes).
	if err := s.RefreshRegionStats(context.Background(), false); err != nil {
		t.Fatalf("count town figures %s: %v", d, err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		drift, err := s.SummaryDrift(context.Background())
		if err != nil && !strings.Contains(err.Error(), "database is closed") { // a test that closed it on purpose
			t.Errorf("summary drift %s: %v", d, err)
		}
		for _, line := range drift {
			t.Errorf("summary drift %s: %s", d, line)
		}
	})
	return s
}

// DSN returns the address of a fresh empty database of dialect d.
func DSN(t testing.TB, d store.Dialect) string {
	t.Helper()
	if d == store.SQLite {
		return filepath.Join(t.TempDir(), "envhome.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Fatalf("%s is not set", PostgresEnv)
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer admin.Close()
	b := make([]byte, 6)
	rand.Read(b)
	name := "envhome_test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatalf("postgres: create database: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("postgres: %v", err)
			return
		}
		defer db.Close()
		if _, err := db.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`); err != nil {
			t.Errorf("postgres: drop database %s: %v", name, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", PostgresEnv, err)
	}
	u.Path = "/" + name
	return u.String()
}
