package zkcoord

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// This file holds the topic writes of Kafka's AdminZkClient: used by the
// topic tool in --zookeeper mode and by the controller broker serving
// CreateTopics, CreatePartitions and DeleteTopics.

// Topics returns every topic under /brokers/topics, sorted.
func (c *Client) Topics() ([]string, error) {
	kids, err := c.Children(BrokerTopicsPath)
	if errors.Is(err, ErrNoNode) {
		return nil, nil
	}
	return kids, err
}

// TopicExists reports whether /brokers/topics/T exists.
func (c *Client) TopicExists(topic string) (bool, error) {
	ok, _, err := c.Exists(TopicPath(topic))
	return ok, err
}

// TopicAssignment reads /brokers/topics/T (ErrNoNode when absent); ZkVersion
// is set.
func (c *Client) TopicAssignment(topic string) (TopicAssignment, error) {
	data, st, err := c.Get(TopicPath(topic))
	if err != nil {
		return TopicAssignment{}, err
	}
	a, err := DecodeTopicAssignment(topic, data)
	a.ZkVersion = st.Version
	return a, err
}

// SetTopicAssignment rewrites /brokers/topics/T if its version matches (-1: any).
func (c *Client) SetTopicAssignment(topic string, a TopicAssignment, zkVersion int32) (*Stat, error) {
	return c.Set(TopicPath(topic), a.Encode(), zkVersion)
}

// PartitionState reads one partition's leader and ISR (ErrNoNode before the
// controller's first election).
func (c *Client) PartitionState(topic string, partition int32) (PartitionState, error) {
	data, st, err := c.Get(PartitionStatePath(topic, partition))
	if err != nil {
		return PartitionState{}, err
	}
	return DecodePartitionState(topic, partition, data, st.Version)
}

// TopicsMarkedForDeletion lists the markers under /admin/delete_topics, sorted.
func (c *Client) TopicsMarkedForDeletion() ([]string, error) {
	kids, err := c.Children(DeleteTopicsPath)
	if errors.Is(err, ErrNoNode) {
		return nil, nil
	}
	return kids, err
}

// IsTopicMarkedForDeletion reports whether /admin/delete_topics/T exists.
func (c *Client) IsTopicMarkedForDeletion(topic string) (bool, error) {
	ok, _, err := c.Exists(DeleteTopicPath(topic))
	return ok, err
}

// MarkTopicForDeletion creates /admin/delete_topics/T. An existing marker
// gives an error satisfying errors.Is(err, ErrNodeExists).
func (c *Client) MarkTopicForDeletion(topic string) error {
	_, err := c.Create(DeleteTopicPath(topic), nil, Persistent)
	if errors.Is(err, ErrNoNode) {
		if err := c.EnsurePath(DeleteTopicsPath); err != nil {
			return err
		}
		_, err = c.Create(DeleteTopicPath(topic), nil, Persistent)
	}
	return err
}

// DeleteTopic is MarkTopicForDeletion (the name DESIGN.md uses).
func (c *Client) DeleteTopic(topic string) error { return c.MarkTopicForDeletion(topic) }

// ValidateTopicCreate runs Kafka's AdminZkClient.validateTopicCreate: a
// legal name, not marked for deletion, not existing, no '.'/'_' collision,
// one replication factor, no duplicate replicas, partitions 0..n-1, valid
// configs.
func (c *Client) ValidateTopicCreate(topic string, assign map[int32][]int32, configs map[string]string) error {
	if err := ValidateTopicName(topic); err != nil {
		return &AdminError{Class: classInvalidTopic, Code: "INVALID_TOPIC_EXCEPTION", Msg: err.Error()}
	}
	marked, err := c.IsTopicMarkedForDeletion(topic)
	if err != nil {
		return err
	}
	if marked {
		return adminErr(classTopicExists, "TOPIC_ALREADY_EXISTS", "Topic '%s' is marked for deletion.", topic)
	}
	exists, err := c.TopicExists(topic)
	if err != nil {
		return err
	}
	if exists {
		return adminErr(classTopicExists, "TOPIC_ALREADY_EXISTS", "Topic '%s' already exists.", topic)
	}
	if HasCollisionChars(topic) {
		all, err := c.Topics()
		if err != nil {
			return err
		}
		var colliding []string
		for _, t := range all {
			if TopicsCollide(topic, t) {
				colliding = append(colliding, t)
			}
		}
		if len(colliding) > 0 {
			return adminErr(classInvalidTopic, "INVALID_TOPIC_EXCEPTION", "Topic '%s' collides with existing topics: %s", topic, strings.Join(colliding, ", "))
		}
	}
	if err := validateAssignmentShape(assign); err != nil {
		return err
	}
	return ValidateTopicConfig(configs)
}

func validateAssignmentShape(assign map[int32][]int32) error {
	sizes := map[int]bool{}
	for _, r := range assign {
		sizes[len(r)] = true
	}
	if len(sizes) != 1 {
		return adminErr(classInvalidReplicaAssignment, "INVALID_REPLICA_ASSIGNMENT", "All partitions should have the same number of replicas")
	}
	for _, r := range assign {
		seen := map[int32]bool{}
		for _, b := range r {
			if seen[b] {
				return adminErr(classInvalidReplicaAssignment, "INVALID_REPLICA_ASSIGNMENT", "Duplicate replica assignment found: %s", formatAssignment(assign))
			}
			seen[b] = true
		}
	}
	for p := range assign {
		if p < 0 || int(p) >= len(assign) {
			return adminErr(classInvalidReplicaAssignment, "INVALID_REPLICA_ASSIGNMENT", "partitions should be a consecutive 0-based integer sequence")
		}
	}
	return nil
}

// formatAssignment renders an assignment as Scala prints a Map[Int, Seq[Int]].
func formatAssignment(assign map[int32][]int32) string {
	ids := make([]int32, 0, len(assign))
	for p := range assign {
		ids = append(ids, p)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	parts := make([]string, len(ids))
	for i, p := range ids {
		parts[i] = fmt.Sprintf("%d -> %s", p, formatIDs("List(", assign[p], ")"))
	}
	return "Map(" + strings.Join(parts, ", ") + ")"
}

func formatIDs(open string, ids []int32, close string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return open + strings.Join(s, ", ") + close
}

// CreateTopic validates and writes a new topic as Kafka does: first
// /config/topics/T (always, even with no overrides), then /brokers/topics/T
// (version 3, with a fresh topic id when withTopicID). A topic that appears
// meanwhile gives "Topic 'T' already exists." (see IsTopicExists).
func (c *Client) CreateTopic(topic string, assign map[int32][]int32, configs map[string]string, withTopicID bool) error {
	if err := c.ValidateTopicCreate(topic, assign, configs); err != nil {
		return err
	}
	return c.WriteNewTopic(topic, assign, configs, withTopicID)
}

// WriteNewTopic writes an already validated topic (configs, then the
// assignment). Callers that validated themselves use it directly.
func (c *Client) WriteNewTopic(topic string, assign map[int32][]int32, configs map[string]string, withTopicID bool) error {
	c.lg.Info(fmt.Sprintf("Creating topic %s with configuration %s and initial partition assignment %s",
		topic, javaProperties(configs), formatAssignment(assign)))
	if err := c.setOrCreateEntityConfig(ConfigTypeTopic, topic, configs); err != nil {
		return err
	}
	a := TopicAssignment{Partitions: assign}
	if withTopicID {
		a.TopicID = NewTopicID()
	}
	err := c.CreateRecursive(TopicPath(topic), a.Encode())
	if errors.Is(err, ErrNodeExists) {
		return adminErr(classTopicExists, "TOPIC_ALREADY_EXISTS", "Topic '%s' already exists.", topic)
	}
	if err != nil {
		return &AdminError{Class: classAdminOperation, Code: "UNKNOWN_SERVER_ERROR", Msg: err.Error()}
	}
	return nil
}

// NewPartitionsAssignment computes the replicas of the partitions to add to
// a topic so that it has total partitions (Kafka's
// AdminZkClient.createNewPartitionsAssignment): manual, when given, holds
// the new partitions only (ids from the current count up); otherwise the
// assignment continues the topic's pattern, with partition 0's replication
// factor and a start index at the first broker whose id is at least
// partition 0's first replica.
func NewPartitionsAssignment(topic string, existing map[int32][]int32, brokers []BrokerMeta, total int, manual map[int32][]int32) (map[int32][]int32, error) {
	p0, ok := existing[0]
	if !ok {
		return nil, adminErr(classAdminOperation, "UNKNOWN_SERVER_ERROR",
			"Unexpected existing replica assignment for topic '%s', partition id 0 is missing. Assignment: %s", topic, formatAssignment(existing))
	}
	toAdd := total - len(existing)
	if toAdd <= 0 {
		return nil, adminErr(classInvalidPartitions, "INVALID_PARTITIONS",
			"The number of partitions for a topic can only be increased. Topic %s currently has %d partitions, %d would not be an increase.",
			topic, len(existing), total)
	}
	if len(manual) > 0 {
		available := map[int32]bool{}
		var avail []int32
		for _, b := range brokers {
			available[b.ID] = true
			avail = append(avail, b.ID)
		}
		ids := make([]int32, 0, len(manual))
		for p := range manual {
			ids = append(ids, p)
		}
		sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
		for _, p := range ids {
			r := manual[p]
			if len(r) == 0 {
				return nil, adminErr(classInvalidReplicaAssignment, "INVALID_REPLICA_ASSIGNMENT", "Cannot have replication factor of 0 for partition id %d.", p)
			}
			seen := map[int32]bool{}
			for _, b := range r {
				if seen[b] {
					return nil, adminErr(classInvalidReplicaAssignment, "INVALID_REPLICA_ASSIGNMENT",
						"Duplicate brokers not allowed in replica assignment: %s for partition id %d.", formatIDs("", r, ""), p)
				}
				seen[b] = true
			}
			for _, b := range r {
				if !available[b] {
					return nil, adminErr(classBrokerNotAvailable, "BROKER_NOT_AVAILABLE",
						"Some brokers specified for partition id %d are not available. Specified brokers: %s, available brokers: %s.",
						p, formatIDs("", r, ""), formatIDs("", avail, ""))
				}
			}
			if len(r) != len(p0) {
				return nil, adminErr(classInvalidReplicaAssignment, "INVALID_REPLICA_ASSIGNMENT",
					"Inconsistent replication factor between partitions, partition 0 has %d while partition id %d has %d.", len(p0), p, len(r))
			}
		}
		return manual, nil
	}
	start := 0
	for i, b := range brokers {
		if b.ID >= p0[0] {
			start = i
			break
		}
	}
	return AssignReplicas(brokers, toAdd, len(p0), start, len(existing))
}

// AddPartitions grows a topic to total partitions: it computes the new
// partitions' replicas (NewPartitionsAssignment) and rewrites
// /brokers/topics/T with old plus new, keeping the topic id and any
// reassignment in progress, conditional on the version read. It returns the
// new partitions' assignment.
func (c *Client) AddPartitions(topic string, brokers []BrokerMeta, total int, manual map[int32][]int32) (map[int32][]int32, error) {
	cur, err := c.TopicAssignment(topic)
	if errors.Is(err, ErrNoNode) {
		return nil, adminErr(classInvalidTopic, "UNKNOWN_TOPIC_OR_PARTITION", "The topic %s does not exist", topic)
	}
	if err != nil {
		return nil, err
	}
	added, err := NewPartitionsAssignment(topic, cur.Partitions, brokers, total, manual)
	if err != nil {
		return nil, err
	}
	next := cur
	next.Partitions = make(map[int32][]int32, total)
	for p, r := range cur.Partitions {
		next.Partitions[p] = r
	}
	for p, r := range added {
		next.Partitions[p] = r
	}
	if _, err := c.SetTopicAssignment(topic, next, cur.ZkVersion); err != nil {
		return nil, &AdminError{Class: classAdminOperation, Code: "UNKNOWN_SERVER_ERROR", Msg: err.Error()}
	}
	return added, nil
}

// parseIDs converts znode names to ids, skipping non-numeric ones, ascending.
func parseIDs(names []string) []int32 {
	ids := make([]int32, 0, len(names))
	for _, n := range names {
		if v, err := strconv.ParseInt(n, 10, 32); err == nil {
			ids = append(ids, int32(v))
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	return ids
}

// javaProperties renders a config as java.util.Properties prints: {k=v, k2=v2}.
func javaProperties(cfg map[string]string) string {
	keys := make([]string, 0, len(cfg))
	for k := range cfg {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		keys[i] = k + "=" + cfg[k]
	}
	return "{" + strings.Join(keys, ", ") + "}"
}
