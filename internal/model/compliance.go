package model

import "time"

// Compliance colours, best first.
const (
	Green  = "green"
	Yellow = "yellow"
	Red    = "red"
)

// ComplianceFacts are what an enterprise's colour is computed from.
type ComplianceFacts struct {
	Today Date
	// Overdue open or submitted tasks, by severity, with the earliest due
	// date of each severity.
	OverdueCritical, OverdueOther int
	FirstOverdue                  Date
	LastInspectionFailed          bool
	LastInspectionAt              *time.Time
	PermitValidTo                 Date
	ActiveManagers                int
	ManagersBehind                int // of the active ones, short of the year's hours
	OverdueObligations            int // calendar duties past their date, not done
	// Scheduled inspections missed in the last 90 days, and the earliest
	// one's due date.
	MissedInspections int
	FirstMissed       Date
}

// Deduction is one rule that lowers the colour, the fact behind it and
// its legal basis.
type Deduction struct {
	Rule  string `json:"rule"`
	Color string `json:"color"`
	// Reason is the explanation in the reader's language, written by
	// Explain from ReasonKey and Args.
	Reason    string `json:"reason"`
	ReasonKey string `json:"-"`
	Args      []any  `json:"-"`
	Basis     string `json:"basis"`
	Since     Date   `json:"since"`
}

// Explain writes each deduction's reason with t, a translator.
func (c *Compliance) Explain(t func(key string, args ...any) string) {
	for i := range c.Deductions {
		d := &c.Deductions[i]
		d.Reason = t(d.ReasonKey, d.Args...)
	}
}

// Compliance is an enterprise's colour with every deduction.
type Compliance struct {
	EnterpriseID int64       `json:"enterprise_id"`
	Color        string      `json:"color"`
	Deductions   []Deduction `json:"deductions"`
}

// Assess applies the rules to the facts. Each rule is explicit, names its
// basis, and a test covers it:
//   - an overdue critical rectification → red;
//   - a permit past its validity → red;
//   - overdue rectifications (other severities) at or over the threshold → yellow;
//   - scheduled inspections missed in 90 days at or over the threshold → yellow;
//   - the last inspection failed → yellow;
//   - no active environmental manager → yellow;
//   - active managers behind on the year's training hours → yellow.
func Assess(enterpriseID int64, f ComplianceFacts, th InspectionSettings) Compliance {
	c := Compliance{EnterpriseID: enterpriseID, Color: Green, Deductions: []Deduction{}}
	add := func(d Deduction) {
		c.Deductions = append(c.Deductions, d)
		if d.Color == Red || (d.Color == Yellow && c.Color == Green) {
			c.Color = d.Color
		}
	}
	if f.OverdueCritical > 0 {
		add(Deduction{Rule: "overdue_critical_task", Color: Red, ReasonKey: "rule.overdue_critical_task", Args: []any{f.OverdueCritical},
			Basis: "《中华人民共和国环境保护法》（排污者防治污染的责任）", Since: f.FirstOverdue})
	}
	if f.PermitValidTo != "" && f.PermitValidTo < f.Today {
		add(Deduction{Rule: "permit_expired", Color: Red, ReasonKey: "rule.permit_expired", Args: []any{string(f.PermitValidTo)},
			Basis: "《排污许可管理条例》（持证排污）", Since: f.PermitValidTo})
	}
	if th.OverdueTasksYellow > 0 && f.OverdueOther >= th.OverdueTasksYellow {
		add(Deduction{Rule: "overdue_tasks", Color: Yellow, ReasonKey: "rule.overdue_tasks", Args: []any{f.OverdueOther},
			Basis: "《浙江省生态环境保护条例》（企业环境管理主体责任）", Since: f.FirstOverdue})
	}
	if f.OverdueObligations > 0 {
		add(Deduction{Rule: "overdue_obligations", Color: Yellow, ReasonKey: "rule.overdue_obligations", Args: []any{f.OverdueObligations},
			Basis: "《排污许可管理条例》《企业环境信息依法披露管理办法》（按期报告与披露）", Since: f.Today})
	}
	if th.MissedInspectionsYellow > 0 && f.MissedInspections >= th.MissedInspectionsYellow {
		add(Deduction{Rule: "missed_inspections", Color: Yellow, ReasonKey: "rule.missed_inspections", Args: []any{f.MissedInspections},
			Basis: "本县企业环境保护自查制度（按计划频次自查）", Since: f.FirstMissed})
	}
	if f.LastInspectionFailed {
		since := f.Today
		if f.LastInspectionAt != nil {
			since = Today(*f.LastInspectionAt)
		}
		add(Deduction{Rule: "failed_inspection", Color: Yellow, ReasonKey: "rule.failed_inspection", Basis: "本县企业环境保护自查制度", Since: since})
	}
	if f.ActiveManagers == 0 {
		add(Deduction{Rule: "no_manager", Color: Yellow, ReasonKey: "rule.no_manager", Basis: "《浙江省生态环境保护条例》（环境管理人员）", Since: f.Today})
	}
	if f.ManagersBehind > 0 {
		add(Deduction{Rule: "managers_behind", Color: Yellow, ReasonKey: "rule.managers_behind", Args: []any{f.ManagersBehind, f.ActiveManagers},
			Basis: "本县环保管理员年度培训学时要求", Since: f.Today})
	}
	return c
}

// ComplianceChange is one change of an enterprise's colour.
type ComplianceChange struct {
	At    time.Time `json:"at"`
	Color string    `json:"color"`
	Rules []string  `json:"rules"`
}

// TownCompliance is one town's self-inspection picture.
type TownCompliance struct {
	RegionID     int64  `json:"region_id"`
	RegionName   string `json:"region_name"`
	Green        int    `json:"green"`
	Yellow       int    `json:"yellow"`
	Red          int    `json:"red"`
	Unassessed   int    `json:"unassessed"` // no colour computed yet
	OverdueTasks int    `json:"overdue_tasks"`
	HonestyFlags int    `json:"honesty_flags"`
	// MissedInspections are scheduled inspections missed in 90 days.
	MissedInspections int `json:"missed_inspections"`
}
