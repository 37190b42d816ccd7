package log

// Idempotent producer state (replication.md §5.4, Kafka's
// ProducerStateManager without transactions): per producer id the epoch
// and the sequence ranges of its last 5 batches.
//
// Kafka persists it in <offset>.snapshot files. gokafka rebuilds it when
// a log is opened by walking batch headers (61 bytes each, no record
// decoding) of every segment whose largest timestamp is within
// producerIDExpirationMs of now; a producer silent for longer has expired
// in Kafka too. Recovery and truncation rebuild it the same way.

const (
	// maxCachedBatches is ProducerStateEntry.NumBatchesToRetain.
	maxCachedBatches = 5
	// producerIDExpirationMs is Kafka 2.8's producer id expiration
	// (transactional.id.expiration.ms, 7 days).
	producerIDExpirationMs = 7 * 24 * 3600 * 1000
)

type batchMeta struct {
	firstSeq, lastSeq       int32
	firstOffset, lastOffset int64
	maxTimestamp            int64
}

type producerEntry struct {
	epoch   int16
	batches [maxCachedBatches]batchMeta // ring, oldest first from head
	head, n int
	lastTs  int64
}

func (e *producerEntry) last() (batchMeta, bool) {
	if e.n == 0 {
		return batchMeta{}, false
	}
	return e.batches[(e.head+e.n-1)%maxCachedBatches], true
}

func (e *producerEntry) add(b batchMeta) {
	if e.n < maxCachedBatches {
		e.batches[(e.head+e.n)%maxCachedBatches] = b
		e.n++
	} else {
		e.batches[e.head] = b
		e.head = (e.head + 1) % maxCachedBatches
	}
	e.lastTs = b.maxTimestamp
}

func (e *producerEntry) findDuplicate(firstSeq, lastSeq int32) (batchMeta, bool) {
	for i := 0; i < e.n; i++ {
		b := e.batches[(e.head+i)%maxCachedBatches]
		if b.firstSeq == firstSeq && b.lastSeq == lastSeq {
			return b, true
		}
	}
	return batchMeta{}, false
}

// producerState is guarded by the owning Log's mutex.
type producerState struct {
	m map[int64]*producerEntry
}

func newProducerState() *producerState { return &producerState{m: make(map[int64]*producerEntry)} }

func inSequence(last, next int32) bool {
	return next == last+1 || (next == 0 && last == 1<<31-1)
}

// check validates a leader append of h (Kafka's ProducerAppendInfo with
// origin Client). It returns the duplicate's metadata when h is a retry.
func (p *producerState) check(h BatchHeader, pending map[int64]*producerEntry) (dup batchMeta, isDup bool, err error) {
	e := pending[h.ProducerID]
	if e == nil {
		e = p.m[h.ProducerID]
	}
	if e == nil {
		if h.BaseSequence != 0 {
			return dup, false, kindf(ErrUnknownProducerID, "found no record of producerId %d on the broker; it may have expired (sequence %d)", h.ProducerID, h.BaseSequence)
		}
		return dup, false, nil
	}
	if h.ProducerEpoch < e.epoch {
		return dup, false, kindf(ErrInvalidProducerEpoch, "producer %d's epoch %d is older than the current epoch %d", h.ProducerID, h.ProducerEpoch, e.epoch)
	}
	if h.ProducerEpoch == e.epoch {
		if b, ok := e.findDuplicate(h.BaseSequence, h.LastSequence()); ok {
			return b, true, nil
		}
	}
	if h.ProducerEpoch != e.epoch {
		if h.BaseSequence != 0 {
			return dup, false, kindf(ErrOutOfOrderSequence, "invalid sequence number for new epoch of producer %d: %d (request epoch), %d (seq. number), %d (current producer epoch)", h.ProducerID, h.ProducerEpoch, h.BaseSequence, e.epoch)
		}
		return dup, false, nil
	}
	last, ok := e.last()
	if ok && !inSequence(last.lastSeq, h.BaseSequence) {
		return dup, false, kindf(ErrOutOfOrderSequence, "out of order sequence number for producer %d at offset %d in partition: %d (incoming seq. number), %d (current end sequence number)", h.ProducerID, h.BaseOffset, h.BaseSequence, last.lastSeq)
	}
	if !ok && h.BaseSequence != 0 {
		// Known epoch but no batches (all removed by retention): Kafka
		// accepts any sequence here.
		return dup, false, nil
	}
	return dup, false, nil
}

// stage records h (already assigned its offsets) in pending, a per-append
// overlay so an append that fails half-way leaves the state untouched.
func (p *producerState) stage(h BatchHeader, pending map[int64]*producerEntry) {
	e := pending[h.ProducerID]
	if e == nil {
		if cur := p.m[h.ProducerID]; cur != nil {
			cp := *cur
			e = &cp
		} else {
			e = &producerEntry{epoch: -1}
		}
		pending[h.ProducerID] = e
	}
	if h.ProducerEpoch != e.epoch {
		*e = producerEntry{epoch: h.ProducerEpoch}
	}
	e.add(batchMeta{firstSeq: h.BaseSequence, lastSeq: h.LastSequence(), firstOffset: h.BaseOffset,
		lastOffset: h.LastOffset(), maxTimestamp: h.MaxTimestamp})
}

func (p *producerState) commit(pending map[int64]*producerEntry) {
	for id, e := range pending {
		p.m[id] = e
	}
}

// update applies a batch from recovery, a follower append or a rebuild.
func (p *producerState) update(h BatchHeader) {
	if !h.HasProducerID() || h.IsControl() {
		return
	}
	e := p.m[h.ProducerID]
	if e == nil {
		e = &producerEntry{epoch: h.ProducerEpoch}
		p.m[h.ProducerID] = e
	}
	if h.ProducerEpoch != e.epoch {
		*e = producerEntry{epoch: h.ProducerEpoch}
	}
	e.add(batchMeta{firstSeq: h.BaseSequence, lastSeq: h.LastSequence(), firstOffset: h.BaseOffset,
		lastOffset: h.LastOffset(), maxTimestamp: h.MaxTimestamp})
}

// evictBelow drops producers whose last batch lies below the log start
// offset (Kafka's ProducerStateManager.truncateHead).
func (p *producerState) evictBelow(logStartOffset int64) {
	for id, e := range p.m {
		if b, ok := e.last(); !ok || b.lastOffset < logStartOffset {
			delete(p.m, id)
		}
	}
}

func (p *producerState) reset() { clear(p.m) }
