package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/envhome/envhome/internal/model"
)

const taskColumns = `t.id, t.enterprise_id, e.name, e.region_id, t.inspection_id, t.code, t.point, t.severity, t.note, t.status, t.due_on,
	t.owner_manager_id, COALESCE(p.name, ''), t.evidence, t.evidence_note, t.created_at, t.updated_at`

const taskFrom = ` FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
	LEFT JOIN managers m ON m.id = t.owner_manager_id LEFT JOIN people p ON p.id = m.person_id`

func (s *Store) scanTask(r rowScanner) (*model.Task, error) {
	t := &model.Task{}
	var evidence string
	if err := r.Scan(&t.ID, &t.EnterpriseID, &t.EnterpriseName, &t.RegionID, &t.InspectionID, &t.Code, &t.Point, &t.Severity, &t.Note,
		&t.Status, &t.DueOn, &t.OwnerID, &t.OwnerName, &evidence, &t.EvidenceNote, timeCol{&t.CreatedAt}, timeCol{&t.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(evidence), &t.Evidence); err != nil {
		return nil, err
	}
	t.Overdue = t.Status != model.TaskClosed && t.DueOn < model.Today(s.Now())
	return t, nil
}

// Tasks lists the tasks of the enterprises in the actor's scope, the
// soonest due first.
func (s *Store) Tasks(ctx context.Context, a model.Actor, f model.TaskFilter) (model.List[*model.Task], error) {
	sc := a.Scope()
	cond, args := scopeSQL(sc)
	q := `SELECT ` + taskColumns + taskFrom + ` WHERE ` + cond
	if sc.RegionID != 0 {
		// The task's own copy of the town, which its index pages along.
		q += ` AND t.region_id = ?`
		args = append(args, sc.RegionID)
	}
	if f.EnterpriseID != 0 {
		q += ` AND t.enterprise_id = ?`
		args = append(args, f.EnterpriseID)
	}
	if f.Status != "" {
		q += ` AND t.status = ?`
		args = append(args, f.Status)
	}
	if f.After > 0 {
		q += ` AND t.id > ?`
		args = append(args, f.After)
	}
	q += ` ORDER BY t.id LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := s.query(ctx, q, args...)
	items, err := scanAll(rows, err, func(r *sql.Rows) (*model.Task, error) { return s.scanTask(r) })
	if err != nil {
		return model.List[*model.Task]{}, err
	}
	return model.PageOf(items, f.Limit, func(t *model.Task) int64 { return t.ID }), nil
}

// Task returns a task of an enterprise in scope, with its history.
func (s *Store) Task(ctx context.Context, a model.Actor, id int64) (*model.Task, error) {
	cond, args := scopeSQL(a.Scope())
	t, err := s.scanTask(s.queryRow(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	rows, err := s.query(ctx, `SELECT at, actor_name, action, note FROM task_events WHERE task_id = ? ORDER BY id`, id)
	t.History, err = scanAll(rows, err, func(r *sql.Rows) (model.TaskEvent, error) {
		var ev model.TaskEvent
		return ev, r.Scan(timeCol{&ev.At}, &ev.ActorName, &ev.Action, &ev.Note)
	})
	return t, err
}

// taskStep changes a task in one transaction after checking, on the row
// as it is now, that the step is allowed; the step is kept in the
// history.
func (s *Store) taskStep(ctx context.Context, a model.Actor, id int64, action, note string, allowed func(*model.Task) error, set string, args ...any) (*model.Task, error) {
	if _, err := s.Task(ctx, a, id); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *Tx) error {
		t, err := s.scanTask(tx.QueryRow(ctx, `SELECT `+taskColumns+taskFrom+` WHERE t.id = ?`+s.dialect.forUpdateOf("t"), id))
		if err != nil {
			return err
		}
		if err := allowed(t); err != nil {
			return err
		}
		now := ms(s.Now())
		if err := tx.touch(ctx, byEnterprise, []int64{t.EnterpriseID}, "tasks"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tasks SET `+set+`, updated_at = ? WHERE id = ?`, append(args, now, id)...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO task_events (task_id, at, actor_name, action, note) VALUES (?, ?, ?, ?, ?)`,
			id, now, a.Name(), action, note); err != nil {
			return err
		}
		if err := s.reassess(ctx, tx, t.EnterpriseID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "task."+action, "task", &id, model.Changes{"status": {Old: t.Status}})
	})
	if err != nil {
		return nil, fmt.Errorf("task %s: %w", action, err)
	}
	return s.Task(ctx, a, id)
}

func mayWork(a model.Actor) func(*model.Task) error {
	return func(t *model.Task) error {
		if a.Scope().EnterpriseID != t.EnterpriseID {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if t.Status != model.TaskOpen {
			return model.Errorf(model.ErrConflict, "err.task_not_open")
		}
		return nil
	}
}

// SetTaskOwner names the manager who rectifies; one of the enterprise's.
func (s *Store) SetTaskOwner(ctx context.Context, a model.Actor, id, managerID int64) (*model.Task, error) {
	// The task first: one out of scope is not found, whatever the manager.
	if _, err := s.Task(ctx, a, id); err != nil {
		return nil, err
	}
	m, err := s.Manager(ctx, a, managerID)
	if err != nil {
		return nil, fieldError(model.ErrInvalid, "manager_id", "err.field.manager_unknown")
	}
	return s.taskStep(ctx, a, id, "owner", m.Name, func(t *model.Task) error {
		if m.EnterpriseID != t.EnterpriseID {
			return fieldError(model.ErrInvalid, "manager_id", "err.field.manager_unknown")
		}
		return mayWork(a)(t)
	}, `owner_manager_id = ?`, managerID)
}

// AddTaskEvidence adds a stored file to an open task's evidence.
func (s *Store) AddTaskEvidence(ctx context.Context, a model.Actor, id int64, hash string) (*model.Task, error) {
	t, err := s.Task(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if len(t.Evidence) >= 10 {
		return nil, model.Errorf(model.ErrConflict, "err.task_evidence_full")
	}
	ev, _ := json.Marshal(append(t.Evidence, hash))
	return s.taskStep(ctx, a, id, "evidence", "", mayWork(a), `evidence = ?`, string(ev))
}

// TaskEvidenceCheck says whether the actor may add evidence now, before
// the upload is stored.
func (s *Store) TaskEvidenceCheck(ctx context.Context, a model.Actor, id int64) error {
	t, err := s.Task(ctx, a, id)
	if err != nil {
		return err
	}
	return mayWork(a)(t)
}

// SubmitTask hands an open task with evidence and a note to the verifier.
func (s *Store) SubmitTask(ctx context.Context, a model.Actor, id int64, note string) (*model.Task, error) {
	v := model.Validation{}
	if len([]rune(note)) < 2 {
		v.Add("note", "err.field.required")
	}
	if !model.PlainText(note, true) || len([]rune(note)) > 500 {
		v.Add("note", "err.field.too_long")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return s.taskStep(ctx, a, id, "submitted", note, func(t *model.Task) error {
		if err := mayWork(a)(t); err != nil {
			return err
		}
		if len(t.Evidence) == 0 {
			return fieldError(model.ErrInvalid, "evidence", "err.task_evidence_required")
		}
		return nil
	}, `status = 'submitted', evidence_note = ?`, note)
}

// VerifyTask closes a submitted task, or reopens it with a reason; the
// association of the enterprise's town or the bureau, never the
// enterprise.
func (s *Store) VerifyTask(ctx context.Context, a model.Actor, id int64, d model.TaskVerdict) (*model.Task, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	status, action := model.TaskClosed, "closed"
	if d.Decision == "reopen" {
		status, action = model.TaskOpen, "reopened"
	}
	return s.taskStep(ctx, a, id, action, d.Note, func(t *model.Task) error {
		if a.Scope().EnterpriseID != 0 || a.User == nil || (a.User.Role != model.RoleAdmin && a.User.Role != model.RoleAssociation) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if t.Status != model.TaskSubmitted {
			return model.Errorf(model.ErrConflict, "err.task_not_submitted")
		}
		return nil
	}, `status = ?`, status)
}
