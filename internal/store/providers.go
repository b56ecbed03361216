package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/envhome/envhome/internal/model"
)

const providerColumns = `p.id, p.uscc, p.name, p.description, p.categories, p.pollutants, p.industries, p.region_ids, p.licences,
	p.contact_name, p.contact_phone, p.contact_email, p.status, p.verified_at, p.grade, p.grade_reason, p.rating_sum, p.rating_count,
	p.deals_done, p.cases, p.created_at, p.updated_at`

func (s *Store) scanProvider(r rowScanner) (*model.Provider, error) {
	p := &model.Provider{}
	var cats, pols, inds, towns, lics string
	var sum int
	err := r.Scan(&p.ID, &p.USCC, &p.Name, &p.Description, &cats, &pols, &inds, &towns, &lics, &p.ContactName, &p.ContactPhone,
		&p.ContactEmail, &p.Status, nullTimeCol{&p.VerifiedAt}, &p.Grade, &p.GradeReason, &sum, &p.Ratings, &p.DealsDone, &p.Cases,
		timeCol{&p.CreatedAt}, timeCol{&p.UpdatedAt})
	if err != nil {
		return nil, err
	}
	p.Categories, p.Pollutants, p.Industries = splitLists(cats), splitLists(pols), splitLists(inds)
	p.RegionIDs = []int64{}
	for _, t := range splitLists(towns) {
		if id, err := strconv.ParseInt(t, 10, 64); err == nil {
			p.RegionIDs = append(p.RegionIDs, id)
		}
	}
	if p.Ratings > 0 {
		p.Rating = float64(sum*10/p.Ratings) / 10
	}
	if err := json.Unmarshal([]byte(lics), &p.Licences); err != nil {
		return nil, err
	}
	today := model.Today(s.Now())
	for i := range p.Licences {
		p.Licences[i].Valid = p.Licences[i].ValidUntil >= today
	}
	return p, nil
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return joinLists(parts)
}

// writeProviderFacts replaces a provider's rows of facts, which matching
// starts from.
func writeProviderFacts(ctx context.Context, tx *Tx, id int64, in *model.ProviderInput) error {
	if _, err := tx.Exec(ctx, `DELETE FROM provider_facts WHERE provider_id = ?`, id); err != nil {
		return err
	}
	var args []any
	add := func(kind string, values []string) {
		for _, v := range values {
			args = append(args, id, kind, v)
		}
	}
	add("category", in.Categories)
	add("pollutant", in.Pollutants)
	add("industry", in.Industries)
	towns := make([]string, len(in.RegionIDs))
	for i, t := range in.RegionIDs {
		towns[i] = strconv.FormatInt(t, 10)
	}
	add("town", towns)
	if len(args) == 0 {
		return nil
	}
	_, err := tx.Exec(ctx, `INSERT INTO provider_facts (provider_id, kind, value) VALUES `+placeholders(len(args)/3, 3), args...)
	return err
}

func writeLicences(ctx context.Context, tx *Tx, id int64, ls []model.Licence) error {
	if _, err := tx.Exec(ctx, `DELETE FROM provider_licences WHERE provider_id = ?`, id); err != nil {
		return err
	}
	for i, l := range ls {
		if _, err := tx.Exec(ctx, `INSERT INTO provider_licences (provider_id, n, kind, number, valid_until) VALUES (?, ?, ?, ?, ?)`,
			id, i+1, l.Kind, l.Number, string(l.ValidUntil)); err != nil {
			return err
		}
	}
	return nil
}

// checkTowns refuses towns that are not the county's.
func checkTowns(ctx context.Context, tx *Tx, ids []int64) error {
	for _, id := range ids {
		var parent sql.NullInt64
		if err := tx.QueryRow(ctx, `SELECT parent_id FROM regions WHERE id = ?`, id).Scan(&parent); err != nil || !parent.Valid {
			return fieldError(model.ErrInvalid, "region_ids", "err.field.choice")
		}
	}
	return nil
}

// RegisterProvider registers a provider's organisation: a provider account
// registers its own (and is linked to it), the bureau any. It waits for
// the bureau's verification before it can quote.
func (s *Store) RegisterProvider(ctx context.Context, a model.Actor, in model.ProviderInput) (*model.Provider, error) {
	own := a.User != nil && a.User.Role == model.RoleProvider
	if !own && !a.IsAdmin() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if own && a.User.ProviderID != nil {
		return nil, model.Errorf(model.ErrConflict, "err.provider.registered")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	lics, _ := json.Marshal(in.Licences)
	var id int64
	defer s.forgetTokens() // cached token lookups carry the account, now linked
	err := s.write(ctx, func(tx *Tx) error {
		if err := checkTowns(ctx, tx, in.RegionIDs); err != nil {
			return err
		}
		now := ms(s.Now())
		err := tx.QueryRow(ctx, `INSERT INTO providers (uscc, name, description, categories, pollutants, industries, region_ids, licences,
			contact_name, contact_phone, contact_email, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.USCC, in.Name, in.Description, joinLists(in.Categories),
			joinLists(in.Pollutants), joinLists(in.Industries), joinIDs(in.RegionIDs), string(lics), in.ContactName, in.ContactPhone,
			in.ContactEmail, model.ProviderPending, a.ID(), now, now).Scan(&id)
		if isUniqueViolation(err) {
			return fieldError(model.ErrConflict, "uscc", "err.provider.exists")
		}
		if err != nil {
			return err
		}
		if err := writeProviderFacts(ctx, tx, id, &in); err != nil {
			return err
		}
		if err := writeLicences(ctx, tx, id, in.Licences); err != nil {
			return err
		}
		if err := refreshRank(ctx, tx, id); err != nil {
			return err
		}
		if own {
			if _, err := tx.Exec(ctx, `UPDATE users SET provider_id = ?, updated_at = ? WHERE id = ?`, id, now, a.User.ID); err != nil {
				return err
			}
			a.User.ProviderID = &id
		}
		return s.audit(ctx, tx, a, "provider.register", "provider", &id, model.Changes{"name": {New: in.Name}, "uscc": {New: in.USCC}})
	})
	if err != nil {
		return nil, fmt.Errorf("register provider: %w", err)
	}
	return s.Provider(ctx, a, id)
}

// UpdateProvider changes a provider's profile: its own accounts or the
// bureau. The credit code does not change; a changed category or licence
// counts from now in matches. Verification stays.
func (s *Store) UpdateProvider(ctx context.Context, a model.Actor, id int64, in model.ProviderInput) (*model.Provider, error) {
	old, err := s.Provider(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !old.Can.Edit {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	in.USCC = old.USCC
	if err := in.Validate(); err != nil {
		return nil, err
	}
	lics, _ := json.Marshal(in.Licences)
	err = s.write(ctx, func(tx *Tx) error {
		if err := checkTowns(ctx, tx, in.RegionIDs); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE providers SET name = ?, description = ?, categories = ?, pollutants = ?, industries = ?,
			region_ids = ?, licences = ?, contact_name = ?, contact_phone = ?, contact_email = ?, updated_at = ? WHERE id = ?`,
			in.Name, in.Description, joinLists(in.Categories), joinLists(in.Pollutants), joinLists(in.Industries), joinIDs(in.RegionIDs),
			string(lics), in.ContactName, in.ContactPhone, in.ContactEmail, ms(s.Now()), id); err != nil {
			return err
		}
		if err := writeProviderFacts(ctx, tx, id, &in); err != nil {
			return err
		}
		if err := writeLicences(ctx, tx, id, in.Licences); err != nil {
			return err
		}
		if err := refreshRank(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "provider.update", "provider", &id, model.Changes{"name": {Old: old.Name, New: in.Name}})
	})
	if err != nil {
		return nil, err
	}
	return s.Provider(ctx, a, id)
}

// isStaff says whether the actor is the bureau or an association.
func isStaff(a model.Actor) bool {
	return a.IsAdmin() || (a.User != nil && a.User.Role == model.RoleAssociation)
}

// providerVisible: verified providers are public to every account; one
// waiting for verification to its own accounts and the staff.
func providerVisible(a model.Actor) (string, []any) {
	if isStaff(a) {
		return `1=1`, nil
	}
	return `(p.status = 'verified' OR p.id = ?)`, []any{a.ProviderOf()}
}

// Provider reads a provider the actor may see, with its rights.
func (s *Store) Provider(ctx context.Context, a model.Actor, id int64) (*model.Provider, error) {
	if a.User == nil && !a.IsAdmin() {
		return nil, model.NotFound()
	}
	cond, args := providerVisible(a)
	p, err := s.scanProvider(s.queryRow(ctx, `SELECT `+providerColumns+` FROM providers p WHERE p.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	tied, _, err := s.TiedTo(ctx, a, id)
	if err != nil {
		return nil, err
	}
	p.Can = model.ProviderRights{Edit: a.ProviderOf() == id || a.IsAdmin() && a.User != nil && !tied,
		Verify: a.IsAdmin() && a.User != nil && !tied && p.Status != model.ProviderVerified, Grade: a.IsAdmin() && a.User != nil && !tied}
	return p, nil
}

// ProviderFilter narrows the provider list.
type ProviderFilter struct {
	Category string
	Status   string
	Q        string // part of the name
}

// Providers lists providers the actor may see, by name.
func (s *Store) Providers(ctx context.Context, a model.Actor, f ProviderFilter) ([]*model.Provider, error) {
	cond, args := providerVisible(a)
	q := `SELECT ` + providerColumns + ` FROM providers p WHERE ` + cond
	if f.Category != "" {
		q += ` AND EXISTS (SELECT 1 FROM provider_facts x WHERE x.provider_id = p.id AND x.kind = 'category' AND x.value = ?)`
		args = append(args, f.Category)
	}
	if f.Status != "" {
		q += ` AND p.status = ?`
		args = append(args, f.Status)
	}
	if f.Q != "" {
		q += ` AND p.name LIKE ? ESCAPE '\'`
		args = append(args, "%"+escapeLike(f.Q)+"%")
	}
	rows, err := s.query(ctx, q+` ORDER BY p.status = 'verified', p.name LIMIT 200`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Provider, error) { return s.scanProvider(r) })
	if out == nil {
		out = []*model.Provider{}
	}
	return out, err
}

// TiedTo says whether the actor's account is tied to a provider, and how:
// it speaks for it, declared a tie, shares its credit code (its enterprise
// is the provider) or the domain of its contact address. A tied account
// never reviews or verifies that provider's affairs.
func (s *Store) TiedTo(ctx context.Context, a model.Actor, providerID int64) (bool, string, error) {
	if a.User == nil {
		return false, "", nil
	}
	if a.ProviderOf() == providerID {
		return true, "account", nil
	}
	var declared, sameCode int
	var email string
	err := s.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM provider_ties t WHERE t.user_id = ? AND t.provider_id = p.id),
		(SELECT COUNT(*) FROM enterprises e WHERE e.id = ? AND e.uscc = p.uscc),
		p.contact_email FROM providers p WHERE p.id = ?`, a.User.ID, a.User.EnterpriseID, providerID).Scan(&declared, &sameCode, &email)
	switch {
	case err == sql.ErrNoRows:
		return false, "", nil
	case err != nil:
		return false, "", err
	case declared > 0:
		return true, "declared", nil
	case sameCode > 0:
		return true, "credit_code", nil
	case model.MailDomain(email) != "" && model.MailDomain(email) == model.MailDomain(a.User.Email):
		return true, "email_domain", nil
	}
	return false, "", nil
}

// refuseTied logs a refused action of a tied account, in its own
// transaction (the refusal must be on record), and returns the refusal.
func (s *Store) refuseTied(ctx context.Context, a model.Actor, action, objectType string, id int64, how string) error {
	if err := s.write(ctx, func(tx *Tx) error {
		return s.audit(ctx, tx, a, action+".refused", objectType, &id, model.Changes{"conflict_of_interest": {New: how}})
	}); err != nil {
		return err
	}
	return model.Errorf(model.ErrForbidden, "err.market.conflict")
}

// DeclareTie records the actor's own tie to a provider.
func (s *Store) DeclareTie(ctx context.Context, a model.Actor, providerID int64) error {
	if a.User == nil {
		return model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	if _, err := s.Provider(ctx, a, providerID); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO provider_ties (user_id, provider_id, created_at) VALUES (?, ?, ?) ON CONFLICT (user_id, provider_id) DO NOTHING`,
			a.User.ID, providerID, ms(s.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.audit(ctx, tx, a, "provider.tie", "provider", &providerID, nil)
	})
}

// VerifyProvider is the bureau's check of a provider's credentials; a tied
// account is refused, and the refusal logged.
func (s *Store) VerifyProvider(ctx context.Context, a model.Actor, id int64) (*model.Provider, error) {
	if !a.IsAdmin() || a.User == nil {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	p, err := s.Provider(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if tied, how, err := s.TiedTo(ctx, a, id); err != nil {
		return nil, err
	} else if tied {
		return nil, s.refuseTied(ctx, a, "provider.verify", "provider", id, how)
	}
	if p.Status == model.ProviderVerified {
		return p, nil
	}
	err = s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		if _, err := tx.Exec(ctx, `UPDATE providers SET status = ?, verified_at = ?, verified_by = ?, updated_at = ? WHERE id = ?`,
			model.ProviderVerified, now, a.User.ID, now, id); err != nil {
			return err
		}
		if err := refreshRank(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "provider.verify", "provider", &id, model.Changes{"status": {Old: p.Status, New: model.ProviderVerified}})
	})
	if err != nil {
		return nil, err
	}
	return s.Provider(ctx, a, id)
}

// GradeProvider sets the bureau's credit grade with its reason.
func (s *Store) GradeProvider(ctx context.Context, a model.Actor, id int64, g model.ProviderGrade) (*model.Provider, error) {
	if !a.IsAdmin() || a.User == nil {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := g.Validate(); err != nil {
		return nil, err
	}
	p, err := s.Provider(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if tied, how, err := s.TiedTo(ctx, a, id); err != nil {
		return nil, err
	} else if tied {
		return nil, s.refuseTied(ctx, a, "provider.grade", "provider", id, how)
	}
	err = s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE providers SET grade = ?, grade_reason = ?, updated_at = ? WHERE id = ?`, g.Grade, g.Reason, ms(s.Now()), id); err != nil {
			return err
		}
		if err := refreshRank(ctx, tx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "provider.grade", "provider", &id, model.Changes{"grade": {Old: p.Grade, New: g.Grade}, "reason": {New: g.Reason}})
	})
	if err != nil {
		return nil, err
	}
	return s.Provider(ctx, a, id)
}

// NoticeExpiringLicences tells each provider's accounts of a licence that
// lapses within model.LicenceExpiryNotice days, once a licence. Any
// instance may run it any number of times.
func (s *Store) NoticeExpiringLicences(ctx context.Context) (int, error) {
	today := model.Today(s.Now())
	limit := today.AddDays(model.LicenceExpiryNotice)
	rows, err := s.query(ctx, `SELECT l.provider_id, l.n, l.number, l.valid_until, p.name FROM provider_licences l JOIN providers p ON p.id = l.provider_id
		WHERE l.valid_until <= ? AND l.valid_until >= ? AND l.notified_on IS NULL ORDER BY l.valid_until LIMIT 500`, string(limit), string(today))
	type due struct {
		provider      int64
		n             int
		number, until string
		providerName  string
	}
	list, err := scanAll(rows, err, func(r *sql.Rows) (due, error) {
		var d due
		return d, r.Scan(&d.provider, &d.n, &d.number, &d.until, &d.providerName)
	})
	if err != nil || len(list) == 0 {
		return 0, err
	}
	made := 0
	err = s.write(ctx, func(tx *Tx) error {
		for _, d := range list {
			n, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeLicenceExpiring, Link: fmt.Sprintf("/providers/%d", d.provider),
				Key:  fmt.Sprintf("licence:%d:%d:%s", d.provider, d.n, d.until),
				Args: map[string]string{"licence": d.number, "until": d.until, "provider": d.providerName}},
				`SELECT id FROM users WHERE provider_id = ? AND disabled_at IS NULL`, d.provider)
			if err != nil {
				return err
			}
			made += n
			if _, err := tx.Exec(ctx, `UPDATE provider_licences SET notified_on = ? WHERE provider_id = ? AND n = ?`, string(today), d.provider, d.n); err != nil {
				return err
			}
		}
		return nil
	})
	return made, err
}

// LinkProviderAccount makes a provider account speak for a provider (a
// second account of the same organisation): the bureau's act.
func (s *Store) LinkProviderAccount(ctx context.Context, a model.Actor, userID, providerID int64) error {
	if !a.IsAdmin() {
		return model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	defer s.forgetTokens()
	return s.write(ctx, func(tx *Tx) error {
		res, err := tx.Exec(ctx, `UPDATE users SET provider_id = ?, updated_at = ? WHERE id = ? AND role = 'provider'
			AND EXISTS (SELECT 1 FROM providers WHERE id = ?)`, providerID, ms(s.Now()), userID, providerID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.NotFound()
		}
		return s.audit(ctx, tx, a, "provider.account", "provider", &providerID, model.Changes{"user_id": {New: userID}})
	})
}

// refreshRank keeps a provider's base score beside its categories, in the
// transaction that changed what it counts (profile, verification, grade,
// ratings, deals done, cases).
func refreshRank(ctx context.Context, tx *Tx, id int64) error {
	p, err := scanMatchProvider(tx.QueryRow(ctx, `SELECT `+matchColumns+` FROM providers p WHERE p.id = ?`, id))
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE provider_facts SET rank_base = ? WHERE provider_id = ? AND kind = 'category'`, model.ProviderBase(p), id)
	return err
}
