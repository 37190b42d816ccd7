package streams

import "container/list"

// recordCache is Kafka's ThreadCache for this runtime's one stream thread:
// cache.max.bytes.buffering bytes shared by the stores of all its tasks.
// A store update is held, per key, as a dirty entry; only when the entry
// is flushed (at every commit) or evicted (the cache is full) is it
// written to the changelog and forwarded downstream. Several updates of a
// key in between thus give one output record, with the latest value. With
// a size of 0 nothing is held: every update is written and forwarded at
// once, as the WordCount demo configures.
//
// The store itself is updated at once (it is in memory, and reads must
// see the latest value); the cache only defers the changelog record and
// the forward. Owned by the stream thread.
type recordCache struct {
	maxBytes int64
	curBytes int64
}

// cacheEntryOverhead approximates the per-entry bookkeeping Kafka's
// LRUCacheEntry counts besides key and value (timestamps, offset,
// partition, topic name).
const cacheEntryOverhead = 64

// namedCache is one store's dirty entries in least-recently-updated
// order, as Kafka's NamedCache.
type namedCache struct {
	parent *recordCache
	order  *list.List               // of *cacheEntry, eldest first
	byKey  map[string]*list.Element // serialized key -> entry
}

// cacheEntry is a pending store update: what to log and what to forward.
type cacheEntry struct {
	keyBytes, valueBytes []byte
	rec                  record // the deserialized key and new value, for the forward
	from                 *node  // the node whose children receive the forward
}

func (e *cacheEntry) size() int64 {
	return int64(len(e.keyBytes) + len(e.valueBytes) + cacheEntryOverhead)
}

func newNamedCache(parent *recordCache) *namedCache {
	return &namedCache{parent: parent, order: list.New(), byKey: map[string]*list.Element{}}
}

// put records an update and returns the entries to emit now: the update
// itself when caching is off, else any entries evicted to make room,
// eldest first (Kafka's ThreadCache.maybeEvict evicts from the cache being
// written to).
func (c *namedCache) put(e *cacheEntry) []*cacheEntry {
	if c.parent == nil || c.parent.maxBytes <= 0 {
		return []*cacheEntry{e}
	}
	if el, ok := c.byKey[string(e.keyBytes)]; ok {
		old := el.Value.(*cacheEntry)
		c.parent.curBytes -= old.size()
		c.order.Remove(el)
	}
	c.byKey[string(e.keyBytes)] = c.order.PushBack(e)
	c.parent.curBytes += e.size()
	var out []*cacheEntry
	for c.parent.curBytes > c.parent.maxBytes && c.order.Len() > 0 {
		out = append(out, c.evictEldest())
	}
	return out
}

func (c *namedCache) evictEldest() *cacheEntry {
	el := c.order.Front()
	e := el.Value.(*cacheEntry)
	c.order.Remove(el)
	delete(c.byKey, string(e.keyBytes))
	c.parent.curBytes -= e.size()
	return e
}

// flush empties the cache and returns its entries, eldest first.
func (c *namedCache) flush() []*cacheEntry {
	var out []*cacheEntry
	for c.order.Len() > 0 {
		out = append(out, c.evictEldest())
	}
	return out
}

// drop forgets the entries unwritten (a lost task).
func (c *namedCache) drop() {
	for c.order.Len() > 0 {
		c.evictEldest()
	}
}
