package model

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestMatchDemandExplains: every point of a match is a reason, the
// ranking is stable on ties, and a provider that cannot take the demand
// (red grade, lapsed licence, not invited) is left out.
func TestMatchDemandExplains(t *testing.T) {
	today := Date("2026-03-01")
	d := &Demand{ID: 1, RegionID: 2, DemandInput: DemandInput{Category: "solid_waste", Pollutants: []string{"hazardous_waste", "heavy_metals"}, OpenTo: "all"}}
	licence := []Licence{{Kind: "hazardous_waste_operation", Number: "X", ValidUntil: "2026-12-31"}}
	full := &Provider{ID: 7, Status: ProviderVerified, Grade: "green", Ratings: 2, Rating: 4.5, Cases: 1, DealsDone: 2,
		ProviderInput: ProviderInput{Categories: []string{"solid_waste"}, Pollutants: []string{"hazardous_waste", "heavy_metals"},
			Industries: []string{"C33"}, RegionIDs: []int64{2}, Licences: licence}}
	m, ok := MatchDemand(d, "C3360", 2, full, today)
	if !ok {
		t.Fatal("not matched")
	}
	sum := 0
	for _, r := range m.Reasons {
		sum += r.Points
	}
	// 30 category + 20 pollutants + 15 industry + 10 town + 10 licence + 8 results + 8 rating + 10 grade
	if m.Score != 111 || sum != m.Score || len(m.Reasons) != 8 {
		t.Errorf("score %d, reasons %+v", m.Score, m.Reasons)
	}
	for name, p := range map[string]*Provider{
		"red":      {ID: 8, Status: ProviderVerified, Grade: "red", ProviderInput: ProviderInput{Categories: []string{"solid_waste"}, Licences: licence}},
		"lapsed":   {ID: 9, Status: ProviderVerified, ProviderInput: ProviderInput{Categories: []string{"solid_waste"}, Licences: []Licence{{Kind: "hazardous_waste_operation", ValidUntil: "2026-02-28"}}}},
		"pending":  {ID: 10, Status: ProviderPending, ProviderInput: ProviderInput{Categories: []string{"solid_waste"}, Licences: licence}},
		"category": {ID: 11, Status: ProviderVerified, ProviderInput: ProviderInput{Categories: []string{"noise"}}},
	} {
		if _, ok := MatchDemand(d, "C3360", 2, p, today); ok {
			t.Errorf("%s matched", name)
		}
	}
	invited := *d
	invited.OpenTo, invited.Invited = "invited", []int64{99}
	if _, ok := MatchDemand(&invited, "C3360", 2, full, today); ok {
		t.Error("an uninvited provider matched")
	}
	ms := []Match{{ProviderID: 5, Score: 40}, {ProviderID: 3, Score: 40}, {ProviderID: 9, Score: 70}}
	RankMatches(ms)
	if ms[0].ProviderID != 9 || ms[1].ProviderID != 3 || ms[2].ProviderID != 5 {
		t.Errorf("ranked %+v", ms)
	}
}

func TestDemandFromTask(t *testing.T) {
	in := DemandFromTask(&Task{ID: 5, Code: "D6", Point: "危险废物贮存符合标准", Note: "混放"}, DemandInput{QuoteDeadline: time.Now()})
	if in.Source != "task:5" || in.Category != "consulting" || in.Title != "整改：危险废物贮存符合标准" {
		t.Errorf("%+v", in)
	}
}

// TestQuickScoreIsTheRule: on random providers and demands, the store's
// quick score equals MatchDemand's whenever the provider can take the
// demand.
func TestQuickScoreIsTheRule(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(list []string) []string {
		var out []string
		for _, x := range list {
			if r.IntN(3) == 0 {
				out = append(out, x)
			}
		}
		return out
	}
	join := func(l []string) string { return "," + strings.Join(l, ",") + "," }
	today := Date("2026-03-01")
	checked := 0
	for i := 0; i < 5000; i++ {
		cat := ServiceCategories[r.IntN(len(ServiceCategories))]
		d := &Demand{DemandInput: DemandInput{Category: cat, Pollutants: pick(Pollutants), OpenTo: "all"}}
		var towns []int64
		var townText []string
		for j := r.IntN(3); j > 0; j-- {
			t := int64(1 + r.IntN(4))
			towns = append(towns, t)
			townText = append(townText, strconv.FormatInt(t, 10))
		}
		p := &Provider{ID: int64(i), Status: ProviderVerified, Grade: CreditGrades[r.IntN(3)], Ratings: r.IntN(4), Cases: r.IntN(5), DealsDone: r.IntN(6),
			ProviderInput: ProviderInput{Categories: []string{cat}, Pollutants: pick(Pollutants), Industries: pick([]string{"C", "C3", "C39", "C398", "C17", "C26"}),
				RegionIDs: towns}}
		if p.Ratings > 0 {
			p.Rating = float64(20+r.IntN(31)) / 10
		}
		if kind, ok := LicensedCategories[cat]; ok {
			p.Licences = []Licence{{Kind: kind, ValidUntil: "2027-01-01"}}
		}
		industry := []string{"C3985", "C1762", "", "C2614"}[r.IntN(4)]
		town := int64(1 + r.IntN(4))
		m, ok := MatchDemand(d, industry, town, p, today)
		if !ok {
			continue
		}
		checked++
		if q := QuickScore(d, industry, town, ProviderBase(p), join(p.Pollutants), join(p.Industries), join(townText), len(p.Licences) > 0); q != m.Score {
			t.Fatalf("quick %d, rule %d: %+v %+v", q, m.Score, d, p)
		}
	}
	if checked < 1000 {
		t.Errorf("only %d checked", checked)
	}
}
