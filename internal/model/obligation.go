package model

import (
	"fmt"
	"slices"
	"time"
)

// Report frequencies of a permit's execution reports (besides the annual).
var ReportFrequencies = []string{"", "semiannual", "quarterly", "monthly"}

// ObligationFacts are what an enterprise's obligations are derived from,
// besides its record (permit class and validity) and its managers.
type ObligationFacts struct {
	ReportFrequency      string `json:"report_frequency"` // "" (annual only) | semiannual | quarterly | monthly
	PermitIssuedOn       Date   `json:"permit_issued_on"`
	DisclosureRequired   bool   `json:"disclosure_required"`
	EmergencyPlanFiledOn Date   `json:"emergency_plan_filed_on"`
}

// Validate checks the facts.
func (f *ObligationFacts) Validate() error {
	v := Validation{}
	if !slices.Contains(ReportFrequencies, f.ReportFrequency) {
		v.Add("report_frequency", "err.field.choice")
	}
	for field, d := range map[string]Date{"permit_issued_on": f.PermitIssuedOn, "emergency_plan_filed_on": f.EmergencyPlanFiledOn} {
		if d != "" && !d.Valid() {
			v.Add(field, "err.field.date")
		}
	}
	return v.Err()
}

// Obligation kinds.
const (
	ObAnnualReport  = "annual_report"
	ObPeriodReport  = "period_report"
	ObDisclosure    = "disclosure"
	ObPermitRenewal = "permit_renewal"
	ObEmergencyPlan = "emergency_plan"
	ObCertificate   = "certificate"
)

// Obligation is one dated duty of an enterprise.
type Obligation struct {
	ID           int64      `json:"id"`
	EnterpriseID int64      `json:"enterprise_id"`
	Kind         string     `json:"kind"`
	Period       string     `json:"period"` // what it covers: 2026, 2026-H1, 2026-Q2, 2026-05, or a subject
	DueOn        Date       `json:"due_on"`
	DoneAt       *time.Time `json:"done_at"`
	DoneRef      string     `json:"done_ref"`
	Overdue      bool       `json:"overdue"`
}

// held reports whether a permit issued on issued was held at least min
// before the end of the period ending on end (exclusive).
func held(issued Date, end time.Time, min func(time.Time) time.Time) bool {
	if issued == "" {
		return true
	}
	t, err := time.ParseInLocation("2006-01-02", string(issued), ChinaTime)
	if err != nil {
		return true
	}
	return !min(t).After(end)
}

func date(y int, m time.Month, d int) Date {
	return Date(time.Date(y, m, d, 0, 0, 0, 0, ChinaTime).Format("2006-01-02"))
}

// DeriveObligations lists an enterprise's obligations whose periods end in
// the given year (REFERENCE.md, "Discharge permits and reporting"):
// execution reports — annual by Jan 15, semi-annual by Jul 15, quarterly
// by the 15th of the next quarter's first month, monthly by the 15th of
// the next month, none for a period the permit was held under 3 months
// (annual), 1 month (quarterly, semi-annual) or 10 days (monthly);
// information disclosure by Mar 15 where required; permit renewal 6
// months before expiry; the emergency plan's review 3 years after filing;
// managers' certificates by their expiry.
func DeriveObligations(e *Enterprise, f ObligationFacts, managers []*Manager, year int) []Obligation {
	var out []Obligation
	add := func(kind, period string, due Date) {
		out = append(out, Obligation{EnterpriseID: e.ID, Kind: kind, Period: period, DueOn: due})
	}
	permitted := e.PermitClass == PermitKey || e.PermitClass == PermitSimplified
	if permitted {
		yearEnd := time.Date(year+1, 1, 1, 0, 0, 0, 0, ChinaTime)
		if held(f.PermitIssuedOn, yearEnd, func(t time.Time) time.Time { return t.AddDate(0, 3, 0) }) {
			add(ObAnnualReport, fmt.Sprint(year), date(year+1, 1, 15))
		}
		switch f.ReportFrequency {
		case "semiannual":
			end := time.Date(year, 7, 1, 0, 0, 0, 0, ChinaTime)
			if held(f.PermitIssuedOn, end, func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }) {
				add(ObPeriodReport, fmt.Sprintf("%d-H1", year), date(year, 7, 15))
			}
		case "quarterly":
			for q := 1; q <= 4; q++ {
				end := time.Date(year, time.Month(3*q+1), 1, 0, 0, 0, 0, ChinaTime)
				if held(f.PermitIssuedOn, end, func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }) {
					due := end.AddDate(0, 0, 14)
					add(ObPeriodReport, fmt.Sprintf("%d-Q%d", year, q), Date(due.Format("2006-01-02")))
				}
			}
		case "monthly":
			for m := 1; m <= 12; m++ {
				end := time.Date(year, time.Month(m+1), 1, 0, 0, 0, 0, ChinaTime)
				if held(f.PermitIssuedOn, end, func(t time.Time) time.Time { return t.AddDate(0, 0, 10) }) {
					due := end.AddDate(0, 0, 14)
					add(ObPeriodReport, fmt.Sprintf("%d-%02d", year, m), Date(due.Format("2006-01-02")))
				}
			}
		}
	}
	if f.DisclosureRequired {
		add(ObDisclosure, fmt.Sprint(year-1), date(year, 3, 15))
	}
	if e.PermitValidTo != "" {
		if t, err := time.ParseInLocation("2006-01-02", string(e.PermitValidTo), ChinaTime); err == nil {
			if due := addMonths(t, -6); due.Year() == year {
				add(ObPermitRenewal, string(e.PermitValidTo), Date(due.Format("2006-01-02")))
			}
		}
	}
	if f.EmergencyPlanFiledOn != "" {
		if t, err := time.ParseInLocation("2006-01-02", string(f.EmergencyPlanFiledOn), ChinaTime); err == nil {
			for due := t.AddDate(3, 0, 0); due.Year() <= year; due = due.AddDate(3, 0, 0) {
				if due.Year() == year {
					add(ObEmergencyPlan, string(f.EmergencyPlanFiledOn), Date(due.Format("2006-01-02")))
				}
			}
		}
	}
	for _, m := range managers {
		if m.Status == ManagerActive && m.CertExpiresOn != "" && string(m.CertExpiresOn[:4]) == fmt.Sprint(year) {
			add(ObCertificate, fmt.Sprintf("%s %s", m.Name, m.CertNo), m.CertExpiresOn)
		}
	}
	return out
}

// addMonths moves t by n months, keeping to the month's last day where
// the day does not exist (six months before Mar 31 is Sep 30).
func addMonths(t time.Time, n int) time.Time {
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location()).AddDate(0, n, 0)
	last := first.AddDate(0, 1, -1).Day()
	return first.AddDate(0, 0, min(t.Day(), last)-1)
}
