package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// CreateRegion adds a region.
func (s *Store) CreateRegion(ctx context.Context, a model.Actor, r model.Region) (int64, error) {
	if !a.IsAdmin() {
		return 0, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := r.Validate(); err != nil {
		return 0, err
	}
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO regions (code, name, parent_id, kind, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id`,
			r.Code, r.Name, r.ParentID, r.Kind, ms(s.Now())).Scan(&id)
		if isUniqueViolation(err) {
			return fieldError(model.ErrConflict, "code", "err.region_exists")
		}
		if isForeignKeyViolation(err) {
			return fieldError(model.ErrInvalid, "parent_id", "err.field.no_such_region")
		}
		if err != nil {
			return err
		}
		if r.ParentID != nil {
			// A new town shows on the dashboards at once, with nothing yet.
			if err := tx.addTown(ctx, id); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "region.create", "region", &id, model.Changes{"code": {New: r.Code}, "name": {New: r.Name}})
	})
	if err != nil {
		return 0, fmt.Errorf("create region: %w", err)
	}
	return id, nil
}

// fieldError is an error about one field.
func fieldError(code model.Code, field, key string) *model.Error {
	msg := "err.invalid"
	if code == model.ErrConflict {
		msg = key
	}
	return &model.Error{Code: code, Message: msg, Fields: map[string]string{field: key}}
}

// RegionIDByCode finds a region by its division code.
func (s *Store) RegionIDByCode(ctx context.Context, code string) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT id FROM regions WHERE code = ?`, code).Scan(&id)
	return id, notFound(err)
}

// Regions lists every region by code; a county has a few dozen at most.
func (s *Store) Regions(ctx context.Context) ([]model.Region, error) {
	rows, err := s.query(ctx, `SELECT id, code, name, parent_id, kind FROM regions ORDER BY code`)
	return scanAll(rows, err, func(r *sql.Rows) (model.Region, error) {
		var x model.Region
		return x, r.Scan(&x.ID, &x.Code, &x.Name, &x.ParentID, &x.Kind)
	})
}

// Region returns one region.
func (s *Store) Region(ctx context.Context, id int64) (*model.Region, error) {
	var x model.Region
	err := s.queryRow(ctx, `SELECT id, code, name, parent_id, kind FROM regions WHERE id = ?`, id).Scan(&x.ID, &x.Code, &x.Name, &x.ParentID, &x.Kind)
	return &x, notFound(err)
}

// Association returns one association.
func (s *Store) Association(ctx context.Context, id int64) (*model.Association, error) {
	var x model.Association
	err := s.queryRow(ctx, `SELECT id, region_id, name, contact_name, contact_phone, address FROM associations WHERE id = ?`, id).
		Scan(&x.ID, &x.RegionID, &x.Name, &x.ContactName, &x.ContactPhone, &x.Address)
	return &x, notFound(err)
}

// CreateAssociation adds a region's association (one per region).
func (s *Store) CreateAssociation(ctx context.Context, a model.Actor, as model.Association) (*model.Association, error) {
	if !a.IsAdmin() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := as.Validate(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		err := tx.QueryRow(ctx, `INSERT INTO associations (region_id, name, contact_name, contact_phone, address, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, as.RegionID, as.Name, as.ContactName, as.ContactPhone, as.Address, now, now).Scan(&as.ID)
		if isUniqueViolation(err) {
			return fieldError(model.ErrConflict, "region_id", "err.association_exists")
		}
		if isForeignKeyViolation(err) {
			return fieldError(model.ErrInvalid, "region_id", "err.field.no_such_region")
		}
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "association.create", "association", &as.ID, model.Changes{"name": {New: as.Name}, "region_id": {New: as.RegionID}})
	})
	if err != nil {
		return nil, fmt.Errorf("create association: %w", err)
	}
	return &as, nil
}

// Associations lists every association (one per region at most).
func (s *Store) Associations(ctx context.Context) ([]model.Association, error) {
	rows, err := s.query(ctx, `SELECT id, region_id, name, contact_name, contact_phone, address FROM associations ORDER BY id`)
	return scanAll(rows, err, func(r *sql.Rows) (model.Association, error) {
		var x model.Association
		return x, r.Scan(&x.ID, &x.RegionID, &x.Name, &x.ContactName, &x.ContactPhone, &x.Address)
	})
}

// CreateHome adds a Home with its rooms; an association adds Homes in its
// own region only.
func (s *Store) CreateHome(ctx context.Context, a model.Actor, h model.Home) (*model.Home, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	if !a.CanManageRegion(h.RegionID) {
		return nil, fieldError(model.ErrInvalid, "region_id", "err.field.no_such_region")
	}
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		err := tx.QueryRow(ctx, `INSERT INTO homes (name, region_id, address, contact_name, contact_phone, opening_hours, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, h.Name, h.RegionID, h.Address, h.ContactName, h.ContactPhone, h.OpeningHours, now, now).Scan(&h.ID)
		if isForeignKeyViolation(err) {
			return fieldError(model.ErrInvalid, "region_id", "err.field.no_such_region")
		}
		if err != nil {
			return err
		}
		for i := range h.Rooms {
			if err := tx.QueryRow(ctx, `INSERT INTO home_rooms (home_id, name, seats) VALUES (?, ?, ?) RETURNING id`,
				h.ID, h.Rooms[i].Name, h.Rooms[i].Seats).Scan(&h.Rooms[i].ID); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "home.create", "home", &h.ID, model.Changes{"name": {New: h.Name}, "region_id": {New: h.RegionID}, "rooms": {New: h.Rooms}})
	})
	if err != nil {
		return nil, fmt.Errorf("create home: %w", err)
	}
	if h.Rooms == nil {
		h.Rooms = []model.Room{}
	}
	return &h, nil
}

// Homes lists the Homes with their rooms, of one region when regionID > 0.
func (s *Store) Homes(ctx context.Context, regionID int64) ([]model.Home, error) {
	q := `SELECT id, name, region_id, address, contact_name, contact_phone, opening_hours, photo FROM homes`
	var args []any
	if regionID > 0 {
		q += ` WHERE region_id = ?`
		args = append(args, regionID)
	}
	rows, err := s.query(ctx, q+` ORDER BY id`, args...)
	homes, err := scanAll(rows, err, func(r *sql.Rows) (model.Home, error) {
		var h model.Home
		err := r.Scan(&h.ID, &h.Name, &h.RegionID, &h.Address, &h.ContactName, &h.ContactPhone, &h.OpeningHours, &h.Photo)
		if h.Photo != "" {
			h.PhotoURL = fmt.Sprintf("/api/v1/homes/%d/photo", h.ID)
		}
		return h, err
	})
	if err != nil {
		return nil, err
	}
	byID := map[int64]*model.Home{}
	for i := range homes {
		homes[i].Rooms = []model.Room{}
		byID[homes[i].ID] = &homes[i]
	}
	rows, err = s.query(ctx, `SELECT home_id, id, name, seats FROM home_rooms ORDER BY home_id, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var hid int64
		var r model.Room
		if err := rows.Scan(&hid, &r.ID, &r.Name, &r.Seats); err != nil {
			return nil, err
		}
		if h := byID[hid]; h != nil {
			h.Rooms = append(h.Rooms, r)
		}
	}
	return homes, rows.Err()
}

// Home returns one Home (without rooms).
func (s *Store) Home(ctx context.Context, id int64) (*model.Home, error) {
	var h model.Home
	err := s.queryRow(ctx, `SELECT id, name, region_id, photo FROM homes WHERE id = ?`, id).Scan(&h.ID, &h.Name, &h.RegionID, &h.Photo)
	if err != nil {
		return nil, notFound(err)
	}
	return &h, nil
}

// SetHomePhoto makes a stored file the photo of a Home the actor manages;
// the photo it replaces is deleted unless something else uses it.
func (s *Store) SetHomePhoto(ctx context.Context, a model.Actor, id int64, hash string) error {
	return s.write(ctx, func(tx *Tx) error {
		var region int64
		var old string
		if err := tx.QueryRow(ctx, `SELECT region_id, photo FROM homes WHERE id = ?`, id).Scan(&region, &old); err != nil {
			return notFound(err)
		}
		if !a.CanManageRegion(region) {
			return model.NotFound()
		}
		if _, err := tx.Exec(ctx, `UPDATE homes SET photo = ?, updated_at = ? WHERE id = ?`, hash, ms(s.Now()), id); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "home.photo", "home", &id, model.Changes{"photo": {Old: old, New: hash}}); err != nil {
			return err
		}
		return s.releaseFile(ctx, tx, old)
	})
}

// roomInUse refuses to remove a room that any class names, or to shrink it
// to seats below a scheduled class's capacity.
func (s *Store) roomInUse(ctx context.Context, tx *Tx, r model.Room, seats int, kept bool) error {
	q := `SELECT co.title, k.starts_at FROM classes k JOIN courses co ON co.id = k.course_id WHERE k.room_id = ?`
	args := []any{r.ID}
	if kept {
		q += ` AND k.status = 'scheduled' AND k.capacity > ?`
		args = append(args, seats)
	}
	rows, err := tx.Query(ctx, q+` ORDER BY k.status = 'scheduled' DESC, k.starts_at LIMIT 6`, args...)
	if err != nil {
		return err
	}
	var names []string
	for rows.Next() {
		var title string
		var starts int64
		if err := rows.Scan(&title, &starts); err != nil {
			rows.Close()
			return err
		}
		names = append(names, "《"+title+"》"+time.UnixMilli(starts).In(model.ChinaTime).Format("2006-01-02 15:04"))
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(names) == 0 {
		return err
	}
	if len(names) > 5 {
		names = append(names[:5], "…")
	}
	return &model.Error{Code: model.ErrConflict, Message: "err.room_in_use", Args: []any{r.Name, strings.Join(names, "、")},
		Fields: map[string]string{"rooms": "err.field.room_in_use"}}
}

// scopeSQL restricts enterprises (alias e) to what the scope may see.
func scopeSQL(sc model.Scope) (string, []any) {
	switch {
	case sc.All:
		return `1=1`, nil
	case sc.RegionID != 0:
		return `e.region_id = ?`, []any{sc.RegionID}
	case sc.EnterpriseID != 0:
		return `e.id = ?`, []any{sc.EnterpriseID}
	}
	return `1=0`, nil
}

const enterpriseColumns = `e.id, e.uscc, e.name, e.kind, e.region_id, e.address, e.industry_code, e.legal_rep,
	e.contact_name, e.contact_phone, e.permit_no, e.permit_class, e.permit_valid_to, e.key_lists, e.pollutants,
	e.association_id, e.status, e.created_at, e.updated_at, e.manager_count, e.search_text, e.color, r.name`

func scanEnterprise(r rowScanner) (*model.Enterprise, error) {
	e := &model.Enterprise{}
	var lists, pollutants string
	err := r.Scan(&e.ID, &e.USCC, &e.Name, &e.Kind, &e.RegionID, &e.Address, &e.IndustryCode, &e.LegalRep,
		&e.ContactName, &e.ContactPhone, &e.PermitNo, &e.PermitClass, &e.PermitValidTo, &lists, &pollutants,
		&e.AssociationID, &e.Status, timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt}, &e.ManagerCount, &e.SearchText, &e.Color, &e.RegionName)
	if err != nil {
		return nil, err
	}
	e.KeyLists, e.Pollutants = splitLists(lists), splitLists(pollutants)
	return e, nil
}

func splitLists(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, ",") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func joinLists(l []string) string { return "," + strings.Join(l, ",") + "," }

// Enterprise returns an enterprise the scope may see; any other answers
// not found, whether it exists or not.
func (s *Store) Enterprise(ctx context.Context, a model.Actor, id int64) (*model.Enterprise, error) {
	sc := a.Scope()
	cond, args := scopeSQL(sc)
	e, err := scanEnterprise(s.queryRow(ctx, `SELECT `+enterpriseColumns+` FROM enterprises e JOIN regions r ON r.id = e.region_id
		WHERE e.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	return e, nil
}

func (s *Store) enterpriseTx(ctx context.Context, tx *Tx, sc model.Scope, id int64) (*model.Enterprise, error) {
	cond, args := scopeSQL(sc)
	e, err := scanEnterprise(tx.QueryRow(ctx, `SELECT `+enterpriseColumns+` FROM enterprises e JOIN regions r ON r.id = e.region_id
		WHERE e.id = ? AND `+cond, append([]any{id}, args...)...))
	if err != nil {
		return nil, notFound(err)
	}
	return e, nil
}

// enterpriseQuery builds the FROM and WHERE of a list of enterprises in
// the scope, and the order it pages by.
// rare, when not nil, is every enterprise a short search finds (see
// rareShort), looked up by id instead of searched.
func (s *Store) enterpriseQuery(a model.Actor, f model.EnterpriseFilter, rare *[]int64) (q string, args []any, order string) {
	sc := a.Scope()
	cond, args := scopeSQL(sc)
	from, order := `enterprises e`, `e.id`
	if code := model.NormalizeUSCC(f.Query); model.ValidUSCC(code) {
		// A whole credit code is looked up by its index, not searched.
		f.Query, f.USCC = "", code
	}
	var searchArgs []any
	switch {
	case f.Query != "" && rare != nil:
		// One array constant, not an IN list: PostgreSQL plans a list of
		// 3,000 ids in 5.5 ms, the array in 1 ms.
		in := `1=0`
		if len(*rare) > 0 {
			in = `e.id = ANY('{` + intList(*rare) + `}'::bigint[])`
		}
		cond = in + ` AND ` + cond
	case f.Query != "":
		var where string
		from, where, order, searchArgs = s.dialect.match(enterpriseSearch, strings.ToLower(f.Query))
		cond = where + ` AND ` + cond
	}
	if f.KeyList != "" && f.Query == "" {
		// The list's rows drive, newest first: a rare list stops at its
		// few rows, a common one at the first page.
		from, order = `enterprise_facts kf JOIN enterprises e ON e.id = kf.enterprise_id`, `kf.enterprise_id`
		cond = `kf.kind = ? AND kf.value = ? AND ` + cond
		searchArgs = []any{factKeyList, f.KeyList}
		// In one town (the filter's or the association's own) the town's
		// rows of the list, not the county's walked for them.
		if town := cmp.Or(f.RegionID, sc.RegionID); town != 0 {
			cond = `kf.region_id = ? AND ` + cond
			searchArgs = append([]any{town}, searchArgs...)
		}
	}
	args = append(searchArgs, args...)
	q = ` FROM ` + from + ` JOIN regions r ON r.id = e.region_id WHERE ` + cond
	add := func(sqlPart string, v ...any) {
		q += ` AND ` + sqlPart
		args = append(args, v...)
	}
	if f.USCC != "" {
		add(`e.uscc = ?`, f.USCC)
	}
	if f.RegionID != 0 {
		add(`e.region_id = ?`, f.RegionID)
	}
	if f.Kind != "" {
		add(`e.kind = ?`, f.Kind)
	}
	if f.Industry != "" {
		add(`e.industry_code >= ? AND e.industry_code < ?`, f.Industry, f.Industry+"~")
	}
	if f.KeyList != "" && f.Query != "" {
		c, v := hasFact("e.id", factKeyList, []string{f.KeyList})
		add(c, v...)
	}
	if f.PermitClass != "" {
		add(`e.permit_class = ?`, f.PermitClass)
	}
	if f.NoManager {
		add(`e.manager_count = 0`)
	}
	if f.Color != "" {
		add(`e.color = ?`, f.Color)
	}
	if f.ManagerStatus != "" {
		add(`EXISTS (SELECT 1 FROM managers m WHERE m.enterprise_id = e.id AND m.status = ?)`, f.ManagerStatus)
	}
	return q, args, order
}

// ListEnterprises pages through the enterprises the scope may see, newest
// first, never counting the table.
func (s *Store) ListEnterprises(ctx context.Context, a model.Actor, f model.EnterpriseFilter) (model.List[*model.Enterprise], error) {
	rare, err := s.rareShort(ctx, enterpriseSearch, f.Query)
	if err != nil {
		return model.List[*model.Enterprise]{}, fmt.Errorf("list enterprises: %w", err)
	}
	from, args, order := s.enterpriseQuery(a, f, rare)
	q := `SELECT ` + enterpriseColumns + from
	add := func(sqlPart string, v ...any) {
		q += ` AND ` + sqlPart
		args = append(args, v...)
	}
	if f.After > 0 {
		add(order+` < ?`, f.After)
	}
	q += ` ORDER BY ` + order + ` DESC LIMIT ?`
	args = append(args, f.Limit+1)
	rows, err := s.query(ctx, q, args...)
	items, err := scanAll(rows, err, func(r *sql.Rows) (*model.Enterprise, error) { return scanEnterprise(r) })
	if err != nil {
		return model.List[*model.Enterprise]{}, fmt.Errorf("list enterprises: %w", err)
	}
	return model.PageOf(items, f.Limit, func(e *model.Enterprise) int64 { return e.ID }), nil
}

// CountCap is where list counts stop: beyond it a list says "10,000+".
const CountCap = 10_000

// CountEnterprises counts the enterprises a list would show, up to
// CountCap+1, so that a count never walks a province's table.
func (s *Store) CountEnterprises(ctx context.Context, a model.Actor, f model.EnterpriseFilter) (int, error) {
	rare, err := s.rareShort(ctx, enterpriseSearch, f.Query)
	if err != nil {
		return 0, err
	}
	from, args, _ := s.enterpriseQuery(a, f, rare)
	var n int
	err = s.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1`+from+` LIMIT ?) t`, append(args, CountCap+1)...).Scan(&n)
	return n, err
}

// searchText is what enterprise search looks in: name, credit code and the
// names of current managers, lower case.
func searchText(e *model.Enterprise, managerNames []string) string {
	// Folded for matching only: the name is stored as written.
	return strings.ToLower(model.FoldWidth(e.Name + " " + e.USCC + " " + strings.Join(managerNames, " ")))
}

// refreshSearch recomputes an enterprise's search text and manager count
// after its name or its managers change, and indexes it.
func (s *Store) refreshSearch(ctx context.Context, tx *Tx, id int64) error {
	if err := s.recomputeSearch(ctx, tx, id); err != nil {
		return err
	}
	return s.dialect.syncIndex(ctx, tx, enterpriseSearch, []int64{id})
}

// recomputeSearch updates search_text and manager_count; the caller syncs
// the index.
func (s *Store) recomputeSearch(ctx context.Context, tx *Tx, id int64) error {
	var e model.Enterprise
	if err := tx.QueryRow(ctx, `SELECT name, uscc FROM enterprises WHERE id = ?`, id).Scan(&e.Name, &e.USCC); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT p.name FROM managers m JOIN people p ON p.id = m.person_id
		WHERE m.enterprise_id = ? AND m.status <> 'revoked' ORDER BY m.id`, id)
	names, err := scanAll(rows, err, func(r *sql.Rows) (string, error) {
		var n string
		return n, r.Scan(&n)
	})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE enterprises SET search_text = ?, manager_count = ? WHERE id = ?`, searchText(&e, names), len(names), id)
	return err
}

// CreateEnterprise adds an enterprise in a region the actor manages.
func (s *Store) CreateEnterprise(ctx context.Context, a model.Actor, e model.Enterprise) (*model.Enterprise, error) {
	e.Normalize()
	if err := e.Validate(); err != nil {
		return nil, err
	}
	if !a.CanManageRegion(e.RegionID) {
		return nil, fieldError(model.ErrInvalid, "region_id", "err.field.no_such_region")
	}
	var out *model.Enterprise
	err := s.write(ctx, func(tx *Tx) error {
		id, err := s.insertEnterprise(ctx, tx, &e)
		if err != nil {
			return err
		}
		if err := s.dialect.syncIndex(ctx, tx, enterpriseSearch, []int64{id}); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "enterprise.create", "enterprise", &id, enterpriseChanges(nil, &e)); err != nil {
			return err
		}
		out, err = s.enterpriseTx(ctx, tx, model.Scope{All: true}, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("create enterprise: %w", err)
	}
	return out, nil
}

func (s *Store) insertEnterprise(ctx context.Context, tx *Tx, e *model.Enterprise) (int64, error) {
	now := ms(s.Now())
	var id int64
	err := tx.QueryRow(ctx, `INSERT INTO enterprises (uscc, name, kind, region_id, address, industry_code, legal_rep,
		contact_name, contact_phone, permit_no, permit_class, permit_valid_to, key_lists, pollutants, association_id, status,
		search_text, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		e.USCC, e.Name, e.Kind, e.RegionID, e.Address, e.IndustryCode, e.LegalRep, e.ContactName, e.ContactPhone,
		e.PermitNo, e.PermitClass, e.PermitValidTo, joinLists(e.KeyLists), joinLists(e.Pollutants), e.AssociationID, e.Status,
		searchText(e, nil), now, now).Scan(&id)
	switch {
	case isUniqueViolation(err):
		return 0, fieldError(model.ErrConflict, "uscc", "err.uscc_exists")
	case isForeignKeyViolation(err):
		return 0, &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
			Fields: map[string]string{"region_id": "err.field.no_such_region", "association_id": "err.field.no_such_association"}}
	case err != nil:
		return 0, err
	}
	withID := *e
	withID.ID = id
	if err := s.putFacts(ctx, tx, &withID); err != nil {
		return 0, err
	}
	return id, tx.touchNew(ctx, byEnterprise, []int64{id})
}

// enterpriseChanges lists what differs between two versions (old nil for a
// new enterprise).
func enterpriseChanges(old, e *model.Enterprise) model.Changes {
	c := model.Changes{}
	if old == nil {
		old = &model.Enterprise{}
	}
	diff := func(field string, o, n any) {
		if fmt.Sprint(o) != fmt.Sprint(n) {
			c[field] = model.Change{Old: o, New: n}
		}
	}
	diff("uscc", old.USCC, e.USCC)
	diff("name", old.Name, e.Name)
	diff("kind", old.Kind, e.Kind)
	diff("region_id", old.RegionID, e.RegionID)
	diff("address", old.Address, e.Address)
	diff("industry_code", old.IndustryCode, e.IndustryCode)
	diff("legal_representative", old.LegalRep, e.LegalRep)
	diff("contact_name", old.ContactName, e.ContactName)
	diff("contact_phone", old.ContactPhone, e.ContactPhone)
	diff("permit_no", old.PermitNo, e.PermitNo)
	diff("permit_class", old.PermitClass, e.PermitClass)
	diff("permit_valid_until", old.PermitValidTo, e.PermitValidTo)
	diff("key_lists", joinLists(old.KeyLists), joinLists(e.KeyLists))
	diff("pollutants", joinLists(old.Pollutants), joinLists(e.Pollutants))
	diff("association_id", ptrString(old.AssociationID), ptrString(e.AssociationID))
	diff("status", old.Status, e.Status)
	return c
}

func ptrString(p *int64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprint(*p)
}

// UpdateEnterprise changes an enterprise in scope. An enterprise account
// edits its own record but not its region, status or association; an
// association cannot move an enterprise out of its region.
func (s *Store) UpdateEnterprise(ctx context.Context, a model.Actor, id int64, p model.EnterprisePatch) (*model.Enterprise, error) {
	sc := a.Scope()
	var out *model.Enterprise
	err := s.write(ctx, func(tx *Tx) error {
		old, err := s.enterpriseTx(ctx, tx, sc, id)
		if err != nil {
			return err
		}
		if err := model.EnterprisePatchAllowed(a, &p); err != nil {
			return err
		}
		e := *old
		p.Apply(&e)
		e.Normalize()
		if err := e.Validate(); err != nil {
			return err
		}
		if e.RegionID != old.RegionID && !a.CanManageRegion(e.RegionID) {
			return fieldError(model.ErrInvalid, "region_id", "err.field.no_such_region")
		}
		changes := enterpriseChanges(old, &e)
		if len(changes) == 0 {
			out = old
			return nil
		}
		if err := tx.touch(ctx, byEnterprise, []int64{id}); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE enterprises SET name = ?, kind = ?, region_id = ?, address = ?, industry_code = ?,
			legal_rep = ?, contact_name = ?, contact_phone = ?, permit_no = ?, permit_class = ?, permit_valid_to = ?,
			key_lists = ?, pollutants = ?, association_id = ?, status = ?, updated_at = ? WHERE id = ?`,
			e.Name, e.Kind, e.RegionID, e.Address, e.IndustryCode, e.LegalRep, e.ContactName, e.ContactPhone,
			e.PermitNo, e.PermitClass, e.PermitValidTo, joinLists(e.KeyLists), joinLists(e.Pollutants), e.AssociationID, e.Status, ms(s.Now()), id)
		if isForeignKeyViolation(err) {
			return &model.Error{Code: model.ErrInvalid, Message: "err.invalid",
				Fields: map[string]string{"region_id": "err.field.no_such_region", "association_id": "err.field.no_such_association"}}
		}
		if err != nil {
			return err
		}
		if err := s.refreshSearch(ctx, tx, id); err != nil {
			return err
		}
		e.ID = id
		if err := s.putFacts(ctx, tx, &e); err != nil {
			return err
		}
		if err := s.moveCarbon(ctx, tx, id, old.RegionID, e.RegionID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "enterprise.update", "enterprise", &id, changes); err != nil {
			return err
		}
		out, err = s.enterpriseTx(ctx, tx, model.Scope{All: true}, id)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("update enterprise: %w", err)
	}
	return out, nil
}

// EnterpriseIDByUSCC finds an enterprise by its credit code.
func (s *Store) EnterpriseIDByUSCC(ctx context.Context, uscc string) (int64, error) {
	var id int64
	err := s.queryRow(ctx, `SELECT id FROM enterprises WHERE uscc = ?`, uscc).Scan(&id)
	return id, notFound(err)
}

// HomeDetail returns one Home with its rooms.
func (s *Store) HomeDetail(ctx context.Context, id int64) (*model.Home, error) {
	home, err := s.Home(ctx, id)
	if err != nil {
		return nil, err
	}
	hs, err := s.Homes(ctx, home.RegionID)
	if err != nil {
		return nil, err
	}
	for i := range hs {
		if hs[i].ID == id {
			return &hs[i], nil
		}
	}
	return nil, model.NotFound()
}

// UpdateHome changes a Home and its rooms (matched by name: seats change,
// new names are added, missing ones removed). Only the bureau or the
// Home's association may, and only within its region.
func (s *Store) UpdateHome(ctx context.Context, a model.Actor, id int64, h model.Home) (*model.Home, error) {
	if err := h.Validate(); err != nil {
		return nil, err
	}
	old, err := s.HomeDetail(ctx, id)
	if err != nil {
		return nil, err
	}
	if !a.CanManageRegion(old.RegionID) {
		return nil, model.NotFound()
	}
	if !a.CanManageRegion(h.RegionID) {
		return nil, fieldError(model.ErrInvalid, "region_id", "err.field.no_such_region")
	}
	err = s.write(ctx, func(tx *Tx) error {
		if err := tx.touch(ctx, byHome, []int64{id}); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE homes SET name = ?, region_id = ?, address = ?, contact_name = ?, contact_phone = ?,
			opening_hours = ?, updated_at = ? WHERE id = ?`, h.Name, h.RegionID, h.Address, h.ContactName, h.ContactPhone,
			h.OpeningHours, ms(s.Now()), id)
		if isForeignKeyViolation(err) {
			return fieldError(model.ErrInvalid, "region_id", "err.field.no_such_region")
		}
		if err != nil {
			return err
		}
		// A room that classes use cannot go, nor shrink below a scheduled
		// class's capacity: the answer names the classes.
		newSeats := map[string]int{}
		for _, r := range h.Rooms {
			newSeats[r.Name] = r.Seats
		}
		for _, r := range old.Rooms {
			seats, kept := newSeats[r.Name]
			if kept && seats >= r.Seats {
				continue
			}
			if err := s.roomInUse(ctx, tx, r, seats, kept); err != nil {
				return err
			}
		}
		keep := map[string]bool{}
		for _, r := range h.Rooms {
			keep[r.Name] = true
			if _, err := tx.Exec(ctx, `INSERT INTO home_rooms (home_id, name, seats) VALUES (?, ?, ?)
				ON CONFLICT (home_id, name) DO UPDATE SET seats = excluded.seats`, id, r.Name, r.Seats); err != nil {
				return err
			}
		}
		for _, r := range old.Rooms {
			if !keep[r.Name] {
				if _, err := tx.Exec(ctx, `DELETE FROM home_rooms WHERE id = ?`, r.ID); err != nil {
					return err
				}
			}
		}
		return s.audit(ctx, tx, a, "home.update", "home", &id, model.Changes{
			"name": {Old: old.Name, New: h.Name}, "region_id": {Old: old.RegionID, New: h.RegionID},
			"address": {Old: old.Address, New: h.Address}, "rooms": {Old: old.Rooms, New: h.Rooms}})
	})
	if err != nil {
		return nil, fmt.Errorf("update home: %w", err)
	}
	return s.HomeDetail(ctx, id)
}
