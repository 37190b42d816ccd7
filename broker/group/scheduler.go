package group

import (
	"container/heap"
	"sync"
	"time"
)

// scheduler runs timer callbacks: one heap of deadlines, and (in production)
// one goroutine that sleeps until the earliest. It replaces Kafka's join and
// heartbeat purgatories: a delayed operation here is a callback that takes
// the group lock and re-checks whether it is still current.
//
// Safe for concurrent use. Callbacks run on the scheduler goroutine (or, with
// a manual clock in tests, on the goroutine that advances it), never with
// the scheduler's lock held.
type scheduler struct {
	mu     sync.Mutex
	h      timerHeap // guarded by mu
	now    time.Time // guarded by mu; only for the manual clock
	manual bool      // immutable
	wake   chan struct{}
	done   chan struct{}
	wg     sync.WaitGroup
}

// timer is one scheduled callback.
type timer struct {
	when time.Time
	fn   func()
	idx  int // position in the heap, -1 when not scheduled; guarded by scheduler.mu
}

func newScheduler() *scheduler {
	return &scheduler{wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// newManualScheduler returns a scheduler whose clock only moves by advance
// (tests: no sleeping, deterministic order).
func newManualScheduler(start time.Time) *scheduler {
	s := newScheduler()
	s.manual = true
	s.now = start
	return s
}

// Now returns the scheduler's clock.
func (s *scheduler) Now() time.Time {
	if !s.manual {
		return time.Now()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// after schedules fn to run d from now.
func (s *scheduler) after(d time.Duration, fn func()) *timer {
	t := &timer{fn: fn, idx: -1}
	s.reset(t, s.Now().Add(d))
	return t
}

// reset (re)schedules t at when.
func (s *scheduler) reset(t *timer, when time.Time) {
	s.mu.Lock()
	t.when = when
	if t.idx >= 0 {
		heap.Fix(&s.h, t.idx)
	} else {
		heap.Push(&s.h, t)
	}
	first := s.h[0] == t
	s.mu.Unlock()
	if first && !s.manual {
		select {
		case s.wake <- struct{}{}:
		default:
		}
	}
}

// stop unschedules t; it reports whether t was still pending.
func (s *scheduler) stop(t *timer) bool {
	if t == nil {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.idx < 0 {
		return false
	}
	heap.Remove(&s.h, t.idx)
	return true
}

// popDue removes and returns the earliest timer due at now, or nil.
func (s *scheduler) popDue(now time.Time) *timer {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.h) == 0 || s.h[0].when.After(now) {
		return nil
	}
	return heap.Pop(&s.h).(*timer)
}

// start runs the production loop.
func (s *scheduler) start() {
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		tm := time.NewTimer(time.Hour)
		defer tm.Stop()
		for {
			for t := s.popDue(time.Now()); t != nil; t = s.popDue(time.Now()) {
				t.fn()
			}
			s.mu.Lock()
			d := time.Hour
			if len(s.h) > 0 {
				d = time.Until(s.h[0].when)
			}
			s.mu.Unlock()
			tm.Reset(d)
			select {
			case <-s.done:
				return
			case <-s.wake:
			case <-tm.C:
			}
			if !tm.Stop() {
				select {
				case <-tm.C:
				default:
				}
			}
		}
	}()
}

// close stops the loop; pending timers are dropped.
func (s *scheduler) close() {
	select {
	case <-s.done:
	default:
		close(s.done)
	}
	s.wg.Wait()
}

// advance moves the manual clock by d, running every timer that falls due on
// the way in deadline order, with the clock set to each timer's deadline.
func (s *scheduler) advance(d time.Duration) {
	s.mu.Lock()
	target := s.now.Add(d)
	s.mu.Unlock()
	for {
		s.mu.Lock()
		if len(s.h) == 0 || s.h[0].when.After(target) {
			s.now = target
			s.mu.Unlock()
			return
		}
		t := heap.Pop(&s.h).(*timer)
		if t.when.After(s.now) {
			s.now = t.when
		}
		s.mu.Unlock()
		t.fn()
	}
}

type timerHeap []*timer

func (h timerHeap) Len() int           { return len(h) }
func (h timerHeap) Less(i, j int) bool { return h[i].when.Before(h[j].when) }
func (h timerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx = i
	h[j].idx = j
}
func (h *timerHeap) Push(x any) {
	t := x.(*timer)
	t.idx = len(*h)
	*h = append(*h, t)
}
func (h *timerHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	t.idx = -1
	return t
}
