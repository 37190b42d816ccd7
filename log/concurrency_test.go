package log

import (
	"sync"
	"testing"
)

// TestConcurrentAppendsAndReads runs writers and readers together (run
// it with -race). Invariant: every read returns whole batches with
// offsets increasing from the requested one, never bytes beyond the log
// end offset the reader bounded it with.
func TestConcurrentAppendsAndReads(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBytes = 4096
	l, _ := newTestLog(t, cfg)
	var wg sync.WaitGroup
	const writers, perWriter = 3, 200
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < perWriter; i++ {
				if _, err := l.AppendAsLeader(batchOf(2, int64(i)), 0); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	stop := make(chan struct{})
	var readers sync.WaitGroup
	for r := 0; r < 2; r++ {
		readers.Add(1)
		go func() {
			defer readers.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				leo := l.LogEndOffset()
				if leo == 0 {
					continue
				}
				off := leo / 2
				fd, err := l.Read(off, 1<<16, leo, true)
				if err != nil {
					t.Error(err)
					return
				}
				data, err := fd.Slice.ReadAll()
				if err != nil {
					t.Error(err)
					return
				}
				next := int64(-1)
				for b := range Batches(data) {
					if !ValidBatchCRC(b.Raw) || b.LastOffset() >= leo || (next >= 0 && b.BaseOffset != next) {
						t.Errorf("bad batch at %d (leo %d, expected %d)", b.BaseOffset, leo, next)
						return
					}
					if next < 0 && b.LastOffset() < off {
						t.Errorf("first batch %d does not hold offset %d", b.BaseOffset, off)
						return
					}
					next = b.LastOffset() + 1
				}
			}
		}()
	}
	wg.Wait()
	close(stop)
	readers.Wait()
	if l.LogEndOffset() != writers*perWriter*2 {
		t.Fatalf("LEO %d", l.LogEndOffset())
	}
	if got := len(readAll(t, l, 0)); got != writers*perWriter {
		t.Fatalf("%d batches", got)
	}
}
