package service

import (
	"context"

	"github.com/envhome/envhome/internal/model"
)

func withChecklistRights(a model.Actor, c *model.Checklist, err error) (*model.Checklist, error) {
	if err != nil {
		return nil, err
	}
	c.Can = c.Rights(a)
	return c, nil
}

// Checklists lists the checklists the actor may see, each with its rights.
func (s *Service) Checklists(ctx context.Context, a model.Actor, all bool) ([]*model.Checklist, error) {
	cs, err := s.Store.Checklists(ctx, a, all)
	for _, c := range cs {
		c.Can = c.Rights(a)
	}
	return cs, err
}

// Checklist returns one checklist version with its rights.
func (s *Service) Checklist(ctx context.Context, a model.Actor, id int64) (*model.Checklist, error) {
	c, err := s.Store.Checklist(ctx, a, id)
	return withChecklistRights(a, c, err)
}

// CreateChecklist starts a draft in the author's scope.
func (s *Service) CreateChecklist(ctx context.Context, a model.Actor, in model.ChecklistInput) (*model.Checklist, error) {
	c, err := s.Store.CreateChecklist(ctx, a, in)
	return withChecklistRights(a, c, err)
}

// UpdateChecklist changes a draft, or drafts a new version of a published
// checklist.
func (s *Service) UpdateChecklist(ctx context.Context, a model.Actor, id int64, in model.ChecklistInput) (*model.Checklist, error) {
	c, err := s.Store.UpdateChecklist(ctx, a, id, in)
	return withChecklistRights(a, c, err)
}

// PublishChecklist puts a draft in force.
func (s *Service) PublishChecklist(ctx context.Context, a model.Actor, id int64) (*model.Checklist, error) {
	c, err := s.Store.PublishChecklist(ctx, a, id)
	return withChecklistRights(a, c, err)
}
