package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"

	"github.com/envhome/envhome/internal/model"
)

const demandColumns = `d.id, d.enterprise_id, d.region_id, d.title, d.category, d.pollutants, d.description, d.flow, d.flow_unit, d.targets,
	d.standard, d.budget_min, d.budget_max, d.quote_deadline, d.open_to, d.source, d.status, d.reason, d.published_at, d.closed_at,
	(SELECT COUNT(*) FROM quotes q WHERE q.demand_id = d.id), d.created_at, d.updated_at`

func scanDemand(r rowScanner, extra ...any) (*model.Demand, error) {
	d := &model.Demand{}
	var pols, targets string
	err := r.Scan(append([]any{&d.ID, &d.EnterpriseID, &d.RegionID, &d.Title, &d.Category, &pols, &d.Description, &d.Flow, &d.FlowUnit,
		&targets, &d.Standard, &d.BudgetMin, &d.BudgetMax, timeCol{&d.QuoteDeadline}, &d.OpenTo, &d.Source, &d.Status, &d.Reason,
		nullTimeCol{&d.PublishedAt}, nullTimeCol{&d.ClosedAt}, &d.Quotes, timeCol{&d.CreatedAt}, timeCol{&d.UpdatedAt}}, extra...)...)
	if err != nil {
		return nil, err
	}
	d.Pollutants = splitLists(pols)
	d.Invited = []int64{}
	d.Attachments = []model.CaseAttachment{}
	return d, json.Unmarshal([]byte(targets), &d.Targets)
}

// demandVisible is who sees a demand: its enterprise's accounts; the
// bureau all and an association its town's; a provider the published ones
// open to all or to it, and any it quoted on.
func demandVisible(a model.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return `1=1`, nil
	case a.User == nil:
		return `1=0`, nil
	case a.User.Role == model.RoleAssociation && a.User.RegionID != nil:
		return `d.region_id = ?`, []any{*a.User.RegionID}
	case enterpriseOf(a) != 0:
		return `d.enterprise_id = ?`, []any{enterpriseOf(a)}
	case a.ProviderOf() != 0:
		p := a.ProviderOf()
		return `((d.status IN ('published', 'closed', 'awarded') AND (d.open_to = 'all' OR EXISTS (SELECT 1 FROM demand_invites i
			WHERE i.demand_id = d.id AND i.provider_id = ?))) OR EXISTS (SELECT 1 FROM quotes q WHERE q.demand_id = d.id AND q.provider_id = ?))`,
			[]any{p, p}
	}
	return `1=0`, nil
}

// ownsDemand says whether the actor speaks for the demand's enterprise.
func ownsDemand(a model.Actor, d *model.Demand) bool {
	return enterpriseOf(a) != 0 && enterpriseOf(a) == d.EnterpriseID
}

// reviewsDemand says whether the actor is one of the demand's reviewers:
// the bureau, or the association of its town.
func reviewsDemand(a model.Actor, d *model.Demand) bool {
	return a.User != nil && (a.IsAdmin() || a.User.Role == model.RoleAssociation && a.User.RegionID != nil && *a.User.RegionID == d.RegionID)
}

// PostDemand stores an enterprise's demand for its town's review and tells
// the reviewers.
func (s *Store) PostDemand(ctx context.Context, a model.Actor, in model.DemandInput) (*model.Demand, error) {
	ent := enterpriseOf(a)
	if ent == 0 {
		return nil, model.Errorf(model.ErrForbidden, "err.market.enterprise_only")
	}
	if err := in.Validate(s.Now()); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		var region int64
		if err := tx.QueryRow(ctx, `SELECT region_id FROM enterprises WHERE id = ?`, ent).Scan(&region); err != nil {
			return notFound(err)
		}
		if err := insertDemand(ctx, tx, &in, ent, region, a.User.ID, ms(s.Now()), &id); err != nil {
			return err
		}
		if err := s.noticeReviewers(ctx, tx, id, region, in); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "demand.post", "demand", &id, model.Changes{"title": {New: in.Title}})
	})
	if err != nil {
		return nil, fmt.Errorf("post demand: %w", err)
	}
	return s.Demand(ctx, a, id)
}

func insertDemand(ctx context.Context, tx *Tx, in *model.DemandInput, ent, region, by, now int64, id *int64) error {
	targets, _ := json.Marshal(in.Targets)
	if err := tx.QueryRow(ctx, `INSERT INTO demands (enterprise_id, region_id, industry, title, category, pollutants, description, flow, flow_unit,
		targets, standard, budget_min, budget_max, quote_deadline, open_to, source, status, created_by, created_at, updated_at)
		VALUES (?, ?, (SELECT industry_code FROM enterprises WHERE id = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		ent, region, ent, in.Title, in.Category, joinLists(in.Pollutants),
		in.Description, in.Flow, in.FlowUnit, string(targets), in.Standard, in.BudgetMin, in.BudgetMax, ms(in.QuoteDeadline), in.OpenTo,
		in.Source, model.DemandSubmitted, by, now, now).Scan(id); err != nil {
		return err
	}
	if err := tx.touchNew(ctx, byDemand, []int64{*id}); err != nil {
		return err
	}
	return writeInvites(ctx, tx, *id, in.Invited)
}

// writeInvites replaces a demand's invited providers, which must be
// verified.
func writeInvites(ctx context.Context, tx *Tx, id int64, invited []int64) error {
	if _, err := tx.Exec(ctx, `DELETE FROM demand_invites WHERE demand_id = ?`, id); err != nil {
		return err
	}
	for _, p := range invited {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM providers WHERE id = ?`, p).Scan(&status); err != nil || status != model.ProviderVerified {
			return fieldError(model.ErrInvalid, "invited", "err.market.not_verified")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO demand_invites (demand_id, provider_id) VALUES (?, ?)`, id, p); err != nil {
			return err
		}
	}
	return nil
}

// noticeReviewers tells the town's association of a demand to review, or
// the bureau where the town has none.
func (s *Store) noticeReviewers(ctx context.Context, tx *Tx, id, region int64, in model.DemandInput) error {
	var assoc int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM users WHERE role = 'association' AND region_id = ? AND disabled_at IS NULL`, region).Scan(&assoc); err != nil {
		return err
	}
	who, args := `SELECT id FROM users WHERE role = 'association' AND region_id = ? AND disabled_at IS NULL`, []any{region}
	if assoc == 0 {
		who, args = `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL`, nil
	}
	_, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeDemandNew, Link: fmt.Sprintf("/demands/%d", id),
		Key: fmt.Sprintf("demand-review:%d:%d", id, ms(s.Now())), Args: map[string]string{"title": in.Title}}, who, args...)
	return err
}

// UpdateDemand changes a demand not yet published (a returned one goes
// back for review).
func (s *Store) UpdateDemand(ctx context.Context, a model.Actor, id int64, in model.DemandInput) (*model.Demand, error) {
	if err := in.Validate(s.Now()); err != nil {
		return nil, err
	}
	targets, _ := json.Marshal(in.Targets)
	err := s.write(ctx, func(tx *Tx) error {
		d, err := s.lockDemand(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !ownsDemand(a, d) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if d.Status != model.DemandSubmitted && d.Status != model.DemandReturned {
			return model.Errorf(model.ErrConflict, "err.market.demand_fixed")
		}
		if _, err := tx.Exec(ctx, `UPDATE demands SET title = ?, category = ?, pollutants = ?, description = ?, flow = ?, flow_unit = ?,
			targets = ?, standard = ?, budget_min = ?, budget_max = ?, quote_deadline = ?, open_to = ?, status = ?, reason = '', updated_at = ?
			WHERE id = ?`, in.Title, in.Category, joinLists(in.Pollutants), in.Description, in.Flow, in.FlowUnit, string(targets), in.Standard,
			in.BudgetMin, in.BudgetMax, ms(in.QuoteDeadline), in.OpenTo, model.DemandSubmitted, ms(s.Now()), id); err != nil {
			return err
		}
		if err := writeInvites(ctx, tx, id, in.Invited); err != nil {
			return err
		}
		if d.Status == model.DemandReturned {
			if err := s.noticeReviewers(ctx, tx, id, d.RegionID, in); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "demand.update", "demand", &id, model.Changes{"title": {Old: d.Title, New: in.Title}})
	})
	if err != nil {
		return nil, err
	}
	return s.Demand(ctx, a, id)
}

// lockDemand reads a demand the actor may see inside a transaction and
// locks its row (a no-op update) so that decisions on it take turns.
func (s *Store) lockDemand(ctx context.Context, tx *Tx, a model.Actor, id int64) (*model.Demand, error) {
	if _, err := tx.Exec(ctx, `UPDATE demands SET updated_at = updated_at WHERE id = ?`, id); err != nil {
		return nil, err
	}
	cond, args := demandVisible(a)
	d, err := scanDemand(tx.QueryRow(ctx, `SELECT `+demandColumns+` FROM demands d WHERE d.id = ? AND `+cond, append([]any{id}, args...)...))
	return d, notFound(err)
}

// demandTies says how the actor is tied to a provider invited to, or
// quoting on, a demand ("" if not).
func (s *Store) demandTies(ctx context.Context, a model.Actor, id int64) (string, error) {
	rows, err := s.query(ctx, `SELECT provider_id FROM demand_invites WHERE demand_id = ? UNION SELECT provider_id FROM quotes WHERE demand_id = ?`, id, id)
	ids, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var p int64
		return p, r.Scan(&p)
	})
	if err != nil {
		return "", err
	}
	for _, p := range ids {
		if tied, how, err := s.TiedTo(ctx, a, p); err != nil || tied {
			return how, err
		}
	}
	return "", nil
}

// ReviewDemand publishes a submitted demand (telling the providers it is
// open to) or returns it with a reason. The reviewer is the town's
// association or the bureau, and never one tied to a provider invited to
// it; a refusal is logged, and so is every decision.
func (s *Store) ReviewDemand(ctx context.Context, a model.Actor, id int64, r model.DemandReview) (*model.Demand, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	d, err := s.Demand(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !reviewsDemand(a, d) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if how, err := s.demandTies(ctx, a, id); err != nil {
		return nil, err
	} else if how != "" {
		return nil, s.refuseTied(ctx, a, "demand.review", "demand", id, how)
	}
	err = s.write(ctx, func(tx *Tx) error {
		now := s.Now()
		status := model.DemandPublished
		if r.Decision == "return" {
			status = model.DemandReturned
		}
		var published *int64
		if status == model.DemandPublished {
			t := ms(now)
			published = &t
		}
		res, err := tx.Exec(ctx, `UPDATE demands SET status = ?, reason = ?, published_at = ?, updated_at = ? WHERE id = ? AND status = 'submitted'`,
			status, r.Reason, published, ms(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrConflict, "err.market.not_submitted")
		}
		if status == model.DemandPublished && !now.Before(d.QuoteDeadline) {
			return fieldError(model.ErrInvalid, "quote_deadline", "err.market.deadline_past")
		}
		link := fmt.Sprintf("/demands/%d", id)
		told := model.Notice{Kind: model.NoticeDemandPublished, Link: link, Key: fmt.Sprintf("demand-reviewed:%d:%d", id, ms(now)),
			Args: map[string]string{"title": d.Title}}
		if r.Decision == "return" {
			told.Kind, told.Args["reason"] = model.NoticeDemandReturned, r.Reason
		}
		if _, err := s.NoticeMany(ctx, tx, told,
			`SELECT id FROM users WHERE enterprise_id = ? AND role = 'enterprise' AND disabled_at IS NULL`, d.EnterpriseID); err != nil {
			return err
		}
		if status == model.DemandPublished {
			who := `SELECT u.id FROM users u JOIN providers p ON p.id = u.provider_id WHERE u.disabled_at IS NULL AND p.status = 'verified' AND `
			var args []any
			if d.OpenTo == "invited" {
				who += `p.id IN (SELECT provider_id FROM demand_invites WHERE demand_id = ?)`
				args = []any{id}
			} else {
				who += `p.id IN (SELECT provider_id FROM provider_facts WHERE kind = 'category' AND value = ?)`
				args = []any{d.Category}
			}
			if _, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeDemandNew, Link: link, Key: fmt.Sprintf("demand:%d", id),
				Args: map[string]string{"title": d.Title}}, who, args...); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "demand.review", "demand", &id, model.Changes{"decision": {New: r.Decision}, "reason": {New: r.Reason}})
	})
	if err != nil {
		return nil, err
	}
	return s.Demand(ctx, a, id)
}

// Demand reads a demand the actor may see, with its rights. The
// enterprise's name and contact show to its own accounts, the staff and
// the provider whose quote it accepted.
func (s *Store) Demand(ctx context.Context, a model.Actor, id int64) (*model.Demand, error) {
	cond, args := demandVisible(a)
	d, err := scanDemand(s.queryRow(ctx, `SELECT `+demandColumns+` FROM demands d WHERE d.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	rows, err := s.query(ctx, `SELECT provider_id FROM demand_invites WHERE demand_id = ? ORDER BY provider_id`, id)
	invited, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var p int64
		return p, r.Scan(&p)
	})
	if err != nil {
		return nil, err
	}
	if invited != nil {
		d.Invited = invited
	}
	if d.Attachments, err = s.marketFiles(ctx, fileOfDemand, id); err != nil {
		return nil, err
	}
	if p := a.ProviderOf(); p != 0 {
		// A provider learns neither its competitors nor their number.
		d.Invited = []int64{}
		if slices.Contains(invited, p) {
			d.Invited = []int64{p}
		}
		d.Quotes = 0
	}
	won := false
	if p := a.ProviderOf(); p != 0 && d.Status == model.DemandAwarded {
		var n int
		if err := s.queryRow(ctx, `SELECT COUNT(*) FROM deals WHERE demand_id = ? AND provider_id = ?`, id, p).Scan(&n); err != nil {
			return nil, err
		}
		won = n > 0
	}
	if ownsDemand(a, d) || isStaff(a) || won {
		c := &model.DemandContact{}
		if err := s.queryRow(ctx, `SELECT e.name, e.contact_name, e.contact_phone, r.name FROM enterprises e JOIN regions r ON r.id = e.region_id
			WHERE e.id = ?`, d.EnterpriseID).Scan(&c.Name, &c.ContactName, &c.ContactPhone, &c.RegionName); err != nil {
			return nil, err
		}
		d.Enterprise = c
	}
	if a.ProviderOf() != 0 && !won {
		d.EnterpriseID = 0 // who posted it stays with the platform until a quote is accepted
	}
	s.demandRights(ctx, a, d)
	return d, nil
}

func (s *Store) demandRights(ctx context.Context, a model.Actor, d *model.Demand) {
	now := s.Now()
	open := d.QuotingOpen(now)
	d.Sealed = open
	mine := ownsDemand(a, d)
	d.Can = model.DemandRights{
		Review:      d.Status == model.DemandSubmitted && reviewsDemand(a, d),
		SeeQuotes:   (mine && !open && d.Status != model.DemandSubmitted && d.Status != model.DemandReturned) || isStaff(a),
		CloseQuotes: mine && open,
		Cancel:      mine && d.Status != model.DemandAwarded && d.Status != model.DemandCancelled,
	}
	if p := a.ProviderOf(); p != 0 && open {
		if pr, err := s.Provider(ctx, a, p); err == nil && pr.Status == model.ProviderVerified && pr.Serves(d.Category, model.Today(now)) &&
			(d.OpenTo == "all" || slices.Contains(d.Invited, p)) {
			d.Can.Quote = true
		}
	}
}

// DemandFilter picks a box of demands: "mine" (an enterprise's), "review"
// (waiting for the actor's review), "open" (taking quotes), "fits" (a
// provider's market), "quoted" (those a provider quoted on) or "" (all the
// actor may see); narrowed by category and status.
type DemandFilter struct {
	Box      string
	Category string
	Status   string
}

// Demands lists a box of demands, newest first.
func (s *Store) Demands(ctx context.Context, a model.Actor, f DemandFilter) ([]*model.Demand, error) {
	if a.User == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	v := model.Validation{}
	if f.Category != "" && !slices.Contains(model.ServiceCategories, f.Category) {
		v.Add("category", "err.field.choice")
	}
	if f.Status != "" && !slices.Contains(model.DemandStatuses, f.Status) {
		v.Add("status", "err.field.choice")
	}
	if !slices.Contains([]string{"", "mine", "review", "open", "fits", "quoted"}, f.Box) {
		v.Add("box", "err.field.choice")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if f.Box == "fits" {
		return s.DemandsFitting(ctx, a, 50)
	}
	cond, args := demandVisible(a)
	q := `SELECT ` + demandColumns + ` FROM demands d WHERE ` + cond
	switch f.Box {
	case "mine":
		q += ` AND d.enterprise_id = ?`
		args = append(args, enterpriseOf(a))
	case "review":
		if !isStaff(a) {
			return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		q += ` AND d.status = 'submitted'`
	case "open":
		q += ` AND d.status = 'published' AND d.quote_deadline > ?`
		args = append(args, ms(s.Now()))
	case "quoted":
		q += ` AND EXISTS (SELECT 1 FROM quotes x WHERE x.demand_id = d.id AND x.provider_id = ?)`
		args = append(args, a.ProviderOf())
	}
	if f.Category != "" {
		q += ` AND d.category = ?`
		args = append(args, f.Category)
	}
	if f.Status != "" {
		q += ` AND d.status = ?`
		args = append(args, f.Status)
	}
	rows, err := s.query(ctx, q+` ORDER BY d.id DESC LIMIT 200`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Demand, error) {
		d, err := scanDemand(r)
		if err != nil {
			return nil, err
		}
		if a.ProviderOf() != 0 {
			d.EnterpriseID, d.Quotes = 0, 0
		}
		return d, nil
	})
	if err != nil {
		return nil, err
	}
	for _, d := range out {
		s.demandRights(ctx, a, d)
	}
	if out == nil {
		out = []*model.Demand{}
	}
	return out, nil
}

// CloseQuoting ends quoting early: the enterprise then sees every quote.
func (s *Store) CloseQuoting(ctx context.Context, a model.Actor, id int64) (*model.Demand, error) {
	err := s.write(ctx, func(tx *Tx) error {
		d, err := s.lockDemand(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !ownsDemand(a, d) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if !d.QuotingOpen(s.Now()) {
			return model.Errorf(model.ErrConflict, "err.market.quoting_closed")
		}
		now := ms(s.Now())
		if _, err := tx.Exec(ctx, `UPDATE demands SET status = ?, closed_at = ?, updated_at = ? WHERE id = ?`, model.DemandClosed, now, now, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "demand.close", "demand", &id, model.Changes{"quotes": {New: d.Quotes}})
	})
	if err != nil {
		return nil, err
	}
	return s.Demand(ctx, a, id)
}

// CancelDemand withdraws a demand not yet awarded.
func (s *Store) CancelDemand(ctx context.Context, a model.Actor, id int64) (*model.Demand, error) {
	err := s.write(ctx, func(tx *Tx) error {
		d, err := s.lockDemand(ctx, tx, a, id)
		if err != nil {
			return err
		}
		if !ownsDemand(a, d) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if d.Status == model.DemandAwarded || d.Status == model.DemandCancelled {
			return model.Errorf(model.ErrConflict, "err.market.demand_fixed")
		}
		if _, err := tx.Exec(ctx, `UPDATE demands SET status = ?, updated_at = ? WHERE id = ?`, model.DemandCancelled, ms(s.Now()), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "demand.cancel", "demand", &id, nil)
	})
	if err != nil {
		return nil, err
	}
	return s.Demand(ctx, a, id)
}

// parseIDs reads a ",1,2," list of ids.
func parseIDs(s string) []int64 {
	var out []int64
	for _, t := range splitLists(s) {
		if id, err := strconv.ParseInt(t, 10, 64); err == nil {
			out = append(out, id)
		}
	}
	return out
}
