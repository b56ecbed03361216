package model

import (
	"slices"
	"time"
)

// Task statuses: open → submitted (with evidence) → closed by a verifier,
// or back to open (reopened with a reason).
const (
	TaskOpen      = "open"
	TaskSubmitted = "submitted"
	TaskClosed    = "closed"
)

// Task is the rectification of one problem an inspection found.
type Task struct {
	ID             int64       `json:"id"`
	EnterpriseID   int64       `json:"enterprise_id"`
	EnterpriseName string      `json:"enterprise_name"`
	RegionID       int64       `json:"-"`
	InspectionID   int64       `json:"inspection_id"`
	Code           string      `json:"code"`
	Point          string      `json:"point"`
	Severity       string      `json:"severity"`
	Note           string      `json:"note"` // what the inspection found
	Status         string      `json:"status"`
	DueOn          Date        `json:"due_on"`
	Overdue        bool        `json:"overdue"`
	OwnerID        *int64      `json:"owner_manager_id"`
	OwnerName      string      `json:"owner_name"`
	Evidence       []string    `json:"evidence"` // stored files, by hash
	EvidenceNote   string      `json:"evidence_note"`
	CreatedAt      time.Time   `json:"created_at"`
	UpdatedAt      time.Time   `json:"updated_at"`
	History        []TaskEvent `json:"history,omitempty"`
	Can            *TaskRights `json:"can,omitempty"`
}

// TaskEvent is one step in a task's history.
type TaskEvent struct {
	At        time.Time `json:"at"`
	ActorName string    `json:"actor_name"`
	Action    string    `json:"action"` // opened, owner, evidence, submitted, closed, reopened
	Note      string    `json:"note"`
}

// TaskRights are what the actor may do next with a task.
type TaskRights struct {
	Work   bool `json:"work"`   // set the owner, add evidence, submit
	Verify bool `json:"verify"` // close or reopen a submitted task
}

// Rights computes a task's rights: the enterprise works its open tasks;
// the association of its town or the bureau verifies, never the
// enterprise itself.
func (t *Task) Rights(a Actor) *TaskRights {
	work := a.Scope().EnterpriseID == t.EnterpriseID && t.Status == TaskOpen
	verify := t.Status == TaskSubmitted && a.User != nil &&
		(a.User.Role == RoleAdmin || (a.User.Role == RoleAssociation && a.CanManageRegion(t.RegionID)))
	return &TaskRights{Work: work, Verify: verify}
}

// TaskVerdict closes or reopens a submitted task; reopening needs a note.
type TaskVerdict struct {
	Decision string `json:"decision"` // close | reopen
	Note     string `json:"note"`
}

// Validate checks a verdict.
func (v *TaskVerdict) Validate() error {
	val := Validation{}
	if !slices.Contains([]string{"close", "reopen"}, v.Decision) {
		val.Add("decision", "err.field.choice")
	}
	multiLineText(val, "note", &v.Note, 500)
	if v.Decision == "reopen" && len([]rune(v.Note)) < 2 {
		val.Add("note", "err.field.reason")
	}
	return val.Err()
}

// TaskFilter narrows a list of tasks.
type TaskFilter struct {
	EnterpriseID int64
	Status       string
	Page
}
