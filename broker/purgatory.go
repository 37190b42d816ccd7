package broker

import (
	"container/heap"
	"sync"
	"sync/atomic"
	"time"
)

// The purgatory holds requests that cannot be answered yet: acks=all produces
// waiting for the high watermark, long-poll fetches waiting for data. It is
// Kafka's DelayedOperation / DelayedOperationPurgatory (kafka.server) in Go:
//
//   - An operation is watched under one or more keys (topic-partitions).
//     Whoever changes the state an operation waits for (an append, a HW move,
//     a leadership change) calls checkAndComplete(key), which retries the
//     operations watching that key.
//   - tryComplete runs under the operation's own mutex, so two goroutines
//     never evaluate the same operation at once; completion happens exactly
//     once, decided by a compare-and-swap on the completed flag
//     (forceComplete), whether by tryComplete or by expiry.
//   - Expiry: one timer goroutine per purgatory owns a min-heap of deadlines
//     and sleeps until the earliest one. No goroutine per request; adding or
//     cancelling a deadline takes one short lock (O(log n)), so no request
//     queues behind another request's work.
//
// Operations that completed stay in watcher lists until the list is next
// checked or until purgeCompleted sweeps them (after every purgeInterval
// completions), as Kafka's purgeInterval does.

// delayedOperation is what delayed_produce.go and delayed_fetch.go implement.
type delayedOperation interface {
	// tryComplete is called under the operation's lock. It checks whether the
	// operation can finish now and, if so, calls forceComplete on its
	// delayedOp and returns its result.
	tryComplete() bool
	// onComplete builds and sends the answer. Called exactly once, by the
	// goroutine that won forceComplete, always under the operation's lock
	// (from tryComplete, or from expiry which takes it).
	onComplete()
	// onExpiration runs after onComplete when the operation timed out.
	onExpiration()
}

// delayedOp is the state every delayed operation embeds.
type delayedOp struct {
	impl      delayedOperation // immutable
	completed atomic.Bool
	mu        sync.Mutex // serialises tryComplete
	deadline  time.Time  // immutable once watched

	timer     *expiryTimer // set before the operation is first tried; immutable after
	heapIndex int          // position in the timer heap, -1 when not in it; guarded by timer.mu
}

func newDelayedOp(impl delayedOperation, timeout time.Duration) *delayedOp {
	return &delayedOp{impl: impl, deadline: time.Now().Add(timeout), heapIndex: -1}
}

// isCompleted reports whether the operation has finished.
func (d *delayedOp) isCompleted() bool { return d.completed.Load() }

// forceComplete finishes the operation if nobody did yet: it cancels the
// deadline and runs onComplete. It returns true for the one caller that won.
func (d *delayedOp) forceComplete() bool {
	if !d.completed.CompareAndSwap(false, true) {
		return false
	}
	if t := d.timer; t != nil {
		t.cancel(d)
	}
	d.impl.onComplete()
	return true
}

// maybeTryComplete runs tryComplete under the operation's lock.
func (d *delayedOp) maybeTryComplete() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.completed.Load() {
		return false
	}
	return d.impl.tryComplete()
}

// purgatoryShards spreads watcher lists over independent locks so unrelated
// partitions do not contend.
const purgatoryShards = 32

// purgeInterval is how many completions may accumulate before completed
// operations are swept out of all watcher lists (Kafka's
// *.purgatory.purge.interval.requests default is 1000).
const purgeInterval = 1000

// purgatory watches delayed operations by key K.
//
// Safe for concurrent use.
type purgatory[K comparable] struct {
	name   string
	shards [purgatoryShards]watcherShard[K]
	hash   func(K) uint32
	timer  *expiryTimer

	completedSincePurge atomic.Int64
}

type watcherShard[K comparable] struct {
	mu       sync.Mutex
	watchers map[K][]*delayedOp // guarded by mu
}

func newPurgatory[K comparable](name string, hash func(K) uint32) *purgatory[K] {
	p := &purgatory[K]{name: name, hash: hash}
	for i := range p.shards {
		p.shards[i].watchers = make(map[K][]*delayedOp)
	}
	p.timer = newExpiryTimer(p.onExpired)
	return p
}

func (p *purgatory[K]) shard(k K) *watcherShard[K] {
	return &p.shards[p.hash(k)%purgatoryShards]
}

// tryCompleteElseWatch completes op at once if it can; otherwise it watches
// op under every key and arms its deadline. It returns true when op
// completed during the call.
//
// As in Kafka, the operation is checked once more after it is watched, so an
// update that happened between the first check and the watch is not missed.
func (p *purgatory[K]) tryCompleteElseWatch(op *delayedOp, keys []K) bool {
	op.timer = p.timer
	if op.maybeTryComplete() {
		return true
	}
	for _, k := range keys {
		if op.isCompleted() {
			return false
		}
		s := p.shard(k)
		s.mu.Lock()
		s.watchers[k] = append(s.watchers[k], op)
		s.mu.Unlock()
	}
	if op.maybeTryComplete() {
		return true
	}
	// add checks completed under the timer lock and forceComplete cancels
	// under it after its compare-and-swap, so a racing completion never
	// leaves a stale deadline behind.
	p.timer.add(op)
	return false
}

// checkAndComplete retries every operation watching k and returns how many
// it completed. Completed operations are dropped from k's list.
func (p *purgatory[K]) checkAndComplete(k K) int {
	s := p.shard(k)
	s.mu.Lock()
	ops := s.watchers[k]
	if len(ops) == 0 {
		s.mu.Unlock()
		return 0
	}
	snapshot := make([]*delayedOp, len(ops))
	copy(snapshot, ops)
	s.mu.Unlock()

	n := 0
	for _, op := range snapshot {
		if !op.isCompleted() && op.maybeTryComplete() {
			n++
		}
	}
	s.mu.Lock()
	s.watchers[k] = compactCompleted(s.watchers[k])
	if len(s.watchers[k]) == 0 {
		delete(s.watchers, k)
	}
	s.mu.Unlock()
	if n > 0 {
		p.noteCompleted(int64(n))
	}
	return n
}

// watched returns how many operations watch k (completed ones not yet
// swept included); for tests and metrics.
func (p *purgatory[K]) watched(k K) int {
	s := p.shard(k)
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.watchers[k])
}

// delayed returns how many operations wait for their deadline.
func (p *purgatory[K]) delayed() int { return p.timer.len() }

func (p *purgatory[K]) onExpired(op *delayedOp) {
	// Under the operation's lock, like tryComplete, so onComplete never
	// runs while a tryComplete is still updating the operation's state.
	op.mu.Lock()
	won := op.forceComplete()
	op.mu.Unlock()
	if won {
		op.impl.onExpiration()
		p.noteCompleted(1)
	}
}

func (p *purgatory[K]) noteCompleted(n int64) {
	if p.completedSincePurge.Add(n) >= purgeInterval {
		p.completedSincePurge.Store(0)
		p.purgeCompleted()
	}
}

// purgeCompleted drops completed operations from every watcher list.
func (p *purgatory[K]) purgeCompleted() {
	for i := range p.shards {
		s := &p.shards[i]
		s.mu.Lock()
		for k, ops := range s.watchers {
			ops = compactCompleted(ops)
			if len(ops) == 0 {
				delete(s.watchers, k)
			} else {
				s.watchers[k] = ops
			}
		}
		s.mu.Unlock()
	}
}

// shutdown stops the timer goroutine. Operations still waiting are left
// unanswered: their connections are closing with the broker.
func (p *purgatory[K]) shutdown() { p.timer.stop() }

func compactCompleted(ops []*delayedOp) []*delayedOp {
	out := ops[:0]
	for _, op := range ops {
		if !op.isCompleted() {
			out = append(out, op)
		}
	}
	for i := len(out); i < len(ops); i++ {
		ops[i] = nil // let completed operations be collected
	}
	return out
}

// expiryTimer is the purgatory's single timer goroutine: a min-heap of
// deadlines and one time.Timer armed for the earliest.
type expiryTimer struct {
	mu      sync.Mutex
	ops     opHeap // guarded by mu
	wake    chan struct{}
	quit    chan struct{}
	done    chan struct{}
	expire  func(*delayedOp)
	stopped bool // guarded by mu
}

func newExpiryTimer(expire func(*delayedOp)) *expiryTimer {
	t := &expiryTimer{
		wake:   make(chan struct{}, 1),
		quit:   make(chan struct{}),
		done:   make(chan struct{}),
		expire: expire,
	}
	go t.run()
	return t
}

// add arms op's deadline unless op already completed.
func (t *expiryTimer) add(op *delayedOp) {
	t.mu.Lock()
	if t.stopped || op.isCompleted() || op.heapIndex >= 0 {
		t.mu.Unlock()
		return
	}
	heap.Push(&t.ops, op)
	earliest := t.ops[0] == op
	t.mu.Unlock()
	if earliest {
		select {
		case t.wake <- struct{}{}:
		default:
		}
	}
}

// cancel removes op's deadline if it is armed.
func (t *expiryTimer) cancel(op *delayedOp) {
	t.mu.Lock()
	if op.heapIndex >= 0 {
		heap.Remove(&t.ops, op.heapIndex)
	}
	t.mu.Unlock()
}

func (t *expiryTimer) len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.ops)
}

func (t *expiryTimer) stop() {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.stopped = true
	t.mu.Unlock()
	close(t.quit)
	<-t.done
}

func (t *expiryTimer) run() {
	defer close(t.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var expired []*delayedOp
	for {
		now := time.Now()
		t.mu.Lock()
		for len(t.ops) > 0 && !t.ops[0].deadline.After(now) {
			expired = append(expired, heap.Pop(&t.ops).(*delayedOp))
		}
		next := time.Hour
		if len(t.ops) > 0 {
			next = t.ops[0].deadline.Sub(now)
		}
		t.mu.Unlock()
		// Expired operations answer outside the heap lock: onComplete may
		// take partition locks and queue responses.
		for i, op := range expired {
			t.expire(op)
			expired[i] = nil
		}
		expired = expired[:0]
		timer.Reset(next)
		select {
		case <-timer.C:
		case <-t.wake:
			if !timer.Stop() {
				select {
				case <-timer.C:
				default:
				}
			}
		case <-t.quit:
			return
		}
	}
}

// opHeap orders operations by deadline; heapIndex tracks positions so a
// completed operation leaves the heap in O(log n).
type opHeap []*delayedOp

func (h opHeap) Len() int           { return len(h) }
func (h opHeap) Less(i, j int) bool { return h[i].deadline.Before(h[j].deadline) }
func (h opHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].heapIndex = i
	h[j].heapIndex = j
}
func (h *opHeap) Push(x any) {
	op := x.(*delayedOp)
	op.heapIndex = len(*h)
	*h = append(*h, op)
}
func (h *opHeap) Pop() any {
	old := *h
	n := len(old)
	op := old[n-1]
	old[n-1] = nil
	op.heapIndex = -1
	*h = old[:n-1]
	return op
}
