package model

import "slices"

// NoticeKind is a kind of notice a domain sends: its name (the catalogue
// key is "notice."+Name) and the arguments its text takes, in the order
// of the text's %[n]s verbs.
type NoticeKind struct {
	Name string
	Args []string
}

// The course supermarket's notices.
var (
	NoticePromoted       = NoticeKind{"promoted", bookingNoticeArgs}
	NoticeOffered        = NoticeKind{"offered", bookingNoticeArgs}
	NoticeClassCancelled = NoticeKind{"class_cancelled", bookingNoticeArgs}
	NoticeDemoted        = NoticeKind{"demoted", []string{"course", "manager", "starts"}}
	NoticeReminder       = NoticeKind{"reminder", bookingNoticeArgs}
)

var bookingNoticeArgs = []string{"course", "manager", "starts", "home"}

// TrainingNotices lists the course supermarket's notice kinds.
var TrainingNotices = []NoticeKind{NoticePromoted, NoticeOffered, NoticeClassCancelled, NoticeDemoted, NoticeReminder}

// The directory's notices: a manager's claim to be a registered person
// awaits the addressee's decision.
var (
	NoticeLinkPending = NoticeKind{"link_pending", []string{"manager", "enterprise"}}
	DirectoryNotices  = []NoticeKind{NoticeLinkPending}
)

// Self-inspection's notices: a duty coming due, a rectification overdue
// (to the enterprise, then to its association).
var (
	NoticeDutyDue       = NoticeKind{"duty_due", []string{"duty", "due", "days"}}
	NoticeTaskOverdue   = NoticeKind{"task_overdue", []string{"task", "due"}}
	NoticeTaskEscalated = NoticeKind{"task_escalated", []string{"task", "enterprise", "due"}}
	InspectionNotices   = []NoticeKind{NoticeDutyDue, NoticeTaskOverdue, NoticeTaskEscalated}
)

// The law library's notices: an announcement published to its audience,
// and a reminder to those who have not read it.
var (
	NoticeAnnouncement     = NoticeKind{"announcement", []string{"title", "publisher"}}
	NoticeAnnounceReminder = NoticeKind{"announcement_reminder", []string{"title", "publisher"}}
	LawNotices             = []NoticeKind{NoticeAnnouncement, NoticeAnnounceReminder, NoticeCase, NoticeCaseReturned, NoticeCaseLead}
)

// Technology sharing's notices: a published case pushed to a key discharge
// unit it fits, a case returned to its submitter, an enterprise's interest
// (a lead) to the bureau and its town's association.
var (
	NoticeCase         = NoticeKind{"case", []string{"title", "provider"}}
	NoticeCaseReturned = NoticeKind{"case_returned", []string{"title", "reason"}}
	NoticeCaseLead     = NoticeKind{"case_lead", []string{"title", "enterprise"}}
)

// The through train's notices: a licence about to lapse, a demand to
// review or to quote on, a demand published or returned, a quote sent on
// a demand, quoting over, a quote accepted or declined.
var (
	NoticeLicenceExpiring = NoticeKind{"licence_expiring", []string{"licence", "until", "provider"}}
	NoticeDemandNew       = NoticeKind{"demand_new", []string{"title"}}
	NoticeDemandPublished = NoticeKind{"demand_published", []string{"title"}}
	NoticeDemandReturned  = NoticeKind{"demand_returned", []string{"title", "reason"}}
	NoticeQuoteReceived   = NoticeKind{"quote_received", []string{"title", "quotes"}}
	NoticeQuotesOpen      = NoticeKind{"quotes_open", []string{"title", "quotes"}}
	NoticeQuoteAccepted   = NoticeKind{"quote_accepted", []string{"title"}}
	NoticeQuoteDeclined   = NoticeKind{"quote_declined", []string{"title"}}
	MarketNotices         = []NoticeKind{NoticeLicenceExpiring, NoticeDemandNew, NoticeDemandPublished, NoticeDemandReturned, NoticeQuoteReceived,
		NoticeQuotesOpen, NoticeQuoteAccepted, NoticeQuoteDeclined}
)

// NoticeKinds lists every domain's notice kinds: a new capability adds its
// list here, its texts to both catalogues (a test checks each kind has a
// text taking exactly its arguments), and sends with store.Notice.
func NoticeKinds() []NoticeKind {
	return slices.Concat(TrainingNotices, DirectoryNotices, InspectionNotices, LawNotices, MarketNotices, AppraisalNotices)
}

// The appraisal's notice: an enterprise is told its manager was graded
// unqualified, with the plan of courses.
var (
	NoticeAppraisal  = NoticeKind{"appraisal_unqualified", []string{"manager", "year"}}
	AppraisalNotices = []NoticeKind{NoticeAppraisal}
)

// LookupNoticeKind finds a registered kind by name.
func LookupNoticeKind(name string) (NoticeKind, bool) {
	for _, k := range NoticeKinds() {
		if k.Name == name {
			return k, true
		}
	}
	return NoticeKind{}, false
}

// Notice is one notice to send: a registered kind, its arguments by name,
// a link into the site, and a key that makes it once however often it is
// sent (a reminder sweep runs on every instance).
type Notice struct {
	Kind NoticeKind
	Args map[string]string
	Link string
	Key  string
}
