package service

import (
	"context"

	"github.com/envhome/envhome/internal/model"
)

// SubmitCase submits a technology case for the bureau's review.
func (s *Service) SubmitCase(ctx context.Context, a model.Actor, in model.CaseInput) (*model.TechCase, error) {
	return s.Store.SubmitCase(ctx, a, in)
}

// UpdateCase changes a case not yet published; it goes back for review.
func (s *Service) UpdateCase(ctx context.Context, a model.Actor, id int64, in model.CaseInput) (*model.TechCase, error) {
	return s.Store.UpdateCase(ctx, a, id, in)
}

// ReviewCase publishes (and pushes) or returns a submitted case.
func (s *Service) ReviewCase(ctx context.Context, a model.Actor, id int64, r model.CaseReview) (*model.TechCase, error) {
	return s.Store.ReviewCase(ctx, a, id, r)
}

// Case reads a case (and for a key discharge unit it was pushed to, marks
// it read).
func (s *Service) Case(ctx context.Context, a model.Actor, id int64) (*model.TechCase, error) {
	return s.Store.Case(ctx, a, id)
}

// CasePage is a case with, for the bureau deciding on it, how many key
// discharge units publishing would reach now.
func (s *Service) CasePage(ctx context.Context, a model.Actor, id int64) (*model.TechCase, int, error) {
	c, err := s.Store.Case(ctx, a, id)
	if err != nil || !c.Can.Review {
		return c, 0, err
	}
	n, err := s.Store.CaseReach(ctx, a, id)
	return c, n, err
}

// Cases lists a box of cases.
func (s *Service) Cases(ctx context.Context, a model.Actor, f model.CaseFilter) ([]*model.TechCase, error) {
	return s.Store.Cases(ctx, a, f)
}

// MarkCaseInterest records the actor's enterprise's interest: a lead.
func (s *Service) MarkCaseInterest(ctx context.Context, a model.Actor, id int64, note string) (*model.TechCase, error) {
	return s.Store.MarkCaseInterest(ctx, a, id, note)
}

// CaseReaders lists the enterprises a case reached in scope, unread first.
func (s *Service) CaseReaders(ctx context.Context, a model.Actor, id int64) ([]model.CaseReader, error) {
	return s.Store.CaseReaders(ctx, a, id)
}

// CaseLeads lists enterprises' interests in scope.
func (s *Service) CaseLeads(ctx context.Context, a model.Actor) ([]model.CaseLead, error) {
	return s.Store.CaseLeads(ctx, a)
}
