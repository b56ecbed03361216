package model

import (
	"regexp"
	"time"
)

// SpotPlanItem is one enterprise an association plans to spot-check in a
// month, and whether it did.
type SpotPlanItem struct {
	ID             int64  `json:"id"`
	EnterpriseID   int64  `json:"enterprise_id"`
	EnterpriseName string `json:"enterprise_name"`
	RegionName     string `json:"region_name"`
	Color          string `json:"color"`
	Month          string `json:"month"`
	PlannedBy      string `json:"planned_by"`
	// InspectionID is the month's latest spot check of the enterprise;
	// Done when it was submitted.
	InspectionID *int64    `json:"inspection_id"`
	Done         bool      `json:"done"`
	CreatedAt    time.Time `json:"created_at"`
}

// SpotCandidate is an enterprise suggested for the plan: red ones first,
// then yellow, then those never assessed, then green, with its honesty
// flags.
type SpotCandidate struct {
	EnterpriseID   int64  `json:"enterprise_id"`
	EnterpriseName string `json:"enterprise_name"`
	RegionName     string `json:"region_name"`
	Color          string `json:"color"`
	HonestyFlags   int    `json:"honesty_flags"`
}

// SpotPlan is a month's plan in the reader's scope.
type SpotPlan struct {
	Month       string          `json:"month"`
	Items       []SpotPlanItem  `json:"items"`
	Suggestions []SpotCandidate `json:"suggestions"`
}

var monthPattern = regexp.MustCompile(`^20[0-9]{2}-(0[1-9]|1[0-2])$`)

// ValidMonth checks a plan's month, YYYY-MM; planning needs a month not
// yet over (today's or later, within a year).
func ValidMonth(m string, today Date, planning bool) error {
	v := Validation{}
	switch {
	case !monthPattern.MatchString(m):
		v.Add("month", "err.field.month")
	case planning && (m < string(today)[:7] || m > string(today.AddDays(366))[:7]):
		v.Add("month", "err.field.month_past")
	}
	return v.Err()
}

// DoneCount counts the plan's entries done.
func (p *SpotPlan) DoneCount() int {
	n := 0
	for _, it := range p.Items {
		if it.Done {
			n++
		}
	}
	return n
}
