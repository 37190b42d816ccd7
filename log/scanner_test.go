package log

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// failingReader serves data but fails every read that reaches failAt.
type failingReader struct {
	data   []byte
	failAt int64
}

func (r failingReader) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > r.failAt {
		return 0, errors.New("input/output error")
	}
	return bytes.NewReader(r.data).ReadAt(p, off)
}

// TestReadAheadScan: the read-ahead scan returns the same batches as the
// plain one, and a read error part-way is ErrStorage (recovery then cuts
// nothing), not corruption.
func TestReadAheadScan(t *testing.T) {
	var data []byte
	var want []int64
	for i := 0; len(data) < 5<<20; i++ {
		want = append(want, int64(len(data)))
		b := BuildBatch([]Record{{Key: []byte("k"), Value: make([]byte, 500+(i*7919)%40000)}})
		data = append(data, b...)
	}
	scan := func(r io.ReaderAt, ahead bool) ([]int64, error) {
		sc := newScanner(r, 0, int64(len(data)), true, true)
		defer sc.release()
		if ahead {
			sc.readAheadFrom(0)
		}
		var got []int64
		for {
			_, pos, raw, ok := sc.next()
			if !ok {
				return got, sc.err
			}
			if !ValidBatchCRC(raw) {
				t.Fatalf("batch at %d returned with a bad CRC", pos)
			}
			got = append(got, pos)
		}
	}
	for _, ahead := range []bool{false, true} {
		got, err := scan(bytes.NewReader(data), ahead)
		if err != nil || len(got) != len(want) || got[len(got)-1] != want[len(want)-1] {
			t.Fatalf("read-ahead %v: %d batches, %v", ahead, len(got), err)
		}
		got, err = scan(failingReader{data: data, failAt: 3 << 20}, ahead)
		if !errors.Is(err, ErrStorage) || isCorruption(err) || len(got) == 0 || len(got) == len(want) {
			t.Fatalf("read-ahead %v with a failing disk: %d batches, %v", ahead, len(got), err)
		}
	}
}
