package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
)

const quoteColumns = `q.id, q.demand_id, q.provider_id, p.name, q.price, q.includes, q.timeline_days, q.outcome, q.revision, q.status, q.sent_at`

func scanQuote(r rowScanner) (*model.Quote, error) {
	q := &model.Quote{History: []model.QuoteRevision{}}
	return q, r.Scan(&q.ID, &q.DemandID, &q.ProviderID, &q.Provider, &q.Price, &q.Includes, &q.TimelineDays, &q.Outcome, &q.Revision,
		&q.Status, timeCol{&q.SentAt})
}

// SendQuote is a verified provider's one quote on a demand it may take,
// before the deadline; a second answers quote_exists (a revision replaces
// the first). The enterprise is told a quote came, not whose.
func (s *Store) SendQuote(ctx context.Context, a model.Actor, demandID int64, in model.QuoteInput) (*model.Quote, error) {
	pid := a.ProviderOf()
	if pid == 0 {
		return nil, model.Errorf(model.ErrForbidden, "err.market.provider_only")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	// One read of what the quote depends on: the provider (verified, its
	// categories and licences) and the demand as the provider may see it
	// (published, open to it); quoting is the through train's hot path.
	p := &model.Provider{ID: pid}
	var lics, cats string
	var d model.Demand
	var invited int
	err := s.queryRow(ctx, `SELECT p.name, p.status, p.categories, p.licences, d.title, d.status, d.category, d.open_to, d.quote_deadline,
		(SELECT COUNT(*) FROM demand_invites i WHERE i.demand_id = d.id AND i.provider_id = p.id)
		FROM providers p JOIN demands d ON d.id = ? WHERE p.id = ?`, demandID, pid).
		Scan(&p.Name, &p.Status, &cats, &lics, &d.Title, &d.Status, &d.Category, &d.OpenTo, timeCol{&d.QuoteDeadline}, &invited)
	if err != nil {
		return nil, notFound(err)
	}
	p.Categories = splitLists(cats)
	if err := json.Unmarshal([]byte(lics), &p.Licences); err != nil {
		return nil, err
	}
	if p.Status != model.ProviderVerified {
		return nil, model.Errorf(model.ErrForbidden, "err.market.unverified")
	}
	open := d.Status == model.DemandPublished || d.Status == model.DemandClosed || d.Status == model.DemandAwarded
	if !open || (d.OpenTo == "invited" && invited == 0) {
		return nil, model.NotFound()
	}
	if !d.QuotingOpen(s.Now()) {
		return nil, model.Errorf(model.ErrConflict, "err.market.quoting_closed")
	}
	if !p.Serves(d.Category, model.Today(s.Now())) {
		return nil, model.Errorf(model.ErrForbidden, "err.market.not_serving")
	}
	var id int64
	sent := timeOf(ms(s.Now())) // as stored: milliseconds, UTC
	err = s.write(ctx, func(tx *Tx) error {
		// Providers quote a demand side by side: nothing locks the demand.
		// The insert reads it again, so a demand closed or awarded since
		// takes no quote, and the unique pair refuses a second one.
		now := ms(sent)
		err := tx.QueryRow(ctx, `INSERT INTO quotes (demand_id, provider_id, price, includes, timeline_days, outcome, status, sent_at)
			SELECT CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS DOUBLE PRECISION), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT),
				CAST(? AS TEXT), CAST(? AS BIGINT)
			WHERE EXISTS (SELECT 1 FROM demands WHERE id = ? AND status = 'published' AND quote_deadline > ?)
			ON CONFLICT (demand_id, provider_id) DO NOTHING RETURNING id`,
			demandID, pid, in.Price, in.Includes, in.TimelineDays, in.Outcome, model.QuoteSent, now, demandID, now).Scan(&id)
		if err == sql.ErrNoRows {
			var n int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM quotes WHERE demand_id = ? AND provider_id = ?`, demandID, pid).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return model.Errorf(model.ErrQuoteExists, "err.market.quote_exists")
			}
			return model.Errorf(model.ErrConflict, "err.market.quoting_closed")
		}
		if err != nil {
			return err
		}
		var quotes int
		var ent int64
		if err := tx.QueryRow(ctx, `SELECT enterprise_id, (SELECT COUNT(*) FROM quotes WHERE demand_id = ?) FROM demands WHERE id = ?`,
			demandID, demandID).Scan(&ent, &quotes); err != nil {
			return err
		}
		if _, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeQuoteReceived, Link: fmt.Sprintf("/demands/%d", demandID),
			Key: fmt.Sprintf("quote:%d", id), Args: map[string]string{"title": d.Title, "quotes": fmt.Sprint(quotes)}},
			`SELECT id FROM users WHERE enterprise_id = ? AND role = 'enterprise' AND disabled_at IS NULL`, ent); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "quote.send", "quote", &id, model.Changes{"demand_id": {New: demandID}, "price": {New: in.Price}})
	})
	if err != nil {
		return nil, err
	}
	return &model.Quote{ID: id, DemandID: demandID, ProviderID: pid, Provider: p.Name, QuoteInput: in, Revision: 1, Status: model.QuoteSent,
		SentAt: sent, History: []model.QuoteRevision{}}, nil
}

// ReviseQuote replaces a provider's quote before the deadline, keeping the
// earlier version in its history.
func (s *Store) ReviseQuote(ctx context.Context, a model.Actor, id int64, in model.QuoteInput) (*model.Quote, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *Tx) error {
		q, err := scanQuote(tx.QueryRow(ctx, `SELECT `+quoteColumns+` FROM quotes q JOIN providers p ON p.id = q.provider_id WHERE q.id = ?`, id))
		if err != nil || q.ProviderID != a.ProviderOf() {
			return model.NotFound()
		}
		d, err := s.lockDemand(ctx, tx, a, q.DemandID)
		if err != nil {
			return err
		}
		if !d.QuotingOpen(s.Now()) || q.Status != model.QuoteSent {
			return model.Errorf(model.ErrConflict, "err.market.quoting_closed")
		}
		if _, err := tx.Exec(ctx, `INSERT INTO quote_revisions (quote_id, revision, price, includes, timeline_days, outcome, sent_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, q.Revision, q.Price, q.Includes, q.TimelineDays, q.Outcome, ms(q.SentAt)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE quotes SET price = ?, includes = ?, timeline_days = ?, outcome = ?, revision = revision + 1, sent_at = ?
			WHERE id = ?`, in.Price, in.Includes, in.TimelineDays, in.Outcome, ms(s.Now()), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "quote.revise", "quote", &id, model.Changes{"price": {Old: q.Price, New: in.Price}})
	})
	if err != nil {
		return nil, err
	}
	return s.Quote(ctx, a, id)
}

// quoteAccess says whether the actor may read a quote of demand d: its
// provider always; the enterprise once quoting is over; the staff in
// scope, every read of a sealed quote logged.
func (s *Store) quoteAccess(ctx context.Context, a model.Actor, d *model.Demand, providerID int64) (bool, error) {
	switch {
	case a.ProviderOf() != 0:
		return a.ProviderOf() == providerID, nil
	case ownsDemand(a, d):
		return !d.QuotingOpen(s.Now()), nil
	case reviewsDemand(a, d):
		return true, nil
	}
	return false, nil
}

// logSealedView records a staff read of quotes still sealed.
func (s *Store) logSealedView(ctx context.Context, a model.Actor, d *model.Demand, n int) error {
	if !d.QuotingOpen(s.Now()) || a.ProviderOf() != 0 || ownsDemand(a, d) || n == 0 {
		return nil
	}
	return s.write(ctx, func(tx *Tx) error {
		return s.audit(ctx, tx, a, "quote.view_sealed", "demand", &d.ID, model.Changes{"quotes": {New: n}})
	})
}

// Quote reads one quote with its history; anyone else gets not found.
func (s *Store) Quote(ctx context.Context, a model.Actor, id int64) (*model.Quote, error) {
	q, err := scanQuote(s.queryRow(ctx, `SELECT `+quoteColumns+` FROM quotes q JOIN providers p ON p.id = q.provider_id WHERE q.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	d, err := s.Demand(ctx, a, q.DemandID)
	if err != nil {
		return nil, model.NotFound()
	}
	if ok, err := s.quoteAccess(ctx, a, d, q.ProviderID); err != nil || !ok {
		return nil, model.NotFound()
	}
	if err := s.quoteHistory(ctx, q); err != nil {
		return nil, err
	}
	return q, s.logSealedView(ctx, a, d, 1)
}

func (s *Store) quoteHistory(ctx context.Context, q *model.Quote) error {
	rows, err := s.query(ctx, `SELECT revision, price, includes, timeline_days, outcome, sent_at FROM quote_revisions WHERE quote_id = ? ORDER BY revision`, q.ID)
	h, err := scanAll(rows, err, func(r *sql.Rows) (model.QuoteRevision, error) {
		var x model.QuoteRevision
		return x, r.Scan(&x.Revision, &x.Price, &x.Includes, &x.TimelineDays, &x.Outcome, timeCol{&x.SentAt})
	})
	if h != nil {
		q.History = h
	}
	return err
}

// Quotes lists a demand's quotes as the actor may see them: a provider its
// own; the enterprise all, side by side by price, once quoting is over
// (sealed before); the reviewers all, each sealed read logged.
func (s *Store) Quotes(ctx context.Context, a model.Actor, demandID int64) ([]*model.Quote, error) {
	d, err := s.Demand(ctx, a, demandID)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + quoteColumns + ` FROM quotes q JOIN providers p ON p.id = q.provider_id WHERE q.demand_id = ?`
	args := []any{demandID}
	switch {
	case a.ProviderOf() != 0:
		q += ` AND q.provider_id = ?`
		args = append(args, a.ProviderOf())
	case ownsDemand(a, d):
		if d.QuotingOpen(s.Now()) {
			return nil, model.Errorf(model.ErrForbidden, "err.market.sealed")
		}
	case reviewsDemand(a, d):
	default:
		return nil, model.NotFound()
	}
	rows, err := s.query(ctx, q+` ORDER BY q.price, q.id`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Quote, error) { return scanQuote(r) })
	if err != nil {
		return nil, err
	}
	for _, x := range out {
		if err := s.quoteHistory(ctx, x); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []*model.Quote{}
	}
	return out, s.logSealedView(ctx, a, d, len(out))
}

// AcceptQuote is the enterprise's binding acceptance, once quoting is
// over: the demand is awarded, the quote becomes a deal, the other
// providers are told theirs was declined. A second acceptance is refused.
func (s *Store) AcceptQuote(ctx context.Context, a model.Actor, id int64) (*model.Deal, error) {
	var dealID int64
	err := s.write(ctx, func(tx *Tx) error {
		var demandID, providerID int64
		var status string
		if err := tx.QueryRow(ctx, `SELECT demand_id, provider_id, status FROM quotes WHERE id = ?`, id).Scan(&demandID, &providerID, &status); err != nil {
			return notFound(err)
		}
		d, err := s.lockDemand(ctx, tx, a, demandID)
		if err != nil {
			return err
		}
		if !ownsDemand(a, d) {
			if a.ProviderOf() != 0 || reviewsDemand(a, d) {
				return model.Errorf(model.ErrForbidden, "err.forbidden")
			}
			return model.NotFound()
		}
		switch {
		case d.Status == model.DemandAwarded:
			return model.Errorf(model.ErrConflict, "err.market.awarded")
		case d.QuotingOpen(s.Now()):
			return model.Errorf(model.ErrForbidden, "err.market.sealed")
		case d.Status != model.DemandPublished && d.Status != model.DemandClosed:
			return model.Errorf(model.ErrConflict, "err.market.demand_fixed")
		}
		now := ms(s.Now())
		var price float64
		if err := tx.QueryRow(ctx, `SELECT price FROM quotes WHERE id = ?`, id).Scan(&price); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE demands SET status = ?, updated_at = ? WHERE id = ?`, model.DemandAwarded, now, demandID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE quotes SET status = CASE WHEN id = ? THEN 'accepted' ELSE 'declined' END WHERE demand_id = ?`, id, demandID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO deals (demand_id, quote_id, enterprise_id, provider_id, region_id, price, milestones, status, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, '[]', ?, ?, ?) RETURNING id`, demandID, id, d.EnterpriseID, providerID, d.RegionID, price, model.DealActive,
			now, now).Scan(&dealID); err != nil {
			return err
		}
		if err := tx.touchNew(ctx, byDeal, []int64{dealID}); err != nil {
			return err
		}
		for _, n := range []struct {
			kind  model.NoticeKind
			quote string
		}{{model.NoticeQuoteAccepted, `q.id = ?`}, {model.NoticeQuoteDeclined, `q.id <> ?`}} {
			if _, err := s.NoticeMany(ctx, tx, model.Notice{Kind: n.kind, Link: fmt.Sprintf("/demands/%d", demandID),
				Key: fmt.Sprintf("%s:%d", n.kind.Name, demandID), Args: map[string]string{"title": d.Title}},
				`SELECT u.id FROM quotes q JOIN users u ON u.provider_id = q.provider_id WHERE q.demand_id = ? AND `+n.quote+` AND u.disabled_at IS NULL`,
				demandID, id); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "quote.accept", "quote", &id, model.Changes{"deal_id": {New: dealID}, "price": {New: price}})
	})
	if err != nil {
		return nil, err
	}
	return s.Deal(ctx, a, dealID)
}

const dealColumns = `k.id, k.demand_id, k.quote_id, d.title, k.enterprise_id, e.name, k.provider_id, p.name, k.region_id, k.price, k.milestones,
	k.baseline_cost, k.baseline_note, k.achieved_cost, k.achieved_note, k.saving, k.co2_cut, k.status, k.completed_at, k.created_at`

const dealFrom = ` FROM deals k JOIN demands d ON d.id = k.demand_id JOIN enterprises e ON e.id = k.enterprise_id JOIN providers p ON p.id = k.provider_id`

func scanDeal(r rowScanner) (*model.Deal, error) {
	k := &model.Deal{Ratings: []model.Rating{}, Evidence: []model.CaseAttachment{}}
	var ms string
	if err := r.Scan(&k.ID, &k.DemandID, &k.QuoteID, &k.Title, &k.EnterpriseID, &k.Enterprise, &k.ProviderID, &k.Provider, &k.RegionID, &k.Price,
		&ms, &k.BaselineCost, &k.BaselineNote, &k.AchievedCost, &k.AchievedNote, &k.Saving, &k.CO2Cut, &k.Status, nullTimeCol{&k.CompletedAt},
		timeCol{&k.CreatedAt}); err != nil {
		return nil, err
	}
	return k, json.Unmarshal([]byte(ms), &k.Milestones)
}

// dealVisible: a deal is its enterprise's, its provider's, and the staff's
// in scope.
func dealVisible(a model.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return `1=1`, nil
	case a.User == nil:
		return `1=0`, nil
	case a.User.Role == model.RoleAssociation && a.User.RegionID != nil:
		return `k.region_id = ?`, []any{*a.User.RegionID}
	case enterpriseOf(a) != 0:
		return `k.enterprise_id = ?`, []any{enterpriseOf(a)}
	case a.ProviderOf() != 0:
		return `k.provider_id = ?`, []any{a.ProviderOf()}
	}
	return `1=0`, nil
}

// dealSide is the side of a deal the actor speaks for ("" for neither).
func dealSide(a model.Actor, k *model.Deal) string {
	switch {
	case enterpriseOf(a) != 0 && enterpriseOf(a) == k.EnterpriseID:
		return "enterprise"
	case a.ProviderOf() != 0 && a.ProviderOf() == k.ProviderID:
		return "provider"
	}
	return ""
}

// Deal reads a deal the actor may see, with its ratings.
func (s *Store) Deal(ctx context.Context, a model.Actor, id int64) (*model.Deal, error) {
	cond, args := dealVisible(a)
	k, err := scanDeal(s.queryRow(ctx, `SELECT `+dealColumns+dealFrom+` WHERE k.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	rows, err := s.query(ctx, `SELECT side, score, comment, created_at FROM deal_ratings WHERE deal_id = ? ORDER BY side`, id)
	rs, err := scanAll(rows, err, func(r *sql.Rows) (model.Rating, error) {
		var x model.Rating
		return x, r.Scan(&x.Side, &x.Score, &x.Comment, timeCol{&x.CreatedAt})
	})
	if err != nil {
		return nil, err
	}
	if rs != nil {
		k.Ratings = rs
	}
	if k.Evidence, err = s.marketFiles(ctx, fileOfDeal, id); err != nil {
		return nil, err
	}
	side := dealSide(a, k)
	rated := false
	for _, r := range k.Ratings {
		rated = rated || r.Side == side
	}
	k.Can = model.DealRights{Edit: side != "" && k.Status == model.DealActive, Rate: side != "" && k.Status == model.DealCompleted && !rated}
	return k, nil
}

// Deals lists the deals the actor may see, newest first.
func (s *Store) Deals(ctx context.Context, a model.Actor) ([]*model.Deal, error) {
	cond, args := dealVisible(a)
	rows, err := s.query(ctx, `SELECT `+dealColumns+dealFrom+` WHERE `+cond+` ORDER BY k.id DESC LIMIT 200`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Deal, error) { return scanDeal(r) })
	if out == nil {
		out = []*model.Deal{}
	}
	return out, err
}

// PatchDeal changes an active deal: the enterprise its costs, both sides
// the milestones; completing it needs both costs, keeps the saving
// (baseline minus achieved) and counts the provider's done deal.
func (s *Store) PatchDeal(ctx context.Context, a model.Actor, id int64, p model.DealPatch) (*model.Deal, error) {
	k, err := s.Deal(ctx, a, id)
	if err != nil {
		return nil, err
	}
	side := dealSide(a, k)
	if side == "" {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if k.Status != model.DealActive {
		return nil, model.Errorf(model.ErrConflict, "err.market.deal_done")
	}
	if side == "provider" && (p.BaselineCost != nil || p.AchievedCost != nil || p.BaselineNote != nil || p.AchievedNote != nil || p.CO2Cut != nil || p.Complete) {
		return nil, model.Errorf(model.ErrForbidden, "err.market.enterprise_costs")
	}
	if err := p.Apply(k, s.Now()); err != nil {
		return nil, err
	}
	milestones, _ := json.Marshal(k.Milestones)
	err = s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		var completed *int64
		if p.Complete {
			completed = &now
		}
		if err := tx.touch(ctx, byDeal, []int64{id}); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE deals SET milestones = ?, baseline_cost = ?, baseline_note = ?, achieved_cost = ?, achieved_note = ?,
			saving = ?, co2_cut = ?, status = ?, completed_at = ?, updated_at = ? WHERE id = ? AND status = 'active'`, string(milestones), k.BaselineCost,
			k.BaselineNote, k.AchievedCost, k.AchievedNote, k.Saving, k.CO2Cut, k.Status, completed, now, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrConflict, "err.market.deal_done")
		}
		if p.Complete {
			if _, err := tx.Exec(ctx, `UPDATE providers SET deals_done = deals_done + 1 WHERE id = ?`, k.ProviderID); err != nil {
				return err
			}
			if err := refreshRank(ctx, tx, k.ProviderID); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "deal.update", "deal", &id, model.Changes{"status": {New: k.Status}, "saving": {New: k.Saving}})
	})
	if err != nil {
		return nil, err
	}
	return s.Deal(ctx, a, id)
}

// RateDeal is one side's rating of the other after completion, once; the
// enterprise's rating counts in the provider's.
func (s *Store) RateDeal(ctx context.Context, a model.Actor, id int64, in model.RatingInput) (*model.Deal, error) {
	if err := in.Validate(); err != nil {
		return nil, err
	}
	k, err := s.Deal(ctx, a, id)
	if err != nil {
		return nil, err
	}
	side := dealSide(a, k)
	switch {
	case side == "":
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	case k.Status != model.DealCompleted:
		return nil, model.Errorf(model.ErrConflict, "err.market.deal_open")
	}
	err = s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO deal_ratings (deal_id, side, score, comment, rated_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (deal_id, side) DO NOTHING`, id, side, in.Score, in.Comment, a.User.ID, ms(s.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrConflict, "err.market.rated")
		}
		if side == "enterprise" {
			if _, err := tx.Exec(ctx, `UPDATE providers SET rating_sum = rating_sum + ?, rating_count = rating_count + 1 WHERE id = ?`,
				in.Score, k.ProviderID); err != nil {
				return err
			}
			if err := refreshRank(ctx, tx, k.ProviderID); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "deal.rate", "deal", &id, model.Changes{"side": {New: side}, "score": {New: in.Score}})
	})
	if err != nil {
		return nil, err
	}
	return s.Deal(ctx, a, id)
}

// Savings sums the deals per town in the actor's scope, with the county's
// total first for the bureau: deals, completed ones, and the money the
// completed ones saved a year.
func (s *Store) Savings(ctx context.Context, a model.Actor) ([]model.Savings, error) {
	if !isStaff(a) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	q := `SELECT k.region_id, g.name, COUNT(*), SUM(CASE WHEN k.status = 'completed' THEN 1 ELSE 0 END),
		COALESCE(SUM(CASE WHEN k.status = 'completed' THEN k.baseline_cost END), 0), COALESCE(SUM(CASE WHEN k.status = 'completed' THEN k.achieved_cost END), 0),
		COALESCE(SUM(CASE WHEN k.status = 'completed' THEN k.saving END), 0)
		FROM deals k JOIN regions g ON g.id = k.region_id`
	var args []any
	if town := publisherTown(a); town != nil {
		q += ` WHERE k.region_id = ?`
		args = append(args, *town)
	}
	rows, err := s.query(ctx, q+` GROUP BY k.region_id, g.name ORDER BY g.name`, args...)
	towns, err := scanAll(rows, err, func(r *sql.Rows) (model.Savings, error) {
		var x model.Savings
		var id int64
		err := r.Scan(&id, &x.RegionName, &x.Deals, &x.Completed, &x.Baseline, &x.Achieved, &x.Saving)
		x.RegionID = &id
		return x, err
	})
	if err != nil {
		return nil, err
	}
	out := []model.Savings{}
	if a.IsAdmin() {
		total := model.Savings{RegionName: "county"}
		for _, t := range towns {
			total.Deals += t.Deals
			total.Completed += t.Completed
			total.Baseline += t.Baseline
			total.Achieved += t.Achieved
			total.Saving += t.Saving
		}
		out = append(out, total)
	}
	return append(out, towns...), nil
}

// NoticeQuotesOpen tells each enterprise whose demand's quoting deadline
// passed in the last day that its quotes are open to compare, once a
// demand. Any instance may run it any number of times.
func (s *Store) NoticeQuotesOpen(ctx context.Context) (int, error) {
	now := s.Now()
	rows, err := s.query(ctx, `SELECT d.id, d.enterprise_id, d.title, (SELECT COUNT(*) FROM quotes q WHERE q.demand_id = d.id) FROM demands d
		WHERE d.status = 'published' AND d.quote_deadline <= ? AND d.quote_deadline > ?`,
		ms(now), ms(now.Add(-24*time.Hour)))
	type due struct {
		id, ent int64
		title   string
		quotes  int
	}
	list, err := scanAll(rows, err, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.id, &d.ent, &d.title, &d.quotes)
	})
	if err != nil || len(list) == 0 {
		return 0, err
	}
	made := 0
	err = s.write(ctx, func(tx *Tx) error {
		for _, d := range list {
			n, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeQuotesOpen, Link: fmt.Sprintf("/demands/%d", d.id),
				Key: fmt.Sprintf("quotes-open:%d", d.id), Args: map[string]string{"title": d.title, "quotes": fmt.Sprint(d.quotes)}},
				`SELECT id FROM users WHERE enterprise_id = ? AND role = 'enterprise' AND disabled_at IS NULL`, d.ent)
			if err != nil {
				return err
			}
			made += n
		}
		return nil
	})
	return made, err
}

// ProviderReviews lists the enterprises' ratings of a provider's completed
// deals, newest first: public to every account, as the provider is.
func (s *Store) ProviderReviews(ctx context.Context, a model.Actor, providerID int64, limit int) ([]model.Review, error) {
	if _, err := s.Provider(ctx, a, providerID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT d.title, r.score, r.comment, r.created_at FROM deal_ratings r JOIN deals k ON k.id = r.deal_id
		JOIN demands d ON d.id = k.demand_id WHERE k.provider_id = ? AND r.side = 'enterprise' ORDER BY r.created_at DESC LIMIT ?`, providerID, limit)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.Review, error) {
		var x model.Review
		return x, r.Scan(&x.Title, &x.Score, &x.Comment, timeCol{&x.CreatedAt})
	})
	if out == nil {
		out = []model.Review{}
	}
	return out, err
}
