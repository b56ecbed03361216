package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/envhome/envhome/internal/model"
)

// QueueDutyReminders tells an enterprise of a calendar duty 30, 7 and 1
// days before it is due, each stage once; any instance may run it.
func (s *Store) QueueDutyReminders(ctx context.Context) (int, error) {
	today := model.Today(s.Now())
	type due struct {
		id, eid int64
		kind    string
		period  string
		dueOn   model.Date
		stage   int
	}
	rows, err := s.query(ctx, `SELECT id, enterprise_id, kind, period, due_on, reminded FROM obligations
		WHERE done_at IS NULL AND due_on >= ? AND due_on <= ? ORDER BY due_on, id LIMIT 1000`, string(today), string(today.AddDays(30)))
	var list []due
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var d due
		var reminded int
		if err := r.Scan(&d.id, &d.eid, &d.kind, &d.period, &d.dueOn, &reminded); err != nil {
			return err
		}
		for _, stage := range []int{1, 7, 30} {
			if d.dueOn <= today.AddDays(stage) && (reminded == 0 || reminded > stage) {
				d.stage = stage
				list = append(list, d)
				break
			}
		}
		return nil
	}); err != nil || len(list) == 0 {
		return 0, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		for _, d := range list {
			n := model.Notice{Kind: model.NoticeDutyDue, Link: "/directory/enterprises/" + strconv.FormatInt(d.eid, 10) + "#calendar",
				Args: map[string]string{"duty": "ob." + d.kind, "due": string(d.dueOn), "days": strconv.Itoa(d.stage)},
				Key:  fmt.Sprintf("duty:%d:%d", d.id, d.stage)}
			if err := s.Notice(ctx, tx, n, EnterpriseAccounts(d.eid)); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE obligations SET reminded = ? WHERE id = ?`, d.stage, d.id); err != nil {
				return err
			}
		}
		return nil
	})
	return len(list), err
}

// EscalateTasks tells an enterprise of each rectification the day after
// it falls overdue, and its town's association a week later; once each.
func (s *Store) EscalateTasks(ctx context.Context) (int, error) {
	today := model.Today(s.Now())
	type task struct {
		id, eid, region int64
		code, point     string
		name            string
		dueOn           model.Date
		stage           int
	}
	rows, err := s.query(ctx, `SELECT t.id, t.enterprise_id, e.region_id, t.code, t.point, e.name, t.due_on, t.escalated
		FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
		WHERE t.status <> 'closed' AND t.due_on < ? AND t.escalated < 2 ORDER BY t.due_on, t.id LIMIT 1000`, string(today))
	var list []task
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var t task
		var escalated int
		if err := r.Scan(&t.id, &t.eid, &t.region, &t.code, &t.point, &t.name, &t.dueOn, &escalated); err != nil {
			return err
		}
		switch {
		case escalated == 0:
			t.stage = 1
		case escalated == 1 && t.dueOn < today.AddDays(-7):
			t.stage = 2
		default:
			return nil
		}
		list = append(list, t)
		return nil
	}); err != nil || len(list) == 0 {
		return 0, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		for _, t := range list {
			link := "/tasks/" + strconv.FormatInt(t.id, 10)
			n := model.Notice{Kind: model.NoticeTaskOverdue, Link: link, Key: fmt.Sprintf("task:%d:overdue", t.id),
				Args: map[string]string{"task": t.code + " " + t.point, "due": string(t.dueOn)}}
			to := EnterpriseAccounts(t.eid)
			if t.stage == 2 {
				n = model.Notice{Kind: model.NoticeTaskEscalated, Link: link, Key: fmt.Sprintf("task:%d:escalated", t.id),
					Args: map[string]string{"task": t.code + " " + t.point, "enterprise": t.name, "due": string(t.dueOn)}}
				to = RegionStaff(t.region)
			}
			if err := s.Notice(ctx, tx, n, to); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE tasks SET escalated = ? WHERE id = ? AND escalated < ?`, t.stage, t.id, t.stage); err != nil {
				return err
			}
		}
		return nil
	})
	return len(list), err
}
