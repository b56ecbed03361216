package model

import (
	"math"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Course categories (the API's values).
var CourseCategories = []string{"carbon", "law", "permit", "wastewater", "air", "waste", "noise", "emergency", "monitoring", "other"}

// Course statuses: a draft is not in the public catalogue; an archived
// course keeps its history but takes no new classes.
const (
	CourseDraft     = "draft"
	CoursePublished = "published"
	CourseArchived  = "archived"
)

var CourseStatuses = []string{CourseDraft, CoursePublished, CourseArchived}

// Lecturer affiliations.
var AffiliationKinds = []string{"university", "institute", "company", "bureau"}

// Lecturer is an expert who teaches classes; UserID links the lecturer's
// account, which sees the lecturer's own classes.
type Lecturer struct {
	ID              int64     `json:"id"`
	UserID          *int64    `json:"user_id"`
	Name            string    `json:"name"`
	AffiliationKind string    `json:"affiliation_kind"`
	Affiliation     string    `json:"affiliation"`
	Title           string    `json:"title"`
	Tags            []string  `json:"tags"`
	Bio             string    `json:"bio"`
	HasPhoto        bool      `json:"has_photo"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// Normalize tidies a lecturer from a form or JSON.
func (l *Lecturer) Normalize() {
	l.Name = strings.TrimSpace(l.Name)
	l.Affiliation = strings.TrimSpace(l.Affiliation)
	l.Title = strings.TrimSpace(l.Title)
	l.Bio = strings.TrimSpace(l.Bio)
	l.Tags = cleanList(l.Tags)
	if l.Tags == nil {
		l.Tags = []string{}
	}
}

// Validate checks a lecturer after Normalize.
func (l *Lecturer) Validate() error {
	v := Validation{}
	requiredText(v, "name", l.Name, 32)
	if !slices.Contains(AffiliationKinds, l.AffiliationKind) {
		v.Add("affiliation_kind", "err.field.choice")
	}
	optionalText(v, "affiliation", &l.Affiliation, 64)
	optionalText(v, "title", &l.Title, 32)
	multiLineText(v, "bio", &l.Bio, 2000)
	if len(l.Tags) > 10 {
		v.Add("tags", "err.field.too_many")
	}
	for _, t := range l.Tags {
		if len([]rune(t)) > 16 {
			v.Add("tags", "err.field.too_long")
		}
	}
	return v.Err()
}

// cleanList splits items on commas (ASCII or Chinese), trims them and drops
// empty ones and repeats.
func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		for _, p := range strings.FieldsFunc(FoldWidth(s), func(r rune) bool { return r == ',' || r == '、' || r == '，' }) {
			p = strings.TrimSpace(p)
			if p != "" && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// SplitList reads a comma-separated form field into a clean list.
func SplitList(s string) []string { return cleanList([]string{s}) }

// Course is an entry of the catalogue.
type Course struct {
	ID          int64      `json:"id"`
	Title       string     `json:"title"`
	Category    string     `json:"category"`
	Description string     `json:"description"`
	CreditHours float64    `json:"credit_hours"`
	Industries  []string   `json:"industries"` // GB/T 4754 code prefixes; empty: all
	Status      string     `json:"status"`
	TopicID     *int64     `json:"topic_id"`
	LecturerIDs []int64    `json:"lecturer_ids"`
	Lecturers   []Lecturer `json:"lecturers,omitempty"`
	Materials   []Material `json:"materials,omitempty"`
	Upcoming    []Class    `json:"upcoming_classes,omitempty"`
	// Cites are the law library's articles the course teaches.
	Cites     []ArticleRef `json:"cites,omitempty"`
	CreatedAt time.Time    `json:"created_at"`
	UpdatedAt time.Time    `json:"updated_at"`
	// Can is what the asking actor may do next with the course.
	Can *CourseRights `json:"can,omitempty"`
}

// Normalize tidies a course from a form or JSON.
func (c *Course) Normalize() {
	c.Title = strings.TrimSpace(c.Title) // as written: （） and ： are Chinese punctuation
	c.Description = strings.TrimSpace(c.Description)
	c.Industries = cleanList(c.Industries)
	for i, s := range c.Industries {
		c.Industries[i] = strings.ToUpper(s)
	}
	if c.Industries == nil {
		c.Industries = []string{}
	}
	if c.Status == "" {
		c.Status = CoursePublished
	}
	slices.Sort(c.LecturerIDs)
	c.LecturerIDs = slices.Compact(c.LecturerIDs)
}

// Validate checks a course after Normalize.
func (c *Course) Validate() error {
	v := Validation{}
	requiredText(v, "title", c.Title, 64)
	if !slices.Contains(CourseCategories, c.Category) {
		v.Add("category", "err.field.choice")
	}
	multiLineText(v, "description", &c.Description, 5000)
	if err := ValidRefs(c.Cites); err != "" {
		v.Add("cites", err)
	}
	validHours(v, "credit_hours", c.CreditHours)
	if !slices.Contains(CourseStatuses, c.Status) {
		v.Add("status", "err.field.choice")
	}
	for _, s := range c.Industries {
		if !industryPrefixRE.MatchString(s) {
			v.Add("industries", "err.field.industry")
		}
	}
	if len(c.LecturerIDs) > 10 {
		v.Add("lecturer_ids", "err.field.too_many")
	}
	return v.Err()
}

// industryPrefixRE is an industry code or a prefix of one (C, C39, C398).
var industryPrefixRE = regexp.MustCompile(`^[A-T]([0-9]{1,4})?$`)

// validHours accepts 0.5 to 40 hours in half hours.
func validHours(v Validation, field string, h float64) {
	if h < 0.5 || h > 40 || math.IsNaN(h) || h*2 != math.Trunc(h*2) {
		v.Add(field, "err.field.hours")
	}
}

// Material is a file attached to a course (slides, handouts).
type Material struct {
	ID          int64     `json:"id"`
	CourseID    int64     `json:"course_id"`
	Name        string    `json:"name"`
	Size        int64     `json:"size"`
	ContentType string    `json:"content_type"`
	CreatedAt   time.Time `json:"created_at"`
	File        string    `json:"-"`
}

// CourseFilter narrows the catalogue.
type CourseFilter struct {
	Query      string
	Category   string
	LecturerID *int64
	RegionID   *int64 // town of the Home where a class is held
	From, To   *Date  // a class on these days (China time)
	Status     string // "" means published (the public catalogue)
}

// ParseCourseFilter reads the catalogue's query parameters.
func ParseCourseFilter(q url.Values) (CourseFilter, error) {
	v := Validation{}
	f := CourseFilter{Query: strings.TrimSpace(FoldWidth(q.Get("q")))}
	if len([]rune(f.Query)) > 64 {
		v.Add("q", "err.field.too_long")
	}
	f.Category = choice(v, "category", q.Get("category"), CourseCategories)
	f.Status = choice(v, "status", q.Get("status"), append([]string{"all"}, CourseStatuses...))
	f.LecturerID = parseID(v, "lecturer", q.Get("lecturer"))
	f.RegionID = parseID(v, "region", q.Get("region"))
	for field, dst := range map[string]**Date{"from": &f.From, "to": &f.To} {
		if s := strings.TrimSpace(q.Get(field)); s != "" {
			d, ok := ParseDate(s)
			if !ok {
				v.Add(field, "err.field.date")
				continue
			}
			*dst = &d
		}
	}
	return f, v.Err()
}

// Class statuses.
const (
	ClassScheduled = "scheduled"
	ClassCancelled = "cancelled"
	ClassCompleted = "completed"
)

// Class is a course held at a Home's room at a time.
type Class struct {
	ID                 int64     `json:"id"`
	CourseID           int64     `json:"course_id"`
	CourseTitle        string    `json:"course_title"`
	Category           string    `json:"category"`
	HomeID             int64     `json:"home_id"`
	HomeName           string    `json:"home_name"`
	RegionID           int64     `json:"region_id"`
	RoomID             *int64    `json:"room_id"`
	RoomName           string    `json:"room_name"`
	StartsAt           time.Time `json:"starts_at"`
	EndsAt             time.Time `json:"ends_at"`
	Capacity           int       `json:"capacity"`
	Confirmed          int       `json:"confirmed"` // confirmed and offered seats
	Waitlisted         int       `json:"waitlisted"`
	SeatsLeft          int       `json:"seats_left"`
	PerEnterpriseLimit int       `json:"per_enterprise_limit"`
	BookingOpensAt     time.Time `json:"booking_opens_at"`
	BookingClosesAt    time.Time `json:"booking_closes_at"`
	CancelDeadline     time.Time `json:"cancel_deadline"`
	CreditHours        float64   `json:"credit_hours"`
	Status             string    `json:"status"`
	CourseStatus       string    `json:"-"`
	UpdatedAt          time.Time `json:"updated_at"`
	// Can is what the asking actor may do next with the class.
	Can *ClassRights `json:"can,omitempty"`
}

// ClassInput creates or changes a class. Times are RFC 3339.
type ClassInput struct {
	HomeID             int64      `json:"home_id"`
	RoomID             *int64     `json:"room_id"`
	StartsAt           time.Time  `json:"starts_at"`
	EndsAt             time.Time  `json:"ends_at"`
	Capacity           int        `json:"capacity"`
	PerEnterpriseLimit int        `json:"per_enterprise_limit"`
	BookingOpensAt     *time.Time `json:"booking_opens_at"`
	BookingClosesAt    *time.Time `json:"booking_closes_at"`
	CancelDeadline     *time.Time `json:"cancel_deadline"`
}

// MaxClassSize is the largest small class.
const MaxClassSize = 200

// Normalize fills the defaults: booking opens now and closes when the class
// starts; cancellation is allowed until 24 hours before.
func (in *ClassInput) Normalize(now time.Time) {
	if in.BookingOpensAt == nil {
		t := now
		in.BookingOpensAt = &t
	}
	if in.BookingClosesAt == nil {
		t := in.StartsAt
		in.BookingClosesAt = &t
	}
	if in.CancelDeadline == nil {
		t := in.StartsAt.Add(-24 * time.Hour)
		if t.Before(*in.BookingOpensAt) {
			t = in.StartsAt
		}
		in.CancelDeadline = &t
	}
}

// Validate checks a class after Normalize.
func (in *ClassInput) Validate() error {
	v := Validation{}
	if in.HomeID <= 0 {
		v.Add("home_id", "err.field.required")
	}
	if in.StartsAt.IsZero() {
		v.Add("starts_at", "err.field.required")
	}
	if in.EndsAt.IsZero() {
		v.Add("ends_at", "err.field.required")
	} else if !in.EndsAt.After(in.StartsAt) {
		v.Add("ends_at", "err.field.ends_before_start")
	} else if in.EndsAt.Sub(in.StartsAt) > 12*time.Hour {
		v.Add("ends_at", "err.field.class_too_long")
	}
	if in.Capacity < 1 || in.Capacity > MaxClassSize {
		v.Add("capacity", "err.field.capacity")
	}
	if in.PerEnterpriseLimit < 0 || in.PerEnterpriseLimit > MaxClassSize {
		v.Add("per_enterprise_limit", "err.field.per_enterprise_limit")
	}
	if !in.BookingClosesAt.After(*in.BookingOpensAt) {
		v.Add("booking_closes_at", "err.field.ends_before_start")
	} else if in.BookingClosesAt.After(in.EndsAt) {
		v.Add("booking_closes_at", "err.field.after_class")
	}
	if in.CancelDeadline.After(in.StartsAt) {
		v.Add("cancel_deadline", "err.field.after_class")
	}
	return v.Err()
}

// ClassPatch changes a scheduled class. Lowering the capacity below the
// confirmed seats is refused unless Demote names who moves to the waitlist.
type ClassPatch struct {
	StartsAt           *time.Time `json:"starts_at"`
	EndsAt             *time.Time `json:"ends_at"`
	Capacity           *int       `json:"capacity"`
	PerEnterpriseLimit *int       `json:"per_enterprise_limit"`
	BookingOpensAt     *time.Time `json:"booking_opens_at"`
	BookingClosesAt    *time.Time `json:"booking_closes_at"`
	CancelDeadline     *time.Time `json:"cancel_deadline"`
	Demote             []int64    `json:"demote_booking_ids"`
	Reason             string     `json:"reason"`
}

// Input applies the patch to a class's current values.
func (p *ClassPatch) Input(c *Class) ClassInput {
	in := ClassInput{HomeID: c.HomeID, RoomID: c.RoomID, StartsAt: c.StartsAt, EndsAt: c.EndsAt, Capacity: c.Capacity,
		PerEnterpriseLimit: c.PerEnterpriseLimit}
	opens, closes, deadline := c.BookingOpensAt, c.BookingClosesAt, c.CancelDeadline
	in.BookingOpensAt, in.BookingClosesAt, in.CancelDeadline = &opens, &closes, &deadline
	setT := func(dst *time.Time, src *time.Time) {
		if src != nil {
			*dst = *src
		}
	}
	setT(&in.StartsAt, p.StartsAt)
	setT(&in.EndsAt, p.EndsAt)
	setT(in.BookingOpensAt, p.BookingOpensAt)
	setT(in.BookingClosesAt, p.BookingClosesAt)
	setT(in.CancelDeadline, p.CancelDeadline)
	if p.Capacity != nil {
		in.Capacity = *p.Capacity
	}
	if p.PerEnterpriseLimit != nil {
		in.PerEnterpriseLimit = *p.PerEnterpriseLimit
	}
	return in
}

// Booking statuses. An offered seat is held for a waitlisted manager until
// the offer expires (the bureau's "offer" waitlist mode).
const (
	BookingConfirmed  = "confirmed"
	BookingWaitlisted = "waitlisted"
	BookingOffered    = "offered"
	BookingCancelled  = "cancelled"
)

// Attendance statuses (Moodle's four).
const (
	AttendancePresent = "present"
	AttendanceLate    = "late"
	AttendanceExcused = "excused"
	AttendanceAbsent  = "absent"
)

var AttendanceStatuses = []string{AttendancePresent, AttendanceLate, AttendanceExcused, AttendanceAbsent}

// Attended reports whether an attendance status earns credit hours.
func Attended(s string) bool { return s == AttendancePresent || s == AttendanceLate }

// Booking is one manager's seat (or place on the waitlist) in a class.
type Booking struct {
	ID               int64      `json:"id"`
	ClassID          int64      `json:"class_id"`
	ManagerID        int64      `json:"manager_id"`
	PersonID         int64      `json:"person_id"`
	EnterpriseID     int64      `json:"enterprise_id"`
	ManagerName      string     `json:"manager_name"`
	EnterpriseName   string     `json:"enterprise_name"`
	Status           string     `json:"status"`
	WaitlistPosition *int       `json:"waitlist_position"`
	OfferExpiresAt   *time.Time `json:"offer_expires_at,omitempty"`
	Code             string     `json:"code,omitempty"` // the check-in code, for the enterprise and staff
	Attendance       string     `json:"attendance"`
	CheckedInAt      *time.Time `json:"checked_in_at"`
	CreatedAt        time.Time  `json:"created_at"`
	UpdatedAt        time.Time  `json:"updated_at"`
	// Created is false when booking again returned an existing booking.
	Created bool `json:"-"`
	// Class is filled on lists of one manager's or enterprise's bookings.
	Class *Class `json:"class,omitempty"`
	// Can is what the asking actor may do next with the booking.
	Can *BookingRights `json:"can,omitempty"`
}

// CheckIn is the answer to a scan.
type CheckIn struct {
	Booking   *Booking `json:"booking"`
	Duplicate bool     `json:"duplicate"` // already checked in: nothing changed
}

// Waitlist modes: promote the first waitlisted at once, or offer the seat
// for a set time.
const (
	WaitlistAuto  = "auto"
	WaitlistOffer = "offer"
)

// TrainingSettings are the bureau's choices for the course supermarket.
type TrainingSettings struct {
	RequiredHours float64 `json:"required_hours"` // per manager per year
	WaitlistMode  string  `json:"waitlist_mode"`
	OfferHours    int     `json:"offer_hours"`
	LateMinutes   int     `json:"late_minutes"` // check-in later than this after the start is late
	// QuizCredit counts passed quizzes' hours beside classes (off by default).
	QuizCredit bool `json:"quiz_credit"`
}

// DefaultTrainingSettings follow the safety-training model: 12 hours a year.
func DefaultTrainingSettings() TrainingSettings {
	return TrainingSettings{RequiredHours: 12, WaitlistMode: WaitlistAuto, OfferHours: 24, LateMinutes: 15}
}

// Validate checks settings.
func (t *TrainingSettings) Validate() error {
	v := Validation{}
	if t.RequiredHours < 0 || t.RequiredHours > 200 || t.RequiredHours*2 != math.Trunc(t.RequiredHours*2) {
		v.Add("required_hours", "err.field.hours")
	}
	if t.WaitlistMode != WaitlistAuto && t.WaitlistMode != WaitlistOffer {
		v.Add("waitlist_mode", "err.field.choice")
	}
	if t.OfferHours < 1 || t.OfferHours > 72 {
		v.Add("offer_hours", "err.field.offer_hours")
	}
	if t.LateMinutes < 0 || t.LateMinutes > 120 {
		v.Add("late_minutes", "err.field.late_minutes")
	}
	return v.Err()
}

// CreditRecord is one attended class in a person's history.
type CreditRecord struct {
	BookingID       int64     `json:"booking_id"`
	ClassID         int64     `json:"class_id"`
	CourseTitle     string    `json:"course_title"`
	Category        string    `json:"category"`
	StartsAt        time.Time `json:"starts_at"`
	Hours           float64   `json:"hours"`
	Attendance      string    `json:"attendance"`
	EnterpriseName  string    `json:"enterprise_name"`
	CertificateCode string    `json:"certificate_code"`
}

// CreditProgress is one manager's hours in a year.
type CreditProgress struct {
	ManagerID      int64   `json:"manager_id"`
	PersonID       int64   `json:"person_id"`
	Name           string  `json:"name"`
	EnterpriseID   int64   `json:"enterprise_id"`
	EnterpriseName string  `json:"enterprise_name"`
	RegionName     string  `json:"region_name"`
	Year           int     `json:"year"`
	Hours          float64 `json:"hours"`
	Required       float64 `json:"required"`
	// OtherHours and OtherClasses are what the person attended for
	// enterprises outside the asker's scope: counted in Hours, listed
	// only as these totals.
	OtherHours   float64 `json:"other_hours"`
	OtherClasses int     `json:"other_classes"`
}

// Percent is the share of the requirement done, at most 100.
func (p CreditProgress) Percent() int {
	if p.Required <= 0 {
		return 100
	}
	return int(math.Min(100, p.Hours*100/p.Required))
}

// Feedback is an attendee's rating of a class.
type Feedback struct {
	BookingID   int64     `json:"booking_id"`
	ClassID     int64     `json:"class_id"`
	Rating      int       `json:"rating"`
	Comment     string    `json:"comment"`
	CreatedAt   time.Time `json:"created_at"`
	ManagerName string    `json:"manager_name,omitempty"`
}

// Validate checks feedback.
func (f *Feedback) Validate() error {
	v := Validation{}
	if f.Rating < 1 || f.Rating > 5 {
		v.Add("rating", "err.field.rating")
	}
	multiLineText(v, "comment", &f.Comment, 500)
	return v.Err()
}

// FeedbackSummary is what lecturers and the bureau see of a class.
type FeedbackSummary struct {
	Count    int        `json:"count"`
	Average  float64    `json:"average"`
	Comments []Feedback `json:"comments"`
}

// Certificate certifies one completed attendance.
type Certificate struct {
	ID             int64     `json:"id"`
	BookingID      int64     `json:"booking_id"`
	Code           string    `json:"code"`
	PersonName     string    `json:"person_name"`
	EnterpriseName string    `json:"enterprise_name"`
	CourseTitle    string    `json:"course_title"`
	CreditHours    float64   `json:"credit_hours"`
	ClassDate      Date      `json:"class_date"`
	HomeName       string    `json:"home_name"`
	IssuedAt       time.Time `json:"issued_at"`
}

// Topic statuses.
const (
	TopicOpen    = "open"
	TopicAdopted = "adopted"
)

// Topic is a course enterprises ask for (点单).
type Topic struct {
	ID          int64     `json:"id"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Votes       int       `json:"votes"`
	Status      string    `json:"status"`
	CourseID    *int64    `json:"course_id"`
	Voted       bool      `json:"voted"` // by the asking enterprise
	CreatedAt   time.Time `json:"created_at"`
}

// Validate checks a proposed topic.
func (t *Topic) Validate() error {
	v := Validation{}
	t.Title = strings.TrimSpace(t.Title)
	requiredText(v, "title", t.Title, 64)
	multiLineText(v, "description", &t.Description, 1000)
	return v.Err()
}

// Notification is one notice in a user's notification centre. Args fill
// the kind's message in the reader's language.
type Notification struct {
	ID        int64             `json:"id"`
	Kind      string            `json:"kind"`
	Args      map[string]string `json:"args"`
	Link      string            `json:"link"`
	CreatedAt time.Time         `json:"created_at"`
	ReadAt    *time.Time        `json:"read_at"`
	Text      string            `json:"text"` // rendered in the reader's language
}

// Delivery is an outgoing copy of a notification.
type Delivery struct {
	ID             int64
	NotificationID int64
	Channel        string // "email" or "webhook"
	Target         string
	Attempts       int
	Notification   Notification
	Language       string
}

// ParseYear reads ?year=, defaulting to the current year in China.
func ParseYear(s string, now time.Time) (int, error) {
	if s == "" {
		return now.In(ChinaTime).Year(), nil
	}
	y, err := strconv.Atoi(s)
	if err != nil || y < 2000 || y > 2100 {
		return 0, (Validation{"year": "err.field.year"}).Err()
	}
	return y, nil
}

// YearBounds returns the first instant of year and of the next, China time.
func YearBounds(year int) (time.Time, time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, ChinaTime), time.Date(year+1, 1, 1, 0, 0, 0, 0, ChinaTime)
}

// RegionStat is one town's figures for a year on the workbenches.
type RegionStat struct {
	RegionID   int64  `json:"region_id"`
	RegionName string `json:"region_name"`
	Year       int    `json:"year"`
	// Enterprises open for business, and those of them with no manager.
	Enterprises    int `json:"enterprises"`
	WithoutManager int `json:"without_manager"`
	// Active managers, and those short of the year's hours.
	Managers int `json:"managers"`
	Behind   int `json:"behind"`
	// Hours counted towards the requirement (each manager's capped at
	// it) and the hours required of all.
	Hours      float64   `json:"hours"`
	Required   float64   `json:"required"`
	ComputedAt time.Time `json:"computed_at"`
}

// Percent is the share of the required hours done, 0–100.
func (s RegionStat) Percent() int {
	if s.Required <= 0 {
		return 100
	}
	return int(s.Hours / s.Required * 100)
}

// Totals adds up towns into the county's figures.
func Totals(stats []RegionStat) RegionStat {
	var t RegionStat
	for _, s := range stats {
		t.Enterprises += s.Enterprises
		t.WithoutManager += s.WithoutManager
		t.Managers += s.Managers
		t.Behind += s.Behind
		t.Hours += s.Hours
		t.Required += s.Required
		t.Year = s.Year
		if t.ComputedAt.IsZero() || s.ComputedAt.Before(t.ComputedAt) {
			t.ComputedAt = s.ComputedAt
		}
	}
	return t
}
