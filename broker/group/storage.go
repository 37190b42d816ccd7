package group

import (
	"errors"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Storage is what the coordinator needs from the broker: appends to and
// reads of one partition of __consumer_offsets.
type Storage interface {
	// Append writes one v2 record batch to __consumer_offsets-<partition>
	// with acks=all and calls done once it is committed (or with the error).
	// Errors that carry a Kafka error code should be (or wrap) a *kerr.Error
	// (NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS, REQUEST_TIMED_OUT, ...):
	// the coordinator translates them the way Kafka's GroupMetadataManager
	// does. done may be called from any goroutine, also before Append
	// returns.
	Append(partition int32, batch []byte, done func(err error))
	// Read calls fn for every batch (raw v2 bytes) of the partition from the
	// log start to the log end offset (Kafka's loader reads up to the log
	// end, not the high watermark: a new leader keeps all it has).
	Read(partition int32, fn func(batch []byte) error) error
}

// kafkaCode returns the Kafka error code an append error carries;
// UNKNOWN_SERVER_ERROR when it carries none.
func kafkaCode(err error) int16 {
	if err == nil {
		return 0
	}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Code
	}
	return kerr.UnknownServerError.Code
}

// storeGroupError maps an append error of a group metadata record to what
// JoinGroup/SyncGroup answer (GroupMetadataManager.storeGroup).
func storeGroupError(err error) int16 {
	switch c := kafkaCode(err); c {
	case kerr.UnknownTopicOrPartition.Code, kerr.NotEnoughReplicas.Code, kerr.NotEnoughReplicasAfterAppend.Code:
		return kerr.CoordinatorNotAvailable.Code
	case kerr.NotLeaderForPartition.Code, kerr.KafkaStorageError.Code:
		return kerr.NotCoordinator.Code
	case kerr.RequestTimedOut.Code:
		return kerr.RebalanceInProgress.Code
	case kerr.MessageTooLarge.Code, kerr.RecordListTooLarge.Code, kerr.InvalidFetchSize.Code:
		return kerr.UnknownServerError.Code
	default:
		return c
	}
}

// storeOffsetsError maps an append error of offset commit records to what
// OffsetCommit answers (GroupMetadataManager.storeOffsets).
func storeOffsetsError(err error) int16 {
	switch c := kafkaCode(err); c {
	case kerr.UnknownTopicOrPartition.Code, kerr.NotEnoughReplicas.Code, kerr.NotEnoughReplicasAfterAppend.Code:
		return kerr.CoordinatorNotAvailable.Code
	case kerr.NotLeaderForPartition.Code, kerr.KafkaStorageError.Code:
		return kerr.NotCoordinator.Code
	case kerr.MessageTooLarge.Code, kerr.RecordListTooLarge.Code, kerr.InvalidFetchSize.Code:
		return kerr.InvalidCommitOffsetSize.Code
	default:
		return c
	}
}
