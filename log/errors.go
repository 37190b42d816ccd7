package log

import (
	"errors"
	"fmt"
)

// Sentinel errors. Callers classify with errors.Is and map them to Kafka
// error codes (the mapping is given on each sentinel); the messages carry
// the "log:" prefix so they are recognisable in broker logs.
var (
	// ErrCorruption: a batch whose size or CRC-32C is wrong (CORRUPT_MESSAGE).
	ErrCorruption = errors.New("log: corrupt record batch")
	// ErrInvalidRecord: a well-formed batch that breaks a rule: wrong magic,
	// inconsistent offsets and count, control batch from a client, missing
	// key on a compacted topic (INVALID_RECORD).
	ErrInvalidRecord = errors.New("log: invalid record")
	// ErrRecordTooLarge: one batch is larger than max.message.bytes (MESSAGE_TOO_LARGE).
	ErrRecordTooLarge = errors.New("log: record batch larger than max.message.bytes")
	// ErrRecordListTooLarge: the append is larger than segment.bytes (RECORD_LIST_TOO_LARGE).
	ErrRecordListTooLarge = errors.New("log: record batches larger than segment.bytes")
	// ErrOffsetOutOfRange: a read below the log start offset or above the log end offset (OFFSET_OUT_OF_RANGE).
	ErrOffsetOutOfRange = errors.New("log: offset out of range")
	// ErrInvalidTimestamp: a timestamp outside message.timestamp.difference.max.ms (INVALID_TIMESTAMP).
	ErrInvalidTimestamp = errors.New("log: invalid timestamp")
	// ErrOutOfOrderSequence: an idempotent producer skipped a sequence number (OUT_OF_ORDER_SEQUENCE_NUMBER).
	ErrOutOfOrderSequence = errors.New("log: out of order sequence number")
	// ErrDuplicateSequence: an idempotent retry of a batch already in the
	// log. AppendAsLeader returns it together with AppendInfo{Duplicate:
	// true} holding the original offsets; the broker answers NONE with them
	// (Kafka 2.8 does the same; DUPLICATE_SEQUENCE_NUMBER is not sent).
	ErrDuplicateSequence = errors.New("log: duplicate sequence number")
	// ErrInvalidProducerEpoch: a producer epoch older than the one in the log (INVALID_PRODUCER_EPOCH).
	ErrInvalidProducerEpoch = errors.New("log: invalid producer epoch")
	// ErrUnknownProducerID: an unknown producer id whose sequence is not 0 (UNKNOWN_PRODUCER_ID).
	ErrUnknownProducerID = errors.New("log: unknown producer id")
	// ErrStorage: an I/O error (disk full, read-only file system, ...) (KAFKA_STORAGE_ERROR).
	ErrStorage = errors.New("log: storage error")
	// ErrClosed: the log or manager was closed (KAFKA_STORAGE_ERROR for the broker).
	ErrClosed = errors.New("log: closed")
)

// corruptf returns an error that is ErrCorruption with details.
func corruptf(format string, args ...any) error {
	return &detailError{kind: ErrCorruption, msg: fmt.Sprintf(format, args...)}
}

// invalidf returns an error that is ErrInvalidRecord with details.
func invalidf(format string, args ...any) error {
	return &detailError{kind: ErrInvalidRecord, msg: fmt.Sprintf(format, args...)}
}

// kindf returns an error of the given kind with details.
func kindf(kind error, format string, args ...any) error {
	return &detailError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

// detailError is a sentinel kind plus a human-readable detail.
type detailError struct {
	kind error
	msg  string
}

func (e *detailError) Error() string { return e.kind.Error() + ": " + e.msg }
func (e *detailError) Unwrap() error { return e.kind }

// storageError wraps an I/O error so it is both ErrStorage and the
// underlying error (errors.Is(err, syscall.ENOSPC) still works).
type storageError struct {
	op  string
	err error
}

func (e *storageError) Error() string   { return "log: storage error: " + e.op + ": " + e.err.Error() }
func (e *storageError) Unwrap() []error { return []error{ErrStorage, e.err} }

func storageErr(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *storageError
	if errors.As(err, &se) {
		return err
	}
	return &storageError{op: op, err: err}
}

var errorsIs = errors.Is
