package store

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/base32"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// RotationWindow is how long a rotating class code lasts; it is accepted
// for one more window, so a code scanned just before it changes still works.
const RotationWindow = 30 * time.Second

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
	if !s.ClassAccess(ctx, a, k).Runner {
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
	k, err := s.Class(ctx, a, classID)
	if err != nil {
		return nil, err
	}
	if !s.ClassAccess(ctx, a, k).Runner {
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
	k, err := s.Class(ctx, a, classID)
	if err != nil {
		return nil, err
	}
	_, ac, err := s.bookingAccess(ctx, a, bookingID)
	if err != nil {
		return nil, err
	}
	if !ac.Owner {
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
		if k, err = s.classTx(ctx, tx, k.ID); err != nil {
			return err
		}
		now := s.Now()
		if err := b.CheckInable(k, now); err != nil {
			return err
		}
		if b.CheckedInAt != nil {
			out = &model.CheckIn{Booking: b, Duplicate: true}
			return nil
		}
		att := model.AttendancePresent
		if now.After(k.StartsAt.Add(time.Duration(settings.LateMinutes) * time.Minute)) {
			att = model.AttendanceLate
		}
		if err := s.touchAttendance(ctx, tx, b); err != nil {
			return err
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
		return s.audit(ctx, tx, a, "booking.checkin", "booking", &b.ID, model.Changes{"attendance": {New: att}})
	})
	return out, err
}

// SetAttendance records a runner's attendance mark for a confirmed booking
// (model.Booking.AttendanceMarkable).
func (s *Store) SetAttendance(ctx context.Context, a model.Actor, bookingID int64, att string) (*model.Booking, error) {
	_, ac, err := s.bookingAccess(ctx, a, bookingID)
	if err != nil {
		return nil, err
	}
	if !ac.Runner {
		return nil, model.NotFound()
	}
	if !slices.Contains(model.AttendanceStatuses, att) {
		return nil, fieldError(model.ErrInvalid, "attendance", "err.field.choice")
	}
	err = s.write(ctx, func(tx *Tx) error {
		b, err := scanBooking(tx.QueryRow(ctx, `SELECT `+bookingColumns+bookingFrom+` WHERE b.id = ?`, bookingID))
		if err != nil {
			return notFound(err)
		}
		k, err := s.classTx(ctx, tx, b.ClassID)
		if err != nil {
			return err
		}
		if err := b.AttendanceMarkable(ac, k); err != nil {
			return err
		}
		now := ms(s.Now())
		if err := s.touchAttendance(ctx, tx, b); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE bookings SET attendance = ?, checked_in_at = CASE WHEN ? IN ('present', 'late') THEN COALESCE(checked_in_at, ?) ELSE checked_in_at END,
			updated_at = ? WHERE id = ?`, att, att, now, now, bookingID); err != nil {
			return err
		}
		if err := s.audit(ctx, tx, a, "booking.attendance", "booking", &bookingID, model.Changes{"attendance": {Old: b.Attendance, New: att}}); err != nil {
			return err
		}
		if k.Status == model.ClassCompleted {
			return s.syncCertificate(ctx, tx, bookingID)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return s.Booking(ctx, a, bookingID)
}

// touchAttendance names the figures a booking's attendance feeds: its
// class's attendance and, once the class is completed, its person's
// hours.
func (s *Store) touchAttendance(ctx context.Context, tx *Tx, b *model.Booking) error {
	if err := tx.touch(ctx, byClass, []int64{b.ClassID}, "bookings"); err != nil {
		return err
	}
	return tx.touch(ctx, byPerson, []int64{b.PersonID}, "managers")
}
