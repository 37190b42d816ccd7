package group

import (
	"errors"
	"fmt"

	"gokafka/log"
)

// record is one key/value of a batch; a nil value is a tombstone.
type record struct {
	key, value []byte
}

// buildBatch encodes recs as one uncompressed v2 batch with CreateTime ts,
// base offset 0 and no producer id, as Kafka's coordinator writes them.
func buildBatch(ts int64, recs []record) []byte {
	rs := make([]log.Record, len(recs))
	for i, r := range recs {
		rs[i] = log.Record{Key: r.key, Value: r.value, Timestamp: ts}
	}
	return log.BuildBatch(rs)
}

var errBadBatch = errors.New("group: malformed record batch in " + OffsetsTopic)

// decodeBatches calls fn for every record of every batch in buf with the
// record's absolute offset (compressed batches included); control batches
// (transaction markers) are skipped.
func decodeBatches(buf []byte, fn func(offset int64, key, value []byte) error) error {
	used := 0
	for b := range log.Batches(buf) {
		used += len(b.Raw)
		if b.IsControl() {
			continue
		}
		recs, err := b.Records()
		if err != nil {
			return fmt.Errorf("%w: %w", errBadBatch, err)
		}
		for _, r := range recs {
			if err := fn(r.Offset, r.Key, r.Value); err != nil {
				return err
			}
		}
	}
	if used != len(buf) {
		return fmt.Errorf("%w: %d trailing bytes", errBadBatch, len(buf)-used)
	}
	return nil
}
