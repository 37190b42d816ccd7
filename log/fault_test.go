package log

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// faultyFS writes at most budget more bytes, then fails with err after a
// partial write, like a disk filling up in the middle of an append.
type faultyFS struct {
	budget int64
	err    error
}

func (f *faultyFS) WriteAt(file *os.File, b []byte, off int64) (int, error) {
	if int64(len(b)) <= f.budget {
		f.budget -= int64(len(b))
		return file.WriteAt(b, off)
	}
	n, _ := file.WriteAt(b[:f.budget], off)
	f.budget = 0
	return n, f.err
}

func (f *faultyFS) Sync(file *os.File) error { return file.Sync() }

func TestDiskFullGivesStorageErrorAndNoTornBatch(t *testing.T) {
	for _, errno := range []syscall.Errno{syscall.ENOSPC, syscall.EROFS, syscall.EIO} {
		t.Run(errno.Error(), func(t *testing.T) {
			fs := &faultyFS{budget: 1000, err: errno}
			dir := t.TempDir()
			l := openTestLog(t, dir, testConfig(), logOptions{cleanShutdown: true, logStartOffset: -1, fs: fs})
			var lastOK int64 = -1
			var err error
			for i := 0; i < 100; i++ {
				var info AppendInfo
				info, err = l.AppendAsLeader(batchOf(3, 1), 0)
				if err != nil {
					break
				}
				lastOK = info.LastOffset
			}
			if !errors.Is(err, ErrStorage) || !errors.Is(err, errno) {
				t.Fatalf("err = %v, want ErrStorage wrapping %v", err, errno)
			}
			if l.LogEndOffset() != lastOK+1 {
				t.Fatalf("LEO %d after a failed append, want %d", l.LogEndOffset(), lastOK+1)
			}
			seg := filepath.Join(l.Dir(), SegmentFileName(0, LogFileSuffix))
			st, _ := os.Stat(seg)
			if st.Size() != l.Size() {
				t.Fatalf("segment file is %d bytes, log size %d: torn bytes left behind", st.Size(), l.Size())
			}
			// Space comes back: appends continue at the next offset.
			fs.budget = 1 << 30
			if info := mustAppend(t, l, batchOf(1, 1)); info.FirstOffset != lastOK+1 {
				t.Fatalf("next append at %d", info.FirstOffset)
			}
			l.Close()
			rl := openTestLog(t, dir, testConfig(), logOptions{cleanShutdown: false, logStartOffset: -1})
			defer rl.Close()
			if rl.LogEndOffset() != lastOK+2 {
				t.Fatalf("recovered LEO %d", rl.LogEndOffset())
			}
		})
	}
}

func TestUnusableLogDirGivesClearError(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	os.WriteFile(file, nil, 0o644)
	_, err := openLog(filepath.Join(file, "test-0"), TopicPartition{"test", 0}, testConfig(), logOptions{})
	if !errors.Is(err, ErrStorage) || !errors.Is(err, syscall.ENOTDIR) {
		t.Fatalf("err = %v", err)
	}
	_, err = NewManager([]string{file}, DefaultConfig(), ManagerOptions{}, nil)
	if !errors.Is(err, ErrStorage) {
		t.Fatalf("manager err = %v", err)
	}
}
