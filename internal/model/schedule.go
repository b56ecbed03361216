package model

import (
	"slices"
	"time"
)

// InspectionSettings are the bureau's choices for self-inspection: the
// pass mark, the days a rectification is due in by severity, and the
// thresholds of the colour code's rules.
type InspectionSettings struct {
	PassMark     float64 `json:"pass_mark"` // 50–100
	CriticalDays int     `json:"critical_days"`
	MajorDays    int     `json:"major_days"`
	MinorDays    int     `json:"minor_days"`
	// OverdueTasksYellow overdue rectifications (not critical) make yellow.
	OverdueTasksYellow int `json:"overdue_tasks_yellow"`
	// MissedInspectionsYellow missed scheduled inspections in 90 days make yellow.
	MissedInspectionsYellow int `json:"missed_inspections_yellow"`
	// MissedAfterDays is how long a scheduled inspection may be late before
	// it counts as missed.
	MissedAfterDays int `json:"missed_after_days"`
}

// DefaultInspectionSettings hold until the bureau changes them.
func DefaultInspectionSettings() InspectionSettings {
	return InspectionSettings{PassMark: 80, CriticalDays: 3, MajorDays: 15, MinorDays: 30,
		OverdueTasksYellow: 1, MissedInspectionsYellow: 1, MissedAfterDays: 7}
}

// TaskDays is the days a problem of the severity is due in.
func (s InspectionSettings) TaskDays(severity string) int {
	switch severity {
	case "critical":
		return s.CriticalDays
	case "major":
		return s.MajorDays
	}
	return s.MinorDays
}

// Validate checks settings.
func (s *InspectionSettings) Validate() error {
	v := Validation{}
	if s.PassMark < 50 || s.PassMark > 100 {
		v.Add("pass_mark", "err.field.pass_mark")
	}
	for f, n := range map[string]int{"critical_days": s.CriticalDays, "major_days": s.MajorDays, "minor_days": s.MinorDays} {
		if n < 1 || n > 365 {
			v.Add(f, "err.field.task_days")
		}
	}
	if s.CriticalDays > s.MajorDays || s.MajorDays > s.MinorDays {
		v.Add("major_days", "err.field.task_days_order")
	}
	for f, n := range map[string]int{"overdue_tasks_yellow": s.OverdueTasksYellow, "missed_inspections_yellow": s.MissedInspectionsYellow} {
		if n < 1 || n > 100 {
			v.Add(f, "err.field.threshold")
		}
	}
	if s.MissedAfterDays < 0 || s.MissedAfterDays > 60 {
		v.Add("missed_after_days", "err.field.missed_after_days")
	}
	return v.Err()
}

// Inspection frequencies.
const (
	Daily     = "daily"
	Weekly    = "weekly"
	Monthly   = "monthly"
	Quarterly = "quarterly"
	Yearly    = "yearly"
)

// Frequencies lists them, most frequent first.
var Frequencies = []string{Daily, Weekly, Monthly, Quarterly, Yearly}

// DefaultFrequency is how often an enterprise must do a checklist that
// binds it, from its directory facts: key discharge units and holders of a
// key-management permit every month, simplified-management permits every
// quarter, the rest every year.
func DefaultFrequency(e *Enterprise) string {
	for _, r := range FrequencyRules {
		if (r.KeyUnit && len(e.KeyLists) > 0) || (r.PermitClass != "" && e.PermitClass == r.PermitClass) {
			return r.Frequency
		}
	}
	return Yearly
}

// FrequencyRule is one of DefaultFrequency's rules: an enterprise on any
// key-unit list (when KeyUnit) or of the permit class gets the frequency.
type FrequencyRule struct {
	KeyUnit     bool   // on any key-unit list
	PermitClass string // or of this permit class
	Frequency   string
}

// FrequencyRules are DefaultFrequency's rules in order; Yearly otherwise.
var FrequencyRules = []FrequencyRule{
	{KeyUnit: true, PermitClass: PermitKey, Frequency: Monthly},
	{PermitClass: PermitSimplified, Frequency: Quarterly},
}

// Period is the period of the frequency that holds d: its first and last
// day (weeks start on Monday).
func Period(freq string, d Date) (start, end Date) {
	t, _ := time.Parse("2006-01-02", string(d))
	var s, e time.Time
	switch freq {
	case Daily:
		s, e = t, t
	case Weekly:
		s = t.AddDate(0, 0, -((int(t.Weekday()) + 6) % 7))
		e = s.AddDate(0, 0, 6)
	case Monthly:
		s = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		e = s.AddDate(0, 1, -1)
	case Quarterly:
		s = time.Date(t.Year(), time.Month((int(t.Month())-1)/3*3+1), 1, 0, 0, 0, 0, time.UTC)
		e = s.AddDate(0, 3, -1)
	default:
		s = time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		e = s.AddDate(1, 0, -1)
	}
	return Date(s.Format("2006-01-02")), Date(e.Format("2006-01-02"))
}

// Occurrence statuses.
const (
	OccurrenceScheduled  = "scheduled"
	OccurrenceInProgress = "in_progress"
	OccurrenceCompleted  = "completed"
	OccurrenceOverdue    = "overdue"
	OccurrenceMissed     = "missed"
)

// OccurrenceStatuses lists them.
var OccurrenceStatuses = []string{OccurrenceScheduled, OccurrenceInProgress, OccurrenceCompleted, OccurrenceOverdue, OccurrenceMissed}

// Schedule says how often an enterprise must do a checklist.
type Schedule struct {
	ID             int64  `json:"id"`
	EnterpriseID   int64  `json:"enterprise_id"`
	FamilyID       int64  `json:"family_id"` // the checklist, in whatever version is published
	ChecklistTitle string `json:"checklist_title"`
	Frequency      string `json:"frequency"`
	// Adjusted is true when the association or the bureau set the
	// frequency by hand; the derivation then leaves it alone.
	Adjusted bool `json:"adjusted"`
	Active   bool `json:"active"`
	// Occurrences are the current and coming periods, and past ones not
	// completed, newest first.
	Occurrences []Occurrence `json:"occurrences"`
}

// Occurrence is one period in which a scheduled inspection is due.
type Occurrence struct {
	ID             int64      `json:"id"`
	ScheduleID     int64      `json:"schedule_id"`
	EnterpriseID   int64      `json:"enterprise_id"`
	EnterpriseName string     `json:"enterprise_name,omitempty"`
	FamilyID       int64      `json:"family_id"`
	ChecklistTitle string     `json:"checklist_title"`
	PeriodStart    Date       `json:"period_start"`
	DueOn          Date       `json:"due_on"`
	Status         string     `json:"status"`
	InspectionID   *int64     `json:"inspection_id"`
	CompletedAt    *time.Time `json:"completed_at"`
}

// ValidFrequency checks a frequency chosen by hand.
func ValidFrequency(f string) error {
	if !slices.Contains(Frequencies, f) {
		return &Error{Code: ErrInvalid, Message: "err.invalid", Fields: map[string]string{"frequency": "err.field.choice"}}
	}
	return nil
}

// MaySetSchedule reports whether the actor sets how often the enterprise
// (which it can see) must self-inspect: its town's association or the
// bureau, never the enterprise itself.
func (a Actor) MaySetSchedule(e *Enterprise) bool { return a.CanManageRegion(e.RegionID) }
