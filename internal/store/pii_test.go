package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// TestIDNumbersSealedAndRotated: with keys set, an ID number is stored
// only sealed and still matches a person; values stored in clear before,
// and values under an older key, are sealed under the new first key by a
// rotation; a key that is not configured opens nothing; mobiles stay
// searchable in clear.
func TestIDNumbersSealedAndRotated(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, d)
			open := func(spec string) *store.Store {
				t.Helper()
				keys, err := store.ParsePIIKeys(spec)
				if err != nil {
					t.Fatal(err)
				}
				s, err := store.Open(ctx, dsn, store.Options{PIIKeys: keys})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { s.Close() })
				if _, err := s.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
				return s
			}
			k1, k2 := store.NewPIIKey("k1"), store.NewPIIKey("k2")
			sys := model.SystemActor()
			raw := func(s *store.Store, mobile string) string {
				t.Helper()
				var v string
				if err := s.QueryRow(ctx, `SELECT id_card FROM people WHERE mobile = ?`, mobile).Scan(&v); err != nil {
					t.Fatal(err)
				}
				return v
			}

			clear := open("")
			region, err := clear.CreateRegion(ctx, sys, model.Region{Code: "330481", Name: "海宁市"})
			if err != nil {
				t.Fatal(err)
			}
			ent := func(s *store.Store, code string) int64 {
				uscc, _ := model.BuildUSCC("91330481", code)
				e, err := s.CreateEnterprise(ctx, sys, model.Enterprise{USCC: uscc, Name: "企业" + code, RegionID: region, Kind: model.KindCompany, PermitClass: model.PermitSimplified, IndustryCode: "C3985"})
				if err != nil {
					t.Fatal(err)
				}
				return e.ID
			}
			e1 := ent(clear, "MA2B0CA1")
			if _, err := clear.CreateManager(ctx, sys, e1, model.Manager{Name: "李四", Mobile: "13900000001", IDCard: "11010519491231002X"}); err != nil {
				t.Fatal(err)
			}
			if raw(clear, "13900000001") != "11010519491231002X" {
				t.Fatal("without keys the value is kept as it is")
			}

			s1 := open(k1)
			e2 := ent(s1, "MA2B0CA2")
			m, err := s1.CreateManager(ctx, sys, e2, model.Manager{Name: "王五", Mobile: "13900000002", IDCard: "33048119800101001X"})
			if err != nil {
				t.Fatal(err)
			}
			if v := raw(s1, "13900000002"); !strings.HasPrefix(v, "pii1:k1:") || strings.Contains(v, "330481") {
				t.Fatalf("stored as %q", v)
			}
			if m.IDCard != model.MaskIDCard("33048119800101001X") {
				t.Errorf("read back as %q", m.IDCard)
			}
			// The sealed number still identifies the person: another ID
			// for the same mobile is refused, the same one accepted.
			_, err = s1.CreateManager(ctx, sys, e1, model.Manager{Name: "王五", Mobile: "13900000002", IDCard: "11010519491231002X"})
			if !model.IsCode(err, model.ErrInvalid) {
				t.Errorf("another ID number for the person: %v", err)
			}
			if _, err := s1.CreateManager(ctx, sys, e1, model.Manager{Name: "王五", Mobile: "13900000002", IDCard: "33048119800101001X"}); err != nil {
				t.Errorf("the same ID number: %v", err)
			}
			// The mobile stays in clear: people are found by it (raw above
			// looks them up by it).

			// An authenticator secret is sealed the same way.
			u, err := s1.CreateUser(ctx, sys, model.NewUser{Username: "totp-user", Role: model.RoleLecturer, Password: "meadow lantern 42"}, "hash")
			if err != nil {
				t.Fatal(err)
			}
			secret := model.NewTOTPSecret()
			if err := s1.StartTOTP(ctx, model.Actor{User: u}, secret); err != nil {
				t.Fatal(err)
			}
			var rawSecret string
			s1.QueryRow(ctx, `SELECT totp_secret FROM users WHERE id = ?`, u.ID).Scan(&rawSecret)
			if !strings.HasPrefix(rawSecret, "pii1:k1:") || strings.Contains(rawSecret, secret) {
				t.Errorf("authenticator secret stored as %q", rawSecret)
			}
			if got, _ := s1.User(ctx, u.ID); got == nil || got.TOTPSecret != secret {
				t.Errorf("authenticator secret read back as %+v", got)
			}

			if n, err := s1.RotatePII(ctx); err != nil || n != 1 {
				t.Fatalf("first rotation: %d %v (the one in clear)", n, err)
			}
			s2 := open(k2 + "," + k1)
			if n, err := s2.RotatePII(ctx); err != nil || n != 3 {
				t.Fatalf("rotation to k2: %d %v (two ID numbers, one secret)", n, err)
			}
			if n, _ := s2.RotatePII(ctx); n != 0 {
				t.Errorf("a second rotation rewrote %d", n)
			}
			only2 := open(k2)
			for _, mobile := range []string{"13900000001", "13900000002"} {
				if v := raw(only2, mobile); !strings.HasPrefix(v, "pii1:k2:") {
					t.Errorf("%s after rotation: %q", mobile, v)
				}
			}
			if got, err := only2.User(ctx, u.ID); err != nil || got.TOTPSecret != secret {
				t.Errorf("the secret with the new key only: %v", err)
			}
			ms, err := only2.Managers(ctx, sys, e1)
			if err != nil || len(ms) != 2 || ms[0].IDCard != model.MaskIDCard("11010519491231002X") {
				t.Errorf("read with the new key only: %v %+v", err, ms)
			}
			if _, err := open(k1).Managers(ctx, sys, e1); err == nil || !strings.Contains(err.Error(), "not configured") {
				t.Errorf("read with a retired key: %v", err)
			}
			if _, err := clear.RotatePII(ctx); err == nil {
				t.Error("a rotation without keys")
			}
		})
	}
}
