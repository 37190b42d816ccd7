package connect

import (
	"os"
	"path/filepath"
	"testing"
)

// Offsets survive a reopen; before the first flush the file does not exist
// and the store is empty, as on a worker's first start.
func TestOffsetStoreRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connect.offsets")
	s, err := OpenOffsetStore(path)
	if err != nil {
		t.Fatal(err)
	}
	part := map[string]any{"filename": "test.txt"}
	if off, err := s.Offset("local-file-source", part); off != nil || err != nil {
		t.Fatalf("empty store: %v %v", off, err)
	}
	if err := s.Set("local-file-source", map[string]sourceOffset{"k": {part, map[string]any{"position": int64(21)}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("file written before Flush: %v", err)
	}
	if err := s.Flush(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if want := `{"version":1,"offsets":[{"key":["local-file-source",{"filename":"test.txt"}],"value":{"position":21}}]}` + "\n"; string(b) != want {
		t.Errorf("file:\n%s\nwant\n%s", b, want)
	}
	s2, err := OpenOffsetStore(path)
	if err != nil {
		t.Fatal(err)
	}
	off, err := s2.Offset("local-file-source", part)
	if err != nil || off["position"] != int64(21) {
		t.Errorf("reopened: %v %v", off, err)
	}
	// Another connector's partition of the same name is its own.
	if off, _ := s2.Offset("other", part); off != nil {
		t.Errorf("other connector sees %v", off)
	}
	// No temporary files are left behind.
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the offsets file", len(entries))
	}
}

func TestOffsetStoreCorruptFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "connect.offsets")
	os.WriteFile(path, []byte("\xac\xed garbage"), 0o644)
	if _, err := OpenOffsetStore(path); err == nil {
		t.Error("a corrupt offsets file was accepted")
	}
}
