package service

import (
	"context"

	"github.com/envhome/envhome/internal/model"
)

// bookingRights sets b.Can (and its class's) for the actor; k is the
// booking's class when b.Class is not filled.
func (s *Service) bookingRights(ctx context.Context, c *access, b *model.Booking, k *model.Class) *model.Booking {
	if k == nil {
		k = b.Class
	}
	b.Can = b.Rights(c.a, c.booking(ctx, b, k), k, s.Store.Now())
	if b.Class != nil && b.Class.Can == nil {
		s.classRights(ctx, c, b.Class)
	}
	return b
}

func (s *Service) withBookingRights(ctx context.Context, a model.Actor, b *model.Booking, err error) (*model.Booking, error) {
	if err != nil {
		return nil, err
	}
	return s.bookingRights(ctx, s.access(a), b, nil), nil
}

// Book takes a seat (or a waitlist place) in a class for a manager. The
// answer is the booking with its rights; the class, whose facts the store
// read under its lock for them, is not repeated.
func (s *Service) Book(ctx context.Context, a model.Actor, classID, managerID int64) (*model.Booking, error) {
	b, err := s.Store.Book(ctx, a, classID, managerID)
	if err == nil && (b.Class == nil || a.Scope().RegionID != 0) {
		// The store read no town under its lock: an association's rights
		// depend on it (and booking again after a lost race returns the
		// stored booking without its class).
		b.Class, err = s.Store.Class(ctx, a, classID)
	}
	if err != nil {
		return nil, err
	}
	k := b.Class
	b.Can = b.Rights(a, s.access(a).booking(ctx, b, k), k, s.Store.Now())
	b.Class = nil
	return b, nil
}

// Booking returns a booking with its class and the actor's rights.
func (s *Service) Booking(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	b, err := s.Store.Booking(ctx, a, id)
	return s.withBookingRights(ctx, a, b, err)
}

// CancelBooking gives up a seat or an offer, or leaves the waitlist.
func (s *Service) CancelBooking(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	b, err := s.Store.CancelBooking(ctx, a, id)
	return s.withBookingRights(ctx, a, b, err)
}

// AcceptOffer confirms a seat offered from the waitlist.
func (s *Service) AcceptOffer(ctx context.Context, a model.Actor, id int64) (*model.Booking, error) {
	b, err := s.Store.AcceptOffer(ctx, a, id)
	return s.withBookingRights(ctx, a, b, err)
}

// SetAttendance marks a booking's attendance.
func (s *Service) SetAttendance(ctx context.Context, a model.Actor, id int64, att string) (*model.Booking, error) {
	b, err := s.Store.SetAttendance(ctx, a, id, att)
	return s.withBookingRights(ctx, a, b, err)
}

// MoveInWaitlist reorders the waitlist, with a reason.
func (s *Service) MoveInWaitlist(ctx context.Context, a model.Actor, id int64, to int, reason string) (*model.Booking, error) {
	b, err := s.Store.MoveInWaitlist(ctx, a, id, to, reason)
	return s.withBookingRights(ctx, a, b, err)
}

// GiveFeedback rates an attended class.
func (s *Service) GiveFeedback(ctx context.Context, a model.Actor, id int64, f model.Feedback) (*model.Feedback, error) {
	return s.Store.GiveFeedback(ctx, a, id, f)
}

// BookingCode returns the personal check-in code of a confirmed booking,
// for its QR image; the same refusal on both faces otherwise.
func (s *Service) BookingCode(ctx context.Context, a model.Actor, id int64) (string, error) {
	b, err := s.Store.Booking(ctx, a, id)
	if err != nil {
		return "", err
	}
	c := s.access(a)
	if err := b.QRShowable(c.booking(ctx, b, b.Class)); err != nil {
		return "", err
	}
	return b.Code, nil
}

// ClassBookings lists the live bookings of a class that the actor may
// see, each with its rights.
func (s *Service) ClassBookings(ctx context.Context, a model.Actor, classID int64) ([]*model.Booking, error) {
	k, err := s.Store.Class(ctx, a, classID)
	if err != nil {
		return nil, err
	}
	return s.classBookings(ctx, s.access(a), k)
}

func (s *Service) classBookings(ctx context.Context, c *access, k *model.Class) ([]*model.Booking, error) {
	bs, err := s.Store.ClassBookings(ctx, c.a, k.ID)
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		s.bookingRights(ctx, c, b, k)
	}
	return bs, nil
}

// EnterpriseBookings lists the bookings of the enterprises in the actor's
// scope (of one manager when managerID is set), each with its class and
// rights.
func (s *Service) EnterpriseBookings(ctx context.Context, a model.Actor, managerID *int64, limit int) ([]*model.Booking, error) {
	bs, err := s.Store.EnterpriseBookings(ctx, a, managerID, limit)
	if err != nil {
		return nil, err
	}
	c := s.access(a)
	for _, b := range bs {
		s.bookingRights(ctx, c, b, nil)
	}
	return bs, nil
}

// BookingPage is everything a booking's page shows to one actor.
type BookingPage struct {
	Booking     *model.Booking
	Certificate *model.Certificate // once the class is completed and attended
	// CanCalendar: the actor acts for the booking's enterprise and may turn
	// the manager's calendar feed on or off; CalendarOn: it is on.
	CanCalendar, CalendarOn bool
}

// BookingPage gathers a booking's page.
func (s *Service) BookingPage(ctx context.Context, a model.Actor, id int64) (*BookingPage, error) {
	c := s.access(a)
	b, err := s.Store.Booking(ctx, a, id)
	if err != nil {
		return nil, err
	}
	s.bookingRights(ctx, c, b, nil)
	p := &BookingPage{Booking: b}
	if cert, err := s.Store.CertificateForBooking(ctx, a, id); err == nil {
		p.Certificate = cert
	} else if !model.IsCode(err, model.ErrNotFound) {
		return nil, err
	}
	if c.booking(ctx, b, b.Class).Owner {
		p.CanCalendar = true
		if p.CalendarOn, err = s.Store.HasCalendarFeed(ctx, a, b.ManagerID); err != nil {
			return nil, err
		}
	}
	return p, nil
}
