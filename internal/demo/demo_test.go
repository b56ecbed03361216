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
		// The history gives a manager to the shops that inspect themselves.
		if counts[model.KindCompany] != demo.Companies || counts[model.KindShop] != demo.Shops || managers < demo.Managers || managers > demo.Managers+40 {
			t.Errorf("companies %d, shops %d, manager appointments %d", counts[model.KindCompany], counts[model.KindShop], managers)
		}
		// Six months of self-inspection: colours in every town, tasks in
		// every state, missed periods, a spot check that found what an
		// enterprise had marked "ok".
		sys := model.SystemActor()
		towns, err := st.TownCompliances(ctx, sys)
		if err != nil || len(towns) != 12 {
			t.Fatalf("towns: %v %v", towns, err)
		}
		colours := map[string]int{}
		for _, tc := range towns {
			if tc.Green+tc.Yellow+tc.Red == 0 {
				t.Errorf("no colour in %s", tc.RegionName)
			}
			colours["green"] += tc.Green
			colours["yellow"] += tc.Yellow
			colours["red"] += tc.Red
			colours["missed"] += tc.MissedInspections
			colours["overdue"] += tc.OverdueTasks
			colours["flags"] += tc.HonestyFlags
		}
		for _, k := range []string{"green", "yellow", "red", "missed", "overdue", "flags"} {
			if colours[k] == 0 {
				t.Errorf("no %s in the demo county: %v", k, colours)
			}
		}
		for _, status := range []string{model.TaskOpen, model.TaskSubmitted, model.TaskClosed} {
			l, err := st.Tasks(ctx, sys, model.TaskFilter{Status: status, Page: model.Page{Limit: 5}})
			if err != nil || len(l.Items) == 0 {
				t.Errorf("no %s task: %v", status, err)
			}
		}
		t.Logf("demo county: %v", colours)
		if again, err := demo.Seed(ctx, svc); err != nil || again != nil {
			t.Errorf("second seed: %v %v", again, err)
		}
		// The through train: demands in every state, completed deals with
		// savings in more than one town, a licence about to lapse.
		states := map[string]bool{}
		bureau := model.Actor{User: &model.User{ID: 1, Role: model.RoleAdmin}}
		ds, err := st.Demands(ctx, bureau, store.DemandFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			states[d.Status] = true
		}
		for _, s := range model.DemandStatuses {
			if !states[s] {
				t.Errorf("no demand %s in the demo: %v", s, states)
			}
		}
		sv, err := st.Savings(ctx, bureau)
		if err != nil || len(sv) < 3 || sv[0].Saving <= 0 || sv[0].Completed < 2 {
			t.Errorf("savings: %+v %v", sv, err)
		}
		if n, err := st.NoticeExpiringLicences(ctx); err != nil || n == 0 {
			t.Errorf("no licence about to lapse: %d %v", n, err)
		}
		// Carbon: the demo enterprise has last year's twelve months and a
		// comparison, both scopes; the sums equal a recount.
		year := st.Now().In(model.ChinaTime).Year()
		var entID int64
		for _, a := range accounts {
			if a.Role == model.RoleEnterprise {
				u, err := st.UserByUsername(ctx, a.Username)
				if err != nil {
					t.Fatal(err)
				}
				entID = *u.EnterpriseID
			}
		}
		em, err := st.Emissions(ctx, bureau, entID, year-1)
		if err != nil || len(em.Months) != 12 || em.Scope1 <= 0 || em.Scope2 <= 0 {
			t.Errorf("demo emissions last year: %+v %v", em, err)
		}
		if drift, err := st.SummaryDrift(ctx); err != nil || len(drift) > 0 {
			t.Errorf("demo summaries drift: %v %v", drift, err)
		}
		// Appraisal: last year's grades of the demo town are published.
		pub, err := st.Appraisals(ctx, bureau, store.AppraisalFilter{Year: year - 1, Status: model.AppraisalPublished})
		if err != nil || len(pub) == 0 {
			t.Errorf("no published appraisals in the demo: %d %v", len(pub), err)
		}
	})
}
