package model

import (
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
