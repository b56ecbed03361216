package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
)

const jobColumns = `id, kind, status, payload, progress, total, result, error, user_id, attempts, created_at, updated_at`

func scanJob(r rowScanner) (*model.Job, error) {
	j := &model.Job{}
	var payload, result string
	err := r.Scan(&j.ID, &j.Kind, &j.Status, &payload, &j.Progress, &j.Total, &result, &j.Error, &j.UserID, &j.Attempts,
		timeCol{&j.CreatedAt}, timeCol{&j.UpdatedAt})
	j.Payload = json.RawMessage(payload)
	if result != "" {
		j.Result = json.RawMessage(result)
	}
	return j, err
}

// EnqueueJob stores a job for the workers of any instance.
func (s *Store) EnqueueJob(ctx context.Context, a model.Actor, kind string, payload any) (*model.Job, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, err
	}
	var j *model.Job
	err = s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO jobs (kind, status, payload, user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			kind, model.JobQueued, string(b), a.ID(), now, now).Scan(&id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "job.enqueue", "job", &id, model.Changes{"kind": {New: kind}}); err != nil {
			return err
		}
		j, err = scanJob(tx.QueryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("enqueue job: %w", err)
	}
	return j, nil
}

// ClaimJob leases the oldest due job: queued, or running under a lease that
// ran out because its worker died. Several instances claim safely: one
// conditional UPDATE takes the job (FOR UPDATE SKIP LOCKED on PostgreSQL).
func (s *Store) ClaimJob(ctx context.Context, lease time.Duration, maxAttempts int) (*model.Job, error) {
	var j *model.Job
	err := s.write(ctx, func(tx *Tx) error {
		now := s.Now()
		// Jobs whose workers died too often fail instead of looping forever.
		if _, err := tx.Exec(ctx, `UPDATE jobs SET status = ?, error = ?, updated_at = ?
			WHERE status = ? AND lease_until < ? AND attempts >= ?`,
			model.JobFailed, "gave up after repeated interruptions", ms(now), model.JobRunning, ms(now), maxAttempts); err != nil {
			return err
		}
		var err error
		j, err = scanJob(tx.QueryRow(ctx, `UPDATE jobs SET status = ?, lease_until = ?, attempts = attempts + 1, updated_at = ?
			WHERE id = (SELECT id FROM jobs WHERE status = ? OR (status = ? AND lease_until < ?) ORDER BY id LIMIT 1`+s.dialect.skipLocked()+`)
			RETURNING `+jobColumns,
			model.JobRunning, ms(now.Add(lease)), ms(now), model.JobQueued, model.JobRunning, ms(now)))
		if err == sql.ErrNoRows {
			j = nil
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("claim job: %w", err)
	}
	return j, nil
}

// JobProgress records progress and extends the lease.
func (s *Store) JobProgress(ctx context.Context, id int64, done, total int, lease time.Duration) error {
	now := s.Now()
	_, err := s.exec(ctx, `UPDATE jobs SET progress = ?, total = ?, lease_until = ?, updated_at = ? WHERE id = ? AND status = ?`,
		done, total, ms(now.Add(lease)), ms(now), id, model.JobRunning)
	return err
}

// FinishJob stores a job's result or error.
func (s *Store) FinishJob(ctx context.Context, id int64, result any, jobErr error) error {
	status, msg, b := model.JobDone, "", []byte{}
	if jobErr != nil {
		status, msg = model.JobFailed, jobErr.Error()
	}
	if result != nil {
		var err error
		if b, err = json.Marshal(result); err != nil {
			return err
		}
	}
	_, err := s.exec(ctx, `UPDATE jobs SET status = ?, result = ?, error = ?, progress = total, lease_until = 0, updated_at = ? WHERE id = ?`,
		status, string(b), msg, ms(s.Now()), id)
	return err
}

// Job returns a job its creator (or the bureau) may see.
func (s *Store) Job(ctx context.Context, a model.Actor, id int64) (*model.Job, error) {
	j, err := scanJob(s.queryRow(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	if !a.IsAdmin() && (j.UserID == nil || a.User == nil || *j.UserID != a.User.ID) {
		return nil, model.NotFound()
	}
	return j, nil
}

// JobPayload reads a job's payload into v.
func JobPayload(j *model.Job, v any) error { return json.Unmarshal(j.Payload, v) }

// ReleaseJob gives a claimed job back to the queue (the worker is stopping).
func (s *Store) ReleaseJob(ctx context.Context, id int64) error {
	_, err := s.exec(ctx, `UPDATE jobs SET status = ?, lease_until = 0, attempts = attempts - 1, updated_at = ? WHERE id = ? AND status = ?`,
		model.JobQueued, ms(s.Now()), id, model.JobRunning)
	return err
}

// JobResult reads a finished job's result into v.
func JobResult(j *model.Job, v any) error { return json.Unmarshal(j.Result, v) }
