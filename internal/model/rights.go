package model

import "time"

// The rules of the course supermarket, each stated once. A rule returns
// nil when the actor may act, or the error the store answers when it may
// not: not found when the actor has no business with the object (so that
// existence does not leak), a conflict when the object's state forbids it.
// The store calls a rule inside its transaction, on the rows it holds; the
// service layer calls the same rule to tell each face what the actor may do
// next (the rights), so a button is shown exactly when the store would
// accept its action.

// Check-in opens an hour before a class starts and closes an hour after it
// ends.
const (
	CheckInEarly = time.Hour
	CheckInLate  = time.Hour
)

// Access is what an actor is to a class and to one booking of it, from
// facts the store reads (the booking's enterprise and its town, the
// lecturers of the course).
type Access struct {
	// Owner acts for the booking's enterprise: the enterprise itself, or
	// staff whose scope holds it.
	Owner bool
	// Attendee is the booking's own enterprise account: the one that rates
	// the class (staff read ratings, they do not write them).
	Attendee bool
	// Organiser schedules the class: the bureau, or the association of the
	// Home's town.
	Organiser bool
	// Runner runs the class (checks people in, marks attendance, completes
	// it, reads feedback): an organiser or a lecturer of the course.
	Runner bool
}

// CanManageRegion reports whether the actor may create and change Homes,
// associations, enterprises and classes in a region: the bureau anywhere,
// an association in its own town.
func (a Actor) CanManageRegion(regionID int64) bool {
	s := a.Scope()
	return s.All || (s.RegionID != 0 && s.RegionID == regionID)
}

// ClassAccess is an actor's relation to a class; teaches says whether the
// actor is a lecturer of the class's course.
func (a Actor) ClassAccess(k *Class, teaches bool) Access {
	org := a.CanManageRegion(k.RegionID)
	return Access{Organiser: org, Runner: org || (teaches && a.User != nil && a.User.Role == RoleLecturer)}
}

// BookingAccess adds the actor's relation to a booking's enterprise, in
// the region enterpriseRegion.
func (a Actor) BookingAccess(k *Class, teaches bool, enterpriseID, enterpriseRegion int64) Access {
	ac := a.ClassAccess(k, teaches)
	s := a.Scope()
	ac.Attendee = s.EnterpriseID != 0 && s.EnterpriseID == enterpriseID
	ac.Owner = s.All || ac.Attendee || (s.RegionID != 0 && s.RegionID == enterpriseRegion)
	return ac
}

// Bookable says whether the class takes bookings at now.
func (k *Class) Bookable(now time.Time) error {
	switch {
	case k.CourseStatus == CourseDraft:
		return Errorf(ErrBookingClosed, "err.course_draft")
	case k.Status == ClassCancelled:
		return Errorf(ErrBookingClosed, "err.class_cancelled")
	case k.Status == ClassCompleted || !now.Before(k.StartsAt):
		return Errorf(ErrBookingClosed, "err.class_past")
	case now.Before(k.BookingOpensAt):
		return Errorf(ErrBookingClosed, "err.booking_not_open", k.BookingOpensAt.In(ChinaTime).Format("2006-01-02 15:04"))
	case !now.Before(k.BookingClosesAt):
		return Errorf(ErrBookingClosed, "err.booking_closed")
	}
	return nil
}

// BookingOpen reports whether the class takes bookings at now.
func (k *Class) BookingOpen(now time.Time) bool { return k.Bookable(now) == nil }

// Changeable says whether the actor may change or cancel the class: its
// organisers, while it is scheduled.
func (k *Class) Changeable(ac Access) error {
	if !ac.Organiser {
		return NotFound()
	}
	if k.Status != ClassScheduled {
		return Errorf(ErrConflict, "err.class_not_scheduled")
	}
	return nil
}

// Completable says whether the actor may complete the class: a runner,
// once a scheduled class has started.
func (k *Class) Completable(ac Access, now time.Time) error {
	if !ac.Runner {
		return NotFound()
	}
	if k.Status != ClassScheduled {
		return Errorf(ErrConflict, "err.class_not_scheduled")
	}
	if now.Before(k.StartsAt) {
		return Errorf(ErrConflict, "err.class_not_started")
	}
	return nil
}

// CheckInOpen reports whether now is within the class's check-in hours.
func (k *Class) CheckInOpen(now time.Time) bool {
	return !now.Before(k.StartsAt.Add(-CheckInEarly)) && !now.After(k.EndsAt.Add(CheckInLate))
}

// Scannable says whether the actor may scan people into the class now: a
// runner, during the check-in hours of a class that was neither cancelled
// nor completed.
func (k *Class) Scannable(ac Access, now time.Time) error {
	if !ac.Runner {
		return NotFound()
	}
	if k.Status == ClassCancelled {
		return Errorf(ErrConflict, "err.class_cancelled")
	}
	// A completed class has issued its hours; attendance is corrected
	// on the class page, not scanned.
	if k.Status == ClassCompleted {
		return Errorf(ErrConflict, "err.class_completed")
	}
	if !k.CheckInOpen(now) {
		return Errorf(ErrConflict, "err.checkin_closed")
	}
	return nil
}

// CheckInable says whether a scan records booking b at class k. During
// the check-in hours an already checked-in booking passes: the scan is
// answered as a duplicate and changes nothing.
func (b *Booking) CheckInable(k *Class, now time.Time) error {
	switch {
	case b.ClassID != k.ID:
		return Errorf(ErrConflict, "err.checkin_wrong_class")
	case k.Status == ClassCancelled:
		return Errorf(ErrConflict, "err.class_cancelled")
	case k.Status == ClassCompleted:
		return Errorf(ErrConflict, "err.class_completed")
	case b.Status != BookingConfirmed:
		return Errorf(ErrConflict, "err.checkin_not_confirmed")
	case !k.CheckInOpen(now):
		return Errorf(ErrConflict, "err.checkin_closed")
	}
	return nil
}

// Visible says whether the actor may see the booking at all.
func (b *Booking) Visible(ac Access) error {
	if !ac.Owner && !ac.Runner {
		return NotFound()
	}
	return nil
}

// Cancellable says whether the actor may cancel the booking (a seat, an
// offer, or a place on the waitlist): its enterprise until the class's
// cancellation deadline (a waitlist place at any time before the start),
// the class's organisers until the class starts.
func (b *Booking) Cancellable(ac Access, k *Class, now time.Time) error {
	if !ac.Owner && !ac.Organiser {
		return NotFound()
	}
	if b.Status == BookingCancelled {
		return Errorf(ErrConflict, "err.booking_cancelled")
	}
	if k.Status != ClassScheduled || !now.Before(k.StartsAt) {
		return Errorf(ErrConflict, "err.class_not_scheduled")
	}
	if b.Status != BookingWaitlisted && !ac.Organiser && !now.Before(k.CancelDeadline) {
		return Errorf(ErrConflict, "err.cancel_deadline_passed", k.CancelDeadline.In(ChinaTime).Format("2006-01-02 15:04"))
	}
	return nil
}

// OfferAcceptable says whether the actor may take up an offered seat: its
// enterprise, before the offer runs out.
func (b *Booking) OfferAcceptable(ac Access, now time.Time) error {
	if !ac.Owner {
		return NotFound()
	}
	if b.Status != BookingOffered || b.OfferExpiresAt == nil || !now.Before(*b.OfferExpiresAt) {
		return Errorf(ErrConflict, "err.no_offer")
	}
	return nil
}

// FeedbackAllowed says whether the actor may rate the class: the booking's
// own enterprise account, for an attended seat, once the class has ended.
// Staff who see the booking read the rating and may not write it.
func (b *Booking) FeedbackAllowed(ac Access, k *Class, now time.Time) error {
	if !ac.Owner && !ac.Runner {
		return NotFound()
	}
	if !ac.Attendee {
		return Errorf(ErrForbidden, "err.feedback_own")
	}
	if !Attended(b.Attendance) || b.Status != BookingConfirmed {
		return Errorf(ErrConflict, "err.feedback_not_attended")
	}
	if now.Before(k.EndsAt) {
		return Errorf(ErrConflict, "err.feedback_too_early")
	}
	return nil
}

// QRShowable says whether the booking's personal check-in code may be
// shown: to whoever sees the booking, for a confirmed seat only.
func (b *Booking) QRShowable(ac Access) error {
	if err := b.Visible(ac); err != nil {
		return err
	}
	if b.Status != BookingConfirmed {
		return Errorf(ErrConflict, "err.checkin_not_confirmed")
	}
	return nil
}

// AttendanceMarkable says whether the actor may mark the booking's
// attendance: a runner, for a confirmed seat of a class not cancelled.
func (b *Booking) AttendanceMarkable(ac Access, k *Class) error {
	if !ac.Runner {
		return NotFound()
	}
	if b.Status != BookingConfirmed {
		return Errorf(ErrConflict, "err.checkin_not_confirmed")
	}
	if k.Status == ClassCancelled {
		return Errorf(ErrConflict, "err.class_cancelled")
	}
	return nil
}

// Movable says whether the actor may reorder the waitlist at this
// booking: the bureau only, for a waitlisted booking.
func (b *Booking) Movable(a Actor) error {
	if !a.IsAdmin() {
		return Errorf(ErrForbidden, "err.forbidden")
	}
	if b.Status != BookingWaitlisted {
		return Errorf(ErrConflict, "err.not_waitlisted")
	}
	return nil
}

// ClassRights are what an actor may do next with a class.
type ClassRights struct {
	Book        bool `json:"book"`         // book a seat for a manager in scope
	Edit        bool `json:"edit"`         // change times, capacity, caps
	CancelClass bool `json:"cancel_class"` // cancel the class (notifies every booked enterprise)
	CheckIn     bool `json:"check_in"`     // scan people in, show the rotating code
	Complete    bool `json:"complete"`     // close the class and credit attendees
	Bookings    bool `json:"bookings"`     // see every booking and the feedback
}

// Rights computes a class's rights; canBook says whether the actor acts
// for any enterprise (the manager is chosen when booking).
func (k *Class) Rights(ac Access, canBook bool, now time.Time) *ClassRights {
	return &ClassRights{
		Book:        canBook && k.Bookable(now) == nil,
		Edit:        k.Changeable(ac) == nil,
		CancelClass: k.Changeable(ac) == nil,
		CheckIn:     k.Scannable(ac, now) == nil,
		Complete:    k.Completable(ac, now) == nil,
		Bookings:    ac.Runner,
	}
}

// BookingRights are what an actor may do next with a booking.
type BookingRights struct {
	Cancel        bool `json:"cancel"`         // give up a seat or an offer
	LeaveWaitlist bool `json:"leave_waitlist"` // leave the waitlist
	AcceptOffer   bool `json:"accept_offer"`
	Feedback      bool `json:"feedback"`
	QR            bool `json:"qr"`         // show the personal check-in code
	Attendance    bool `json:"attendance"` // mark present / late / excused / absent
	Move          bool `json:"move"`       // reorder the waitlist
}

// Rights computes a booking's rights.
func (b *Booking) Rights(a Actor, ac Access, k *Class, now time.Time) *BookingRights {
	cancel := b.Cancellable(ac, k, now) == nil
	return &BookingRights{
		Cancel:        cancel && b.Status != BookingWaitlisted,
		LeaveWaitlist: cancel && b.Status == BookingWaitlisted,
		AcceptOffer:   b.OfferAcceptable(ac, now) == nil,
		Feedback:      b.FeedbackAllowed(ac, k, now) == nil,
		QR:            b.QRShowable(ac) == nil,
		Attendance:    b.AttendanceMarkable(ac, k) == nil,
		Move:          b.Movable(a) == nil,
	}
}

// Courses, the directory and imports: the same pattern, rules the store
// enforces and rights the faces show.

// CourseEditable says whether the actor may change a course, attach its
// materials or turn a topic into one: the bureau only.
func CourseEditable(a Actor) error {
	if !a.IsAdmin() {
		return Errorf(ErrForbidden, "err.forbidden")
	}
	return nil
}

// Schedulable says whether the actor may put classes of the course on:
// the bureau and the associations (at their own towns' Homes, which
// Actor.CanManageRegion decides per Home), while the course is not
// archived.
func (c *Course) Schedulable(a Actor) error {
	if s := a.Scope(); !s.All && s.RegionID == 0 {
		return Errorf(ErrForbidden, "err.forbidden")
	}
	if c.Status == CourseArchived {
		return Errorf(ErrConflict, "err.course_archived")
	}
	return nil
}

// CourseRights are what an actor may do next with a course.
type CourseRights struct {
	Edit        bool `json:"edit"`
	AddMaterial bool `json:"add_material"`
	Schedule    bool `json:"schedule"` // put on a class (at a Home the actor manages)
}

// Rights computes a course's rights.
func (c *Course) Rights(a Actor) *CourseRights {
	edit := CourseEditable(a) == nil
	return &CourseRights{Edit: edit, AddMaterial: edit, Schedule: c.Schedulable(a) == nil}
}

// EnterprisePatchAllowed says whether the actor may make this change to an
// enterprise it can see: an enterprise account edits its own record but
// not its town, status or association (the staff over it decide those).
func EnterprisePatchAllowed(a Actor, p *EnterprisePatch) error {
	if a.Scope().EnterpriseID != 0 && (p.RegionID != nil || p.Status != nil || p.AssociationID != nil) {
		return Errorf(ErrForbidden, "err.forbidden")
	}
	return nil
}

// EnterpriseRights are what an actor may do next with an enterprise it
// can see.
type EnterpriseRights struct {
	Edit       bool `json:"edit"`        // its record
	Manage     bool `json:"manage"`      // its town, status and association
	AddManager bool `json:"add_manager"` // appoint a manager
}

// Rights computes an enterprise's rights for an actor who can see it.
func (e *Enterprise) Rights(a Actor) *EnterpriseRights {
	return &EnterpriseRights{Edit: true, AddManager: true,
		Manage: EnterprisePatchAllowed(a, &EnterprisePatch{Status: new(string)}) == nil && a.CanManageRegion(e.RegionID)}
}

// ManagerRights are what an actor may do next with a manager it can see.
type ManagerRights struct {
	Edit bool `json:"edit"` // the record and the status (with a reason)
	// Move to another enterprise: needs a second enterprise in scope,
	// which an enterprise account never has.
	Move bool `json:"move"`
	// DecideLink: confirm or reject its pending claim to be a person who
	// serves enterprises outside the adder's scope.
	DecideLink bool `json:"decide_link"`
}

// Rights computes a manager's rights for an actor who can see it.
func (m *Manager) Rights(a Actor) *ManagerRights {
	return &ManagerRights{Edit: true, Move: a.Scope().EnterpriseID == 0, DecideLink: a.CanDecideLink(m)}
}

// PresentTo fills the rights and hides a pending claim from whoever does
// not decide it: to the adder a pending manager looks like any new one.
func (m *Manager) PresentTo(a Actor) {
	m.Can = m.Rights(a)
	if m.Link != nil && m.Link.Status == LinkPending && !m.Can.DecideLink && !a.IsAdmin() {
		m.Link = nil
	}
}

// JobRights are what an actor may do next with a background job it can
// see (a roster import).
type JobRights struct {
	Report bool `json:"report"` // download the workbook with the bad cells marked
}
