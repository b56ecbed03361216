// Package service is the one place where the web UI and the JSON API meet
// the store: every action both faces perform, and every page that needs
// several reads, is one call here. A call takes the actor and the parsed
// input and returns the result with its rights (model.ClassRights,
// model.BookingRights, …): what this actor may do next. Rights come from
// the same model rules the store enforces inside its transactions, so a
// face shows an action exactly when the store would accept it.
//
// A call that is one store read with no rule stays a direct store call in
// the faces.
package service

import (
	"context"

	"github.com/envhome/envhome/internal/files"
	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/notify"
	"github.com/envhome/envhome/internal/store"
)

// Service holds what the calls need.
type Service struct {
	Store *store.Store
	Files *files.Service
	// Webhooks says where notice webhooks may go.
	Webhooks notify.WebhookPolicy
}

// New returns the service layer over st, keeping uploads with fs.
func New(st *store.Store, fs *files.Service, hooks notify.WebhookPolicy) *Service {
	return &Service{Store: st, Files: fs, Webhooks: hooks}
}

// SetNoticeChannels sets where the actor's notices are copied to; a
// webhook must be one the policy allows.
func (s *Service) SetNoticeChannels(ctx context.Context, a model.Actor, ch model.NoticeChannels) (*model.User, error) {
	if err := ch.Validate(); err != nil {
		return nil, err
	}
	if ch.WebhookURL != "" {
		if err := s.Webhooks.Check(ch.WebhookURL); err != nil {
			return nil, err
		}
	}
	return s.Store.SetNoticeChannels(ctx, a, ch)
}

// access works out what one actor is to classes and bookings, reading each
// fact (does the actor teach this course, which town is this enterprise
// in) once per call, however many items a list holds.
type access struct {
	st      *store.Store
	a       model.Actor
	teaches map[int64]bool  // course → the actor is one of its lecturers
	regions map[int64]int64 // enterprise → town
}

func (s *Service) access(a model.Actor) *access {
	return &access{st: s.Store, a: a} // the maps are made when a fact is read
}

func (c *access) teachesCourse(ctx context.Context, courseID int64) bool {
	if c.a.User == nil || c.a.User.Role != model.RoleLecturer {
		return false
	}
	t, ok := c.teaches[courseID]
	if !ok {
		t = c.st.Teaches(ctx, c.a, courseID)
		if c.teaches == nil {
			c.teaches = map[int64]bool{}
		}
		c.teaches[courseID] = t
	}
	return t
}

func (c *access) class(ctx context.Context, k *model.Class) model.Access {
	return c.a.ClassAccess(k, c.teachesCourse(ctx, k.CourseID))
}

func (c *access) booking(ctx context.Context, b *model.Booking, k *model.Class) model.Access {
	var region int64
	if c.a.Scope().RegionID != 0 {
		r, ok := c.regions[b.EnterpriseID]
		if !ok {
			r = c.st.EnterpriseRegion(ctx, b.EnterpriseID)
			if c.regions == nil {
				c.regions = map[int64]int64{}
			}
			c.regions[b.EnterpriseID] = r
		}
		region = r
	}
	return c.a.BookingAccess(k, c.teachesCourse(ctx, k.CourseID), b.EnterpriseID, region)
}

// CreateToken makes an API token for the actor's own account, if the
// bureau lets its role integrate (the bureau's accounts always may).
func (s *Service) CreateToken(ctx context.Context, a model.Actor, n model.NewToken) (*model.Token, string, error) {
	if a.User == nil || !s.Store.SecuritySettings(ctx).TokensAllowed(a.User.Role) {
		return nil, "", model.Errorf(model.ErrForbidden, "err.tokens_not_enabled")
	}
	if err := n.Validate(); err != nil {
		return nil, "", err
	}
	return s.Store.CreateToken(ctx, a, a.User.ID, n)
}
