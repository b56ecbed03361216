package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
)

const classColumns = `k.id, k.course_id, co.title, co.category, k.home_id, h.name, h.region_id, k.room_id, COALESCE(rm.name, ''),
	k.starts_at, k.ends_at, k.capacity, k.booked, k.waitlisted, k.per_enterprise_limit, k.booking_opens_at, k.booking_closes_at,
	k.cancel_deadline, k.credit_hours, k.status`

const classFrom = ` FROM classes k JOIN courses co ON co.id = k.course_id JOIN homes h ON h.id = k.home_id LEFT JOIN home_rooms rm ON rm.id = k.room_id`

func scanClass(r rowScanner) (*model.Class, error) {
	k := &model.Class{}
	err := r.Scan(&k.ID, &k.CourseID, &k.CourseTitle, &k.Category, &k.HomeID, &k.HomeName, &k.RegionID, &k.RoomID, &k.RoomName,
		timeCol{&k.StartsAt}, timeCol{&k.EndsAt}, &k.Capacity, &k.Confirmed, &k.Waitlisted, &k.PerEnterpriseLimit,
		timeCol{&k.BookingOpensAt}, timeCol{&k.BookingClosesAt}, timeCol{&k.CancelDeadline}, &k.CreditHours, &k.Status)
	k.SeatsLeft = k.Capacity - k.Confirmed
	return k, err
}

// randomCode returns an unguessable code in capitals and digits, easy to
// read out and to type (base32 without padding).
func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// Class returns a class (classes are public, like the catalogue).
func (s *Store) Class(ctx context.Context, id int64) (*model.Class, error) {
	k, err := scanClass(s.queryRow(ctx, `SELECT `+classColumns+classFrom+` WHERE k.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	return k, nil
}

func (s *Store) classTx(ctx context.Context, tx *Tx, id int64) (*model.Class, error) {
	k, err := scanClass(tx.QueryRow(ctx, `SELECT `+classColumns+classFrom+` WHERE k.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	return k, nil
}

// lockClass takes the class's row lock on PostgreSQL, so that every
// booking change for one class runs after the one before it, whichever
// process serves it.
func (s *Store) lockClass(ctx context.Context, tx *Tx, id int64) error {
	var got int64
	err := tx.QueryRow(ctx, `SELECT id FROM classes WHERE id = ?`+s.dialect.forUpdate(), id).Scan(&got)
	return notFound(err)
}

// CanRunClass reports whether the actor runs a class: the bureau, the
// association of the Home's town, or a lecturer of the course. Runners
// check people in, see every booking and the feedback.
func (s *Store) CanRunClass(ctx context.Context, a model.Actor, k *model.Class) bool {
	if a.IsAdmin() {
		return true
	}
	if a.User == nil {
		return false
	}
	switch a.User.Role {
	case model.RoleAssociation:
		return a.User.RegionID != nil && *a.User.RegionID == k.RegionID
	case model.RoleLecturer:
		var n int
		s.queryRow(ctx, `SELECT COUNT(*) FROM course_lecturers cl JOIN lecturers l ON l.id = cl.lecturer_id
			WHERE cl.course_id = ? AND l.user_id = ?`, k.CourseID, a.User.ID).Scan(&n)
		return n > 0
	}
	return false
}

// canScheduleAt reports whether the actor may put classes at a Home in a region.
func canScheduleAt(a model.Actor, regionID int64) bool {
	if a.IsAdmin() {
		return true
	}
	return a.User != nil && a.User.Role == model.RoleAssociation && a.User.RegionID != nil && *a.User.RegionID == regionID
}

// pickRoom checks the room against the capacity; without a room it takes
// the smallest room of the Home that seats the class.
func (s *Store) pickRoom(ctx context.Context, tx *Tx, homeID int64, roomID *int64, capacity int) (*int64, error) {
	rows, err := tx.Query(ctx, `SELECT id, seats FROM home_rooms WHERE home_id = ? ORDER BY seats, id`, homeID)
	if err != nil {
		return nil, err
	}
	type room struct {
		id    int64
		seats int
	}
	var rooms []room
	for rows.Next() {
		var r room
		if err := rows.Scan(&r.id, &r.seats); err != nil {
			rows.Close()
			return nil, err
		}
		rooms = append(rooms, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if roomID != nil {
		for _, r := range rooms {
			if r.id == *roomID {
				if capacity > r.seats {
					return nil, &model.Error{Code: model.ErrInvalid, Message: "err.invalid", Args: nil,
						Fields: map[string]string{"capacity": "err.field.capacity_room"}}
				}
				return roomID, nil
			}
		}
		return nil, fieldError(model.ErrInvalid, "room_id", "err.field.room_unknown")
	}
	if len(rooms) == 0 {
		return nil, nil // a Home without rooms on record: no seat count to check
	}
	for _, r := range rooms {
		if capacity <= r.seats {
			id := r.id
			return &id, nil
		}
	}
	return nil, fieldError(model.ErrInvalid, "capacity", "err.field.capacity_room")
}

// CreateClass schedules a class of a course at a Home: the bureau anywhere,
// an association at its own town's Homes.
func (s *Store) CreateClass(ctx context.Context, a model.Actor, courseID int64, in model.ClassInput) (*model.Class, error) {
	in.Normalize(s.Now())
	if err := in.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		var status string
		var hours float64
		if err := tx.QueryRow(ctx, `SELECT status, credit_hours FROM courses WHERE id = ?`, courseID).Scan(&status, &hours); err != nil {
			return notFound(err)
		}
		var regionID int64
		if err := tx.QueryRow(ctx, `SELECT region_id FROM homes WHERE id = ?`, in.HomeID).Scan(&regionID); err != nil {
			if err == sql.ErrNoRows {
				return fieldError(model.ErrInvalid, "home_id", "err.field.home_unknown")
			}
			return err
		}
		if !canScheduleAt(a, regionID) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
		}
		if status == model.CourseArchived {
			return model.Errorf(model.ErrConflict, "err.course_archived")
		}
		room, err := s.pickRoom(ctx, tx, in.HomeID, in.RoomID, in.Capacity)
		if err != nil {
			return err
		}
		secret := make([]byte, 16)
		rand.Read(secret)
		now := ms(s.Now())
		if err := tx.QueryRow(ctx, `INSERT INTO classes (course_id, home_id, room_id, starts_at, ends_at, capacity, per_enterprise_limit,
			booking_opens_at, booking_closes_at, cancel_deadline, credit_hours, status, checkin_secret, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			courseID, in.HomeID, room, ms(in.StartsAt), ms(in.EndsAt), in.Capacity, in.PerEnterpriseLimit,
			ms(*in.BookingOpensAt), ms(*in.BookingClosesAt), ms(*in.CancelDeadline), hours, model.ClassScheduled,
			hex.EncodeToString(secret), now, now).Scan(&id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "class.create", "class", &id, model.Changes{"course_id": {New: courseID}, "home_id": {New: in.HomeID},
			"starts_at": {New: in.StartsAt}, "capacity": {New: in.Capacity}})
	})
	if err != nil {
		return nil, err
	}
	return s.Class(ctx, id)
}

// ClassFilter narrows a list of classes.
type ClassFilter struct {
	CourseID *int64
	Mine     bool // the runner's own classes: a lecturer's, an association's town's
	From     *time.Time
	Limit    int
}

// Classes lists classes by start time.
func (s *Store) Classes(ctx context.Context, a model.Actor, f ClassFilter) ([]*model.Class, error) {
	q := `SELECT ` + classColumns + classFrom + ` WHERE co.status <> 'draft'`
	var args []any
	if f.CourseID != nil {
		q += ` AND k.course_id = ?`
		args = append(args, *f.CourseID)
	}
	if f.From != nil {
		q += ` AND k.ends_at >= ?`
		args = append(args, ms(*f.From))
	}
	if f.Mine && a.User != nil {
		switch a.User.Role {
		case model.RoleLecturer:
			q += ` AND k.course_id IN (SELECT cl.course_id FROM course_lecturers cl JOIN lecturers l ON l.id = cl.lecturer_id WHERE l.user_id = ?)`
			args = append(args, a.User.ID)
		case model.RoleAssociation:
			q += ` AND h.region_id = ?`
			args = append(args, derefID(a.User.RegionID))
		case model.RoleEnterprise:
			q += ` AND k.id IN (SELECT class_id FROM bookings WHERE enterprise_id = ? AND status <> 'cancelled')`
			args = append(args, derefID(a.User.EnterpriseID))
		case model.RoleProvider:
			q += ` AND 1=0`
		}
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	q += ` ORDER BY k.starts_at, k.id LIMIT ?`
	args = append(args, f.Limit)
	rows, err := s.query(ctx, q, args...)
	ks, err := scanAll(rows, err, func(r *sql.Rows) (*model.Class, error) { return scanClass(r) })
	if ks == nil {
		ks = []*model.Class{}
	}
	return ks, err
}

func derefID(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// UpdateClass changes a scheduled class. Capacity below the confirmed
// seats is refused unless the caller names exactly which confirmed
// bookings move to the front of the waitlist, with a reason (logged).
// Capacity raised promotes from the waitlist.
func (s *Store) UpdateClass(ctx context.Context, a model.Actor, id int64, p model.ClassPatch) (*model.Class, error) {
	err := s.write(ctx, func(tx *Tx) error {
		if err := s.lockClass(ctx, tx, id); err != nil {
			return err
		}
		k, err := s.classTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canScheduleAt(a, k.RegionID) {
			return model.NotFound()
		}
		if k.Status != model.ClassScheduled {
			return model.Errorf(model.ErrConflict, "err.class_not_scheduled")
		}
		in := p.Input(k)
		if err := in.Validate(); err != nil {
			return err
		}
		room, err := s.pickRoom(ctx, tx, k.HomeID, k.RoomID, in.Capacity)
		if err != nil {
			return err
		}
		now := s.Now()
		demoted := 0
		if in.Capacity < k.Confirmed {
			need := k.Confirmed - in.Capacity
			if len(p.Demote) == 0 {
				return &model.Error{Code: model.ErrConflict, Message: "err.capacity_below_confirmed", Args: []any{k.Confirmed},
					Fields: map[string]string{"capacity": "err.field.capacity_below_confirmed"}}
			}
			if len(p.Demote) != need {
				return &model.Error{Code: model.ErrInvalid, Message: "err.demote_count", Args: []any{need},
					Fields: map[string]string{"demote_booking_ids": "err.field.demote_count"}}
			}
			if len(p.Reason) < 2 {
				return fieldError(model.ErrInvalid, "reason", "err.field.reason_required")
			}
			if err := s.demote(ctx, tx, a, k, p.Demote, p.Reason); err != nil {
				return err
			}
			demoted = need
		}
		_, err = tx.Exec(ctx, `UPDATE classes SET starts_at = ?, ends_at = ?, capacity = ?, per_enterprise_limit = ?, booking_opens_at = ?,
			booking_closes_at = ?, cancel_deadline = ?, room_id = ?, booked = booked - ?, waitlisted = waitlisted + ?, updated_at = ? WHERE id = ?`,
			ms(in.StartsAt), ms(in.EndsAt), in.Capacity, in.PerEnterpriseLimit, ms(*in.BookingOpensAt), ms(*in.BookingClosesAt),
			ms(*in.CancelDeadline), room, demoted, demoted, ms(now), id)
		if err != nil {
			return err
		}
		ch := model.Changes{}
		if in.Capacity != k.Capacity {
			ch["capacity"] = model.Change{Old: k.Capacity, New: in.Capacity}
		}
		if !in.StartsAt.Equal(k.StartsAt) {
			ch["starts_at"] = model.Change{Old: k.StartsAt, New: in.StartsAt}
		}
		if in.PerEnterpriseLimit != k.PerEnterpriseLimit {
			ch["per_enterprise_limit"] = model.Change{Old: k.PerEnterpriseLimit, New: in.PerEnterpriseLimit}
		}
		if p.Reason != "" {
			ch["reason"] = model.Change{New: p.Reason}
		}
		if err := s.audit(ctx, tx, a, "class.update", "class", &id, ch); err != nil {
			return err
		}
		return s.promote(ctx, tx, id)
	})
	if err != nil {
		return nil, err
	}
	return s.Class(ctx, id)
}

// demote moves confirmed bookings to the front of the waitlist, in the
// order given; the caller lowers booked and raises waitlisted.
func (s *Store) demote(ctx context.Context, tx *Tx, a model.Actor, k *model.Class, ids []int64, reason string) error {
	n := len(ids)
	if _, err := tx.Exec(ctx, `UPDATE bookings SET waitlist_position = waitlist_position + ? WHERE class_id = ? AND status = 'waitlisted'`, n, k.ID); err != nil {
		return err
	}
	now := ms(s.Now())
	for i, bid := range ids {
		res, err := tx.Exec(ctx, `UPDATE bookings SET status = 'waitlisted', waitlist_position = ?, offer_expires_at = NULL, updated_at = ?
			WHERE id = ? AND class_id = ? AND status IN ('confirmed', 'offered')`, i+1, now, bid, k.ID)
		if err != nil {
			return err
		}
		if c, _ := res.RowsAffected(); c == 0 {
			return fieldError(model.ErrInvalid, "demote_booking_ids", "err.field.demote_unknown")
		}
		if err := s.audit(ctx, tx, a, "booking.demote", "booking", &bid, model.Changes{"status": {Old: "confirmed", New: "waitlisted"},
			"waitlist_position": {New: i + 1}, "reason": {New: reason}}); err != nil {
			return err
		}
		if err := s.notifyBooking(ctx, tx, bid, model.NoticeDemoted, "demoted"); err != nil {
			return err
		}
	}
	return nil
}

// CancelClass cancels a scheduled class and every live booking, and
// notifies each booked enterprise.
func (s *Store) CancelClass(ctx context.Context, a model.Actor, id int64, reason string) (*model.Class, error) {
	err := s.write(ctx, func(tx *Tx) error {
		if err := s.lockClass(ctx, tx, id); err != nil {
			return err
		}
		k, err := s.classTx(ctx, tx, id)
		if err != nil {
			return err
		}
		if !canScheduleAt(a, k.RegionID) {
			return model.NotFound()
		}
		if k.Status != model.ClassScheduled {
			return model.Errorf(model.ErrConflict, "err.class_not_scheduled")
		}
		if len([]rune(reason)) < 2 {
			return fieldError(model.ErrInvalid, "reason", "err.field.reason_required")
		}
		var live []int64
		rows, err := tx.Query(ctx, `SELECT id FROM bookings WHERE class_id = ? AND status <> 'cancelled' ORDER BY id`, id)
		if err != nil {
			return err
		}
		for rows.Next() {
			var b int64
			rows.Scan(&b)
			live = append(live, b)
		}
		rows.Close()
		now := ms(s.Now())
		if _, err := tx.Exec(ctx, `UPDATE classes SET status = 'cancelled', booked = 0, waitlisted = 0, updated_at = ? WHERE id = ?`, now, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET status = 'cancelled', waitlist_position = 0, offer_expires_at = NULL, updated_at = ?
			WHERE class_id = ? AND status <> 'cancelled'`, now, id); err != nil {
			return err
		}
		for _, b := range live {
			if err := s.notifyBooking(ctx, tx, b, model.NoticeClassCancelled, "class_cancelled"); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "class.cancel", "class", &id, model.Changes{"status": {Old: k.Status, New: model.ClassCancelled},
			"reason": {New: reason}, "bookings": {New: len(live)}})
	})
	if err != nil {
		return nil, err
	}
	return s.Class(ctx, id)
}

// ---- Bookings ----

const bookingColumns = `b.id, b.class_id, b.manager_id, b.person_id, b.enterprise_id, p.name, e.name, b.status, b.waitlist_position,
	b.offer_expires_at, b.code, b.attendance, b.checked_in_at, b.created_at, b.updated_at`

const bookingFrom = ` FROM bookings b JOIN people p ON p.id = b.person_id JOIN enterprises e ON e.id = b.enterprise_id`

func scanBooking(r rowScanner) (*model.Booking, error) {
	b := &model.Booking{}
	var pos int
	err := r.Scan(&b.ID, &b.ClassID, &b.ManagerID, &b.PersonID, &b.EnterpriseID, &b.ManagerName, &b.EnterpriseName, &b.Status, &pos,
		nullTimeCol{&b.OfferExpiresAt}, &b.Code, &b.Attendance, nullTimeCol{&b.CheckedInAt}, timeCol{&b.CreatedAt}, timeCol{&b.UpdatedAt})
	if b.Status == model.BookingWaitlisted {
		b.WaitlistPosition = &pos
	}
	return b, err
}

// Book takes a seat in a class for a manager, or a place on its waitlist.
// Booking the same manager again returns the existing booking (Created
// false). Every check and the seat itself happen in one transaction that
// holds the class: on SQLite through the single writer, on PostgreSQL by
// the class row's lock; the seat is taken by a conditional UPDATE
// (booked < capacity) that the table's CHECK backs up.
func (s *Store) Book(ctx context.Context, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	var b *model.Booking
	err := s.write(ctx, func(tx *Tx) error {
		var err error
		b, err = s.bookTx(ctx, tx, a, classID, managerID)
		return err
	})
	if err != nil && isUniqueViolation(err) {
		// Only reachable if two transactions raced past the lock; the
		// index kept one booking, which is the answer.
		return s.liveBooking(ctx, a, classID, managerID)
	}
	return b, err
}

func (s *Store) liveBooking(ctx context.Context, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	cond, args := scopeSQL(a.Scope())
	b, err := scanBooking(s.queryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.class_id = ? AND b.manager_id = ? AND b.status <> 'cancelled' AND `+cond,
		append([]any{classID, managerID}, args...)...))
	return b, notFound(err)
}

func (s *Store) bookTx(ctx context.Context, tx *Tx, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	// One statement reads (and on PostgreSQL locks) the class, the manager
	// if the caller may book for them, any live booking of theirs and the
	// enterprise's places in the class: a round trip each would hold the
	// class's lock four times as long.
	cond, cargs := scopeSQL(a.Scope())
	var status string
	var capacity, booked, limit, held int
	var opens, closes, starts int64
	var enterpriseID, personID, existingID sql.NullInt64
	var mstatus, name, ename sql.NullString
	args := append([]any{managerID}, cargs...)
	args = append(args, classID)
	err := tx.QueryRow(ctx, `SELECT k.status, k.capacity, k.booked, k.per_enterprise_limit, k.booking_opens_at, k.booking_closes_at, k.starts_at,
		x.enterprise_id, x.person_id, x.status, x.name, x.ename,
		(SELECT MIN(b.id) FROM bookings b WHERE b.class_id = k.id AND b.manager_id = x.id AND b.status <> 'cancelled'),
		CASE WHEN k.per_enterprise_limit > 0 THEN (SELECT COUNT(*) FROM bookings b WHERE b.class_id = k.id AND b.enterprise_id = x.enterprise_id AND b.status <> 'cancelled') ELSE 0 END
		FROM classes k LEFT JOIN (SELECT m.id, m.enterprise_id, m.person_id, m.status, p.name, e.name AS ename FROM managers m
			JOIN people p ON p.id = m.person_id JOIN enterprises e ON e.id = m.enterprise_id WHERE m.id = ? AND `+cond+`) x ON 1=1
		WHERE k.id = ?`+s.dialect.forUpdateOf("k"), args...).
		Scan(&status, &capacity, &booked, &limit, &opens, &closes, &starts, &enterpriseID, &personID, &mstatus, &name, &ename, &existingID, &held)
	if err != nil {
		return nil, notFound(err)
	}
	// The manager must be the caller's: another enterprise's manager is
	// not found, exactly like one that does not exist.
	if !enterpriseID.Valid {
		return nil, fieldError(model.ErrInvalid, "manager_id", "err.field.manager_unknown")
	}
	if existingID.Valid {
		return scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, existingID.Int64))
	}
	now := ms(s.Now())
	switch {
	case status == model.ClassCancelled:
		return nil, model.Errorf(model.ErrBookingClosed, "err.class_cancelled")
	case status == model.ClassCompleted || now >= starts:
		return nil, model.Errorf(model.ErrBookingClosed, "err.class_past")
	case now < opens:
		return nil, model.Errorf(model.ErrBookingClosed, "err.booking_not_open", time.UnixMilli(opens).In(model.ChinaTime).Format("2006-01-02 15:04"))
	case now >= closes:
		return nil, model.Errorf(model.ErrBookingClosed, "err.booking_closed")
	}
	if mstatus.String != model.ManagerActive {
		return nil, fieldError(model.ErrInvalid, "manager_id", "err.field.manager_inactive")
	}
	if limit > 0 && held >= limit {
		return nil, model.Errorf(model.ErrLimitReached, "err.limit_reached", limit)
	}
	b := &model.Booking{ClassID: classID, ManagerID: managerID, PersonID: personID.Int64, EnterpriseID: enterpriseID.Int64, ManagerName: name.String,
		EnterpriseName: ename.String, Code: randomCode(10), Created: true, Status: model.BookingConfirmed}
	// The class is held, so booked is current: it says whether this is a
	// seat or a waitlist place; the conditional UPDATE takes the seat.
	if booked >= capacity {
		b.Status = model.BookingWaitlisted
	}
	b.CreatedAt = time.UnixMilli(now).UTC()
	b.UpdatedAt = b.CreatedAt
	changes := model.Changes{"class_id": {New: classID}, "manager_id": {New: managerID}, "status": {New: b.Status}}
	if s.dialect == Postgres {
		return b, s.placeBookingPostgres(ctx, tx, a, b, changes)
	}
	pos := 0
	if b.Status == model.BookingConfirmed {
		res, err := tx.Exec(ctx, `UPDATE classes SET booked = booked + 1 WHERE id = ? AND booked < capacity`, classID)
		if err != nil {
			return nil, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil, fmt.Errorf("book: class %d: no seat after all", classID)
		}
	} else {
		if err := tx.QueryRow(ctx, `UPDATE classes SET waitlisted = waitlisted + 1 WHERE id = ? RETURNING waitlisted`, classID).Scan(&pos); err != nil {
			return nil, err
		}
		b.WaitlistPosition = &pos
	}
	if err := tx.QueryRow(ctx, `INSERT INTO bookings (class_id, manager_id, person_id, enterprise_id, status, waitlist_position, code, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		classID, managerID, b.PersonID, b.EnterpriseID, b.Status, pos, b.Code, now, now).Scan(&b.ID); err != nil {
		return nil, err
	}
	return b, s.audit(ctx, tx, a, "booking.create", "booking", &b.ID, changes)
}

// placeBookingPostgres takes the seat (or the waitlist place), inserts the
// booking and its audit entry in one statement: on PostgreSQL every
// statement is a network round trip made while the class's row lock is
// held, and these three are the same on SQLite as separate statements.
func (s *Store) placeBookingPostgres(ctx context.Context, tx *Tx, a model.Actor, b *model.Booking, changes model.Changes) error {
	cj, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	place := `UPDATE classes SET booked = booked + 1 WHERE id = ? AND booked < capacity RETURNING 0 AS pos`
	if b.Status == model.BookingWaitlisted {
		place = `UPDATE classes SET waitlisted = waitlisted + 1 WHERE id = ? RETURNING waitlisted AS pos`
	}
	now := ms(b.CreatedAt)
	var pos int
	err = tx.QueryRow(ctx, `WITH place AS (`+place+`),
		b AS (INSERT INTO bookings (class_id, manager_id, person_id, enterprise_id, status, waitlist_position, code, created_at, updated_at)
			SELECT ?, ?, ?, ?, ?, place.pos, ?, ?, ? FROM place RETURNING id, waitlist_position),
		a AS (INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, addr, changes)
			SELECT ?, ?, ?, 'booking.create', 'booking', b.id, ?, ? FROM b)
		SELECT id, waitlist_position FROM b`,
		b.ClassID, b.ClassID, b.ManagerID, b.PersonID, b.EnterpriseID, b.Status, b.Code, now, now,
		now, a.ID(), a.Name(), a.Addr, string(cj)).Scan(&b.ID, &pos)
	if err == sql.ErrNoRows {
		return fmt.Errorf("book: class %d: no seat after all", b.ClassID)
	}
	if b.Status == model.BookingWaitlisted {
		b.WaitlistPosition = &pos
	}
	return err
}

// BookingAccess is what an actor may do with a booking: its own enterprise
// (and staff whose scope holds that enterprise) act for the manager; the
// class's runners manage attendance. Anyone else: not found.
type BookingAccess struct {
	Owner, Runner bool
}

// BookingAccess decides an actor's rights on a booking of class k. It reads
// from the pool, so it is never called inside a write transaction.
func (s *Store) BookingAccess(ctx context.Context, a model.Actor, b *model.Booking, k *model.Class) BookingAccess {
	sc := a.Scope()
	var region int64
	if sc.RegionID != 0 {
		s.queryRow(ctx, `SELECT region_id FROM enterprises WHERE id = ?`, b.EnterpriseID).Scan(&region)
	}
	return BookingAccess{
		Owner:  sc.All || sc.EnterpriseID == b.EnterpriseID || (sc.RegionID != 0 && sc.RegionID == region),
		Runner: s.CanRunClass(ctx, a, k),
	}
}

// Booking returns a booking its enterprise, staff over it or the class's
// runners may see.
func (s *Store) Booking(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	b, err := scanBooking(s.queryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	k, err := s.Class(ctx, b.ClassID)
	if err != nil {
		return nil, err
	}
	if ac := s.BookingAccess(ctx, a, b, k); !ac.Owner && !ac.Runner {
		return nil, model.NotFound()
	}
	b.Class = k
	return b, nil
}

// CancelBooking cancels a booking or leaves the waitlist. The enterprise
// cancels a seat until the class's cancellation deadline; the class's
// organisers at any time before it starts. A freed seat goes to the first
// on the waitlist at once.
func (s *Store) CancelBooking(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	// Who may cancel depends on the booking's enterprise and the class's
	// town, neither of which changes; what may be cancelled is decided
	// under the class's lock.
	b, err := s.Booking(ctx, a, id)
	if err != nil {
		return nil, err
	}
	organiser := canScheduleAt(a, b.Class.RegionID)
	if !organiser && !s.BookingAccess(ctx, a, b, b.Class).Owner {
		return nil, model.NotFound()
	}
	err = s.write(ctx, func(tx *Tx) error {
		if err := s.lockClass(ctx, tx, b.ClassID); err != nil {
			return err
		}
		b, err := scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, id))
		if err != nil {
			return notFound(err)
		}
		k, err := s.classTx(ctx, tx, b.ClassID)
		if err != nil {
			return err
		}
		if b.Status == model.BookingCancelled {
			return nil
		}
		now := s.Now()
		if k.Status != model.ClassScheduled || !now.Before(k.StartsAt) {
			return model.Errorf(model.ErrConflict, "err.class_not_scheduled")
		}
		if b.Status != model.BookingWaitlisted && !organiser && !now.Before(k.CancelDeadline) {
			return model.Errorf(model.ErrConflict, "err.cancel_deadline_passed", k.CancelDeadline.In(model.ChinaTime).Format("2006-01-02 15:04"))
		}
		if err := s.cancelTx(ctx, tx, b, now); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "booking.cancel", "booking", &id, model.Changes{"status": {Old: b.Status, New: model.BookingCancelled}}); err != nil {
			return err
		}
		return s.promote(ctx, tx, b.ClassID)
	})
	if err != nil {
		return nil, err
	}
	return s.Booking(ctx, a, id)
}

// cancelTx cancels one live booking and closes the gap it leaves.
func (s *Store) cancelTx(ctx context.Context, tx *Tx, b *model.Booking, now time.Time) error {
	if _, err := tx.Exec(ctx, `UPDATE bookings SET status = 'cancelled', waitlist_position = 0, offer_expires_at = NULL, updated_at = ? WHERE id = ?`,
		ms(now), b.ID); err != nil {
		return err
	}
	if b.Status == model.BookingWaitlisted {
		if _, err := tx.Exec(ctx, `UPDATE bookings SET waitlist_position = waitlist_position - 1 WHERE class_id = ? AND status = 'waitlisted' AND waitlist_position > ?`,
			b.ClassID, *b.WaitlistPosition); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE classes SET waitlisted = waitlisted - 1, updated_at = ? WHERE id = ?`, ms(now), b.ClassID)
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE classes SET booked = booked - 1, updated_at = ? WHERE id = ?`, ms(now), b.ClassID)
	return err
}

// promote fills free seats from the head of the waitlist: confirmed at
// once, or offered for the bureau's set time in offer mode. The caller
// holds the class.
func (s *Store) promote(ctx context.Context, tx *Tx, classID int64) error {
	settings, err := readTrainingSettings(ctx, tx.Query)
	if err != nil {
		return err
	}
	for {
		var capacity, booked, waitlisted int
		var status string
		var starts int64
		if err := tx.QueryRow(ctx, `SELECT capacity, booked, waitlisted, status, starts_at FROM classes WHERE id = ?`, classID).
			Scan(&capacity, &booked, &waitlisted, &status, &starts); err != nil {
			return err
		}
		now := s.Now()
		if booked >= capacity || waitlisted == 0 || status != model.ClassScheduled || ms(now) >= starts {
			return nil
		}
		var bid int64
		if err := tx.QueryRow(ctx, `SELECT id FROM bookings WHERE class_id = ? AND status = 'waitlisted' AND waitlist_position = 1`, classID).Scan(&bid); err != nil {
			return fmt.Errorf("promote: head of waitlist: %w", err)
		}
		newStatus, kind := model.BookingConfirmed, model.NoticePromoted
		var expires *int64
		if settings.WaitlistMode == model.WaitlistOffer {
			newStatus, kind = model.BookingOffered, model.NoticeOffered
			e := ms(now.Add(time.Duration(settings.OfferHours) * time.Hour))
			if e > starts {
				e = starts
			}
			expires = &e
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET status = ?, waitlist_position = 0, offer_expires_at = ?, updated_at = ? WHERE id = ?`,
			newStatus, expires, ms(now), bid); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET waitlist_position = waitlist_position - 1 WHERE class_id = ? AND status = 'waitlisted'`, classID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE classes SET booked = booked + 1, waitlisted = waitlisted - 1, updated_at = ? WHERE id = ? AND booked < capacity`,
			ms(now), classID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, model.SystemActor(), "booking."+newStatus, "booking", &bid, model.Changes{"status": {Old: model.BookingWaitlisted, New: newStatus}}); err != nil {
			return err
		}
		if err := s.notifyBooking(ctx, tx, bid, kind, kind+":"+fmt.Sprint(ms(now))); err != nil {
			return err
		}
	}
}

// AcceptOffer confirms a seat offered from the waitlist before the offer runs out.
func (s *Store) AcceptOffer(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	b, err := s.Booking(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !s.BookingAccess(ctx, a, b, b.Class).Owner {
		return nil, model.NotFound()
	}
	err = s.write(ctx, func(tx *Tx) error {
		if err := s.lockClass(ctx, tx, b.ClassID); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, `UPDATE bookings SET status = 'confirmed', offer_expires_at = NULL, updated_at = ? WHERE id = ? AND status = 'offered' AND offer_expires_at > ?`,
			ms(s.Now()), id, ms(s.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return model.Errorf(model.ErrConflict, "err.no_offer")
		}
		return s.audit(ctx, tx, a, "booking.accept", "booking", &id, model.Changes{"status": {Old: model.BookingOffered, New: model.BookingConfirmed}})
	})
	if err != nil {
		return nil, err
	}
	return s.Booking(ctx, a, id)
}

// ExpireOffers cancels offers that ran out and passes their seats on; the
// server calls it every minute.
func (s *Store) ExpireOffers(ctx context.Context) (int, error) {
	rows, err := s.query(ctx, `SELECT id, class_id FROM bookings WHERE status = 'offered' AND offer_expires_at <= ? ORDER BY id LIMIT 500`, ms(s.Now()))
	if err != nil {
		return 0, err
	}
	type pair struct{ id, class int64 }
	var due []pair
	for rows.Next() {
		var p pair
		rows.Scan(&p.id, &p.class)
		due = append(due, p)
	}
	rows.Close()
	n := 0
	for _, p := range due {
		err := s.write(ctx, func(tx *Tx) error {
			if err := s.lockClass(ctx, tx, p.class); err != nil {
				return err
			}
			b, err := scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, p.id))
			if err != nil || b.Status != model.BookingOffered {
				return err
			}
			if err := s.cancelTx(ctx, tx, b, s.Now()); err != nil {
				return err
			}
			n++
			if err := s.audit(ctx, tx, model.SystemActor(), "booking.offer_expired", "booking", &p.id, model.Changes{"status": {Old: model.BookingOffered, New: model.BookingCancelled}}); err != nil {
				return err
			}
			return s.promote(ctx, tx, p.class)
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// ClassBookings lists a class's bookings: its runners and the bureau see
// all, an association the enterprises of its town, an enterprise its own.
// Confirmed first, then the waitlist in order.
func (s *Store) ClassBookings(ctx context.Context, a model.Actor, classID int64) ([]*model.Booking, error) {
	k, err := s.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + bookingColumns + bookingFrom + ` WHERE b.class_id = ? AND b.status <> 'cancelled'`
	args := []any{classID}
	if !s.CanRunClass(ctx, a, k) {
		sc := a.Scope()
		if sc.None() {
			return nil, model.NotFound()
		}
		cond, cargs := scopeSQL(sc)
		q += ` AND ` + cond
		args = append(args, cargs...)
	}
	q += ` ORDER BY CASE b.status WHEN 'confirmed' THEN 0 WHEN 'offered' THEN 1 ELSE 2 END, b.waitlist_position, b.id`
	rows, err := s.query(ctx, q, args...)
	bs, err := scanAll(rows, err, func(r *sql.Rows) (*model.Booking, error) { return scanBooking(r) })
	if bs == nil {
		bs = []*model.Booking{}
	}
	return bs, err
}

// EnterpriseBookings lists the live and past bookings of the enterprises in
// the actor's scope, newest class first.
func (s *Store) EnterpriseBookings(ctx context.Context, a model.Actor, managerID *int64, limit int) ([]*model.Booking, error) {
	sc := a.Scope()
	if sc.None() {
		return []*model.Booking{}, nil
	}
	cond, args := scopeSQL(sc)
	q := `SELECT ` + bookingColumns + `, ` + classColumns + bookingFrom + ` JOIN classes k ON k.id = b.class_id JOIN courses co ON co.id = k.course_id
		JOIN homes h ON h.id = k.home_id LEFT JOIN home_rooms rm ON rm.id = k.room_id WHERE b.status <> 'cancelled' AND ` + cond
	if managerID != nil {
		q += ` AND b.manager_id = ?`
		args = append(args, *managerID)
	}
	q += ` ORDER BY k.starts_at DESC, b.id LIMIT ?`
	args = append(args, limit)
	rows, err := s.query(ctx, q, args...)
	bs, err := scanAll(rows, err, func(r *sql.Rows) (*model.Booking, error) { return scanBookingWithClass(r) })
	if bs == nil {
		bs = []*model.Booking{}
	}
	return bs, err
}

func scanBookingWithClass(r rowScanner) (*model.Booking, error) {
	b := &model.Booking{}
	k := &model.Class{}
	var pos int
	err := r.Scan(&b.ID, &b.ClassID, &b.ManagerID, &b.PersonID, &b.EnterpriseID, &b.ManagerName, &b.EnterpriseName, &b.Status, &pos,
		nullTimeCol{&b.OfferExpiresAt}, &b.Code, &b.Attendance, nullTimeCol{&b.CheckedInAt}, timeCol{&b.CreatedAt}, timeCol{&b.UpdatedAt},
		&k.ID, &k.CourseID, &k.CourseTitle, &k.Category, &k.HomeID, &k.HomeName, &k.RegionID, &k.RoomID, &k.RoomName,
		timeCol{&k.StartsAt}, timeCol{&k.EndsAt}, &k.Capacity, &k.Confirmed, &k.Waitlisted, &k.PerEnterpriseLimit,
		timeCol{&k.BookingOpensAt}, timeCol{&k.BookingClosesAt}, timeCol{&k.CancelDeadline}, &k.CreditHours, &k.Status)
	if b.Status == model.BookingWaitlisted {
		b.WaitlistPosition = &pos
	}
	k.SeatsLeft = k.Capacity - k.Confirmed
	b.Class = k
	return b, err
}

// MoveInWaitlist puts a waitlisted booking at a new position (the bureau
// only, with a reason that goes into the audit log); the others close up.
func (s *Store) MoveInWaitlist(ctx context.Context, a model.Actor, id int64, to int, reason string) (*model.Booking, error) {
	if !a.IsAdmin() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if len([]rune(reason)) < 2 {
		return nil, fieldError(model.ErrInvalid, "reason", "err.field.reason_required")
	}
	var classID int64
	if err := s.queryRow(ctx, `SELECT class_id FROM bookings WHERE id = ?`, id).Scan(&classID); err != nil {
		return nil, notFound(err)
	}
	err := s.write(ctx, func(tx *Tx) error {
		if err := s.lockClass(ctx, tx, classID); err != nil {
			return err
		}
		var from, total int
		var status string
		if err := tx.QueryRow(ctx, `SELECT b.status, b.waitlist_position, k.waitlisted FROM bookings b JOIN classes k ON k.id = b.class_id WHERE b.id = ?`, id).
			Scan(&status, &from, &total); err != nil {
			return notFound(err)
		}
		if status != model.BookingWaitlisted {
			return model.Errorf(model.ErrConflict, "err.not_waitlisted")
		}
		if to < 1 || to > total {
			return fieldError(model.ErrInvalid, "position", "err.field.position")
		}
		if to == from {
			return nil
		}
		if to < from {
			_, err := tx.Exec(ctx, `UPDATE bookings SET waitlist_position = waitlist_position + 1 WHERE class_id = ? AND status = 'waitlisted'
				AND waitlist_position >= ? AND waitlist_position < ?`, classID, to, from)
			if err != nil {
				return err
			}
		} else {
			_, err := tx.Exec(ctx, `UPDATE bookings SET waitlist_position = waitlist_position - 1 WHERE class_id = ? AND status = 'waitlisted'
				AND waitlist_position > ? AND waitlist_position <= ?`, classID, from, to)
			if err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET waitlist_position = ?, updated_at = ? WHERE id = ?`, to, ms(s.Now()), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "booking.reorder", "booking", &id, model.Changes{"waitlist_position": {Old: from, New: to}, "reason": {New: reason}})
	})
	if err != nil {
		return nil, err
	}
	return s.Booking(ctx, a, id)
}
