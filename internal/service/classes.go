package service

import (
	"context"
	"time"

	"github.com/envhome/envhome/internal/model"
	"github.com/envhome/envhome/internal/store"
)

// classRights sets k.Can for the actor.
func (s *Service) classRights(ctx context.Context, c *access, k *model.Class) *model.Class {
	if k != nil {
		k.Can = k.Rights(c.class(ctx, k), !c.a.Scope().None(), s.Store.Now())
	}
	return k
}

func (s *Service) withClassRights(ctx context.Context, a model.Actor, k *model.Class, err error) (*model.Class, error) {
	if err != nil {
		return nil, err
	}
	return s.classRights(ctx, s.access(a), k), nil
}

// Class returns a class with the actor's rights.
func (s *Service) Class(ctx context.Context, a model.Actor, id int64) (*model.Class, error) {
	k, err := s.Store.Class(ctx, a, id)
	return s.withClassRights(ctx, a, k, err)
}

// Classes lists classes, each with the actor's rights.
func (s *Service) Classes(ctx context.Context, a model.Actor, f store.ClassFilter) ([]*model.Class, error) {
	ks, err := s.Store.Classes(ctx, a, f)
	if err != nil {
		return nil, err
	}
	c := s.access(a)
	for _, k := range ks {
		s.classRights(ctx, c, k)
	}
	return ks, nil
}

// CreateClass schedules a class of a course.
func (s *Service) CreateClass(ctx context.Context, a model.Actor, courseID int64, in model.ClassInput) (*model.Class, error) {
	k, err := s.Store.CreateClass(ctx, a, courseID, in)
	return s.withClassRights(ctx, a, k, err)
}

// UpdateClass changes a scheduled class.
func (s *Service) UpdateClass(ctx context.Context, a model.Actor, id int64, p model.ClassPatch) (*model.Class, error) {
	k, err := s.Store.UpdateClass(ctx, a, id, p)
	return s.withClassRights(ctx, a, k, err)
}

// CancelClass cancels a class and notifies every booked enterprise.
func (s *Service) CancelClass(ctx context.Context, a model.Actor, id int64, reason string) (*model.Class, error) {
	k, err := s.Store.CancelClass(ctx, a, id, reason)
	return s.withClassRights(ctx, a, k, err)
}

// CompleteClass closes a class and credits its attendees.
func (s *Service) CompleteClass(ctx context.Context, a model.Actor, id int64) (*model.Class, error) {
	k, err := s.Store.CompleteClass(ctx, a, id)
	return s.withClassRights(ctx, a, k, err)
}

// ClassPage is everything a class's page shows to one actor.
type ClassPage struct {
	Class *model.Class
	// Bookings are the live bookings the actor may see: all of them for
	// the class's runners, its own enterprises' for anyone else.
	Bookings []*model.Booking
	// Managers are the asking enterprise's active managers, to book for.
	Managers []*model.Manager
	// Feedback is the class's ratings, for its runners.
	Feedback *model.FeedbackSummary
}

// ClassPage gathers a class's page.
func (s *Service) ClassPage(ctx context.Context, a model.Actor, id int64) (*ClassPage, error) {
	k, err := s.Store.Class(ctx, a, id)
	if err != nil {
		return nil, err
	}
	c := s.access(a)
	p := &ClassPage{Class: s.classRights(ctx, c, k)}
	if a.User == nil {
		return p, nil
	}
	if k.Can.Bookings || !a.Scope().None() {
		if p.Bookings, err = s.classBookings(ctx, c, k); err != nil {
			return nil, err
		}
	}
	if ent := a.Scope().EnterpriseID; ent != 0 {
		ms, err := s.Store.Managers(ctx, a, ent)
		if err != nil {
			return nil, err
		}
		for _, m := range ms {
			if m.Status == model.ManagerActive {
				p.Managers = append(p.Managers, m)
			}
		}
	}
	if k.Can.Bookings {
		if p.Feedback, err = s.Store.ClassFeedback(ctx, a, id); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// RunnerClass returns a class for one of its runners (the check-in
// pages); anyone else finds nothing.
func (s *Service) RunnerClass(ctx context.Context, a model.Actor, id int64) (*model.Class, error) {
	k, err := s.Class(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if !k.Can.Bookings {
		return nil, model.NotFound()
	}
	return k, nil
}

// CheckIn records a scanned personal code at a class.
func (s *Service) CheckIn(ctx context.Context, a model.Actor, classID int64, code string) (*model.CheckIn, error) {
	return s.Store.CheckIn(ctx, a, classID, code)
}

// SelfCheckIn checks in a manager who scanned the class's rotating code.
func (s *Service) SelfCheckIn(ctx context.Context, a model.Actor, classID, bookingID int64, rotating string) (*model.CheckIn, error) {
	return s.Store.SelfCheckIn(ctx, a, classID, bookingID, rotating)
}

// RotatingCode returns a class's current self check-in code, for its
// runners, and when it changes.
func (s *Service) RotatingCode(ctx context.Context, a model.Actor, classID int64) (string, time.Time, error) {
	k, err := s.Store.Class(ctx, a, classID)
	if err != nil {
		return "", time.Time{}, err
	}
	return s.Store.RotatingCode(ctx, a, k)
}
