package connect

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
)

func init() { idleWait = 20 * time.Millisecond }

func newTestSource(t *testing.T, cfg map[string]string, stored map[string]any) *fileSourceTask {
	t.Helper()
	ft, err := newFileSourceTask(cfg, strings.NewReader(""), klog{lg: zap.NewNop()},
		func(map[string]any) (map[string]any, error) { return stored, nil })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ft.stop)
	return ft
}

func lines(recs []sourceRecord) []string {
	var out []string
	for _, r := range recs {
		out = append(out, r.value.(string))
	}
	return out
}

func appendTo(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(s)
	f.Close()
}

// The source tails the file: each complete line is a record with a null
// key, a string value and the byte position after it; a line without its
// newline waits for it; a missing file is waited for.
func TestFileSourceTails(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "test.txt")
	ft := newTestSource(t, map[string]string{"file": path, "topic": "connect-test"}, nil)
	if recs, err := ft.poll(ctx); recs != nil || err != nil {
		t.Fatalf("missing file: %v %v", recs, err)
	}
	appendTo(t, path, "foo\nbar\nhalf")
	recs, err := ft.poll(ctx)
	if err != nil || strings.Join(lines(recs), ",") != "foo,bar" {
		t.Fatalf("first poll: %v %v", lines(recs), err)
	}
	r := recs[1]
	if r.key != nil || r.keySchema != nil || r.valueSchema != StringSchema || r.topic != "connect-test" ||
		r.partition["filename"] != path || r.offset["position"] != int64(8) {
		t.Errorf("record: %+v", r)
	}
	if recs, _ := ft.poll(ctx); len(recs) != 0 {
		t.Errorf("an unfinished line was emitted: %v", lines(recs))
	}
	appendTo(t, path, " line\r\nAnother line\n")
	recs, _ = ft.poll(ctx)
	if strings.Join(lines(recs), ",") != "half line,Another line" || recs[1].offset["position"] != int64(8+11+13) {
		t.Errorf("after append: %v %v", lines(recs), recs)
	}
}

// Restarted with a stored position, the source skips what it sent.
func TestFileSourceResumesFromStoredPosition(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.txt")
	appendTo(t, path, "foo\nbar\nAnother line\n")
	ft := newTestSource(t, map[string]string{"file": path, "topic": "t"}, map[string]any{"position": int64(8)})
	recs, err := ft.poll(context.Background())
	if err != nil || strings.Join(lines(recs), ",") != "Another line" || recs[0].offset["position"] != int64(21) {
		t.Errorf("resumed: %v %v", lines(recs), err)
	}
}

// At most batch.size lines per poll; the rest come with the next polls.
func TestFileSourceBatchSize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.txt")
	appendTo(t, path, "1\n2\n3\n4\n5\n")
	ft := newTestSource(t, map[string]string{"file": path, "topic": "t", "batch.size": "2"}, nil)
	var got []string
	for i := 0; i < 3; i++ {
		recs, _ := ft.poll(context.Background())
		if len(recs) > 2 {
			t.Fatalf("poll %d returned %d lines", i, len(recs))
		}
		got = append(got, strings.Join(lines(recs), ""))
	}
	if strings.Join(got, "|") != "12|34|5" {
		t.Errorf("batches: %v", got)
	}
}

// Without "file" the source reads stdin and tracks no offsets.
func TestFileSourceStdin(t *testing.T) {
	ft, err := newFileSourceTask(map[string]string{"topic": "t"}, strings.NewReader("a\nb\n"), klog{lg: zap.NewNop()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []sourceRecord
	for i := 0; i < 5 && len(got) < 2; i++ {
		recs, _ := ft.poll(context.Background())
		got = append(got, recs...)
	}
	if strings.Join(lines(got), ",") != "a,b" || got[0].partition != nil {
		t.Errorf("stdin: %v", got)
	}
	if _, err := newFileSourceTask(map[string]string{}, nil, klog{lg: zap.NewNop()}, nil); err == nil ||
		!strings.Contains(err.Error(), "FileStreamSourceTask config missing topic setting") {
		t.Errorf("no topic: %v", err)
	}
}
