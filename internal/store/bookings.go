package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/envhome/envhome/internal/model"
)

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
// false). The booking comes with b.Class holding only the class's times
// and status (what the rules need). Every check holds when the seat is
// taken, in one transaction that holds the class: on SQLite through the
// single writer, on PostgreSQL by the class row's lock, under which the
// placing statement re-checks the facts the rules decided on (bookOn); the
// seat is taken by a conditional UPDATE (booked < capacity) that the
// table's CHECK backs up.
func (s *Store) Book(ctx context.Context, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	var b *model.Booking
	var err error
	if s.dialect == Postgres {
		b, err = s.bookPipelined(ctx, a, classID, managerID)
	} else {
		err = s.write(ctx, func(tx *Tx) error {
			b, err = s.bookTx(ctx, tx, a, classID, managerID)
			return err
		})
	}
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

// bookingFacts is what a booking's rules need, read in one statement that
// holds the class: the class, the manager if the caller may book for them,
// any live booking of theirs and the enterprise's places in the class.
type bookingFacts struct {
	status, courseStatus               string
	capacity, booked, limit, held      int
	opens, closes, starts, deadline    int64
	enterpriseID, personID, existingID sql.NullInt64
	mstatus, name, ename               sql.NullString
}

// bookingRead is the statement that reads the class with the facts of a
// booking, once the class is held (SQLite's single writer; on PostgreSQL
// the statement before it locks the class row, so that this one's
// snapshot, taken after the lock, sees the bookings of the transaction
// it waited for: read in the locking statement itself, the enterprise's
// places were counted as they were before the wait, and two managers of
// one enterprise could both take its last place).
func (s *Store) bookingRead(a model.Actor, classID, managerID int64) (string, []any) {
	cond, cargs := scopeSQL(a.Scope())
	args := append([]any{managerID}, cargs...)
	args = append(args, classID)
	return `SELECT k.status, (SELECT status FROM courses WHERE id = k.course_id), k.capacity, k.booked, k.per_enterprise_limit,
		k.booking_opens_at, k.booking_closes_at, k.starts_at, k.cancel_deadline, x.enterprise_id, x.person_id, x.status, x.name, x.ename,
		(SELECT MIN(b.id) FROM bookings b WHERE b.class_id = k.id AND b.manager_id = x.id AND b.status <> 'cancelled'),
		CASE WHEN k.per_enterprise_limit > 0 THEN (SELECT COUNT(*) FROM bookings b WHERE b.class_id = k.id AND b.enterprise_id = x.enterprise_id AND b.status <> 'cancelled') ELSE 0 END
		FROM classes k LEFT JOIN (SELECT m.id, m.enterprise_id, m.person_id, m.status, p.name, e.name AS ename FROM managers m
			JOIN people p ON p.id = m.person_id JOIN enterprises e ON e.id = m.enterprise_id WHERE m.id = ? AND ` + cond + `) x ON 1=1
		WHERE k.id = ?`, args
}

func (f *bookingFacts) scan(r rowScanner) error {
	return r.Scan(&f.status, &f.courseStatus, &f.capacity, &f.booked, &f.limit, &f.opens, &f.closes, &f.starts, &f.deadline,
		&f.enterpriseID, &f.personID, &f.mstatus, &f.name, &f.ename, &f.existingID, &f.held)
}

// decide applies the booking rules to the facts read under the class's
// lock: the new booking to place (with its class's times and status, what
// the rules of a booking need), or, when the manager holds one already,
// its id.
func (s *Store) decide(f *bookingFacts, classID, managerID int64) (*model.Booking, int64, error) {
	k := &model.Class{ID: classID, Status: f.status, CourseStatus: f.courseStatus, Capacity: f.capacity, Confirmed: f.booked, PerEnterpriseLimit: f.limit,
		BookingOpensAt: time.UnixMilli(f.opens).UTC(), BookingClosesAt: time.UnixMilli(f.closes).UTC(), StartsAt: time.UnixMilli(f.starts).UTC(),
		CancelDeadline: time.UnixMilli(f.deadline).UTC()}
	// The manager must be the caller's: another enterprise's manager is
	// not found, exactly like one that does not exist.
	if !f.enterpriseID.Valid {
		return nil, 0, fieldError(model.ErrInvalid, "manager_id", "err.field.manager_unknown")
	}
	if f.existingID.Valid {
		return &model.Booking{Class: k}, f.existingID.Int64, nil
	}
	now := s.Now()
	if err := k.Bookable(now); err != nil {
		return nil, 0, err
	}
	if f.mstatus.String != model.ManagerActive {
		return nil, 0, fieldError(model.ErrInvalid, "manager_id", "err.field.manager_inactive")
	}
	if limit := k.PerEnterpriseLimit; limit > 0 && f.held >= limit {
		return nil, 0, model.Errorf(model.ErrLimitReached, "err.limit_reached", limit)
	}
	b := &model.Booking{ClassID: classID, ManagerID: managerID, PersonID: f.personID.Int64, EnterpriseID: f.enterpriseID.Int64, ManagerName: f.name.String,
		EnterpriseName: f.ename.String, Code: randomCode(10), Created: true, Status: model.BookingConfirmed}
	// The class is held, so booked is current: it says whether this is a
	// seat or a waitlist place; the conditional UPDATE takes the seat.
	if k.Confirmed >= k.Capacity {
		b.Status = model.BookingWaitlisted
	}
	b.Class = k
	b.CreatedAt = time.UnixMilli(ms(now)).UTC()
	b.UpdatedAt = b.CreatedAt
	return b, 0, nil
}

func bookingChanges(b *model.Booking) model.Changes {
	return model.Changes{"class_id": {New: b.ClassID}, "manager_id": {New: b.ManagerID}, "status": {New: b.Status}}
}

// readAndDecide reads a booking's facts through queryRow (a statement
// with ? placeholders) and applies the rules: the new booking to place, or
// the manager's live booking (existing true) with the class as read.
func (s *Store) readAndDecide(queryRow func(q string, args ...any) rowScanner, a model.Actor, classID, managerID int64) (b *model.Booking, f *bookingFacts, existing bool, err error) {
	q, args := s.bookingRead(a, classID, managerID)
	f = &bookingFacts{}
	if err := f.scan(queryRow(q, args...)); err != nil {
		return nil, nil, false, notFound(err)
	}
	b, id, err := s.decide(f, classID, managerID)
	if err != nil || id == 0 {
		return b, f, false, err
	}
	k := b.Class
	if b, err = scanBooking(queryRow(`SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, id)); err != nil {
		return nil, nil, false, notFound(err)
	}
	b.Class = k
	return b, f, true, nil
}

func (s *Store) bookTx(ctx context.Context, tx *Tx, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	b, _, existing, err := s.readAndDecide(func(q string, args ...any) rowScanner { return tx.QueryRow(ctx, q, args...) }, a, classID, managerID)
	if err != nil || existing {
		return b, err
	}
	now := ms(b.CreatedAt)
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
	return b, s.audit(ctx, tx, a, "booking.create", "booking", &b.ID, bookingChanges(b))
}

// placeBooking is, on PostgreSQL, the one statement that takes the seat
// (or the waitlist place) and inserts the booking and its audit entry:
// every statement is a network round trip made while the class's row
// lock is held, and these three are separate statements on SQLite.
func (s *Store) placeBooking(a model.Actor, b *model.Booking) (string, []any, error) {
	return s.placeGuarded(a, b, "", nil)
}

// placeGuarded is placeBooking with a condition on the class row (alias
// classes) that must still hold for the booking to be placed: nothing is
// written, and no row returned, where it does not.
func (s *Store) placeGuarded(a model.Actor, b *model.Booking, guard string, guardArgs []any) (string, []any, error) {
	cj, err := json.Marshal(bookingChanges(b))
	if err != nil {
		return "", nil, err
	}
	place := `UPDATE classes SET booked = booked + 1 WHERE id = ? AND booked < capacity` + guard + ` RETURNING 0 AS pos`
	if b.Status == model.BookingWaitlisted {
		place = `UPDATE classes SET waitlisted = waitlisted + 1 WHERE id = ?` + guard + ` RETURNING waitlisted AS pos`
	}
	now := ms(b.CreatedAt)
	return `WITH place AS (` + place + `),
		b AS (INSERT INTO bookings (class_id, manager_id, person_id, enterprise_id, status, waitlist_position, code, created_at, updated_at)
			SELECT ?, ?, ?, ?, ?, place.pos, ?, ?, ? FROM place RETURNING id, waitlist_position),
		a AS (INSERT INTO audit_log (at, actor_id, actor_name, action, object_type, object_id, addr, changes)
			SELECT ?, ?, ?, 'booking.create', 'booking', b.id, ?, ? FROM b)
		SELECT id, waitlist_position FROM b`, append(append([]any{b.ClassID}, guardArgs...),
			b.ClassID, b.ManagerID, b.PersonID, b.EnterpriseID, b.Status, b.Code, now, now,
			now, a.ID(), a.Name(), a.Addr, string(cj)), nil
}

// bookPipelined is Book on PostgreSQL in two round trips instead of
// four, the class held during one of them (bookOn; pgx pipelines a batch:
// one write, one read). The rules run in Go, as on SQLite. Statements are
// prepared once per connection (pgx's statement cache).
func (s *Store) bookPipelined(ctx context.Context, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	if err := take(ctx, s.turns); err != nil {
		return nil, err
	}
	defer give(s.turns)
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	var b *model.Booking
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		b, err = s.bookOn(ctx, pc, a, classID, managerID)
		if err != nil && pc.PgConn().TxStatus() != 'I' {
			// Leave the connection as the pool lent it: out of any
			// transaction, or discarded.
			if _, rerr := pc.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
				return errors.Join(err, driver.ErrBadConn)
			}
		}
		return err
	})
	return b, err
}

// bookOn books on PostgreSQL. The facts are read first, outside any
// transaction, and the rules decide on them; then one batch locks the
// class, places the booking only if every fact the decision rested on
// still holds (re-checked by the placing statement, whose snapshot
// follows the lock), and commits. The class is held for the time
// PostgreSQL takes to run that batch, not for a round trip and this
// process's turn on a core in between (under a rush over HTTP a booking's
// transaction stayed open 7.8 ms on average, 5.3 ms without HTTP). A
// decision whose facts moved meanwhile (a seat taken, a manager revoked)
// is made again the old way, under the lock.
func (s *Store) bookOn(ctx context.Context, pc *pgx.Conn, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	b, f, existing, err := s.readAndDecide(func(q string, args ...any) rowScanner { return pc.QueryRow(ctx, s.dialect.Rebind(q), args...) }, a, classID, managerID)
	if err != nil || existing {
		return b, err
	}
	if s.beforePlace != nil {
		s.beforePlace()
	}
	guard, gargs := s.bookingGuard(a, f, b)
	q, args, err := s.placeGuarded(a, b, guard, gargs)
	if err != nil {
		return nil, err
	}
	var batch pgx.Batch
	batch.Queue("BEGIN")
	batch.Queue(`SELECT id FROM classes WHERE id = $1 FOR UPDATE`, classID)
	placed, err := s.placeAndCommit(ctx, pc, &batch, q, args, b)
	if err != nil {
		return nil, err
	}
	if !placed { // the facts moved
		return s.bookLocked(ctx, pc, a, classID, managerID)
	}
	return b, nil
}

// placeAndCommit ends batch with the placing statement q and COMMIT, sends
// it, and gives b its id and waitlist place. placed is false where the
// statement wrote nothing (its guard no longer held): the COMMIT then
// commits nothing.
func (s *Store) placeAndCommit(ctx context.Context, pc *pgx.Conn, batch *pgx.Batch, q string, args []any, b *model.Booking) (placed bool, err error) {
	var pos int
	batch.Queue(s.dialect.Rebind(q), args...).QueryRow(func(r pgx.Row) error {
		err := r.Scan(&b.ID, &pos)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		placed = err == nil
		return err
	})
	batch.Queue("COMMIT")
	if err := pc.SendBatch(ctx, batch).Close(); err != nil {
		return false, err
	}
	if placed && b.Status == model.BookingWaitlisted {
		b.WaitlistPosition = &pos
	}
	return placed, nil
}

// bookingGuard is the condition, on the class row being updated, that the
// facts a booking was decided on still hold: the class's status, times,
// limit and course; its seats on the same side of full; the manager
// active, in the same enterprise and person, and still the caller's; no
// live booking of theirs; the enterprise's places under the limit.
func (s *Store) bookingGuard(a model.Actor, f *bookingFacts, b *model.Booking) (string, []any) {
	full := ` AND booked >= capacity`
	if b.Status == model.BookingConfirmed {
		full = "" // the placing statement's own booked < capacity
	}
	cond, cargs := scopeSQL(a.Scope())
	args := []any{f.status, f.limit, f.opens, f.closes, f.starts, f.courseStatus,
		b.ManagerID, b.EnterpriseID, b.PersonID}
	args = append(args, cargs...)
	args = append(args, b.ClassID, b.ManagerID, b.ClassID, b.EnterpriseID)
	return full + ` AND status = ? AND per_enterprise_limit = ? AND booking_opens_at = ? AND booking_closes_at = ? AND starts_at = ?
		AND (SELECT c.status FROM courses c WHERE c.id = classes.course_id) = ?
		AND EXISTS (SELECT 1 FROM managers m JOIN enterprises e ON e.id = m.enterprise_id
			WHERE m.id = ? AND m.enterprise_id = ? AND m.person_id = ? AND m.status = 'active' AND ` + cond + `)
		AND NOT EXISTS (SELECT 1 FROM bookings x WHERE x.class_id = ? AND x.manager_id = ? AND x.status <> 'cancelled')
		AND (per_enterprise_limit = 0 OR (SELECT COUNT(*) FROM bookings x WHERE x.class_id = ? AND x.enterprise_id = ? AND x.status <> 'cancelled') < per_enterprise_limit)`, args
}

// bookLocked books on PostgreSQL with the class held from the reading of
// the facts to the commit: two round trips, BEGIN with the lock and the
// facts, then the placing statement with COMMIT.
func (s *Store) bookLocked(ctx context.Context, pc *pgx.Conn, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	q, args := s.bookingRead(a, classID, managerID)
	var first pgx.Batch
	first.Queue("BEGIN")
	first.Queue(`SELECT id FROM classes WHERE id = $1 FOR UPDATE`, classID)
	first.Queue(s.dialect.Rebind(q), args...)
	br := pc.SendBatch(ctx, &first)
	var f bookingFacts
	_, err := br.Exec()
	if err == nil {
		_, err = br.Exec()
	}
	if err == nil {
		err = f.scan(br.QueryRow())
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, notFound(err)
	}
	b, existing, err := s.decide(&f, classID, managerID)
	if err != nil {
		return nil, err
	}
	var second pgx.Batch
	if existing != 0 {
		k := b.Class
		second.Queue(s.dialect.Rebind(`SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`), existing).QueryRow(func(r pgx.Row) error {
			b, err = scanBooking(r)
			return err
		})
		second.Queue("COMMIT")
		if err := pc.SendBatch(ctx, &second).Close(); err != nil {
			return nil, err
		}
		b.Class = k
		return b, nil
	}
	q, args, err = s.placeBooking(a, b)
	if err != nil {
		return nil, err
	}
	placed, err := s.placeAndCommit(ctx, pc, &second, q, args, b)
	if err != nil {
		return nil, err
	}
	if !placed {
		return nil, fmt.Errorf("book: class %d: no seat after all", classID)
	}
	return b, nil
}

// BookingAccess reads what the actor is to a booking and its class. It
// reads from the pool, so it is never called inside a write transaction.
func (s *Store) BookingAccess(ctx context.Context, a model.Actor, b *model.Booking, k *model.Class) model.Access {
	var region int64
	if sc := a.Scope(); sc.RegionID != 0 {
		region = s.EnterpriseRegion(ctx, b.EnterpriseID)
	}
	return a.BookingAccess(k, s.Teaches(ctx, a, k.CourseID), b.EnterpriseID, region)
}

// EnterpriseRegion returns the town of an enterprise, 0 if there is none.
func (s *Store) EnterpriseRegion(ctx context.Context, id int64) int64 {
	var region int64
	s.queryRow(ctx, `SELECT region_id FROM enterprises WHERE id = ?`, id).Scan(&region)
	return region
}

// Booking returns a booking its enterprise, staff over it or the class's
// runners may see, with its class.
func (s *Store) Booking(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	b, _, err := s.bookingAccess(ctx, a, id)
	return b, err
}

// bookingAccess reads a booking, its class and the actor's access to them;
// a booking the actor may not see is not found.
func (s *Store) bookingAccess(ctx context.Context, a model.Actor, id int64) (*model.Booking, model.Access, error) {
	b, err := scanBooking(s.queryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, id))
	if err != nil {
		return nil, model.Access{}, notFound(err)
	}
	k, err := s.class(ctx, b.ClassID)
	if err != nil {
		return nil, model.Access{}, err
	}
	ac := s.BookingAccess(ctx, a, b, k)
	if err := b.Visible(ac); err != nil {
		return nil, ac, err
	}
	b.Class = k
	return b, ac, nil
}

// CancelBooking cancels a booking or leaves the waitlist
// (model.Booking.Cancellable says who may, when). A freed seat goes to the
// first on the waitlist at once.
func (s *Store) CancelBooking(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	// Who the actor is to the booking (its enterprise, the class's town)
	// does not change; what may be cancelled is decided under the class's
	// lock, on the rows as they are then.
	b, ac, err := s.bookingAccess(ctx, a, id)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		b, k, err := s.lockedBooking(ctx, tx, b.ClassID, id)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := b.Cancellable(ac, k, now); err != nil {
			return err
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
	if b.Status == model.BookingConfirmed && b.Attendance != "" { // it counted as attended
		if err := tx.touch(ctx, byClass, []int64{b.ClassID}, "bookings"); err != nil {
			return err
		}
	}
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

// AcceptOffer confirms a seat offered from the waitlist before the offer
// runs out (model.Booking.OfferAcceptable).
func (s *Store) AcceptOffer(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	b, ac, err := s.bookingAccess(ctx, a, id)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx *Tx) error {
		b, _, err := s.lockedBooking(ctx, tx, b.ClassID, id)
		if err != nil {
			return err
		}
		now := s.Now()
		if err := b.OfferAcceptable(ac, now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET status = 'confirmed', offer_expires_at = NULL, updated_at = ? WHERE id = ?`, ms(now), id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "booking.accept", "booking", &id, model.Changes{"status": {Old: model.BookingOffered, New: model.BookingConfirmed}})
	})
	if err != nil {
		return nil, err
	}
	return s.Booking(ctx, a, id)
}

// ClassBookings lists a class's bookings: its runners and the bureau see
// all, an association the enterprises of its town, an enterprise its own.
// Confirmed first, then the waitlist in order.
func (s *Store) ClassBookings(ctx context.Context, a model.Actor, classID int64) ([]*model.Booking, error) {
	k, err := s.Class(ctx, a, classID)
	if err != nil {
		return nil, err
	}
	q := `SELECT ` + bookingColumns + bookingFrom + ` WHERE b.class_id = ? AND b.status <> 'cancelled'`
	args := []any{classID}
	if !s.ClassAccess(ctx, a, k).Runner {
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
	return s.bookingsOf(ctx, a, managerID, limit, false)
}

// bookingsOf lists the bookings in the actor's scope (of one manager when
// managerID is set), with their classes, newest class first; cancelled
// ones too when withCancelled (a calendar feed shows them as cancelled).
func (s *Store) bookingsOf(ctx context.Context, a model.Actor, managerID *int64, limit int, withCancelled bool) ([]*model.Booking, error) {
	sc := a.Scope()
	if sc.None() {
		return []*model.Booking{}, nil
	}
	cond, args := scopeSQL(sc)
	if !withCancelled {
		cond = `b.status <> 'cancelled' AND ` + cond
	}
	q := `SELECT ` + bookingColumns + `, ` + classColumns + bookingFrom + ` JOIN classes k ON k.id = b.class_id JOIN courses co ON co.id = k.course_id
		JOIN homes h ON h.id = k.home_id LEFT JOIN home_rooms rm ON rm.id = k.room_id WHERE ` + cond
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
		timeCol{&k.BookingOpensAt}, timeCol{&k.BookingClosesAt}, timeCol{&k.CancelDeadline}, &k.CreditHours, &k.Status, &k.CourseStatus, timeCol{&k.UpdatedAt})
	if b.Status == model.BookingWaitlisted {
		b.WaitlistPosition = &pos
	}
	k.SeatsLeft = k.Capacity - k.Confirmed
	b.Class = k
	return b, err
}
