package model

import (
	"slices"
	"strings"
	"time"
)

// Inspection kinds and statuses.
const (
	InspectionSelf = "self" // by the enterprise
	InspectionSpot = "spot" // by its town's association (or the bureau)

	InspectionDraft     = "draft"
	InspectionSubmitted = "submitted"
)

// Answer results.
const (
	ResultOK      = "ok"
	ResultProblem = "problem"
	ResultNA      = "na"
)

// Answer is the answer to one item.
type Answer struct {
	Code       string    `json:"code"`
	PointID    *int64    `json:"point_id"` // where it was answered, when by a point's QR label
	Result     string    `json:"result"`
	Note       string    `json:"note"`
	PhotoIDs   []int64   `json:"photo_ids"`
	AnsweredBy string    `json:"answered_by"`
	AnsweredAt time.Time `json:"answered_at"`
}

// AnswerInput is what an answer is given with.
type AnswerInput struct {
	PointID  *int64  `json:"point_id"`
	Result   string  `json:"result"`
	Note     string  `json:"note"`
	PhotoIDs []int64 `json:"photo_ids"`
}

// Validate checks an answer's own fields.
func (in *AnswerInput) Validate() error {
	v := Validation{}
	if !slices.Contains([]string{ResultOK, ResultProblem, ResultNA}, in.Result) {
		v.Add("result", "err.field.choice")
	}
	multiLineText(v, "note", &in.Note, 500)
	if len(in.PhotoIDs) > 6 {
		v.Add("photo_ids", "err.field.too_many")
	}
	return v.Err()
}

// InspectionItem is a checklist item with its answer, if any.
type InspectionItem struct {
	ChecklistItem
	Section string  `json:"section"`
	Answer  *Answer `json:"answer"`
}

// Inspection is an inspection with its items.
type Inspection struct {
	ID             int64            `json:"id"`
	EnterpriseID   int64            `json:"enterprise_id"`
	EnterpriseName string           `json:"enterprise_name"`
	ChecklistID    int64            `json:"checklist_id"`
	ChecklistTitle string           `json:"checklist_title"`
	Kind           string           `json:"kind"`
	Status         string           `json:"status"`
	StartedBy      string           `json:"started_by"`
	Earned         int              `json:"earned"`
	MaxScore       int              `json:"max_score"`
	Score          *float64         `json:"score"`
	Passed         *bool            `json:"passed"`
	SubmittedAt    *time.Time       `json:"submitted_at"`
	CreatedAt      time.Time        `json:"created_at"`
	Items          []InspectionItem `json:"items"`
	Tasks          []int64          `json:"tasks"`
	Photos         []Photo          `json:"photos"`
	// A correction of a submitted inspection is a new revision: RevisionOf
	// names the original, RevisionReason says why; the original's
	// SupersededBy names the revision once that is submitted.
	RevisionOf     *int64 `json:"revision_of"`
	RevisionReason string `json:"revision_reason"`
	SupersededBy   *int64 `json:"superseded_by"`
	// RevisionID names the revision, draft or submitted, once started.
	RevisionID *int64 `json:"revision_id"`
}

// Photo is a photo uploaded to an inspection, with when it was taken when
// the picture said so (its location is never kept).
type Photo struct {
	ID         int64      `json:"id"`
	TakenAt    *time.Time `json:"taken_at"`
	UploadedAt time.Time  `json:"uploaded_at"`
}

// Photo finds one of the inspection's photos.
func (in *Inspection) Photo(id int64) *Photo {
	for i := range in.Photos {
		if in.Photos[i].ID == id {
			return &in.Photos[i]
		}
	}
	return nil
}

// Answered counts the answered items.
func (in *Inspection) Answered() int {
	n := 0
	for _, it := range in.Items {
		if it.Answer != nil {
			n++
		}
	}
	return n
}

// Outcome is an inspection's score: earned of the applicable maximum
// (n/a items leave it) × 100; any critical problem fails it whatever the
// score, otherwise it passes at passMark.
type Outcome struct {
	Earned, Max int
	Score       float64
	Passed      bool
}

// Score scores answers against a checklist.
func Score(c *Checklist, answers map[string]*Answer, passMark float64) Outcome {
	var o Outcome
	critical := false
	for _, it := range c.Items() {
		a := answers[it.Code]
		if a == nil || a.Result == ResultNA {
			continue
		}
		o.Max += it.Weight
		switch a.Result {
		case ResultOK:
			o.Earned += it.Weight
		case ResultProblem:
			critical = critical || it.Severity == "critical"
		}
	}
	o.Score = 100
	if o.Max > 0 {
		o.Score = float64(o.Earned) * 100 / float64(o.Max)
	}
	o.Passed = !critical && o.Score >= passMark
	return o
}

// Incomplete lists what stops an inspection from being submitted, by
// field (items.CODE): unanswered items, problems without a note, problems
// without the photo their item requires.
func Incomplete(c *Checklist, answers map[string]*Answer) Validation {
	v := Validation{}
	for _, it := range c.Items() {
		a := answers[it.Code]
		f := "items." + it.Code
		switch {
		case a == nil:
			v.Add(f, "err.inspection.unanswered")
		case a.Result == ResultProblem && strings.TrimSpace(a.Note) == "":
			v.Add(f, "err.inspection.note_required")
		case a.Result == ResultProblem && it.PhotoRequired && len(a.PhotoIDs) == 0:
			v.Add(f, "err.inspection.photo_required")
		}
	}
	return v
}

// MayRunInspection reports whether the actor answers and submits
// inspections of the kind (of enterprises it can see): the enterprise its
// self-inspections, the bureau and associations their spot checks.
func (a Actor) MayRunInspection(kind string) bool {
	if a.User == nil {
		return a.IsAdmin() // the system (demo data)
	}
	if kind == InspectionSelf {
		return a.User.Role == RoleEnterprise
	}
	return a.User.Role == RoleAdmin || a.User.Role == RoleAssociation
}

// HonestyFlag is a spot check's problem on an item the enterprise's last
// self-inspection marked "ok".
type HonestyFlag struct {
	ID               int64     `json:"id"`
	EnterpriseID     int64     `json:"enterprise_id"`
	EnterpriseName   string    `json:"enterprise_name"`
	RegionName       string    `json:"region_name"`
	SpotInspectionID int64     `json:"spot_inspection_id"`
	SelfInspectionID int64     `json:"self_inspection_id"`
	Code             string    `json:"code"`
	Point            string    `json:"point"`
	CreatedAt        time.Time `json:"created_at"`
}

// Inspection point kinds.
var PointKinds = []string{"outlet", "facility", "waste_store", "other"}

// InspectionPoint is a place inspected on its own, with a QR label: an
// outlet, a treatment facility, the hazardous-waste store.
type InspectionPoint struct {
	ID           int64    `json:"id"`
	EnterpriseID int64    `json:"enterprise_id"`
	Name         string   `json:"name"`
	Kind         string   `json:"kind"`
	Codes        []string `json:"codes"` // the checklist items checked there
}

// Normalize tidies a point.
func (p *InspectionPoint) Normalize() {
	p.Name = strings.TrimSpace(p.Name)
	for i, c := range p.Codes {
		p.Codes[i] = strings.ToUpper(strings.TrimSpace(FoldWidth(c)))
	}
	p.Codes = slices.DeleteFunc(p.Codes, func(c string) bool { return c == "" })
}

// Validate checks a point after Normalize.
func (p *InspectionPoint) Validate() error {
	v := Validation{}
	requiredText(v, "name", p.Name, 60)
	if !slices.Contains(PointKinds, p.Kind) {
		v.Add("kind", "err.field.choice")
	}
	if len(p.Codes) == 0 {
		v.Add("codes", "err.field.required")
	}
	for _, c := range p.Codes {
		if !checkCodePattern.MatchString(c) {
			v.Add("codes", "err.field.check_code")
		}
	}
	if len(p.Codes) > 50 {
		v.Add("codes", "err.field.too_many")
	}
	return v.Err()
}
