package service

import (
	"context"
	"io"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/model"
)

func withTaskRights(a model.Actor, t *model.Task, err error) (*model.Task, error) {
	if err != nil {
		return nil, err
	}
	t.Can = t.Rights(a)
	return t, nil
}

// Tasks lists rectification tasks in the actor's scope with their rights.
func (s *Service) Tasks(ctx context.Context, a model.Actor, f model.TaskFilter) (model.List[*model.Task], error) {
	l, err := s.Store.Tasks(ctx, a, f)
	for _, t := range l.Items {
		t.Can = t.Rights(a)
	}
	return l, err
}

// Task returns one task with its history and rights.
func (s *Service) Task(ctx context.Context, a model.Actor, id int64) (*model.Task, error) {
	t, err := s.Store.Task(ctx, a, id)
	return withTaskRights(a, t, err)
}

// SetTaskOwner names the manager who rectifies.
func (s *Service) SetTaskOwner(ctx context.Context, a model.Actor, id, managerID int64) (*model.Task, error) {
	t, err := s.Store.SetTaskOwner(ctx, a, id, managerID)
	return withTaskRights(a, t, err)
}

// AddTaskEvidence checks and stores a photo or document as evidence of an
// open task.
func (s *Service) AddTaskEvidence(ctx context.Context, a model.Actor, id int64, name string, r io.Reader, photo bool) (*model.Task, error) {
	if err := s.Store.TaskEvidenceCheck(ctx, a, id); err != nil {
		return nil, err
	}
	kind := files.Material
	if photo {
		kind = files.Photo
	}
	f, err := s.Files.Put(ctx, kind, name, r)
	if err != nil {
		return nil, err
	}
	t, err := s.Store.AddTaskEvidence(ctx, a, id, f.Hash)
	return withTaskRights(a, t, err)
}

// SubmitTask hands a task to the verifier.
func (s *Service) SubmitTask(ctx context.Context, a model.Actor, id int64, note string) (*model.Task, error) {
	t, err := s.Store.SubmitTask(ctx, a, id, note)
	return withTaskRights(a, t, err)
}

// VerifyTask closes or reopens a submitted task.
func (s *Service) VerifyTask(ctx context.Context, a model.Actor, id int64, d model.TaskVerdict) (*model.Task, error) {
	t, err := s.Store.VerifyTask(ctx, a, id, d)
	return withTaskRights(a, t, err)
}
