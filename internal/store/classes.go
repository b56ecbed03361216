package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"encoding/hex"
	"time"

	"github.com/envhome/envhome/internal/model"
)

const classColumns = `k.id, k.course_id, co.title, co.category, k.home_id, h.name, h.region_id, k.room_id, COALESCE(rm.name, ''),
	k.starts_at, k.ends_at, k.capacity, k.booked, k.waitlisted, k.per_enterprise_limit, k.booking_opens_at, k.booking_closes_at,
	k.cancel_deadline, k.credit_hours, k.status, co.status, k.updated_at`

const classFrom = ` FROM classes k JOIN courses co ON co.id = k.course_id JOIN homes h ON h.id = k.home_id LEFT JOIN home_rooms rm ON rm.id = k.room_id`

func scanClass(r rowScanner) (*model.Class, error) {
	k := &model.Class{}
	err := r.Scan(classDest(k)...)
	k.SeatsLeft = k.Capacity - k.Confirmed
	return k, err
}

// classDest lists where the classColumns of a row go.
func classDest(k *model.Class) []any {
	return []any{&k.ID, &k.CourseID, &k.CourseTitle, &k.Category, &k.HomeID, &k.HomeName, &k.RegionID, &k.RoomID, &k.RoomName,
		timeCol{&k.StartsAt}, timeCol{&k.EndsAt}, &k.Capacity, &k.Confirmed, &k.Waitlisted, &k.PerEnterpriseLimit,
		timeCol{&k.BookingOpensAt}, timeCol{&k.BookingClosesAt}, timeCol{&k.CancelDeadline}, &k.CreditHours, &k.Status, &k.CourseStatus, timeCol{&k.UpdatedAt}}
}

// randomCode returns an unguessable code in capitals and digits, easy to
// read out and to type (base32 without padding).
func randomCode(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// Class returns a class: public, like the catalogue, but a class of a
// draft course only to staff and the course's lecturers.
func (s *Store) Class(ctx context.Context, a model.Actor, id int64) (*model.Class, error) {
	k, err := s.class(ctx, id)
	if err != nil {
		return nil, err
	}
	if k.CourseStatus == model.CourseDraft && a.Scope().RegionID == 0 && !a.IsAdmin() && !s.Teaches(ctx, a, k.CourseID) {
		return nil, model.NotFound()
	}
	return k, nil
}

// class reads a class whoever asks.
func (s *Store) class(ctx context.Context, id int64) (*model.Class, error) {
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
// process serves it (SQLite's single writer already runs one transaction
// at a time).
func (s *Store) lockClass(ctx context.Context, tx *Tx, id int64) error {
	var got int64
	err := tx.QueryRow(ctx, `SELECT id FROM classes WHERE id = ?`+s.dialect.forUpdate(), id).Scan(&got)
	return notFound(err)
}

// lockedClass holds a class as lockClass does and reads it as it is then,
// in one statement.
func (s *Store) lockedClass(ctx context.Context, tx *Tx, id int64) (*model.Class, error) {
	k, err := scanClass(tx.QueryRow(ctx, `SELECT `+classColumns+classFrom+` WHERE k.id = ?`+s.dialect.forUpdateOf("k"), id))
	if err != nil {
		return nil, notFound(err)
	}
	return k, nil
}

// lockedBooking holds a booking's class and reads both as they are then.
func (s *Store) lockedBooking(ctx context.Context, tx *Tx, classID, id int64) (*model.Booking, *model.Class, error) {
	k, err := s.lockedClass(ctx, tx, classID)
	if err != nil {
		return nil, nil, err
	}
	b, err := scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, id))
	if err != nil {
		return nil, nil, notFound(err)
	}
	return b, k, nil
}

// Teaches reports whether the actor is a lecturer of the course.
func (s *Store) Teaches(ctx context.Context, a model.Actor, courseID int64) bool {
	if a.User == nil || a.User.Role != model.RoleLecturer {
		return false
	}
	var n int
	s.queryRow(ctx, `SELECT COUNT(*) FROM course_lecturers cl JOIN lecturers l ON l.id = cl.lecturer_id
		WHERE cl.course_id = ? AND l.user_id = ?`, courseID, a.User.ID).Scan(&n)
	return n > 0
}

// ClassAccess reads what the actor is to a class (organiser, runner). It
// reads from the pool, so it is never called inside a write transaction.
func (s *Store) ClassAccess(ctx context.Context, a model.Actor, k *model.Class) model.Access {
	return a.ClassAccess(k, s.Teaches(ctx, a, k.CourseID))
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
		if err := (&model.Course{Status: status}).Schedulable(a); err != nil {
			return err
		}
		if !a.CanManageRegion(regionID) {
			return model.Errorf(model.ErrForbidden, "err.forbidden")
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
		if err := tx.touchNew(ctx, byClass, []int64{id}); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "class.create", "class", &id, model.Changes{"course_id": {New: courseID}, "home_id": {New: in.HomeID},
			"starts_at": {New: in.StartsAt}, "capacity": {New: in.Capacity}})
	})
	if err != nil {
		return nil, err
	}
	return s.Class(ctx, a, id)
}

// ClassFilter narrows a list of classes.
type ClassFilter struct {
	CourseID *int64
	Mine     bool // the runner's own classes: a lecturer's, an association's town's
	From     *time.Time
	Limit    int
	// After pages on: the classes after this one in start order.
	After int64
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
	if f.After > 0 {
		q += ` AND (k.starts_at > (SELECT starts_at FROM classes WHERE id = ?)
			OR (k.starts_at = (SELECT starts_at FROM classes WHERE id = ?) AND k.id > ?))`
		args = append(args, f.After, f.After, f.After)
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
		k, err := s.lockedClass(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := k.Changeable(a.ClassAccess(k, false)); err != nil {
			return err
		}
		in := p.Input(k)
		if err := in.Validate(); err != nil {
			return err
		}
		room, err := s.pickRoom(ctx, tx, k.HomeID, k.RoomID, in.Capacity)
		if err != nil {
			return err
		}
		if err := s.touchClass(ctx, tx, id); err != nil {
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
	return s.Class(ctx, a, id)
}

// CancelClass cancels a scheduled class and every live booking, and
// notifies each booked enterprise.
func (s *Store) CancelClass(ctx context.Context, a model.Actor, id int64, reason string) (*model.Class, error) {
	err := s.write(ctx, func(tx *Tx) error {
		k, err := s.lockedClass(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := k.Changeable(a.ClassAccess(k, false)); err != nil {
			return err
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
		if err := s.touchClass(ctx, tx, id); err != nil {
			return err
		}
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
	return s.Class(ctx, a, id)
}

// CompleteClass closes a class once it has started: unmarked seats become
// absent, the waitlist is closed, and every attendee gets a certificate
// (and so the class's credit hours).
func (s *Store) CompleteClass(ctx context.Context, a model.Actor, id int64) (*model.Class, error) {
	k, err := s.Class(ctx, a, id)
	if err != nil {
		return nil, err
	}
	ac := s.ClassAccess(ctx, a, k)
	err = s.write(ctx, func(tx *Tx) error {
		k, err := s.lockedClass(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := k.Completable(ac, s.Now()); err != nil {
			return err
		}
		if err := s.touchClass(ctx, tx, id); err != nil {
			return err
		}
		now := ms(s.Now())
		if _, err := tx.Exec(ctx, `UPDATE bookings SET attendance = 'absent', updated_at = ? WHERE class_id = ? AND status = 'confirmed' AND attendance = ''`, now, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET status = 'cancelled', waitlist_position = 0, offer_expires_at = NULL, updated_at = ?
			WHERE class_id = ? AND status IN ('waitlisted', 'offered')`, now, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE classes SET status = 'completed', waitlisted = 0, booked = (SELECT COUNT(*) FROM bookings WHERE class_id = ? AND status = 'confirmed'),
			updated_at = ? WHERE id = ?`, id, now, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT id FROM bookings WHERE class_id = ? AND status = 'confirmed' AND attendance IN ('present', 'late')`, id)
		if err != nil {
			return err
		}
		var attended []int64
		for rows.Next() {
			var b int64
			rows.Scan(&b)
			attended = append(attended, b)
		}
		rows.Close()
		for _, b := range attended {
			if err := s.syncCertificate(ctx, tx, b); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "class.complete", "class", &id, model.Changes{"status": {Old: model.ClassScheduled, New: model.ClassCompleted},
			"attended": {New: len(attended)}})
	})
	if err != nil {
		return nil, err
	}
	return s.Class(ctx, a, id)
}

// touchClass names the figures a change of a whole class feeds: its own
// (held, seats, bookings, feedback) and its people's hours.
func (s *Store) touchClass(ctx context.Context, tx *Tx, id int64) error {
	if err := tx.touch(ctx, byClass, []int64{id}); err != nil {
		return err
	}
	rows, err := tx.Query(ctx, `SELECT DISTINCT person_id FROM bookings WHERE class_id = ? AND status = 'confirmed'`, id)
	people, err := scanAll(rows, err, func(r *sql.Rows) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return err
	}
	return tx.touch(ctx, byPerson, people, "managers")
}
