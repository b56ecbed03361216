package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/envhome/envhome/internal/model"
)

// feedHash is how a calendar feed's secret is stored: like an API token,
// a leaked database holds no working feed address.
func feedHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

// NewCalendarFeed makes a new secret for a manager's calendar feed, for
// whoever may see the manager, and returns it (shown once). An earlier
// feed address of the manager stops working.
func (s *Store) NewCalendarFeed(ctx context.Context, a model.Actor, managerID int64) (string, error) {
	if _, err := s.Manager(ctx, a, managerID); err != nil {
		return "", err
	}
	secret := randomCode(20)
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO calendar_feeds (manager_id, token) VALUES (?, ?)
			ON CONFLICT (manager_id) DO UPDATE SET token = excluded.token`, managerID, feedHash(secret)); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "calendar.new", "manager", &managerID, nil)
	})
	return secret, err
}

// HasCalendarFeed tells whether a manager's calendar feed is on.
func (s *Store) HasCalendarFeed(ctx context.Context, a model.Actor, managerID int64) (bool, error) {
	if _, err := s.Manager(ctx, a, managerID); err != nil {
		return false, err
	}
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM calendar_feeds WHERE manager_id = ?`, managerID).Scan(&n)
	return n > 0, err
}

// EndCalendarFeed turns a manager's calendar feed off.
func (s *Store) EndCalendarFeed(ctx context.Context, a model.Actor, managerID int64) error {
	if _, err := s.Manager(ctx, a, managerID); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM calendar_feeds WHERE manager_id = ?`, managerID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "calendar.end", "manager", &managerID, nil)
	})
}

// CalendarBookings returns the bookings of the manager whose feed secret
// this is, cancelled ones included (a calendar shows them as cancelled).
// A feed ends with the manager: one who is no longer active has none.
func (s *Store) CalendarBookings(ctx context.Context, secret string) ([]*model.Booking, error) {
	if secret == "" || len(secret) > 64 {
		return nil, model.NotFound()
	}
	var managerID int64
	if err := s.queryRow(ctx, `SELECT f.manager_id FROM calendar_feeds f JOIN managers m ON m.id = f.manager_id
		WHERE f.token = ? AND m.status = 'active'`, feedHash(secret)).Scan(&managerID); err != nil {
		return nil, notFound(err)
	}
	return s.bookingsOf(ctx, model.SystemActor(), &managerID, 500, true)
}

// NewDutyFeed makes a new secret for an enterprise's compliance-calendar
// feed, for whoever may see the enterprise, and returns it (shown once);
// an earlier address stops working.
func (s *Store) NewDutyFeed(ctx context.Context, a model.Actor, eid int64) (string, error) {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return "", err
	}
	secret := randomCode(20)
	err := s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO duty_feeds (enterprise_id, token) VALUES (?, ?)
			ON CONFLICT (enterprise_id) DO UPDATE SET token = excluded.token`, eid, feedHash(secret)); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "duty_feed.new", "enterprise", &eid, nil)
	})
	return secret, err
}

// HasDutyFeed tells whether an enterprise's calendar feed is on.
func (s *Store) HasDutyFeed(ctx context.Context, a model.Actor, eid int64) (bool, error) {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return false, err
	}
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM duty_feeds WHERE enterprise_id = ?`, eid).Scan(&n)
	return n > 0, err
}

// EndDutyFeed turns an enterprise's calendar feed off.
func (s *Store) EndDutyFeed(ctx context.Context, a model.Actor, eid int64) error {
	if _, err := s.Enterprise(ctx, a, eid); err != nil {
		return err
	}
	return s.write(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM duty_feeds WHERE enterprise_id = ?`, eid); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "duty_feed.end", "enterprise", &eid, nil)
	})
}

// Duties are what an enterprise's calendar feed holds: its obligations,
// its scheduled inspections not done, and its open rectifications.
type Duties struct {
	Enterprise  *model.Enterprise
	Obligations []model.Obligation
	Occurrences []model.Occurrence
	Tasks       []*model.Task
}

// DutyFeed reads the duties of the enterprise whose feed secret this is;
// a closed enterprise has none.
func (s *Store) DutyFeed(ctx context.Context, secret string) (*Duties, error) {
	if secret == "" || len(secret) > 64 {
		return nil, model.NotFound()
	}
	var eid int64
	if err := s.queryRow(ctx, `SELECT f.enterprise_id FROM duty_feeds f JOIN enterprises e ON e.id = f.enterprise_id
		WHERE f.token = ? AND e.status = 'active'`, feedHash(secret)).Scan(&eid); err != nil {
		return nil, notFound(err)
	}
	a := model.SystemActor()
	d := &Duties{}
	var err error
	if d.Enterprise, err = s.Enterprise(ctx, a, eid); err != nil {
		return nil, err
	}
	if d.Obligations, err = s.Obligations(ctx, a, eid); err != nil {
		return nil, err
	}
	if d.Occurrences, err = s.Occurrences(ctx, a, OccurrenceFilter{EnterpriseID: eid,
		Statuses: []string{model.OccurrenceScheduled, model.OccurrenceInProgress, model.OccurrenceOverdue}}); err != nil {
		return nil, err
	}
	l, err := s.Tasks(ctx, a, model.TaskFilter{EnterpriseID: eid, Status: model.TaskOpen, Page: model.Page{Limit: 100}})
	if err != nil {
		return nil, err
	}
	d.Tasks = l.Items
	return d, nil
}
