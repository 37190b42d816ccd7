package streams

import (
	"fmt"

	"go.uber.org/zap"
)

// TaskID names a task as Kafka does: <sub-topology>_<partition>.
type TaskID struct {
	Subtopology int
	Partition   int32
}

func (id TaskID) String() string { return fmt.Sprintf("%d_%d", id.Subtopology, id.Partition) }

// recordCollector takes the records a task writes: sink output,
// repartition records and changelog updates. partition -1 means "by the
// default partitioner". The runtime's collector produces with franz-go;
// tests collect in memory.
type recordCollector interface {
	send(topic string, partition int32, key, value []byte, timestampMs int64)
}

// task runs one partition of one sub-topology: the records of that
// partition of the sub-topology's source topics, and the stores of that
// partition. Owned by the stream thread; not safe for concurrent use.
type task struct {
	id        TaskID
	st        *subtopology
	partition int32
	prefix    string // "<application.id>-"
	stores    map[string]*KeyValueStore
	caches    map[string]*namedCache // per store; see cache.go
	out       recordCollector
	log       *zap.Logger

	// The record being processed, for log lines.
	curTopic  string
	curOffset int64
}

// newTask makes the task with empty stores; cache is the thread's record
// cache (nil: none, every update is emitted at once).
func newTask(id TaskID, st *subtopology, appID string, out recordCollector, cache *recordCache, log *zap.Logger) *task {
	t := &task{id: id, st: st, partition: id.Partition, prefix: appID + "-",
		stores: map[string]*KeyValueStore{}, caches: map[string]*namedCache{}, out: out, log: log}
	for _, s := range st.stores {
		t.stores[s] = newKeyValueStore(s)
		t.caches[s] = newNamedCache(cache)
	}
	return t
}

// storeUpdated passes a store update through the store's cache, then logs
// and forwards what the cache lets out (the update itself when caching is
// off).
func (t *task) storeUpdated(store string, e *cacheEntry) error {
	for _, out := range t.caches[store].put(e) {
		if err := t.emit(store, out); err != nil {
			return err
		}
	}
	return nil
}

// emit writes a store update to the changelog, then forwards it, in the
// order of Kafka's CachingKeyValueStore.
func (t *task) emit(store string, e *cacheEntry) error {
	t.logChange(store, e.keyBytes, e.valueBytes, e.rec.timestampMs)
	return t.forward(e.from, e.rec)
}

// flushCaches emits every held update, store by store, eldest first: part
// of a commit.
func (t *task) flushCaches() error {
	for _, store := range t.st.stores {
		for _, e := range t.caches[store].flush() {
			if err := t.emit(store, e); err != nil {
				return err
			}
		}
	}
	return nil
}

// dropCaches forgets held updates unwritten: the task was lost, another
// instance owns it now.
func (t *task) dropCaches() {
	for _, c := range t.caches {
		c.drop()
	}
}

// changelogTopic is <application.id>-<store>-changelog.
func (t *task) changelogTopic(store string) string { return t.prefix + store + changelogSuffix }

// logChange writes a store update to the store's changelog partition, which
// is the task's partition.
func (t *task) logChange(store string, key, value []byte, timestampMs int64) {
	t.out.send(t.changelogTopic(store), t.partition, key, value, timestampMs)
}

// process runs one consumed record through the sub-topology, starting at
// the source node that reads topic. An error (a serde failing) is fatal to
// the stream thread, as with Kafka's default LogAndFail handlers.
func (t *task) process(topic string, offset int64, key, value []byte, timestampMs int64) error {
	t.curTopic, t.curOffset = topic, offset
	for _, src := range t.st.sources {
		for _, name := range src.topics {
			if src.internalTopic {
				name = t.prefix + name
			}
			if name != topic {
				continue
			}
			k, err := src.keySerde.deserialize(topic, key)
			if err != nil {
				return fmt.Errorf("deserialization of the key of %s-%d at offset %d failed: %w", topic, t.partition, offset, err)
			}
			v, err := src.valueSerde.deserialize(topic, value)
			if err != nil {
				return fmt.Errorf("deserialization of the value of %s-%d at offset %d failed: %w", topic, t.partition, offset, err)
			}
			return t.forward(src, record{key: k, value: v, timestampMs: timestampMs})
		}
	}
	return fmt.Errorf("task %s has no source for topic %s", t.id, topic)
}

// forward passes r to every child of n, depth first, as Kafka's
// ProcessorContext.forward.
func (t *task) forward(n *node, r record) error {
	for _, c := range n.children {
		if err := t.run(c, r); err != nil {
			return err
		}
	}
	return nil
}

func (t *task) run(n *node, r record) error {
	if n.kind == sinkNode {
		topic := n.topic
		if n.internalTopic {
			topic = t.prefix + topic
		}
		k, err := n.keySerde.serialize(topic, r.key)
		if err != nil {
			return fmt.Errorf("serialization of a key for %s failed: %w", topic, err)
		}
		v, err := n.valueSerde.serialize(topic, r.value)
		if err != nil {
			return fmt.Errorf("serialization of a value for %s failed: %w", topic, err)
		}
		t.out.send(topic, -1, k, v, r.timestampMs)
		return nil
	}
	var ferr error
	err := n.process(t, r, func(out record) {
		if ferr == nil {
			ferr = t.forward(n, out)
		}
	})
	if err != nil {
		return err
	}
	return ferr
}
