package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/envhome/envhome/internal/model"
)

const checklistColumns = `c.id, c.family_id, c.version, c.scope, c.region_id, c.enterprise_id, c.title, c.content, c.applies_to,
	c.status, c.published_at, c.created_at, c.updated_at`

func scanChecklist(r rowScanner) (*model.Checklist, error) {
	c := &model.Checklist{}
	var content, applies string
	if err := r.Scan(&c.ID, &c.FamilyID, &c.Version, &c.Scope, &c.RegionID, &c.EnterpriseID, &c.Title, &content, &applies,
		&c.Status, nullTimeCol{&c.PublishedAt}, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(content), &c.Sections); err != nil {
		return nil, fmt.Errorf("checklist %d content: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(applies), &c.AppliesTo); err != nil {
		return nil, fmt.Errorf("checklist %d applies_to: %w", c.ID, err)
	}
	return c, nil
}

// checklistScope is the condition for the checklists an actor may see:
// the bureau every one; an association the county's published ones, its
// town's and its town's enterprises' own; an enterprise the published
// county and town ones that may bind it and its own. Drafts only to
// their authors (and the bureau).
func checklistScope(a model.Actor) (string, []any) {
	sc := a.Scope()
	switch {
	case sc.All:
		return `1=1`, nil
	case sc.RegionID != 0:
		return `((c.scope = 'county' AND c.status <> 'draft') OR (c.scope = 'town' AND c.region_id = ?)
			OR (c.scope = 'enterprise' AND c.status <> 'draft' AND c.enterprise_id IN (SELECT id FROM enterprises WHERE region_id = ?)))`,
			[]any{sc.RegionID, sc.RegionID}
	case sc.EnterpriseID != 0:
		return `((c.scope = 'county' AND c.status <> 'draft')
			OR (c.scope = 'town' AND c.status <> 'draft' AND c.region_id = (SELECT region_id FROM enterprises WHERE id = ?))
			OR (c.scope = 'enterprise' AND c.enterprise_id = ?))`, []any{sc.EnterpriseID, sc.EnterpriseID}
	}
	return `1=0`, nil
}

// Checklist returns a checklist version the actor may see.
func (s *Store) Checklist(ctx context.Context, a model.Actor, id int64) (*model.Checklist, error) {
	cond, args := checklistScope(a)
	c, err := scanChecklist(s.queryRow(ctx, `SELECT `+checklistColumns+` FROM checklists c WHERE c.id = ? AND `+cond, append([]any{id}, args...)...))
	return c, notFound(err)
}

// Checklists lists the checklists the actor may see, by scope and title;
// versions a newer one replaced only with all.
func (s *Store) Checklists(ctx context.Context, a model.Actor, all bool) ([]*model.Checklist, error) {
	cond, args := checklistScope(a)
	if !all {
		cond += ` AND c.status <> 'retired'`
	}
	rows, err := s.query(ctx, `SELECT `+checklistColumns+` FROM checklists c WHERE `+cond+`
		ORDER BY CASE c.scope WHEN 'county' THEN 0 WHEN 'town' THEN 1 ELSE 2 END, c.family_id, c.version DESC`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Checklist, error) { return scanChecklist(r) })
	if out == nil {
		out = []*model.Checklist{}
	}
	return out, err
}

func checklistJSON(in *model.ChecklistInput) (string, string) {
	content, _ := json.Marshal(in.Sections)
	applies := in.AppliesTo
	for _, l := range []*[]string{&applies.PermitClasses, &applies.IndustryPrefixes, &applies.KeyLists} {
		if *l == nil {
			*l = []string{}
		}
	}
	a, _ := json.Marshal(applies)
	return string(content), string(a)
}

// CreateChecklist starts a checklist as a draft, in the author's scope:
// the bureau's are the county's, an association's its town's, an
// enterprise's its own.
func (s *Store) CreateChecklist(ctx context.Context, a model.Actor, in model.ChecklistInput) (*model.Checklist, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := checkChecklistRefs(ctx, s.reader(), &in); err != nil {
		return nil, err
	}
	c := &model.Checklist{Status: model.ChecklistDraft, Version: 1}
	sc := a.Scope()
	switch {
	case a.IsAdmin():
		c.Scope = model.ChecklistCounty
	case a.User != nil && a.User.Role == model.RoleAssociation && sc.RegionID != 0:
		c.Scope, c.RegionID = model.ChecklistTown, &sc.RegionID
	case sc.EnterpriseID != 0:
		c.Scope, c.EnterpriseID = model.ChecklistEnterprise, &sc.EnterpriseID
	default:
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	content, applies := checklistJSON(&in)
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		if err := tx.QueryRow(ctx, `INSERT INTO checklists (family_id, version, scope, region_id, enterprise_id, title, content, applies_to,
			status, created_at, updated_at) VALUES (0, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			c.Scope, c.RegionID, c.EnterpriseID, in.Title, content, applies, c.Status, now, now).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE checklists SET family_id = ? WHERE id = ?`, id, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "checklist.create", "checklist", &id, model.Changes{"title": {New: in.Title}})
	})
	if err != nil {
		return nil, fmt.Errorf("create checklist: %w", err)
	}
	return s.Checklist(ctx, a, id)
}

// UpdateChecklist changes a draft in place. A published version is never
// changed: the change becomes a new draft version of the same checklist
// (refused if one is already being drafted). A retired one is refused.
func (s *Store) UpdateChecklist(ctx context.Context, a model.Actor, id int64, in model.ChecklistInput) (*model.Checklist, error) {
	in.Normalize()
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := checkChecklistRefs(ctx, s.reader(), &in); err != nil {
		return nil, err
	}
	c, err := s.Checklist(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !a.ChecklistOwner(c) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	content, applies := checklistJSON(&in)
	out := id
	err = s.write(ctx, func(tx *Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM checklists WHERE id = ?`, id).Scan(&status); err != nil {
			return err
		}
		now := ms(s.Now())
		switch status {
		case model.ChecklistDraft:
			if _, err := tx.Exec(ctx, `UPDATE checklists SET title = ?, content = ?, applies_to = ?, updated_at = ? WHERE id = ? AND status = 'draft'`,
				in.Title, content, applies, now, id); err != nil {
				return err
			}
		case model.ChecklistPublished:
			var next int
			if err := tx.QueryRow(ctx, `SELECT MAX(version) + 1 FROM checklists WHERE family_id = ?`, c.FamilyID).Scan(&next); err != nil {
				return err
			}
			err := tx.QueryRow(ctx, `INSERT INTO checklists (family_id, version, scope, region_id, enterprise_id, title, content, applies_to,
				status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?) RETURNING id`,
				c.FamilyID, next, c.Scope, c.RegionID, c.EnterpriseID, in.Title, content, applies, now, now).Scan(&out)
			if isUniqueViolation(err) {
				return model.Errorf(model.ErrConflict, "err.checklist_draft_exists")
			}
			if err != nil {
				return err
			}
		default:
			return model.Errorf(model.ErrConflict, "err.checklist_retired")
		}
		return s.audit(ctx, tx, a, "checklist.update", "checklist", &out, model.Changes{"title": {Old: c.Title, New: in.Title}})
	})
	if err != nil {
		return nil, fmt.Errorf("update checklist: %w", err)
	}
	return s.Checklist(ctx, a, out)
}

// PublishChecklist puts a draft in force; the version it replaces is
// retired (inspections done against it keep it).
func (s *Store) PublishChecklist(ctx context.Context, a model.Actor, id int64) (*model.Checklist, error) {
	c, err := s.Checklist(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !a.ChecklistOwner(c) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	err = s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		res, err := tx.Exec(ctx, `UPDATE checklists SET status = 'published', published_at = ?, updated_at = ? WHERE id = ? AND status = 'draft'`, now, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrConflict, "err.checklist_not_draft")
		}
		if _, err := tx.Exec(ctx, `UPDATE checklists SET status = 'retired', updated_at = ? WHERE family_id = ? AND id <> ? AND status = 'published'`,
			now, c.FamilyID, id); err != nil {
			return err
		}
		refs := map[string][]model.ArticleRef{}
		for _, it := range c.Items() {
			if len(it.Cites) > 0 {
				refs[it.Code] = it.Cites
			}
		}
		if err := setCitations(ctx, tx, model.CitedByChecklistItem, c.FamilyID, refs); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "checklist.publish", "checklist", &id, model.Changes{"version": {New: c.Version}})
	})
	if err != nil {
		return nil, fmt.Errorf("publish checklist: %w", err)
	}
	return s.Checklist(ctx, a, id)
}

// checkChecklistRefs refuses items citing articles the library does not
// hold, naming the item.
func checkChecklistRefs(ctx context.Context, q querier, in *model.ChecklistInput) error {
	for i, sec := range in.Sections {
		for j, it := range sec.Items {
			if err := checkRefs(ctx, q, fmt.Sprintf("sections.%d.items.%d.cites", i, j), it.Cites); err != nil {
				return err
			}
		}
	}
	return nil
}
