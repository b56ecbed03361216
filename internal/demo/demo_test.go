package demo_test

import (
	"context"
	"testing"

	"github.com/envhome/envhome/internal/auth"
	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

func TestSeedHainingScale(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		p := auth.DefaultPolicy()
		p.Argon2 = model.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
		svc, _ := auth.New(st, p)
		ctx := context.Background()
		accounts, err := demo.Seed(ctx, svc)
		if err != nil || len(accounts) != 5 {
			t.Fatalf("seed: %v %v", accounts, err)
		}
		regions, _ := st.Regions(ctx)
		assocs, _ := st.Associations(ctx)
		homes, _ := st.Homes(ctx, 0)
		if len(regions) != 13 || len(assocs) != 10 || len(homes) != 1 || homes[0].Rooms[0].Seats != 30 {
			t.Errorf("regions %d, associations %d, homes %+v", len(regions), len(assocs), homes)
		}
		counts := map[string]int{}
		managers := 0
		f := model.EnterpriseFilter{Page: model.Page{Limit: model.MaxLimit}}
		for {
			l, err := st.ListEnterprises(ctx, model.SystemActor(), f)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range l.Items {
				counts[e.Kind]++
				managers += e.ManagerCount
				if !model.ValidUSCC(e.USCC) {
					t.Fatalf("invalid code %s", e.USCC)
				}
			}
			if l.Next == nil {
				break
			}
			f.After = l.Items[len(l.Items)-1].ID
		}
		if counts[model.KindCompany] != demo.Companies || counts[model.KindShop] != demo.Shops || managers != demo.Managers {
			t.Errorf("companies %d, shops %d, manager appointments %d", counts[model.KindCompany], counts[model.KindShop], managers)
		}
		if again, err := demo.Seed(ctx, svc); err != nil || again != nil {
			t.Errorf("second seed: %v %v", again, err)
		}
	})
}
