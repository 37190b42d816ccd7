package streams

import "go.uber.org/zap"

// KGroupedStream is a stream grouped by key, waiting for an aggregation,
// as Kafka's KGroupedStream<K, V>.
type KGroupedStream[K, V any] struct {
	b           *StreamsBuilder
	node        *node
	repartition bool
	keySerde    Serde[K]
	valueSerde  Serde[V]
}

// KTable is a changelog stream: the latest value per key, kept in a store,
// as Kafka's KTable<K, V>. Every update is forwarded (no record cache).
type KTable[K, V any] struct {
	b          *StreamsBuilder
	node       *node
	keySerde   Serde[K]
	valueSerde Serde[V]
	storeName  string
}

// StoreName is the name of the table's key-value store; its changelog
// topic is <application.id>-<StoreName>-changelog.
func (t *KTable[K, V]) StoreName() string { return t.storeName }

// ToStream turns the table's updates into a stream of (key, new value).
func (t *KTable[K, V]) ToStream() *KStream[K, V] {
	n := t.b.add(&node{name: t.b.newName(toStreamName), kind: processorNode,
		process: func(_ *task, r record, forward func(record)) error { forward(r); return nil }}, t.node)
	return &KStream[K, V]{b: t.b, node: n}
}

// Count counts the records per key: KGroupedStream.count(). The store is
// KSTREAM-AGGREGATE-STATE-STORE-<n>, its values Long.
func (g *KGroupedStream[K, V]) Count() *KTable[K, int64] {
	return aggregate(g, aggregateName, Long,
		func() int64 { return 0 },
		func(_ K, _ V, agg int64) int64 { return agg + 1 })
}

// Reduce combines the values per key with fn, the first value as is:
// KGroupedStream.reduce(reducer). The store is KSTREAM-REDUCE-STATE-STORE-<n>.
func (g *KGroupedStream[K, V]) Reduce(fn func(agg, value V) V) *KTable[K, V] {
	return aggregateWith(g, reduceName, g.valueSerde, nil,
		func(_ K, v V, agg V, first bool) V {
			if first {
				return v
			}
			return fn(agg, v)
		})
}

// Aggregate folds the values per key into a VA, starting from init():
// KGroupedStream.aggregate(initializer, aggregator, Materialized.with(...,
// aggSerde)). The store is KSTREAM-AGGREGATE-STATE-STORE-<n>.
func Aggregate[K, V, VA any](g *KGroupedStream[K, V], init func() VA, fn func(key K, value V, agg VA) VA, aggSerde Serde[VA]) *KTable[K, VA] {
	return aggregate(g, aggregateName, aggSerde, init, fn)
}

func aggregate[K, V, VA any](g *KGroupedStream[K, V], prefix string, aggSerde Serde[VA], init func() VA, fn func(K, V, VA) VA) *KTable[K, VA] {
	return aggregateWith(g, prefix, aggSerde, init, func(k K, v V, agg VA, first bool) VA {
		if first {
			agg = init()
		}
		return fn(k, v, agg)
	})
}

// aggregateWith adds Kafka's nodes for an aggregation, in Kafka's naming
// order (GroupedStreamAggregateBuilder): the store name, the aggregate
// processor, then, when the key may have changed, the repartition sink, its
// null-key filter and the source reading the repartition topic back.
func aggregateWith[K, V, VA any](g *KGroupedStream[K, V], prefix string, aggSerde Serde[VA], _ func() VA, fn func(k K, v V, agg VA, first bool) VA) *KTable[K, VA] {
	b := g.b
	storeName := b.newName(prefix + storeSuffix)
	aggName := b.newName(prefix)
	parent := g.node
	if g.repartition {
		topic := storeName + repartitionSuffix
		sink := b.newName(sinkName)
		filter := b.newName(filterName)
		source := b.newName(sourceName)
		f := b.add(&node{name: filter, kind: processorNode, process: func(_ *task, r record, forward func(record)) error {
			if r.key != nil {
				forward(r)
			}
			return nil
		}}, parent)
		b.add(&node{name: sink, kind: sinkNode, topic: topic, internalTopic: true,
			keySerde: erase(g.keySerde), valueSerde: erase(g.valueSerde)}, f)
		parent = b.add(&node{name: source, kind: sourceNode, topics: []string{topic}, internalTopic: true,
			keySerde: erase(g.keySerde), valueSerde: erase(g.valueSerde)}, nil)
	}
	b.t.stores = append(b.t.stores, storeSpec{name: storeName})
	keySerde, valueSerde := erase(g.keySerde), erase(aggSerde)
	var self *node
	self = b.add(&node{name: aggName, kind: processorNode, stores: []string{storeName},
		process: func(t *task, r record, _ func(record)) error {
			if r.key == nil || r.value == nil {
				// KStreamAggregate: such records are dropped, with a warning.
				t.log.Warn("Skipping record due to null key or value.", zap.String("processor", aggName),
					zap.String("topic", t.curTopic), zap.Int32("partition", t.partition), zap.Int64("offset", t.curOffset))
				return nil
			}
			kb, err := keySerde.serialize(t.changelogTopic(storeName), r.key)
			if err != nil {
				return err
			}
			st := t.stores[storeName]
			var agg VA
			old := st.Get(kb)
			if old != nil {
				a, err := valueSerde.deserialize(t.changelogTopic(storeName), old)
				if err != nil {
					return err
				}
				agg = typed[VA](a)
			}
			agg = fn(typed[K](r.key), typed[V](r.value), agg, old == nil)
			vb, err := valueSerde.serialize(t.changelogTopic(storeName), agg)
			if err != nil {
				return err
			}
			st.Put(kb, vb)
			return t.storeUpdated(storeName, &cacheEntry{keyBytes: kb, valueBytes: vb,
				rec: record{key: r.key, value: agg, timestampMs: r.timestampMs}, from: self})
		}}, parent)
	return &KTable[K, VA]{b: b, node: self, keySerde: g.keySerde, valueSerde: aggSerde, storeName: storeName}
}
