package connect

// Source offsets of the standalone worker: Kafka's FileOffsetBackingStore
// keeps them in the file named by offset.storage.file.filename. Kafka
// writes a Java-serialized HashMap there; this store writes JSON, one entry
// per source partition, with the key and value Kafka's OffsetStorageWriter
// would produce (the schemaless JSON of [connector, partition] and of the
// offset):
//
//	{"version":1,"offsets":[{"key":["local-file-source",{"filename":"test.txt"}],"value":{"position":8}}]}
//
// The file is rewritten whole on every flush, through a temporary file,
// fsync and rename, so a crash leaves the old or the new offsets, never a
// torn file.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// OffsetStore is the standalone worker's source offset store. Safe for
// concurrent use.
type OffsetStore struct {
	path string

	mu   sync.Mutex
	data map[string]json.RawMessage // key JSON → offset JSON
}

type offsetFile struct {
	Version int           `json:"version"`
	Offsets []offsetEntry `json:"offsets"`
}

type offsetEntry struct {
	Key   json.RawMessage `json:"key"`
	Value json.RawMessage `json:"value"`
}

// OpenOffsetStore reads path; a missing file is an empty store (the first
// run), an unreadable one an error, as Kafka's store fails to start.
func OpenOffsetStore(path string) (*OffsetStore, error) {
	s := &OffsetStore{path: path, data: map[string]json.RawMessage{}}
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, connectErr(fmt.Sprintf("Failed to read offsets from %s: %v", path, err))
	}
	var f offsetFile
	if err := json.Unmarshal(b, &f); err != nil || f.Version != 1 {
		if err == nil {
			err = fmt.Errorf("unknown version %d", f.Version)
		}
		return nil, connectErr(fmt.Sprintf("Failed to read offsets from %s: %v", path, err))
	}
	for _, e := range f.Offsets {
		s.data[string(compactJSON(e.Key))] = e.Value
	}
	return s, nil
}

// Path is the file the store writes.
func (s *OffsetStore) Path() string { return s.path }

// offsetKey is the store key of one source partition of a connector.
func offsetKey(connector string, partition map[string]any) (string, error) {
	b, err := json.Marshal([]any{connector, partition})
	return string(b), err
}

// Offset returns the stored offset of a connector's source partition, or
// nil. Numbers come back as int64 where they are integral.
func (s *OffsetStore) Offset(connector string, partition map[string]any) (map[string]any, error) {
	k, err := offsetKey(connector, partition)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	raw, ok := s.data[k]
	s.mu.Unlock()
	if !ok || string(raw) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	for k, v := range m {
		if n, ok := v.(json.Number); ok {
			if i, err := n.Int64(); err == nil {
				m[k] = i
			}
		}
	}
	return m, nil
}

// Set records offsets (partition key JSON → offset) for a connector in
// memory; Flush writes them.
func (s *OffsetStore) Set(connector string, offsets map[string]sourceOffset) error {
	enc := map[string]json.RawMessage{}
	for _, o := range offsets {
		k, err := offsetKey(connector, o.partition)
		if err != nil {
			return err
		}
		v, err := json.Marshal(o.offset)
		if err != nil {
			return err
		}
		enc[k] = v
	}
	s.mu.Lock()
	for k, v := range enc {
		s.data[k] = v
	}
	s.mu.Unlock()
	return nil
}

// sourceOffset is one source partition's latest offset.
type sourceOffset struct {
	partition map[string]any
	offset    map[string]any
}

// Flush writes every offset to the file atomically.
func (s *OffsetStore) Flush() error {
	s.mu.Lock()
	f := offsetFile{Version: 1, Offsets: []offsetEntry{}}
	keys := make([]string, 0, len(s.data))
	for k := range s.data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		f.Offsets = append(f.Offsets, offsetEntry{Key: json.RawMessage(k), Value: s.data[k]})
	}
	s.mu.Unlock()
	b, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return writeFileAtomic(s.path, append(b, '\n'))
}

// writeFileAtomic replaces path with data: temporary file in the same
// directory, fsync, rename, fsync of the directory.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, err = tmp.Write(data)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(name, 0o644)
	}
	if err == nil {
		err = os.Rename(name, path)
	}
	if err != nil {
		os.Remove(name)
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

func compactJSON(b []byte) []byte {
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		return b
	}
	return out.Bytes()
}
