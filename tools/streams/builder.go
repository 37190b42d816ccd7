package streams

import "fmt"

// StreamsBuilder collects DSL operations into a Topology, as Kafka's
// StreamsBuilder. Not safe for concurrent use.
type StreamsBuilder struct {
	t     *Topology
	index int // Kafka's InternalStreamsBuilder.index: processors and stores share it
	built bool
}

// NewStreamsBuilder returns an empty builder.
func NewStreamsBuilder() *StreamsBuilder {
	return &StreamsBuilder{t: &Topology{byName: map[string]*node{}}}
}

// Build returns the topology. The builder must not be used afterwards.
func (b *StreamsBuilder) Build() *Topology {
	if !b.built {
		b.built = true
		b.t.build()
	}
	return b.t
}

// newName is InternalStreamsBuilder.newProcessorName / newStoreName: the
// prefix and the next index, zero-padded to ten digits.
func (b *StreamsBuilder) newName(prefix string) string {
	name := fmt.Sprintf("%s%010d", prefix, b.index)
	b.index++
	return name
}

// add appends n with parent as its only predecessor (none for sources).
func (b *StreamsBuilder) add(n *node, parent *node) *node {
	if b.built {
		panic("streams: StreamsBuilder used after Build")
	}
	if parent != nil {
		n.parents = append(n.parents, parent)
		parent.children = append(parent.children, n)
	}
	b.t.nodes = append(b.t.nodes, n)
	b.t.byName[n.name] = n
	return n
}

// Node name prefixes, as Kafka's KStreamImpl and KTableImpl constants.
const (
	sourceName        = "KSTREAM-SOURCE-"
	sinkName          = "KSTREAM-SINK-"
	filterName        = "KSTREAM-FILTER-"
	flatMapValuesName = "KSTREAM-FLATMAPVALUES-"
	mapValuesName     = "KSTREAM-MAPVALUES-"
	mapName           = "KSTREAM-MAP-"
	keySelectName     = "KSTREAM-KEY-SELECT-"
	foreachName       = "KSTREAM-FOREACH-"
	peekName          = "KSTREAM-PEEK-"
	aggregateName     = "KSTREAM-AGGREGATE-"
	reduceName        = "KSTREAM-REDUCE-"
	toStreamName      = "KTABLE-TOSTREAM-"
	storeSuffix       = "STATE-STORE-"
	repartitionSuffix = "-repartition"
	changelogSuffix   = "-changelog"
)
