package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/envhome/envhome/internal/model"
)

// audienceSQL is the FROM and WHERE that select the accounts an audience
// matches (alias u, their enterprise e); an association's announcements
// reach its own town only.
func audienceSQL(a model.Audience, town *int64) (string, []any) {
	q := ` FROM users u LEFT JOIN enterprises e ON e.id = u.enterprise_id WHERE u.disabled_at IS NULL AND u.role <> 'admin'`
	var args []any
	in := func(col string, n int) string { return col + ` IN (?` + strings.Repeat(`, ?`, n-1) + `)` }
	if len(a.Roles) > 0 {
		q += ` AND ` + in(`u.role`, len(a.Roles))
		for _, r := range a.Roles {
			args = append(args, string(r))
		}
	}
	if town != nil {
		q += ` AND COALESCE(e.region_id, u.region_id) = ?`
		args = append(args, *town)
	}
	if len(a.RegionIDs) > 0 {
		q += ` AND ` + in(`COALESCE(e.region_id, u.region_id)`, len(a.RegionIDs))
		for _, r := range a.RegionIDs {
			args = append(args, r)
		}
	}
	if a.EnterpriseOnly() {
		q += ` AND e.status = 'active'`
	}
	if len(a.IndustryPrefixes) > 0 {
		var or []string
		for _, p := range a.IndustryPrefixes {
			or = append(or, `(e.industry_code >= ? AND e.industry_code < ?)`)
			args = append(args, p, p+"~")
		}
		q += ` AND (` + strings.Join(or, ` OR `) + `)`
	}
	if len(a.KeyLists) > 0 {
		c, v := hasFact("e.id", factKeyList, a.KeyLists)
		q += ` AND ` + c
		args = append(args, v...)
	}
	if len(a.PermitClasses) > 0 {
		q += ` AND ` + in(`e.permit_class`, len(a.PermitClasses))
		for _, c := range a.PermitClasses {
			args = append(args, c)
		}
	}
	return q, args
}

// publisherTown is the town an association publishes to; nil for the bureau.
func publisherTown(a model.Actor) *int64 {
	if a.User != nil && a.User.Role == model.RoleAssociation {
		return a.User.RegionID
	}
	return nil
}

// AnnouncementReach counts the accounts and enterprises an audience
// matches now, before publishing.
func (s *Store) AnnouncementReach(ctx context.Context, a model.Actor, au model.Audience) (model.Reach, error) {
	var r model.Reach
	if !a.MayPublish() {
		return r, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	v := model.Validation{}
	au.Validate(v)
	if err := v.Err(); err != nil {
		return r, err
	}
	from, args := audienceSQL(au, publisherTown(a))
	err := s.queryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT u.enterprise_id)`+from, args...).Scan(&r.Accounts, &r.Enterprises)
	return r, err
}

// PublishAnnouncement publishes to every account the audience matches, in
// one transaction: a recipient row and an in-app notice each (email and
// webhook copies for those who gave an address). An audience that matches
// nobody is refused, naming it.
func (s *Store) PublishAnnouncement(ctx context.Context, a model.Actor, in model.AnnouncementInput) (*model.Announcement, error) {
	if !a.MayPublish() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	if err := checkRefs(ctx, s.reader(), "article_ids", in.Cites); err != nil {
		return nil, err
	}
	town := publisherTown(a)
	if in.Cites == nil {
		in.Cites = []model.ArticleRef{}
	}
	aud, _ := json.Marshal(in.Audience)
	cites, _ := json.Marshal(in.Cites)
	publisher := a.User.DisplayName
	if publisher == "" {
		publisher = a.User.Username
	}
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		now := ms(s.Now())
		if err := tx.QueryRow(ctx, `INSERT INTO announcements (kind, title, body, audience, cites, publisher, region_id, published_by, published_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, in.Kind, in.Title, in.Body, string(aud), string(cites), publisher, town,
			a.User.ID, now).Scan(&id); err != nil {
			return err
		}
		from, args := audienceSQL(in.Audience, town)
		res, err := tx.Exec(ctx, `INSERT INTO announcement_recipients (announcement_id, user_id, enterprise_id, region_id)
			SELECT ?, u.id, u.enterprise_id, COALESCE(e.region_id, u.region_id)`+from, append([]any{id}, args...)...)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if n == 0 {
			return fieldError(model.ErrInvalid, "audience", "err.announcement.nobody")
		}
		if _, err := tx.Exec(ctx, `UPDATE announcements SET recipients = ? WHERE id = ?`, n, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO announcement_receipts (announcement_id, unit, enterprise_id, region_id, name, accounts)
			SELECT r.announcement_id, `+receiptUnit+`, r.enterprise_id, MIN(r.region_id), MIN(COALESCE(e.name, u.display_name, u.username)), COUNT(*)
			FROM announcement_recipients r JOIN users u ON u.id = r.user_id LEFT JOIN enterprises e ON e.id = r.enterprise_id
			WHERE r.announcement_id = ? GROUP BY r.announcement_id, `+receiptUnit+`, r.enterprise_id`, id); err != nil {
			return err
		}
		if err := tx.touchNew(ctx, byAnnouncement, []int64{id}, "notices"); err != nil {
			return err
		}
		if _, err := s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeAnnouncement, Link: fmt.Sprintf("/announcements/%d", id),
			Key: fmt.Sprintf("announcement:%d", id), Args: map[string]string{"title": in.Title, "publisher": publisher}},
			`SELECT user_id AS id FROM announcement_recipients WHERE announcement_id = ?`, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "announcement.publish", "announcement", &id, model.Changes{"title": {New: in.Title}, "recipients": {New: n}})
	})
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	return s.Announcement(ctx, a, id)
}

const announcementColumns = `a.id, a.kind, a.title, a.body, a.audience, a.cites, a.publisher, a.region_id, a.published_at, a.recipients, a.reads`

func scanAnnouncement(r rowScanner, extra ...any) (*model.Announcement, error) {
	x := &model.Announcement{}
	var aud, cites string
	if err := r.Scan(append([]any{&x.ID, &x.Kind, &x.Title, &x.Body, &aud, &cites, &x.Publisher, &x.RegionID, timeCol{&x.PublishedAt},
		&x.Recipients, &x.Read}, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(aud), &x.Audience); err != nil {
		return nil, err
	}
	return x, json.Unmarshal([]byte(cites), &x.Cites)
}

// announcementScope is who sees an announcement besides its recipients:
// the bureau all, an association its own and those that reached its town.
func announcementScope(a model.Actor) (string, []any) {
	switch {
	case a.IsAdmin():
		return `1=1`, nil
	case a.User != nil && a.User.Role == model.RoleAssociation && a.User.RegionID != nil:
		return `(a.region_id = ? OR EXISTS (SELECT 1 FROM announcement_recipients t WHERE t.announcement_id = a.id AND t.region_id = ?))`,
			[]any{*a.User.RegionID, *a.User.RegionID}
	}
	return `1=0`, nil
}

// Announcement reads an announcement its recipient or a publisher in
// scope may see; a recipient's opening it marks it read (and its notice).
func (s *Store) Announcement(ctx context.Context, a model.Actor, id int64) (*model.Announcement, error) {
	if a.User == nil {
		return nil, model.NotFound()
	}
	cond, args := announcementScope(a)
	var read sql.NullInt64
	var mine int
	x, err := scanAnnouncement(s.queryRow(ctx, `SELECT `+announcementColumns+`, r.read_at, CASE WHEN r.user_id IS NULL THEN 0 ELSE 1 END
		FROM announcements a LEFT JOIN announcement_recipients r ON r.announcement_id = a.id AND r.user_id = ?
		WHERE a.id = ? AND (r.user_id IS NOT NULL OR `+cond+`)`, append([]any{a.User.ID, id}, args...)...), &read, &mine)
	if err != nil {
		return nil, notFound(err)
	}
	if mine == 1 && !read.Valid {
		now := s.Now()
		err := s.write(ctx, func(tx *Tx) error {
			// An enterprise's first read counts in its town's notices read.
			if eid := a.User.EnterpriseID; eid != nil {
				if err := tx.touch(ctx, byEnterprise, []int64{*eid}, "notices"); err != nil {
					return err
				}
			}
			res, err := tx.Exec(ctx, `UPDATE announcement_recipients SET read_at = ? WHERE announcement_id = ? AND user_id = ? AND read_at IS NULL`,
				ms(now), id, a.User.ID)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 1 {
				if _, err := tx.Exec(ctx, `UPDATE announcements SET reads = reads + 1 WHERE id = ?`, id); err != nil {
					return err
				}
				if _, err := tx.Exec(ctx, `UPDATE announcement_receipts SET reads = reads + 1, first_read_at = COALESCE(first_read_at, ?)
					WHERE announcement_id = ? AND unit = (SELECT `+receiptUnit+` FROM announcement_recipients r WHERE r.announcement_id = ? AND r.user_id = ?)`,
					ms(now), id, id, a.User.ID); err != nil {
					return err
				}
			}
			_, err = tx.Exec(ctx, `UPDATE notifications SET read_at = ? WHERE dedupe_key = ? AND read_at IS NULL`,
				ms(now), fmt.Sprintf("announcement:%d:u%d", id, a.User.ID))
			return err
		})
		if err != nil {
			return nil, err
		}
		x.ReadAt, x.Read = &now, x.Read+1
	} else if read.Valid {
		t := timeOf(read.Int64)
		x.ReadAt = &t
	}
	return x, nil
}

// Announcements lists an account's announcements, unread first
// (box "inbox"), or those a publisher in scope sees (box "sent").
func (s *Store) Announcements(ctx context.Context, a model.Actor, box string) ([]*model.Announcement, error) {
	if a.User == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	var rows *sql.Rows
	var err error
	if box == "sent" {
		cond, args := announcementScope(a)
		rows, err = s.query(ctx, `SELECT `+announcementColumns+`, NULL FROM announcements a WHERE `+cond+` ORDER BY a.id DESC LIMIT 100`, args...)
	} else {
		rows, err = s.query(ctx, `SELECT `+announcementColumns+`, r.read_at FROM announcement_recipients r JOIN announcements a ON a.id = r.announcement_id
			WHERE r.user_id = ? ORDER BY CASE WHEN r.read_at IS NULL THEN 0 ELSE 1 END, a.id DESC LIMIT 100`, a.User.ID)
	}
	out, err := scanAll(rows, err, func(r *sql.Rows) (*model.Announcement, error) {
		var read sql.NullInt64
		x, err := scanAnnouncement(r, &read)
		if err == nil && read.Valid {
			t := timeOf(read.Int64)
			x.ReadAt = &t
		}
		return x, err
	})
	if out == nil {
		out = []*model.Announcement{}
	}
	return out, err
}

// Receipts lists who read an announcement, an enterprise's accounts
// together, unread first: to the bureau all, to an association its town's.
func (s *Store) Receipts(ctx context.Context, a model.Actor, id int64) ([]model.Receipt, error) {
	if !a.MayPublish() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if _, err := s.Announcement(ctx, a, id); err != nil {
		return nil, err
	}
	// Unread first, then read: two ranges of the receipts' index.
	cond, args := `announcement_id = ?`, []any{id}
	if town := publisherTown(a); town != nil {
		cond += ` AND region_id = ?`
		args = append(args, *town)
	}
	sel := `SELECT * FROM (SELECT r.enterprise_id, r.name, COALESCE(g.name, ''), r.accounts, r.reads, r.first_read_at, r.reminded_at
		FROM announcement_receipts r LEFT JOIN regions g ON g.id = r.region_id WHERE r.`
	rows, err := s.query(ctx, sel+strings.ReplaceAll(cond, "region_id", "r.region_id")+` AND r.reads = 0 ORDER BY r.unit LIMIT ?) x
		UNION ALL `+sel+strings.ReplaceAll(cond, "region_id", "r.region_id")+` AND r.reads > 0 ORDER BY r.reads, r.unit LIMIT ?) y`,
		append(append(append([]any{}, args...), receiptsPage), append(args, receiptsPage)...)...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.Receipt, error) {
		var x model.Receipt
		var eid, first, reminded sql.NullInt64
		if err := r.Scan(&eid, &x.Name, &x.RegionName, &x.Accounts, &x.Read, &first, &reminded); err != nil {
			return x, err
		}
		if eid.Valid {
			x.EnterpriseID = &eid.Int64
		}
		if first.Valid {
			t := timeOf(first.Int64)
			x.FirstReadAt = &t
		}
		if reminded.Valid {
			t := timeOf(reminded.Int64)
			x.LastRemindedAt = &t
		}
		return x, nil
	})
	if out == nil {
		out = []model.Receipt{}
	}
	return out, err
}

// receiptUnit groups an announcement's recipients: an enterprise's
// accounts together, any other account alone.
const receiptUnit = `CASE WHEN r.enterprise_id IS NULL THEN 'u' || CAST(r.user_id AS TEXT) ELSE 'e' || CAST(r.enterprise_id AS TEXT) END`

// receiptsPage bounds each part (unread, read) of the receipts table.
const receiptsPage = 500

// RemindUnread sends a reminder notice to the recipients in the actor's
// scope who have not read the announcement, at most one a day each.
func (s *Store) RemindUnread(ctx context.Context, a model.Actor, id int64) (int, error) {
	if !a.MayPublish() {
		return 0, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	x, err := s.Announcement(ctx, a, id)
	if err != nil {
		return 0, err
	}
	users := `SELECT user_id AS id FROM announcement_recipients WHERE announcement_id = ? AND read_at IS NULL`
	args := []any{id}
	if town := publisherTown(a); town != nil {
		users += ` AND region_id = ?`
		args = append(args, *town)
	}
	var n int
	err = s.write(ctx, func(tx *Tx) error {
		now := s.Now()
		var err error
		n, err = s.NoticeMany(ctx, tx, model.Notice{Kind: model.NoticeAnnounceReminder, Link: fmt.Sprintf("/announcements/%d", id),
			Key: fmt.Sprintf("announcement-reminder:%d:%s", id, model.Today(now)), Args: map[string]string{"title": x.Title, "publisher": x.Publisher}},
			users, args...)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE announcement_recipients SET reminded_at = ? WHERE announcement_id = ? AND user_id IN (`+users+`)`,
			append([]any{ms(now), id}, args...)...); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE announcement_receipts SET reminded_at = ? WHERE announcement_id = ? AND unit IN (
			SELECT `+receiptUnit+` FROM announcement_recipients r WHERE r.user_id IN (`+users+`) AND r.announcement_id = ?)`,
			append(append([]any{ms(now), id}, args...), id)...); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "announcement.remind", "announcement", &id, model.Changes{"reminded": {New: n}})
	})
	return n, err
}

// timeOf is a stored millisecond time.
func timeOf(v int64) time.Time { return time.UnixMilli(v).UTC() }
