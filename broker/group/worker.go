package group

import "sync"

// worker runs tasks one at a time, in submission order, on its own
// goroutine. The coordinator has two: one for storage completions (so that
// Storage.Append's done never runs coordinator code on the storage's
// goroutine or under its locks) and one for loading and unloading offsets
// partitions (Kafka's single "group-metadata-manager" scheduler thread), so
// that a long load never delays commits of other partitions.
//
// Safe for concurrent use.
type worker struct {
	mu     sync.Mutex
	cond   *sync.Cond
	tasks  []func() // guarded by mu
	closed bool     // guarded by mu
	inline bool     // immutable: run tasks on the submitting goroutine (tests)
	wg     sync.WaitGroup
}

func newWorker(inline bool) *worker {
	w := &worker{inline: inline}
	w.cond = sync.NewCond(&w.mu)
	return w
}

func (w *worker) start() {
	if w.inline {
		return
	}
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		for {
			w.mu.Lock()
			for len(w.tasks) == 0 && !w.closed {
				w.cond.Wait()
			}
			if len(w.tasks) == 0 {
				w.mu.Unlock()
				return
			}
			t := w.tasks[0]
			w.tasks[0] = nil
			w.tasks = w.tasks[1:]
			w.mu.Unlock()
			t()
		}
	}()
}

// submit queues t. After close, tasks run on the caller's goroutine so that
// nothing submitted late is lost.
func (w *worker) submit(t func()) {
	if w.inline {
		t()
		return
	}
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		t()
		return
	}
	w.tasks = append(w.tasks, t)
	w.mu.Unlock()
	w.cond.Signal()
}

// close runs what is queued, then stops.
func (w *worker) close() {
	w.mu.Lock()
	w.closed = true
	w.mu.Unlock()
	w.cond.Broadcast()
	w.wg.Wait()
}
