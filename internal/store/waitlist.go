package store

import (
	"context"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
)

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
		if err := s.notifyBooking(ctx, tx, bid, kind, fmt.Sprint(ms(now))); err != nil {
			return err
		}
	}
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

// MoveInWaitlist puts a waitlisted booking at a new position (the bureau
// only, with a reason that goes into the audit log); the others close up.
func (s *Store) MoveInWaitlist(ctx context.Context, a model.Actor, id int64, to int, reason string) (*model.Booking, error) {
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
		if err := (&model.Booking{Status: status}).Movable(a); err != nil {
			return err
		}
		if len([]rune(reason)) < 2 {
			return fieldError(model.ErrInvalid, "reason", "err.field.reason_required")
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
