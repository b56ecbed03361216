package service

import (
	"context"
	"io"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// CreateLaw adds a document to the library.
func (s *Service) CreateLaw(ctx context.Context, a model.Actor, in model.LawInput) (*model.Law, error) {
	return s.Store.CreateLaw(ctx, a, in)
}

// Laws lists the library.
func (s *Service) Laws(ctx context.Context, f store.LawFilter) ([]*model.Law, error) {
	return s.Store.Laws(ctx, f)
}

// Law reads a document with its versions.
func (s *Service) Law(ctx context.Context, id int64) (*model.Law, error) { return s.Store.Law(ctx, id) }

// AddLawVersion parses and stores a new text of a document.
func (s *Service) AddLawVersion(ctx context.Context, a model.Actor, id int64, in model.VersionInput) (*model.LawVersion, []model.Article, error) {
	return s.Store.AddLawVersion(ctx, a, id, in)
}

// AddLawVersionFile is AddLawVersion with the text from an uploaded .txt or
// .docx; the bureau's right is checked before the upload is read.
func (s *Service) AddLawVersionFile(ctx context.Context, a model.Actor, id int64, in model.VersionInput, name string, r io.Reader) (*model.LawVersion, []model.Article, error) {
	if !a.IsAdmin() {
		return nil, nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	text, err := files.LawText(name, r)
	if err != nil {
		return nil, nil, err
	}
	in.Text = text
	return s.Store.AddLawVersion(ctx, a, id, in)
}

// Articles lists a version's articles.
func (s *Service) Articles(ctx context.Context, lawID, versionID int64) ([]model.Article, error) {
	return s.Store.Articles(ctx, lawID, versionID)
}

// Article reads an article by key (of the current version when versionID is 0).
func (s *Service) Article(ctx context.Context, lawID int64, key string, versionID int64) (model.Article, error) {
	if !model.ValidArticleKey(key) {
		return model.Article{}, model.NotFound()
	}
	a, err := s.Store.Article(ctx, lawID, key, versionID)
	if err != nil {
		return a, err
	}
	a.CitedBy, err = s.Store.Citations(ctx, lawID, key)
	return a, err
}

// DiffLaw compares two versions of a document.
func (s *Service) DiffLaw(ctx context.Context, lawID, from, to int64) ([]model.ArticleChange, error) {
	return s.Store.DiffLaw(ctx, lawID, from, to)
}

// SearchLaws searches titles and articles.
func (s *Service) SearchLaws(ctx context.Context, q string, f store.LawFilter, limit int) ([]model.LawHit, error) {
	return s.Store.SearchLaws(ctx, q, f, limit)
}

// AnnouncementReach counts whom an audience reaches now.
func (s *Service) AnnouncementReach(ctx context.Context, a model.Actor, au model.Audience) (model.Reach, error) {
	return s.Store.AnnouncementReach(ctx, a, au)
}

// PublishAnnouncement publishes an announcement to its audience.
func (s *Service) PublishAnnouncement(ctx context.Context, a model.Actor, in model.AnnouncementInput) (*model.Announcement, error) {
	return s.Store.PublishAnnouncement(ctx, a, in)
}

// Announcement reads (and for a recipient marks read) an announcement.
func (s *Service) Announcement(ctx context.Context, a model.Actor, id int64) (*model.Announcement, error) {
	return s.Store.Announcement(ctx, a, id)
}

// Announcements lists an inbox or what a publisher sent.
func (s *Service) Announcements(ctx context.Context, a model.Actor, box string) ([]*model.Announcement, error) {
	return s.Store.Announcements(ctx, a, box)
}

// Receipts lists an announcement's readers in scope.
func (s *Service) Receipts(ctx context.Context, a model.Actor, id int64) ([]model.Receipt, error) {
	return s.Store.Receipts(ctx, a, id)
}

// RemindUnread reminds those in scope who have not read it.
func (s *Service) RemindUnread(ctx context.Context, a model.Actor, id int64) (int, error) {
	return s.Store.RemindUnread(ctx, a, id)
}

// AddQuiz gives an announcement its quiz.
func (s *Service) AddQuiz(ctx context.Context, a model.Actor, announcementID int64, in model.QuizInput) (*model.Quiz, error) {
	return s.Store.AddQuiz(ctx, a, announcementID, in)
}

// Quiz reads an announcement's quiz.
func (s *Service) Quiz(ctx context.Context, a model.Actor, announcementID int64) (*model.Quiz, error) {
	return s.Store.Quiz(ctx, a, announcementID)
}

// SubmitQuiz records a manager's answers.
func (s *Service) SubmitQuiz(ctx context.Context, a model.Actor, announcementID, managerID int64, answers [][]int) (*model.Attempt, error) {
	return s.Store.SubmitQuiz(ctx, a, announcementID, managerID, answers)
}

// QuizAttempts lists the asking enterprise's attempts.
func (s *Service) QuizAttempts(ctx context.Context, a model.Actor, announcementID int64) ([]model.Attempt, error) {
	return s.Store.QuizAttempts(ctx, a, announcementID)
}

// QuizResults sums a quiz's attempts by town.
func (s *Service) QuizResults(ctx context.Context, a model.Actor, announcementID int64) ([]model.TownResult, error) {
	return s.Store.QuizResults(ctx, a, announcementID)
}
