package model

import (
	"testing"
	"time"
)

func TestCountyChecklist(t *testing.T) {
	in := CountyChecklist()
	in.Normalize()
	if err := in.Validate(); err != nil {
		t.Fatal(err)
	}
	c := Checklist{Sections: in.Sections}
	if n := len(c.Items()); n < 38 || n > 45 {
		t.Errorf("%d items, want about 40", n)
	}
	for _, it := range c.Items() {
		if it.Basis == "" || it.Standard == "" {
			t.Errorf("%s has no basis or standard", it.Code)
		}
	}
}

func TestChecklistValidation(t *testing.T) {
	in := ChecklistInput{Title: "自查", Sections: []ChecklistSection{{Title: "一", Items: []ChecklistItem{
		{Code: "a1", Point: "要点", Severity: "critical", Weight: 3},
		{Code: "A1", Point: "重复", Method: "smell"},
		{Code: "1A", Point: ""},
	}}}, AppliesTo: ChecklistApplies{PermitClasses: []string{"gold"}, IndustryPrefixes: []string{"c39"}}}
	in.Normalize()
	err := in.Validate()
	want := []string{"sections.0.items.1.code", "sections.0.items.1.method", "sections.0.items.2.code", "sections.0.items.2.point", "applies_to.permit_classes"}
	fields := err.(*Error).Fields
	for _, f := range want {
		if fields[f] == "" {
			t.Errorf("no error on %s: %v", f, fields)
		}
	}
	if fields["sections.0.items.0.code"] != "" || fields["applies_to.industry_prefixes"] != "" {
		t.Errorf("normalised values refused: %v", fields)
	}
}

func TestChecklistBinds(t *testing.T) {
	e := &Enterprise{ID: 7, RegionID: 3, PermitClass: PermitKey, IndustryCode: "C3985", KeyLists: []string{"air"}}
	ptr := func(v int64) *int64 { return &v }
	for _, c := range []struct {
		name string
		c    Checklist
		want bool
	}{
		{"county, no narrowing", Checklist{Scope: ChecklistCounty}, true},
		{"permit class", Checklist{Scope: ChecklistCounty, AppliesTo: ChecklistApplies{PermitClasses: []string{PermitSimplified}}}, false},
		{"industry prefix", Checklist{Scope: ChecklistCounty, AppliesTo: ChecklistApplies{IndustryPrefixes: []string{"C39"}}}, true},
		{"other industry", Checklist{Scope: ChecklistCounty, AppliesTo: ChecklistApplies{IndustryPrefixes: []string{"C26"}}}, false},
		{"key list", Checklist{Scope: ChecklistCounty, AppliesTo: ChecklistApplies{KeyLists: []string{"water", "air"}}}, true},
		{"other key list", Checklist{Scope: ChecklistCounty, AppliesTo: ChecklistApplies{KeyLists: []string{"soil"}}}, false},
		{"its town", Checklist{Scope: ChecklistTown, RegionID: ptr(3)}, true},
		{"another town", Checklist{Scope: ChecklistTown, RegionID: ptr(4)}, false},
		{"its own", Checklist{Scope: ChecklistEnterprise, EnterpriseID: ptr(7)}, true},
		{"another's own", Checklist{Scope: ChecklistEnterprise, EnterpriseID: ptr(8)}, false},
	} {
		if got := c.c.Binds(e); got != c.want {
			t.Errorf("%s: binds %v, want %v", c.name, got, c.want)
		}
	}
}

// TestComplianceRules: each rule on its own, and the worst colour wins.
func TestComplianceRules(t *testing.T) {
	today := Date("2026-06-10")
	base := ComplianceFacts{Today: today, ActiveManagers: 2}
	at := time.Date(2026, 6, 1, 0, 0, 0, 0, ChinaTime)
	for _, c := range []struct {
		name  string
		facts func(f *ComplianceFacts)
		color string
		rule  string
	}{
		{"nothing wrong", func(f *ComplianceFacts) {}, Green, ""},
		{"an overdue critical task", func(f *ComplianceFacts) { f.OverdueCritical, f.FirstOverdue = 1, "2026-06-01" }, Red, "overdue_critical_task"},
		{"an expired permit", func(f *ComplianceFacts) { f.PermitValidTo = "2026-06-09" }, Red, "permit_expired"},
		{"a permit valid today", func(f *ComplianceFacts) { f.PermitValidTo = "2026-06-10" }, Green, ""},
		{"an overdue task", func(f *ComplianceFacts) { f.OverdueOther = 1 }, Yellow, "overdue_tasks"},
		{"a failed inspection", func(f *ComplianceFacts) { f.LastInspectionFailed, f.LastInspectionAt = true, &at }, Yellow, "failed_inspection"},
		{"no manager", func(f *ComplianceFacts) { f.ActiveManagers = 0 }, Yellow, "no_manager"},
		{"managers behind", func(f *ComplianceFacts) { f.ManagersBehind = 1 }, Yellow, "managers_behind"},
		{"an overdue obligation", func(f *ComplianceFacts) { f.OverdueObligations = 1 }, Yellow, "overdue_obligations"},
		{"a missed inspection", func(f *ComplianceFacts) { f.MissedInspections, f.FirstMissed = 1, "2026-05-31" }, Yellow, "missed_inspections"},
		{"red beats yellow", func(f *ComplianceFacts) { f.OverdueOther, f.PermitValidTo = 2, "2026-01-01" }, Red, "permit_expired"},
	} {
		f := base
		c.facts(&f)
		got := Assess(1, f, DefaultInspectionSettings())
		if got.Color != c.color {
			t.Errorf("%s: %s, want %s (%+v)", c.name, got.Color, c.color, got.Deductions)
		}
		found := c.rule == ""
		for _, d := range got.Deductions {
			found = found || d.Rule == c.rule
			if d.Basis == "" {
				t.Errorf("%s: rule %s has no basis", c.name, d.Rule)
			}
		}
		if !found || (c.rule == "" && len(got.Deductions) != 0) {
			t.Errorf("%s: deductions %+v", c.name, got.Deductions)
		}
	}
}

// TestDeriveObligations: report due dates by frequency and the first-period
// exemptions, disclosure, renewal, emergency plan and certificates.
func TestDeriveObligations(t *testing.T) {
	e := &Enterprise{ID: 1, PermitClass: PermitKey, PermitValidTo: "2027-03-31"}
	due := func(os []Obligation) map[string]string {
		m := map[string]string{}
		for _, o := range os {
			m[o.Kind+" "+o.Period] = string(o.DueOn)
		}
		return m
	}
	got := due(DeriveObligations(e, ObligationFacts{ReportFrequency: "quarterly", PermitIssuedOn: "2026-03-15", DisclosureRequired: true,
		EmergencyPlanFiledOn: "2023-05-10"}, []*Manager{{Name: "张三", Status: ManagerActive, CertNo: "HB-1", CertExpiresOn: "2026-09-30"}}, 2026))
	want := map[string]string{
		"annual_report 2026":        "2027-01-15",
		"period_report 2026-Q2":     "2026-07-15",
		"period_report 2026-Q3":     "2026-10-15",
		"period_report 2026-Q4":     "2027-01-15",
		"disclosure 2025":           "2026-03-15",
		"emergency_plan 2023-05-10": "2026-05-10",
		"certificate 张三 HB-1":       "2026-09-30",
		"permit_renewal 2027-03-31": "2026-09-30",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: due %q, want %q", k, got[k], v)
		}
	}
	if _, ok := got["period_report 2026-Q1"]; ok {
		t.Error("Q1 is due though the permit was held 17 days of it")
	}
	if len(got) != len(want) {
		t.Errorf("extra obligations: %v", got)
	}
	// Renewal falls in the year six months before expiry; monthly
	// reports skip a month held under 10 days; an annual report is not
	// due for a permit held under 3 months.
	got = due(DeriveObligations(e, ObligationFacts{ReportFrequency: "monthly", PermitIssuedOn: "2026-10-25"}, nil, 2026))
	if got["period_report 2026-10"] != "" || got["period_report 2026-11"] != "2026-12-15" || got["period_report 2026-12"] != "2027-01-15" {
		t.Errorf("monthly: %v", got)
	}
	if got["annual_report 2026"] != "" || got["permit_renewal 2027-03-31"] != "2026-09-30" {
		t.Errorf("annual and renewal: %v", got)
	}
	if os := DeriveObligations(&Enterprise{ID: 2, PermitClass: PermitRegistration}, ObligationFacts{}, nil, 2026); len(os) != 0 {
		t.Errorf("a registered-only enterprise has reports: %+v", os)
	}
}

// TestDefaultFrequencyAndPeriods: key units and key-management permits
// monthly, simplified permits quarterly, the rest yearly; periods start on
// a Monday, the 1st, a quarter's first day or 1 January.
func TestDefaultFrequencyAndPeriods(t *testing.T) {
	for _, c := range []struct {
		e    Enterprise
		want string
	}{
		{Enterprise{KeyLists: []string{"water"}, PermitClass: PermitRegistration}, Monthly},
		{Enterprise{PermitClass: PermitKey}, Monthly},
		{Enterprise{PermitClass: PermitSimplified}, Quarterly},
		{Enterprise{PermitClass: PermitRegistration}, Yearly},
		{Enterprise{}, Yearly},
	} {
		if got := DefaultFrequency(&c.e); got != c.want {
			t.Errorf("%+v: %s, want %s", c.e, got, c.want)
		}
	}
	for _, c := range []struct {
		freq       string
		d          Date
		start, end Date
	}{
		{Daily, "2026-02-28", "2026-02-28", "2026-02-28"},
		{Weekly, "2026-03-01", "2026-02-23", "2026-03-01"}, // a Sunday
		{Weekly, "2026-03-02", "2026-03-02", "2026-03-08"}, // a Monday
		{Monthly, "2028-02-10", "2028-02-01", "2028-02-29"},
		{Quarterly, "2026-12-31", "2026-10-01", "2026-12-31"},
		{Quarterly, "2026-04-01", "2026-04-01", "2026-06-30"},
		{Yearly, "2026-07-15", "2026-01-01", "2026-12-31"},
	} {
		if s, e := Period(c.freq, c.d); s != c.start || e != c.end {
			t.Errorf("%s period of %s: %s–%s, want %s–%s", c.freq, c.d, s, e, c.start, c.end)
		}
	}
}
