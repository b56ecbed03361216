package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// TestTownFiguresEqualARecount: the generator writes what it says (an
// answer to every item, a task per problem, a colour per inspected
// enterprise kept beside it), and the towns' figures the home pages read
// equal a recount of the tables, also after colours change through the
// users' path.
func TestTownFiguresEqualARecount(t *testing.T) {
	eachDialect(t, func(t *testing.T, d store.Dialect) {
		ctx := context.Background()
		s := storetest.New(t, d, store.Options{Now: func() time.Time { return bookingNow }})
		regions, err := demo.EnsureRegions(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		ents, mgrs := demo.Roster(7, 400, 800, 300, regions, 0)
		if err := s.BulkInsert(ctx, model.SystemActor(), ents, mgrs); err != nil {
			t.Fatal(err)
		}
		ds, err := s.GenerateInspections(ctx, 250, nil)
		if err != nil {
			t.Fatal(err)
		}
		items := len(model.CountyChecklist().Sections[0].Items)
		for _, sec := range model.CountyChecklist().Sections[1:] {
			items += len(sec.Items)
		}
		if ds.Inspections != 250 || ds.Answers != 250*items || ds.Tasks == 0 || ds.Coloured != 250 {
			t.Fatalf("generated %+v (%d items each)", ds, items)
		}
		// Some colours change through the users' path.
		ids, err := s.InspectedEnterprises(ctx, 20)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			if _, err := s.Compliance(ctx, model.SystemActor(), id); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.RefreshRegionStats(ctx, true); err != nil {
			t.Fatal(err)
		}
		towns, err := s.TownCompliances(ctx, model.SystemActor())
		if err != nil {
			t.Fatal(err)
		}
		recount, err := s.TownRecount(ctx)
		if err != nil {
			t.Fatal(err)
		}
		sum := 0
		for _, tc := range towns {
			r := recount[tc.RegionID]
			if tc.Green != r.Green || tc.Yellow != r.Yellow || tc.Red != r.Red || tc.Unassessed != r.Unassessed || tc.OverdueTasks != r.OverdueTasks {
				t.Errorf("%s: kept %+v, recount %+v", tc.RegionName, tc, r)
			}
			sum += tc.Green + tc.Yellow + tc.Red
		}
		if sum != 250 {
			t.Errorf("coloured enterprises in the towns' figures: %d, want 250", sum)
		}
	})
}
