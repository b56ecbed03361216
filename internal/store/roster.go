package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/envhome/envhome/internal/model"
)

// importer writes a roster in one transaction, batch by batch. It keeps
// what spans batches only: the rows with problems, the counts, the names
// read ahead and the ids of the enterprises whose search text waits for
// the end, not the rows. The few per-row statements (changed rows) run
// from prepared statements, one each for the whole transaction.
type importer struct {
	s          *Store
	tx         *Tx
	a          model.Actor
	stmts      map[string]*sql.Stmt
	now        int64
	allowClear bool
	res        *model.ImportResult
	bad        map[rowKey]bool
	// The enterprises whose search text and index entries wait for the
	// end of the import (their managers may come in a later batch): ids
	// only, a few bytes a row.
	added, recompute []int64
	// names are the managers' names read ahead (model.RosterBatch); a new
	// enterprise written with n of them (hinted) is recomputed at the end
	// only if other than n managers were appointed (created) there.
	names           map[string][]string
	hinted, created map[int64]int
}

// finish brings the search text and index of the enterprises the import
// wrote up to date, once each.
func (im *importer) finish(ctx context.Context) error {
	s, tx := im.s, im.tx
	for id, n := range im.hinted {
		if im.created[id] != n {
			im.recompute = append(im.recompute, id)
		}
	}
	recompute := sortedUnique(im.recompute)
	added := sortedUnique(im.added)
	var changed []int64
	for _, id := range recompute {
		if _, found := slices.BinarySearch(added, id); !found {
			changed = append(changed, id)
		}
	}
	// A batch at a time, so that the texts in hand stay few.
	const n = 2000
	if err := chunks(recompute, n, func(ids []int64) error { return s.recomputeSearchMany(ctx, tx, ids) }); err != nil {
		return err
	}
	if err := chunks(changed, n, func(ids []int64) error { return s.dialect.syncIndex(ctx, tx, enterpriseSearch, ids) }); err != nil {
		return err
	}
	return chunks(added, n, func(ids []int64) error { return s.dialect.addToIndex(ctx, tx, enterpriseSearch, ids) })
}

// sortedUnique sorts ids and drops repeats, in place.
func sortedUnique(ids []int64) []int64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}

func (im *importer) exec(ctx context.Context, q string, args ...any) error {
	st, ok := im.stmts[q]
	if !ok {
		var err error
		if st, err = im.tx.tx.PrepareContext(ctx, im.tx.d.Rebind(q)); err != nil {
			return err
		}
		im.stmts[q] = st
	}
	_, err := st.ExecContext(ctx, args...)
	return err
}

func (im *importer) problem(sheet string, row int, field, key string) {
	im.res.Problems = append(im.res.Problems, model.RowProblem{Sheet: sheet, Row: row, Field: field, Key: key})
	im.bad[rowKey{sheet, row}] = true
}

type rowKey struct {
	sheet string
	row   int
}

// ImportRoster writes a roster held in memory; see ImportRosterBatches.
func (s *Store) ImportRoster(ctx context.Context, a model.Actor, ents []model.RosterEnterprise, mgrs []model.RosterManager,
	problems []model.RowProblem, mode model.ImportMode, allowClear bool) (model.ImportResult, error) {
	bad := map[int]bool{}
	for _, p := range problems {
		if p.Sheet == model.SheetManagers {
			bad[p.Row] = true
		}
	}
	names := map[string][]string{}
	for _, m := range mgrs {
		if !bad[m.Row] && m.Status != model.ManagerRevoked {
			names[m.USCC] = append(names[m.USCC], m.Name)
		}
	}
	done := false
	return s.ImportRosterBatches(ctx, a, func() (*model.RosterBatch, error) {
		if done {
			return nil, nil
		}
		done = true
		return &model.RosterBatch{Enterprises: ents, Managers: mgrs, Problems: problems, ManagerNames: names}, nil
	}, mode, allowClear)
}

// ImportRosterBatches writes a roster in one transaction as next reads
// it, batch by batch (nil at the end; the enterprise rows before the
// manager rows that name them): enterprises by credit code and managers
// by (credit code, mobile) are created or updated, and rows that match
// what is stored change nothing, so importing a file twice writes nothing
// the second time. Rows named in problems are skipped; rows the actor may
// not write (another region's enterprise) and managers of unknown
// enterprises become problems too. In all-or-nothing mode any problem
// rolls everything back. Unless allowClear, an empty cell that would
// clear a stored value is a problem too (err.roster.would_clear, counted
// in WouldClear): the user confirms clearing by importing again with
// allowClear. An error from next ends the import with nothing written
// and is returned as it is.
//
// New rows are written set by set (multi-row INSERTs, a few hundred rows a
// statement) rather than row by row: on PostgreSQL every statement is a
// round trip, and row by row a 100,000-row roster took minutes.
func (s *Store) ImportRosterBatches(ctx context.Context, a model.Actor, next func() (*model.RosterBatch, error),
	mode model.ImportMode, allowClear bool) (model.ImportResult, error) {
	res := model.ImportResult{Problems: []model.RowProblem{}}
	errAbort := fmt.Errorf("roster has problems")
	var readErr error
	err := s.write(ctx, func(tx *Tx) error {
		res = model.ImportResult{Problems: []model.RowProblem{}}
		im := &importer{s: s, tx: tx, a: a, stmts: map[string]*sql.Stmt{}, now: ms(s.Now()), allowClear: allowClear,
			res: &res, bad: map[rowKey]bool{}, hinted: map[int64]int{}, created: map[int64]int{}}
		defer func() {
			for _, st := range im.stmts {
				st.Close()
			}
		}()
		for {
			b, err := next()
			if err != nil {
				readErr = err
				return err
			}
			if b == nil {
				break
			}
			if b.ManagerNames != nil {
				im.names = b.ManagerNames
			}
			for _, p := range b.Problems {
				im.bad[rowKey{p.Sheet, p.Row}] = true
			}
			res.Problems = append(res.Problems, b.Problems...)
			if err := im.enterprises(ctx, b.Enterprises); err != nil {
				return err
			}
			if err := im.managers(ctx, b.Managers); err != nil {
				return err
			}
		}
		if mode != model.ImportGoodRows && len(res.Problems) > 0 {
			return errAbort
		}
		return im.finish(ctx)
	})
	if readErr != nil {
		return model.ImportResult{}, readErr
	}
	if err == errAbort {
		return model.ImportResult{Problems: res.Problems, WouldClear: res.WouldClear}, nil
	}
	if err != nil {
		return model.ImportResult{}, fmt.Errorf("import roster: %w", err)
	}
	res.Written = true
	if s.dialect == Postgres && res.EnterprisesCreated+res.ManagersCreated > 10_000 {
		// Fresh statistics, or the next import plans its lookups for the
		// tables as they were before this one (measured: 373 s instead of
		// a few for re-importing 100,000 rows).
		if _, err := s.w.ExecContext(ctx, `ANALYZE enterprises, people, managers`); err != nil {
			return res, fmt.Errorf("import roster: analyze: %w", err)
		}
	}
	return res, nil
}

// named loads the stored enterprises a batch names by credit code and
// takes their towns' figures before any of them changes (a touch counts
// an enterprise once however many batches name it).
func (im *importer) named(ctx context.Context, codes []string) (map[string]*model.Enterprise, error) {
	existing, err := im.s.enterprisesByUSCC(ctx, im.tx, codes)
	if err != nil {
		return nil, err
	}
	ids := make([]int64, 0, len(existing))
	for _, e := range existing {
		ids = append(ids, e.ID)
	}
	slices.Sort(ids)
	return existing, im.tx.touch(ctx, byEnterprise, ids)
}

// enterprises writes a batch of enterprise rows: new ones set by set,
// changed ones one by one, and their search index entries.
func (im *importer) enterprises(ctx context.Context, ents []model.RosterEnterprise) error {
	if len(ents) == 0 {
		return nil
	}
	s, tx, a, res := im.s, im.tx, im.a, im.res
	codes := make([]string, 0, len(ents))
	for _, e := range ents {
		codes = append(codes, e.USCC)
	}
	existing, err := im.named(ctx, codes)
	if err != nil {
		return err
	}
	var audits []auditRow
	var fresh, updated []*model.Enterprise
	for i := range ents {
		row := &ents[i]
		if im.bad[rowKey{model.SheetEnterprises, row.Row}] {
			continue
		}
		old := existing[row.USCC]
		if old != nil {
			row.KeepAbsent(old)
		} else if err := row.Enterprise.Validate(); err != nil {
			// A new enterprise needs what the sheet's columns could not give.
			for f, k := range err.(*model.Error).Fields {
				if row.Has != nil && !row.Has[f] {
					k = "err.roster.missing_column"
				}
				im.problem(model.SheetEnterprises, row.Row, f, k)
			}
			continue
		}
		e := row.Enterprise
		switch {
		case old != nil && !a.CanManageRegion(old.RegionID):
			im.problem(model.SheetEnterprises, row.Row, "uscc", "err.roster.out_of_scope")
			continue
		case !a.CanManageRegion(e.RegionID):
			im.problem(model.SheetEnterprises, row.Row, "region_id", "err.roster.out_of_scope")
			continue
		case old == nil:
			fresh = append(fresh, &e)
			existing[e.USCC] = &e // a repeat in the batch is an update of it
			continue
		}
		// Keep what the sheet does not say: its association.
		e.ID, e.AssociationID = old.ID, old.AssociationID
		changes := enterpriseChanges(old, &e)
		if len(changes) == 0 {
			res.EnterprisesUnchanged++
			continue
		}
		if !im.allowClear && clears(changes, func(f string) { im.problem(model.SheetEnterprises, row.Row, f, "err.roster.would_clear") }, res) {
			continue
		}
		err := im.exec(ctx, `UPDATE enterprises SET name = ?, kind = ?, region_id = ?, address = ?, industry_code = ?,
			legal_rep = ?, contact_name = ?, contact_phone = ?, permit_no = ?, permit_class = ?, permit_valid_to = ?,
			key_lists = ?, pollutants = ?, status = ?, updated_at = ? WHERE id = ?`,
			e.Name, e.Kind, e.RegionID, e.Address, e.IndustryCode, e.LegalRep, e.ContactName, e.ContactPhone,
			e.PermitNo, e.PermitClass, e.PermitValidTo, joinLists(e.KeyLists), joinLists(e.Pollutants), e.Status, im.now, e.ID)
		if err != nil {
			return err
		}
		if err := s.moveCarbon(ctx, tx, e.ID, old.RegionID, e.RegionID); err != nil {
			return err
		}
		audits = append(audits, auditRow{"enterprise.import", "enterprise", e.ID, changes})
		existing[e.USCC] = &e
		updated = append(updated, &e)
		res.EnterprisesUpdated++
	}
	if err := s.putFacts(ctx, tx, updated...); err != nil {
		return err
	}
	if err := s.insertEnterprises(ctx, tx, im.now, fresh, im.names); err != nil {
		return err
	}
	for _, e := range fresh {
		if n := len(im.names[e.USCC]); n > 0 {
			im.hinted[e.ID] = n
		}
	}
	for _, e := range fresh {
		audits = append(audits, auditRow{"enterprise.import", "enterprise", e.ID, enterpriseChanges(nil, e)})
	}
	res.EnterprisesCreated += len(fresh)
	// A new enterprise's search text was written with it; a changed one's
	// is recomputed (its managers' names are part of it).
	for _, e := range updated {
		im.recompute = append(im.recompute, e.ID)
	}
	for _, e := range fresh {
		im.added = append(im.added, e.ID)
	}
	return s.auditMany(ctx, tx, a, im.now, audits)
}

// managers writes a batch of manager rows: the people first (by mobile),
// then the appointments, then the search text of the enterprises whose
// managers changed.
func (im *importer) managers(ctx context.Context, mgrs []model.RosterManager) error {
	if len(mgrs) == 0 {
		return nil
	}
	s, tx, a, res := im.s, im.tx, im.a, im.res
	codes := make([]string, 0, len(mgrs))
	for _, m := range mgrs {
		codes = append(codes, m.USCC)
	}
	existing, err := im.named(ctx, codes)
	if err != nil {
		return err
	}
	touched := map[int64]bool{}
	var audits []auditRow
	type mrow struct {
		row *model.RosterManager
		eid int64
		key string // the person's mobile column
	}
	var good []mrow
	mobiles := []string{}
	for i := range mgrs {
		row := &mgrs[i]
		if im.bad[rowKey{model.SheetManagers, row.Row}] {
			continue
		}
		ent := existing[row.USCC]
		switch {
		case ent == nil:
			im.problem(model.SheetManagers, row.Row, "uscc", "err.roster.unknown_enterprise")
		case !a.CanManageRegion(ent.RegionID):
			im.problem(model.SheetManagers, row.Row, "uscc", "err.roster.out_of_scope")
		default:
			good = append(good, mrow{row: row, eid: ent.ID})
			mobiles = append(mobiles, row.Mobile)
		}
	}
	// A number whose registered person also serves outside the
	// actor's scope is a claim, made as on the manager's page: the
	// row gets a person of its own, found again by its claim key.
	eids := make([]int64, 0, len(good))
	for _, m := range good {
		eids = append(eids, m.eid)
	}
	appointed, err := s.managersOf(ctx, tx, eids)
	if err != nil {
		return err
	}
	people, err := s.peopleByMobile(ctx, tx, mobiles)
	if err != nil {
		return err
	}
	claimOf := map[string]*person{} // claim key → registered person
	if !a.Scope().All {
		var keys []string
		for _, m := range good {
			p := people[m.row.Mobile]
			if p == nil || appointed[[2]int64{m.eid, p.ID}] != nil {
				continue
			}
			if claimOf[claimKey(p.Mobile, m.eid)] != nil {
				continue
			}
			outside, err := s.outsideScope(ctx, tx, a.Scope(), p.ID)
			if err != nil {
				return err
			}
			if outside {
				claimOf[claimKey(p.Mobile, m.eid)] = p
				keys = append(keys, claimKey(p.Mobile, m.eid))
			}
		}
		own, err := s.peopleByMobile(ctx, tx, keys)
		if err != nil {
			return err
		}
		for k, p := range own {
			people[k] = p
		}
	}
	var newPeople []*person
	var placed []mrow
	for _, m := range good {
		key := m.row.Mobile
		if claimOf[claimKey(key, m.eid)] != nil {
			key = claimKey(key, m.eid)
		}
		m.key = key
		p := people[key]
		switch {
		case p == nil:
			p = &person{Name: m.row.Name, Mobile: key, IDCard: m.row.IDCard}
			people[key] = p
			newPeople = append(newPeople, p)
		case p.Name != m.row.Name:
			im.problem(model.SheetManagers, m.row.Row, "mobile", "err.field.mobile_other_person")
			continue
		case m.row.IDCard != "" && p.IDCard != "" && p.IDCard != m.row.IDCard:
			im.problem(model.SheetManagers, m.row.Row, "id_card", "err.field.id_card_mismatch")
			continue
		case m.row.IDCard != "" && p.IDCard == "":
			p.IDCard = m.row.IDCard
			if p.ID != 0 {
				if err := im.exec(ctx, `UPDATE people SET id_card = ?, updated_at = ? WHERE id = ?`, s.pii.seal(p.IDCard), im.now, p.ID); err != nil {
					return err
				}
			}
		}
		placed = append(placed, m)
	}
	if err := s.insertPeople(ctx, tx, im.now, newPeople); err != nil {
		return err
	}
	var freshM []*model.Manager
	for _, m := range placed {
		mm := m.row.Manager
		mm.EnterpriseID, mm.PersonID = m.eid, people[m.key].ID
		if c := claimOf[m.key]; c != nil {
			mm.Link = &model.ManagerLink{Status: model.LinkPending, Needs: model.LinkNeedsBureau, RequestedBy: a.Name()}
			mm.ClaimPersonID = c.ID
		}
		old := appointed[[2]int64{mm.EnterpriseID, mm.PersonID}]
		if old != nil {
			m.row.KeepAbsent(old)
			mm.Role, mm.AppointedOn, mm.CertNo, mm.CertIssuedOn, mm.CertExpiresOn, mm.Status =
				m.row.Role, m.row.AppointedOn, m.row.CertNo, m.row.CertIssuedOn, m.row.CertExpiresOn, m.row.Status
		}
		if old == nil {
			freshM = append(freshM, &mm)
			appointed[[2]int64{mm.EnterpriseID, mm.PersonID}] = &mm
			if _, ok := im.hinted[m.eid]; !ok {
				touched[m.eid] = true
			} else if mm.Status != model.ManagerRevoked {
				im.created[m.eid]++
			}
			continue
		}
		// Name, number and ID belong to the person and matched above.
		cmp := *old
		cmp.Name, cmp.Mobile, cmp.IDCard = mm.Name, mm.Mobile, mm.IDCard
		if mm.AppointmentDoc == "" {
			mm.AppointmentDoc = old.AppointmentDoc // the sheet has no such column
		}
		changes := managerChanges(&cmp, &mm)
		if len(changes) == 0 {
			res.ManagersUnchanged++
			continue
		}
		if !im.allowClear && clears(changes, func(f string) { im.problem(model.SheetManagers, m.row.Row, f, "err.roster.would_clear") }, res) {
			continue
		}
		// A status change needs a reason, as on the manager's page.
		reason := "roster import"
		if _, ok := changes["status"]; ok {
			if len([]rune(m.row.Reason)) < 2 {
				im.problem(model.SheetManagers, m.row.Row, "reason", "err.roster.status_reason")
				continue
			}
		}
		if m.row.Reason != "" {
			reason = m.row.Reason
		}
		if err := im.exec(ctx, `UPDATE managers SET role = ?, appointed_on = ?, appointment_doc = ?, cert_no = ?, cert_issued_on = ?,
			cert_expires_on = ?, status = ?, updated_at = ? WHERE id = ?`,
			mm.Role, mm.AppointedOn, mm.AppointmentDoc, mm.CertNo, mm.CertIssuedOn, mm.CertExpiresOn, mm.Status, im.now, old.ID); err != nil {
			return err
		}
		for field, ch := range changes {
			if err := im.exec(ctx, `INSERT INTO manager_history (manager_id, at, actor_name, field, old_value, new_value, reason)
				VALUES (?, ?, ?, ?, ?, ?, ?)`, old.ID, im.now, a.Name(), field, fmt.Sprint(ch.Old), fmt.Sprint(ch.New), reason); err != nil {
				return err
			}
		}
		*old = mm
		audits = append(audits, auditRow{"manager.import", "manager", old.ID, changes})
		touched[m.eid] = true
		res.ManagersUpdated++
	}
	if err := s.insertManagers(ctx, tx, im.now, freshM); err != nil {
		return err
	}
	for _, m := range freshM {
		audits = append(audits, auditRow{"manager.import", "manager", m.ID, managerChanges(&model.Manager{}, m)})
		if m.Link != nil {
			if err := s.noticeClaim(ctx, tx, m.ID); err != nil {
				return err
			}
		}
	}
	res.ManagersCreated += len(freshM)
	for id := range touched {
		im.recompute = append(im.recompute, id)
	}
	return s.auditMany(ctx, tx, a, im.now, audits)
}

// rowsPerStatement keeps multi-row statements under SQLite's and
// PostgreSQL's limits on bound parameters.
const rowsPerStatement = 200

// chunks calls fn for consecutive slices of at most n items.
func chunks[T any](items []T, n int, fn func([]T) error) error {
	for i := 0; i < len(items); i += n {
		if err := fn(items[i:min(i+n, len(items))]); err != nil {
			return err
		}
	}
	return nil
}

// insertEnterprises writes new enterprises and sets their ids.
// managerNames, if not nil, gives the names of the managers about to be
// appointed at each (written into the search text and the count).
func (s *Store) insertEnterprises(ctx context.Context, tx *Tx, now int64, es []*model.Enterprise, managerNames map[string][]string) error {
	byCode := map[string]*model.Enterprise{}
	return chunks(es, rowsPerStatement, func(part []*model.Enterprise) error {
		args := make([]any, 0, len(part)*20)
		for _, e := range part {
			byCode[e.USCC] = e
			names := managerNames[e.USCC]
			args = append(args, e.USCC, e.Name, e.Kind, e.RegionID, e.Address, e.IndustryCode, e.LegalRep, e.ContactName,
				e.ContactPhone, e.PermitNo, e.PermitClass, e.PermitValidTo, joinLists(e.KeyLists), joinLists(e.Pollutants), e.AssociationID, e.Status,
				searchText(e, names), len(names), now, now)
		}
		rows, err := tx.Query(ctx, `INSERT INTO enterprises (uscc, name, kind, region_id, address, industry_code, legal_rep,
			contact_name, contact_phone, permit_no, permit_class, permit_valid_to, key_lists, pollutants, association_id, status,
			search_text, manager_count, created_at, updated_at) VALUES `+placeholders(len(part), 20)+` RETURNING id, uscc`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		var ids []int64
		for rows.Next() {
			var id int64
			var code string
			if err := rows.Scan(&id, &code); err != nil {
				return err
			}
			byCode[code].ID = id
			ids = append(ids, id)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err := s.putFacts(ctx, tx, part...); err != nil {
			return err
		}
		return tx.touchNew(ctx, byEnterprise, ids)
	})
}

type person struct {
	ID                   int64
	Name, Mobile, IDCard string
}

// peopleByMobile loads the people with the given mobile numbers.
func (s *Store) peopleByMobile(ctx context.Context, tx *Tx, mobiles []string) (map[string]*person, error) {
	out := map[string]*person{}
	err := chunks(mobiles, 500, func(part []string) error {
		args := make([]any, len(part))
		for i, m := range part {
			args[i] = m
		}
		rows, err := tx.Query(ctx, `SELECT id, name, mobile, id_card FROM people WHERE mobile IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		ps, err := scanAll(rows, err, func(r *sql.Rows) (*person, error) {
			p := &person{}
			return p, r.Scan(&p.ID, &p.Name, &p.Mobile, sealedCol{&p.IDCard, s.pii, piiAAD})
		})
		for _, p := range ps {
			out[p.Mobile] = p
		}
		return err
	})
	return out, err
}

func (s *Store) insertPeople(ctx context.Context, tx *Tx, now int64, ps []*person) error {
	byMobile := map[string]*person{}
	return chunks(ps, rowsPerStatement, func(part []*person) error {
		args := make([]any, 0, len(part)*5)
		for _, p := range part {
			byMobile[p.Mobile] = p
			args = append(args, p.Name, p.Mobile, s.pii.seal(p.IDCard), now, now)
		}
		rows, err := tx.Query(ctx, `INSERT INTO people (name, mobile, id_card, created_at, updated_at) VALUES `+
			placeholders(len(part), 5)+` RETURNING id, mobile`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			var m string
			if err := rows.Scan(&id, &m); err != nil {
				return err
			}
			byMobile[m].ID = id
		}
		return rows.Err()
	})
}

// managersOf loads the appointments at the given enterprises, keyed by
// (enterprise id, person id).
func (s *Store) managersOf(ctx context.Context, tx *Tx, eids []int64) (map[[2]int64]*model.Manager, error) {
	out := map[[2]int64]*model.Manager{}
	seen := map[int64]bool{}
	var uniq []int64
	for _, id := range eids {
		if id != 0 && !seen[id] {
			seen[id] = true
			uniq = append(uniq, id)
		}
	}
	err := chunks(uniq, 500, func(part []int64) error {
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		rows, err := tx.Query(ctx, `SELECT id, enterprise_id, person_id, role, appointed_on, appointment_doc, cert_no,
			cert_issued_on, cert_expires_on, status FROM managers WHERE enterprise_id IN (?`+strings.Repeat(", ?", len(part)-1)+`)`, args...)
		ms, err := scanAll(rows, err, func(r *sql.Rows) (*model.Manager, error) {
			m := &model.Manager{}
			return m, r.Scan(&m.ID, &m.EnterpriseID, &m.PersonID, &m.Role, &m.AppointedOn, &m.AppointmentDoc, &m.CertNo,
				&m.CertIssuedOn, &m.CertExpiresOn, &m.Status)
		})
		for _, m := range ms {
			out[[2]int64{m.EnterpriseID, m.PersonID}] = m
		}
		return err
	})
	return out, err
}

func (s *Store) insertManagers(ctx context.Context, tx *Tx, now int64, ms []*model.Manager) error {
	key := map[[2]int64]*model.Manager{}
	return chunks(ms, rowsPerStatement, func(part []*model.Manager) error {
		args := make([]any, 0, len(part)*15)
		for _, m := range part {
			key[[2]int64{m.EnterpriseID, m.PersonID}] = m
			var claim any
			var l model.ManagerLink
			if m.Link != nil {
				claim, l = m.ClaimPersonID, *m.Link
			}
			args = append(args, m.EnterpriseID, m.PersonID, m.Role, m.AppointedOn, m.AppointmentDoc, m.CertNo,
				m.CertIssuedOn, m.CertExpiresOn, m.Status, now, now, claim, l.Status, l.Needs, l.RequestedBy)
		}
		rows, err := tx.Query(ctx, `INSERT INTO managers (enterprise_id, person_id, role, appointed_on, appointment_doc, cert_no,
			cert_issued_on, cert_expires_on, status, created_at, updated_at, claim_person_id, link_status, link_needs, link_requested_by) VALUES `+
			placeholders(len(part), 15)+
			` RETURNING id, enterprise_id, person_id`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, eid, pid int64
			if err := rows.Scan(&id, &eid, &pid); err != nil {
				return err
			}
			key[[2]int64{eid, pid}].ID = id
		}
		return rows.Err()
	})
}

type auditRow struct {
	action, objectType string
	id                 int64
	changes            model.Changes
}

// auditMany writes many audit entries with multi-row INSERTs.
func (s *Store) auditMany(ctx context.Context, tx *Tx, a model.Actor, now int64, rows []auditRow) error {
	return chunks(rows, rowsPerStatement, func(part []auditRow) error {
		args := make([]any, 0, len(part)*8)
		for _, r := range part {
			b, err := json.Marshal(r.changes)
			if err != nil {
				return err
			}
			args = append(args, now, a.ID(), a.Name(), r.action, r.objectType, r.id, a.Addr, string(b))
		}
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, addr, changes)
			VALUES `+placeholders(len(part), 8), args...)
		return err
	})
}

// recomputeSearchMany is recomputeSearch for many enterprises in a few
// statements: names are read in chunks and written back with one UPDATE
// per chunk.
func (s *Store) recomputeSearchMany(ctx context.Context, tx *Tx, ids []int64) error {
	return chunks(ids, rowsPerStatement, func(part []int64) error {
		args := make([]any, len(part))
		for i, id := range part {
			args[i] = id
		}
		in := `(?` + strings.Repeat(", ?", len(part)-1) + `)`
		base := map[int64]*model.Enterprise{}
		rows, err := tx.Query(ctx, `SELECT id, name, uscc FROM enterprises WHERE id IN `+in, args...)
		es, err := scanAll(rows, err, func(r *sql.Rows) (*model.Enterprise, error) {
			e := &model.Enterprise{}
			return e, r.Scan(&e.ID, &e.Name, &e.USCC)
		})
		if err != nil {
			return err
		}
		for _, e := range es {
			base[e.ID] = e
		}
		names := map[int64][]string{}
		rows, err = tx.Query(ctx, `SELECT m.enterprise_id, p.name FROM managers m JOIN people p ON p.id = m.person_id
			WHERE m.enterprise_id IN `+in+` AND m.status <> 'revoked' ORDER BY m.id`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var n string
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return err
			}
			names[id] = append(names[id], n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return s.dialect.updateSearch(ctx, tx, part, func(id int64) (string, int, bool) {
			e := base[id]
			if e == nil {
				return "", 0, false
			}
			return searchText(e, names[id]), len(names[id]), true
		})
	})
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

// clears reports whether changes empty a stored value, telling report the
// field of each and counting them in res.WouldClear.
func clears(changes model.Changes, report func(field string), res *model.ImportResult) bool {
	n := 0
	for f, ch := range changes {
		if fmt.Sprint(ch.New) == "" && fmt.Sprint(ch.Old) != "" {
			report(f)
			n++
		}
	}
	res.WouldClear += n
	return n > 0
}
