package streams

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
)

// MissingSourceTopicError is Kafka's MissingSourceTopicException: a source
// topic of the topology does not exist. Streams does not create source
// topics; the instance goes to ERROR.
type MissingSourceTopicError struct{ Topic string }

func (e *MissingSourceTopicError) Error() string {
	return "org.apache.kafka.streams.errors.MissingSourceTopicException: One or more source topics were missing during rebalance"
}

// internalTopic is a repartition or changelog topic the runtime creates.
type internalTopic struct {
	name       string
	partitions int32
	configs    map[string]*string
}

func strp(s string) *string { return &s }

// Internal topic configs, as Kafka's RepartitionTopicConfig and
// UnwindowedChangelogTopicConfig defaults.
func repartitionConfigs() map[string]*string {
	return map[string]*string{"cleanup.policy": strp("delete"), "segment.bytes": strp("52428800"), "retention.ms": strp("-1")}
}

func changelogConfigs() map[string]*string {
	return map[string]*string{"cleanup.policy": strp("compact")}
}

// internalTopics computes the internal topics and their partition counts
// from the source topics' partition counts (full names), as Kafka's
// StreamsPartitionAssignor does: a sub-topology has as many partitions
// (tasks) as its largest source topic; a repartition topic has as many as
// the sub-topology writing it; a changelog as many as its store's
// sub-topology. An error names a source topic that does not exist.
func (t *Topology) internalTopics(prefix string, sourcePartitions map[string]int32) ([]internalTopic, error) {
	counts := map[string]int32{}
	for k, v := range sourcePartitions {
		counts[k] = v
	}
	for _, st := range t.subtopologies {
		for _, n := range st.sources {
			if !n.internalTopic {
				for _, topic := range n.topics {
					if counts[topic] == 0 {
						return nil, &MissingSourceTopicError{Topic: topic}
					}
				}
			}
		}
	}
	tasks := map[int]int32{}
	for changed := true; changed; {
		changed = false
		for _, st := range t.subtopologies {
			if tasks[st.id] != 0 {
				continue
			}
			var max int32
			known := true
			for _, topic := range st.sourceTopics(prefix) {
				if counts[topic] == 0 {
					known = false
				}
				if counts[topic] > max {
					max = counts[topic]
				}
			}
			if !known {
				continue
			}
			tasks[st.id], changed = max, true
			for _, n := range st.nodes {
				if n.kind == sinkNode && n.internalTopic {
					counts[prefix+n.topic] = max
				}
			}
		}
	}
	var out []internalTopic
	for _, st := range t.subtopologies {
		if tasks[st.id] == 0 {
			return nil, fmt.Errorf("streams: cannot compute the partition count of sub-topology %d", st.id)
		}
		for _, n := range st.sources {
			if n.internalTopic {
				out = append(out, internalTopic{name: prefix + n.topics[0], partitions: tasks[st.id], configs: repartitionConfigs()})
			}
		}
		for _, store := range st.stores {
			out = append(out, internalTopic{name: prefix + store + changelogSuffix, partitions: tasks[st.id], configs: changelogConfigs()})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

// prepareInternalTopics is Kafka's InternalTopicManager.makeReady: it reads
// the source topics' partition counts, creates missing internal topics,
// checks existing ones, and waits until every internal partition has a
// leader.
func (s *KafkaStreams) prepareInternalTopics(ctx context.Context) error {
	var external []string
	for _, st := range s.topo.subtopologies {
		for _, n := range st.sources {
			if !n.internalTopic {
				external = append(external, n.topics...)
			}
		}
	}
	var md kadm.TopicDetails
	var err error
	for {
		md, err = s.adm.ListTopics(ctx, external...)
		if err == nil || ctx.Err() != nil {
			break
		}
		s.threadLog.Warn(fmt.Sprintf("Could not get the source topics' metadata, retrying: %v", err))
		if !sleep(ctx, time.Second) {
			return ctx.Err()
		}
	}
	if err != nil {
		return err
	}
	parts := map[string]int32{}
	for name, d := range md {
		if d.Err == nil {
			parts[name] = int32(len(d.Partitions))
		}
	}
	topics, err := s.topo.internalTopics(s.prefix, parts)
	var missing *MissingSourceTopicError
	if errors.As(err, &missing) {
		// StreamsPartitionAssignor's log line, then the exception the
		// stream thread dies of.
		s.cfg.Logger.Named("org.apache.kafka.streams.processor.internals.StreamsPartitionAssignor").Error(fmt.Sprintf(
			"stream-thread [%s-StreamThread-1-consumer] Source topic %s is missing/unknown during rebalance, please make sure all source topics have been pre-created before starting the Streams application. Returning an empty assignment.",
			s.clientID, missing.Topic))
	}
	if err != nil {
		return err
	}
	if len(topics) == 0 {
		return nil
	}
	names := make([]string, len(topics))
	for i, t := range topics {
		names[i] = t.name
	}
	existing, err := s.adm.ListTopics(ctx, names...)
	if err != nil {
		return err
	}
	for _, t := range topics {
		if d, ok := existing[t.name]; ok && d.Err == nil {
			if n := int32(len(d.Partitions)); n != t.partitions {
				return fmt.Errorf("Existing internal topic %s has invalid partitions: expected: %d; actual: %d. Use 'kafka.tools.StreamsResetter' tool to clean up invalid topics before processing.", t.name, t.partitions, n)
			}
			continue
		}
		res, err := s.adm.CreateTopic(ctx, t.partitions, s.cfg.ReplicationFactor, t.configs, t.name)
		if err == nil {
			err = res.Err
		}
		if err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
			return fmt.Errorf("Could not create topic %s: %w", t.name, err)
		}
		s.threadLog.Info(fmt.Sprintf("Created internal topic %s with %d partitions", t.name, t.partitions))
	}
	// Wait until the new topics are served. A topic still being deleted
	// (a restart right after kafka-streams-application-reset.sh) answers
	// TOPIC_ALREADY_EXISTS to the create above and then vanishes: create
	// it again once a second while it is unknown, as Kafka's
	// InternalTopicManager retries topics marked for deletion.
	for round := 1; ; round++ {
		md, err := s.adm.ListTopics(ctx, names...)
		ready := err == nil
		for _, t := range topics {
			d, ok := md[t.name]
			if err == nil && round%10 == 0 && (!ok || errors.Is(d.Err, kerr.UnknownTopicOrPartition)) {
				if res, cerr := s.adm.CreateTopic(ctx, t.partitions, s.cfg.ReplicationFactor, t.configs, t.name); cerr == nil && res.Err == nil {
					s.threadLog.Info(fmt.Sprintf("Created internal topic %s with %d partitions", t.name, t.partitions))
				}
			}
			if !ok || d.Err != nil || int32(len(d.Partitions)) != t.partitions {
				ready = false
				continue
			}
			for _, p := range d.Partitions {
				if p.Leader < 0 || p.Err != nil {
					ready = false
				}
			}
		}
		if ready {
			return nil
		}
		s.threadLog.Debug(fmt.Sprintf("waiting for the internal topics to be served (err %v)", err))
		if !sleep(ctx, 100*time.Millisecond) {
			return ctx.Err()
		}
	}
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-ctx.Done():
		return false
	}
}
