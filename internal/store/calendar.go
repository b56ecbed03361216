package store

import (
	"context"

	"github.com/envhome/envhome/internal/model"
)

// CalendarToken returns (making it once) the secret of a manager's
// calendar feed, for whoever may see the manager.
func (s *Store) CalendarToken(ctx context.Context, a model.Actor, managerID int64) (string, error) {
	if _, err := s.Manager(ctx, a, managerID); err != nil {
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
