package store_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/envhome/envhome/internal/demo"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// TestKeyListFilterEqualsScan (issue 14, item 4): the key-list filter,
// now an index lookup on the fact rows, lists exactly the enterprises a
// scan of the text column finds, for common, rare and absent lists, alone,
// with a town, with a search, page after page; and the fact rows follow
// an enterprise's edits (the store's drift check compares every row with
// the records when the test ends).
func TestKeyListFilterEqualsScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sys := model.SystemActor()
		regions, ents := generated(t, st, 7, 2000, 500, 300)
		scan := func(list string, region int64) []int64 {
			var out []int64
			for _, r := range ents {
				e := r.Enterprise
				if slices.Contains(e.KeyLists, list) && (region == 0 || e.RegionID == region) {
					id, err := st.EnterpriseIDByUSCC(ctx, e.USCC)
					if err != nil {
						t.Fatal(err)
					}
					out = append(out, id)
				}
			}
			slices.Sort(out)
			return out
		}
		list := func(f model.EnterpriseFilter) []int64 {
			out := allPages(t, st, f)
			slices.Sort(out)
			return out
		}
		counts := map[string]int{}
		for _, l := range model.KeyLists {
			for _, region := range []int64{0, regions[len(regions)-1]} {
				want := scan(l, region)
				if got := list(model.EnterpriseFilter{KeyList: l, RegionID: region}); !slices.Equal(got, want) {
					t.Errorf("key list %s, town %d: %d enterprises, the scan %d", l, region, len(got), len(want))
				}
				n, err := st.CountEnterprises(ctx, sys, model.EnterpriseFilter{KeyList: l, RegionID: region})
				if err != nil || n != len(want) {
					t.Errorf("count of key list %s, town %d: %d %v, want %d", l, region, n, err, len(want))
				}
				if region == 0 {
					counts[l] = len(want)
				}
			}
		}
		if counts["air"] < 20 || counts["risk"] == 0 || counts["groundwater"] != 0 {
			t.Fatalf("the generated lists are not common, rare and absent: %v", counts)
		}
		// With a search, the fact rows are a condition on the search's rows.
		withSearch := list(model.EnterpriseFilter{KeyList: "air", Query: "有限公司"})
		if want := scan("air", 0); !slices.Equal(withSearch, want) {
			t.Errorf("key list air with a search: %d, want %d", len(withSearch), len(want))
		}
		// An edit moves the enterprise in and out of a list.
		one := scan("air", 0)[0]
		soil := []string{"soil"}
		if _, err := st.UpdateEnterprise(ctx, sys, one, model.EnterprisePatch{KeyLists: &soil}); err != nil {
			t.Fatal(err)
		}
		if got := list(model.EnterpriseFilter{KeyList: "air"}); slices.Contains(got, one) {
			t.Errorf("enterprise %d still listed under air", one)
		}
		if got := list(model.EnterpriseFilter{KeyList: "soil"}); !slices.Contains(got, one) {
			t.Errorf("enterprise %d not listed under soil", one)
		}
		// Moved to another town, it is listed there and not in its old one.
		e1, err := st.Enterprise(ctx, sys, one)
		if err != nil {
			t.Fatal(err)
		}
		to := regions[0]
		if e1.RegionID == to {
			to = regions[1]
		}
		if _, err := st.UpdateEnterprise(ctx, sys, one, model.EnterprisePatch{RegionID: &to}); err != nil {
			t.Fatal(err)
		}
		if got := list(model.EnterpriseFilter{KeyList: "soil", RegionID: to}); !slices.Contains(got, one) {
			t.Errorf("moved enterprise %d not listed in its new town", one)
		}
		if got := list(model.EnterpriseFilter{KeyList: "soil", RegionID: e1.RegionID}); slices.Contains(got, one) {
			t.Errorf("moved enterprise %d still listed in its old town", one)
		}
		// A roster that changes another's lists: the rows follow (the drift
		// check at the end compares every fact row with the records).
		row := ents[1]
		row.Row, row.KeyLists = 2, []string{"groundwater"}
		if res, err := st.ImportRoster(ctx, sys, []model.RosterEnterprise{row}, nil, nil, model.ImportAllOrNothing, true); err != nil || len(res.Problems) > 0 {
			t.Fatalf("roster: %v %+v", err, res.Problems)
		}
		if got := list(model.EnterpriseFilter{KeyList: "groundwater"}); len(got) != 1 {
			t.Errorf("groundwater after the roster: %v", got)
		}
	})
}

// TestShortSearchEqualsScan (issue 14, item 3): one- and two-character
// searches are answered from the short index with exactly the rows a scan
// of the search text finds (common and rare pieces, ASCII, a piece across
// a name and a manager), after a bulk load, a roster import and an edit;
// a query the index cannot serve (punctuation inside) still answers.
func TestShortSearchEqualsScan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sys := model.SystemActor()
		regions, ents := generated(t, st, 11, 1500, 500, 600)
		// A roster brings a new enterprise and renames a generated one.
		renamed := ents[0].Enterprise
		renamed.Name = "鑫淼环保科技有限公司"
		more, _ := demo.Roster(12, 1, 0, 0, regions, 50_000)
		fresh := more[0].Enterprise
		fresh.Name = "垚森新材料股份有限公司"
		res, err := st.ImportRoster(ctx, sys, []model.RosterEnterprise{{Row: 2, Enterprise: renamed}, {Row: 3, Enterprise: fresh}}, nil, nil, model.ImportAllOrNothing, true)
		if err != nil || len(res.Problems) > 0 {
			t.Fatalf("roster: %v %+v", err, res.Problems)
		}
		list := func(q string) []int64 { return allPages(t, st, model.EnterpriseFilter{Query: q}) }
		for _, q := range []string{"有限", "海", "宁", "鑫", "鑫淼", "垚森", "淼环", "新材", "垚", "m", "科技", "无此", "a1", "公司", "司 ", "(", "有-"} {
			want, err := st.ScanSearch(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if got := list(q); !slices.Equal(got, want) {
				t.Errorf("%q: %d enterprises from the index, %d from the scan", q, len(got), len(want))
			}
		}
		if n := len(list("鑫淼")); n != 1 {
			t.Errorf("the renamed enterprise: %d", n)
		}
		if n := len(list("垚森")); n != 1 {
			t.Errorf("the imported enterprise: %d", n)
		}
		if n := len(list("有限")); n < 1000 {
			t.Errorf("a common pair: %d", n)
		}
	})
}

// generated fills a store with a generated roster and returns its rows.
func generated(t *testing.T, st *store.Store, seed uint64, companies, shops, managers int) ([]int64, []model.RosterEnterprise) {
	t.Helper()
	regions, err := demo.EnsureRegions(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	ents, mgrs := demo.Roster(seed, companies, shops, managers, regions, 0)
	if err := st.BulkInsert(ctx, model.SystemActor(), ents, mgrs); err != nil {
		t.Fatal(err)
	}
	return regions, ents
}

// allPages lists every enterprise a filter finds, a small page at a time.
func allPages(t *testing.T, st *store.Store, f model.EnterpriseFilter) []int64 {
	t.Helper()
	var out []int64
	f.Limit = 7
	for {
		l, err := st.ListEnterprises(ctx, model.SystemActor(), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range l.Items {
			out = append(out, e.ID)
		}
		if l.Next == nil {
			return out
		}
		f.After = l.Items[len(l.Items)-1].ID
	}
}

// TestCaseFiltersAreFactLookups (issue 14, item 4): the technology
// library's industry and pollutant filters, lookups on the cases' fact
// rows, list exactly the cases model.CaseFilter.Matches accepts, for codes,
// prefixes and pollutants common and absent; the rows follow a case's
// edits; and the migration's own filling of the rows from the text
// columns gives the rows the store writes.
func TestCaseFiltersAreFactLookups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		admin, err := st.CreateUser(ctx, model.SystemActor(), model.NewUser{Username: "bureau", Role: model.RoleAdmin}, "!")
		if err != nil {
			t.Fatal(err)
		}
		a := model.Actor{User: admin}
		codes := []string{"C", "C26", "C2614", "C2619", "C3985", "D44", "C17", "C171"}
		pollutants := []string{"vocs", "cod", "nox", "ammonia"}
		rnd := rand.New(rand.NewPCG(7, 14))
		inputs := map[int64]model.CaseInput{}
		for i := range 60 {
			in := model.CaseInput{Title: fmt.Sprint("案例", i), Technique: "技术", Source: "来源",
				Figures: []model.CaseFigure{{Name: "浓度", Unit: "mg/m³", Before: 10, After: 1}}}
			for range rnd.IntN(3) {
				in.Industries = append(in.Industries, codes[rnd.IntN(len(codes))])
			}
			for range 1 + rnd.IntN(2) {
				in.Pollutants = append(in.Pollutants, pollutants[rnd.IntN(len(pollutants))])
			}
			c, err := st.SubmitCase(ctx, a, in)
			if err != nil {
				t.Fatal(err)
			}
			if i%5 == 0 {
				// Changed before review: the rows follow the new lists.
				in.Industries, in.Pollutants = []string{codes[rnd.IntN(len(codes))]}, []string{"nox"}
				if c, err = st.UpdateCase(ctx, a, c.ID, in); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := st.ReviewCase(ctx, a, c.ID, model.CaseReview{Decision: "publish"}); err != nil {
				t.Fatal(err)
			}
			inputs[c.ID] = c.CaseInput
		}
		check := func(when string) {
			for _, ind := range append([]string{"", "C2", "H"}, codes...) {
				for _, p := range append([]string{"", "so2"}, pollutants...) {
					f := model.CaseFilter{Industry: ind, Pollutant: p}
					got, err := st.Cases(ctx, a, f)
					if err != nil {
						t.Fatal(err)
					}
					var ids, want []int64
					for _, c := range got {
						ids = append(ids, c.ID)
					}
					for id, in := range inputs {
						if f.Matches(&in) {
							want = append(want, id)
						}
					}
					slices.Sort(ids)
					slices.Sort(want)
					if !slices.Equal(ids, want) {
						t.Errorf("%s: cases?industry=%s&pollutant=%s: %v, want %v", when, ind, p, ids, want)
					}
				}
			}
		}
		check("written")
		// The migration fills the rows of the cases already there.
		migs, err := store.Migrations(st.Dialect())
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(migs, func(m store.Migration) bool { return m.Name == "0042_case_facts.sql" })
		if i < 0 {
			t.Fatal("no migration 0042_case_facts.sql")
		}
		fill := migs[i].SQL[strings.Index(migs[i].SQL, "INSERT INTO case_facts"):]
		if _, err := st.Exec(ctx, `DELETE FROM case_facts`); err != nil {
			t.Fatal(err)
		}
		if _, err := st.Exec(ctx, fill); err != nil {
			t.Fatal(err)
		}
		check("filled by the migration")
		drift, err := st.SummaryDrift(ctx)
		if err != nil || len(drift) > 0 {
			t.Errorf("drift after the migration's filling: %v %v", drift, err)
		}
	})
}
