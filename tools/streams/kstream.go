package streams

// KStream is a record stream of keys K and values V, as Kafka's
// KStream<K, V>. Each operation adds a node to the builder's topology.
type KStream[K, V any] struct {
	b    *StreamsBuilder
	node *node
	// repartition is set once the key may have changed (Map, SelectKey):
	// a later GroupByKey must then route records through a repartition
	// topic, as Kafka's KStreamImpl.repartitionRequired.
	repartition bool
}

// Stream reads topic with the given serdes: StreamsBuilder.stream(topic,
// Consumed.with(keySerde, valueSerde)).
func Stream[K, V any](b *StreamsBuilder, topic string, keySerde Serde[K], valueSerde Serde[V]) *KStream[K, V] {
	n := b.add(&node{name: b.newName(sourceName), kind: sourceNode, topics: []string{topic},
		keySerde: erase(keySerde), valueSerde: erase(valueSerde)}, nil)
	return &KStream[K, V]{b: b, node: n}
}

// processor adds a processor node below s.
func (s *KStream[K, V]) processor(prefix string, fn processFunc) *node {
	return s.b.add(&node{name: s.b.newName(prefix), kind: processorNode, process: fn}, s.node)
}

// Filter keeps the records for which keep returns true.
func (s *KStream[K, V]) Filter(keep func(key K, value V) bool) *KStream[K, V] {
	n := s.processor(filterName, func(_ *task, r record, forward func(record)) error {
		if keep(typed[K](r.key), typed[V](r.value)) {
			forward(r)
		}
		return nil
	})
	return &KStream[K, V]{b: s.b, node: n, repartition: s.repartition}
}

// FilterNot drops the records for which drop returns true.
func (s *KStream[K, V]) FilterNot(drop func(key K, value V) bool) *KStream[K, V] {
	return s.Filter(func(k K, v V) bool { return !drop(k, v) })
}

// Foreach calls action for every record; the stream ends there.
func (s *KStream[K, V]) Foreach(action func(key K, value V)) {
	s.processor(foreachName, func(_ *task, r record, _ func(record)) error {
		action(typed[K](r.key), typed[V](r.value))
		return nil
	})
}

// Peek calls action for every record and passes the record on.
func (s *KStream[K, V]) Peek(action func(key K, value V)) *KStream[K, V] {
	n := s.processor(peekName, func(_ *task, r record, forward func(record)) error {
		action(typed[K](r.key), typed[V](r.value))
		forward(r)
		return nil
	})
	return &KStream[K, V]{b: s.b, node: n, repartition: s.repartition}
}

// To writes the stream to topic with the given serdes: KStream.to(topic,
// Produced.with(keySerde, valueSerde)). Records are partitioned by the
// default partitioner (murmur2 of the serialized key).
func (s *KStream[K, V]) To(topic string, keySerde Serde[K], valueSerde Serde[V]) {
	s.b.add(&node{name: s.b.newName(sinkName), kind: sinkNode, topic: topic,
		keySerde: erase(keySerde), valueSerde: erase(valueSerde)}, s.node)
}

// GroupByKey groups the records by their current key, for an aggregation.
// If an earlier operation may have changed the key, the aggregation reads
// the records back through a repartition topic.
func (s *KStream[K, V]) GroupByKey(keySerde Serde[K], valueSerde Serde[V]) *KGroupedStream[K, V] {
	return &KGroupedStream[K, V]{b: s.b, node: s.node, repartition: s.repartition,
		keySerde: keySerde, valueSerde: valueSerde}
}

// MapValues replaces each value with fn(value); the key is unchanged.
func MapValues[K, V, VR any](s *KStream[K, V], fn func(value V) VR) *KStream[K, VR] {
	n := s.processor(mapValuesName, func(_ *task, r record, forward func(record)) error {
		forward(record{key: r.key, value: fn(typed[V](r.value)), timestampMs: r.timestampMs})
		return nil
	})
	return &KStream[K, VR]{b: s.b, node: n, repartition: s.repartition}
}

// FlatMapValues replaces each record with one record per value of
// fn(value), all with the record's key.
func FlatMapValues[K, V, VR any](s *KStream[K, V], fn func(value V) []VR) *KStream[K, VR] {
	n := s.processor(flatMapValuesName, func(_ *task, r record, forward func(record)) error {
		for _, v := range fn(typed[V](r.value)) {
			forward(record{key: r.key, value: v, timestampMs: r.timestampMs})
		}
		return nil
	})
	return &KStream[K, VR]{b: s.b, node: n, repartition: s.repartition}
}

// Map replaces each record with fn(key, value); a later grouping
// repartitions.
func Map[K, V, KR, VR any](s *KStream[K, V], fn func(key K, value V) (KR, VR)) *KStream[KR, VR] {
	n := s.processor(mapName, func(_ *task, r record, forward func(record)) error {
		k, v := fn(typed[K](r.key), typed[V](r.value))
		forward(record{key: k, value: v, timestampMs: r.timestampMs})
		return nil
	})
	return &KStream[KR, VR]{b: s.b, node: n, repartition: true}
}

// SelectKey sets each record's key to fn(key, value); a later grouping
// repartitions.
func SelectKey[K, V, KR any](s *KStream[K, V], fn func(key K, value V) KR) *KStream[KR, V] {
	n := s.selectKey(func(k K, v V) any { return fn(k, v) })
	return &KStream[KR, V]{b: s.b, node: n, repartition: true}
}

func (s *KStream[K, V]) selectKey(f func(K, V) any) *node {
	return s.processor(keySelectName, func(_ *task, r record, forward func(record)) error {
		forward(record{key: f(typed[K](r.key), typed[V](r.value)), value: r.value, timestampMs: r.timestampMs})
		return nil
	})
}

// GroupBy re-keys every record with fn and groups by the new key, as
// KStream.groupBy(selector, Grouped.with(keySerde, valueSerde)): the
// aggregation reads the records back through a repartition topic, so that
// all records of one key meet in one task.
func GroupBy[K, V, KR any](s *KStream[K, V], fn func(key K, value V) KR, keySerde Serde[KR], valueSerde Serde[V]) *KGroupedStream[KR, V] {
	n := s.selectKey(func(k K, v V) any { return fn(k, v) })
	return &KGroupedStream[KR, V]{b: s.b, node: n, repartition: true, keySerde: keySerde, valueSerde: valueSerde}
}
