package service

import (
	"context"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// The managers' yearly appraisal: each call is one store call whose rules
// (who computes, confirms, publishes; who sees a grade) live in the store.

// AppraisalRules reads the scoring rules.
func (s *Service) AppraisalRules(ctx context.Context) (model.AppraisalRules, error) {
	return s.Store.AppraisalRules(ctx)
}

// SetAppraisalRules stores the bureau's rules.
func (s *Service) SetAppraisalRules(ctx context.Context, a model.Actor, r model.AppraisalRules) (model.AppraisalRules, error) {
	if err := s.Store.SetAppraisalRules(ctx, a, r); err != nil {
		return model.AppraisalRules{}, err
	}
	return s.Store.AppraisalRules(ctx)
}

// ComputeRequest names the year and the town (0: the county) to score.
type ComputeRequest struct {
	Year     int   `json:"year"`
	RegionID int64 `json:"region_id"`
}

// ComputeAppraisals scores a town's (or the county's) managers.
func (s *Service) ComputeAppraisals(ctx context.Context, a model.Actor, in ComputeRequest) (map[string]int, error) {
	n, err := s.Store.ComputeAppraisals(ctx, a, in.Year, in.RegionID)
	return map[string]int{"drafts": n}, err
}

// PublishRequest names the year to publish.
type PublishRequest struct {
	Year int `json:"year"`
}

// PublishAppraisals publishes a year's confirmed grades.
func (s *Service) PublishAppraisals(ctx context.Context, a model.Actor, in PublishRequest) (map[string]int, error) {
	n, err := s.Store.PublishAppraisals(ctx, a, in.Year)
	return map[string]int{"published": n}, err
}

// Appraisals lists a year's appraisals.
func (s *Service) Appraisals(ctx context.Context, a model.Actor, f store.AppraisalFilter) ([]*model.Appraisal, error) {
	return s.Store.Appraisals(ctx, a, f)
}

// Appraisal reads a manager's year.
func (s *Service) Appraisal(ctx context.Context, a model.Actor, managerID int64, year int) (*model.Appraisal, error) {
	return s.Store.Appraisal(ctx, a, managerID, year)
}

// ConfirmAppraisal confirms a manager's grade with a comment.
func (s *Service) ConfirmAppraisal(ctx context.Context, a model.Actor, managerID int64, year int, rv model.AppraisalReview) (*model.Appraisal, error) {
	return s.Store.ConfirmAppraisal(ctx, a, managerID, year, rv)
}
