package model

import "time"

// Due is something an enterprise must see to before a date: its permit,
// a manager's certificate; or a gap, such as having no manager.
type Due struct {
	Kind    string `json:"kind"`    // permit | cert | no_manager
	Subject string `json:"subject"` // the permit number, the manager's name
	Date    Date   `json:"date"`
	Late    bool   `json:"late"`
}

// DueWithin is how far ahead dates are shown.
const DueWithin = 183 // days

// DueItems lists what an enterprise must see to, from its record and its
// managers: permits and certificates that expire within DueWithin days
// (or have), and a missing manager.
func DueItems(e *Enterprise, ms []*Manager, today Date) []Due {
	horizon := today.AddDays(DueWithin)
	out := []Due{}
	if e.PermitValidTo != "" && e.PermitValidTo <= horizon {
		out = append(out, Due{Kind: "permit", Subject: e.PermitNo, Date: e.PermitValidTo, Late: e.PermitValidTo < today})
	}
	active := 0
	for _, m := range ms {
		if m.Status != ManagerActive {
			continue
		}
		active++
		if m.CertExpiresOn != "" && m.CertExpiresOn <= horizon {
			out = append(out, Due{Kind: "cert", Subject: m.Name, Date: m.CertExpiresOn, Late: m.CertExpiresOn < today})
		}
	}
	if active == 0 {
		out = append(out, Due{Kind: "no_manager"})
	}
	return out
}

// Workbench is a role's home: what to do now. Each role fills its part.
type Workbench struct {
	Role          Role    `json:"role"`
	Year          int     `json:"year"`
	RequiredHours float64 `json:"required_hours"`
	// An enterprise's: its record, its active managers' hours this year,
	// its coming bookings and what is due.
	Enterprise *Enterprise      `json:"enterprise,omitempty"`
	Managers   []CreditProgress `json:"managers,omitempty"`
	Bookings   []*Booking       `json:"bookings,omitempty"`
	Due        []Due            `json:"due,omitempty"`
	// Today's self-inspection work: scheduled inspections due or overdue,
	// open rectifications, calendar duties due within 30 days or late.
	InspectionsDue []Occurrence `json:"inspections_due,omitempty"`
	OpenTasks      []*Task      `json:"open_tasks,omitempty"`
	DutiesDue      []Obligation `json:"duties_due,omitempty"`
	// The bureau's and an association's: each town's figures and their
	// sum, claims waiting for a decision.
	Towns        []RegionStat `json:"towns,omitempty"`
	Total        *RegionStat  `json:"total,omitempty"`
	LinkRequests int          `json:"link_requests"`
	// Coming classes: the county's, the town's, the lecturer's own.
	Classes []*Class `json:"classes,omitempty"`
	// Self-inspection by town: enterprises by colour, overdue
	// rectifications, honesty flags.
	Compliance []TownCompliance `json:"compliance,omitempty"`
	// The through train's money saved: the county's first for the bureau,
	// then by town; an association's town.
	Savings []Savings `json:"savings,omitempty"`
}

// EnterpriseHours is one enterprise's managers' hours in a year.
type EnterpriseHours struct {
	EnterpriseID int64   `json:"enterprise_id"`
	Name         string  `json:"name"`
	Managers     int     `json:"managers"`
	Hours        float64 `json:"hours"`    // each manager's capped at the requirement
	Required     float64 `json:"required"` // of all its active managers
}

// Percent is the share of the required hours done.
func (e EnterpriseHours) Percent() int {
	if e.Required <= 0 {
		return 100
	}
	return int(e.Hours / e.Required * 100)
}

// ClassFill is one class's seats and attendance.
type ClassFill struct {
	ClassID     int64     `json:"class_id"`
	CourseTitle string    `json:"course_title"`
	StartsAt    time.Time `json:"starts_at"`
	Status      string    `json:"status"`
	Capacity    int       `json:"capacity"`
	Confirmed   int       `json:"confirmed"`
	Attended    int       `json:"attended"` // present or late
}

// Stats are the figures behind the bureau's and associations' charts:
// hours per town, the enterprises of a town furthest behind, and the
// fill and attendance of recent and coming classes.
type Stats struct {
	Year        int               `json:"year"`
	RegionID    int64             `json:"region_id"` // the town whose enterprises are listed
	Towns       []RegionStat      `json:"towns"`
	Enterprises []EnterpriseHours `json:"enterprises"`
	Classes     []ClassFill       `json:"classes"`
}
