package store

import (
	"context"
	"database/sql"

	"github.com/envhome/envhome/internal/model"
)

// GiveFeedback stores (or replaces) an attendee's rating once the class
// has ended; the booking's enterprise gives it.
func (s *Store) GiveFeedback(ctx context.Context, a model.Actor, bookingID int64, f model.Feedback) (*model.Feedback, error) {
	b, ac, err := s.bookingAccess(ctx, a, bookingID)
	if err != nil {
		return nil, err
	}
	if err := b.FeedbackAllowed(ac, b.Class, s.Now()); err != nil {
		return nil, err
	}
	if err := f.Validate(); err != nil {
		return nil, err
	}
	f.BookingID, f.ClassID, f.CreatedAt = bookingID, b.ClassID, s.Now()
	err = s.write(ctx, func(tx *Tx) error {
		if err := tx.touch(ctx, byClass, []int64{b.ClassID}, "feedback"); err != nil {
			return err
		}
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
	k, err := s.Class(ctx, a, classID)
	if err != nil {
		return nil, err
	}
	if !s.ClassAccess(ctx, a, k).Runner {
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
