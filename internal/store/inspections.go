package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/envhome/envhome/internal/model"
)

// inspectionRow is an inspection without its items.
const inspectionColumns = `i.id, i.enterprise_id, e.name, i.checklist_id, i.kind, i.status, i.started_by, i.earned, i.max_score,
	i.score, i.passed, i.submitted_at, i.created_at, i.revision_of, i.revision_reason, i.superseded_by`

func scanInspection(r rowScanner) (*model.Inspection, error) {
	in := &model.Inspection{Photos: []model.Photo{}}
	var score sql.NullFloat64
	var passed sql.NullInt64
	err := r.Scan(&in.ID, &in.EnterpriseID, &in.EnterpriseName, &in.ChecklistID, &in.Kind, &in.Status, &in.StartedBy, &in.Earned, &in.MaxScore,
		&score, &passed, nullTimeCol{&in.SubmittedAt}, timeCol{&in.CreatedAt}, &in.RevisionOf, &in.RevisionReason, &in.SupersededBy)
	if score.Valid {
		in.Score = &score.Float64
	}
	if passed.Valid {
		p := passed.Int64 == 1
		in.Passed = &p
	}
	return in, err
}

// StartInspection opens a draft inspection of an enterprise in scope
// against a published checklist that binds it: a self-inspection by the
// enterprise, a spot check by its town's association or the bureau.
func (s *Store) StartInspection(ctx context.Context, a model.Actor, enterpriseID, checklistID int64, kind string) (*model.Inspection, error) {
	if kind != model.InspectionSelf && kind != model.InspectionSpot {
		return nil, fieldError(model.ErrInvalid, "kind", "err.field.choice")
	}
	e, err := s.Enterprise(ctx, a, enterpriseID)
	if err != nil {
		return nil, err
	}
	if !a.MayRunInspection(kind) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	c, err := s.Checklist(ctx, a, checklistID)
	if err != nil || c.Status != model.ChecklistPublished || !c.Binds(e) {
		return nil, fieldError(model.ErrInvalid, "checklist_id", "err.inspection.checklist")
	}
	var id int64
	err = s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		if err := tx.QueryRow(ctx, `INSERT INTO inspections (enterprise_id, checklist_id, kind, status, started_by, max_score, created_at, updated_at)
			VALUES (?, ?, ?, 'draft', ?, ?, ?, ?) RETURNING id`, e.ID, c.ID, kind, a.Name(), c.MaxScore(), now, now).Scan(&id); err != nil {
			return err
		}
		if kind == model.InspectionSelf {
			if err := s.startOccurrence(ctx, tx, e.ID, c.FamilyID, id); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "inspection.start", "inspection", &id, model.Changes{"checklist_id": {New: c.ID}, "kind": {New: kind}})
	})
	if err != nil {
		return nil, fmt.Errorf("start inspection: %w", err)
	}
	return s.Inspection(ctx, a, id)
}

// inspectionTx reads an inspection in the actor's scope, with its
// checklist and answers.
func (s *Store) inspectionTx(ctx context.Context, q querier, a model.Actor, id int64) (*model.Inspection, *model.Checklist, map[string]*model.Answer, error) {
	cond, args := scopeSQL(a.Scope())
	in, err := scanInspection(q.QueryRow(ctx, `SELECT `+inspectionColumns+` FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id
		WHERE i.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, nil, nil, notFound(err)
	}
	c, err := scanChecklist(q.QueryRow(ctx, `SELECT `+checklistColumns+` FROM checklists c WHERE c.id = ?`, in.ChecklistID))
	if err != nil {
		return nil, nil, nil, err
	}
	in.ChecklistTitle = c.Title
	rows, err := q.Query(ctx, `SELECT code, point_id, result, note, photo_ids, answered_by, answered_at FROM inspection_answers WHERE inspection_id = ?`, id)
	answers := map[string]*model.Answer{}
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var x model.Answer
		var photos string
		if err := r.Scan(&x.Code, &x.PointID, &x.Result, &x.Note, &photos, &x.AnsweredBy, timeCol{&x.AnsweredAt}); err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(photos), &x.PhotoIDs); err != nil {
			return err
		}
		answers[x.Code] = &x
		return nil
	}); err != nil {
		return nil, nil, nil, err
	}
	for _, sec := range c.Sections {
		for _, it := range sec.Items {
			in.Items = append(in.Items, model.InspectionItem{ChecklistItem: it, Section: sec.Title, Answer: answers[it.Code]})
		}
	}
	rows, err = q.Query(ctx, `SELECT id, taken_at, created_at FROM inspection_photos WHERE inspection_id = ? ORDER BY id`, id)
	if in.Photos, err = scanAll(rows, err, func(r *sql.Rows) (model.Photo, error) {
		var p model.Photo
		return p, r.Scan(&p.ID, nullTimeCol{&p.TakenAt}, timeCol{&p.UploadedAt})
	}); err != nil {
		return nil, nil, nil, err
	}
	if in.Photos == nil {
		in.Photos = []model.Photo{}
	}
	var rev int64
	if err := q.QueryRow(ctx, `SELECT id FROM inspections WHERE revision_of = ?`, id).Scan(&rev); err == nil {
		in.RevisionID = &rev
	} else if err != sql.ErrNoRows {
		return nil, nil, nil, err
	}
	rows, err = q.Query(ctx, `SELECT id FROM tasks WHERE inspection_id = ? ORDER BY id`, id)
	in.Tasks = []int64{}
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var t int64
		if err := r.Scan(&t); err != nil {
			return err
		}
		in.Tasks = append(in.Tasks, t)
		return nil
	}); err != nil {
		return nil, nil, nil, err
	}
	return in, c, answers, nil
}

// Inspection returns an inspection of an enterprise in the actor's scope.
func (s *Store) Inspection(ctx context.Context, a model.Actor, id int64) (*model.Inspection, error) {
	in, _, _, err := s.inspectionTx(ctx, s.reader(), a, id)
	return in, err
}

// SaveAnswer saves one item's answer as it is given; a draft only.
func (s *Store) SaveAnswer(ctx context.Context, a model.Actor, id int64, code string, ans model.AnswerInput) (*model.Answer, error) {
	if err := ans.Validate(); err != nil {
		return nil, err
	}
	if ans.PhotoIDs == nil {
		ans.PhotoIDs = []int64{}
	}
	var out *model.Answer
	err := s.write(ctx, func(tx *Tx) error {
		in, c, _, err := s.inspectionTx(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !a.MayRunInspection(in.Kind) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if in.Status != model.InspectionDraft {
			return model.Errorf(model.ErrConflict, "err.inspection_submitted")
		}
		if _, ok := c.Item(code); !ok {
			return model.NotFound()
		}
		for _, p := range ans.PhotoIDs {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM inspection_photos WHERE id = ? AND inspection_id = ?`, p, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fieldError(model.ErrInvalid, "photo_ids", "err.inspection.photo_unknown")
			}
		}
		if ans.PointID != nil {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM inspection_points WHERE id = ? AND enterprise_id = ?`, *ans.PointID, in.EnterpriseID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fieldError(model.ErrInvalid, "point_id", "err.inspection.point_unknown")
			}
		}
		photos, _ := json.Marshal(ans.PhotoIDs)
		now := s.Now()
		if _, err := tx.Exec(ctx, `INSERT INTO inspection_answers (inspection_id, code, point_id, result, note, photo_ids, answered_by, answered_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (inspection_id, code) DO UPDATE SET point_id = excluded.point_id, result = excluded.result,
			note = excluded.note, photo_ids = excluded.photo_ids, answered_by = excluded.answered_by, answered_at = excluded.answered_at`,
			id, code, ans.PointID, ans.Result, ans.Note, string(photos), a.Name(), ms(now)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inspections SET updated_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return err
		}
		out = &model.Answer{Code: code, PointID: ans.PointID, Result: ans.Result, Note: ans.Note, PhotoIDs: ans.PhotoIDs, AnsweredBy: a.Name(), AnsweredAt: now}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("save answer: %w", err)
	}
	return out, nil
}

// AddInspectionPhoto records a stored photo as evidence of a draft
// inspection, with the time it was taken when the picture says.
func (s *Store) AddInspectionPhoto(ctx context.Context, a model.Actor, id int64, hash string, takenAt *int64) (int64, error) {
	var pid int64
	err := s.write(ctx, func(tx *Tx) error {
		in, _, _, err := s.inspectionTx(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !a.MayRunInspection(in.Kind) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if in.Status != model.InspectionDraft {
			return model.Errorf(model.ErrConflict, "err.inspection_submitted")
		}
		return tx.QueryRow(ctx, `INSERT INTO inspection_photos (inspection_id, file_hash, taken_at, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			id, hash, takenAt, ms(s.Now())).Scan(&pid)
	})
	return pid, err
}

// InspectionPhoto finds the stored file of a photo of an inspection in
// the actor's scope.
func (s *Store) InspectionPhoto(ctx context.Context, a model.Actor, pid int64) (string, error) {
	cond, args := scopeSQL(a.Scope())
	var hash string
	err := s.queryRow(ctx, `SELECT p.file_hash FROM inspection_photos p JOIN inspections i ON i.id = p.inspection_id
		JOIN enterprises e ON e.id = i.enterprise_id WHERE p.id = ? AND `+cond, append([]any{pid}, args...)...).Scan(&hash)
	return hash, notFound(err)
}

// InspectionPhotoCheck says whether the actor may upload photos to the
// inspection now, before the upload is stored.
func (s *Store) InspectionPhotoCheck(ctx context.Context, a model.Actor, id int64) error {
	in, err := s.Inspection(ctx, a, id)
	if err != nil {
		return err
	}
	if !a.MayRunInspection(in.Kind) {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if in.Status != model.InspectionDraft {
		return model.Errorf(model.ErrConflict, "err.inspection_submitted")
	}
	return nil
}

// SubmitInspection scores a draft in one transaction and opens a
// rectification task for each problem, due by its severity. Submitting a
// submitted inspection answers its result again; an incomplete one is
// refused naming each item.
func (s *Store) SubmitInspection(ctx context.Context, a model.Actor, id int64) (*model.Inspection, error) {
	err := s.write(ctx, func(tx *Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM inspections WHERE id = ?`+s.dialect.forUpdate(), id).Scan(&status); err != nil {
			return notFound(err)
		}
		in, c, answers, err := s.inspectionTx(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !a.MayRunInspection(in.Kind) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if status == model.InspectionSubmitted {
			return nil
		}
		if v := model.Incomplete(c, answers); len(v) > 0 {
			return &model.Error{Code: model.ErrInvalid, Message: "err.inspection.incomplete", Fields: v}
		}
		settings, err := s.InspectionSettings(ctx, tx)
		if err != nil {
			return err
		}
		o := model.Score(c, answers, settings.PassMark)
		now := s.Now()
		today := model.Today(now)
		if err := tx.touch(ctx, byEnterprise, []int64{in.EnterpriseID}, "enterprises", "inspections", "tasks", "honesty", "missed"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE inspections SET status = 'submitted', earned = ?, max_score = ?, score = ?, passed = ?, submitted_at = ?,
			updated_at = ? WHERE id = ?`, o.Earned, o.Max, o.Score, boolInt(o.Passed), ms(now), ms(now), id); err != nil {
			return err
		}
		for _, it := range c.Items() {
			ans := answers[it.Code]
			if ans.Result != model.ResultProblem {
				continue
			}
			var tid int64
			if err := tx.QueryRow(ctx, `INSERT INTO tasks (enterprise_id, region_id, inspection_id, code, point, severity, note, status, due_on, created_at, updated_at)
				VALUES (?, (SELECT region_id FROM enterprises WHERE id = ?), ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id`, in.EnterpriseID, in.EnterpriseID, id, it.Code, it.Point, it.Severity, ans.Note,
				string(today.AddDays(settings.TaskDays(it.Severity))), ms(now), ms(now)).Scan(&tid); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO task_events (task_id, at, actor_name, action, note) VALUES (?, ?, ?, 'opened', ?)`,
				tid, ms(now), a.Name(), ans.Note); err != nil {
				return err
			}
		}
		if in.Kind == model.InspectionSpot {
			if err := s.flagHonesty(ctx, tx, in, c, answers); err != nil {
				return err
			}
		} else if err := s.completeOccurrence(ctx, tx, in.EnterpriseID, c.FamilyID, id); err != nil {
			return err
		}
		if in.RevisionOf != nil {
			if _, err := tx.Exec(ctx, `UPDATE inspections SET superseded_by = ? WHERE id = ?`, id, *in.RevisionOf); err != nil {
				return err
			}
		}
		if err := s.reassess(ctx, tx, in.EnterpriseID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "inspection.submit", "inspection", &id, model.Changes{"score": {New: o.Score}, "passed": {New: o.Passed}})
	})
	if err != nil {
		return nil, fmt.Errorf("submit inspection: %w", err)
	}
	return s.Inspection(ctx, a, id)
}

// ReviseInspection starts the correction of a submitted inspection: a new
// draft against the same checklist version, with the answers and photos
// copied, made by whoever ran the original and with a reason. The
// original never changes; the revision supersedes it when submitted. An
// inspection has at most one revision.
func (s *Store) ReviseInspection(ctx context.Context, a model.Actor, id int64, reason string) (*model.Inspection, error) {
	reason = strings.TrimSpace(reason)
	if n := utf8.RuneCountInString(reason); n < 2 || n > 200 {
		return nil, fieldError(model.ErrInvalid, "reason", "err.field.reason")
	}
	var rid int64
	err := s.write(ctx, func(tx *Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM inspections WHERE id = ?`+s.dialect.forUpdate(), id).Scan(&status); err != nil {
			return notFound(err)
		}
		in, _, _, err := s.inspectionTx(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !a.MayRunInspection(in.Kind) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if status != model.InspectionSubmitted {
			return model.Errorf(model.ErrConflict, "err.inspection.revise_draft")
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM inspections WHERE revision_of = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return model.Errorf(model.ErrConflict, "err.inspection.revised")
		}
		now := ms(s.Now())
		if err := tx.QueryRow(ctx, `INSERT INTO inspections (enterprise_id, checklist_id, kind, status, started_by, max_score, revision_of,
			revision_reason, created_at, updated_at) SELECT enterprise_id, checklist_id, kind, 'draft', ?, max_score, id, ?, ?, ?
			FROM inspections WHERE id = ? RETURNING id`, a.Name(), reason, now, now, id).Scan(&rid); err != nil {
			return err
		}
		// Photos are copied with new ids, and the answers point at them.
		rows, err := tx.Query(ctx, `SELECT id, file_hash, taken_at, created_at FROM inspection_photos WHERE inspection_id = ? ORDER BY id`, id)
		type photo struct {
			id, created int64
			hash        string
			taken       sql.NullInt64
		}
		photos, err := scanAll(rows, err, func(r *sql.Rows) (photo, error) {
			var p photo
			return p, r.Scan(&p.id, &p.hash, &p.taken, &p.created)
		})
		if err != nil {
			return err
		}
		newID := map[int64]int64{}
		for _, p := range photos {
			var nid int64
			if err := tx.QueryRow(ctx, `INSERT INTO inspection_photos (inspection_id, file_hash, taken_at, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
				rid, p.hash, p.taken, p.created).Scan(&nid); err != nil {
				return err
			}
			newID[p.id] = nid
		}
		rows, err = tx.Query(ctx, `SELECT code, point_id, result, note, photo_ids, answered_by, answered_at FROM inspection_answers WHERE inspection_id = ?`, id)
		type answer struct {
			code, result, note, photos, by string
			point                          sql.NullInt64
			at                             int64
		}
		answers, err := scanAll(rows, err, func(r *sql.Rows) (answer, error) {
			var x answer
			return x, r.Scan(&x.code, &x.point, &x.result, &x.note, &x.photos, &x.by, &x.at)
		})
		if err != nil {
			return err
		}
		for _, x := range answers {
			var ids []int64
			if err := json.Unmarshal([]byte(x.photos), &ids); err != nil {
				return err
			}
			for i, p := range ids {
				ids[i] = newID[p]
			}
			mapped, _ := json.Marshal(ids)
			if _, err := tx.Exec(ctx, `INSERT INTO inspection_answers (inspection_id, code, point_id, result, note, photo_ids, answered_by, answered_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, rid, x.code, x.point, x.result, x.note, string(mapped), x.by, x.at); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "inspection.revise", "inspection", &rid, model.Changes{"revision_of": {New: id}, "reason": {New: reason}})
	})
	if err != nil {
		return nil, fmt.Errorf("revise inspection: %w", err)
	}
	return s.Inspection(ctx, a, rid)
}

// querier reads inside a transaction or outside one.
type querier interface {
	QueryRow(ctx context.Context, q string, args ...any) *sql.Row
	Query(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

// storeReader reads outside a transaction.
type storeReader struct{ s *Store }

func (r storeReader) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return r.s.queryRow(ctx, q, args...)
}

func (r storeReader) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return r.s.query(ctx, q, args...)
}

func (s *Store) reader() querier { return storeReader{s} }

// Inspections lists an enterprise's inspections in the actor's scope,
// newest first, without their items.
func (s *Store) Inspections(ctx context.Context, a model.Actor, enterpriseID int64) ([]*model.Inspection, error) {
	if _, err := s.Enterprise(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT `+inspectionColumns+`, c.title FROM inspections i JOIN enterprises e ON e.id = i.enterprise_id
		JOIN checklists c ON c.id = i.checklist_id WHERE i.enterprise_id = ? ORDER BY i.id DESC LIMIT 100`, enterpriseID)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Inspection, error) {
		var title string
		in, err := scanInspection(scanTail{r, []any{&title}})
		if in != nil {
			in.ChecklistTitle = title
			in.Items, in.Tasks = []model.InspectionItem{}, []int64{}
		}
		return in, err
	})
	if out == nil {
		out = []*model.Inspection{}
	}
	return out, err
}

// flagHonesty compares a spot check with the enterprise's last submitted
// self-inspection: a problem found where the enterprise answered "ok" is
// flagged. Items are matched by code (the county checklist's codes stay
// across versions).
func (s *Store) flagHonesty(ctx context.Context, tx *Tx, spot *model.Inspection, c *model.Checklist, answers map[string]*model.Answer) error {
	var self int64
	err := tx.QueryRow(ctx, `SELECT id FROM inspections WHERE enterprise_id = ? AND kind = 'self' AND status = 'submitted'
		ORDER BY submitted_at DESC, id DESC LIMIT 1`, spot.EnterpriseID).Scan(&self)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT code FROM inspection_answers WHERE inspection_id = ? AND result = 'ok'`, self)
	okCodes := map[string]bool{}
	if err := eachRow(rows, err, func(r *sql.Rows) error {
		var code string
		if err := r.Scan(&code); err != nil {
			return err
		}
		okCodes[code] = true
		return nil
	}); err != nil {
		return err
	}
	now := ms(s.Now())
	for _, it := range c.Items() {
		if a := answers[it.Code]; a != nil && a.Result == model.ResultProblem && okCodes[it.Code] {
			if _, err := tx.Exec(ctx, `INSERT INTO honesty_flags (enterprise_id, spot_inspection_id, self_inspection_id, code, point, created_at)
				VALUES (?, ?, ?, ?, ?, ?)`, spot.EnterpriseID, spot.ID, self, it.Code, it.Point, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// HonestyFlags lists the flags of the enterprises in the actor's scope,
// newest first.
func (s *Store) HonestyFlags(ctx context.Context, a model.Actor, p model.Page) (model.List[model.HonestyFlag], error) {
	cond, args := scopeSQL(a.Scope())
	q := `SELECT f.id, f.enterprise_id, e.name, r.name, f.spot_inspection_id, f.self_inspection_id, f.code, f.point, f.created_at
		FROM honesty_flags f JOIN enterprises e ON e.id = f.enterprise_id JOIN regions r ON r.id = e.region_id WHERE ` + cond
	if p.After > 0 {
		q += ` AND f.id < ?`
		args = append(args, p.After)
	}
	q += ` ORDER BY f.id DESC LIMIT ?`
	args = append(args, p.Limit+1)
	rows, err := s.query(ctx, q, args...)
	items, err := scanAll(rows, err, func(r *sql.Rows) (model.HonestyFlag, error) {
		var f model.HonestyFlag
		return f, r.Scan(&f.ID, &f.EnterpriseID, &f.EnterpriseName, &f.RegionName, &f.SpotInspectionID, &f.SelfInspectionID, &f.Code, &f.Point, timeCol{&f.CreatedAt})
	})
	if err != nil {
		return model.List[model.HonestyFlag]{}, err
	}
	return model.PageOf(items, p.Limit, func(f model.HonestyFlag) int64 { return f.ID }), nil
}

func scanPoint(r rowScanner) (*model.InspectionPoint, error) {
	p := &model.InspectionPoint{}
	var codes string
	if err := r.Scan(&p.ID, &p.EnterpriseID, &p.Name, &p.Kind, &codes); err != nil {
		return nil, err
	}
	return p, json.Unmarshal([]byte(codes), &p.Codes)
}

// Points lists an enterprise's inspection points.
func (s *Store) Points(ctx context.Context, a model.Actor, eid int64) ([]*model.InspectionPoint, error) {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT id, enterprise_id, name, kind, codes FROM inspection_points WHERE enterprise_id = ? ORDER BY id`, eid)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.InspectionPoint, error) { return scanPoint(r) })
	if out == nil {
		out = []*model.InspectionPoint{}
	}
	return out, err
}

// Point returns an inspection point of an enterprise in scope.
func (s *Store) Point(ctx context.Context, a model.Actor, id int64) (*model.InspectionPoint, error) {
	cond, args := scopeSQL(a.Scope())
	p, err := scanPoint(s.queryRow(ctx, `SELECT p.id, p.enterprise_id, p.name, p.kind, p.codes FROM inspection_points p
		JOIN enterprises e ON e.id = p.enterprise_id WHERE p.id = ? AND `+cond, append([]any{id}, args...)...))
	return p, notFound(err)
}

// CreatePoint registers an inspection point: the enterprise itself or the
// staff whose scope holds it.
func (s *Store) CreatePoint(ctx context.Context, a model.Actor, eid int64, p model.InspectionPoint) (*model.InspectionPoint, error) {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return nil, err
	}
	codes, _ := json.Marshal(p.Codes)
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO inspection_points (enterprise_id, name, kind, codes, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			eid, p.Name, p.Kind, string(codes), ms(s.Now())).Scan(&id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "point.create", "enterprise", &eid, model.Changes{"point": {New: p.Name}})
	})
	if err != nil {
		return nil, fmt.Errorf("create point: %w", err)
	}
	return s.Point(ctx, a, id)
}

// OpenDraft returns the enterprise's newest draft self-inspection, or
// starts one against the first published checklist that binds it.
func (s *Store) OpenDraft(ctx context.Context, a model.Actor, eid int64) (*model.Inspection, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT id FROM inspections WHERE enterprise_id = ? AND kind = 'self' AND status = 'draft' ORDER BY id DESC LIMIT 1`, eid).Scan(&id)
	if err == nil {
		return s.Inspection(ctx, a, id)
	}
	if err != sql.ErrNoRows {
		return nil, err
	}
	e, err := s.Enterprise(ctx, a, eid)
	if err != nil {
		return nil, err
	}
	cs, err := s.Checklists(ctx, a, false)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		if c.Status == model.ChecklistPublished && c.Binds(e) {
			return s.StartInspection(ctx, a, eid, c.ID, model.InspectionSelf)
		}
	}
	return nil, model.Errorf(model.ErrConflict, "err.inspection.checklist")
}
