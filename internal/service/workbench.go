package service

import (
	"context"
	"slices"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// Workbench gathers the actor's home: for an enterprise its managers'
// hours, coming bookings and what is due; for the bureau and an
// association the towns' figures, coming classes and claims to decide;
// for a lecturer the coming classes it teaches. Every part is an indexed
// read in the actor's scope (the towns' figures are kept by the sweep).
func (s *Service) Workbench(ctx context.Context, a model.Actor) (*model.Workbench, error) {
	if a.User == nil {
		return nil, model.Errorf(model.ErrUnauthenticated, "err.unauthenticated")
	}
	now := s.Store.Now()
	settings, err := s.Store.TrainingSettings(ctx)
	if err != nil {
		return nil, err
	}
	w := &model.Workbench{Role: a.User.Role, Year: now.In(model.ChinaTime).Year(), RequiredHours: settings.RequiredHours}
	// Scheduled classes still to come or running now, soonest first.
	coming := func(mine bool, n int) error {
		ks, err := s.Classes(ctx, a, store.ClassFilter{Mine: mine, From: &now, Limit: 4 * n})
		for _, k := range ks {
			if k.Status == model.ClassScheduled && len(w.Classes) < n {
				w.Classes = append(w.Classes, k)
			}
		}
		return err
	}
	sc := a.Scope()
	switch a.User.Role {
	case model.RoleEnterprise:
		if w.Enterprise, err = s.Enterprise(ctx, a, sc.EnterpriseID); err != nil {
			return nil, err
		}
		ms, err := s.Managers(ctx, a, sc.EnterpriseID)
		if err != nil {
			return nil, err
		}
		w.Due = model.DueItems(w.Enterprise, ms, model.Today(now))
		if err := s.todaysWork(ctx, a, w, model.Today(now)); err != nil {
			return nil, err
		}
		l, err := s.Store.CreditProgressList(ctx, a, w.Year, false, nil, model.Page{Limit: 50})
		if err != nil {
			return nil, err
		}
		w.Managers = l.Items
		bs, err := s.EnterpriseBookings(ctx, a, nil, 50)
		if err != nil {
			return nil, err
		}
		for _, b := range bs {
			if b.Class != nil && b.Class.EndsAt.After(now) && b.Class.Status == model.ClassScheduled {
				w.Bookings = append(w.Bookings, b)
			}
		}
		slices.SortFunc(w.Bookings, func(x, y *model.Booking) int { return x.Class.StartsAt.Compare(y.Class.StartsAt) })
	case model.RoleAdmin, model.RoleAssociation:
		if w.Towns, err = s.Store.RegionStats(ctx, a); err != nil {
			return nil, err
		}
		t := model.Totals(w.Towns)
		w.Total = &t
		reqs, err := s.Store.LinkRequests(ctx, a, model.Page{Limit: 100})
		if err != nil {
			return nil, err
		}
		w.LinkRequests = len(reqs.Items)
		if w.Compliance, err = s.Store.TownCompliances(ctx, a); err != nil {
			return nil, err
		}
		if w.Savings, err = s.Store.Savings(ctx, a); err != nil {
			return nil, err
		}
		if err := coming(a.User.Role == model.RoleAssociation, 6); err != nil {
			return nil, err
		}
	case model.RoleLecturer:
		if err := coming(true, 8); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Stats gathers the figures of the charts page for the bureau (any town's
// enterprises, the first town by default) or an association (its town).
func (s *Service) Stats(ctx context.Context, a model.Actor, regionID int64) (*model.Stats, error) {
	sc := a.Scope()
	if !sc.All && sc.RegionID == 0 {
		return nil, model.Errorf(model.ErrForbidden, "err.forbidden")
	}
	st := &model.Stats{Year: s.Store.Now().In(model.ChinaTime).Year()}
	var err error
	if st.Towns, err = s.Store.RegionStats(ctx, a); err != nil {
		return nil, err
	}
	switch {
	case sc.RegionID != 0:
		regionID = sc.RegionID
	case regionID == 0 && len(st.Towns) > 0:
		regionID = st.Towns[0].RegionID
	}
	st.RegionID = regionID
	if st.Enterprises, err = s.Store.EnterpriseHoursBehind(ctx, a, regionID, 20); err != nil {
		return nil, err
	}
	if st.Classes, err = s.Store.ClassFills(ctx, a); err != nil {
		return nil, err
	}
	return st, nil
}

// HonestyFlags lists the spot-check flags in the actor's scope.
func (s *Service) HonestyFlags(ctx context.Context, a model.Actor, p model.Page) (model.List[model.HonestyFlag], error) {
	return s.Store.HonestyFlags(ctx, a, p)
}

// todaysWork fills an enterprise's self-inspection work for today.
func (s *Service) todaysWork(ctx context.Context, a model.Actor, w *model.Workbench, today model.Date) error {
	eid := w.Enterprise.ID
	var err error
	if w.InspectionsDue, err = s.Store.Occurrences(ctx, a, store.OccurrenceFilter{EnterpriseID: eid, Limit: 10,
		Statuses: []string{model.OccurrenceScheduled, model.OccurrenceInProgress, model.OccurrenceOverdue}}); err != nil {
		return err
	}
	l, err := s.Store.Tasks(ctx, a, model.TaskFilter{EnterpriseID: eid, Status: model.TaskOpen, Page: model.Page{Limit: 10}})
	if err != nil {
		return err
	}
	w.OpenTasks = l.Items
	os, err := s.Store.Obligations(ctx, a, eid)
	if err != nil {
		return err
	}
	soon := today.AddDays(30)
	for _, o := range os {
		if o.DoneAt == nil && o.DueOn <= soon {
			w.DutiesDue = append(w.DutiesDue, o)
		}
	}
	return nil
}
