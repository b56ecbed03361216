package model

import "time"

// Dashboard levels: the county (the bureau), a town (the bureau, its
// association) and an enterprise (the staff in scope, itself).
const (
	LevelCounty     = "county"
	LevelTown       = "town"
	LevelEnterprise = "enterprise"
)

// Figures are what a dashboard shows of a county, a town or an
// enterprise for a year. Counts of state (enterprises, managers, colours,
// open and overdue tasks, active deals) are as of now; the rest count
// what happened in the year.
type Figures struct {
	Enterprises    int     `json:"enterprises"`
	WithoutManager int     `json:"without_manager"`
	Managers       int     `json:"managers"`
	Behind         int     `json:"behind"`   // managers short of the year's hours
	Hours          float64 `json:"hours"`    // each manager's capped at the requirement
	Required       float64 `json:"required"` // the hours required of all managers
	// Classes held in the Homes (a town's: its Homes'), their seats,
	// seats taken (an enterprise's: its confirmed bookings; a town's also
	// seats offered from a waitlist and not yet answered), attendance
	// (present or late), feedback.
	Classes     int     `json:"classes"`
	Seats       int     `json:"seats"`
	Booked      int     `json:"booked"`
	Attended    int     `json:"attended"`
	Feedback    int     `json:"feedback"`
	FeedbackAvg float64 `json:"feedback_avg"` // 1–5; 0 without feedback
	// Self-inspection.
	InspectionsDone   int `json:"inspections_done"`
	InspectionsMissed int `json:"inspections_missed"`
	TasksOpen         int `json:"tasks_open"`
	TasksOverdue      int `json:"tasks_overdue"`
	Green             int `json:"green"`
	Yellow            int `json:"yellow"`
	Red               int `json:"red"`
	Unassessed        int `json:"unassessed"`
	// Notices to enterprises in the year and how many were read.
	Notices     int `json:"notices"`
	NoticesRead int `json:"notices_read"`
	// The through train: demands posted in the year, deals under way,
	// completed in the year and the money they save a year (万元).
	Demands        int     `json:"demands"`
	DealsActive    int     `json:"deals_active"`
	DealsCompleted int     `json:"deals_completed"`
	Saving         float64 `json:"saving"`
	// Emissions, tonnes of CO2.
	Scope1 float64 `json:"scope1"`
	Scope2 float64 `json:"scope2"`
	// The managers' grades of the year, confirmed or published.
	Grades GradeCounts `json:"grades"`
}

// Add adds g's counts to f (the county from its towns).
func (f *Figures) Add(g Figures) {
	fb := f.FeedbackAvg*float64(f.Feedback) + g.FeedbackAvg*float64(g.Feedback)
	f.Enterprises += g.Enterprises
	f.WithoutManager += g.WithoutManager
	f.Managers += g.Managers
	f.Behind += g.Behind
	f.Hours += g.Hours
	f.Required += g.Required
	f.Classes += g.Classes
	f.Seats += g.Seats
	f.Booked += g.Booked
	f.Attended += g.Attended
	f.Feedback += g.Feedback
	if f.Feedback > 0 {
		f.FeedbackAvg = Round(fb/float64(f.Feedback), 2)
	}
	f.InspectionsDone += g.InspectionsDone
	f.InspectionsMissed += g.InspectionsMissed
	f.TasksOpen += g.TasksOpen
	f.TasksOverdue += g.TasksOverdue
	f.Green += g.Green
	f.Yellow += g.Yellow
	f.Red += g.Red
	f.Unassessed += g.Unassessed
	f.Notices += g.Notices
	f.NoticesRead += g.NoticesRead
	f.Demands += g.Demands
	f.DealsActive += g.DealsActive
	f.DealsCompleted += g.DealsCompleted
	f.Saving = Round(f.Saving+g.Saving, 4)
	f.Scope1 = Round(f.Scope1+g.Scope1, 3)
	f.Scope2 = Round(f.Scope2+g.Scope2, 3)
	f.Grades.Excellent += g.Grades.Excellent
	f.Grades.Qualified += g.Grades.Qualified
	f.Grades.Improve += g.Grades.Improve
	f.Grades.Unqualified += g.Grades.Unqualified
}

// HoursPercent is the share of the required hours done, 0–100.
func (f Figures) HoursPercent() int { return percentOf(f.Hours, f.Required) }

// FillPercent is the share of seats booked.
func (f Figures) FillPercent() int { return percentOf(float64(f.Booked), float64(f.Seats)) }

// AttendancePercent is the share of confirmed bookings attended.
func (f Figures) AttendancePercent() int { return percentOf(float64(f.Attended), float64(f.Booked)) }

// ReadPercent is the share of notices read.
func (f Figures) ReadPercent() int { return percentOf(float64(f.NoticesRead), float64(f.Notices)) }

func percentOf(x, total float64) int {
	if total <= 0 {
		return 100
	}
	return int(x / total * 100)
}

// TownFigures are one town's figures on the county's dashboard.
type TownFigures struct {
	RegionID   int64  `json:"region_id"`
	RegionName string `json:"region_name"`
	Figures
}

// EnterpriseFigures are one enterprise's row on its town's dashboard.
type EnterpriseFigures struct {
	EnterpriseID int64   `json:"enterprise_id"`
	Name         string  `json:"name"`
	Color        string  `json:"color"`
	Managers     int     `json:"managers"`
	Hours        float64 `json:"hours"`
	Required     float64 `json:"required"`
	TasksOpen    int     `json:"tasks_open"`
	TasksOverdue int     `json:"tasks_overdue"`
	Inspections  int     `json:"inspections_done"`
	Scope1       float64 `json:"scope1"`
	Scope2       float64 `json:"scope2"`
}

// HoursPercent is the share of the required hours done.
func (e EnterpriseFigures) HoursPercent() int { return percentOf(e.Hours, e.Required) }

// Dashboard is a level's figures for a year, with the rows to drill down
// into: the county's towns, a town's enterprises (at most
// MaxDashboardEnterprises, those needing attention first), an
// enterprise's managers and months.
type Dashboard struct {
	Level          string              `json:"level"`
	Year           int                 `json:"year"`
	RegionID       *int64              `json:"region_id"`
	RegionName     string              `json:"region_name"`
	EnterpriseID   *int64              `json:"enterprise_id"`
	EnterpriseName string              `json:"enterprise_name"`
	Figures        Figures             `json:"figures"`
	Towns          []TownFigures       `json:"towns"`
	Enterprises    []EnterpriseFigures `json:"enterprises"`
	Managers       []CreditProgress    `json:"managers"`
	Months         []MonthEmissions    `json:"months"`
	ComputedAt     time.Time           `json:"computed_at"`
}

// MaxDashboardEnterprises bounds a town's rows on its dashboard.
const MaxDashboardEnterprises = 200
