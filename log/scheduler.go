package log

import (
	"sync"
	"time"
)

// scheduler runs delayed file deletions (file.delete.delay.ms) and
// tracks them so Close can finish them instead of leaking goroutines.
// Safe for concurrent use.
type scheduler struct {
	mu      sync.Mutex
	pending map[*time.Timer]func() // guarded by mu
	closed  bool                   // guarded by mu
	wg      sync.WaitGroup
}

func newScheduler() *scheduler { return &scheduler{pending: make(map[*time.Timer]func())} }

// after runs fn after d, or at close, whichever comes first.
func (s *scheduler) after(d time.Duration, fn func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		fn()
		return
	}
	var t *time.Timer
	s.wg.Add(1)
	t = time.AfterFunc(d, func() {
		s.mu.Lock()
		f, ok := s.pending[t]
		delete(s.pending, t)
		s.mu.Unlock()
		if ok {
			f()
		}
		s.wg.Done()
	})
	s.pending[t] = fn
}

// close runs every pending task now and waits for running ones. The
// deletions are of files already renamed to .deleted, so finishing them
// early is harmless (a restart would remove them anyway).
func (s *scheduler) close() {
	s.mu.Lock()
	s.closed = true
	var run []func()
	for t, fn := range s.pending {
		if t.Stop() {
			run = append(run, fn)
			s.wg.Done()
		}
		delete(s.pending, t)
	}
	s.mu.Unlock()
	for _, fn := range run {
		fn()
	}
	s.wg.Wait()
}
