package streams

import (
	"bytes"
	"sort"
)

// KeyValueStore is an in-memory key-value store of serialized keys and
// values, as Kafka's InMemoryKeyValueStore: the processor that owns it
// (de)serializes, and the changelog records carry the same bytes. A nil
// value means absent. Owned by one task; not safe for concurrent use.
type KeyValueStore struct {
	name string
	m    map[string][]byte
}

func newKeyValueStore(name string) *KeyValueStore {
	return &KeyValueStore{name: name, m: map[string][]byte{}}
}

// Name is the store's name, e.g. KSTREAM-AGGREGATE-STATE-STORE-0000000003.
func (s *KeyValueStore) Name() string { return s.name }

// Get returns the value of key, or nil.
func (s *KeyValueStore) Get(key []byte) []byte { return s.m[string(key)] }

// Put sets key to value; a nil value deletes the key (a tombstone).
func (s *KeyValueStore) Put(key, value []byte) {
	if value == nil {
		delete(s.m, string(key))
		return
	}
	s.m[string(key)] = value
}

// Delete removes key.
func (s *KeyValueStore) Delete(key []byte) { delete(s.m, string(key)) }

// Len is the number of keys.
func (s *KeyValueStore) Len() int { return len(s.m) }

// All calls fn for every entry in key byte order, as Kafka's all().
func (s *KeyValueStore) All(fn func(key, value []byte)) {
	keys := make([][]byte, 0, len(s.m))
	for k := range s.m {
		keys = append(keys, []byte(k))
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	for _, k := range keys {
		fn(k, s.m[string(k)])
	}
}
