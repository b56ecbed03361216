package service

import (
	"context"
	"io"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/model"
)

// SetHomePhoto checks and stores an uploaded photo and makes it the Home's.
// The actor's right is checked before the file is taken in, so that nobody
// fills the database with photos of Homes they do not manage.
func (s *Service) SetHomePhoto(ctx context.Context, a model.Actor, homeID int64, name string, r io.Reader) error {
	h, err := s.Store.Home(ctx, homeID)
	if err != nil {
		return err
	}
	if !a.CanManageRegion(h.RegionID) {
		return model.NotFound()
	}
	f, err := s.Files.Put(ctx, files.Photo, name, r)
	if err != nil {
		return err
	}
	return s.Store.SetHomePhoto(ctx, a, homeID, f.Hash)
}

// SetLecturerPhoto checks and stores an uploaded photo and makes it the
// lecturer's.
func (s *Service) SetLecturerPhoto(ctx context.Context, a model.Actor, lecturerID int64, name string, r io.Reader) error {
	if err := model.CourseEditable(a); err != nil {
		return err
	}
	if _, _, err := s.Store.Lecturer(ctx, lecturerID); err != nil {
		return err
	}
	f, err := s.Files.Put(ctx, files.Photo, name, r)
	if err != nil {
		return err
	}
	return s.Store.SetLecturerPhoto(ctx, a, lecturerID, f.Hash)
}

// AddMaterial checks and stores an uploaded file and attaches it to a
// course.
func (s *Service) AddMaterial(ctx context.Context, a model.Actor, courseID int64, name string, r io.Reader) (*model.Material, error) {
	if err := model.CourseEditable(a); err != nil {
		return nil, err
	}
	if _, err := s.Store.Course(ctx, a, courseID); err != nil {
		return nil, err
	}
	f, err := s.Files.Put(ctx, files.Material, name, r)
	if err != nil {
		return nil, err
	}
	m := &model.Material{CourseID: courseID, Name: files.CleanName(name, "material"), File: f.Hash, Size: f.Size, ContentType: f.ContentType}
	if err := s.Store.AddMaterial(ctx, a, m); err != nil {
		return nil, err
	}
	m.CreatedAt = s.Store.Now()
	return m, nil
}

// HomePhoto opens a Home's photo (Homes are public venues).
func (s *Service) HomePhoto(ctx context.Context, homeID int64) (*files.Object, error) {
	h, err := s.Store.Home(ctx, homeID)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, h.Photo)
}

// LecturerPhoto opens a lecturer's photo (public, as the catalogue).
func (s *Service) LecturerPhoto(ctx context.Context, lecturerID int64) (*files.Object, error) {
	_, photo, err := s.Store.Lecturer(ctx, lecturerID)
	if err != nil {
		return nil, err
	}
	return s.open(ctx, photo)
}

// Material opens a course material for whoever may see its course, with
// the name it was uploaded under.
func (s *Service) Material(ctx context.Context, a model.Actor, id int64) (*files.Object, string, error) {
	m, err := s.Store.Material(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	o, err := s.open(ctx, m.File)
	return o, m.Name, err
}

func (s *Service) open(ctx context.Context, hash string) (*files.Object, error) {
	if hash == "" {
		return nil, model.NotFound()
	}
	return s.Files.Open(ctx, hash)
}

// InspectionPhoto opens a photo of an inspection the actor can see.
func (s *Service) InspectionPhoto(ctx context.Context, a model.Actor, id int64) (*files.Object, string, error) {
	hash, err := s.Store.InspectionPhoto(ctx, a, id)
	if err != nil {
		return nil, "", err
	}
	o, err := s.open(ctx, hash)
	return o, "", err
}

// TaskEvidence opens the n-th file (from 1) of a task's evidence, for
// whoever can see the task.
func (s *Service) TaskEvidence(ctx context.Context, a model.Actor, taskID int64, n int) (*files.Object, string, error) {
	t, err := s.Store.Task(ctx, a, taskID)
	if err != nil {
		return nil, "", err
	}
	if n < 1 || n > len(t.Evidence) {
		return nil, "", model.NotFound()
	}
	o, err := s.open(ctx, t.Evidence[n-1])
	return o, "", err
}

// AddCaseAttachment checks and stores a file (a photo, a PDF or an Office
// document) and attaches it to a technology case its submitter or the
// bureau may still change; the right is checked before the file is taken.
func (s *Service) AddCaseAttachment(ctx context.Context, a model.Actor, caseID int64, name string, r io.Reader) (*model.TechCase, error) {
	if err := s.Store.CaseEditCheck(ctx, a, caseID); err != nil {
		return nil, err
	}
	f, err := s.Files.Put(ctx, files.Material, name, r)
	if err != nil {
		return nil, err
	}
	return s.Store.AddCaseFile(ctx, a, caseID, model.CaseAttachment{Name: files.CleanName(name, "attachment"), Size: f.Size,
		ContentType: f.ContentType}, f.Hash)
}

// CaseAttachment opens the n-th attachment of a case the actor may see,
// with the name it was uploaded under.
func (s *Service) CaseAttachment(ctx context.Context, a model.Actor, caseID int64, n int) (*files.Object, string, error) {
	hash, name, err := s.Store.CaseFile(ctx, a, caseID, n)
	if err != nil {
		return nil, "", err
	}
	o, err := s.open(ctx, hash)
	return o, name, err
}

// AddDemandAttachment checks and stores a file (photo, PDF, Office) for a
// demand its enterprise may still change.
func (s *Service) AddDemandAttachment(ctx context.Context, a model.Actor, id int64, name string, r io.Reader) (*model.Demand, error) {
	if err := s.addMarketFile(ctx, a, "demand", id, name, r); err != nil {
		return nil, err
	}
	return s.Store.Demand(ctx, a, id)
}

// AddDealEvidence checks and stores a file behind a deal's costs.
func (s *Service) AddDealEvidence(ctx context.Context, a model.Actor, id int64, name string, r io.Reader) (*model.Deal, error) {
	if err := s.addMarketFile(ctx, a, "deal", id, name, r); err != nil {
		return nil, err
	}
	return s.Store.Deal(ctx, a, id)
}

func (s *Service) addMarketFile(ctx context.Context, a model.Actor, owner string, id int64, name string, r io.Reader) error {
	if err := s.Store.MarketFileCheck(ctx, a, owner, id); err != nil {
		return err
	}
	f, err := s.Files.Put(ctx, files.Material, name, r)
	if err != nil {
		return err
	}
	return s.Store.AddMarketFile(ctx, a, owner, id, model.CaseAttachment{Name: files.CleanName(name, "attachment"), Size: f.Size,
		ContentType: f.ContentType}, f.Hash)
}

// DemandAttachment opens the n-th file of a demand the actor may see.
func (s *Service) DemandAttachment(ctx context.Context, a model.Actor, id int64, n int) (*files.Object, string, error) {
	return s.marketFile(ctx, a, "demand", id, n)
}

// DealEvidence opens the n-th file of a deal the actor may see.
func (s *Service) DealEvidence(ctx context.Context, a model.Actor, id int64, n int) (*files.Object, string, error) {
	return s.marketFile(ctx, a, "deal", id, n)
}

func (s *Service) marketFile(ctx context.Context, a model.Actor, owner string, id int64, n int) (*files.Object, string, error) {
	hash, name, err := s.Store.MarketFile(ctx, a, owner, id, n)
	if err != nil {
		return nil, "", err
	}
	o, err := s.open(ctx, hash)
	return o, name, err
}
