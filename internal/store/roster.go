package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

// importer holds the prepared statements of one roster import, which runs
// the same few statements tens of thousands of times in one transaction.
type importer struct {
	s     *Store
	tx    *Tx
	a     model.Actor
	stmts map[string]*sql.Stmt
	now   int64
}

func (im *importer) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := im.stmts[q]; ok {
		return st, nil
	}
	st, err := im.tx.tx.PrepareContext(ctx, im.tx.d.Rebind(q))
	if err != nil {
		return nil, err
	}
	im.stmts[q] = st
	return st, nil
}

func (im *importer) exec(ctx context.Context, q string, args ...any) error {
	_, err := im.Exec(ctx, q, args...)
	return err
}

func (im *importer) queryRow(ctx context.Context, q string, args ...any) (*sql.Row, error) {
	return im.QueryRow(ctx, q, args...), nil
}

// Exec, Query and QueryRow run prepared statements; a statement that does
// not prepare runs unprepared, to report its error the usual way.
func (im *importer) Exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	st, err := im.stmt(ctx, q)
	if err != nil {
		return im.tx.Exec(ctx, q, args...)
	}
	return st.ExecContext(ctx, args...)
}

func (im *importer) Query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	st, err := im.stmt(ctx, q)
	if err != nil {
		return im.tx.Query(ctx, q, args...)
	}
	return st.QueryContext(ctx, args...)
}

func (im *importer) QueryRow(ctx context.Context, q string, args ...any) *sql.Row {
	st, err := im.stmt(ctx, q)
	if err != nil {
		return im.tx.QueryRow(ctx, q, args...)
	}
	return st.QueryRowContext(ctx, args...)
}

func (im *importer) audit(ctx context.Context, action, objectType string, id int64, changes model.Changes) error {
	b, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	return im.exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, addr, changes)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, im.now, im.a.ID(), im.a.Name(), action, objectType, id, im.a.Addr, string(b))
}

type rowKey struct {
	sheet string
	row   int
}

// ImportRoster writes a parsed roster in one transaction: enterprises by
// credit code and managers by (credit code, mobile) are created or updated,
// and rows that match what is stored change nothing, so importing a file
// twice writes nothing the second time. Rows named in problems are skipped;
// rows the actor may not write (another region's enterprise) and managers
// of unknown enterprises become problems too. In all-or-nothing mode any
// problem rolls everything back.
func (s *Store) ImportRoster(ctx context.Context, a model.Actor, ents []model.RosterEnterprise, mgrs []model.RosterManager,
	problems []model.RowProblem, mode model.ImportMode, progress func(done int)) (model.ImportResult, error) {
	res := model.ImportResult{Problems: append([]model.RowProblem{}, problems...)}
	bad := map[rowKey]bool{}
	for _, p := range problems {
		bad[rowKey{p.Sheet, p.Row}] = true
	}
	problem := func(sheet string, row int, field, key string) {
		res.Problems = append(res.Problems, model.RowProblem{Sheet: sheet, Row: row, Field: field, Key: key})
		bad[rowKey{sheet, row}] = true
	}
	errAbort := fmt.Errorf("roster has problems")
	err := s.write(ctx, func(tx *Tx) error {
		im := &importer{s: s, tx: tx, a: a, stmts: map[string]*sql.Stmt{}, now: ms(s.Now())}
		defer func() {
			for _, st := range im.stmts {
				st.Close()
			}
		}()
		// What exists already, by credit code.
		codes := make([]string, 0, len(ents)+len(mgrs))
		for _, e := range ents {
			codes = append(codes, e.USCC)
		}
		for _, m := range mgrs {
			codes = append(codes, m.USCC)
		}
		existing, err := s.enterprisesByUSCC(ctx, tx, codes)
		if err != nil {
			return err
		}
		touched := map[int64]bool{}
		var created []int64
		done := 0
		tick := func() {
			done++
			if progress != nil && done%1000 == 0 {
				progress(done)
			}
		}
		for i := range ents {
			tick()
			row := &ents[i]
			if bad[rowKey{model.SheetEnterprises, row.Row}] {
				continue
			}
			e := row.Enterprise
			old := existing[e.USCC]
			switch {
			case old != nil && !a.CanManageRegion(old.RegionID):
				problem(model.SheetEnterprises, row.Row, "uscc", "err.roster.out_of_scope")
				continue
			case !a.CanManageRegion(e.RegionID):
				problem(model.SheetEnterprises, row.Row, "region_id", "err.roster.out_of_scope")
				continue
			}
			if old == nil {
				id, err := s.insertEnterprise(ctx, im, &e)
				if err != nil {
					return err
				}
				if err := im.audit(ctx, "enterprise.import", "enterprise", id, enterpriseChanges(nil, &e)); err != nil {
					return err
				}
				e.ID = id
				existing[e.USCC] = &e
				created = append(created, id)
				res.EnterprisesCreated++
				continue
			}
			// Keep what the sheet does not say: its association.
			e.ID, e.AssociationID = old.ID, old.AssociationID
			changes := enterpriseChanges(old, &e)
			if len(changes) == 0 {
				res.EnterprisesUnchanged++
				continue
			}
			err := im.exec(ctx, `UPDATE enterprises SET name = ?, kind = ?, region_id = ?, address = ?, industry_code = ?,
				legal_rep = ?, contact_name = ?, contact_phone = ?, permit_no = ?, permit_class = ?, permit_valid_to = ?,
				key_lists = ?, status = ?, updated_at = ? WHERE id = ?`,
				e.Name, e.Kind, e.RegionID, e.Address, e.IndustryCode, e.LegalRep, e.ContactName, e.ContactPhone,
				e.PermitNo, e.PermitClass, e.PermitValidTo, joinLists(e.KeyLists), e.Status, im.now, e.ID)
			if err != nil {
				return err
			}
			if err := im.audit(ctx, "enterprise.import", "enterprise", e.ID, changes); err != nil {
				return err
			}
			touched[e.ID] = true
			existing[e.USCC] = &e
			res.EnterprisesUpdated++
		}
		for i := range mgrs {
			tick()
			row := &mgrs[i]
			if bad[rowKey{model.SheetManagers, row.Row}] {
				continue
			}
			ent := existing[row.USCC]
			if ent == nil || ent.ID == 0 {
				problem(model.SheetManagers, row.Row, "uscc", "err.roster.unknown_enterprise")
				continue
			}
			if !a.CanManageRegion(ent.RegionID) {
				problem(model.SheetManagers, row.Row, "uscc", "err.roster.out_of_scope")
				continue
			}
			isNew, changed, err := s.importManager(ctx, im, ent.ID, &row.Manager)
			if me, ok := err.(*model.Error); ok {
				for f, k := range me.Fields {
					problem(model.SheetManagers, row.Row, f, k)
				}
				continue
			}
			if err != nil {
				return err
			}
			switch {
			case isNew:
				res.ManagersCreated++
				touched[ent.ID] = true
			case changed:
				res.ManagersUpdated++
				touched[ent.ID] = true
			default:
				res.ManagersUnchanged++
			}
		}
		if mode != model.ImportGoodRows && len(res.Problems) > 0 {
			return errAbort
		}
		for id := range touched {
			if err := s.recomputeSearch(ctx, im, id); err != nil {
				return err
			}
			created = append(created, id)
		}
		return s.dialect.syncSearch(ctx, im, created)
	})
	if err == errAbort {
		return model.ImportResult{Problems: res.Problems}, nil
	}
	if err != nil {
		return model.ImportResult{}, fmt.Errorf("import roster: %w", err)
	}
	res.Written = true
	return res, nil
}

// enterprisesByUSCC loads the enterprises with the given codes.
func (s *Store) enterprisesByUSCC(ctx context.Context, tx *Tx, codes []string) (map[string]*model.Enterprise, error) {
	out := map[string]*model.Enterprise{}
	const chunk = 500
	for i := 0; i < len(codes); i += chunk {
		part := codes[i:min(i+chunk, len(codes))]
		args := make([]any, len(part))
		for j, c := range part {
			args[j] = c
		}
		rows, err := tx.Query(ctx, `SELECT `+enterpriseColumns+` FROM enterprises e JOIN regions r ON r.id = e.region_id
			WHERE e.uscc IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		es, err := scanAll(rows, err, func(r *sql.Rows) (*model.Enterprise, error) { return scanEnterprise(r) })
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			out[e.USCC] = e
		}
	}
	return out, nil
}

// importManager creates or updates one appointment; a person's number
// registered under another name is a field error.
func (s *Store) importManager(ctx context.Context, im *importer, enterpriseID int64, m *model.Manager) (created, changed bool, err error) {
	row, err := im.queryRow(ctx, `SELECT id, name, id_card FROM people WHERE mobile = ?`, m.Mobile)
	if err != nil {
		return false, false, err
	}
	var pid int64
	var name, card string
	switch err := row.Scan(&pid, &name, &card); {
	case err == sql.ErrNoRows:
		r, err := im.queryRow(ctx, `INSERT INTO people (name, mobile, id_card, created_at, updated_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			m.Name, m.Mobile, m.IDCard, im.now, im.now)
		if err != nil {
			return false, false, err
		}
		if err := r.Scan(&pid); err != nil {
			return false, false, err
		}
	case err != nil:
		return false, false, err
	case name != m.Name:
		return false, false, fieldError(model.ErrInvalid, "mobile", "err.field.mobile_other_person")
	case m.IDCard != "" && card != "" && card != m.IDCard:
		return false, false, fieldError(model.ErrInvalid, "id_card", "err.field.id_card_mismatch")
	}
	var old model.Manager
	row, err = im.queryRow(ctx, `SELECT id, role, appointed_on, appointment_doc, cert_no, cert_issued_on, cert_expires_on, status
		FROM managers WHERE enterprise_id = ? AND person_id = ?`, enterpriseID, pid)
	if err != nil {
		return false, false, err
	}
	err = row.Scan(&old.ID, &old.Role, &old.AppointedOn, &old.AppointmentDoc, &old.CertNo, &old.CertIssuedOn, &old.CertExpiresOn, &old.Status)
	if err == sql.ErrNoRows {
		r, err := im.queryRow(ctx, `INSERT INTO managers (enterprise_id, person_id, role, appointed_on, appointment_doc, cert_no,
			cert_issued_on, cert_expires_on, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			enterpriseID, pid, m.Role, m.AppointedOn, m.AppointmentDoc, m.CertNo, m.CertIssuedOn, m.CertExpiresOn, m.Status, im.now, im.now)
		if err != nil {
			return false, false, err
		}
		var id int64
		if err := r.Scan(&id); err != nil {
			return false, false, err
		}
		return true, false, im.audit(ctx, "manager.import", "manager", id, managerChanges(&model.Manager{}, m))
	}
	if err != nil {
		return false, false, err
	}
	// Name, number and ID belong to the person and matched above.
	old.Name, old.Mobile, old.IDCard, old.EnterpriseID = m.Name, m.Mobile, m.IDCard, m.EnterpriseID
	if m.AppointmentDoc == "" {
		m.AppointmentDoc = old.AppointmentDoc // the sheet has no such column
	}
	changes := managerChanges(&old, m)
	if len(changes) == 0 {
		return false, false, nil
	}
	err = im.exec(ctx, `UPDATE managers SET role = ?, appointed_on = ?, appointment_doc = ?, cert_no = ?, cert_issued_on = ?,
		cert_expires_on = ?, status = ?, updated_at = ? WHERE id = ?`,
		m.Role, m.AppointedOn, m.AppointmentDoc, m.CertNo, m.CertIssuedOn, m.CertExpiresOn, m.Status, im.now, old.ID)
	if err != nil {
		return false, false, err
	}
	for field, ch := range changes {
		if err := im.exec(ctx, `INSERT INTO manager_history (manager_id, at, actor_name, field, old_value, new_value, reason)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, old.ID, im.now, im.a.Name(), field, fmt.Sprint(ch.Old), fmt.Sprint(ch.New), "roster import"); err != nil {
			return false, false, err
		}
	}
	return false, true, im.audit(ctx, "manager.import", "manager", old.ID, changes)
}
