package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/envhome/envhome/internal/model"
)

// mayFollowUp says whether the actor publishes for the announcement: the
// bureau, or the association that published it.
func mayFollowUp(a model.Actor, x *model.Announcement) bool {
	if !a.MayPublish() {
		return false
	}
	return a.IsAdmin() || (x.RegionID != nil && a.User.RegionID != nil && *x.RegionID == *a.User.RegionID)
}

// AddQuiz gives an announcement its quiz (once), by its publisher; every
// question cites an article the library holds.
func (s *Store) AddQuiz(ctx context.Context, a model.Actor, announcementID int64, in model.QuizInput) (*model.Quiz, error) {
	x, err := s.Announcement(ctx, a, announcementID)
	if err != nil {
		return nil, err
	}
	if !mayFollowUp(a, x) {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if err := in.Validate(s.Now()); err != nil {
		return nil, err
	}
	for i, q := range in.Questions {
		if err := checkRefs(ctx, s.reader(), fmt.Sprintf("questions.%d.cite", i), []model.ArticleRef{q.Cite}); err != nil {
			return nil, err
		}
	}
	qs, _ := json.Marshal(in.Questions)
	err = s.write(ctx, func(tx *Tx) error {
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM quizzes WHERE announcement_id = ?`, announcementID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return model.Errorf(model.ErrConflict, "err.quiz.exists")
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO quizzes (announcement_id, title, questions, pass_percent, closes_at, credit_hours, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, announcementID, in.Title, string(qs), in.PassPercent, ms(in.ClosesAt), in.CreditHours,
			ms(s.Now())).Scan(&id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "quiz.create", "announcement", &announcementID, model.Changes{"questions": {New: len(in.Questions)}})
	})
	if err != nil {
		return nil, fmt.Errorf("add quiz: %w", err)
	}
	return s.Quiz(ctx, a, announcementID)
}

// quiz reads an announcement's quiz with its answers.
func (s *Store) quiz(ctx context.Context, q querier, announcementID int64) (*model.Quiz, error) {
	z := &model.Quiz{}
	var qs string
	err := q.QueryRow(ctx, `SELECT id, announcement_id, title, questions, pass_percent, closes_at, credit_hours, created_at FROM quizzes
		WHERE announcement_id = ?`, announcementID).Scan(&z.ID, &z.AnnouncementID, &z.Title, &qs, &z.PassPercent, timeCol{&z.ClosesAt},
		&z.CreditHours, timeCol{&z.CreatedAt})
	if err != nil {
		return nil, notFound(err)
	}
	return z, json.Unmarshal([]byte(qs), &z.Questions)
}

// Quiz reads an announcement's quiz for whoever may read the
// announcement; the right answers only for its publisher.
func (s *Store) Quiz(ctx context.Context, a model.Actor, announcementID int64) (*model.Quiz, error) {
	x, err := s.Announcement(ctx, a, announcementID)
	if err != nil {
		return nil, err
	}
	z, err := s.quiz(ctx, s.reader(), announcementID)
	if err != nil {
		return nil, err
	}
	if !mayFollowUp(a, x) {
		for i := range z.Questions {
			z.Questions[i].Answer = nil
		}
	}
	return z, nil
}

// SubmitQuiz records a manager's answers, given by an account of the
// manager's enterprise that received the announcement, before the quiz
// closes; one attempt per manager. A passed attempt counts its hours when
// the bureau credits quizzes.
func (s *Store) SubmitQuiz(ctx context.Context, a model.Actor, announcementID, managerID int64, answers [][]int) (*model.Attempt, error) {
	if _, err := s.Announcement(ctx, a, announcementID); err != nil {
		return nil, err
	}
	m, err := s.Manager(ctx, a, managerID)
	if err != nil || a.Scope().EnterpriseID != m.EnterpriseID {
		return nil, fieldError(model.ErrInvalid, "manager_id", "err.field.no_such_manager")
	}
	if m.Status != model.ManagerActive {
		return nil, fieldError(model.ErrInvalid, "manager_id", "err.quiz.manager_inactive")
	}
	settings, err := s.TrainingSettings(ctx)
	if err != nil {
		return nil, err
	}
	var out model.Attempt
	err = s.write(ctx, func(tx *Tx) error {
		z, err := s.quiz(ctx, tx, announcementID)
		if err != nil {
			return err
		}
		now := s.Now()
		if !now.Before(z.ClosesAt) {
			return model.Errorf(model.ErrConflict, "err.quiz.closed")
		}
		if len(answers) != len(z.Questions) {
			return fieldError(model.ErrInvalid, "answers", "err.quiz.unanswered")
		}
		for i, ans := range answers {
			if len(ans) == 0 {
				return fieldError(model.ErrInvalid, fmt.Sprintf("answers.%d", i), "err.quiz.unanswered")
			}
			for _, o := range ans {
				if o < 0 || o >= len(z.Questions[i].Options) {
					return fieldError(model.ErrInvalid, fmt.Sprintf("answers.%d", i), "err.quiz.answer")
				}
			}
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM quiz_attempts WHERE quiz_id = ? AND manager_id = ?`, z.ID, managerID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return model.Errorf(model.ErrConflict, "err.quiz.answered")
		}
		right, passed := z.Grade(answers)
		credit := 0.0
		if passed && settings.QuizCredit {
			credit = z.CreditHours
		}
		js, _ := json.Marshal(answers)
		var region int64
		if err := tx.QueryRow(ctx, `SELECT region_id FROM enterprises WHERE id = ?`, m.EnterpriseID).Scan(&region); err != nil {
			return err
		}
		out = model.Attempt{QuizID: z.ID, ManagerID: managerID, ManagerName: m.Name, EnterpriseID: m.EnterpriseID, Right: right,
			Total: len(z.Questions), Passed: passed, CreditHours: credit, SubmittedAt: now}
		if err := tx.touch(ctx, byPerson, []int64{m.PersonID}, "managers"); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO quiz_attempts (quiz_id, manager_id, person_id, enterprise_id, region_id, answers, correct, total, passed,
			credit_hours, submitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, z.ID, managerID, m.PersonID, m.EnterpriseID, region,
			string(js), right, len(z.Questions), boolInt(passed), credit, ms(now)).Scan(&out.ID); err != nil {
			return err
		}
		if credit > 0 {
			if err := s.reassess(ctx, tx, m.EnterpriseID); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, "quiz.answer", "manager", &managerID, model.Changes{"right": {New: right}, "passed": {New: passed}})
	})
	if err != nil {
		return nil, fmt.Errorf("submit quiz: %w", err)
	}
	return &out, nil
}

// QuizAttempts lists the attempts of the asking enterprise's managers.
func (s *Store) QuizAttempts(ctx context.Context, a model.Actor, announcementID int64) ([]model.Attempt, error) {
	if _, err := s.Announcement(ctx, a, announcementID); err != nil {
		return nil, err
	}
	rows, err := s.query(ctx, `SELECT qa.id, qa.quiz_id, qa.manager_id, p.name, qa.enterprise_id, qa.correct, qa.total, qa.passed, qa.credit_hours, qa.submitted_at
		FROM quiz_attempts qa JOIN quizzes q ON q.id = qa.quiz_id JOIN people p ON p.id = qa.person_id
		WHERE q.announcement_id = ? AND qa.enterprise_id = ? ORDER BY qa.id`, announcementID, a.Scope().EnterpriseID)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.Attempt, error) {
		var x model.Attempt
		var passed int
		err := r.Scan(&x.ID, &x.QuizID, &x.ManagerID, &x.ManagerName, &x.EnterpriseID, &x.Right, &x.Total, &passed, &x.CreditHours, timeCol{&x.SubmittedAt})
		x.Passed = passed == 1
		return x, err
	})
	if out == nil {
		out = []model.Attempt{}
	}
	return out, err
}

// QuizResults sums a quiz's attempts by town for its publisher: the
// bureau every town, an association its own.
func (s *Store) QuizResults(ctx context.Context, a model.Actor, announcementID int64) ([]model.TownResult, error) {
	if !a.MayPublish() {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	if _, err := s.Announcement(ctx, a, announcementID); err != nil {
		return nil, err
	}
	q := `SELECT qa.region_id, r.name, COUNT(*), SUM(qa.passed), AVG(qa.correct * 100.0 / qa.total)
		FROM quiz_attempts qa JOIN quizzes q ON q.id = qa.quiz_id JOIN regions r ON r.id = qa.region_id WHERE q.announcement_id = ?`
	args := []any{announcementID}
	if town := publisherTown(a); town != nil {
		q += ` AND qa.region_id = ?`
		args = append(args, *town)
	}
	rows, err := s.query(ctx, q+` GROUP BY qa.region_id, r.name, r.code ORDER BY r.code`, args...)
	out, err := scanAll(rows, err, func(r *sql.Rows) (model.TownResult, error) {
		var t model.TownResult
		return t, r.Scan(&t.RegionID, &t.RegionName, &t.Attempts, &t.Passed, &t.AveragePoint)
	})
	if out == nil {
		out = []model.TownResult{}
	}
	return out, err
}
