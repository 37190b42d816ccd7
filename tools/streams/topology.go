package streams

import (
	"fmt"
	"sort"
	"strings"
)

// nodeKind is the role of a topology node, as Kafka's SourceNode,
// ProcessorNode and SinkNode.
type nodeKind int

const (
	sourceNode nodeKind = iota
	processorNode
	sinkNode
)

// record is one key-value pair flowing through a task's nodes. Keys and
// values are typed by the DSL around the node; nil is Java's null.
type record struct {
	key, value  any
	timestampMs int64
}

// processFunc is a processor node's body: it handles one record and passes
// any number of records on with forward. It may use the task's stores.
type processFunc func(t *task, r record, forward func(record)) error

// node is one node of the topology graph. Immutable once Build returns.
type node struct {
	name     string
	kind     nodeKind
	parents  []*node
	children []*node
	stores   []string // names of the stores a processor uses

	// Sources: the topics read; internal (repartition) names are without
	// the application id prefix, as Kafka's description prints them.
	topics               []string
	internalTopic        bool // source or sink topic is a repartition topic
	keySerde, valueSerde anySerde

	// Sinks.
	topic string

	// Processors.
	process processFunc
}

// storeSpec is a key-value store a processor owns, logged to a changelog.
type storeSpec struct {
	name string
}

// Topology is a built processing graph: its sub-topologies, their source
// and sink topics and stores. Immutable; safe for concurrent use.
type Topology struct {
	nodes         []*node // in creation order
	byName        map[string]*node
	stores        []storeSpec
	subtopologies []*subtopology
}

// subtopology is a connected part of the graph: nodes linked parent to
// child or through a shared store. Repartition topics cut the graph, so a
// grouping after a key change starts a new sub-topology.
type subtopology struct {
	id      int
	nodes   []*node
	sources []*node
	stores  []string
}

// sourceTopics returns the topics the sub-topology reads; internal ones
// are prefixed with prefix ("<application.id>-"), or not when prefix is "".
func (s *subtopology) sourceTopics(prefix string) []string {
	var out []string
	for _, n := range s.sources {
		for _, t := range n.topics {
			if n.internalTopic {
				t = prefix + t
			}
			out = append(out, t)
		}
	}
	return out
}

// build groups the nodes into sub-topologies and numbers them as Kafka's
// InternalTopologyBuilder.makeNodeGroups does: source nodes first, in name
// order, then the other nodes in name order; each node whose group has no
// number yet gives it the next one.
func (t *Topology) build() {
	parent := map[*node]*node{}
	var find func(n *node) *node
	find = func(n *node) *node {
		p, ok := parent[n]
		if !ok || p == n {
			parent[n] = n
			return n
		}
		r := find(p)
		parent[n] = r
		return r
	}
	union := func(a, b *node) { parent[find(a)] = find(b) }
	storeOwner := map[string]*node{}
	for _, n := range t.nodes {
		find(n)
		for _, c := range n.children {
			union(n, c)
		}
		for _, s := range n.stores {
			if o, ok := storeOwner[s]; ok {
				union(n, o)
			} else {
				storeOwner[s] = n
			}
		}
	}
	names := make([]*node, len(t.nodes))
	copy(names, t.nodes)
	sort.SliceStable(names, func(i, j int) bool {
		si, sj := names[i].kind == sourceNode, names[j].kind == sourceNode
		if si != sj {
			return si
		}
		return names[i].name < names[j].name
	})
	ids := map[*node]*subtopology{}
	for _, n := range names {
		root := find(n)
		if _, ok := ids[root]; !ok {
			ids[root] = &subtopology{id: len(t.subtopologies)}
			t.subtopologies = append(t.subtopologies, ids[root])
		}
	}
	for _, n := range t.nodes {
		st := ids[find(n)]
		st.nodes = append(st.nodes, n)
		if n.kind == sourceNode {
			st.sources = append(st.sources, n)
		}
		st.stores = append(st.stores, n.stores...)
	}
}

// subtopologyOf returns the sub-topology that reads topic (a full name,
// internal topics prefixed with prefix).
func (t *Topology) subtopologyOf(prefix, topic string) *subtopology {
	for _, st := range t.subtopologies {
		for _, s := range st.sourceTopics(prefix) {
			if s == topic {
				return st
			}
		}
	}
	return nil
}

// ---------------------------------------------------------------------------
// Description.

// TopologyDescription is what Topology.Describe returns; String prints it
// as Kafka's TopologyDescription.toString does.
type TopologyDescription struct {
	Subtopologies []SubtopologyDescription
}

// SubtopologyDescription is one sub-topology: its id and nodes, in Kafka's
// order (largest sub-tree first, then by name).
type SubtopologyDescription struct {
	ID    int
	Nodes []NodeDescription
}

// NodeDescription is one node. Kind is "Source", "Processor" or "Sink";
// Topics is set for sources, Topic for sinks, Stores for processors.
type NodeDescription struct {
	Kind         string
	Name         string
	Topics       []string
	Topic        string
	Stores       []string
	Predecessors []string
	Successors   []string
}

// Describe returns the topology's description. Internal topics appear
// without the application id prefix, as in Kafka.
func (t *Topology) Describe() TopologyDescription {
	var d TopologyDescription
	for _, st := range t.subtopologies {
		sd := SubtopologyDescription{ID: st.id}
		size := map[*node]int{}
		var subtree func(n *node, seen map[*node]bool) int
		subtree = func(n *node, seen map[*node]bool) int {
			if seen[n] {
				return 0
			}
			seen[n] = true
			s := 1
			for _, c := range n.children {
				s += subtree(c, seen)
			}
			return s
		}
		nodes := st.nodes
		// Kafka's NodeComparator orders nodes, and each node's
		// predecessors and successors: larger sub-tree first, then name.
		order := func(ns []*node) []string {
			ns = append([]*node(nil), ns...)
			sort.SliceStable(ns, func(i, j int) bool {
				if size[ns[i]] != size[ns[j]] {
					return size[ns[i]] > size[ns[j]]
				}
				return ns[i].name < ns[j].name
			})
			var names []string
			for _, n := range ns {
				names = append(names, n.name)
			}
			return names
		}
		for _, n := range nodes {
			size[n] = subtree(n, map[*node]bool{})
		}
		for _, name := range order(nodes) {
			n := t.byName[name]
			nd := NodeDescription{Name: n.name, Predecessors: order(n.parents), Successors: order(n.children)}
			switch n.kind {
			case sourceNode:
				nd.Kind, nd.Topics = "Source", n.topics
			case sinkNode:
				nd.Kind, nd.Topic = "Sink", n.topic
			default:
				nd.Kind, nd.Stores = "Processor", n.stores
			}
			sd.Nodes = append(sd.Nodes, nd)
		}
		d.Subtopologies = append(d.Subtopologies, sd)
	}
	return d
}

// String is Kafka's text: "Topologies:", then each sub-topology with its
// nodes, "-->" successors and "<--" predecessors ("none" when empty).
func (d TopologyDescription) String() string {
	var b strings.Builder
	b.WriteString("Topologies:\n ")
	for _, st := range d.Subtopologies {
		fmt.Fprintf(&b, "  Sub-topology: %d\n", st.ID)
		for _, n := range st.Nodes {
			b.WriteString("    ")
			switch n.Kind {
			case "Source":
				fmt.Fprintf(&b, "Source: %s (topics: [%s])\n      --> %s", n.Name, strings.Join(n.Topics, ", "), nodeNames(n.Successors))
			case "Sink":
				fmt.Fprintf(&b, "Sink: %s (topic: %s)\n      <-- %s", n.Name, n.Topic, nodeNames(n.Predecessors))
			default:
				fmt.Fprintf(&b, "Processor: %s (stores: [%s])\n      --> %s\n      <-- %s", n.Name, strings.Join(n.Stores, ", "), nodeNames(n.Successors), nodeNames(n.Predecessors))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	return b.String()
}

func nodeNames(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
