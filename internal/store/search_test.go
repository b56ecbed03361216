package store_test

import (
	"slices"
	"testing"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
	"github.com/envhome/envhome/internal/store/storetest"
)

// TestCatalogueSearch: the catalogue uses the same Chinese substring
// search as the directory, through the index for three characters or
// more and a scan for fewer, and follows a course's changes.
func TestCatalogueSearch(t *testing.T) {
	for _, d := range storetest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			st := storetest.New(t, d, store.Options{})
			sys := model.SystemActor()
			ids := map[string]int64{}
			for _, title := range []string{"碳排放权交易管理", "排污许可证管理", "危险废物规范化管理", "VOCs 治理"} {
				c, err := st.SaveCourse(ctx, sys, &model.Course{Title: title, Category: "other", CreditHours: 2})
				if err != nil {
					t.Fatal(err)
				}
				ids[title] = c.ID
			}
			find := func(q string) []string {
				t.Helper()
				l, err := st.Catalogue(ctx, sys, model.CourseFilter{Query: q}, model.Page{Limit: 50})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, c := range l.Items {
					got = append(got, c.Title)
				}
				slices.Sort(got)
				return got
			}
			for q, want := range map[string][]string{
				"交易管":   {"碳排放权交易管理"},                         // trigram index
				"排污":    {"排污许可证管理"},                          // two characters: scan
				"管理":    {"危险废物规范化管理", "排污许可证管理", "碳排放权交易管理"}, // common pair
				"vocs":  {"VOCs 治理"},                          // case folded
				"不存在的词": nil,
				"100%":  nil, // LIKE's own characters match themselves
			} {
				if got := find(q); !slices.Equal(got, want) {
					t.Errorf("%q: %v, want %v", q, got, want)
				}
			}
			// A renamed course is found by its new name only.
			c := &model.Course{ID: ids["VOCs 治理"], Title: "挥发性有机物治理", Category: "air", CreditHours: 2}
			if _, err := st.SaveCourse(ctx, sys, c); err != nil {
				t.Fatal(err)
			}
			if got := find("有机物治"); !slices.Equal(got, []string{"挥发性有机物治理"}) {
				t.Errorf("after renaming: %v", got)
			}
			if got := find("vocs"); got != nil {
				t.Errorf("old name still found: %v", got)
			}
		})
	}
}
