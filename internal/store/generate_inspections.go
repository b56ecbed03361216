package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// InspectionDataset is what GenerateInspections wrote.
type InspectionDataset struct {
	Inspections, Answers, Tasks, Coloured int
}

// GenerateInspections adds n submitted self-inspections against the
// published county checklist to the generated enterprises (every fourth
// one from the lowest id, so a million enterprises take 250,000), with an
// answer to every item (one in ten a problem), a rectification task per
// problem in every state (a fifth of them due in the past), and each
// inspected enterprise's colour from its tasks and score by the colour
// code's task rules: red with an overdue critical task, yellow with other
// overdue tasks or a failed inspection, green otherwise. It is the
// generator's, for benchmarks at province scale: set-based SQL in batches,
// not the users' path.
func (s *Store) GenerateInspections(ctx context.Context, n int, progress func(done int)) (InspectionDataset, error) {
	var out InspectionDataset
	sys := model.SystemActor()
	cs, err := s.Checklists(ctx, sys, false)
	if err != nil {
		return out, err
	}
	var c *model.Checklist
	for _, x := range cs {
		if x.Scope == model.ChecklistCounty && x.Status == model.ChecklistPublished {
			c = x
			break
		}
	}
	if c == nil {
		d, err := s.CreateChecklist(ctx, sys, model.CountyChecklist())
		if err != nil {
			return out, err
		}
		if c, err = s.PublishChecklist(ctx, sys, d.ID); err != nil {
			return out, err
		}
	}
	// The checklist's items as a table the statements join.
	var vals []string
	var args []any
	for i, it := range c.Items() {
		vals = append(vals, "(CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS INTEGER))")
		args = append(args, it.Code, i, it.Point, it.Severity, it.Weight)
	}
	items := `WITH items(code, n, point, severity, weight) AS (VALUES ` + strings.Join(vals, ", ") + `) `
	var lo, hi int64
	if err := s.queryRow(ctx, `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM enterprises`).Scan(&lo, &hi); err != nil {
		return out, err
	}
	if hi == 0 {
		return out, fmt.Errorf("no enterprises to inspect: generate them first")
	}
	n = min(n, int(hi-lo)/4+1)
	settings, err := s.InspectionSettings(ctx, nil)
	if err != nil {
		return out, err
	}
	now := s.Now()
	today := model.Today(now)
	past, future := string(today.AddDays(-20)), string(today.AddDays(20))
	at := ms(now.Add(-30 * 24 * time.Hour))
	const batch = 5_000
	for done := 0; done < n; done += batch {
		k := min(batch, n-done)
		err := s.write(ctx, func(tx *Tx) error {
			var first int64
			if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM inspections`).Scan(&first); err != nil {
				return err
			}
			// Inspections, one per fourth enterprise.
			if _, err := tx.Exec(ctx, `WITH RECURSIVE seq(x) AS (SELECT CAST(? AS BIGINT) UNION ALL SELECT x + 1 FROM seq WHERE x < ?)
				INSERT INTO inspections (enterprise_id, checklist_id, kind, status, started_by, max_score, submitted_at, created_at, updated_at)
				SELECT CAST(? AS BIGINT) + x * 4, ?, 'self', 'submitted', 'generator', ?, ?, ?, ? FROM seq`,
				done, done+k-1, lo, c.ID, c.MaxScore(), at, at, at); err != nil {
				return fmt.Errorf("inspections: %w", err)
			}
			last := first + int64(k)
			a := append([]any{}, args...)
			if _, err := tx.Exec(ctx, items+`INSERT INTO inspection_answers (inspection_id, code, result, note, photo_ids, answered_by, answered_at)
				SELECT i.id, items.code, CASE WHEN (i.id * 7 + items.n * 13) % 10 = 0 THEN 'problem' ELSE 'ok' END,
				CASE WHEN (i.id * 7 + items.n * 13) % 10 = 0 THEN '现场发现问题（生成数据）' ELSE '' END, '[]', 'generator', ?
				FROM inspections i CROSS JOIN items WHERE i.id > ? AND i.id <= ?`, append(a, at, first, last)...); err != nil {
				return fmt.Errorf("answers: %w", err)
			}
			// Scores from the answers: earned of the maximum.
			if _, err := tx.Exec(ctx, items+`UPDATE inspections SET earned = max_score - (SELECT COALESCE(SUM(items.weight), 0)
				FROM inspection_answers a JOIN items ON items.code = a.code WHERE a.inspection_id = inspections.id AND a.result = 'problem')
				WHERE id > ? AND id <= ?`, append(append([]any{}, args...), first, last)...); err != nil {
				return fmt.Errorf("scores: %w", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE inspections SET score = earned * 100.0 / max_score,
				passed = CASE WHEN earned * 100.0 >= max_score * ? AND NOT EXISTS (SELECT 1 FROM inspection_answers a
					WHERE a.inspection_id = inspections.id AND a.result = 'problem' AND a.code IN (`+criticalCodes(c)+`)) THEN 1 ELSE 0 END
				WHERE id > ? AND id <= ?`, settings.PassMark, first, last); err != nil {
				return fmt.Errorf("pass: %w", err)
			}
			// A task per problem: a third closed, a third submitted, a third
			// open; a fifth due in the past.
			if _, err := tx.Exec(ctx, items+`INSERT INTO tasks (enterprise_id, region_id, inspection_id, code, point, severity, note, status, due_on, created_at, updated_at)
				SELECT i.enterprise_id, (SELECT e.region_id FROM enterprises e WHERE e.id = i.enterprise_id), i.id, items.code, items.point, items.severity, a.note,
				CASE (i.id + items.n) % 3 WHEN 0 THEN 'closed' WHEN 1 THEN 'submitted' ELSE 'open' END,
				CASE WHEN (i.id + items.n) % 5 = 0 THEN ? ELSE ? END, ?, ?
				FROM inspection_answers a JOIN inspections i ON i.id = a.inspection_id JOIN items ON items.code = a.code
				WHERE a.result = 'problem' AND i.id > ? AND i.id <= ?`, append(append([]any{}, args...), past, future, at, at, first, last)...); err != nil {
				return fmt.Errorf("tasks: %w", err)
			}
			// Colours by the task rules, kept beside the enterprise too.
			if _, err := tx.Exec(ctx, `INSERT INTO compliance (enterprise_id, color, since, computed_at)
				SELECT i.enterprise_id, CASE
					WHEN EXISTS (SELECT 1 FROM tasks t WHERE t.inspection_id = i.id AND t.status <> 'closed' AND t.due_on < ? AND t.severity = 'critical') THEN 'red'
					WHEN i.passed = 0 OR EXISTS (SELECT 1 FROM tasks t WHERE t.inspection_id = i.id AND t.status <> 'closed' AND t.due_on < ?) THEN 'yellow'
					ELSE 'green' END, ?, ?
				FROM inspections i WHERE i.id > ? AND i.id <= ?
				ON CONFLICT (enterprise_id) DO UPDATE SET color = excluded.color, since = excluded.since, computed_at = excluded.computed_at`,
				string(today), string(today), at, at, first, last); err != nil {
				return fmt.Errorf("colours: %w", err)
			}
			_, err := tx.Exec(ctx, `UPDATE enterprises SET color = (SELECT c.color FROM compliance c WHERE c.enterprise_id = enterprises.id)
				WHERE id IN (SELECT enterprise_id FROM inspections WHERE id > ? AND id <= ?)`, first, last)
			return err
		})
		if err != nil {
			return out, fmt.Errorf("generate inspections: %w", err)
		}
		if progress != nil {
			progress(done + k)
		}
	}
	counts := []struct {
		q   string
		dst *int
	}{
		{`SELECT COUNT(*) FROM inspections`, &out.Inspections},
		{`SELECT COUNT(*) FROM inspection_answers`, &out.Answers},
		{`SELECT COUNT(*) FROM tasks`, &out.Tasks},
		{`SELECT COUNT(*) FROM compliance`, &out.Coloured},
	}
	for _, x := range counts {
		if err := s.queryRow(ctx, x.q).Scan(x.dst); err != nil {
			return out, err
		}
	}
	if err := s.Analyze(ctx); err != nil {
		return out, err
	}
	// The generator writes in bulk, past the writes that keep the towns'
	// figures: they are counted again from the rows.
	return out, s.recount(ctx, nil)
}

// CountInspections counts the inspections of every enterprise.
func (s *Store) CountInspections(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM inspections`).Scan(&n)
	return n, err
}

func criticalCodes(c *model.Checklist) string {
	var out []string
	for _, it := range c.Items() {
		if it.Severity == "critical" {
			out = append(out, "'"+it.Code+"'")
		}
	}
	if len(out) == 0 {
		return "''"
	}
	return strings.Join(out, ", ")
}

// TownRecount counts every town's enterprises by colour, as kept beside
// each enterprise, and their overdue rectifications, straight from the
// tables: what the towns' figures are checked against.
func (s *Store) TownRecount(ctx context.Context) (map[int64]model.TownCompliance, error) {
	out := map[int64]model.TownCompliance{}
	rows, err := s.query(ctx, `SELECT region_id, color, COUNT(*) FROM enterprises WHERE status = 'active' GROUP BY region_id, color`)
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var id int64
		var color string
		var n int
		if err := r.Scan(&id, &color, &n); err != nil {
			return err
		}
		t := out[id]
		t.RegionID = id
		switch color {
		case model.Green:
			t.Green = n
		case model.Yellow:
			t.Yellow = n
		case model.Red:
			t.Red = n
		default:
			t.Unassessed = n
		}
		out[id] = t
		return nil
	}); err != nil {
		return nil, err
	}
	rows, err = s.query(ctx, `SELECT e.region_id, COUNT(*) FROM tasks t JOIN enterprises e ON e.id = t.enterprise_id
		WHERE t.status <> 'closed' AND t.due_on < ? GROUP BY e.region_id`, string(model.Today(s.Now())))
	return out, eachRow(rows, err, func(r *sql.Rows) error {
		var id int64
		var n int
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		t := out[id]
		t.OverdueTasks = n
		out[id] = t
		return nil
	})
}

// InspectedEnterprises returns up to n enterprises with an inspection,
// spread over the table (for benchmarks).
func (s *Store) InspectedEnterprises(ctx context.Context, n int) ([]int64, error) {
	var total int
	if err := s.queryRow(ctx, `SELECT COUNT(*) FROM inspections`).Scan(&total); err != nil {
		return nil, err
	}
	step := max(1, total/max(n, 1))
	rows, err := s.query(ctx, `SELECT enterprise_id FROM inspections WHERE id % ? = 0 LIMIT ?`, step, n)
	return scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
}

// GenerateAccounts gives up to n enterprises without an account one each
// (a benchmark's readers; their password hash "!" matches no password),
// every hundredth with an email address. It returns how many it made.
func (s *Store) GenerateAccounts(ctx context.Context, n int) (int, error) {
	var made int64
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		res, err := tx.Exec(ctx, `INSERT INTO users (username, display_name, role, enterprise_id, password_hash, email, created_at, updated_at)
			SELECT 'gen-' || CAST(e.id AS TEXT), e.name, 'enterprise', e.id, '!', CASE WHEN e.id % 100 = 0 THEN 'gen' || CAST(e.id AS TEXT) || '@example.com' ELSE '' END, ?, ?
			FROM enterprises e WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.enterprise_id = e.id) ORDER BY e.id LIMIT ?`, now, now, n)
		if err != nil {
			return err
		}
		made, _ = res.RowsAffected()
		return nil
	})
	return int(made), err
}
