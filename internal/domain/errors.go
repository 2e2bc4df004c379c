// Package domain holds Triade's words and rules: roles, errors, the phases of an
// engagement and who may see what. It imports only the standard library.
package domain

import (
	"errors"
	"fmt"
)

// Code classifies an error so that one table in the HTTP layer maps it to a status.
type Code string

const (
	ENotFound     Code = "not_found"    // refused or missing read: 404, no hint that the thing exists
	EForbidden    Code = "forbidden"    // refused write: 403
	EInvalid      Code = "invalid"      // bad input: 422, shown beside the fields
	EBadRequest   Code = "bad_request"  // a request that cannot be read at all: 400
	EConflict     Code = "conflict"     // stale version or duplicate: 409
	EUnauthorized Code = "unauthorized" // not signed in: redirect to login
	ETooMany      Code = "too_many"     // rate limited: 429
	EUnavailable  Code = "unavailable"  // database down: 503
	EInternal     Code = "internal"     // anything else: 500, logged
)

// Error is an application error. Message is a message-catalog ID shown to the
// person; the cause is only ever logged.
type Error struct {
	Code    Code
	Message string
	Cause   error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Cause }

// Errorf builds an application error with a catalog message ID.
func Errorf(code Code, messageID string) *Error { return &Error{Code: code, Message: messageID} }

// ErrNotFound is the answer to every refused or missing read.
var ErrNotFound = Errorf(ENotFound, "error.not_found")

// ErrForbidden is the answer to every refused write.
var ErrForbidden = Errorf(EForbidden, "error.forbidden")

// ErrorCode returns the code of an application error, EInternal for any other.
func ErrorCode(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	var fe FieldErrors
	if errors.As(err, &fe) {
		return EInvalid
	}
	return EInternal
}

// ErrorMessage returns the catalog message ID of an error.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "error.internal"
}

// FieldErrors maps a form field's name to the catalog ID of what is wrong with it.
type FieldErrors map[string]string

func (fe FieldErrors) Error() string { return fmt.Sprintf("invalid fields: %v", map[string]string(fe)) }

// Add records the first problem found with a field.
func (fe FieldErrors) Add(field, messageID string) {
	if _, ok := fe[field]; !ok {
		fe[field] = messageID
	}
}

// Err returns nil when no field is in error, so callers can `return fe.Err()`.
func (fe FieldErrors) Err() error {
	if len(fe) == 0 {
		return nil
	}
	return fe
}
