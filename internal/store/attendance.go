package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// Check-in opens an hour before a class starts and closes an hour after it
// ends; a rotating class code lasts one window and is accepted for one
// more, so a code scanned just before it changes still works.
const (
	checkInEarly   = time.Hour
	checkInLate    = time.Hour
	RotationWindow = 30 * time.Second
)

func (s *Store) checkinSecret(ctx context.Context, classID int64) (string, error) {
	var secret string
	err := s.queryRow(ctx, `SELECT checkin_secret FROM classes WHERE id = ?`, classID).Scan(&secret)
	return secret, notFound(err)
}

func rotationMAC(secret string, classID, window int64) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d:%d", classID, window)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(m.Sum(nil)[:10])
}

// RotatingCode returns the class's current self check-in code and when it
// changes; only the class's runners may show it.
func (s *Store) RotatingCode(ctx context.Context, a model.Actor, k *model.Class) (string, time.Time, error) {
	if !s.CanRunClass(ctx, a, k) {
		return "", time.Time{}, model.NotFound()
	}
	secret, err := s.checkinSecret(ctx, k.ID)
	if err != nil {
		return "", time.Time{}, err
	}
	now := s.Now()
	w := now.UnixMilli() / RotationWindow.Milliseconds()
	next := time.UnixMilli((w + 1) * RotationWindow.Milliseconds()).UTC()
	return strconv.FormatInt(w, 36) + "." + rotationMAC(secret, k.ID, w), next, nil
}

// validRotation checks a rotating code for a class at now.
func validRotation(secret string, classID int64, code string, now time.Time) bool {
	ws, mac, ok := strings.Cut(code, ".")
	if !ok {
		return false
	}
	w, err := strconv.ParseInt(ws, 36, 64)
	if err != nil {
		return false
	}
	cur := now.UnixMilli() / RotationWindow.Milliseconds()
	if w != cur && w != cur-1 {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(rotationMAC(secret, classID, w)))
}

// CheckIn records a scanned personal code at a class. A runner of the
// class scans; a code of another class, a cancelled or waitlisted booking,
// or outside the check-in hours is refused; scanning again changes nothing.
func (s *Store) CheckIn(ctx context.Context, a model.Actor, classID int64, code string) (*model.CheckIn, error) {
	k, err := s.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	if !s.CanRunClass(ctx, a, k) {
		return nil, model.NotFound()
	}
	code = strings.ToUpper(strings.TrimSpace(code))
	var id int64
	if err := s.queryRow(ctx, `SELECT id FROM bookings WHERE code = ?`, code).Scan(&id); err != nil {
		if err == sql.ErrNoRows {
			return nil, fieldError(model.ErrInvalid, "code", "err.field.code_unknown")
		}
		return nil, err
	}
	return s.checkInBooking(ctx, a, k, id)
}

// SelfCheckIn checks in a manager of the caller's enterprise who scanned
// the class's rotating code.
func (s *Store) SelfCheckIn(ctx context.Context, a model.Actor, classID, bookingID int64, rotating string) (*model.CheckIn, error) {
	k, err := s.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	b, err := s.Booking(ctx, a, bookingID)
	if err != nil {
		return nil, err
	}
	if !s.BookingAccess(ctx, a, b, k).Owner {
		return nil, model.NotFound()
	}
	secret, err := s.checkinSecret(ctx, classID)
	if err != nil {
		return nil, err
	}
	if !validRotation(secret, classID, strings.TrimSpace(rotating), s.Now()) {
		return nil, model.Errorf(model.ErrConflict, "err.checkin_code_expired")
	}
	return s.checkInBooking(ctx, a, k, bookingID)
}

func (s *Store) checkInBooking(ctx context.Context, a model.Actor, k *model.Class, bookingID int64) (*model.CheckIn, error) {
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return nil, err
	}
	var out *model.CheckIn
	err = s.write(ctx, func(tx *Tx) error {
		b, err := scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, bookingID))
		if err != nil {
			return notFound(err)
		}
		now := s.Now()
		switch {
		case b.ClassID != k.ID:
			return model.Errorf(model.ErrConflict, "err.checkin_wrong_class")
		case k.Status == model.ClassCancelled:
			return model.Errorf(model.ErrConflict, "err.class_cancelled")
		case b.Status != model.BookingConfirmed:
			return model.Errorf(model.ErrConflict, "err.checkin_not_confirmed")
		case b.CheckedInAt != nil:
			out = &model.CheckIn{Booking: b, Duplicate: true}
			return nil
		case now.Before(k.StartsAt.Add(-checkInEarly)) || now.After(k.EndsAt.Add(checkInLate)):
			return model.Errorf(model.ErrConflict, "err.checkin_closed")
		}
		att := model.AttendancePresent
		if now.After(k.StartsAt.Add(time.Duration(settings.LateMinutes) * time.Minute)) {
			att = model.AttendanceLate
		}
		res, err := tx.Exec(ctx, `UPDATE bookings SET attendance = ?, checked_in_at = ?, updated_at = ? WHERE id = ? AND checked_in_at IS NULL`,
			att, ms(now), ms(now), b.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			out = &model.CheckIn{Booking: b, Duplicate: true}
			return nil
		}
		b.Attendance, b.CheckedInAt = att, &now
		out = &model.CheckIn{Booking: b}
		if err := s.audit(ctx, tx, a, "booking.checkin", "booking", &b.ID, model.Changes{"attendance": {New: att}}); err != nil {
			return err
		}
		if k.Status == model.ClassCompleted {
			return s.syncCertificate(ctx, tx, b.ID)
		}
		return nil
	})
	return out, err
}

// SetAttendance records a runner's attendance mark for a confirmed booking.
func (s *Store) SetAttendance(ctx context.Context, a model.Actor, bookingID int64, att string) (*model.Booking, error) {
	b, err := s.Booking(ctx, a, bookingID)
	if err != nil {
		return nil, err
	}
	if !s.CanRunClass(ctx, a, b.Class) {
		return nil, model.NotFound()
	}
	if att != model.AttendancePresent && att != model.AttendanceLate && att != model.AttendanceExcused && att != model.AttendanceAbsent {
		return nil, fieldError(model.ErrInvalid, "attendance", "err.field.choice")
	}
	if b.Status != model.BookingConfirmed {
		return nil, model.Errorf(model.ErrConflict, "err.checkin_not_confirmed")
	}
	if b.Class.Status == model.ClassCancelled {
		return nil, model.Errorf(model.ErrConflict, "err.class_cancelled")
	}
	err = s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		if _, err := tx.Exec(ctx, `UPDATE bookings SET attendance = ?, checked_in_at = CASE WHEN ? IN ('present', 'late') THEN COALESCE(checked_in_at, ?) ELSE checked_in_at END,
			updated_at = ? WHERE id = ?`, att, att, now, now, bookingID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "booking.attendance", "booking", &bookingID, model.Changes{"attendance": {Old: b.Attendance, New: att}}); err != nil {
			return err
		}
		if b.Class.Status == model.ClassCompleted {
			return s.syncCertificate(ctx, tx, bookingID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Booking(ctx, a, bookingID)
}

// CompleteClass closes a class once it has started: unmarked seats become
// absent, the waitlist is closed, and every attendee gets a certificate
// (and so the class's credit hours).
func (s *Store) CompleteClass(ctx context.Context, a model.Actor, id int64) (*model.Class, error) {
	k, err := s.Class(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.CanRunClass(ctx, a, k) {
		return nil, model.NotFound()
	}
	if k.Status != model.ClassScheduled {
		return nil, model.Errorf(model.ErrConflict, "err.class_not_scheduled")
	}
	if s.Now().Before(k.StartsAt) {
		return nil, model.Errorf(model.ErrConflict, "err.class_not_started")
	}
	err = s.write(ctx, func(tx *Tx) error {
		if err := s.lockClass(ctx, tx, id); err != nil {
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
	return s.Class(ctx, id)
}

// syncCertificate issues the certificate of an attended booking of a
// completed class, or withdraws it when the attendance was corrected.
func (s *Store) syncCertificate(ctx context.Context, tx *Tx, bookingID int64) error {
	var att, person, enterprise, course, home string
	var personID, starts int64
	var hours float64
	err := tx.QueryRow(ctx, `SELECT b.attendance, b.person_id, p.name, e.name, co.title, h.name, k.starts_at, k.credit_hours
		FROM bookings b JOIN people p ON p.id = b.person_id JOIN enterprises e ON e.id = b.enterprise_id
		JOIN classes k ON k.id = b.class_id JOIN courses co ON co.id = k.course_id JOIN homes h ON h.id = k.home_id WHERE b.id = ?`, bookingID).
		Scan(&att, &personID, &person, &enterprise, &course, &home, &starts, &hours)
	if err != nil {
		return err
	}
	if !model.Attended(att) {
		_, err := tx.Exec(ctx, `DELETE FROM certificates WHERE booking_id = ?`, bookingID)
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO certificates (booking_id, code, person_id, person_name, enterprise_name, course_title, credit_hours, class_date, home_name, issued_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (booking_id) DO NOTHING`,
		bookingID, randomCode(10), personID, person, enterprise, course, hours, string(model.Today(time.UnixMilli(starts))), home, ms(s.Now()))
	return err
}

const certificateColumns = `id, booking_id, code, person_name, enterprise_name, course_title, credit_hours, class_date, home_name, issued_at`

func scanCertificate(r rowScanner) (*model.Certificate, error) {
	c := &model.Certificate{}
	err := r.Scan(&c.ID, &c.BookingID, &c.Code, &c.PersonName, &c.EnterpriseName, &c.CourseTitle, &c.CreditHours, &c.ClassDate, &c.HomeName, timeCol{&c.IssuedAt})
	return c, err
}

// CertificateByCode verifies a certificate: anyone with the code sees the
// certificate itself and nothing more.
func (s *Store) CertificateByCode(ctx context.Context, code string) (*model.Certificate, error) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if code == "" || len(code) > 32 {
		return nil, model.NotFound()
	}
	c, err := scanCertificate(s.queryRow(ctx, `SELECT `+certificateColumns+` FROM certificates WHERE code = ?`, code))
	return c, notFound(err)
}

// CertificateForBooking returns a booking's certificate to whoever may see
// the booking.
func (s *Store) CertificateForBooking(ctx context.Context, a model.Actor, bookingID int64) (*model.Certificate, error) {
	if _, err := s.Booking(ctx, a, bookingID); err != nil {
		return nil, err
	}
	c, err := scanCertificate(s.queryRow(ctx, `SELECT `+certificateColumns+` FROM certificates WHERE booking_id = ?`, bookingID))
	return c, notFound(err)
}

// ---- Credit hours ----

// creditedSQL sums a person's credited hours in a time range.
const creditedSQL = `SELECT b.person_id, SUM(k.credit_hours) AS hours FROM bookings b JOIN classes k ON k.id = b.class_id
	WHERE k.status = 'completed' AND b.status = 'confirmed' AND b.attendance IN ('present', 'late') AND k.starts_at >= ? AND k.starts_at < ?
	GROUP BY b.person_id`

// CreditHistory lists a manager's (the person's, across every enterprise
// they serve) attended classes in a year and the year's progress.
func (s *Store) CreditHistory(ctx context.Context, a model.Actor, managerID int64, year int) (*model.CreditProgress, []model.CreditRecord, error) {
	m, err := s.Manager(ctx, a.Scope(), managerID)
	if err != nil {
		return nil, nil, err
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return nil, nil, err
	}
	from, to := model.YearBounds(year)
	rows, err := s.query(ctx, `SELECT b.id, k.id, co.title, co.category, k.starts_at, k.credit_hours, b.attendance, e.name, COALESCE(c.code, '')
		FROM bookings b JOIN classes k ON k.id = b.class_id JOIN courses co ON co.id = k.course_id JOIN enterprises e ON e.id = b.enterprise_id
		LEFT JOIN certificates c ON c.booking_id = b.id
		WHERE b.person_id = ? AND b.status = 'confirmed' AND k.status = 'completed' AND k.starts_at >= ? AND k.starts_at < ?
		ORDER BY k.starts_at DESC`, m.PersonID, ms(from), ms(to))
	recs, err := scanAll(rows, err, func(r *sql.Rows) (model.CreditRecord, error) {
		var c model.CreditRecord
		err := r.Scan(&c.BookingID, &c.ClassID, &c.CourseTitle, &c.Category, timeCol{&c.StartsAt}, &c.Hours, &c.Attendance, &c.EnterpriseName, &c.CertificateCode)
		if !model.Attended(c.Attendance) {
			c.Hours = 0
		}
		return c, err
	})
	if err != nil {
		return nil, nil, err
	}
	p := &model.CreditProgress{ManagerID: m.ID, PersonID: m.PersonID, Name: m.Name, EnterpriseID: m.EnterpriseID, EnterpriseName: m.EnterpriseName,
		Year: year, Required: settings.RequiredHours}
	for _, r := range recs {
		p.Hours += r.Hours
	}
	if recs == nil {
		recs = []model.CreditRecord{}
	}
	return p, recs, nil
}

// CreditProgressList lists active managers in the actor's scope with their
// hours in a year; behind keeps those short of the requirement. Paged by
// manager id.
func (s *Store) CreditProgressList(ctx context.Context, a model.Actor, year int, behind bool, regionID *int64, p model.Page) (model.List[model.CreditProgress], error) {
	sc := a.Scope()
	if sc.None() {
		return model.List[model.CreditProgress]{Items: []model.CreditProgress{}}, nil
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return model.List[model.CreditProgress]{}, err
	}
	from, to := model.YearBounds(year)
	cond, cargs := scopeSQL(sc)
	q := `SELECT m.id, m.person_id, pe.name, e.id, e.name, r.name, COALESCE(x.hours, 0) FROM managers m
		JOIN people pe ON pe.id = m.person_id JOIN enterprises e ON e.id = m.enterprise_id JOIN regions r ON r.id = e.region_id
		LEFT JOIN (` + creditedSQL + `) x ON x.person_id = m.person_id
		WHERE m.status = 'active' AND ` + cond
	args := append([]any{ms(from), ms(to)}, cargs...)
	if regionID != nil {
		q += ` AND e.region_id = ?`
		args = append(args, *regionID)
	}
	if behind {
		q += ` AND COALESCE(x.hours, 0) < ?`
		args = append(args, settings.RequiredHours)
	}
	if p.After > 0 {
		q += ` AND m.id > ?`
		args = append(args, p.After)
	}
	q += ` ORDER BY m.id LIMIT ?`
	args = append(args, p.Limit+1)
	rows, err := s.query(ctx, q, args...)
	list, err := scanAll(rows, err, func(r *sql.Rows) (model.CreditProgress, error) {
		c := model.CreditProgress{Year: year, Required: settings.RequiredHours}
		err := r.Scan(&c.ManagerID, &c.PersonID, &c.Name, &c.EnterpriseID, &c.EnterpriseName, &c.RegionName, &c.Hours)
		return c, err
	})
	if err != nil {
		return model.List[model.CreditProgress]{}, err
	}
	// Ascending ids: the cursor is the last id, read as "after".
	return model.PageOf(list, p.Limit, func(c model.CreditProgress) int64 { return c.ManagerID }), nil
}

// ---- Feedback ----

// GiveFeedback stores (or replaces) an attendee's rating once the class
// has ended; the booking's enterprise gives it.
func (s *Store) GiveFeedback(ctx context.Context, a model.Actor, bookingID int64, f model.Feedback) (*model.Feedback, error) {
	if err := f.Validate(); err != nil {
		return nil, err
	}
	b, err := s.Booking(ctx, a, bookingID)
	if err != nil {
		return nil, err
	}
	if !s.BookingAccess(ctx, a, b, b.Class).Owner {
		return nil, model.NotFound()
	}
	if !model.Attended(b.Attendance) || b.Status != model.BookingConfirmed {
		return nil, model.Errorf(model.ErrConflict, "err.feedback_not_attended")
	}
	if s.Now().Before(b.Class.EndsAt) {
		return nil, model.Errorf(model.ErrConflict, "err.feedback_too_early")
	}
	f.BookingID, f.ClassID, f.CreatedAt = bookingID, b.ClassID, s.Now()
	err = s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO feedback (booking_id, class_id, rating, comment, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (booking_id) DO UPDATE SET rating = excluded.rating, comment = excluded.comment, created_at = excluded.created_at`,
			bookingID, b.ClassID, f.Rating, f.Comment, ms(f.CreatedAt)); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "feedback.give", "booking", &bookingID, model.Changes{"rating": {New: f.Rating}})
	})
	return &f, err
}

// ClassFeedback summarises a class's ratings for its runners.
func (s *Store) ClassFeedback(ctx context.Context, a model.Actor, classID int64) (*model.FeedbackSummary, error) {
	k, err := s.Class(ctx, classID)
	if err != nil {
		return nil, err
	}
	if !s.CanRunClass(ctx, a, k) {
		return nil, model.NotFound()
	}
	rows, err := s.query(ctx, `SELECT f.booking_id, f.class_id, f.rating, f.comment, f.created_at, p.name FROM feedback f
		JOIN bookings b ON b.id = f.booking_id JOIN people p ON p.id = b.person_id WHERE f.class_id = ? ORDER BY f.created_at DESC`, classID)
	fs, err := scanAll(rows, err, func(r *sql.Rows) (model.Feedback, error) {
		var f model.Feedback
		err := r.Scan(&f.BookingID, &f.ClassID, &f.Rating, &f.Comment, timeCol{&f.CreatedAt}, &f.ManagerName)
		return f, err
	})
	if err != nil {
		return nil, err
	}
	sum := &model.FeedbackSummary{Comments: []model.Feedback{}}
	total := 0
	for _, f := range fs {
		total += f.Rating
		sum.Comments = append(sum.Comments, f)
	}
	sum.Count = len(fs)
	if sum.Count > 0 {
		sum.Average = float64(total) / float64(sum.Count)
	}
	return sum, nil
}

// ---- Calendar ----

// CalendarToken returns (making it once) the secret of a manager's
// calendar feed, for whoever may see the manager.
func (s *Store) CalendarToken(ctx context.Context, a model.Actor, managerID int64) (string, error) {
	if _, err := s.Manager(ctx, a.Scope(), managerID); err != nil {
		return "", err
	}
	var tok string
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO calendar_feeds (manager_id, token) VALUES (?, ?) ON CONFLICT (manager_id) DO NOTHING`, managerID, randomCode(15)); err != nil {
			return err
		}
		return tx.QueryRow(ctx, `SELECT token FROM calendar_feeds WHERE manager_id = ?`, managerID).Scan(&tok)
	})
	return tok, err
}

// CalendarBookings returns the live bookings of the manager whose feed
// token this is.
func (s *Store) CalendarBookings(ctx context.Context, token string) ([]*model.Booking, error) {
	var managerID int64
	if err := s.queryRow(ctx, `SELECT manager_id FROM calendar_feeds WHERE token = ?`, token).Scan(&managerID); err != nil {
		return nil, notFound(err)
	}
	return s.EnterpriseBookings(ctx, model.SystemActor(), &managerID, 500)
}
