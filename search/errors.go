package search

import (
	"errors"
	"fmt"
)

// Kind is the closed set of error kinds the search layer reports. The HTTP
// layer maps each to one status in one place.
type Kind int

// The error kinds.
const (
	KindInternal    Kind = iota // a bug or an I/O failure: the caller cannot fix it
	KindInvalid                 // bad input: a query that cannot be parsed, a bad parameter
	KindNotFound                // no such document or resource
	KindUnavailable             // not ready yet (no index built) or shutting down
	KindBusy                    // over the bounds of one request (its deadline) or of the server (too many at once): try again later
	KindRateLimited             // one client asked more than its fair share: slow down
	KindExpired                 // a cursor of an index generation no longer served: start again

	kindEnd // not a kind: one past the last, for KindOfCode
)

// String returns the code used in JSON error bodies.
func (k Kind) String() string {
	switch k {
	case KindInvalid:
		return "invalid_argument"
	case KindNotFound:
		return "not_found"
	case KindUnavailable:
		return "unavailable"
	case KindBusy:
		return "busy"
	case KindRateLimited:
		return "rate_limited"
	case KindExpired:
		return "cursor_expired"
	default:
		return "internal"
	}
}

// KindOfCode returns the Kind whose String is code, and whether there is
// one: the reverse of String, for a client reading an error body.
func KindOfCode(code string) (Kind, bool) {
	for k := KindInternal; k < kindEnd; k++ {
		if k.String() == code {
			return k, true
		}
	}
	return KindInternal, false
}

// Error is an error with a Kind and a message fit to show a user.
type Error struct {
	Kind    Kind
	Message string
	Err     error // cause, for logs; may be nil
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf makes an *Error of kind k.
func Errorf(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the Kind of err: the kind of the first *Error it wraps,
// KindInternal otherwise.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}
