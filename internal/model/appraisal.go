package model

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// The managers' yearly appraisal (履职评价): each manager's year scored by
// explicit rules over what envhome knows, every point traced to its
// facts; the town's association confirms its grades with comments, the
// bureau publishes the county's list.

// Appraisal grades.
const (
	GradeExcellent   = "excellent"
	GradeQualified   = "qualified"
	GradeImprove     = "needs_improvement"
	GradeUnqualified = "unqualified"
)

// AppraisalGrades lists the grades, best first.
var AppraisalGrades = []string{GradeExcellent, GradeQualified, GradeImprove, GradeUnqualified}

// Appraisal statuses: computed (a draft the association may recompute),
// confirmed by the association, published by the bureau.
const (
	AppraisalDraft     = "draft"
	AppraisalConfirmed = "confirmed"
	AppraisalPublished = "published"
)

// AppraisalRules are the bureau's scoring rules. Each rule's points are
// its weight times a share (0–1) of what it measures; honesty flags take
// points away. Grades are thresholds on the total.
type AppraisalRules struct {
	Hours       float64 `json:"hours"`        // hours done over the requirement (capped at 1)
	Attendance  float64 `json:"attendance"`   // classes attended over classes booked
	Inspections float64 `json:"inspections"`  // scheduled self-inspections done on time over those due
	Tasks       float64 `json:"tasks"`        // rectifications submitted by their due date over those due
	Quizzes     float64 `json:"quizzes"`      // a passed study quiz in the year earns it whole
	HonestyFlag float64 `json:"honesty_flag"` // taken off per honesty flag in the year
	Excellent   float64 `json:"excellent"`    // thresholds on the total
	Qualified   float64 `json:"qualified"`
	Improve     float64 `json:"improve"`
}

// DefaultAppraisalRules weigh training most (the managers' own duty),
// then the enterprise's self-inspection and rectification the manager
// runs; 100 points in all.
func DefaultAppraisalRules() AppraisalRules {
	return AppraisalRules{Hours: 40, Attendance: 10, Inspections: 20, Tasks: 20, Quizzes: 10, HonestyFlag: 10,
		Excellent: 90, Qualified: 75, Improve: 60}
}

// Validate checks the rules: weights 0–100, thresholds falling.
func (r *AppraisalRules) Validate() error {
	v := Validation{}
	for f, x := range map[string]float64{"hours": r.Hours, "attendance": r.Attendance, "inspections": r.Inspections, "tasks": r.Tasks,
		"quizzes": r.Quizzes, "honesty_flag": r.HonestyFlag} {
		if math.IsNaN(x) || x < 0 || x > 100 {
			v.Add(f, "err.appraisal.weight")
		}
	}
	if !(r.Excellent > r.Qualified && r.Qualified > r.Improve && r.Improve > 0) || r.Excellent > r.Max() {
		v.Add("excellent", "err.appraisal.thresholds")
	}
	return v.Err()
}

// Max is the most a manager can score.
func (r AppraisalRules) Max() float64 {
	return r.Hours + r.Attendance + r.Inspections + r.Tasks + r.Quizzes
}

// AppraisalFacts are what envhome knows of a manager's year.
type AppraisalFacts struct {
	Hours             float64 `json:"hours"`
	Required          float64 `json:"required"`
	Booked            int     `json:"booked"`   // confirmed bookings of classes held
	Attended          int     `json:"attended"` // of those, present or late
	InspectionsDue    int     `json:"inspections_due"`
	InspectionsOnTime int     `json:"inspections_on_time"`
	TasksDue          int     `json:"tasks_due"`
	TasksOnTime       int     `json:"tasks_on_time"`
	QuizzesPassed     int     `json:"quizzes_passed"`
	HonestyFlags      int     `json:"honesty_flags"`
}

// AppraisalPoint is one rule's points with the facts behind them.
type AppraisalPoint struct {
	Rule   string  `json:"rule"`
	Points float64 `json:"points"`
	Max    float64 `json:"max"`
	Facts  string  `json:"facts"` // e.g. "10.5 / 12 h"
}

// Score applies the rules to a year's facts. A rule with nothing to
// measure (no class booked, no inspection or rectification due) earns
// its whole weight: a manager is not marked down for what was not asked.
func (r AppraisalRules) Score(f AppraisalFacts) (float64, string, []AppraisalPoint) {
	share := func(done, of float64) float64 {
		if of <= 0 {
			return 1
		}
		return math.Min(done/of, 1)
	}
	quiz := 0.0
	if f.QuizzesPassed > 0 {
		quiz = 1
	}
	points := []AppraisalPoint{
		{"hours", Round(r.Hours*share(f.Hours, f.Required), 2), r.Hours, fmt.Sprintf("%s / %s h", num(f.Hours), num(f.Required))},
		{"attendance", Round(r.Attendance*share(float64(f.Attended), float64(f.Booked)), 2), r.Attendance, fmt.Sprintf("%d / %d", f.Attended, f.Booked)},
		{"inspections", Round(r.Inspections*share(float64(f.InspectionsOnTime), float64(f.InspectionsDue)), 2), r.Inspections,
			fmt.Sprintf("%d / %d", f.InspectionsOnTime, f.InspectionsDue)},
		{"tasks", Round(r.Tasks*share(float64(f.TasksOnTime), float64(f.TasksDue)), 2), r.Tasks, fmt.Sprintf("%d / %d", f.TasksOnTime, f.TasksDue)},
		{"quizzes", Round(r.Quizzes*quiz, 2), r.Quizzes, fmt.Sprintf("%d", f.QuizzesPassed)},
		{"honesty_flags", -Round(r.HonestyFlag*float64(f.HonestyFlags), 2), 0, fmt.Sprintf("%d", f.HonestyFlags)},
	}
	total := 0.0
	for _, p := range points {
		total += p.Points
	}
	total = Round(math.Max(total, 0), 2)
	return total, r.Grade(total), points
}

// Grade is the grade of a total.
func (r AppraisalRules) Grade(total float64) string {
	switch {
	case total >= r.Excellent:
		return GradeExcellent
	case total >= r.Qualified:
		return GradeQualified
	case total >= r.Improve:
		return GradeImprove
	}
	return GradeUnqualified
}

// Appraisal is a manager's year.
type Appraisal struct {
	ManagerID      int64            `json:"manager_id"`
	Name           string           `json:"name"`
	EnterpriseID   int64            `json:"enterprise_id"`
	EnterpriseName string           `json:"enterprise_name"`
	RegionID       int64            `json:"region_id"`
	RegionName     string           `json:"region_name"`
	Year           int              `json:"year"`
	Score          float64          `json:"score"`
	Grade          string           `json:"grade"`
	Points         []AppraisalPoint `json:"points"`
	Facts          AppraisalFacts   `json:"facts"`
	Status         string           `json:"status"`
	Comment        string           `json:"comment"`
	ConfirmedBy    string           `json:"confirmed_by"`
	ConfirmedAt    *time.Time       `json:"confirmed_at"`
	PublishedAt    *time.Time       `json:"published_at"`
	ComputedAt     time.Time        `json:"computed_at"`
	// Plan lists the published courses an unqualified manager is to
	// take, by id and title.
	Plan []PlanCourse `json:"plan"`
}

// PlanCourse is a course on an improvement plan.
type PlanCourse struct {
	CourseID int64  `json:"course_id"`
	Title    string `json:"title"`
}

// AppraisalReview is the association's confirmation of a manager's
// grade, with its comment.
type AppraisalReview struct {
	Comment string `json:"comment"`
}

// Validate checks a review.
func (rv *AppraisalReview) Validate() error {
	v := Validation{}
	multiLineText(v, "comment", &rv.Comment, 500)
	return v.Err()
}

// GradeCounts are a town's or the county's managers by grade.
type GradeCounts struct {
	Excellent   int `json:"excellent"`
	Qualified   int `json:"qualified"`
	Improve     int `json:"needs_improvement"`
	Unqualified int `json:"unqualified"`
}

// Count adds a grade.
func (g *GradeCounts) Count(grade string) {
	switch grade {
	case GradeExcellent:
		g.Excellent++
	case GradeQualified:
		g.Qualified++
	case GradeImprove:
		g.Improve++
	case GradeUnqualified:
		g.Unqualified++
	}
}

// ValidGrade reports whether s is a grade.
func ValidGrade(s string) bool { return slices.Contains(AppraisalGrades, s) }
