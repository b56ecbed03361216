package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

const managerColumns = `m.id, m.enterprise_id, m.person_id, p.name, p.mobile, p.id_card, m.role, m.appointed_on,
	m.appointment_doc, m.cert_no, m.cert_issued_on, m.cert_expires_on, m.status, m.created_at, m.updated_at, e.name, e.region_id,
	m.link_status, m.link_needs, m.link_reason, m.link_requested_by, m.link_decided_at`

const managerFrom = ` FROM managers m JOIN people p ON p.id = m.person_id JOIN enterprises e ON e.id = m.enterprise_id`

func (s *Store) scanManager(r rowScanner) (*model.Manager, error) {
	m := &model.Manager{}
	l := &model.ManagerLink{}
	err := r.Scan(&m.ID, &m.EnterpriseID, &m.PersonID, &m.Name, &m.Mobile, sealedCol{&m.IDCard, s.pii, piiAAD}, &m.Role, &m.AppointedOn,
		&m.AppointmentDoc, &m.CertNo, &m.CertIssuedOn, &m.CertExpiresOn, &m.Status, timeCol{&m.CreatedAt}, timeCol{&m.UpdatedAt}, &m.EnterpriseName,
		&m.RegionID, &l.Status, &l.Needs, &l.Reason, &l.RequestedBy, nullTimeCol{&l.DecidedAt})
	// The ID number never leaves the store unmasked.
	m.IDCard = model.MaskIDCard(m.IDCard)
	// A claimant's own person keeps its number as "mobile#enterprise".
	m.Mobile, _, _ = strings.Cut(m.Mobile, "#")
	if l.Status != "" {
		m.Link = l
	}
	return m, err
}

// Managers lists an enterprise's managers; an enterprise outside the scope
// is not found.
func (s *Store) Managers(ctx context.Context, a model.Actor, enterpriseID int64) ([]*model.Manager, error) {
	if _, err := s.Enterprise(ctx, a, enterpriseID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT `+managerColumns+managerFrom+` WHERE m.enterprise_id = ? ORDER BY m.id`, enterpriseID)
	ms, err := scanAll(rows, err, func(r *sql.Rows) (*model.Manager, error) { return s.scanManager(r) })
	if ms == nil {
		ms = []*model.Manager{}
	}
	return ms, err
}

// Manager returns a manager whose enterprise the scope may see.
func (s *Store) Manager(ctx context.Context, a model.Actor, id int64) (*model.Manager, error) {
	sc := a.Scope()
	cond, args := scopeSQL(sc)
	m, err := s.scanManager(s.queryRow(ctx, `SELECT `+managerColumns+managerFrom+` WHERE m.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	return m, nil
}

func (s *Store) managerTx(ctx context.Context, tx *Tx, sc model.Scope, id int64) (*model.Manager, error) {
	cond, args := scopeSQL(sc)
	m, err := s.scanManager(tx.QueryRow(ctx, `SELECT `+managerColumns+managerFrom+` WHERE m.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	return m, nil
}

// claimKey is the mobile column of a claimant's own person: never a
// number, so a search by number finds only the registered person; one per
// enterprise and number.
func claimKey(mobile string, enterpriseID int64) string {
	return mobile + "#" + strconv.FormatInt(enterpriseID, 10)
}

// outsideScope reports whether a person serves, or attended classes for,
// an enterprise outside the scope.
func (s *Store) outsideScope(ctx context.Context, tx *Tx, sc model.Scope, personID int64) (bool, error) {
	if sc.All {
		return false, nil
	}
	cond, args := scopeSQL(sc)
	var n int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM (
		SELECT 1 AS x FROM managers x JOIN enterprises e ON e.id = x.enterprise_id WHERE x.person_id = ? AND NOT (`+cond+`)
		UNION ALL SELECT 1 FROM bookings b JOIN enterprises e ON e.id = b.enterprise_id WHERE b.person_id = ? AND NOT (`+cond+`)) t`,
		append(append(append([]any{personID}, args...), personID), args...)...).Scan(&n)
	return n > 0, err
}

// personLink is who a manager record stands for: its person, and while a
// claim is pending the person it claims to be.
type personLink struct {
	PersonID, ClaimID int64
	Needs             string
}

// person finds or creates the person with m's mobile number for an
// appointment at enterpriseID. A person the actor can see whole (every
// enterprise they serve is in scope) must match the name and ID number
// given. A person who also serves elsewhere is neither shown nor
// changed: the record gets a person of its own with what was given and a
// pending claim to be the registered one, which the association (or the
// bureau) decides; the answer is the same as for a new number.
func (s *Store) person(ctx context.Context, tx *Tx, a model.Actor, enterpriseID int64, m *model.Manager) (personLink, error) {
	var id int64
	var name, idCard string
	err := tx.QueryRow(ctx, `SELECT id, name, id_card FROM people WHERE mobile = ?`, m.Mobile).Scan(&id, &name, sealedCol{&idCard, s.pii, piiAAD})
	now := ms(s.Now())
	insert := func(mobile string) (int64, error) {
		var pid int64
		err := tx.QueryRow(ctx, `INSERT INTO people (name, mobile, id_card, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			m.Name, mobile, s.pii.seal(m.IDCard), now, now).Scan(&pid)
		if isUniqueViolation(err) {
			return 0, fieldError(model.ErrConflict, "mobile", "err.manager_exists")
		}
		return pid, err
	}
	if err == sql.ErrNoRows {
		pid, err := insert(m.Mobile)
		return personLink{PersonID: pid}, err
	}
	if err != nil {
		return personLink{}, err
	}
	var here int
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM managers WHERE enterprise_id = ? AND person_id = ?`, enterpriseID, id).Scan(&here); err != nil {
		return personLink{}, err
	}
	if here > 0 {
		return personLink{}, fieldError(model.ErrConflict, "mobile", "err.manager_exists")
	}
	outside, err := s.outsideScope(ctx, tx, a.Scope(), id)
	if err != nil {
		return personLink{}, err
	}
	if outside {
		pid, err := insert(claimKey(m.Mobile, enterpriseID))
		needs := model.LinkNeedsAssociation
		if a.Scope().EnterpriseID == 0 {
			needs = model.LinkNeedsBureau
		}
		return personLink{PersonID: pid, ClaimID: id, Needs: needs}, err
	}
	switch {
	case name != m.Name:
		return personLink{}, fieldError(model.ErrInvalid, "mobile", "err.field.mobile_other_person")
	case m.IDCard != "" && idCard != "" && idCard != m.IDCard:
		return personLink{}, fieldError(model.ErrInvalid, "id_card", "err.field.id_card_mismatch")
	case m.IDCard != "" && idCard == "":
		_, err = tx.Exec(ctx, `UPDATE people SET id_card = ?, updated_at = ? WHERE id = ?`, s.pii.seal(m.IDCard), now, id)
	}
	return personLink{PersonID: id}, err
}

// setClaim records a pending claim on a manager record.
func (s *Store) setClaim(ctx context.Context, tx *Tx, a model.Actor, managerID int64, l personLink) error {
	var claim any
	status := ""
	if l.ClaimID != 0 {
		claim, status = l.ClaimID, model.LinkPending
	}
	_, err := tx.Exec(ctx, `UPDATE managers SET claim_person_id = ?, link_status = ?, link_needs = ?, link_reason = '',
		link_requested_by = ?, link_decided_at = NULL WHERE id = ?`, claim, status, l.Needs, a.Name(), managerID)
	if err != nil || l.ClaimID == 0 {
		return err
	}
	return s.noticeClaim(ctx, tx, managerID)
}

// noticeClaim tells whoever decides a pending claim that it waits.
func (s *Store) noticeClaim(ctx context.Context, tx *Tx, managerID int64) error {
	m, err := s.managerTx(ctx, tx, model.Scope{All: true}, managerID)
	if err != nil {
		return err
	}
	to := Bureau()
	if m.Link.Needs == model.LinkNeedsAssociation {
		to = RegionStaff(m.RegionID)
	}
	return s.Notice(ctx, tx, model.Notice{Kind: model.NoticeLinkPending, Link: "/directory/links#link-" + strconv.FormatInt(managerID, 10),
		Args: map[string]string{"manager": m.Name, "enterprise": m.EnterpriseName},
		Key:  fmt.Sprintf("link:m%d:%d", managerID, m.UpdatedAt.UnixMilli())}, to)
}

// CreateManager appoints a manager at an enterprise in scope.
func (s *Store) CreateManager(ctx context.Context, a model.Actor, enterpriseID int64, m model.Manager) (*model.Manager, error) {
	m.Normalize()
	if err := m.Validate(); err != nil {
		return nil, err
	}
	var out *model.Manager
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := s.enterpriseTx(ctx, tx, a.Scope(), enterpriseID); err != nil {
			return err
		}
		id, err := s.insertManager(ctx, tx, a, enterpriseID, &m)
		if err != nil {
			return err
		}
		if err := s.refreshSearch(ctx, tx, enterpriseID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "manager.create", "manager", &id, managerChanges(&model.Manager{}, &m)); err != nil {
			return err
		}
		out, err = s.managerTx(ctx, tx, model.Scope{All: true}, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create manager: %w", err)
	}
	return out, nil
}

func (s *Store) insertManager(ctx context.Context, tx *Tx, a model.Actor, enterpriseID int64, m *model.Manager) (int64, error) {
	link, err := s.person(ctx, tx, a, enterpriseID, m)
	if err != nil {
		return 0, err
	}
	pid := link.PersonID
	now := ms(s.Now())
	if err := tx.touch(ctx, byEnterprise, []int64{enterpriseID}, "enterprises", "managers"); err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRow(ctx, `INSERT INTO managers (enterprise_id, person_id, role, appointed_on, appointment_doc, cert_no,
		cert_issued_on, cert_expires_on, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		enterpriseID, pid, m.Role, m.AppointedOn, m.AppointmentDoc, m.CertNo, m.CertIssuedOn, m.CertExpiresOn, m.Status, now, now).Scan(&id)
	if isUniqueViolation(err) {
		return 0, fieldError(model.ErrConflict, "mobile", "err.manager_exists")
	}
	if err == nil && link.ClaimID != 0 {
		err = s.setClaim(ctx, tx, a, id, link)
	}
	return id, err
}

// managerChanges lists what differs between two versions; the ID number is
// recorded as changed, never shown.
func managerChanges(old, m *model.Manager) model.Changes {
	c := model.Changes{}
	diff := func(field, o, n string) {
		if o != n {
			c[field] = model.Change{Old: o, New: n}
		}
	}
	diff("name", old.Name, m.Name)
	diff("mobile", old.Mobile, m.Mobile)
	if old.IDCard != m.IDCard {
		c["id_card"] = model.Change{Old: model.MaskIDCard(old.IDCard), New: model.MaskIDCard(m.IDCard)}
	}
	diff("role", old.Role, m.Role)
	diff("appointed_on", string(old.AppointedOn), string(m.AppointedOn))
	diff("appointment_doc", old.AppointmentDoc, m.AppointmentDoc)
	diff("cert_no", old.CertNo, m.CertNo)
	diff("cert_issued_on", string(old.CertIssuedOn), string(m.CertIssuedOn))
	diff("cert_expires_on", string(old.CertExpiresOn), string(m.CertExpiresOn))
	diff("status", old.Status, m.Status)
	if old.EnterpriseID != m.EnterpriseID {
		c["enterprise_id"] = model.Change{Old: old.EnterpriseID, New: m.EnterpriseID}
	}
	return c
}

// UpdateManager changes a manager in scope. A status change or a move to
// another enterprise needs a reason; a move needs both enterprises in
// scope. Every changed field goes into the manager's history.
func (s *Store) UpdateManager(ctx context.Context, a model.Actor, id int64, p model.ManagerPatch) (*model.Manager, error) {
	sc := a.Scope()
	var out *model.Manager
	err := s.write(ctx, func(tx *Tx) error {
		old, err := s.managerTx(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT id_card FROM people WHERE id = ?`, old.PersonID).Scan(sealedCol{&old.IDCard, s.pii, piiAAD}); err != nil {
			return err
		}
		m := *old
		p.Apply(&m)
		m.Normalize()
		if err := m.Validate(); err != nil {
			return err
		}
		changes := managerChanges(old, &m)
		if len(changes) == 0 {
			out = old
			return nil
		}
		_, statusChanged := changes["status"]
		_, moved := changes["enterprise_id"]
		if (statusChanged || moved) && len([]rune(p.Reason)) < 2 {
			return fieldError(model.ErrInvalid, "reason", "err.field.reason")
		}
		if moved {
			if _, err := s.enterpriseTx(ctx, tx, sc, m.EnterpriseID); err != nil {
				return fieldError(model.ErrInvalid, "enterprise_id", "err.field.no_such_enterprise")
			}
		}
		pid := old.PersonID
		_, renamed := changes["name"]
		_, newCard := changes["id_card"]
		if _, ok := changes["mobile"]; ok {
			// A new number is another person, found or made by number,
			// and ends any claim the old number made.
			link, err := s.person(ctx, tx, a, m.EnterpriseID, &m)
			if err != nil {
				return err
			}
			pid = link.PersonID
			if err := s.setClaim(ctx, tx, a, id, link); err != nil {
				return err
			}
		} else if renamed || newCard {
			if err := s.correctPerson(ctx, tx, sc, &m); err != nil {
				return err
			}
		}
		now := ms(s.Now())
		if err := tx.touch(ctx, byEnterprise, []int64{old.EnterpriseID, m.EnterpriseID}, "enterprises", "managers"); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE managers SET enterprise_id = ?, person_id = ?, role = ?, appointed_on = ?, appointment_doc = ?,
			cert_no = ?, cert_issued_on = ?, cert_expires_on = ?, status = ?, updated_at = ? WHERE id = ?`,
			m.EnterpriseID, pid, m.Role, m.AppointedOn, m.AppointmentDoc, m.CertNo, m.CertIssuedOn, m.CertExpiresOn, m.Status, now, id)
		if isUniqueViolation(err) {
			return fieldError(model.ErrConflict, "mobile", "err.manager_exists")
		}
		if err != nil {
			return err
		}
		for field, ch := range changes {
			if _, err := tx.Exec(ctx, `INSERT INTO manager_history (manager_id, at, actor_name, field, old_value, new_value, reason)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, id, now, a.Name(), field, fmt.Sprint(ch.Old), fmt.Sprint(ch.New), p.Reason); err != nil {
				return err
			}
		}
		for _, eid := range []int64{old.EnterpriseID, m.EnterpriseID} {
			if err := s.refreshSearch(ctx, tx, eid); err != nil {
				return err
			}
		}
		if p.Reason != "" {
			changes["reason"] = model.Change{New: p.Reason}
		}
		if err := s.audit(ctx, tx, a, "manager.update", "manager", &id, changes); err != nil {
			return err
		}
		out, err = s.managerTx(ctx, tx, model.Scope{All: true}, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update manager: %w", err)
	}
	return out, nil
}

// correctPerson fixes a person's name or ID number, which every enterprise
// they serve shares: only allowed when all of those are in the scope.
func (s *Store) correctPerson(ctx context.Context, tx *Tx, sc model.Scope, m *model.Manager) error {
	cond, args := scopeSQL(sc)
	var outside int
	err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM managers x JOIN enterprises e ON e.id = x.enterprise_id
		WHERE x.person_id = ? AND NOT (`+cond+`)`, append([]any{m.PersonID}, args...)...).Scan(&outside)
	if err != nil {
		return err
	}
	if outside > 0 {
		return fieldError(model.ErrInvalid, "name", "err.field.person_shared")
	}
	_, err = tx.Exec(ctx, `UPDATE people SET name = ?, id_card = ?, updated_at = ? WHERE id = ?`, m.Name, s.pii.seal(m.IDCard), ms(s.Now()), m.PersonID)
	return err
}

// ManagerHistory lists a manager's changes, newest first.
func (s *Store) ManagerHistory(ctx context.Context, a model.Actor, id int64) ([]model.ManagerChange, error) {
	if _, err := s.Manager(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT id, at, actor_name, field, old_value, new_value, reason FROM manager_history
		WHERE manager_id = ? ORDER BY id DESC`, id)
	return scanAll(rows, err, func(r *sql.Rows) (model.ManagerChange, error) {
		var c model.ManagerChange
		return c, r.Scan(&c.ID, timeCol{&c.At}, &c.ActorName, &c.Field, &c.Old, &c.New, &c.Reason)
	})
}
