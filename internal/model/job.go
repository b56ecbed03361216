package model

import (
	"encoding/json"
	"time"
)

// Job statuses.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is persistent background work, such as a roster import.
type Job struct {
	ID        int64           `json:"id"`
	Kind      string          `json:"kind"`
	Status    string          `json:"status"`
	Payload   json.RawMessage `json:"-"`
	Progress  int             `json:"progress"`
	Total     int             `json:"total"`
	Result    json.RawMessage `json:"result"`
	Error     string          `json:"error"`
	UserID    *int64          `json:"user_id"`
	Attempts  int             `json:"attempts"`
	CreatedAt time.Time       `json:"created_at"`
	UpdatedAt time.Time       `json:"updated_at"`
	// Can is what the asking actor may do next with the job.
	Can *JobRights `json:"can,omitempty"`
}

// Finished reports whether the job will change no more.
func (j *Job) Finished() bool { return j.Status == JobDone || j.Status == JobFailed }
