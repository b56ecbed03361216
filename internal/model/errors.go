// Package model holds envhome's domain types, validation, error codes and
// permission rules. It knows nothing of SQL or HTTP.
package model

import (
	"errors"
	"fmt"
)

// Code classifies an error for callers; exactly one HTTP status belongs to
// each code (see httpx.Status).
type Code string

const (
	ErrInternal        Code = "internal"
	ErrMalformed       Code = "malformed"
	ErrUnauthenticated Code = "unauthenticated"
	ErrForbidden       Code = "forbidden"
	ErrNotFound        Code = "not_found"
	ErrConflict        Code = "conflict"
	ErrTooLarge        Code = "too_large"
	ErrUnsupportedType Code = "unsupported_media_type"
	ErrInvalid         Code = "invalid"
	ErrRateLimited     Code = "rate_limited"
	ErrUnavailable     Code = "unavailable"
	// ErrMethodNotAllowed: the path exists, not with this method.
	ErrMethodNotAllowed Code = "method_not_allowed"
	// Booking refusals clients act on: the enterprise's seat cap for the
	// class is used up; the class takes no bookings now.
	ErrLimitReached  Code = "limit_reached"
	ErrBookingClosed Code = "booking_closed"
	// ErrQuoteExists: the provider has quoted on the demand already (a
	// revision replaces its quote instead).
	ErrQuoteExists Code = "quote_exists"
)

// Error is envhome's application error. Message and Fields hold message keys
// of the i18n catalogues, so the HTTP layers can answer in the user's language.
type Error struct {
	Code    Code
	Message string            // i18n key
	Args    []any             // arguments for Message
	Fields  map[string]string // field name → i18n key
	// RetryAfter is set on rate-limit errors, in whole seconds.
	RetryAfter int
	Err        error // underlying cause, never shown to users
}

func (e *Error) Error() string {
	s := string(e.Code) + ": " + e.Message
	if len(e.Fields) > 0 {
		s += fmt.Sprint(" ", e.Fields)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and message key.
func Errorf(code Code, key string, args ...any) *Error {
	return &Error{Code: code, Message: key, Args: args}
}

// NotFound is the error for anything missing or outside the caller's scope:
// both answer the same so that existence does not leak.
func NotFound() *Error { return Errorf(ErrNotFound, "err.not_found") }

// ErrorCode returns the code of err, ErrInternal for foreign errors.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ErrInternal
}

// IsCode reports whether err carries code.
func IsCode(err error, code Code) bool { return err != nil && ErrorCode(err) == code }

// Validation collects field errors; Err returns nil when none were added.
type Validation map[string]string

// Add records the first problem with field.
func (v Validation) Add(field, key string) {
	if _, ok := v[field]; !ok {
		v[field] = key
	}
}

// Err turns the collected problems into one invalid error.
func (v Validation) Err() error {
	if len(v) == 0 {
		return nil
	}
	return &Error{Code: ErrInvalid, Message: "err.invalid", Fields: map[string]string(v)}
}
