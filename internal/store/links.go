package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/envhome/envhome/internal/model"
)

// linkScope narrows pending claims to those the actor decides: all for
// the bureau, its town's enterprises' own claims for an association.
func linkScope(a model.Actor) (string, []any) {
	sc := a.Scope()
	switch {
	case a.IsAdmin():
		return `1=1`, nil
	case a.User != nil && a.User.Role == model.RoleAssociation && sc.RegionID != 0:
		return `e.region_id = ? AND m.link_needs = ?`, []any{sc.RegionID, model.LinkNeedsAssociation}
	}
	return `1=0`, nil
}

// LinkRequests lists the pending claims the actor decides, oldest first.
func (s *Store) LinkRequests(ctx context.Context, a model.Actor, p model.Page) (model.List[model.LinkRequest], error) {
	cond, args := linkScope(a)
	q := `SELECT ` + managerColumns + `, c.name, c.id_card, p.id_card, m.created_at,
		(SELECT COUNT(*) FROM managers y WHERE y.person_id = c.id)` + managerFrom + ` JOIN people c ON c.id = m.claim_person_id
		WHERE m.link_status = 'pending' AND ` + cond
	if p.After > 0 {
		q += ` AND m.id > ?`
		args = append(args, p.After)
	}
	q += ` ORDER BY m.id LIMIT ?`
	args = append(args, p.Limit+1)
	rows, err := s.query(ctx, q, args...)
	list, err := scanAll(rows, err, func(r *sql.Rows) (model.LinkRequest, error) {
		var req model.LinkRequest
		var name, card, claimedCard string
		m, err := s.scanManager(scanTail{r, []any{&name, sealedCol{&card, s.pii, piiAAD}, sealedCol{&claimedCard, s.pii, piiAAD},
			timeCol{&req.RequestedAt}, &req.Enterprises}})
		if err != nil {
			return req, err
		}
		req.Manager = m
		req.NameMatches = name == m.Name
		if card != "" && claimedCard != "" {
			same := card == claimedCard
			req.IDCardMatches = &same
		}
		return req, nil
	})
	if err != nil {
		return model.List[model.LinkRequest]{}, err
	}
	return model.PageOf(list, p.Limit, func(r model.LinkRequest) int64 { return r.Manager.ID }), nil
}

// scanTail scans a manager's columns followed by more.
type scanTail struct {
	r    rowScanner
	more []any
}

func (t scanTail) Scan(dest ...any) error { return t.r.Scan(append(dest, t.more...)...) }

// DecideLink confirms or rejects a pending claim. Confirming needs the
// claimed name (and ID number, where both are known) to be the registered
// person's; the claimant's own person is then merged into the registered
// one: its bookings and certificates move, and the record becomes an
// appointment of that person. A rejection keeps the record apart and
// tells the adder the reason.
func (s *Store) DecideLink(ctx context.Context, a model.Actor, id int64, d model.LinkDecision) (*model.Manager, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	var out *model.Manager
	err := s.write(ctx, func(tx *Tx) error {
		m, err := s.managerTx(ctx, tx, a.Scope(), id)
		if err != nil {
			return err
		}
		// Whether a claim is pending, and for whom, is not told to those
		// who do not decide it: one answer for all of that.
		if !a.IsAdmin() && (a.User == nil || a.User.Role != model.RoleAssociation) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if !a.CanDecideLink(m) {
			return model.Errorf(model.ErrConflict, "err.link_not_pending")
		}
		now := ms(s.Now())
		var claim int64
		var claimName, claimCard, ownCard string
		if err := tx.QueryRow(ctx, `SELECT c.id, c.name, c.id_card, p.id_card FROM managers m JOIN people c ON c.id = m.claim_person_id
			JOIN people p ON p.id = m.person_id WHERE m.id = ?`, id).Scan(&claim, &claimName, sealedCol{&claimCard, s.pii, piiAAD},
			sealedCol{&ownCard, s.pii, piiAAD}); err != nil {
			return err
		}
		changes := model.Changes{"link": model.Change{Old: model.LinkPending}}
		if !d.Confirm {
			if _, err := tx.Exec(ctx, `UPDATE managers SET link_status = ?, link_reason = ?, link_decided_at = ?, updated_at = ? WHERE id = ?`,
				model.LinkRejected, d.Reason, now, now, id); err != nil {
				return err
			}
			changes["link"] = model.Change{Old: model.LinkPending, New: model.LinkRejected}
		} else {
			if claimName != m.Name || (claimCard != "" && ownCard != "" && claimCard != ownCard) {
				return model.Errorf(model.ErrConflict, "err.link_mismatch")
			}
			var here int
			if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM managers WHERE enterprise_id = ? AND person_id = ?`, m.EnterpriseID, claim).Scan(&here); err != nil {
				return err
			}
			if here > 0 {
				return model.Errorf(model.ErrConflict, "err.manager_exists")
			}
			if err := tx.touch(ctx, byPerson, []int64{claim, m.PersonID}, "managers"); err != nil {
				return err
			}
			for _, q := range []string{
				`UPDATE bookings SET person_id = ? WHERE person_id = ?`,
				`UPDATE certificates SET person_id = ? WHERE person_id = ?`,
				`UPDATE managers SET person_id = ? WHERE person_id = ?`,
			} {
				if _, err := tx.Exec(ctx, q, claim, m.PersonID); err != nil {
					return err
				}
			}
			if claimCard == "" && ownCard != "" {
				if _, err := tx.Exec(ctx, `UPDATE people SET id_card = ?, updated_at = ? WHERE id = ?`, s.pii.seal(ownCard), now, claim); err != nil {
					return err
				}
			}
			if _, err := tx.Exec(ctx, `UPDATE managers SET claim_person_id = NULL, link_status = '', link_reason = '', link_decided_at = ?,
				updated_at = ? WHERE id = ?`, now, now, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM people WHERE id = ?`, m.PersonID); err != nil {
				return err
			}
			changes["link"] = model.Change{Old: model.LinkPending, New: "confirmed"}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO manager_history (manager_id, at, actor_name, field, old_value, new_value, reason)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, id, now, a.Name(), "link", model.LinkPending, fmt.Sprint(changes["link"].New), d.Reason); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "manager.link", "manager", &id, changes); err != nil {
			return err
		}
		out, err = s.managerTx(ctx, tx, model.Scope{All: true}, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("decide link: %w", err)
	}
	return out, nil
}
