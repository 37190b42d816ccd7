// Package log is the storage engine of every partition: Kafka 2.8's
// on-disk layout, byte for byte, so that a gokafka data directory is
// indistinguishable from a Kafka one and kafka-dump-log.sh, disk-usage
// habits and operators' expectations carry over.
//
// It imports no other package of the project: only the standard library,
// zap for logging, and klauspost/compress and pierrec/lz4 to decompress
// batches for the cleaner, OffsetForTimestamp and tools, and to
// re-compress the batches the cleaner rewrites (the append path never
// compresses or decompresses). The high watermark is a number the broker passes
// in (SetHighWatermark, Manager.CheckpointHighWatermarks, Read's
// maxOffset); the log owns its vocabulary (AppendInfo, FetchData,
// EpochEntry).
//
// # Directory layout
//
//	<log.dir>/
//	  .lock                             flock(2)ed by the Manager while it runs
//	  .kafka_cleanshutdown              written by Manager.Close, removed at startup
//	  meta.properties                   ReadMetaProperties / WriteMetaProperties
//	  recovery-point-offset-checkpoint  offsets below which data is fsynced
//	  replication-offset-checkpoint     high watermarks (from the broker)
//	  log-start-offset-checkpoint       log start offsets
//	  cleaner-offset-checkpoint         first dirty offset of compacted logs
//	  <topic>-<partition>/
//	    00000000000000000000.log        segment data, named by base offset (20 digits)
//	    00000000000000000000.index      sparse offset index
//	    00000000000000000000.timeindex  sparse time index
//	    leader-epoch-checkpoint
//	    partition.metadata              "version: 0\ntopic_id: <base64url>" (no final newline)
//	  <topic>-<partition>.<32 hex>-delete/   a deleted partition, removed after file.delete.delay.ms
//
// A partition directory name splits at its last '-'. Segment files being
// deleted carry a ".deleted" suffix until file.delete.delay.ms has passed;
// the cleaner writes ".cleaned" files and renames them ".swap" before
// they replace the originals. Startup removes ".deleted", ".cleaned" and
// ".tmp" leftovers and completes ".swap" renames.
//
// # Record batch v2
//
// The .log file is a plain concatenation of record batches exactly as
// they travel on the wire (magic 2). All integers are big-endian:
//
//	offset  field                 type
//	0       baseOffset            int64
//	8       batchLength           int32   bytes after this field (batch size = batchLength + 12)
//	12      partitionLeaderEpoch  int32
//	16      magic                 int8    always 2
//	17      crc                   uint32  CRC-32C (Castagnoli) of bytes 21..end
//	21      attributes            int16   bits 0-2 codec, 3 LogAppendTime, 4 transactional, 5 control
//	23      lastOffsetDelta       int32
//	27      firstTimestamp        int64
//	35      maxTimestamp          int64
//	43      producerId            int64
//	51      producerEpoch         int16
//	53      baseSequence          int32
//	57      recordsCount          int32
//	61      records               (one compressed blob when the codec is not 0)
//
// Each record is: length varint, attributes int8, timestampDelta varlong,
// offsetDelta varint, key (varint length, -1 = null, bytes), value
// (likewise; null = tombstone), header count varint, then per header a
// key (varint length + UTF-8) and a value (varint length, -1 = null).
// Varints are zig-zag encoded.
//
// The leader assigns offsets by rewriting baseOffset and
// partitionLeaderEpoch in place; neither is covered by the CRC, so the
// batch is stored as received. Under message.timestamp.type=LogAppendTime
// it also sets maxTimestamp and the timestamp-type bit and recomputes the
// CRC. Records are never re-encoded on the append path.
//
// # Validation (AppendAsLeader)
//
// Every batch of an append is checked before anything is written: whole
// batches only, batchLength >= 49, magic 2, CRC-32C, recordsCount > 0 and
// equal to lastOffsetDelta+1, no control batches from clients, a sequence
// with every producer id, size <= max.message.bytes, the whole append <=
// segment.bytes, timestamps within message.timestamp.difference.max.ms
// (every record of an uncompressed batch; the first and max timestamps of
// a compressed one, which Kafka also checks record by record). For
// uncompressed batches the record framing is walked without allocating:
// exactly recordsCount records filling the section, offset deltas 0, 1,
// 2, ... Compressed batches are covered by their CRC only, except on
// compacted topics, where they are decompressed to refuse null keys.
// Failures are ErrCorruption (CORRUPT_MESSAGE), ErrInvalidRecord
// (INVALID_RECORD), ErrRecordTooLarge, ErrRecordListTooLarge or
// ErrInvalidTimestamp. AppendAsFollower checks framing, magic, CRC and
// increasing offsets and keeps offsets and epochs as given.
//
// # Indexes
//
// .index entries are 8 bytes: relativeOffset int32 (offset - segment base)
// and position int32 (byte position of a batch in the .log). .timeindex
// entries are 12 bytes: timestamp int64 and relativeOffset int32. Both
// are sparse, with Kafka's rule: before counting an append's bytes, if
// more than index.interval.bytes were written since the last entry, add
// (largest offset of this append, its start position) to .index and
// (largest timestamp so far, its offset) to .timeindex when the timestamp
// grew; so the first append to a segment never gets an entry. The time
// index stores the batch's last offset for the maximum timestamp (Kafka's
// leader path stores the record's own offset; finding it would need
// per-record decoding). One more time-index entry is written when a
// segment is rolled or closed. While a segment is active both files are
// preallocated to segment.index.bytes (rounded down to whole entries) and
// memory-mapped; they are trimmed to their entries on roll and close.
// The preallocated files are sparse, as Kafka's; each page is reserved
// with fallocate(2) before its first entry is written through the
// mapping, so a full disk skips an index entry (harmless in a sparse
// index) instead of faulting the process with SIGBUS. An
// index whose length is not a whole number of entries, whose entries do
// not grow, or that points past the .log is rebuilt from the .log.
//
// # Segments
//
// Before an append a new segment, based at the append's first offset, is
// rolled when the active .log would exceed segment.bytes, when it is
// non-empty and segment.ms (minus segment.jitter.ms) has passed since its
// first batch's max timestamp (or its creation), when an index is full,
// or when offsets would no longer fit 32 bits relative to the base. The
// rolled segment is fsynced in the background and the recovery point
// moves to the new base (Kafka's roll-time flush). With preallocate=true
// the .log is fallocated to segment.bytes and trimmed on roll.
//
// # Durability and flushing
//
// As in Kafka, appends go to the page cache; nothing is fsynced per
// message unless flush.messages (fsync after that many records, on the
// appending goroutine) or flush.ms (checked every
// log.flush.scheduler.interval.ms, ManagerOptions.FlushSchedulerIntervalMs,
// whose Kafka default Long.MaxValue means never, as in Kafka) say so. Replication
// provides durability. recovery-point-offset-checkpoint records how far
// each log is fsynced, written every log.flush.offset.checkpoint.interval.ms.
// A failed write (disk full, read-only file system, I/O error) returns
// ErrStorage wrapping the errno, and the segment is cut back to its size
// before the append, so no torn batch stays behind.
//
// # Checkpoint files
//
// The four log-dir checkpoints are text: "0\n", the entry count, then
// "topic partition offset" lines. leader-epoch-checkpoint is "0\n", the
// count, then "epoch startOffset" lines. All are written to <file>.tmp,
// fsynced, renamed over the real name, and the directory is fsynced.
// meta.properties is Java properties: "#", "#<date>", then broker.id,
// version=0 and cluster.id (ZooKeeper mode).
//
// # Recovery
//
// Without .kafka_cleanshutdown, each log recovers every segment from the
// one holding its recovery point in one sequential pass (1 MB preads,
// issued by a read-ahead goroutine while the previous chunk is checked):
// indexes are reset, every batch is read and validated (framing, magic, CRC, offsets increasing and within 32
// bits of the base), indexes are rebuilt with the same interval rule,
// leader epochs are re-derived from the batches. At the first invalid
// batch the file is cut, the cut is logged (file, offset, bytes), and
// every later segment is deleted. A fully written batch is never lost: a
// crash can only leave a torn tail, which fails the length or CRC check.
// After a clean shutdown only the index sanity check runs. A log whose end
// offset lies below its log start offset is emptied and restarted there.
//
// # Idempotent producers
//
// Per producer id the log keeps the epoch and the sequence ranges and
// offsets of its last 5 batches. A retry of one of them is answered with
// ErrDuplicateSequence and AppendInfo{Duplicate: true} holding the
// original offsets (the broker answers NONE with them, as Kafka does); a
// gap is ErrOutOfOrderSequence, an older epoch ErrInvalidProducerEpoch, an
// unknown producer id with a sequence other than 0 ErrUnknownProducerID.
// Kafka snapshots this state in <offset>.snapshot files; gokafka writes no
// snapshots and rebuilds the state when a log is opened or truncated by
// walking the batch headers (61 bytes each, no record decoding) of every
// segment whose largest timestamp is within 7 days (Kafka's producer id
// expiration), which is cheap next to a data scan.
//
// # Retention and deletion
//
// Manager runs retention every log.retention.check.interval.ms (first
// after 30 s). With cleanup.policy containing delete: the oldest segments
// whose largest record timestamp is older than retention.ms, then the
// oldest while the excess over retention.bytes is at least their size;
// for every policy, segments whose successor starts at or below the log
// start offset. Only segments wholly below the high watermark go; if the
// active segment goes, an empty one is rolled first. Deleted segments are
// renamed *.deleted and removed after file.delete.delay.ms.
// Manager.Delete renames a partition directory to
// "<topic>-<partition>.<32 hex>-delete" and removes it after the delay.
//
// # Compaction
//
// For cleanup.policy containing compact, the Manager's cleaner picks
// every log.cleaner.backoff.ms the log with the highest dirty ratio (dirty
// bytes / cleanable bytes) at or above min.cleanable.dirty.ratio. The
// dirty section runs from the cleaner checkpoint to the active segment,
// the high watermark and min.compaction.lag.ms, whichever is first. An
// MD5(key) -> latest offset map is built over it (bounded by
// log.cleaner.dedupe.buffer.size at 24 bytes per entry, as Kafka), then
// the segments from the log start up to the end of the mapped section are
// rewritten in groups that fit segment.bytes: a batch whose records all
// survive is copied as is; otherwise the survivors are re-encoded into one
// batch with the original base and last offsets, producer fields, epoch
// and codec: re-compressed as Kafka's Java encoders write it (gzip; snappy
// in snappy-java's xerial framing; an LZ4 frame of 64 KB blocks; zstd at
// the default level; see compress.go). Keyless records are dropped; tombstones are dropped
// once their segment was last modified before the last clean segment's
// modification time minus delete.retention.ms. The cleaner reads and
// writes without the log lock, swaps under it, and gives up if the log
// changed meanwhile. log.cleaner.io.max.bytes.per.second throttles it.
//
// # Concurrency
//
// A Log is safe for concurrent use: appends, truncation and segment list
// changes hold its mutex exclusively, reads share it. Lock order:
// Manager.mu -> Log.mu -> EpochCache.mu; Log.flushMu (fsync) is taken
// before Log.mu and never while holding it, so fsyncs do not block
// appends; the cleaner holds Log.mu only to swap segments. Files of deleted or
// replaced segments stay open until file.delete.delay.ms, so a FileSlice
// handed out by Read stays valid for at least that long.
//
// # Not implemented
//
// Transactions (.txnindex, aborted transactions, last stable offset),
// producer snapshots (.snapshot), message format down-conversion (only
// magic 2 is stored) and max.compaction.lag.ms.
package log
