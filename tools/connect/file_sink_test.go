package connect

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The sink appends each value and a newline, keeping what the file held.
func TestFileSinkAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "test.sink.txt")
	os.WriteFile(path, []byte("old\n"), 0o644)
	ft, err := newFileSinkTask(map[string]string{"file": path}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := ft.put([]any{"foo", "bar", nil, int64(3)}); err != nil {
		t.Fatal(err)
	}
	if err := ft.flush(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old\nfoo\nbar\nnull\n3\n" {
		t.Errorf("after flush: %q", b)
	}
	ft.put([]any{"Another line"})
	if err := ft.stop(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "old\nfoo\nbar\nnull\n3\nAnother line\n" {
		t.Errorf("after stop: %q", b)
	}
}

// Without "file" the sink writes stdout.
func TestFileSinkStdout(t *testing.T) {
	var out bytes.Buffer
	ft, _ := newFileSinkTask(map[string]string{}, &out)
	ft.put([]any{"x"})
	ft.flush()
	if out.String() != "x\n" {
		t.Errorf("stdout: %q", out.String())
	}
	if _, err := newFileSinkTask(map[string]string{"file": filepath.Join(t.TempDir(), "no", "dir")}, nil); err == nil {
		t.Error("an uncreatable file was accepted")
	}
}
