package tools

// kafka-topics.sh --bootstrap-server: Kafka 2.8's AdminClientTopicService,
// on franz-go (kmsg requests for create and partitions, kadm for metadata,
// configs and deletion).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/zkcoord"
)

type adminTopicService struct {
	cl  *kgo.Client
	adm *kadm.Client
	env *toolEnv
}

func (s *adminTopicService) stdout() io.Writer { return s.env.Stdout }

// topicBrokerError is a per-topic error from a broker, with the broker's message
// when it sent one (as ApiError.exception() does) or the code's default.
func topicBrokerError(code int16, msg *string) error {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil
	}
	if msg != nil && *msg != "" {
		return &topicBrokerErr{err: err, msg: *msg}
	}
	return &topicBrokerErr{err: err, msg: err.(*kerr.Error).Description}
}

type topicBrokerErr struct {
	err error
	msg string
}

func (e *topicBrokerErr) Error() string { return e.msg }
func (e *topicBrokerErr) Unwrap() error { return e.err }

// adminCallError words a failed admin call as the Java admin client does:
// no broker answering within default.api.timeout.ms is a TimeoutException.
func adminCallError(call string, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &topicsError{"org.apache.kafka.common.errors.TimeoutException", "Timed out waiting for a node assignment. Call: " + call}
	}
	return err
}

// untilReachable runs call again while no broker can be dialled, until ctx
// ends: the Java admin client keeps trying its bootstrap servers until the
// call's deadline.
func untilReachable(ctx context.Context, call func() error) error {
	for {
		err := call()
		var op *net.OpError
		if err == nil || !errors.As(err, &op) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (s *adminTopicService) topics(ctx context.Context, o *optionSet) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, topicsAdminTimeout)
	defer cancel()
	var md kadm.Metadata
	err := untilReachable(ctx, func() (err error) { md, err = s.adm.Metadata(ctx); return err })
	if err != nil {
		return nil, adminCallError("listTopics", err)
	}
	var all []string
	for name := range md.Topics {
		all = append(all, name)
	}
	return filterTopics(all, o)
}

func (s *adminTopicService) create(ctx context.Context, t *topicArgs) error {
	if t.hasRF && (t.replicationFactor > 32767 || t.replicationFactor < 1) {
		return topicsIllegalArgument("The replication factor must be between 1 and 32767 inclusive")
	}
	if t.hasPartitions && t.partitions < 1 {
		return topicsIllegalArgument("The partitions must be greater than 0")
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	req.TimeoutMillis = int32(topicsAdminTimeout.Milliseconds() / 2)
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic = t.name
	rt.NumPartitions, rt.ReplicationFactor = -1, -1
	if t.assignment != nil {
		for p, r := range t.assignment {
			a := kmsg.NewCreateTopicsRequestTopicReplicaAssignment()
			a.Partition, a.Replicas = int32(p), r
			rt.ReplicaAssignment = append(rt.ReplicaAssignment, a)
		}
	} else {
		if t.hasPartitions {
			rt.NumPartitions = int32(t.partitions)
		}
		if t.hasRF {
			rt.ReplicationFactor = int16(t.replicationFactor)
		}
	}
	for _, kv := range sortedConfigs(t.configs) {
		k, v := topicsSplitKV(kv)
		c := kmsg.NewCreateTopicsRequestTopicConfig()
		c.Name, c.Value = k, kmsg.StringPtr(v)
		rt.Configs = append(rt.Configs, c)
	}
	req.Topics = append(req.Topics, rt)
	ctx, cancel := context.WithTimeout(ctx, topicsAdminTimeout)
	defer cancel()
	var resp *kmsg.CreateTopicsResponse
	err := untilReachable(ctx, func() (err error) { resp, err = req.RequestWith(ctx, s.cl); return err })
	if err != nil {
		return adminCallError("createTopics", err)
	}
	for _, rt := range resp.Topics {
		if err := topicBrokerError(rt.ErrorCode, rt.ErrorMessage); err != nil {
			return err
		}
	}
	fmt.Fprintf(s.env.Stdout, "Created topic %s.\n", t.name)
	return nil
}

func topicsSplitKV(kv string) (string, string) {
	for i := 0; i < len(kv); i++ {
		if kv[i] == '=' {
			return kv[:i], kv[i+1:]
		}
	}
	return kv, ""
}

// list prints the names joined by newlines: with no topic at all that is
// one empty line, as Kafka's println(topics.mkString("\n")).
func (s *adminTopicService) list(ctx context.Context, o *optionSet) error {
	topics, err := s.topics(ctx, o)
	if err != nil {
		return err
	}
	out := ""
	for i, t := range topics {
		if i > 0 {
			out += "\n"
		}
		out += t
	}
	fmt.Fprintln(s.env.Stdout, out)
	return nil
}

func (s *adminTopicService) describe(ctx context.Context, o *optionSet) error {
	topics, err := s.topics(ctx, o)
	if err != nil {
		return adminCallError("describeTopics", err)
	}
	if err := ensureTopicExists(topics, o, !(o.has("topic") && o.has("if-exists"))); err != nil {
		return err
	}
	if len(topics) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, topicsAdminTimeout)
	defer cancel()
	md, err := s.adm.Metadata(ctx, topics...)
	if err != nil {
		return adminCallError("describeConfigs", err)
	}
	live := map[int32]bool{}
	for _, b := range md.Brokers {
		live[b.NodeID] = true
	}
	f := newDescribeFilter(o, live)
	rcs, err := s.adm.DescribeTopicConfigs(ctx, topics...)
	if err != nil {
		return err
	}
	configs := map[string][]kadm.Config{}
	for _, rc := range rcs {
		if rc.Err != nil {
			return rc.Err
		}
		configs[rc.Name] = rc.Configs
	}
	reassigning := map[string]map[int32]kadm.ListPartitionReassignmentsResponse{}
	if rs, err := s.adm.ListPartitionReassignments(ctx, nil); err == nil {
		for _, r := range rs.Sorted() {
			if reassigning[r.Topic] == nil {
				reassigning[r.Topic] = map[int32]kadm.ListPartitionReassignmentsResponse{}
			}
			reassigning[r.Topic][r.Partition] = r
		}
	}
	w := s.env.Stdout
	for _, topic := range topics {
		td, ok := md.Topics[topic]
		if !ok || td.Err != nil {
			if td.Err != nil && !errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
				return td.Err
			}
			continue
		}
		var shown []string
		minIsr := 0
		for _, c := range configs[topic] {
			if c.Key == "min.insync.replicas" {
				minIsr, _ = strconv.Atoi(c.MaybeValue())
			}
			if c.Source != kmsg.ConfigSourceDefaultConfig {
				shown = append(shown, c.Key+"="+c.MaybeValue())
			}
		}
		parts := td.Partitions.Sorted()
		if f.describeConfigs() && (!f.overrides || len(shown) > 0) {
			rf := 0
			if len(parts) > 0 {
				rf = len(parts[0].Replicas) - len(reassigning[topic][parts[0].Partition].AddingReplicas)
			}
			printTopicLine(w, topic, zkcoord.TopicID(td.ID), len(parts), rf, shown, false)
		}
		if !f.describePartitions() {
			continue
		}
		for _, p := range parts {
			r := reassigning[topic][p.Partition]
			d := partitionDesc{topic: topic, partition: p.Partition, leader: p.Leader, replicas: p.Replicas,
				isr: p.ISR, adding: r.AddingReplicas, removing: r.RemovingReplicas, minIsr: minIsr}
			if f.shouldPrint(d) {
				printPartitionLine(w, d)
			}
		}
	}
	return nil
}

func (s *adminTopicService) alter(ctx context.Context, o *optionSet, t *topicArgs) error {
	topics, err := s.topics(ctx, o)
	if err != nil {
		return err
	}
	if err := ensureTopicExists(topics, o, !o.has("if-exists")); err != nil {
		return err
	}
	if len(topics) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, topicsAdminTimeout)
	defer cancel()
	md, err := s.adm.Metadata(ctx, topics...)
	if err != nil {
		return adminCallError("describeTopics", err)
	}
	req := kmsg.NewPtrCreatePartitionsRequest()
	req.TimeoutMillis = int32(topicsAdminTimeout.Milliseconds() / 2)
	for _, topic := range topics {
		rt := kmsg.NewCreatePartitionsRequestTopic()
		rt.Topic, rt.Count = topic, int32(t.partitions)
		if t.assignment != nil {
			for p := len(md.Topics[topic].Partitions); p < len(t.assignment); p++ {
				a := kmsg.NewCreatePartitionsRequestTopicAssignment()
				a.Replicas = t.assignment[p]
				rt.Assignment = append(rt.Assignment, a)
			}
		}
		req.Topics = append(req.Topics, rt)
	}
	resp, err := req.RequestWith(ctx, s.cl)
	if err != nil {
		return adminCallError("createPartitions", err)
	}
	for _, rt := range resp.Topics {
		if err := topicBrokerError(rt.ErrorCode, rt.ErrorMessage); err != nil {
			return err
		}
	}
	return nil
}

func (s *adminTopicService) delete(ctx context.Context, o *optionSet) error {
	topics, err := s.topics(ctx, o)
	if err != nil {
		return err
	}
	if err := ensureTopicExists(topics, o, !o.has("if-exists")); err != nil {
		return err
	}
	if len(topics) == 0 {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, topicsAdminTimeout)
	defer cancel()
	req := kmsg.NewPtrDeleteTopicsRequest()
	req.TimeoutMillis = int32(topicsAdminTimeout.Milliseconds() / 2)
	for _, topic := range topics {
		rt := kmsg.NewDeleteTopicsRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		req.TopicNames = append(req.TopicNames, topic)
	}
	resp, err := req.RequestWith(ctx, s.cl)
	if err != nil {
		return adminCallError("deleteTopics", err)
	}
	for _, rt := range resp.Topics {
		if err := topicBrokerError(rt.ErrorCode, rt.ErrorMessage); err != nil {
			return err
		}
	}
	return nil
}
