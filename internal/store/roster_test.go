package store_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// batchesOf hands a roster to the store n rows at a time, the enterprise
// rows first, as the streaming reader does; fail, when not nil, is
// returned instead of the batch of that number (1-based).
func batchesOf(ents []model.RosterEnterprise, mgrs []model.RosterManager, n, failAt int, fail error) func() (*model.RosterBatch, error) {
	i, j, k := 0, 0, 0
	// The names read ahead, as the reader gives them.
	names := map[string][]string{}
	for _, m := range mgrs {
		names[m.USCC] = append(names[m.USCC], m.Name)
	}
	return func() (*model.RosterBatch, error) {
		k++
		if k == failAt {
			return nil, fail
		}
		switch {
		case i < len(ents):
			b := &model.RosterBatch{Enterprises: ents[i:min(i+n, len(ents))]}
			if i == 0 {
				b.ManagerNames = names
			}
			i += n
			return b, nil
		case j < len(mgrs):
			b := &model.RosterBatch{Managers: mgrs[j:min(j+n, len(mgrs))]}
			j += n
			return b, nil
		}
		return nil, nil
	}
}

// TestRosterStreamedInBatches (issue 14, item 1): a roster written batch by
// batch in one transaction: managers find enterprises written batches
// before them, a manager's name finds its enterprise (the search text is
// brought up to date once at the end), the short and full-text indexes
// equal a scan, and a second import changes nothing. A reading error in
// the middle and a bad row in the last batch of an all-or-nothing import
// leave nothing of the earlier batches. The drift check when the test
// ends compares the towns' figures and fact rows with a recount.
func TestRosterStreamedInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sys := model.SystemActor()
		regions, err := demo.EnsureRegions(ctx, st)
		if err != nil {
			t.Fatal(err)
		}
		ents, mgrs := demo.Roster(21, 450, 150, 400, regions, 70_000)
		res, err := st.ImportRosterBatches(ctx, sys, batchesOf(ents, mgrs, 97, 0, nil), model.ImportAllOrNothing, false)
		if err != nil || !res.Written || len(res.Problems) > 0 || res.EnterprisesCreated != 600 || res.ManagersCreated != 400 {
			t.Fatalf("import: %v %+v", err, res)
		}
		id, err := st.EnterpriseIDByUSCC(ctx, mgrs[len(mgrs)-1].USCC)
		if err != nil {
			t.Fatal(err)
		}
		if got := allPages(t, st, model.EnterpriseFilter{Query: mgrs[len(mgrs)-1].Name}); !slices.Contains(got, id) {
			t.Errorf("the last manager's name %q does not find enterprise %d: %v", mgrs[len(mgrs)-1].Name, id, got)
		}
		for _, q := range []string{mgrs[0].Name, "有限", "海", "科技", ents[0].Name, string([]rune(ents[599].Name)[:3])} {
			want, err := st.ScanSearch(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			got := allPages(t, st, model.EnterpriseFilter{Query: q})
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) || len(want) == 0 {
				t.Errorf("%q: %d from the index, %d from a scan", q, len(got), len(want))
			}
		}
		again, err := st.ImportRosterBatches(ctx, sys, batchesOf(ents, mgrs, 211, 0, nil), model.ImportAllOrNothing, false)
		if err != nil || again.EnterprisesUnchanged != 600 || again.ManagersUnchanged != 400 ||
			again.EnterprisesCreated+again.EnterprisesUpdated+again.ManagersCreated+again.ManagersUpdated != 0 {
			t.Errorf("second import: %v %+v", err, again)
		}

		more, moreM := demo.Roster(22, 200, 0, 100, regions, 80_000)
		absent := func(what string) {
			t.Helper()
			for _, e := range []model.RosterEnterprise{more[0], more[150], more[199]} {
				if _, err := st.EnterpriseIDByUSCC(ctx, e.USCC); err == nil {
					t.Errorf("%s: enterprise %s was written", what, e.USCC)
				}
			}
		}
		broken := errors.New("the workbook ends mid-row")
		if _, err := st.ImportRosterBatches(ctx, sys, batchesOf(more, moreM, 50, 4, broken), model.ImportGoodRows, false); !errors.Is(err, broken) {
			t.Errorf("a reading error: %v", err)
		}
		absent("a reading error after three batches")
		bad := slices.Clone(moreM)
		bad[len(bad)-1].USCC = ents[0].USCC[:17] + "X" // names no enterprise
		res, err = st.ImportRosterBatches(ctx, sys, batchesOf(more, bad, 50, 0, nil), model.ImportAllOrNothing, false)
		if err != nil || res.Written || len(res.Problems) != 1 || res.Problems[0].Row != bad[len(bad)-1].Row {
			t.Errorf("a bad row in the last batch: %v %+v", err, res)
		}
		absent("a bad row in the last batch")

		// A manager row refused after its enterprise was written with the
		// names read ahead (its number is another person's): the name is
		// not left in the enterprise's search text.
		wrong := slices.Clone(moreM[:3])
		wrong[1].Mobile, wrong[1].Name = mgrs[0].Mobile, "错名字"
		res, err = st.ImportRosterBatches(ctx, sys, batchesOf(more[:50], wrong, 20, 0, nil), model.ImportGoodRows, false)
		if err != nil || len(res.Problems) != 1 || res.Problems[0].Key != "err.field.mobile_other_person" {
			t.Fatalf("a refused manager: %v %+v", err, res)
		}
		if got := allPages(t, st, model.EnterpriseFilter{Query: "错名字"}); len(got) != 0 {
			t.Errorf("the refused manager's name finds %v", got)
		}
		id, err = st.EnterpriseIDByUSCC(ctx, wrong[2].USCC)
		if err != nil {
			t.Fatal(err)
		}
		if got := allPages(t, st, model.EnterpriseFilter{Query: wrong[2].Name}); !slices.Contains(got, id) {
			t.Errorf("an appointed manager's name %q does not find enterprise %d", wrong[2].Name, id)
		}
	})
}
