package service

import (
	"context"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// The through train's calls: each is one store call whose rules (who may,
// conflicts of interest, sealing) live in the store's transactions.

// RegisterProvider registers a provider's organisation.
func (s *Service) RegisterProvider(ctx context.Context, a model.Actor, in model.ProviderInput) (*model.Provider, error) {
	return s.Store.RegisterProvider(ctx, a, in)
}

// UpdateProvider changes a provider's profile.
func (s *Service) UpdateProvider(ctx context.Context, a model.Actor, id int64, in model.ProviderInput) (*model.Provider, error) {
	return s.Store.UpdateProvider(ctx, a, id, in)
}

// Provider reads a provider.
func (s *Service) Provider(ctx context.Context, a model.Actor, id int64) (*model.Provider, error) {
	return s.Store.Provider(ctx, a, id)
}

// Providers lists providers.
func (s *Service) Providers(ctx context.Context, a model.Actor, f store.ProviderFilter) ([]*model.Provider, error) {
	return s.Store.Providers(ctx, a, f)
}

// ProviderReviews lists enterprises' ratings of a provider's deals.
func (s *Service) ProviderReviews(ctx context.Context, a model.Actor, id int64) ([]model.Review, error) {
	return s.Store.ProviderReviews(ctx, a, id, 20)
}

// VerifyProvider verifies a provider.
func (s *Service) VerifyProvider(ctx context.Context, a model.Actor, id int64) (*model.Provider, error) {
	return s.Store.VerifyProvider(ctx, a, id)
}

// GradeProvider sets a provider's credit grade.
func (s *Service) GradeProvider(ctx context.Context, a model.Actor, id int64, g model.ProviderGrade) (*model.Provider, error) {
	return s.Store.GradeProvider(ctx, a, id, g)
}

// DeclareTie records the actor's tie to a provider.
func (s *Service) DeclareTie(ctx context.Context, a model.Actor, id int64) error {
	return s.Store.DeclareTie(ctx, a, id)
}

// PostDemand posts an enterprise's demand for review.
func (s *Service) PostDemand(ctx context.Context, a model.Actor, in model.DemandInput) (*model.Demand, error) {
	return s.Store.PostDemand(ctx, a, in)
}

// UpdateDemand changes a demand before publication.
func (s *Service) UpdateDemand(ctx context.Context, a model.Actor, id int64, in model.DemandInput) (*model.Demand, error) {
	return s.Store.UpdateDemand(ctx, a, id, in)
}

// ReviewDemand publishes or returns a demand.
func (s *Service) ReviewDemand(ctx context.Context, a model.Actor, id int64, r model.DemandReview) (*model.Demand, error) {
	return s.Store.ReviewDemand(ctx, a, id, r)
}

// Demand reads a demand.
func (s *Service) Demand(ctx context.Context, a model.Actor, id int64) (*model.Demand, error) {
	return s.Store.Demand(ctx, a, id)
}

// Demands lists a box of demands.
func (s *Service) Demands(ctx context.Context, a model.Actor, f store.DemandFilter) ([]*model.Demand, error) {
	return s.Store.Demands(ctx, a, f)
}

// CloseQuoting ends quoting early.
func (s *Service) CloseQuoting(ctx context.Context, a model.Actor, id int64) (*model.Demand, error) {
	return s.Store.CloseQuoting(ctx, a, id)
}

// CancelDemand withdraws a demand.
func (s *Service) CancelDemand(ctx context.Context, a model.Actor, id int64) (*model.Demand, error) {
	return s.Store.CancelDemand(ctx, a, id)
}

// Matches ranks the providers for a demand.
func (s *Service) Matches(ctx context.Context, a model.Actor, id int64, limit int) ([]model.Match, error) {
	return s.Store.Matches(ctx, a, id, limit)
}

// SendQuote sends a provider's quote.
func (s *Service) SendQuote(ctx context.Context, a model.Actor, demandID int64, in model.QuoteInput) (*model.Quote, error) {
	return s.Store.SendQuote(ctx, a, demandID, in)
}

// ReviseQuote replaces a quote before the deadline.
func (s *Service) ReviseQuote(ctx context.Context, a model.Actor, id int64, in model.QuoteInput) (*model.Quote, error) {
	return s.Store.ReviseQuote(ctx, a, id, in)
}

// Quote reads a quote.
func (s *Service) Quote(ctx context.Context, a model.Actor, id int64) (*model.Quote, error) {
	return s.Store.Quote(ctx, a, id)
}

// Quotes lists a demand's quotes as the actor may see them.
func (s *Service) Quotes(ctx context.Context, a model.Actor, demandID int64) ([]*model.Quote, error) {
	return s.Store.Quotes(ctx, a, demandID)
}

// AcceptQuote accepts a quote into a deal.
func (s *Service) AcceptQuote(ctx context.Context, a model.Actor, id int64) (*model.Deal, error) {
	return s.Store.AcceptQuote(ctx, a, id)
}

// Deal reads a deal.
func (s *Service) Deal(ctx context.Context, a model.Actor, id int64) (*model.Deal, error) {
	return s.Store.Deal(ctx, a, id)
}

// Deals lists the actor's deals.
func (s *Service) Deals(ctx context.Context, a model.Actor) ([]*model.Deal, error) {
	return s.Store.Deals(ctx, a)
}

// PatchDeal changes a deal.
func (s *Service) PatchDeal(ctx context.Context, a model.Actor, id int64, p model.DealPatch) (*model.Deal, error) {
	return s.Store.PatchDeal(ctx, a, id, p)
}

// RateDeal rates the other side of a completed deal.
func (s *Service) RateDeal(ctx context.Context, a model.Actor, id int64, in model.RatingInput) (*model.Deal, error) {
	return s.Store.RateDeal(ctx, a, id, in)
}

// Savings sums deals' savings per town.
func (s *Service) Savings(ctx context.Context, a model.Actor) ([]model.Savings, error) {
	return s.Store.Savings(ctx, a)
}
