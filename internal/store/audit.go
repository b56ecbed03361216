package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

// audit records one write inside the transaction that makes it, so a change
// and its audit entry commit or roll back together.
func (s *Store) audit(ctx context.Context, tx *Tx, a model.Actor, action, objectType string, objectID *int64, changes model.Changes) error {
	b := []byte("{}")
	if len(changes) > 0 {
		var err error
		if b, err = json.Marshal(changes); err != nil {
			return fmt.Errorf("audit: %w", err)
		}
	}
	_, err := tx.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, addr, changes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		ms(s.Now()), a.ID(), a.Name(), action, objectType, objectID, a.Addr, string(b))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// ListAudit pages through the audit log, newest first.
func (s *Store) ListAudit(ctx context.Context, f model.AuditFilter) (model.List[model.AuditEntry], error) {
	where, args := auditWhere(f)
	q := `SELECT id, at, actor_id, actor_name, action, object_type, object_id, addr, changes FROM audit_log WHERE 1=1` + where
	if f.After > 0 {
		q += ` AND id < ?`
		args = append(args, f.After)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := s.query(ctx, q, args...)
	items, err := scanAll(rows, err, func(r *sql.Rows) (model.AuditEntry, error) {
		var e model.AuditEntry
		var changes string
		err := r.Scan(&e.ID, timeCol{&e.At}, &e.ActorID, &e.ActorName, &e.Action, &e.ObjectType, &e.ObjectID, &e.Addr, &changes)
		e.Changes = json.RawMessage(changes)
		return e, err
	})
	if err != nil {
		return model.List[model.AuditEntry]{}, fmt.Errorf("list audit: %w", err)
	}
	return model.PageOf(items, f.Limit, func(e model.AuditEntry) int64 { return e.ID }), nil
}

// LogExport records that the actor downloaded a list (what: "enterprises",
// "audit") with the filter it used, before the download starts: who took
// personal information out, when, and which.
func (s *Store) LogExport(ctx context.Context, a model.Actor, what, filter string) error {
	return s.write(ctx, func(tx *Tx) error {
		return s.audit(ctx, tx, a, "export."+what, "export", nil, model.Changes{"filter": {New: filter}})
	})
}

// objectNames says, per object type, how to name objects by id.
var objectNames = map[string]string{
	"enterprise": `SELECT id, name FROM enterprises WHERE id IN `,
	"manager":    `SELECT m.id, p.name FROM managers m JOIN people p ON p.id = m.person_id WHERE m.id IN `,
	"user":       `SELECT id, CASE WHEN display_name <> '' THEN display_name ELSE username END FROM users WHERE id IN `,
	"class":      `SELECT k.id, co.title FROM classes k JOIN courses co ON co.id = k.course_id WHERE k.id IN `,
	"course":     `SELECT id, title FROM courses WHERE id IN `,
	"booking":    `SELECT b.id, p.name FROM bookings b JOIN people p ON p.id = b.person_id WHERE b.id IN `,
	"home":       `SELECT id, name FROM homes WHERE id IN `,
	"region":     `SELECT id, name FROM regions WHERE id IN `,
	"lecturer":   `SELECT id, name FROM lecturers WHERE id IN `,
}

// AuditObjectNames names the objects of audit entries, keyed "type:id";
// objects of other types, or gone, are left out.
func (s *Store) AuditObjectNames(ctx context.Context, es []model.AuditEntry) (map[string]string, error) {
	ids := map[string][]any{}
	for _, e := range es {
		if e.ObjectID != nil && objectNames[e.ObjectType] != "" {
			ids[e.ObjectType] = append(ids[e.ObjectType], *e.ObjectID)
		}
	}
	out := map[string]string{}
	for typ, list := range ids {
		rows, err := s.query(ctx, objectNames[typ]+`(?`+strings.Repeat(", ?", len(list)-1)+`)`, list...)
		if err := eachRow(rows, err, func(r *sql.Rows) error {
			var id int64
			var name string
			if err := r.Scan(&id, &name); err != nil {
				return err
			}
			out[typ+":"+strconv.FormatInt(id, 10)] = name
			return nil
		}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// auditWhere is the filter's part of a query on the audit log.
func auditWhere(f model.AuditFilter) (string, []any) {
	q := ""
	var args []any
	if f.ActorID != nil {
		q += ` AND actor_id = ?`
		args = append(args, *f.ActorID)
	}
	if f.ActorName != nil {
		q += ` AND actor_name LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(*f.ActorName)+"%")
	}
	if f.Action != nil && *f.Action != "" {
		q += ` AND action >= ? AND action < ?`
		args = append(args, *f.Action, *f.Action+"\U0010FFFF")
	}
	if f.ObjectType != nil && *f.ObjectType != "" {
		q += ` AND object_type = ?`
		args = append(args, *f.ObjectType)
	}
	if f.ObjectID != nil {
		q += ` AND object_id = ?`
		args = append(args, *f.ObjectID)
	}
	if f.Since != nil {
		q += ` AND at >= ?`
		args = append(args, ms(*f.Since))
	}
	if f.Until != nil {
		q += ` AND at < ?`
		args = append(args, ms(*f.Until))
	}
	return q, args
}

// CountAudit counts the entries a filter finds, up to CountCap+1.
func (s *Store) CountAudit(ctx context.Context, f model.AuditFilter) (int, error) {
	where, args := auditWhere(f)
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM audit_log WHERE 1=1`+where+` LIMIT ?) t`, append(args, CountCap+1)...).Scan(&n)
	return n, err
}
