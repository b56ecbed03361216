package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

// BulkInsert writes already-valid synthetic enterprises and managers with
// multi-row INSERTs, a transaction per call, and no audit entries but one:
// it is the province-scale dataset generator's path and the baseline the
// roster import is measured against. Credit codes and mobiles must be new.
func (s *Store) BulkInsert(ctx context.Context, a model.Actor, ents []model.RosterEnterprise, mgrs []model.RosterManager) error {
	names := map[string][]string{}
	for _, m := range mgrs {
		names[m.USCC] = append(names[m.USCC], m.Name)
	}
	return s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		var before int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(id), 0) FROM enterprises`).Scan(&before); err != nil {
			return err
		}
		const cols = 19
		const per = 200
		for i := 0; i < len(ents); i += per {
			part := ents[i:min(i+per, len(ents))]
			args := make([]any, 0, len(part)*cols)
			for _, r := range part {
				e := &r.Enterprise
				args = append(args, e.USCC, e.Name, e.Kind, e.RegionID, e.Address, e.IndustryCode, e.LegalRep, e.ContactName,
					e.ContactPhone, e.PermitNo, e.PermitClass, e.PermitValidTo, joinLists(e.KeyLists), joinLists(e.Pollutants), e.Status,
					searchText(e, names[e.USCC]), len(names[e.USCC]), now, now)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO enterprises (uscc, name, kind, region_id, address, industry_code, legal_rep,
				contact_name, contact_phone, permit_no, permit_class, permit_valid_to, key_lists, pollutants, status, search_text, manager_count,
				created_at, updated_at) VALUES `+placeholders(len(part), cols), args...); err != nil {
				return fmt.Errorf("bulk enterprises: %w", err)
			}
		}
		// People, once per mobile, then their appointments.
		seen := map[string]bool{}
		var people []model.RosterManager
		for _, m := range mgrs {
			if !seen[m.Mobile] {
				seen[m.Mobile] = true
				people = append(people, m)
			}
		}
		for i := 0; i < len(people); i += per {
			part := people[i:min(i+per, len(people))]
			args := make([]any, 0, len(part)*5)
			for _, m := range part {
				args = append(args, m.Name, m.Mobile, s.pii.seal(m.IDCard), now, now)
			}
			if _, err := tx.Exec(ctx, `INSERT INTO people (name, mobile, id_card, created_at, updated_at) VALUES `+placeholders(len(part), 5), args...); err != nil {
				return fmt.Errorf("bulk people: %w", err)
			}
		}
		for i := 0; i < len(mgrs); i += per {
			part := mgrs[i:min(i+per, len(mgrs))]
			args := make([]any, 0, len(part)*11)
			for _, m := range part {
				args = append(args, m.USCC, m.Mobile, m.Role, m.AppointedOn, m.AppointmentDoc, m.CertNo, m.CertIssuedOn,
					m.CertExpiresOn, m.Status, now, now)
			}
			// Ids come from the codes and numbers just written.
			row := `((SELECT id FROM enterprises WHERE uscc = ?), (SELECT id FROM people WHERE mobile = ?), ?, ?, ?, ?, ?, ?, ?, ?, ?)`
			values := strings.TrimSuffix(strings.Repeat(row+", ", len(part)), ", ")
			if _, err := tx.Exec(ctx, `INSERT INTO managers (enterprise_id, person_id, role, appointed_on, appointment_doc, cert_no,
				cert_issued_on, cert_expires_on, status, created_at, updated_at) VALUES `+values, args...); err != nil {
				return fmt.Errorf("bulk managers: %w", err)
			}
		}
		if err := s.factsOfNewRows(ctx, tx, before); err != nil {
			return err
		}
		if err := tx.touchNewAbove(ctx, byEnterprise, before); err != nil {
			return err
		}
		if err := s.dialect.syncShort(ctx, tx, enterpriseSearch, `id > ?`, before); err != nil {
			return err
		}
		if s.dialect == SQLite {
			_, err := tx.Exec(ctx, `INSERT INTO enterprise_search(rowid, search_text) SELECT id, search_text FROM enterprises WHERE id > ?`, before)
			return err
		}
		return nil
	})
}

// placeholders makes "(?, ?), (?, ?)" for rows × cols values.
func placeholders(rows, cols int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", cols), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(one+", ", rows), ", ")
}

// LogDataset records in the audit log that a synthetic dataset was written.
func (s *Store) LogDataset(ctx context.Context, a model.Actor, enterprises, managers int) error {
	return s.write(ctx, func(tx *Tx) error {
		return s.audit(ctx, tx, a, "dataset.generate", "enterprise", nil, model.Changes{
			"enterprises": {New: enterprises}, "managers": {New: managers}})
	})
}

// CountGenerated tells how many enterprises earlier generator runs wrote,
// from the audit log (no table count).
func (s *Store) CountGenerated(ctx context.Context) int {
	rows, err := s.query(ctx, `SELECT changes FROM audit_log WHERE action = 'dataset.generate'`)
	if err != nil {
		return 0
	}
	defer rows.Close()
	total := 0
	for rows.Next() {
		var c string
		rows.Scan(&c)
		var ch map[string]struct{ New int }
		if json.Unmarshal([]byte(c), &ch) == nil {
			total += ch["enterprises"].New
		}
	}
	return total
}

// Analyze refreshes the planner's statistics, after a bulk load or now and
// then: without them a search plan can be off by a factor of ten.
func (s *Store) Analyze(ctx context.Context) error {
	q := `ANALYZE`
	if s.dialect == SQLite {
		q = `PRAGMA optimize`
	}
	_, err := s.w.ExecContext(ctx, q)
	return err
}
