package service

import (
	"context"

	"github.com/envhome/envhome/internal/model"
)

func withEnterpriseRights(a model.Actor, e *model.Enterprise, err error) (*model.Enterprise, error) {
	if err != nil {
		return nil, err
	}
	e.Can = e.Rights(a)
	return e, nil
}

func withManagerRights(a model.Actor, m *model.Manager, err error) (*model.Manager, error) {
	if err != nil {
		return nil, err
	}
	m.PresentTo(a)
	return m, nil
}

// Enterprise returns an enterprise in the actor's scope with its rights.
func (s *Service) Enterprise(ctx context.Context, a model.Actor, id int64) (*model.Enterprise, error) {
	e, err := s.Store.Enterprise(ctx, a, id)
	return withEnterpriseRights(a, e, err)
}

// ListEnterprises lists the enterprises in the actor's scope, each with
// its rights.
func (s *Service) ListEnterprises(ctx context.Context, a model.Actor, f model.EnterpriseFilter) (model.List[*model.Enterprise], error) {
	l, err := s.Store.ListEnterprises(ctx, a, f)
	for _, e := range l.Items {
		e.Can = e.Rights(a)
	}
	return l, err
}

// CreateEnterprise adds an enterprise in a town the actor manages.
func (s *Service) CreateEnterprise(ctx context.Context, a model.Actor, e model.Enterprise) (*model.Enterprise, error) {
	out, err := s.Store.CreateEnterprise(ctx, a, e)
	return withEnterpriseRights(a, out, err)
}

// UpdateEnterprise changes an enterprise in the actor's scope.
func (s *Service) UpdateEnterprise(ctx context.Context, a model.Actor, id int64, p model.EnterprisePatch) (*model.Enterprise, error) {
	out, err := s.Store.UpdateEnterprise(ctx, a, id, p)
	return withEnterpriseRights(a, out, err)
}

// Manager returns a manager in the actor's scope with its rights.
func (s *Service) Manager(ctx context.Context, a model.Actor, id int64) (*model.Manager, error) {
	m, err := s.Store.Manager(ctx, a, id)
	return withManagerRights(a, m, err)
}

// Managers lists an enterprise's managers, each with its rights.
func (s *Service) Managers(ctx context.Context, a model.Actor, enterpriseID int64) ([]*model.Manager, error) {
	ms, err := s.Store.Managers(ctx, a, enterpriseID)
	for _, m := range ms {
		m.PresentTo(a)
	}
	return ms, err
}

// LinkRequests lists the pending claims the actor decides.
func (s *Service) LinkRequests(ctx context.Context, a model.Actor, p model.Page) (model.List[model.LinkRequest], error) {
	l, err := s.Store.LinkRequests(ctx, a, p)
	for _, r := range l.Items {
		r.Manager.PresentTo(a)
	}
	return l, err
}

// DecideLink confirms or rejects a pending claim the actor decides.
func (s *Service) DecideLink(ctx context.Context, a model.Actor, id int64, d model.LinkDecision) (*model.Manager, error) {
	out, err := s.Store.DecideLink(ctx, a, id, d)
	return withManagerRights(a, out, err)
}

// CreateManager appoints a manager at an enterprise in the actor's scope.
func (s *Service) CreateManager(ctx context.Context, a model.Actor, enterpriseID int64, m model.Manager) (*model.Manager, error) {
	out, err := s.Store.CreateManager(ctx, a, enterpriseID, m)
	return withManagerRights(a, out, err)
}

// UpdateManager changes a manager in the actor's scope.
func (s *Service) UpdateManager(ctx context.Context, a model.Actor, id int64, p model.ManagerPatch) (*model.Manager, error) {
	out, err := s.Store.UpdateManager(ctx, a, id, p)
	return withManagerRights(a, out, err)
}
