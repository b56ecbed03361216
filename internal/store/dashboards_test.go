package store_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// TestDashboardsAddUp: two ways of counting agree on generated data — a
// town's figures (counted by town over whole tables) equal the sum of its
// enterprises' dashboards (each read from the enterprise's own rows), and
// the county's equal the sum of its towns; the carbon sums equal a recount
// of the months and lines.
func TestDashboardsAddUp(t *testing.T) {
	eachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.New(t, d, store.Options{Now: func() time.Time { return bookingNow }})
		regions, err := demo.EnsureRegions(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		ents, mgrs := demo.Roster(11, 100, 140, 120, regions, 0)
		if err := s.BulkInsert(ctx, model.SystemActor(), ents, mgrs); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GenerateInspections(ctx, 60, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GenerateActivity(ctx, 2000, 14, nil); err != nil {
			t.Fatal(err)
		}
		if drift, err := s.SummaryDrift(ctx); err != nil || len(drift) > 0 {
			t.Fatalf("carbon sums drift: %v %v", drift, err)
		}
		sys := model.SystemActor()
		year := bookingNow.In(model.ChinaTime).Year()
		for _, y := range []int{year, year - 1} {
			county, err := s.CountyDashboard(ctx, sys, y)
			if err != nil {
				t.Fatal(err)
			}
			var towns model.Figures
			for _, tw := range county.Towns {
				towns.Add(tw.Figures)
				town, err := s.TownDashboard(ctx, sys, tw.RegionID, y)
				if err != nil {
					t.Fatal(err)
				}
				if len(town.Enterprises) != tw.Enterprises {
					t.Fatalf("%s lists %d of %d enterprises", tw.RegionName, len(town.Enterprises), tw.Enterprises)
				}
				var sum model.Figures
				for _, e := range town.Enterprises {
					ed, err := s.EnterpriseDashboard(ctx, sys, e.EnterpriseID, y)
					if err != nil {
						t.Fatal(err)
					}
					sum.Add(ed.Figures)
					if ed.Figures.TasksOpen != e.TasksOpen || ed.Figures.InspectionsDone != e.Inspections || math.Abs(ed.Figures.Scope2-e.Scope2) > 1e-6 {
						t.Errorf("%d: dashboard %+v, town row %+v", e.EnterpriseID, ed.Figures, e)
					}
				}
				f := tw.Figures
				// Each enterprise's tonnes are rounded to the kilogram.
				tol := 0.0005*float64(len(town.Enterprises)) + 1e-6
				if f.Enterprises != sum.Enterprises || f.WithoutManager != sum.WithoutManager || f.Managers != sum.Managers ||
					f.Behind != sum.Behind || f.InspectionsDone != sum.InspectionsDone || f.InspectionsMissed != sum.InspectionsMissed ||
					f.TasksOpen != sum.TasksOpen || f.TasksOverdue != sum.TasksOverdue || f.Green != sum.Green || f.Yellow != sum.Yellow ||
					f.Red != sum.Red || f.Unassessed != sum.Unassessed || f.Demands != sum.Demands || f.DealsActive != sum.DealsActive ||
					math.Abs(f.Scope1-sum.Scope1) > tol || math.Abs(f.Scope2-sum.Scope2) > tol || math.Abs(f.Hours-sum.Hours) > 1e-6 {
					t.Errorf("%s %d: town %+v, its enterprises %+v", tw.RegionName, y, f, sum)
				}
			}
			if math.Abs(towns.Scope2-county.Figures.Scope2) > 1e-6 {
				t.Errorf("county %d scope 2 %v, its towns %v", y, county.Figures.Scope2, towns.Scope2)
			}
			towns.Scope1, towns.Scope2 = county.Figures.Scope1, county.Figures.Scope2
			if towns != county.Figures {
				t.Errorf("county %d %+v, its towns %+v", y, county.Figures, towns)
			}
			if y == year && (county.Figures.Scope2 <= 0 || county.Figures.TasksOpen == 0 || county.Figures.Enterprises != 240) {
				t.Errorf("the generated county: %+v", county.Figures)
			}
		}
	})
}
