package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// notifyBooking tells every account of a booking's enterprise about it, in
// the caller's transaction; occasion tells one sending of the same kind
// for the booking from another (each is made once).
func (s *Store) notifyBooking(ctx context.Context, tx *Tx, bookingID int64, kind model.NoticeKind, occasion string) error {
	var enterpriseID int64
	var course, manager, home string
	var starts int64
	err := tx.QueryRow(ctx, `SELECT b.enterprise_id, co.title, p.name, h.name, k.starts_at FROM bookings b
		JOIN classes k ON k.id = b.class_id JOIN courses co ON co.id = k.course_id JOIN people p ON p.id = b.person_id
		JOIN homes h ON h.id = k.home_id WHERE b.id = ?`, bookingID).Scan(&enterpriseID, &course, &manager, &home, &starts)
	if err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return s.Notice(ctx, tx, model.Notice{Kind: kind, Link: fmt.Sprintf("/bookings/%d", bookingID),
		Key: fmt.Sprintf("%s:b%d:%s", kind.Name, bookingID, occasion),
		Args: map[string]string{"course": course, "manager": manager, "home": home,
			"starts": time.UnixMilli(starts).In(model.ChinaTime).Format("2006-01-02 15:04")}},
		EnterpriseAccounts(enterpriseID))
}

// Audience is who a notice goes to: a query for active accounts' id,
// email and webhook address.
type Audience struct {
	where string
	args  []any
}

// EnterpriseAccounts are the accounts of one enterprise.
func EnterpriseAccounts(enterpriseID int64) Audience {
	return Audience{`enterprise_id = ?`, []any{enterpriseID}}
}

// RegionStaff are the accounts of a town's association.
func RegionStaff(regionID int64) Audience {
	return Audience{`role = 'association' AND region_id = ?`, []any{regionID}}
}

// Bureau are the bureau's accounts.
func Bureau() Audience { return Audience{`role = 'admin'`, nil} }

// Account is one account.
func Account(userID int64) Audience { return Audience{`id = ?`, []any{userID}} }

// Notice puts a notice in the notification centre of every account of the
// audience, in the caller's transaction, and queues its email and webhook
// copies for the accounts that gave an address. The notice's key makes it
// exist once per account however often this runs. Any domain sends its
// notices this way; the kind must be registered in model.NoticeKinds.
func (s *Store) Notice(ctx context.Context, tx *Tx, n model.Notice, to Audience) error {
	if _, ok := model.LookupNoticeKind(n.Kind.Name); !ok {
		return fmt.Errorf("notice kind %q is not registered in model.NoticeKinds", n.Kind.Name)
	}
	for _, a := range n.Kind.Args {
		if _, ok := n.Args[a]; !ok {
			return fmt.Errorf("notice %s: argument %q missing", n.Kind.Name, a)
		}
	}
	args, err := json.Marshal(n.Args)
	if err != nil {
		return err
	}
	type account struct {
		id             int64
		email, webhook string
	}
	rows, err := tx.Query(ctx, `SELECT id, email, webhook_url FROM users WHERE `+to.where+` AND disabled_at IS NULL ORDER BY id`, to.args...)
	if err != nil {
		return err
	}
	var accounts []account
	for rows.Next() {
		var u account
		if err := rows.Scan(&u.id, &u.email, &u.webhook); err != nil {
			rows.Close()
			return err
		}
		accounts = append(accounts, u)
	}
	rows.Close()
	now := ms(s.Now())
	for _, u := range accounts {
		var nid int64
		err := tx.QueryRow(ctx, `INSERT INTO notifications (user_id, kind, args, link, dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`, u.id, n.Kind.Name, string(args), n.Link, fmt.Sprintf("%s:u%d", n.Key, u.id), now).Scan(&nid)
		if err == sql.ErrNoRows {
			continue // made before: never twice
		}
		if err != nil {
			return err
		}
		for ch, target := range map[string]string{"email": u.email, "webhook": u.webhook} {
			if target == "" {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO deliveries (notification_id, channel, target, next_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (notification_id, channel) DO NOTHING`, nid, ch, target, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// NoticeMany is Notice for an audience of any size, set-based: users is a
// SELECT of user ids (with its args), and each account's copy is keyed
// n.Key + ":u" + its id, so a rerun makes none twice. Email and webhook
// copies are queued for the accounts that gave an address. It returns how
// many notices it made.
func (s *Store) NoticeMany(ctx context.Context, tx *Tx, n model.Notice, users string, args ...any) (int, error) {
	if _, ok := model.LookupNoticeKind(n.Kind.Name); !ok {
		return 0, fmt.Errorf("notice kind %q is not registered in model.NoticeKinds", n.Kind.Name)
	}
	for _, a := range n.Kind.Args {
		if _, ok := n.Args[a]; !ok {
			return 0, fmt.Errorf("notice %s: argument %q missing", n.Kind.Name, a)
		}
	}
	nargs, err := json.Marshal(n.Args)
	if err != nil {
		return 0, err
	}
	now := ms(s.Now())
	prefix := n.Key + ":u"
	res, err := tx.Exec(ctx, `INSERT INTO notifications (user_id, kind, args, link, dedupe_key, created_at)
		SELECT x.id, ?, ?, ?, ? || CAST(x.id AS TEXT), ? FROM (`+users+`) x
		WHERE NOT EXISTS (SELECT 1 FROM notifications o WHERE o.dedupe_key = ? || CAST(x.id AS TEXT))`,
		append(append([]any{n.Kind.Name, string(nargs), n.Link, prefix, now}, args...), prefix)...)
	if err != nil {
		return 0, err
	}
	made, _ := res.RowsAffected()
	for _, ch := range []struct{ name, col string }{{"email", "email"}, {"webhook", "webhook_url"}} {
		if _, err := tx.Exec(ctx, `INSERT INTO deliveries (notification_id, channel, target, next_at)
			SELECT nt.id, ?, u.`+ch.col+`, ? FROM (`+users+`) x JOIN users u ON u.id = x.id
			JOIN notifications nt ON nt.dedupe_key = ? || CAST(u.id AS TEXT)
			WHERE u.`+ch.col+` <> '' AND u.disabled_at IS NULL AND nt.created_at = ?
			ON CONFLICT (notification_id, channel) DO NOTHING`, append(append([]any{ch.name, now}, args...), prefix, now)...); err != nil {
			return 0, err
		}
	}
	return int(made), nil
}

// QueueReminders makes the day-before reminder for every confirmed booking
// of a class starting within the next 24 hours. Any instance may run it
// any number of times: each reminder is made once.
func (s *Store) QueueReminders(ctx context.Context) (int, error) {
	now := s.Now()
	rows, err := s.query(ctx, `SELECT b.id FROM bookings b JOIN classes k ON k.id = b.class_id
		WHERE k.status = 'scheduled' AND k.starts_at > ? AND k.starts_at <= ? AND b.status = 'confirmed'
		AND b.reminded_at IS NULL
		ORDER BY b.id LIMIT 1000`, ms(now), ms(now.Add(24*time.Hour)))
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	if len(ids) == 0 {
		return 0, rows.Err()
	}
	err = s.write(ctx, func(tx *Tx) error {
		for _, id := range ids {
			if err := s.notifyBooking(ctx, tx, id, model.NoticeReminder, "day_before"); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE bookings SET reminded_at = ? WHERE id = ?`, ms(now), id); err != nil {
				return err
			}
		}
		return nil
	})
	return len(ids), err
}

const notificationColumns = `id, kind, args, link, created_at, read_at`

// Notifications lists a user's notices, newest first.
func (s *Store) Notifications(ctx context.Context, userID int64, p model.Page) (model.List[*model.Notification], error) {
	q := `SELECT ` + notificationColumns + ` FROM notifications WHERE user_id = ?`
	args := []any{userID}
	if p.After > 0 {
		q += ` AND id < ?`
		args = append(args, p.After)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, p.Limit+1)
	rows, err := s.query(ctx, q, args...)
	ns, err := scanAll(rows, err, scanNotification)
	if err != nil {
		return model.List[*model.Notification]{}, err
	}
	return model.PageOf(ns, p.Limit, func(n *model.Notification) int64 { return n.ID }), nil
}

func scanNotification(r *sql.Rows) (*model.Notification, error) {
	n := &model.Notification{}
	var args string
	err := r.Scan(&n.ID, &n.Kind, &args, &n.Link, timeCol{&n.CreatedAt}, nullTimeCol{&n.ReadAt})
	json.Unmarshal([]byte(args), &n.Args)
	return n, err
}

// UnreadNotifications counts a user's unread notices (for the navigation).
func (s *Store) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	return n, err
}

// MarkNotificationsRead marks one notice (id > 0) or all of a user's as read.
func (s *Store) MarkNotificationsRead(ctx context.Context, userID, id int64) error {
	q := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`
	args := []any{ms(s.Now()), userID}
	if id > 0 {
		var owner int64
		if err := s.queryRow(ctx, `SELECT user_id FROM notifications WHERE id = ?`, id).Scan(&owner); err != nil || owner != userID {
			return model.NotFound()
		}
		q += ` AND id = ?`
		args = append(args, id)
	}
	_, err := s.exec(ctx, q, args...)
	return err
}

// ClaimDelivery leases the oldest due outgoing copy of a notice, with the
// notice and its reader's language.
func (s *Store) ClaimDelivery(ctx context.Context, lease time.Duration) (*model.Delivery, error) {
	var d *model.Delivery
	err := s.write(ctx, func(tx *Tx) error {
		now := s.Now()
		var id int64
		err := tx.QueryRow(ctx, `UPDATE deliveries SET lease_until = ?, attempts = attempts + 1
			WHERE id = (SELECT id FROM deliveries WHERE status = 'pending' AND next_at <= ? AND lease_until < ? ORDER BY id LIMIT 1`+s.dialect.skipLocked()+`)
			RETURNING id`, ms(now.Add(lease)), ms(now), ms(now)).Scan(&id)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		d = &model.Delivery{ID: id}
		var args string
		defer func() { json.Unmarshal([]byte(args), &d.Notification.Args) }()
		return tx.QueryRow(ctx, `SELECT d.notification_id, d.channel, d.target, d.attempts, n.kind, n.args, n.link, n.created_at, u.language
			FROM deliveries d JOIN notifications n ON n.id = d.notification_id JOIN users u ON u.id = n.user_id WHERE d.id = ?`, id).
			Scan(&d.NotificationID, &d.Channel, &d.Target, &d.Attempts, &d.Notification.Kind, &args, &d.Notification.Link,
				timeCol{&d.Notification.CreatedAt}, &d.Language)
	})
	if err != nil || d == nil {
		return nil, err
	}
	d.Notification.ID = d.NotificationID
	return d, nil
}

// FinishDelivery records a delivery's outcome: sent, retried later, or
// given up (failed) after the last attempt.
func (s *Store) FinishDelivery(ctx context.Context, id int64, sendErr error, retryAt *time.Time) error {
	now := ms(s.Now())
	switch {
	case sendErr == nil:
		_, err := s.exec(ctx, `UPDATE deliveries SET status = 'sent', sent_at = ?, lease_until = 0, error = '' WHERE id = ?`, now, id)
		return err
	case retryAt != nil:
		_, err := s.exec(ctx, `UPDATE deliveries SET next_at = ?, lease_until = 0, error = ? WHERE id = ?`, ms(*retryAt), sendErr.Error(), id)
		return err
	default:
		_, err := s.exec(ctx, `UPDATE deliveries SET status = 'failed', lease_until = 0, error = ? WHERE id = ?`, sendErr.Error(), id)
		return err
	}
}
