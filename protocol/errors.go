package protocol

import (
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Error is an error that carries the Kafka error code to answer with and,
// for responses that have one, the error_message.
type Error struct {
	Code    *kerr.Error
	Message string // "" = no message (null error_message)
	Err     error  // underlying cause, may be nil
}

func (e *Error) Error() string {
	switch {
	case e.Message != "" && e.Err != nil:
		return e.Message + ": " + e.Err.Error()
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Code.Message + ": " + e.Err.Error()
	}
	return e.Code.Message
}

// Unwrap exposes both the cause and the kerr code to errors.Is / errors.As.
func (e *Error) Unwrap() []error {
	if e.Err != nil {
		return []error{e.Err, e.Code}
	}
	return []error{e.Code}
}

// Errorf returns an *Error with code and a formatted error_message.
func Errorf(code *kerr.Error, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches code to err, keeping err's text as the message.
func Wrap(code *kerr.Error, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: code, Message: err.Error(), Err: err}
}

// ErrorMapping maps a sentinel (matched with errors.Is) to a Kafka code.
type ErrorMapping struct {
	Target error
	Code   *kerr.Error
}

// ErrorCode returns the Kafka error code for err: 0 for nil; the code of an
// *Error or *kerr.Error found in err's chain; else the first mapping whose
// Target matches with errors.Is; else UNKNOWN_SERVER_ERROR.
func ErrorCode(err error, mappings ...ErrorMapping) int16 {
	if err == nil {
		return 0
	}
	if pe, ok := errors.AsType[*Error](err); ok {
		return pe.Code.Code
	}
	if ke, ok := errors.AsType[*kerr.Error](err); ok {
		return ke.Code
	}
	for _, m := range mappings {
		if errors.Is(err, m.Target) {
			return m.Code.Code
		}
	}
	return kerr.UnknownServerError.Code
}

// ErrorMessage returns the error_message to send for err: nil for nil, for a
// bare *kerr.Error (the code says it all), and for an *Error without message.
func ErrorMessage(err error) *string {
	if err == nil {
		return nil
	}
	if pe, ok := errors.AsType[*Error](err); ok {
		if pe.Message == "" {
			return nil
		}
		m := pe.Message
		return &m
	}
	if _, ok := err.(*kerr.Error); ok {
		return nil
	}
	m := err.Error()
	return &m
}

// errorsByName indexes kerr's errors by their Kafka name.
var errorsByName = func() map[string]*kerr.Error {
	m := map[string]*kerr.Error{}
	for code := int16(-1); code < 200; code++ {
		if e := kerr.TypedErrorForCode(code); e != nil && e.Code == code {
			m[e.Message] = e
		}
	}
	return m
}()

// ErrorForName returns the error with Kafka name (e.g.
// "INVALID_REPLICATION_FACTOR"), or nil.
func ErrorForName(name string) *kerr.Error { return errorsByName[name] }
