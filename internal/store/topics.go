package store

import (
	"context"
	"database/sql"

	"github.com/envhome/envhome/internal/model"
)

// Topics ranks the topics enterprises asked for: most votes first. Voted
// says whether the actor's enterprise voted.
func (s *Store) Topics(ctx context.Context, a model.Actor, status string) ([]*model.Topic, error) {
	ent := a.Scope().EnterpriseID
	q := `SELECT t.id, t.title, t.description, t.votes, t.status, t.course_id, t.created_at,
		EXISTS (SELECT 1 FROM topic_votes v WHERE v.topic_id = t.id AND v.enterprise_id = ?) FROM topics t`
	args := []any{ent}
	if status != "" {
		q += ` WHERE t.status = ?`
		args = append(args, status)
	}
	q += ` ORDER BY t.votes DESC, t.id LIMIT 200`
	rows, err := s.query(ctx, q, args...)
	ts, err := scanAll(rows, err, func(r *sql.Rows) (*model.Topic, error) {
		t := &model.Topic{}
		err := r.Scan(&t.ID, &t.Title, &t.Description, &t.Votes, &t.Status, &t.CourseID, timeCol{&t.CreatedAt}, &t.Voted)
		return t, err
	})
	if ts == nil {
		ts = []*model.Topic{}
	}
	return ts, err
}

// Topic returns one topic; Voted says whether the actor's enterprise voted.
func (s *Store) Topic(ctx context.Context, a model.Actor, id int64) (*model.Topic, error) {
	t := &model.Topic{}
	err := s.queryRow(ctx, `SELECT t.id, t.title, t.description, t.votes, t.status, t.course_id, t.created_at,
		EXISTS (SELECT 1 FROM topic_votes v WHERE v.topic_id = t.id AND v.enterprise_id = ?) FROM topics t WHERE t.id = ?`,
		a.Scope().EnterpriseID, id).Scan(&t.ID, &t.Title, &t.Description, &t.Votes, &t.Status, &t.CourseID, timeCol{&t.CreatedAt}, &t.Voted)
	return t, notFound(err)
}

// ProposeTopic adds a topic; an enterprise's proposal counts as its vote.
func (s *Store) ProposeTopic(ctx context.Context, a model.Actor, t model.Topic) (*model.Topic, error) {
	if err := t.Validate(); err != nil {
		return nil, err
	}
	sc := a.Scope()
	if a.User != nil && a.User.Role != model.RoleEnterprise && a.User.Role != model.RoleAdmin && a.User.Role != model.RoleAssociation {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	err := s.write(ctx, func(tx *Tx) error {
		var ent *int64
		if sc.EnterpriseID != 0 {
			ent = &sc.EnterpriseID
		}
		now := ms(s.Now())
		if err := tx.QueryRow(ctx, `INSERT INTO topics (title, description, enterprise_id, user_id, status, created_at) VALUES (?, ?, ?, ?, 'open', ?) RETURNING id`,
			t.Title, t.Description, ent, a.ID(), now).Scan(&t.ID); err != nil {
			return err
		}
		if ent != nil {
			if err := s.voteTx(ctx, tx, t.ID, *ent); err != nil {
				return err
			}
			t.Votes, t.Voted = 1, true
		}
		return s.audit(ctx, tx, a, "topic.propose", "topic", &t.ID, model.Changes{"title": {New: t.Title}})
	})
	t.Status = model.TopicOpen
	t.CreatedAt = s.Now()
	return &t, err
}

func (s *Store) voteTx(ctx context.Context, tx *Tx, topicID, enterpriseID int64) error {
	res, err := tx.Exec(ctx, `INSERT INTO topic_votes (topic_id, enterprise_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`,
		topicID, enterpriseID, ms(s.Now()))
	if err != nil {
		if isForeignKeyViolation(err) {
			return model.NotFound()
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		_, err = tx.Exec(ctx, `UPDATE topics SET votes = votes + 1 WHERE id = ?`, topicID)
	}
	return err
}

// VoteTopic records the enterprise's vote (once; voting again changes nothing).
func (s *Store) VoteTopic(ctx context.Context, a model.Actor, topicID int64) error {
	sc := a.Scope()
	if sc.EnterpriseID == 0 {
		return model.Errorf(model.ErrForbidden, "err.vote_enterprise_only")
	}
	return s.write(ctx, func(tx *Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM topics WHERE id = ?`, topicID).Scan(&status); err != nil {
			return notFound(err)
		}
		if status != model.TopicOpen {
			return model.Errorf(model.ErrConflict, "err.topic_closed")
		}
		if err := s.voteTx(ctx, tx, topicID, sc.EnterpriseID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "topic.vote", "topic", &topicID, nil)
	})
}

// AdoptTopic turns a topic into a course (the bureau only).
func (s *Store) AdoptTopic(ctx context.Context, a model.Actor, topicID int64, c *model.Course) (*model.Course, error) {
	if err := model.CourseEditable(a); err != nil {
		return nil, err
	}
	c.ID = 0
	c.TopicID = &topicID
	c.Normalize()
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var id int64
	err := s.write(ctx, func(tx *Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM topics WHERE id = ?`+s.dialect.forUpdate(), topicID).Scan(&status); err != nil {
			return notFound(err)
		}
		if status != model.TopicOpen {
			return model.Errorf(model.ErrConflict, "err.topic_closed")
		}
		var err error
		if id, err = s.saveCourseTx(ctx, tx, a, c); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE topics SET status = 'adopted', course_id = ? WHERE id = ?`, id, topicID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "topic.adopt", "topic", &topicID, model.Changes{"course_id": {New: id}})
	})
	if err != nil {
		return nil, err
	}
	return s.Course(ctx, a, id)
}
