package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// TestRankingAgreesWithTheRule: on a generated market, the SQL ranking of
// providers for a demand, and of demands for a provider, give exactly the
// best of what model.MatchDemand gives when it scores every candidate —
// same order, same scores — for each category, on both databases.
func TestRankingAgreesWithTheRule(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.New(t, d, store.Options{})
			defer store.SetRankPage(64)() // many pages: the early stop is what is tested
			sys := model.SystemActor()
			county, err := st.CreateRegion(ctx, sys, model.Region{Code: "330481", Name: "海宁市"})
			if err != nil {
				t.Fatal(err)
			}
			var towns []int64
			for i := 0; i < 3; i++ {
				id, err := st.CreateRegion(ctx, sys, model.Region{Code: fmt.Sprintf("33048100%d", i+1), Name: fmt.Sprintf("镇%d", i), ParentID: &county})
				if err != nil {
					t.Fatal(err)
				}
				towns = append(towns, id)
			}
			uscc, _ := model.BuildUSCC("91330481", "MA2R0K01")
			e, err := st.CreateEnterprise(ctx, sys, model.Enterprise{USCC: uscc, Name: "企业", RegionID: towns[1], Kind: model.KindCompany, IndustryCode: "C3985"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.GenerateProviders(ctx, 1500, towns, 42); err != nil {
				t.Fatal(err)
			}
			if _, err := st.GenerateDemands(ctx, 1500, 240, 43); err != nil {
				t.Fatal(err)
			}
			admin := model.Actor{User: &model.User{ID: 1, Role: model.RoleAdmin}}
			owner := model.Actor{User: &model.User{ID: 2, Role: model.RoleEnterprise, EnterpriseID: &e.ID}}
			for _, c := range []struct {
				category string
				pols     []string
			}{{"waste_gas", []string{"vocs", "particulates"}}, {"wastewater", []string{"cod"}}, {"solid_waste", []string{"hazardous_waste"}},
				{"monitoring", nil}, {"soil", nil}} {
				dm, err := st.PostDemand(ctx, owner, model.DemandInput{Title: "需求", Category: c.category, Pollutants: c.pols, Description: "比较",
					QuoteDeadline: st.Now().Add(48 * time.Hour)})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := st.ReviewDemand(ctx, admin, dm.ID, model.DemandReview{Decision: "publish"}); err != nil {
					t.Fatal(err)
				}
				all, ranked, err := st.AllMatches(ctx, dm.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(all) == 0 {
					t.Fatalf("%s: no candidates", c.category)
				}
				want := all[:min(20, len(all))]
				if len(ranked) != len(want) {
					t.Fatalf("%s: %d ranked, want %d", c.category, len(ranked), len(want))
				}
				for i := range want {
					if ranked[i].ProviderID != want[i].ProviderID || ranked[i].Score != want[i].Score {
						t.Errorf("%s #%d: SQL %d (%d), rule %d (%d)", c.category, i, ranked[i].ProviderID, ranked[i].Score, want[i].ProviderID, want[i].Score)
					}
				}
			}
			// A provider's market: the SQL's best against the rule over
			// every open demand.
			ids, err := st.ProvidersServing(ctx, "waste_gas", 5)
			if err != nil || len(ids) == 0 {
				t.Fatal(err)
			}
			for _, pid := range ids {
				pa := model.Actor{User: &model.User{ID: 3, Role: model.RoleProvider, ProviderID: &pid}}
				got, err := st.DemandsFitting(ctx, pa, 30)
				if err != nil {
					t.Fatal(err)
				}
				want, err := st.AllFits(ctx, pid)
				if err != nil {
					t.Fatal(err)
				}
				want = want[:min(30, len(want))]
				if len(got) != len(want) {
					t.Fatalf("provider %d: %d fits, want %d", pid, len(got), len(want))
				}
				for i := range want {
					if got[i].ID != want[i].ProviderID || got[i].Fit.Score != want[i].Score {
						t.Errorf("provider %d #%d: SQL demand %d (%d), rule %d (%d)", pid, i, got[i].ID, got[i].Fit.Score, want[i].ProviderID, want[i].Score)
					}
				}
			}
		})
	}
}
