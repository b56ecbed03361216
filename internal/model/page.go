package model

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// Page asks for one page of a list, ordered newest first by id. Lists page
// by keyset: the cursor is the last id seen, so no page counts the table.
type Page struct {
	Limit int
	After int64 // 0: from the start
}

const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// ParsePage reads the ?limit= and ?cursor= query parameters.
func ParsePage(limit, cursor string) (Page, error) {
	p := Page{Limit: DefaultLimit}
	v := Validation{}
	if limit != "" {
		n, err := strconv.Atoi(strings.TrimSpace(limit))
		if err != nil || n < 1 || n > MaxLimit {
			v.Add("limit", "err.field.limit")
		} else {
			p.Limit = n
		}
	}
	if cursor != "" {
		id, ok := DecodeCursor(cursor)
		if !ok {
			v.Add("cursor", "err.field.cursor")
		} else {
			p.After = id
		}
	}
	return p, v.Err()
}

// EncodeCursor makes an opaque cursor from the last id of a page.
func EncodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("i" + strconv.FormatInt(id, 10)))
}

// DecodeCursor reads a cursor made by EncodeCursor.
func DecodeCursor(s string) (int64, bool) {
	if len(s) > 64 {
		return 0, false
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 2 || b[0] != 'i' {
		return 0, false
	}
	id, err := strconv.ParseInt(string(b[1:]), 10, 64)
	if err != nil || id <= 0 {
		return 0, false
	}
	return id, true
}

// List is one page of items and the cursor of the next page, if any.
type List[T any] struct {
	Items []T     `json:"items"`
	Next  *string `json:"next"`
}

// PageOf cuts items (fetched with limit+1) to the page and sets the cursor.
func PageOf[T any](items []T, limit int, id func(T) int64) List[T] {
	l := List[T]{Items: items}
	if l.Items == nil {
		l.Items = []T{}
	}
	if len(items) > limit {
		l.Items = items[:limit]
		c := EncodeCursor(id(l.Items[limit-1]))
		l.Next = &c
	}
	return l
}

// Pages turns a keyset-paged list into a function that returns the next
// page on each call and an empty one at the end, for streaming a whole
// list (an export) without holding it: list reads the page after the key.
func Pages[T any](list func(after int64) (List[T], error), key func(T) int64) func() ([]T, error) {
	var after int64
	done := false
	return func() ([]T, error) {
		if done {
			return nil, nil
		}
		l, err := list(after)
		if err != nil {
			return nil, err
		}
		if l.Next == nil || len(l.Items) == 0 {
			done = true
		} else {
			after = key(l.Items[len(l.Items)-1])
		}
		return l.Items, nil
	}
}
