package broker

// CreateTopics: v0-7, DeleteTopics: v0-6, CreatePartitions: v0-3,
// DescribeConfigs: v0-4, AlterConfigs: v0-2, IncrementalAlterConfigs: v0-1,
// DescribeCluster: v0, ElectLeaders: v0-2, AlterPartitionReassignments: v0,
// ListPartitionReassignments: v0
//
// Behavior:
// * CreateTopics, DeleteTopics, CreatePartitions, ElectLeaders and the
//   reassignment APIs are answered by the active controller only; other
//   brokers answer NOT_CONTROLLER so clients retry against Metadata's
//   controller_id (protocol.md §4.3).
// * CreateTopics validates exactly as kafka-topics.sh --zookeeper does (the
//   same zkcoord code and messages): legal name, no '.'/'_' collision, not
//   existing, configs valid, either partitions+replication factor (-1 = the
//   broker defaults, v4+) or an explicit assignment, never both. The
//   assignment spreads replicas over live brokers (rack-aware when all have
//   racks). validate_only stops before writing. Otherwise the topic is
//   written to ZooKeeper and the answer waits, up to timeout_ms, until this
//   broker's metadata cache shows a leader for every partition
//   (REQUEST_TIMED_OUT after that). v5+ answers with the partition count,
//   replication factor and the topic's configs.
// * DeleteTopics marks topics under /admin/delete_topics and waits, up to
//   timeout_ms, until they leave the metadata cache. delete.topic.enable=false
//   gives TOPIC_DELETION_DISABLED.
// * CreatePartitions grows a topic as kafka-topics.sh --alter does.
// * DescribeConfigs: topic resources list every topic config with its value
//   (override, else the broker default), source (DYNAMIC_TOPIC_CONFIG,
//   STATIC_BROKER_CONFIG for a broker property set in server.properties,
//   DEFAULT_CONFIG) and synonyms, as Kafka 2.8's ConfigHelper. Broker
//   resources (this broker's id, or "" for the cluster default) list every
//   broker property; dynamic overrides from /config/brokers are shown with
//   their DYNAMIC_* source.
// * AlterConfigs (replace) and IncrementalAlterConfigs (set, delete, append,
//   subtract) write /config/topics/T or /config/brokers/<id|<default>> and a
//   change notification; every broker applies topic changes to its logs
//   when the notification arrives (configChangeListener).
// * DescribeCluster: live brokers on the request's listener, cluster and
//   controller id.
//
// Version notes:
// * CreateTopics v1 validate_only, error messages; v4 default partitions and
//   replication factor; v5 flexible + configs in the answer; v7 topic ids.
// * DeleteTopics v4 flexible; v5 error messages; v6 topic ids.
// * DescribeConfigs v1 synonyms and source; v3 config type and documentation.
//
// Not implemented (why):
// * Dynamic broker configs are stored and described but not applied to the
//   running broker (no dynamic thread pools, listeners or quotas here).
// * BROKER_LOGGER resources (log4j levels): answered INVALID_REQUEST.
// * CreateTopicPolicy / AlterConfigPolicy classes: no plugin mechanism.

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/protocol"
	"gokafka/zkcoord"
	"gokafka/zkcoord/controller"
)

// errNoZooKeeper: a broker without a ZooKeeper session (only in tests of
// the connection layer) cannot read or write configs.
var errNoZooKeeper = errors.New("broker: no ZooKeeper session")

// isController reports whether this broker is the active controller.
func (b *Broker) isController() bool { return b.controller != nil && b.controller.IsActive() }

// waitForMetadata waits up to timeout for done() to hold, re-checking after
// every UpdateMetadata.
func (b *Broker) waitForMetadata(timeout time.Duration, done func() bool) bool {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		changed := b.metadata.Changed()
		if done() {
			return true
		}
		select {
		case <-changed:
		case <-deadline.C:
			return done()
		case <-b.quit:
			return done()
		}
	}
}

// hasAllLeaders reports whether the cache has topic with n partitions, each
// with a leader.
func (b *Broker) hasAllLeaders(topic string, n int) bool {
	ps := b.metadata.Partitions(topic)
	if len(ps) < n {
		return false
	}
	for _, p := range ps {
		if p.Leader < 0 {
			return false
		}
	}
	return true
}

// liveBrokerMetas returns the live brokers as assignment input, sorted by
// id, racks kept only when every broker has one (RackAwareMode.Safe).
func (b *Broker) liveBrokerMetas() []zkcoord.BrokerMeta {
	var metas []zkcoord.BrokerMeta
	for _, cb := range b.metadata.AliveBrokers() {
		m := zkcoord.BrokerMeta{ID: cb.ID}
		if cb.Rack != nil {
			m.Rack = *cb.Rack
		}
		metas = append(metas, m)
	}
	if !allHaveRack(metas) {
		for i := range metas {
			metas[i].Rack = ""
		}
	}
	return metas
}

// adminError turns an admin failure into (code, message) for a response.
func adminError(err error) (int16, *string) {
	if err == nil {
		return 0, nil
	}
	code := adminErrorCode(err)
	if ke, ok := err.(*kerr.Error); ok {
		return ke.Code, nil
	}
	msg := err.Error()
	if pe, ok := err.(*protocol.Error); ok {
		return code, protocol.ErrorMessage(pe)
	}
	return code, &msg
}

func (b *Broker) handleCreateTopics(r *Request) {
	req := r.Msg.(*kmsg.CreateTopicsRequest)
	b.goAsync(r, func() { r.Respond(b.createTopics(req, r.ClientID)) })
}

func (b *Broker) createTopics(req *kmsg.CreateTopicsRequest, clientID string) *kmsg.CreateTopicsResponse {
	resp := req.ResponseKind().(*kmsg.CreateTopicsResponse)
	counts := map[string]int{}
	for _, t := range req.Topics {
		counts[t.Topic]++
	}
	var dups []string
	for name, n := range counts {
		if n > 1 {
			dups = append(dups, name)
		}
	}
	sort.Strings(dups)
	var waitFor []leaderWait
	for _, t := range req.Topics {
		rt := kmsg.NewCreateTopicsResponseTopic()
		rt.Topic = t.Topic
		rt.NumPartitions, rt.ReplicationFactor = -1, -1
		var err error
		var assign map[int32][]int32
		var configs map[string]string
		switch {
		case !b.isController():
			err = kerr.NotController
		case counts[t.Topic] > 1:
			err = protocol.Errorf(kerr.InvalidRequest, "Create topics request from client `%s` contains multiple entries for the following topics: %s",
				clientID, strings.Join(dups, ","))
		default:
			assign, configs, err = b.planTopic(t)
			if err == nil {
				err = b.zk.ValidateTopicCreate(t.Topic, assign, configs)
			}
			if err == nil && !req.ValidateOnly {
				err = b.zk.WriteNewTopic(t.Topic, assign, configs, b.usesTopicIDs())
			}
		}
		rt.ErrorCode, rt.ErrorMessage = adminError(err)
		if err != nil && !errors.Is(err, kerr.NotController) {
			b.lg.Info(fmt.Sprintf("Error processing create topic request for topic %s", t.Topic), zap.Error(err))
		}
		if err == nil {
			rt.NumPartitions = int32(len(assign))
			rt.ReplicationFactor = int16(len(assign[0]))
			if req.Version >= 5 {
				rt.Configs = b.createTopicsConfigs(configs)
			}
			if !req.ValidateOnly {
				waitFor = append(waitFor, leaderWait{len(resp.Topics), rt.Topic, len(assign)})
			}
		}
		resp.Topics = append(resp.Topics, rt)
	}
	b.awaitLeaders(req.TimeoutMillis, waitFor, func(i int) {
		resp.Topics[i].ErrorCode, resp.Topics[i].ErrorMessage = kerr.RequestTimedOut.Code, nil
	})
	for i := range resp.Topics {
		if req.Version >= 7 && resp.Topics[i].ErrorCode == 0 {
			resp.Topics[i].TopicID = b.metadata.TopicID(resp.Topics[i].Topic)
		}
	}
	return resp
}

// planTopic resolves a CreateTopics entry into an assignment and configs
// (ZkAdminManager.createTopics).
func (b *Broker) planTopic(t kmsg.CreateTopicsRequestTopic) (map[int32][]int32, map[string]string, error) {
	configs := map[string]string{}
	for _, c := range t.Configs {
		if c.Value == nil {
			return nil, nil, protocol.Errorf(kerr.InvalidConfig, "Null value not supported for topic configs: %s", c.Name)
		}
		configs[c.Name] = *c.Value
	}
	if err := zkcoord.ValidateTopicName(t.Topic); err != nil {
		return nil, nil, protocol.Wrap(kerr.InvalidTopicException, err)
	}
	if len(t.ReplicaAssignment) > 0 {
		if t.NumPartitions != -1 || t.ReplicationFactor != -1 {
			return nil, nil, protocol.Errorf(kerr.InvalidRequest,
				"Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.")
		}
		assign := map[int32][]int32{}
		for _, a := range t.ReplicaAssignment {
			assign[a.Partition] = slices.Clone(a.Replicas)
		}
		return assign, configs, nil
	}
	partitions, rf := t.NumPartitions, int32(t.ReplicationFactor)
	if partitions == -1 {
		partitions = b.cfg.NumPartitions
	}
	if rf == -1 {
		rf = b.cfg.DefaultReplicationFactor
	}
	assign, err := zkcoord.AssignReplicas(b.liveBrokerMetas(), int(partitions), int(rf), -1, 0)
	return assign, configs, err
}

// createTopicsConfigs is the v5+ config list of a topic being created.
func (b *Broker) createTopicsConfigs(overrides map[string]string) []kmsg.CreateTopicsResponseTopicConfig {
	var out []kmsg.CreateTopicsResponseTopicConfig
	for _, e := range b.topicConfigEntries(overrides, nil, false) {
		c := kmsg.NewCreateTopicsResponseTopicConfig()
		c.Name, c.Value, c.ReadOnly, c.Source, c.IsSensitive = e.Name, e.Value, e.ReadOnly, int8(e.Source), e.IsSensitive
		out = append(out, c)
	}
	return out
}

func (b *Broker) handleDeleteTopics(r *Request) {
	req := r.Msg.(*kmsg.DeleteTopicsRequest)
	b.goAsync(r, func() { r.Respond(b.deleteTopics(req)) })
}

func (b *Broker) deleteTopics(req *kmsg.DeleteTopicsRequest) *kmsg.DeleteTopicsResponse {
	resp := req.ResponseKind().(*kmsg.DeleteTopicsResponse)
	type entry struct {
		name *string
		id   [16]byte
	}
	var entries []entry
	for _, n := range req.TopicNames {
		entries = append(entries, entry{name: kmsg.StringPtr(n)})
	}
	for _, t := range req.Topics {
		entries = append(entries, entry{name: t.Topic, id: t.TopicID})
	}
	var pending []int
	for _, e := range entries {
		rt := kmsg.NewDeleteTopicsResponseTopic()
		rt.Topic, rt.TopicID = e.name, e.id
		var err error
		switch {
		case !b.isController():
			err = kerr.NotController
		case e.name == nil && e.id != [16]byte{}:
			if name, ok := b.topicByID(e.id); ok {
				rt.Topic = kmsg.StringPtr(name)
			} else {
				err = kerr.UnknownTopicID
			}
		case e.name == nil:
			err = protocol.Errorf(kerr.InvalidRequest, "Neither topic name nor id were specified.")
		}
		if err == nil {
			name := *rt.Topic
			switch {
			case !b.metadata.Contains(name):
				err = kerr.UnknownTopicOrPartition
			case !b.cfg.DeleteTopicEnable:
				err = kerr.TopicDeletionDisabled
			default:
				rt.TopicID = b.metadata.TopicID(name)
				err = b.zk.DeleteTopic(name)
				if errors.Is(err, zkcoord.ErrNodeExists) {
					err = nil // already marked: wait for it like the first request
				}
			}
		}
		if err == nil {
			pending = append(pending, len(resp.Topics))
		}
		rt.ErrorCode, rt.ErrorMessage = adminError(err)
		if req.Version < 5 {
			rt.ErrorMessage = nil
		}
		resp.Topics = append(resp.Topics, rt)
	}
	if len(pending) > 0 {
		gone := func() bool {
			for _, i := range pending {
				if b.metadata.Contains(*resp.Topics[i].Topic) {
					return false
				}
			}
			return true
		}
		b.waitForMetadata(time.Duration(req.TimeoutMillis)*time.Millisecond, gone)
		for _, i := range pending {
			if b.metadata.Contains(*resp.Topics[i].Topic) {
				resp.Topics[i].ErrorCode = kerr.RequestTimedOut.Code
			}
		}
	}
	return resp
}

// topicByID finds a topic name by its id in the metadata cache.
func (b *Broker) topicByID(id [16]byte) (string, bool) {
	for _, t := range b.metadata.Topics() {
		if b.metadata.TopicID(t) == id {
			return t, true
		}
	}
	return "", false
}

func (b *Broker) handleCreatePartitions(r *Request) {
	req := r.Msg.(*kmsg.CreatePartitionsRequest)
	b.goAsync(r, func() { r.Respond(b.createPartitions(req)) })
}

func (b *Broker) createPartitions(req *kmsg.CreatePartitionsRequest) *kmsg.CreatePartitionsResponse {
	resp := req.ResponseKind().(*kmsg.CreatePartitionsResponse)
	counts := map[string]int{}
	for _, t := range req.Topics {
		counts[t.Topic]++
	}
	var pending []leaderWait
	for _, t := range req.Topics {
		rt := kmsg.NewCreatePartitionsResponseTopic()
		rt.Topic = t.Topic
		var err error
		switch {
		case !b.isController():
			err = kerr.NotController
		case counts[t.Topic] > 1:
			err = protocol.Errorf(kerr.InvalidRequest, "Duplicate topic in request.")
		default:
			err = b.addPartitions(t, req.ValidateOnly)
		}
		rt.ErrorCode, rt.ErrorMessage = adminError(err)
		if err == nil && !req.ValidateOnly {
			pending = append(pending, leaderWait{len(resp.Topics), t.Topic, int(t.Count)})
		}
		resp.Topics = append(resp.Topics, rt)
	}
	b.awaitLeaders(req.TimeoutMillis, pending, func(i int) {
		resp.Topics[i].ErrorCode, resp.Topics[i].ErrorMessage = kerr.RequestTimedOut.Code, nil
	})
	return resp
}

// leaderWait is one topic of an admin answer that goes out only once each
// of its partitions has a leader (Kafka's DelayedCreatePartitions).
type leaderWait struct {
	idx        int // index in the response's topic list
	topic      string
	partitions int
}

// awaitLeaders waits up to timeoutMs for every topic of waits to have all
// its leaders in the metadata cache, then calls timedOut with the response
// index of each topic that still lacks one. timeoutMs <= 0 does not wait.
func (b *Broker) awaitLeaders(timeoutMs int32, waits []leaderWait, timedOut func(idx int)) {
	if len(waits) == 0 || timeoutMs <= 0 {
		return
	}
	ready := func() bool {
		for _, w := range waits {
			if !b.hasAllLeaders(w.topic, w.partitions) {
				return false
			}
		}
		return true
	}
	b.waitForMetadata(time.Duration(timeoutMs)*time.Millisecond, ready)
	for _, w := range waits {
		if !b.hasAllLeaders(w.topic, w.partitions) {
			timedOut(w.idx)
		}
	}
}

// addPartitions is ZkAdminManager.createPartitions for one topic.
func (b *Broker) addPartitions(t kmsg.CreatePartitionsRequestTopic, validateOnly bool) error {
	existing, err := b.zk.TopicAssignment(t.Topic)
	if errors.Is(err, zkcoord.ErrNoNode) {
		return protocol.Errorf(kerr.UnknownTopicOrPartition, "The topic '%s' does not exist.", t.Topic)
	}
	if err != nil {
		return err
	}
	if marked, _ := b.zk.IsTopicMarkedForDeletion(t.Topic); marked {
		return protocol.Errorf(kerr.InvalidTopicException, "The topic '%s' is queued for deletion.", t.Topic)
	}
	if zkcoord.IsInternalTopic(t.Topic) {
		return protocol.Errorf(kerr.InvalidPartitions, "The number of partitions for the internal topic %s cannot be changed.", t.Topic)
	}
	cur := len(existing.Partitions)
	if int(t.Count) < cur {
		return protocol.Errorf(kerr.InvalidPartitions, "Topic currently has %d partitions, which is higher than the requested %d.", cur, t.Count)
	}
	if int(t.Count) == cur {
		return protocol.Errorf(kerr.InvalidPartitions, "Topic already has %d partitions.", cur)
	}
	var manual map[int32][]int32
	if t.Assignment != nil {
		if len(t.Assignment) != int(t.Count)-cur {
			return protocol.Errorf(kerr.InvalidReplicaAssignment, "Increasing the number of partitions by %d but %d assignments provided.",
				int(t.Count)-cur, len(t.Assignment))
		}
		manual = map[int32][]int32{}
		for i, a := range t.Assignment {
			manual[int32(cur+i)] = slices.Clone(a.Replicas)
		}
	}
	brokers := b.liveBrokerMetas()
	if validateOnly {
		_, err := zkcoord.NewPartitionsAssignment(t.Topic, existing.Partitions, brokers, int(t.Count), manual)
		return err
	}
	_, err = b.zk.AddPartitions(t.Topic, brokers, int(t.Count), manual)
	return err
}

func (b *Broker) handleDescribeCluster(r *Request) {
	req := r.Msg.(*kmsg.DescribeClusterRequest)
	resp := req.ResponseKind().(*kmsg.DescribeClusterResponse)
	resp.ClusterID = b.clusterID
	resp.ControllerID = b.metadata.ControllerID()
	for _, cb := range b.metadata.AliveBrokers() {
		ep, ok := cb.Endpoints[r.Listener]
		if !ok {
			continue
		}
		rb := kmsg.NewDescribeClusterResponseBroker()
		rb.NodeID, rb.Host, rb.Port, rb.Rack = cb.ID, ep.Host, ep.Port, cb.Rack
		resp.Brokers = append(resp.Brokers, rb)
	}
	if req.IncludeClusterAuthorizedOperations {
		resp.ClusterAuthorizedOperations = clusterAuthorizedOps
	}
	r.Respond(resp)
}

// electionErrors maps the controller's errors for whole requests.
func controllerCallError(err error) *kerr.Error {
	if err == nil {
		return nil
	}
	if ke, ok := err.(*kerr.Error); ok {
		return ke
	}
	return kerr.TypedErrorForCode(protocol.ErrorCode(err, controllerErrors...))
}

// requestedPartitions flattens a request's topic list; a null list (all
// partitions) stays nil, an empty one becomes an empty, non-nil slice.
func requestedPartitions[T any](topics []T, parts func(T) (string, []int32)) []controller.TopicPartition {
	if topics == nil {
		return nil
	}
	tps := []controller.TopicPartition{}
	for _, t := range topics {
		name, ps := parts(t)
		for _, p := range ps {
			tps = append(tps, controller.TopicPartition{Topic: name, Partition: p})
		}
	}
	return tps
}

func (b *Broker) handleElectLeaders(r *Request) {
	req := r.Msg.(*kmsg.ElectLeadersRequest)
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.ElectLeadersResponse)
		tps := requestedPartitions(req.Topics, func(t kmsg.ElectLeadersRequestTopic) (string, []int32) { return t.Topic, t.Partitions })
		var results map[controller.TopicPartition]controller.ElectionResult
		var err error
		if !b.isController() {
			err = kerr.NotController
		} else {
			results, err = b.controller.ElectLeaders(req.ElectionType == 0, tps)
		}
		if ke := controllerCallError(err); ke != nil {
			if req.Version >= 1 && req.Topics == nil {
				resp.ErrorCode = ke.Code
			}
			results = map[controller.TopicPartition]controller.ElectionResult{}
			for _, tp := range tps {
				results[tp] = controller.ElectionResult{Leader: -1, Err: ke}
			}
		}
		byTopic := map[string][]kmsg.ElectLeadersResponseTopicPartition{}
		for tp, res := range results {
			p := kmsg.NewElectLeadersResponseTopicPartition()
			p.Partition = tp.Partition
			p.ErrorCode = protocol.ErrorCode(res.Err, controllerErrors...)
			if res.Err != nil {
				msg := res.Message
				if msg == "" {
					msg = res.Err.Error()
				}
				p.ErrorMessage = &msg
			}
			byTopic[tp.Topic] = append(byTopic[tp.Topic], p)
		}
		for _, topic := range sortedKeys(byTopic) {
			rt := kmsg.NewElectLeadersResponseTopic()
			rt.Topic = topic
			rt.Partitions = byTopic[topic]
			sort.Slice(rt.Partitions, func(i, j int) bool { return rt.Partitions[i].Partition < rt.Partitions[j].Partition })
			resp.Topics = append(resp.Topics, rt)
		}
		r.Respond(resp)
	})
}

func (b *Broker) handleAlterPartitionReassignments(r *Request) {
	req := r.Msg.(*kmsg.AlterPartitionAssignmentsRequest)
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.AlterPartitionAssignmentsResponse)
		targets := map[controller.TopicPartition][]int32{}
		for _, t := range req.Topics {
			for _, p := range t.Partitions {
				targets[controller.TopicPartition{Topic: t.Topic, Partition: p.Partition}] = p.Replicas
			}
		}
		var results map[controller.TopicPartition]error
		var err error
		if !b.isController() {
			err = kerr.NotController
		} else {
			results, err = b.controller.AlterPartitionReassignments(targets)
		}
		if ke := controllerCallError(err); ke != nil {
			resp.ErrorCode = ke.Code
		}
		for _, t := range req.Topics {
			rt := kmsg.NewAlterPartitionAssignmentsResponseTopic()
			rt.Topic = t.Topic
			for _, p := range t.Partitions {
				rp := kmsg.NewAlterPartitionAssignmentsResponseTopicPartition()
				rp.Partition = p.Partition
				if perr := results[controller.TopicPartition{Topic: t.Topic, Partition: p.Partition}]; perr != nil {
					rp.ErrorCode, rp.ErrorMessage = adminError(perr)
				}
				rt.Partitions = append(rt.Partitions, rp)
			}
			resp.Topics = append(resp.Topics, rt)
		}
		r.Respond(resp)
	})
}

func (b *Broker) handleListPartitionReassignments(r *Request) {
	req := r.Msg.(*kmsg.ListPartitionReassignmentsRequest)
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.ListPartitionReassignmentsResponse)
		tps := requestedPartitions(req.Topics, func(t kmsg.ListPartitionReassignmentsRequestTopic) (string, []int32) { return t.Topic, t.Partitions })
		var err error
		var ongoing map[controller.TopicPartition]controller.Reassignment
		if !b.isController() {
			err = kerr.NotController
		} else {
			ongoing, err = b.controller.ListPartitionReassignments(tps)
		}
		if ke := controllerCallError(err); ke != nil {
			resp.ErrorCode = ke.Code
			r.Respond(resp)
			return
		}
		byTopic := map[string][]kmsg.ListPartitionReassignmentsResponseTopicPartition{}
		for tp, ra := range ongoing {
			p := kmsg.NewListPartitionReassignmentsResponseTopicPartition()
			p.Partition, p.Replicas, p.AddingReplicas, p.RemovingReplicas = tp.Partition, ra.Replicas, ra.Adding, ra.Removing
			byTopic[tp.Topic] = append(byTopic[tp.Topic], p)
		}
		for _, topic := range sortedKeys(byTopic) {
			rt := kmsg.NewListPartitionReassignmentsResponseTopic()
			rt.Topic = topic
			rt.Partitions = byTopic[topic]
			sort.Slice(rt.Partitions, func(i, j int) bool { return rt.Partitions[i].Partition < rt.Partitions[j].Partition })
			resp.Topics = append(resp.Topics, rt)
		}
		r.Respond(resp)
	})
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ---- Configs (Kafka 2.8's ConfigHelper and ZkAdminManager) ----

// configEntry is one described config.
type configEntry struct {
	Name        string
	Value       *string
	ReadOnly    bool
	Source      kmsg.ConfigSource
	IsSensitive bool
	Synonyms    []configSynonym
	Type        kmsg.ConfigType
	Doc         *string
}

type configSynonym struct {
	Name   string
	Value  *string
	Source kmsg.ConfigSource
}

// topicConfigRow is one topic-level config: its type and the broker
// properties it defaults from, in precedence order
// (LogConfig.TopicConfigSynonyms plus DynamicBrokerConfig.brokerConfigSynonyms).
type topicConfigRow struct {
	name     string
	typ      kmsg.ConfigType
	synonyms []string
	def      func(c *Config) string // effective broker default
}

func i64s(v int64) string   { return strconv.FormatInt(v, 10) }
func bools(v bool) string   { return strconv.FormatBool(v) }
func f64s(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// topicConfigRows lists Kafka 2.8's topic configs, sorted by name.
var topicConfigRows = []topicConfigRow{
	{"cleanup.policy", kmsg.ConfigTypeList, []string{"log.cleanup.policy"}, func(c *Config) string { return c.LogCleanupPolicyString() }},
	{"compression.type", kmsg.ConfigTypeString, []string{"compression.type"}, func(c *Config) string { return c.CompressionType }},
	{"delete.retention.ms", kmsg.ConfigTypeLong, []string{"log.cleaner.delete.retention.ms"}, func(c *Config) string { return i64s(c.LogCleanerDeleteRetentionMs) }},
	{"file.delete.delay.ms", kmsg.ConfigTypeLong, []string{"log.segment.delete.delay.ms"}, func(c *Config) string { return i64s(c.LogSegmentDeleteDelayMs) }},
	{"flush.messages", kmsg.ConfigTypeLong, []string{"log.flush.interval.messages"}, func(c *Config) string { return i64s(c.LogFlushIntervalMessages) }},
	{"flush.ms", kmsg.ConfigTypeLong, []string{"log.flush.interval.ms", "log.flush.scheduler.interval.ms"}, func(c *Config) string { return i64s(c.LogFlushMs()) }},
	{"follower.replication.throttled.replicas", kmsg.ConfigTypeList, nil, func(*Config) string { return "" }},
	{"index.interval.bytes", kmsg.ConfigTypeInt, []string{"log.index.interval.bytes"}, func(c *Config) string { return i64s(int64(c.LogIndexIntervalBytes)) }},
	{"leader.replication.throttled.replicas", kmsg.ConfigTypeList, nil, func(*Config) string { return "" }},
	{"max.compaction.lag.ms", kmsg.ConfigTypeLong, []string{"log.cleaner.max.compaction.lag.ms"}, func(c *Config) string { return i64s(c.LogCleanerMaxCompactionLagMs) }},
	{"max.message.bytes", kmsg.ConfigTypeInt, []string{"message.max.bytes"}, func(c *Config) string { return i64s(int64(c.MessageMaxBytes)) }},
	{"message.downconversion.enable", kmsg.ConfigTypeBoolean, []string{"log.message.downconversion.enable"}, func(c *Config) string { return bools(c.LogMessageDownconversionEnable) }},
	{"message.format.version", kmsg.ConfigTypeString, []string{"log.message.format.version"}, func(c *Config) string { return c.LogMessageFormatVersion }},
	{"message.timestamp.difference.max.ms", kmsg.ConfigTypeLong, []string{"log.message.timestamp.difference.max.ms"}, func(c *Config) string { return i64s(c.LogMessageTimestampDifferenceMaxMs) }},
	{"message.timestamp.type", kmsg.ConfigTypeString, []string{"log.message.timestamp.type"}, func(c *Config) string { return c.LogMessageTimestampType }},
	{"min.cleanable.dirty.ratio", kmsg.ConfigTypeDouble, []string{"log.cleaner.min.cleanable.ratio"}, func(c *Config) string { return f64s(c.LogCleanerMinCleanableRatio) }},
	{"min.compaction.lag.ms", kmsg.ConfigTypeLong, []string{"log.cleaner.min.compaction.lag.ms"}, func(c *Config) string { return i64s(c.LogCleanerMinCompactionLagMs) }},
	{"min.insync.replicas", kmsg.ConfigTypeInt, []string{"min.insync.replicas"}, func(c *Config) string { return i64s(int64(c.MinInsyncReplicas)) }},
	{"preallocate", kmsg.ConfigTypeBoolean, []string{"log.preallocate"}, func(c *Config) string { return bools(c.LogPreallocate) }},
	{"retention.bytes", kmsg.ConfigTypeLong, []string{"log.retention.bytes"}, func(c *Config) string { return i64s(c.LogRetentionBytes) }},
	{"retention.ms", kmsg.ConfigTypeLong, []string{"log.retention.ms", "log.retention.minutes", "log.retention.hours"}, func(c *Config) string { return i64s(c.LogRetentionMs()) }},
	{"segment.bytes", kmsg.ConfigTypeInt, []string{"log.segment.bytes"}, func(c *Config) string { return i64s(c.LogSegmentBytes) }},
	{"segment.index.bytes", kmsg.ConfigTypeInt, []string{"log.index.size.max.bytes"}, func(c *Config) string { return i64s(int64(c.LogIndexSizeMaxBytes)) }},
	{"segment.jitter.ms", kmsg.ConfigTypeLong, []string{"log.roll.jitter.ms", "log.roll.jitter.hours"}, func(c *Config) string { return i64s(c.LogRollJitterMs()) }},
	{"segment.ms", kmsg.ConfigTypeLong, []string{"log.roll.ms", "log.roll.hours"}, func(c *Config) string { return i64s(c.LogRollMs()) }},
	{"unclean.leader.election.enable", kmsg.ConfigTypeBoolean, []string{"unclean.leader.election.enable"}, func(c *Config) string { return bools(c.UncleanLeaderElectionEnable) }},
}

// brokerSynonymGroups are DynamicBrokerConfig.brokerConfigSynonyms: the
// properties that set the same thing, most specific first.
var brokerSynonymGroups = [][]string{
	{"log.roll.ms", "log.roll.hours"},
	{"log.roll.jitter.ms", "log.roll.jitter.hours"},
	{"log.flush.interval.ms", "log.flush.scheduler.interval.ms"},
	{"log.retention.ms", "log.retention.minutes", "log.retention.hours"},
}

func brokerSynonyms(name string) []string {
	for _, g := range brokerSynonymGroups {
		if slices.Contains(g, name) {
			return g
		}
	}
	return []string{name}
}

// dynamicBrokerConfigs are the broker properties that may be set through
// /config/brokers (DynamicBrokerConfig.AllDynamicConfigs plus the
// replication throttles of DynamicConfig.Broker).
var dynamicBrokerConfigs = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range topicConfigRows {
		for _, s := range r.synonyms {
			m[s] = true
		}
	}
	for _, n := range []string{
		"log.cleaner.threads", "log.cleaner.io.max.bytes.per.second", "log.cleaner.dedupe.buffer.size",
		"log.cleaner.io.buffer.size", "log.cleaner.io.buffer.load.factor", "log.cleaner.backoff.ms",
		"num.io.threads", "num.network.threads", "num.replica.fetchers", "num.recovery.threads.per.data.dir",
		"background.threads", "metric.reporters", "advertised.listeners", "listeners",
		"listener.security.protocol.map", "max.connections.per.ip", "max.connections.per.ip.overrides",
		"max.connections", "max.connection.creation.rate", "sasl.enabled.mechanisms",
		"leader.replication.throttled.rate", "follower.replication.throttled.rate",
		"replica.alter.log.dirs.io.max.bytes.per.second",
	} {
		m[n] = true
	}
	delete(m, "log.flush.scheduler.interval.ms")
	delete(m, "log.retention.minutes")
	delete(m, "log.retention.hours")
	delete(m, "log.roll.hours")
	delete(m, "log.roll.jitter.hours")
	return m
}()

var configDefByName = func() map[string]*ConfigDef {
	m := map[string]*ConfigDef{}
	for i := range configDefs {
		m[configDefs[i].Name] = &configDefs[i]
	}
	return m
}()

// dynamicOnlyBrokerConfigs are DynamicConfig.Broker's properties, which
// exist only in /config/brokers (server.properties does not know them):
// the replication throttles kafka-reassign-partitions.sh --throttle sets.
var dynamicOnlyBrokerConfigs = map[string]*ConfigDef{
	"leader.replication.throttled.rate":              {Name: "leader.replication.throttled.rate", Type: TypeLong, Default: longMax, Validate: atLeast(0)},
	"follower.replication.throttled.rate":            {Name: "follower.replication.throttled.rate", Type: TypeLong, Default: longMax, Validate: atLeast(0)},
	"replica.alter.log.dirs.io.max.bytes.per.second": {Name: "replica.alter.log.dirs.io.max.bytes.per.second", Type: TypeLong, Default: longMax, Validate: atLeast(0)},
}

var kmsgConfigTypes = map[ConfigType]kmsg.ConfigType{
	TypeBoolean: kmsg.ConfigTypeBoolean, TypeString: kmsg.ConfigTypeString, TypeInt: kmsg.ConfigTypeInt,
	TypeShort: kmsg.ConfigTypeShort, TypeLong: kmsg.ConfigTypeLong, TypeDouble: kmsg.ConfigTypeDouble,
	TypeList: kmsg.ConfigTypeList, TypeClass: kmsg.ConfigTypeClass, TypePassword: kmsg.ConfigTypePassword,
}

// brokerValue is a broker property's current static value as a config
// string (ConfigDef.convertToString: lists comma-joined), nil for null.
func (b *Broker) brokerValue(name string) *string {
	idx, ok := fieldByName[name]
	if !ok {
		return nil
	}
	f := reflect.ValueOf(b.cfg).Elem().Field(idx)
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return nil
		}
		f = f.Elem()
	}
	var s string
	switch f.Kind() {
	case reflect.Slice:
		s = strings.Join(f.Interface().([]string), ",")
	case reflect.Float64:
		s = f64s(f.Float())
	case reflect.String:
		s = f.String()
		if s == "" && configDefByName[name] != nil && configDefByName[name].Null {
			return nil
		}
	default:
		s = fmt.Sprint(f.Interface())
	}
	return &s
}

// dynamicBrokerConfigs reads this broker's and the default dynamic
// overrides from /config/brokers.
func (b *Broker) dynamicBrokerOverrides() (perBroker, defaults map[string]string) {
	perBroker, defaults = map[string]string{}, map[string]string{}
	if b.zk == nil {
		return
	}
	if m, err := b.zk.EntityConfig(zkcoord.ConfigTypeBroker, itoa(b.cfg.BrokerID)); err == nil {
		perBroker = m
	}
	if m, err := b.zk.EntityConfig(zkcoord.ConfigTypeBroker, zkcoord.DefaultEntity); err == nil {
		defaults = m
	}
	return
}

// configSynonyms lists, for broker properties names, the values set at
// each level in precedence order (ConfigHelper.configSynonyms), less the
// leading ones not named self: Kafka drops them (its dropWhile), so a topic's
// retention.ms whose broker value comes only from log.retention.hours in
// server.properties has no synonym and shows as a default — which is why
// kafka-topics --describe prints segment.bytes but not retention.ms.
func (b *Broker) configSynonyms(self string, names []string, perBroker, defaults map[string]string, sensitive bool) []configSynonym {
	var out []configSynonym
	val := func(v string) *string {
		if sensitive {
			return nil
		}
		return &v
	}
	for _, n := range names {
		if v, ok := perBroker[n]; ok {
			out = append(out, configSynonym{n, val(v), kmsg.ConfigSourceDynamicBrokerConfig})
		}
	}
	for _, n := range names {
		if v, ok := defaults[n]; ok {
			out = append(out, configSynonym{n, val(v), kmsg.ConfigSourceDynamicDefaultBrokerConfig})
		}
	}
	for _, n := range names {
		if b.cfg.IsSet(n) {
			if v := b.brokerValue(n); v != nil {
				out = append(out, configSynonym{n, val(*v), kmsg.ConfigSourceStaticBrokerConfig})
			}
		}
	}
	for _, n := range names {
		if d := configDefByName[n]; d != nil && !d.Null && !d.Required {
			out = append(out, configSynonym{n, val(d.Default), kmsg.ConfigSourceDefaultConfig})
		}
	}
	for len(out) > 0 && out[0].Name != self {
		out = out[1:]
	}
	return out
}

// topicConfigEntries describes every topic config for a topic whose
// overrides are given (ConfigHelper.createTopicConfigEntry). names, when
// non-empty, selects configs.
func (b *Broker) topicConfigEntries(overrides map[string]string, names []string, withDoc bool) []configEntry {
	perBroker, defaults := b.dynamicBrokerOverrides()
	var out []configEntry
	for _, row := range topicConfigRows {
		if len(names) > 0 && !slices.Contains(names, row.name) {
			continue
		}
		var syns []configSynonym
		if len(row.synonyms) > 0 {
			syns = b.configSynonyms(row.synonyms[0], row.synonyms, perBroker, defaults, false)
		}
		e := configEntry{Name: row.name, Type: row.typ, Source: kmsg.ConfigSourceDefaultConfig}
		v := row.def(b.cfg)
		if len(syns) > 0 {
			e.Source = syns[0].Source
			if syns[0].Source != kmsg.ConfigSourceStaticBrokerConfig && syns[0].Source != kmsg.ConfigSourceDefaultConfig &&
				syns[0].Name == row.synonyms[0] && syns[0].Value != nil {
				v = *syns[0].Value // a dynamic broker default of the same unit
			}
		}
		if ov, ok := overrides[row.name]; ok {
			v = ov
			e.Source = kmsg.ConfigSourceDynamicTopicConfig
			syns = append([]configSynonym{{row.name, &ov, kmsg.ConfigSourceDynamicTopicConfig}}, syns...)
		}
		e.Value = &v
		e.Synonyms = syns
		out = append(out, e)
	}
	return out
}

// brokerConfigEntries describes the broker resource name ("" = the cluster
// default, which lists only the dynamic defaults, as Kafka does).
func (b *Broker) brokerConfigEntries(perBrokerResource bool, names []string) []configEntry {
	perBroker, defaults := b.dynamicBrokerOverrides()
	var out []configEntry
	for i := range configDefs {
		d := &configDefs[i]
		if len(names) > 0 && !slices.Contains(names, d.Name) {
			continue
		}
		sensitive := d.Type == TypePassword
		syns := b.configSynonyms(d.Name, brokerSynonyms(d.Name), perBroker, defaults, sensitive)
		if !perBrokerResource {
			if _, ok := defaults[d.Name]; !ok {
				continue
			}
			syns = slices.DeleteFunc(syns, func(s configSynonym) bool { return s.Source != kmsg.ConfigSourceDynamicDefaultBrokerConfig })
		}
		e := configEntry{Name: d.Name, ReadOnly: !dynamicBrokerConfigs[d.Name], IsSensitive: sensitive,
			Type: kmsgConfigTypes[d.Type], Source: kmsg.ConfigSourceDefaultConfig, Synonyms: syns}
		switch {
		case perBroker[d.Name] != "" && perBrokerResource:
			v := perBroker[d.Name]
			e.Value = &v
		case defaults[d.Name] != "":
			v := defaults[d.Name]
			e.Value = &v
		default:
			e.Value = b.brokerValue(d.Name)
		}
		if len(syns) > 0 {
			e.Source = syns[0].Source
		}
		if sensitive {
			e.Value = nil
		}
		if d.Doc != "" {
			doc := d.Doc
			e.Doc = &doc
		}
		out = append(out, e)
	}
	out = append(out, dynamicOnlyBrokerEntries(perBrokerResource, names, perBroker, defaults)...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// dynamicOnlyBrokerEntries lists the replication throttles that are set in
// /config/brokers: Kafka folds every dynamic broker config into the broker's
// config, so they show in a describe. Leaving them out would also make
// kafka-configs.sh --alter, which rewrites a broker's whole dynamic config
// from a describe, silently drop them.
func dynamicOnlyBrokerEntries(perBrokerResource bool, names []string, perBroker, defaults map[string]string) []configEntry {
	var out []configEntry
	for name, d := range dynamicOnlyBrokerConfigs {
		if len(names) > 0 && !slices.Contains(names, name) {
			continue
		}
		var syns []configSynonym
		if v, ok := perBroker[name]; ok && perBrokerResource {
			syns = append(syns, configSynonym{name, &v, kmsg.ConfigSourceDynamicBrokerConfig})
		}
		if v, ok := defaults[name]; ok {
			syns = append(syns, configSynonym{name, &v, kmsg.ConfigSourceDynamicDefaultBrokerConfig})
		}
		if len(syns) == 0 {
			continue
		}
		out = append(out, configEntry{Name: name, Value: syns[0].Value, Source: syns[0].Source,
			Type: kmsgConfigTypes[d.Type], Synonyms: syns})
	}
	return out
}

func (b *Broker) handleDescribeConfigs(r *Request) {
	req := r.Msg.(*kmsg.DescribeConfigsRequest)
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.DescribeConfigsResponse)
		for _, res := range req.Resources {
			rr := kmsg.NewDescribeConfigsResponseResource()
			rr.ResourceType, rr.ResourceName = res.ResourceType, res.ResourceName
			entries, err := b.describeResource(res)
			rr.ErrorCode, rr.ErrorMessage = adminError(err)
			for _, e := range entries {
				c := kmsg.NewDescribeConfigsResponseResourceConfig()
				c.Name, c.Value, c.ReadOnly, c.Source, c.IsSensitive = e.Name, e.Value, e.ReadOnly, e.Source, e.IsSensitive
				c.IsDefault = e.Source == kmsg.ConfigSourceDefaultConfig
				c.ConfigType = e.Type
				if req.IncludeDocumentation {
					c.Documentation = e.Doc
				}
				if req.IncludeSynonyms {
					for _, s := range e.Synonyms {
						cs := kmsg.NewDescribeConfigsResponseResourceConfigConfigSynonym()
						cs.Name, cs.Value, cs.Source = s.Name, s.Value, s.Source
						c.ConfigSynonyms = append(c.ConfigSynonyms, cs)
					}
				}
				rr.Configs = append(rr.Configs, c)
			}
			resp.Resources = append(resp.Resources, rr)
		}
		r.Respond(resp)
	})
}

func (b *Broker) describeResource(res kmsg.DescribeConfigsRequestResource) ([]configEntry, error) {
	switch res.ResourceType {
	case kmsg.ConfigResourceTypeTopic:
		if err := zkcoord.ValidateTopicName(res.ResourceName); err != nil {
			return nil, protocol.Wrap(kerr.InvalidTopicException, err)
		}
		if !b.metadata.Contains(res.ResourceName) {
			return nil, kerr.UnknownTopicOrPartition
		}
		if b.zk == nil {
			return nil, errNoZooKeeper
		}
		overrides, err := b.zk.EntityConfig(zkcoord.ConfigTypeTopic, res.ResourceName)
		if err != nil {
			return nil, err
		}
		return b.topicConfigEntries(overrides, res.ConfigNames, true), nil
	case kmsg.ConfigResourceTypeBroker:
		if res.ResourceName == "" {
			return b.brokerConfigEntries(false, res.ConfigNames), nil
		}
		if err := b.checkBrokerResource(res.ResourceName); err != nil {
			return nil, err
		}
		return b.brokerConfigEntries(true, res.ConfigNames), nil
	default:
		return nil, protocol.Errorf(kerr.InvalidRequest, "Unsupported resource type: %s", res.ResourceType)
	}
}

// checkBrokerResource accepts only this broker's id (ConfigHelper).
func (b *Broker) checkBrokerResource(name string) error {
	id, err := strconv.ParseInt(name, 10, 32)
	if err != nil {
		return protocol.Errorf(kerr.InvalidRequest, "Broker id must be an integer, but it is: %s", name)
	}
	if int32(id) != b.cfg.BrokerID {
		return protocol.Errorf(kerr.InvalidRequest, "Unexpected broker id, expected %d or empty string, but received %s", b.cfg.BrokerID, name)
	}
	return nil
}

func (b *Broker) handleAlterConfigs(r *Request) {
	req := r.Msg.(*kmsg.AlterConfigsRequest)
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.AlterConfigsResponse)
		for _, res := range req.Resources {
			rr := kmsg.NewAlterConfigsResponseResource()
			rr.ResourceType, rr.ResourceName = res.ResourceType, res.ResourceName
			cfg := map[string]string{}
			var err error
			for _, c := range res.Configs {
				if c.Value == nil {
					err = protocol.Errorf(kerr.InvalidRequest, "Null value not supported for : %s", c.Name)
					break
				}
				cfg[c.Name] = *c.Value
			}
			if err == nil {
				err = b.writeResourceConfig(res.ResourceType, res.ResourceName, cfg, req.ValidateOnly)
			}
			rr.ErrorCode, rr.ErrorMessage = adminError(err)
			resp.Resources = append(resp.Resources, rr)
		}
		r.Respond(resp)
	})
}

func (b *Broker) handleIncrementalAlterConfigs(r *Request) {
	req := r.Msg.(*kmsg.IncrementalAlterConfigsRequest)
	b.goAsync(r, func() {
		resp := req.ResponseKind().(*kmsg.IncrementalAlterConfigsResponse)
		for _, res := range req.Resources {
			rr := kmsg.NewIncrementalAlterConfigsResponseResource()
			rr.ResourceType, rr.ResourceName = res.ResourceType, res.ResourceName
			err := b.incrementalAlter(res, req.ValidateOnly)
			rr.ErrorCode, rr.ErrorMessage = adminError(err)
			resp.Resources = append(resp.Resources, rr)
		}
		r.Respond(resp)
	})
}

// incrementalAlter applies SET/DELETE/APPEND/SUBTRACT to the stored
// overrides of one resource (ZkAdminManager.incrementalAlterConfigs).
func (b *Broker) incrementalAlter(res kmsg.IncrementalAlterConfigsRequestResource, validateOnly bool) error {
	seen := map[string]bool{}
	for _, c := range res.Configs {
		if seen[c.Name] {
			return protocol.Errorf(kerr.InvalidRequest, "Error due to duplicate config keys")
		}
		seen[c.Name] = true
	}
	entity, name, err := b.configEntity(res.ResourceType, res.ResourceName)
	if err != nil {
		return err
	}
	if b.zk == nil {
		return errNoZooKeeper
	}
	cur, err := b.zk.EntityConfig(entity, name)
	if err != nil {
		return err
	}
	listType := func(n string) bool {
		if res.ResourceType == kmsg.ConfigResourceTypeTopic {
			for _, row := range topicConfigRows {
				if row.name == n {
					return row.typ == kmsg.ConfigTypeList
				}
			}
			return false
		}
		d := configDefByName[n]
		return d != nil && d.Type == TypeList
	}
	for _, c := range res.Configs {
		switch c.Op {
		case kmsg.IncrementalAlterConfigOpSet:
			if c.Value == nil {
				return protocol.Errorf(kerr.InvalidRequest, "Null value not supported for : %s", c.Name)
			}
			cur[c.Name] = *c.Value
		case kmsg.IncrementalAlterConfigOpDelete:
			delete(cur, c.Name)
		case kmsg.IncrementalAlterConfigOpAppend, kmsg.IncrementalAlterConfigOpSubtract:
			if !listType(c.Name) {
				return protocol.Errorf(kerr.InvalidRequest, "Config value append is not allowed for config key: %s", c.Name)
			}
			items := splitList(b.currentListValue(res.ResourceType, cur, c.Name))
			var vals []string
			if c.Value != nil {
				vals = splitList(*c.Value)
			}
			for _, v := range vals {
				if c.Op == kmsg.IncrementalAlterConfigOpAppend && !slices.Contains(items, v) {
					items = append(items, v)
				}
				if c.Op == kmsg.IncrementalAlterConfigOpSubtract {
					items = slices.DeleteFunc(items, func(x string) bool { return x == v })
				}
			}
			cur[c.Name] = strings.Join(items, ",")
		default:
			return protocol.Errorf(kerr.InvalidRequest, "Unknown alter config operation %d", c.Op)
		}
	}
	return b.writeResourceConfig(res.ResourceType, res.ResourceName, cur, validateOnly)
}

// currentListValue is the value a list config has now: the stored
// override, else the default.
func (b *Broker) currentListValue(rt kmsg.ConfigResourceType, cur map[string]string, name string) string {
	if v, ok := cur[name]; ok {
		return v
	}
	if rt == kmsg.ConfigResourceTypeTopic {
		for _, row := range topicConfigRows {
			if row.name == name {
				return row.def(b.cfg)
			}
		}
		return ""
	}
	if v := b.brokerValue(name); v != nil {
		return *v
	}
	return ""
}

// configEntity maps a resource to its /config/<entity>/<name> node.
func (b *Broker) configEntity(rt kmsg.ConfigResourceType, name string) (string, string, error) {
	switch rt {
	case kmsg.ConfigResourceTypeTopic:
		return zkcoord.ConfigTypeTopic, name, nil
	case kmsg.ConfigResourceTypeBroker:
		if name == "" {
			return zkcoord.ConfigTypeBroker, zkcoord.DefaultEntity, nil
		}
		if err := b.checkBrokerResource(name); err != nil {
			return "", "", err
		}
		return zkcoord.ConfigTypeBroker, name, nil
	}
	return "", "", protocol.Errorf(kerr.InvalidRequest, "Unsupported resource type: %s", rt)
}

// writeResourceConfig validates and stores the complete override set of a
// resource, with a change notification.
func (b *Broker) writeResourceConfig(rt kmsg.ConfigResourceType, name string, cfg map[string]string, validateOnly bool) error {
	entity, entityName, err := b.configEntity(rt, name)
	if err != nil {
		return err
	}
	if b.zk == nil {
		return errNoZooKeeper
	}
	invalid := func(e error) error {
		return protocol.Errorf(kerr.InvalidConfig, "Invalid config value for resource ConfigResource(type=%s, name='%s'): %s", rt, name, e.Error())
	}
	switch rt {
	case kmsg.ConfigResourceTypeTopic:
		if ok, err := b.zk.TopicExists(name); err != nil {
			return err
		} else if !ok {
			return protocol.Errorf(kerr.UnknownTopicOrPartition, "Topic %s does not exist", name)
		}
		if err := zkcoord.ValidateTopicConfig(cfg); err != nil {
			return invalid(err)
		}
	case kmsg.ConfigResourceTypeBroker:
		var nonDynamic []string
		for k, v := range cfg {
			d := configDefByName[k]
			if d == nil {
				d = dynamicOnlyBrokerConfigs[k]
			}
			if d == nil || !dynamicBrokerConfigs[k] {
				nonDynamic = append(nonDynamic, k)
				continue
			}
			val, err := parseValue(d, v)
			if err != nil {
				return invalid(err)
			}
			if d.Validate != nil {
				if err := d.Validate(val); err != nil {
					return invalid(&ConfigError{Name: k, Value: displayValue(v), Reason: err.Error()})
				}
			}
		}
		if len(nonDynamic) > 0 {
			sort.Strings(nonDynamic)
			return invalid(fmt.Errorf("Cannot update these configs dynamically: Set(%s)", strings.Join(nonDynamic, ", ")))
		}
	}
	if validateOnly {
		return nil
	}
	return b.zk.SetEntityConfig(entity, entityName, cfg)
}

// ---- Config change notifications (ZkConfigManager) ----

// configChangeListener follows /config/changes and applies topic override
// changes to this broker's logs, and user and client quota changes to its
// quota managers. Owned by its watch callbacks, serialised by mu.
type configChangeListener struct {
	b      *Broker
	quotas *quotaManagers // immutable pointer; the managers are safe for concurrent use
	mu     sync.Mutex
	last   string // name of the newest notification processed; guarded by mu
}

// startConfigChangeListener applies the current overrides of every topic
// with a local log, then follows new notifications.
func (b *Broker) startConfigChangeListener() {
	l := &configChangeListener{b: b, quotas: newQuotaManagers(b.cfg, b.lg)}
	b.loadQuotas(l.quotas)
	b.loadReplicationThrottles()
	b.configChanges = l
	kids, err := b.zk.Children(zkcoord.ConfigChangesPath)
	if err == nil && len(kids) > 0 {
		sort.Strings(kids)
		l.last = kids[len(kids)-1]
	}
	topics := map[string]bool{}
	for tp := range b.logs.All() {
		topics[tp.Topic] = true
	}
	for t := range topics {
		b.applyTopicConfig(t)
	}
	l.watch()
}

func (l *configChangeListener) watch() {
	b := l.b
	kids, _, err := b.zk.GetChildrenW(zkcoord.ConfigChangesPath, func(ev zkcoord.WatchEvent) {
		if ev.Type == zkcoord.EventNotWatching {
			return // session gone or closing; re-armed on re-registration
		}
		l.watch()
	})
	if err != nil {
		b.lg.Warn("Could not watch config change notifications", zap.Error(err))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range kids {
		if k <= l.last {
			continue
		}
		l.last = k
		data, _, err := b.zk.Get(zkcoord.ConfigChangesPath + "/" + k)
		if err != nil {
			continue
		}
		ch, err := zkcoord.DecodeConfigChange(data)
		if err != nil {
			b.lg.Warn("Ignoring malformed config change notification "+k, zap.Error(err))
			continue
		}
		b.lg.Named("kafka.server.ZkConfigManager").Info(fmt.Sprintf("Processing override for entityPath: %s with config: %s", ch.EntityPath, k))
		switch ch.EntityType() {
		case zkcoord.ConfigTypeTopic:
			b.applyTopicConfig(ch.EntityName())
		case zkcoord.ConfigTypeClient, zkcoord.ConfigTypeUser:
			b.reloadQuotaEntity(l.quotas, ch.EntityType(), ch.EntityName())
		case zkcoord.ConfigTypeBroker:
			b.reloadReplicationRates() // this broker's or <default>
		}
	}
}

// applyTopicConfig re-reads a topic's overrides and updates its local logs
// (TopicConfigHandler.processConfigChanges).
func (b *Broker) applyTopicConfig(topic string) {
	overrides, err := b.zk.EntityConfig(zkcoord.ConfigTypeTopic, topic)
	if err != nil {
		b.lg.Warn("Could not read config of topic "+topic, zap.Error(err))
		return
	}
	cfg, minISR := topicLogConfig(b.cfg, overrides)
	for tp, l := range b.logs.All() {
		if tp.Topic == topic {
			l.UpdateConfig(cfg)
		}
	}
	// min.insync.replicas is the replica manager's, not the log's.
	b.replicas.TopicConfigChanged(topic, minISR)
	if rq := b.replicas.replicationQuotas(); rq != nil {
		rq.applyTopicConfig(topic, overrides)
	}
}
