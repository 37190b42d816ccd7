package tools

// kafka-topics.sh --zookeeper: Kafka 2.8's ZookeeperTopicService, on zkcoord.

import (
	"context"
	"errors"
	"fmt"
	"io"

	"gokafka/zkcoord"
)

type zkTopicService struct {
	zk      *zkcoord.Client
	env     *toolEnv
	connect string
}

func (s *zkTopicService) stdout() io.Writer { return s.env.Stdout }

func (s *zkTopicService) topics(o *optionSet) ([]string, error) {
	all, err := s.zk.Topics()
	if err != nil {
		return nil, err
	}
	return filterTopics(all, o)
}

// create: with --replica-assignment the assignment is written as given (no
// broker check, as in Kafka); otherwise it is computed over the registered
// brokers first, so a too-high replication factor is reported before an
// existing topic.
func (s *zkTopicService) create(_ context.Context, t *topicArgs) error {
	var assign map[int32][]int32
	if t.assignment != nil {
		assign = make(map[int32][]int32, len(t.assignment))
		for p, r := range t.assignment {
			assign[int32(p)] = r
		}
	} else {
		brokers, err := s.zk.Brokers()
		if err != nil {
			return err
		}
		metas, err := zkcoord.BrokerMetas(brokers, t.rackMode)
		if err != nil {
			return err
		}
		if assign, err = zkcoord.AssignReplicas(metas, t.partitions, t.replicationFactor, -1, 0); err != nil {
			return err
		}
	}
	if err := s.zk.CreateTopic(t.name, assign, t.configs, false); err != nil {
		return err
	}
	fmt.Fprintf(s.env.Stdout, "Created topic %s.\n", t.name)
	return nil
}

func (s *zkTopicService) list(_ context.Context, o *optionSet) error {
	topics, err := s.topics(o)
	if err != nil {
		return err
	}
	for _, t := range topics {
		marked, err := s.zk.IsTopicMarkedForDeletion(t)
		if err != nil {
			return err
		}
		if marked {
			fmt.Fprintf(s.env.Stdout, "%s - marked for deletion\n", t)
		} else {
			fmt.Fprintln(s.env.Stdout, t)
		}
	}
	return nil
}

func (s *zkTopicService) describe(_ context.Context, o *optionSet) error {
	topics, err := s.topics(o)
	if err != nil {
		return err
	}
	if err := ensureTopicExists(topics, o, !(o.has("topic") && o.has("if-exists"))); err != nil {
		return err
	}
	ids, err := s.zk.BrokerIDs()
	if err != nil {
		return err
	}
	live := map[int32]bool{}
	for _, id := range ids {
		live[id] = true
	}
	f := newDescribeFilter(o, live)
	w := s.env.Stdout
	for _, topic := range topics {
		a, err := s.zk.TopicAssignment(topic)
		if errors.Is(err, zkcoord.ErrNoNode) {
			fmt.Fprintf(w, "Topic %s doesn't exist!\n", topic)
			continue
		}
		if err != nil {
			return err
		}
		marked, err := s.zk.IsTopicMarkedForDeletion(topic)
		if err != nil {
			return err
		}
		if f.describeConfigs() {
			cfg, err := s.zk.EntityConfig(zkcoord.ConfigTypeTopic, topic)
			if err != nil {
				return err
			}
			if !f.overrides || len(cfg) > 0 {
				rf := 0
				if ids := a.PartitionIDs(); len(ids) > 0 {
					rf = len(a.Partitions[ids[0]])
				}
				printTopicLine(w, topic, a.TopicID, len(a.Partitions), rf, sortedConfigs(cfg), marked)
			}
		}
		if !f.describePartitions() {
			continue
		}
		for _, p := range a.PartitionIDs() {
			d := partitionDesc{topic: topic, partition: p, leader: -1, replicas: a.Partitions[p], markedForDeletion: marked}
			st, err := s.zk.PartitionState(topic, p)
			switch {
			case err == nil:
				d.leader, d.isr = st.Leader, st.ISR
			case !errors.Is(err, zkcoord.ErrNoNode):
				return err
			}
			if f.shouldPrint(d) {
				printPartitionLine(w, d)
			}
		}
	}
	return nil
}

func (s *zkTopicService) alter(_ context.Context, o *optionSet, t *topicArgs) error {
	topics, err := s.topics(o)
	if err != nil {
		return err
	}
	if err := ensureTopicExists(topics, o, !o.has("if-exists")); err != nil {
		return err
	}
	w := s.env.Stdout
	for _, topic := range topics {
		cfg, err := s.zk.EntityConfig(zkcoord.ConfigTypeTopic, topic)
		if err != nil {
			return err
		}
		if o.has("config") || o.has("delete-config") {
			fmt.Fprintln(w, "WARNING: Altering topic configuration from this script has been deprecated and may be removed in future releases.")
			fmt.Fprintln(w, "         Going forward, please use kafka-configs.sh for this functionality")
			for k, v := range t.configs {
				cfg[k] = v
			}
			for _, k := range t.configsToDelete {
				delete(cfg, k)
			}
			if err := s.zk.ChangeTopicConfig(topic, cfg); err != nil {
				return err
			}
			fmt.Fprintf(w, "Updated config for topic %s.\n", topic)
		}
		if !t.hasPartitions {
			continue
		}
		if zkcoord.IsInternalTopic(topic) {
			return topicsIllegalArgument("The number of partitions for the internal topic %s cannot be changed.", topic)
		}
		fmt.Fprintln(w, "WARNING: If partitions are increased for a topic that has a key, the partition logic or ordering of the messages will be affected")
		existing, err := s.zk.TopicAssignment(topic)
		if errors.Is(err, zkcoord.ErrNoNode) {
			return &topicsError{"org.apache.kafka.common.errors.InvalidTopicException", fmt.Sprintf("The topic %s does not exist", topic)}
		}
		if err != nil {
			return err
		}
		// --replica-assignment lists every partition; the new ones follow
		// the existing count.
		var manual map[int32][]int32
		for p := len(existing.Partitions); p < len(t.assignment); p++ {
			if manual == nil {
				manual = map[int32][]int32{}
			}
			manual[int32(p)] = t.assignment[p]
		}
		brokers, err := s.zk.Brokers()
		if err != nil {
			return err
		}
		metas, err := zkcoord.BrokerMetas(brokers, zkcoord.RackEnforced)
		if err != nil {
			return err
		}
		if _, err := s.zk.AddPartitions(topic, metas, t.partitions, manual); err != nil {
			return err
		}
		fmt.Fprintln(w, "Adding partitions succeeded!")
	}
	return nil
}

func (s *zkTopicService) delete(_ context.Context, o *optionSet) error {
	topics, err := s.topics(o)
	if err != nil {
		return err
	}
	if err := ensureTopicExists(topics, o, !o.has("if-exists")); err != nil {
		return err
	}
	w := s.env.Stdout
	for _, topic := range topics {
		if zkcoord.IsInternalTopic(topic) {
			return &topicsError{"kafka.admin.AdminOperationException", fmt.Sprintf("Topic %s is a kafka internal topic and is not allowed to be marked for deletion.", topic)}
		}
		err := s.zk.MarkTopicForDeletion(topic)
		switch {
		case err == nil:
			fmt.Fprintf(w, "Topic %s is marked for deletion.\n", topic)
			fmt.Fprintln(w, "Note: This will have no impact if delete.topic.enable is not set to true.")
		case errors.Is(err, zkcoord.ErrNodeExists):
			fmt.Fprintf(w, "Topic %s is already marked for deletion.\n", topic)
		default:
			return &topicsError{"kafka.admin.AdminOperationException", fmt.Sprintf("Error while deleting topic %s", topic)}
		}
	}
	return nil
}
