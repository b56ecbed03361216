package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// TestTokenRevokedOnOneInstanceRefusedOnAnother (issue 14, item 2): two
// processes on one PostgreSQL database each cache bearer-token lookups;
// a token revoked, or an account disabled, on one is refused by the other
// within a second (a cached entry would otherwise live a minute).
func TestTokenRevokedOnOneInstanceRefusedOnAnother(t *testing.T) {
	if !slices.Contains(storetest.Dialects(), store.Postgres) {
		t.Skip("needs " + storetest.PostgresEnv + " (CI sets it)")
	}
	dsn := storetest.DSN(t, store.Postgres)
	var a, b *store.Store
	for i, p := range []**store.Store{&a, &b} {
		s, err := store.Open(ctx, dsn, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		if i == 0 {
			if _, err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
		}
		*p = s
	}
	deadline := time.Now().Add(5 * time.Second)
	for !a.TokenCacheOn() || !b.TokenCacheOn() {
		if time.Now().After(deadline) {
			t.Fatal("the token caches never started listening")
		}
		time.Sleep(10 * time.Millisecond)
	}
	sys := model.SystemActor()
	newToken := func(u *model.User) (*model.Token, string) {
		tk, secret, err := a.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: "api", ExpiresIn: 30})
		if err != nil {
			t.Fatal(err)
		}
		// B looks it up (and caches it) a few times.
		for range 3 {
			if _, _, err := b.TokenUser(ctx, secret); err != nil {
				t.Fatalf("instance B refuses a live token: %v", err)
			}
		}
		return tk, secret
	}
	refusedWithin := func(what, secret string) {
		t.Helper()
		start := time.Now()
		for {
			if _, _, err := b.TokenUser(ctx, secret); err != nil {
				t.Logf("%s on A: refused on B after %s", what, time.Since(start).Round(time.Microsecond))
				return
			}
			if time.Since(start) > time.Second {
				t.Fatalf("%s on A: B still accepts the token after a second", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	u, err := a.CreateUser(ctx, sys, model.NewUser{Username: "api-user", Role: model.RoleAdmin}, "!")
	if err != nil {
		t.Fatal(err)
	}
	tk, secret := newToken(u)
	if err := a.RevokeToken(ctx, model.Actor{User: u}, u.ID, tk.ID); err != nil {
		t.Fatal(err)
	}
	refusedWithin("revoked", secret)

	_, secret = newToken(u)
	off := true
	if _, err := a.UpdateUser(ctx, sys, u.ID, model.UserUpdate{Disabled: &off}, ""); err != nil {
		t.Fatal(err)
	}
	refusedWithin("account disabled", secret)
}

// TestTokenLastUseWrittenSoon (issue 14, item 2): a token's first use no
// longer writes in the request; its last-use time is written with others
// within a second or two, on both databases.
func TestTokenLastUseWrittenSoon(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		u, err := st.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: "lastuse", Password: "a long password 1", Role: model.RoleAdmin}, "x")
		if err != nil {
			t.Fatal(err)
		}
		var secrets []string
		for i := range 3 {
			_, secret, err := st.CreateToken(ctx, model.Actor{User: u}, u.ID, model.NewToken{Name: fmt.Sprint("t", i), ExpiresIn: 30})
			if err != nil {
				t.Fatal(err)
			}
			secrets = append(secrets, secret)
		}
		for _, secret := range secrets[:2] {
			if _, tk, err := st.TokenUser(ctx, secret); err != nil || tk.LastUsedAt == nil {
				t.Fatalf("lookup: %v %+v", err, tk)
			}
		}
		deadline := time.Now().Add(10 * time.Second)
		for {
			l, err := st.ListTokens(ctx, u.ID, model.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			used := 0
			for _, tk := range l.Items {
				if tk.LastUsedAt != nil {
					used++
				}
			}
			if used == 2 {
				break
			}
			if used > 2 || time.Now().After(deadline) {
				t.Fatalf("%d of 3 tokens show a last use, want the 2 used", used)
			}
			time.Sleep(100 * time.Millisecond)
		}
	})
}
