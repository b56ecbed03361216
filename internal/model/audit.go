package model

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one write, as the audit log keeps it. Entries are only ever
// inserted.
type AuditEntry struct {
	ID         int64           `json:"id"`
	At         time.Time       `json:"at"`
	ActorID    *int64          `json:"actor_id"`
	ActorName  string          `json:"actor_name"`
	Action     string          `json:"action"`
	ObjectType string          `json:"object_type"`
	ObjectID   *int64          `json:"object_id"`
	Addr       string          `json:"addr"`
	Changes    json.RawMessage `json:"changes"`
}

// Change is one changed field for the audit log.
type Change struct {
	Old any `json:"old,omitempty"`
	New any `json:"new,omitempty"`
}

// Changes maps field names to their change. Secret fields are never put in;
// callers record that a password changed with Redacted.
type Changes map[string]Change

// Redacted stands in for a secret value in the audit log.
const Redacted = "[redacted]"

// AuditFilter narrows the audit log; nil fields do not filter.
type AuditFilter struct {
	ActorID *int64
	// ActorName: part of the actor's name.
	ActorName  *string
	Action     *string // prefix, e.g. "user." for every user action
	ObjectType *string
	ObjectID   *int64
	Since      *time.Time
	Until      *time.Time
	Page
}

// ParseAuditFilter reads a filter from query parameters: actor_id, action
// (a prefix), object_type, object_id, since and until (RFC 3339 or
// YYYY-MM-DD), limit and cursor.
func ParseAuditFilter(q url.Values) (AuditFilter, error) {
	var f AuditFilter
	v := Validation{}
	var err error
	if f.Page, err = ParsePage(q.Get("limit"), q.Get("cursor")); err != nil {
		for k, m := range err.(*Error).Fields {
			v.Add(k, m)
		}
	}
	f.ActorID = parseID(v, "actor_id", q.Get("actor_id"))
	if s := strings.TrimSpace(q.Get("actor")); s != "" {
		if len([]rune(s)) > 64 {
			v.Add("actor", "err.field.too_long")
		}
		f.ActorName = &s
	}
	f.ObjectID = parseID(v, "object_id", q.Get("object_id"))
	if s := strings.TrimSpace(q.Get("action")); s != "" {
		f.Action = &s
	}
	if s := strings.TrimSpace(q.Get("object_type")); s != "" {
		f.ObjectType = &s
	}
	f.Since = parseTime(v, "since", q.Get("since"), false)
	f.Until = parseTime(v, "until", q.Get("until"), true)
	return f, v.Err()
}

func parseID(v Validation, field, s string) *int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		v.Add(field, "err.field.id")
		return nil
	}
	return &id
}

// parseTime reads RFC 3339 or a date; a date as an upper bound means the
// end of that day (China Standard Time, where the users are).
func parseTime(v Validation, field, s string, endOfDay bool) *time.Time {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return &t
	}
	t, err := time.ParseInLocation("2006-01-02", s, ChinaTime)
	if err != nil {
		v.Add(field, "err.field.time")
		return nil
	}
	if endOfDay {
		t = t.AddDate(0, 0, 1)
	}
	return &t
}

// ChinaTime is UTC+8, the time of every user of envhome; fixed, so it does
// not depend on the machine's time-zone database.
var ChinaTime = time.FixedZone("CST", 8*3600)
