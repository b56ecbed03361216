package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

const caseColumns = `c.id, c.title, c.industries, c.pollutants, c.technique, c.figures, c.investment, c.running_cost, c.provider,
	c.source, c.status, c.reason, c.submitted_by, c.submitter, c.created_at, c.updated_at, c.published_at, c.recipients, c.reads, c.interests,
	c.provider_id`

func scanCase(r rowScanner, extra ...any) (*model.TechCase, error) {
	c := &model.TechCase{}
	var inds, pols, figs string
	err := r.Scan(append([]any{&c.ID, &c.Title, &inds, &pols, &c.Technique, &figs, &c.Investment, &c.RunningCost, &c.Provider,
		&c.Source, &c.Status, &c.Reason, &c.SubmittedBy, &c.Submitter, timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt},
		nullTimeCol{&c.PublishedAt}, &c.Recipients, &c.Reads, &c.Interests, &c.ProviderID}, extra...)...)
	if err != nil {
		return nil, err
	}
	c.Industries, c.Pollutants = splitLists(inds), splitLists(pols)
	c.Attachments = []model.CaseAttachment{}
	return c, json.Unmarshal([]byte(figs), &c.Figures)
}

// caseVisible is who sees a case: everyone signed in once it is
// published; before, its submitter and the bureau.
func caseVisible(a model.Actor) (string, []any) {
	if a.IsAdmin() {
		return `1=1`, nil
	}
	return `(c.status = 'published' OR c.submitted_by = ?)`, []any{a.User.ID}
}

// caseRights fills what the actor may do with a case.
func caseRights(a model.Actor, c *model.TechCase) {
	mine := a.User != nil && c.SubmittedBy == a.User.ID
	published := c.Status == model.CasePublished
	c.Can = model.CaseRights{
		Edit:     !published && (mine || a.IsAdmin()),
		Review:   a.IsAdmin() && c.Status == model.CaseSubmitted,
		Interest: published && enterpriseOf(a) != 0 && !c.Interested,
		Readers:  published && a.SeesCaseReaders(),
		Demand:   published && enterpriseOf(a) != 0,
	}
}

// enterpriseOf is the enterprise an enterprise's account speaks for (0:
// none).
func enterpriseOf(a model.Actor) int64 {
	if a.User != nil && a.User.Role == model.RoleEnterprise && a.User.EnterpriseID != nil {
		return *a.User.EnterpriseID
	}
	return 0
}

func submitterName(a model.Actor) string {
	if a.User.DisplayName != "" {
		return a.User.DisplayName
	}
	return a.User.Username
}

// SubmitCase stores a new case for the bureau's review.
func (s *Store) SubmitCase(ctx context.Context, a model.Actor, in model.CaseInput) (*model.TechCase, error) {
	if !a.MaySubmitCase() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	figs, _ := json.Marshal(in.Figures)
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		if err := checkCaseProvider(ctx, tx, in.ProviderID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO tech_cases (title, industries, pollutants, technique, figures, investment, running_cost,
			provider, provider_id, source, status, submitted_by, submitter, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.Title, joinLists(in.Industries), joinLists(in.Pollutants), in.Technique, string(figs), in.Investment, in.RunningCost,
			in.Provider, in.ProviderID, in.Source, model.CaseSubmitted, a.User.ID, submitterName(a), now, now).Scan(&id); err != nil {
			return err
		}
		if err := putCaseFacts(ctx, tx, id, in); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "case.submit", "case", &id, model.Changes{"title": {New: in.Title}})
	})
	if err != nil {
		return nil, fmt.Errorf("submit case: %w", err)
	}
	return s.Case(ctx, a, id)
}

// editableCase reads a case inside a transaction and checks that the
// actor may still change it, then locks it: a publication or another change
// running at the same time waits, and finds it as this one leaves it.
func (s *Store) editableCase(ctx context.Context, tx *Tx, a model.Actor, id int64) (*model.TechCase, error) {
	cond, args := caseVisible(a)
	c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM tech_cases c WHERE c.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	caseRights(a, c)
	if !c.Can.Edit {
		if c.Status == model.CasePublished {
			return nil, model.Errorf(model.ErrConflict, "err.case.published")
		}
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	res, err := tx.Exec(ctx, `UPDATE tech_cases SET updated_at = ? WHERE id = ? AND status <> 'published'`, ms(s.Now()), id)
	if err != nil {
		return nil, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, model.Errorf(model.ErrConflict, "err.case.published")
	}
	return c, nil
}

// UpdateCase changes a case that is not published yet; a returned case
// goes back to the bureau.
func (s *Store) UpdateCase(ctx context.Context, a model.Actor, id int64, in model.CaseInput) (*model.TechCase, error) {
	if a.User == nil {
		return nil, model.NotFound()
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	figs, _ := json.Marshal(in.Figures)
	err := s.write(ctx, func(tx *Tx) error {
		old, err := s.editableCase(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if err := checkCaseProvider(ctx, tx, in.ProviderID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE tech_cases SET title = ?, industries = ?, pollutants = ?, technique = ?, figures = ?,
			investment = ?, running_cost = ?, provider = ?, provider_id = ?, source = ?, status = ?, reason = '', updated_at = ? WHERE id = ?`,
			in.Title, joinLists(in.Industries), joinLists(in.Pollutants), in.Technique, string(figs), in.Investment, in.RunningCost,
			in.Provider, in.ProviderID, in.Source, model.CaseSubmitted, ms(s.Now()), id); err != nil {
			return err
		}
		if err := putCaseFacts(ctx, tx, id, in); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "case.update", "case", &id, model.Changes{"title": {Old: old.Title, New: in.Title},
			"status": {Old: old.Status, New: model.CaseSubmitted}})
	})
	if err != nil {
		return nil, err
	}
	return s.Case(ctx, a, id)
}

// putCaseFacts replaces a case's fact rows with its industries (one row of
// an empty code when it names none: every industry) and pollutants.
func putCaseFacts(ctx context.Context, tx *Tx, id int64, in model.CaseInput) error {
	if _, err := tx.Exec(ctx, `DELETE FROM case_facts WHERE case_id = ?`, id); err != nil {
		return err
	}
	inds := in.Industries
	if len(inds) == 0 {
		inds = []string{""}
	}
	var args []any
	for _, v := range inds {
		args = append(args, factIndustry, v, id)
	}
	for _, v := range in.Pollutants {
		args = append(args, factPollutant, v, id)
	}
	_, err := tx.Exec(ctx, `INSERT INTO case_facts (kind, value, case_id) VALUES `+placeholders(len(args)/3, 3), args...)
	return err
}

// caseFitSQL selects the enterprises a case is pushed to (alias e): see
// model.CaseFits, which says the same in Go.
func caseFitSQL(in model.CaseInput) (string, []any) {
	q := `e.status = 'active' AND LENGTH(e.key_lists) > 2`
	var args []any
	if len(in.Industries) > 0 {
		var or []string
		for _, p := range in.Industries {
			or = append(or, `(e.industry_code >= ? AND e.industry_code < ?)`)
			args = append(args, p, p+"~")
		}
		q += ` AND (` + strings.Join(or, ` OR `) + `)`
	}
	c, v := hasFact("e.id", factPollutant, in.Pollutants)
	return q + ` AND ` + c, append(args, v...)
}

// CaseReach counts the key discharge units a case would be pushed to.
func (s *Store) CaseReach(ctx context.Context, a model.Actor, id int64) (int, error) {
	c, err := s.Case(ctx, a, id)
	if err != nil {
		return 0, err
	}
	cond, args := caseFitSQL(c.CaseInput)
	var n int
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM enterprises e WHERE `+cond, args...).Scan(&n)
	return n, err
}

// ReviewCase is the bureau's decision on a submitted case. Publishing
// pushes it, in the same transaction, to every key discharge unit it fits:
// a recipient row per enterprise and a notice to each of its accounts.
// Returning it tells the submitter why.
func (s *Store) ReviewCase(ctx context.Context, a model.Actor, id int64, r model.CaseReview) (*model.TechCase, error) {
	if !a.IsAdmin() || a.User == nil {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := r.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		status := model.CasePublished
		if r.Decision == "return" {
			status = model.CaseReturned
		}
		// The decision first, on the submitted case only: two reviewers at
		// once, or a change racing the review, find it decided.
		res, err := tx.Exec(ctx, `UPDATE tech_cases SET status = ?, reason = ?, updated_at = ? WHERE id = ? AND status = 'submitted'`,
			status, r.Reason, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var one int
			if err := tx.QueryRow(ctx, `SELECT 1 FROM tech_cases WHERE id = ?`, id).Scan(&one); err != nil {
				return notFound(err)
			}
			return model.Errorf(model.ErrConflict, "err.case.not_submitted")
		}
		c, err := scanCase(tx.QueryRow(ctx, `SELECT `+caseColumns+` FROM tech_cases c WHERE c.id = ?`, id))
		if err != nil {
			return err
		}
		link := fmt.Sprintf("/cases/%d", id)
		if r.Decision == "return" {
			if _, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeCaseReturned, Link: link,
				Key: fmt.Sprintf("case-returned:%d:%d", id, now), Args: map[string]string{"title": c.Title, "reason": r.Reason}},
				`SELECT id FROM users WHERE id = ?`, c.SubmittedBy); err != nil {
				return err
			}
			return s.audit(ctx, tx, a, "case.return", "case", &id, model.Changes{"reason": {New: r.Reason}})
		}
		cond, args := caseFitSQL(c.CaseInput)
		res, err = tx.Exec(ctx, `INSERT INTO tech_case_recipients (case_id, enterprise_id, region_id)
			SELECT ?, e.id, e.region_id FROM enterprises e WHERE `+cond, append([]any{id}, args...)...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if _, err := tx.Exec(ctx, `UPDATE tech_cases SET reason = '', published_at = ?, recipients = ? WHERE id = ?`, now, n, id); err != nil {
			return err
		}
		if c.ProviderID != nil {
			if _, err := tx.Exec(ctx, `UPDATE providers SET cases = cases + 1 WHERE id = ?`, *c.ProviderID); err != nil {
				return err
			}
			if err := refreshRank(ctx, tx, *c.ProviderID); err != nil {
				return err
			}
		}
		provider := c.Provider
		if provider == "" {
			provider = "—"
		}
		if _, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeCase, Link: link, Key: fmt.Sprintf("case:%d", id),
			Args: map[string]string{"title": c.Title, "provider": provider}},
			`SELECT u.id AS id FROM tech_case_recipients r JOIN users u ON u.enterprise_id = r.enterprise_id
			WHERE r.case_id = ? AND u.role = 'enterprise' AND u.disabled_at IS NULL`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "case.publish", "case", &id, model.Changes{"recipients": {New: n}})
	})
	if err != nil {
		return nil, err
	}
	return s.Case(ctx, a, id)
}

// Case reads a case the actor may see, with its attachments. An
// enterprise's account opening a case pushed to its enterprise marks it
// read for the enterprise (and the account's notice of it).
func (s *Store) Case(ctx context.Context, a model.Actor, id int64) (*model.TechCase, error) {
	if a.User == nil {
		return nil, model.NotFound()
	}
	cond, args := caseVisible(a)
	ent := enterpriseOf(a)
	var pushed, interested int
	var readAt sql.NullInt64
	c, err := scanCase(s.queryRow(ctx, `SELECT `+caseColumns+`,
		(SELECT COUNT(*) FROM tech_case_recipients r WHERE r.case_id = c.id AND r.enterprise_id = ?),
		(SELECT MIN(r.read_at) FROM tech_case_recipients r WHERE r.case_id = c.id AND r.enterprise_id = ?),
		(SELECT COUNT(*) FROM tech_case_interests i WHERE i.case_id = c.id AND i.enterprise_id = ?)
		FROM tech_cases c WHERE c.id = ? AND `+cond, append([]any{ent, ent, ent, id}, args...)...), &pushed, &readAt, &interested)
	if err != nil {
		return nil, notFound(err)
	}
	c.Pushed, c.Interested = pushed > 0, interested > 0
	if readAt.Valid {
		t := timeOf(readAt.Int64)
		c.ReadAt = &t
	}
	if c.Pushed && c.ReadAt == nil {
		now := s.Now()
		err := s.write(ctx, func(tx *Tx) error {
			res, err := tx.Exec(ctx, `UPDATE tech_case_recipients SET read_at = ? WHERE case_id = ? AND enterprise_id = ? AND read_at IS NULL`,
				ms(now), id, ent)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if _, err := tx.Exec(ctx, `UPDATE tech_cases SET reads = reads + 1 WHERE id = ?`, id); err != nil {
					return err
				}
				c.Reads++
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		c.ReadAt = &now
	}
	if c.Pushed {
		// The account's own notice of the case, read once it opens it.
		key := fmt.Sprintf("case:%d:u%d", id, a.User.ID)
		var unread int
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE dedupe_key = ? AND read_at IS NULL`, key).Scan(&unread); err != nil {
			return nil, err
		}
		if unread > 0 {
			if err := s.write(ctx, func(tx *Tx) error {
				_, err := tx.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE dedupe_key = ? AND read_at IS NULL`, ms(s.Now()), key)
				return err
			}); err != nil {
				return nil, err
			}
		}
	}
	rows, err := s.query(ctx, `SELECT n, name, size, content_type FROM tech_case_files WHERE case_id = ? ORDER BY n`, id)
	files, err := scanAll(rows, err, func(r *sql.Rows) (model.CaseAttachment, error) {
		var f model.CaseAttachment
		return f, r.Scan(&f.N, &f.Name, &f.Size, &f.ContentType)
	})
	if err != nil {
		return nil, err
	}
	if files != nil {
		c.Attachments = files
	}
	caseRights(a, c)
	return c, nil
}

// Cases lists the cases of a box (see model.CaseFilter), newest first,
// narrowed by industry and pollutant.
func (s *Store) Cases(ctx context.Context, a model.Actor, f model.CaseFilter) ([]*model.TechCase, error) {
	if a.User == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	ent := enterpriseOf(a)
	q := `SELECT ` + caseColumns + `, r.read_at FROM tech_cases c LEFT JOIN tech_case_recipients r ON r.case_id = c.id AND r.enterprise_id = ?`
	args := []any{ent}
	order := ` ORDER BY c.published_at DESC, c.id DESC`
	switch f.Box {
	case "pushed":
		q = `SELECT ` + caseColumns + `, r.read_at FROM tech_case_recipients r JOIN tech_cases c ON c.id = r.case_id WHERE r.enterprise_id = ?`
		order = ` ORDER BY CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, c.published_at DESC, c.id DESC`
	case "review":
		if !a.IsAdmin() {
			return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		q += ` WHERE c.status = 'submitted'`
		order = ` ORDER BY c.updated_at, c.id`
	case "mine":
		q += ` WHERE c.submitted_by = ?`
		args = append(args, a.User.ID)
		order = ` ORDER BY c.id DESC`
	default:
		q += ` WHERE c.status = 'published'`
	}
	if f.Industry != "" {
		// A case for any industry (''), for a prefix of the code asked
		// for, or for a code under the prefix asked for (model.CaseFilter.Matches).
		exact := []any{factIndustry, ""}
		for i := 1; i < len(f.Industry); i++ {
			exact = append(exact, f.Industry[:i])
		}
		q += ` AND c.id IN (SELECT case_id FROM case_facts WHERE kind = ? AND (value IN ` + placeholders(1, len(exact)-1) + ` OR (value >= ? AND value < ?)))`
		args = append(append(args, exact...), f.Industry, f.Industry+"~")
	}
	if f.Pollutant != "" {
		q += ` AND c.id IN (SELECT case_id FROM case_facts WHERE kind = ? AND value = ?)`
		args = append(args, factPollutant, f.Pollutant)
	}
	rows, err := s.query(ctx, q+order+` LIMIT 200`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.TechCase, error) {
		var read sql.NullInt64
		c, err := scanCase(r, &read)
		if err != nil {
			return nil, err
		}
		if read.Valid {
			t := timeOf(read.Int64)
			c.ReadAt = &t
		}
		c.Pushed = f.Box == "pushed"
		caseRights(a, c)
		return c, nil
	})
	if out == nil {
		out = []*model.TechCase{}
	}
	return out, err
}

// CaseEditCheck says whether the actor may change a case now, before an
// attachment is stored.
func (s *Store) CaseEditCheck(ctx context.Context, a model.Actor, id int64) error {
	c, err := s.Case(ctx, a, id)
	if err != nil {
		return err
	}
	if !c.Can.Edit {
		if c.Status == model.CasePublished {
			return model.Errorf(model.ErrConflict, "err.case.published")
		}
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if len(c.Attachments) >= model.MaxCaseAttachments {
		return model.Errorf(model.ErrConflict, "err.case.attachments_full")
	}
	return nil
}

// AddCaseFile attaches a stored file to a case not yet published.
func (s *Store) AddCaseFile(ctx context.Context, a model.Actor, id int64, f model.CaseAttachment, hash string) (*model.TechCase, error) {
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := s.editableCase(ctx, tx, a, id); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM tech_case_files WHERE case_id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n >= model.MaxCaseAttachments {
			return model.Errorf(model.ErrConflict, "err.case.attachments_full")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO tech_case_files (case_id, n, name, file, size, content_type, created_at)
			VALUES (?, (SELECT COALESCE(MAX(n), 0) + 1 FROM tech_case_files WHERE case_id = ?), ?, ?, ?, ?, ?)`,
			id, id, f.Name, hash, f.Size, f.ContentType, ms(s.Now())); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "case.attachment", "case", &id, model.Changes{"name": {New: f.Name}})
	})
	if err != nil {
		return nil, err
	}
	return s.Case(ctx, a, id)
}

// CaseFile finds the n-th attachment of a case the actor may see: its
// stored file and name.
func (s *Store) CaseFile(ctx context.Context, a model.Actor, id int64, n int) (hash, name string, err error) {
	if a.User == nil {
		return "", "", model.NotFound()
	}
	cond, args := caseVisible(a)
	err = s.queryRow(ctx, `SELECT f.file, f.name FROM tech_case_files f JOIN tech_cases c ON c.id = f.case_id
		WHERE f.case_id = ? AND f.n = ? AND `+cond, append([]any{id, n}, args...)...).Scan(&hash, &name)
	return hash, name, notFound(err)
}

// MarkCaseInterest records an enterprise's interest in a published case,
// once, and tells the bureau and the association of its town: a lead.
func (s *Store) MarkCaseInterest(ctx context.Context, a model.Actor, id int64, note string) (*model.TechCase, error) {
	ent := enterpriseOf(a)
	if ent == 0 {
		return nil, model.Errorf(model.ErrForbidden, "err.case.enterprise_only")
	}
	v := model.Validation{}
	note = strings.TrimSpace(note)
	if len([]rune(note)) > 500 || !model.PlainText(note, true) {
		v.Add("note", "err.field.too_long")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	c, err := s.Case(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if c.Status != model.CasePublished {
		return nil, model.NotFound()
	}
	if c.Interested {
		return c, nil
	}
	err = s.write(ctx, func(tx *Tx) error {
		var region int64
		var name string
		if err := tx.QueryRow(ctx, `SELECT region_id, name FROM enterprises WHERE id = ?`, ent).Scan(&region, &name); err != nil {
			return notFound(err)
		}
		res, err := tx.Exec(ctx, `INSERT INTO tech_case_interests (case_id, enterprise_id, region_id, user_id, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (case_id, enterprise_id) DO NOTHING`, id, ent, region, a.User.ID, note, ms(s.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // marked meanwhile by another account of the enterprise
		}
		if _, err := tx.Exec(ctx, `UPDATE tech_cases SET interests = interests + 1 WHERE id = ?`, id); err != nil {
			return err
		}
		if _, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeCaseLead, Link: "/cases/leads",
			Key: fmt.Sprintf("case-lead:%d:%d", id, ent), Args: map[string]string{"title": c.Title, "enterprise": name}},
			`SELECT id FROM users WHERE disabled_at IS NULL AND (role = 'admin' OR (role = 'association' AND region_id = ?))`, region); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "case.interest", "case", &id, model.Changes{"enterprise_id": {New: ent}})
	})
	if err != nil {
		return nil, err
	}
	return s.Case(ctx, a, id)
}

// CaseReaders lists the enterprises a case was pushed to, unread first:
// to the bureau all, to an association its town's.
func (s *Store) CaseReaders(ctx context.Context, a model.Actor, id int64) ([]model.CaseReader, error) {
	if !a.SeesCaseReaders() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if _, err := s.Case(ctx, a, id); err != nil {
		return nil, err
	}
	q := `SELECT r.enterprise_id, e.name, g.name, r.read_at, CASE WHEN i.case_id IS NULL THEN 0 ELSE 1 END
		FROM tech_case_recipients r JOIN enterprises e ON e.id = r.enterprise_id JOIN regions g ON g.id = r.region_id
		LEFT JOIN tech_case_interests i ON i.case_id = r.case_id AND i.enterprise_id = r.enterprise_id WHERE r.case_id = ?`
	args := []any{id}
	if town := publisherTown(a); town != nil {
		q += ` AND r.region_id = ?`
		args = append(args, *town)
	}
	rows, err := s.query(ctx, q+` ORDER BY CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, e.name LIMIT 1000`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.CaseReader, error) {
		var x model.CaseReader
		var interested int
		err := r.Scan(&x.EnterpriseID, &x.Name, &x.RegionName, nullTimeCol{&x.ReadAt}, &interested)
		x.Interested = interested == 1
		return x, err
	})
	if out == nil {
		out = []model.CaseReader{}
	}
	return out, err
}

// CaseLeads lists enterprises' interests in cases, newest first: to the
// bureau all, to an association its town's.
func (s *Store) CaseLeads(ctx context.Context, a model.Actor) ([]model.CaseLead, error) {
	if !a.SeesCaseReaders() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	q := `SELECT i.case_id, c.title, c.provider, i.enterprise_id, e.name, g.name, COALESCE(NULLIF(u.display_name, ''), u.username), i.note, i.created_at
		FROM tech_case_interests i JOIN tech_cases c ON c.id = i.case_id JOIN enterprises e ON e.id = i.enterprise_id
		JOIN regions g ON g.id = i.region_id JOIN users u ON u.id = i.user_id`
	var args []any
	if town := publisherTown(a); town != nil {
		q += ` WHERE i.region_id = ?`
		args = append(args, *town)
	}
	rows, err := s.query(ctx, q+` ORDER BY i.created_at DESC, i.case_id DESC LIMIT 500`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.CaseLead, error) {
		var x model.CaseLead
		return x, r.Scan(&x.CaseID, &x.CaseTitle, &x.Provider, &x.EnterpriseID, &x.EnterpriseName, &x.RegionName, &x.Contact, &x.Note,
			timeCol{&x.CreatedAt})
	})
	if out == nil {
		out = []model.CaseLead{}
	}
	return out, err
}

// checkCaseProvider refuses a named provider that is not a verified one.
func checkCaseProvider(ctx context.Context, tx *Tx, id *int64) error {
	if id == nil {
		return nil
	}
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM providers WHERE id = ?`, *id).Scan(&status); err != nil || status != model.ProviderVerified {
		return fieldError(model.ErrInvalid, "provider_id", "err.market.not_verified")
	}
	return nil
}
