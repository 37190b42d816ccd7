package broker

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testOp completes once ready is set; it counts how it finished.
type testOp struct {
	*delayedOp
	ready     atomic.Bool
	completes atomic.Int32
	expires   atomic.Int32
	done      chan struct{}
}

func newTestOp(timeout time.Duration) *testOp {
	op := &testOp{done: make(chan struct{})}
	op.delayedOp = newDelayedOp(op, timeout)
	return op
}

func (o *testOp) tryComplete() bool {
	if o.ready.Load() {
		return o.forceComplete()
	}
	return false
}
func (o *testOp) onComplete() {
	if o.completes.Add(1) == 1 {
		close(o.done)
	}
}
func (o *testOp) onExpiration() { o.expires.Add(1) }

func stringHash(s string) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * 16777619
	}
	return h
}

func TestPurgatoryCompletesAtOnceWhenReady(t *testing.T) {
	p := newPurgatory[string]("test", stringHash)
	defer p.shutdown()
	op := newTestOp(time.Minute)
	op.ready.Store(true)
	if !p.tryCompleteElseWatch(op.delayedOp, []string{"a"}) {
		t.Fatal("a ready operation must complete without being watched")
	}
	if p.watched("a") != 0 || p.delayed() != 0 {
		t.Fatalf("watched=%d delayed=%d, want 0 0", p.watched("a"), p.delayed())
	}
}

func TestPurgatoryCheckAndCompleteFinishesWatchers(t *testing.T) {
	p := newPurgatory[string]("test", stringHash)
	defer p.shutdown()
	op := newTestOp(time.Minute)
	if p.tryCompleteElseWatch(op.delayedOp, []string{"a", "b"}) {
		t.Fatal("operation completed before it was ready")
	}
	if p.watched("a") != 1 || p.watched("b") != 1 || p.delayed() != 1 {
		t.Fatalf("watched a=%d b=%d delayed=%d", p.watched("a"), p.watched("b"), p.delayed())
	}
	if n := p.checkAndComplete("a"); n != 0 {
		t.Fatalf("completed %d operations that were not ready", n)
	}
	op.ready.Store(true)
	if n := p.checkAndComplete("a"); n != 1 {
		t.Fatalf("checkAndComplete = %d, want 1", n)
	}
	// The other key's list still holds the completed op until it is
	// checked; checking it completes nothing more.
	if n := p.checkAndComplete("b"); n != 0 {
		t.Fatalf("second key completed %d, want 0", n)
	}
	if op.completes.Load() != 1 || op.expires.Load() != 0 {
		t.Fatalf("completes=%d expires=%d", op.completes.Load(), op.expires.Load())
	}
	if p.delayed() != 0 {
		t.Fatalf("the deadline of a completed operation must be cancelled, delayed=%d", p.delayed())
	}
	if p.watched("a") != 0 || p.watched("b") != 0 {
		t.Fatal("completed operations left in watcher lists")
	}
}

func TestPurgatoryExpiresOnce(t *testing.T) {
	p := newPurgatory[string]("test", stringHash)
	defer p.shutdown()
	ops := make([]*testOp, 50)
	for i := range ops {
		// Deadlines out of order, to exercise the heap.
		ops[i] = newTestOp(time.Duration(50-i) * time.Millisecond)
		p.tryCompleteElseWatch(ops[i].delayedOp, []string{"x"})
	}
	for _, op := range ops {
		select {
		case <-op.done:
		case <-time.After(10 * time.Second):
			t.Fatal("operation never expired")
		}
	}
	waitForCond(t, 5*time.Second, func() bool { return ops[0].expires.Load() == 1 })
	for i, op := range ops {
		waitForCond(t, 5*time.Second, func() bool { return op.expires.Load() == 1 })
		if op.completes.Load() != 1 {
			t.Fatalf("op %d completed %d times", i, op.completes.Load())
		}
	}
	if p.delayed() != 0 {
		t.Fatalf("delayed=%d after expiry", p.delayed())
	}
}

// TestPurgatoryRaceCompleteVersusExpire: many goroutines try to complete
// operations while their deadlines fire; each still finishes exactly once
// (run with -race).
func TestPurgatoryRaceCompleteVersusExpire(t *testing.T) {
	p := newPurgatory[string]("test", stringHash)
	defer p.shutdown()
	const n = 2000
	ops := make([]*testOp, n)
	for i := range ops {
		ops[i] = newTestOp(time.Duration(i%5) * time.Millisecond)
		p.tryCompleteElseWatch(ops[i].delayedOp, []string{"k"})
	}
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ops {
				ops[i].ready.Store(true)
				p.checkAndComplete("k")
			}
		}()
	}
	wg.Wait()
	for i, op := range ops {
		<-op.done
		if c := op.completes.Load(); c != 1 {
			t.Fatalf("op %d completed %d times", i, c)
		}
		if e := op.expires.Load(); e > 1 {
			t.Fatalf("op %d expired %d times", i, e)
		}
	}
	waitForCond(t, 5*time.Second, func() bool { return p.delayed() == 0 })
}

func TestPurgatoryPurgesCompletedFromOtherLists(t *testing.T) {
	p := newPurgatory[string]("test", stringHash)
	defer p.shutdown()
	for i := 0; i < purgeInterval+1; i++ {
		op := newTestOp(time.Minute)
		p.tryCompleteElseWatch(op.delayedOp, []string{"a", "b"})
		op.ready.Store(true)
		p.checkAndComplete("a")
	}
	// "b" was never checked, but the sweep after purgeInterval completions
	// removed most completed operations from it.
	if w := p.watched("b"); w > 1 {
		t.Fatalf("watched(b) = %d after purge, want <= 1", w)
	}
}

// waitForCond polls cond until it holds or the timeout passes.
func waitForCond(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("condition not met within %v", timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
