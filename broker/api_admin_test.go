package broker

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/log"
)

// The topic admin APIs through kadm on a two-broker cluster: create (with
// validate_only and the kafka-topics validations), describe and alter
// configs, grow, delete; only the controller answers the controller APIs.
func TestAdminTopicLifecycle(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	bs := startTestCluster(t, 2, "log.retention.hours", "100")
	cl := newClient(t, kgo.SeedBrokers(bs[0].addr(), bs[1].addr()))
	adm := kadm.NewClient(cl)
	c := ctx(t)

	// validate_only writes nothing.
	vr, err := adm.ValidateCreateTopics(c, 3, 2, nil, "checked")
	if err != nil || vr["checked"].Err != nil || vr["checked"].NumPartitions != 3 {
		t.Fatalf("validate only: %+v %v", vr, err)
	}
	if bs[0].metadata.Contains("checked") {
		t.Fatal("validate_only created the topic")
	}

	// Create with an override; the answer waits for the leaders.
	cr, err := adm.CreateTopics(c, 3, 2, map[string]*string{"retention.ms": kmsg.StringPtr("60000")}, "orders")
	if err != nil || cr["orders"].Err != nil {
		t.Fatalf("create: %+v %v", cr, err)
	}
	if got := cr["orders"].Configs["retention.ms"]; got.Value == nil || *got.Value != "60000" || got.Source != kmsg.ConfigSourceDynamicTopicConfig {
		t.Fatalf("created topic's retention.ms = %+v", got)
	}
	if cr["orders"].ID == (kadm.TopicID{}) {
		t.Error("no topic id in the CreateTopics v7 answer")
	}
	// The answering broker (the controller) already knows the leaders.
	ctrl := bs[0].metadata.ControllerID()
	if !bs[ctrl].hasAllLeaders("orders", 3) {
		t.Errorf("controller %d has no leaders for orders right after CreateTopics", ctrl)
	}

	// kafka-topics' validations and messages.
	for _, tc := range []struct {
		partitions int32
		rf         int16
		topic      string
		err        error
		msg        string
	}{
		{1, 1, "orders", kerr.TopicAlreadyExists, "Topic 'orders' already exists."},
		{1, 3, "wide", kerr.InvalidReplicationFactor, "Replication factor: 3 larger than available brokers: 2."},
		{0, 1, "empty", kerr.InvalidPartitions, "Number of partitions must be larger than 0."},
		{1, 1, "bad name", kerr.InvalidTopicException, ""},
		{1, 1, "orders.x", nil, ""},
		{1, 1, "orders_x", kerr.InvalidTopicException, "Topic 'orders_x' collides with existing topics: orders.x"},
	} {
		r, err := adm.CreateTopics(c, tc.partitions, tc.rf, nil, tc.topic)
		if err != nil {
			t.Fatal(err)
		}
		got := r[tc.topic]
		if !errors.Is(got.Err, tc.err) && !(tc.err == nil && got.Err == nil) {
			t.Errorf("create %q: err %v, want %v", tc.topic, got.Err, tc.err)
		}
		if tc.msg != "" && got.ErrMessage != tc.msg {
			t.Errorf("create %q: message %q, want %q", tc.topic, got.ErrMessage, tc.msg)
		}
	}

	// Only the controller creates topics.
	other := bs[0]
	if ctrl == 0 {
		other = bs[1]
	}
	req := kmsg.NewPtrCreateTopicsRequest()
	rt := kmsg.NewCreateTopicsRequestTopic()
	rt.Topic, rt.NumPartitions, rt.ReplicationFactor = "elsewhere", 1, 1
	req.Topics = append(req.Topics, rt)
	resp := dialRaw(t, other.addr()).roundTrip(req, 1).(*kmsg.CreateTopicsResponse)
	if resp.Topics[0].ErrorCode != kerr.NotController.Code {
		t.Fatalf("non-controller answered %d, want NOT_CONTROLLER", resp.Topics[0].ErrorCode)
	}

	// DescribeConfigs: sources and synonyms as Kafka 2.8.
	rc, err := adm.DescribeTopicConfigs(c, "orders")
	if err != nil {
		t.Fatal(err)
	}
	cfgs := map[string]kadm.Config{}
	for _, cf := range rc[0].Configs {
		cfgs[cf.Key] = cf
	}
	if v := cfgs["retention.ms"]; *v.Value != "60000" || v.Source != kmsg.ConfigSourceDynamicTopicConfig {
		t.Errorf("retention.ms %+v", v)
	}
	if v := cfgs["segment.bytes"]; *v.Value != "1073741824" || v.Source != kmsg.ConfigSourceDefaultConfig {
		t.Errorf("segment.bytes %+v", v)
	}
	if v := cfgs["cleanup.policy"]; *v.Value != "delete" {
		t.Errorf("cleanup.policy %+v", v)
	}
	// A topic without override: the static log.retention.hours=100 sets the
	// value, but Kafka (ConfigHelper.configSynonyms) drops every synonym
	// before the first one named log.retention.ms, so retention.ms reports
	// no synonyms and DEFAULT_CONFIG — which keeps it out of kafka-topics
	// --describe, as on a real broker.
	rc2, err := adm.CreateTopics(c, 1, 1, nil, "plain")
	if err != nil || rc2["plain"].Err != nil {
		t.Fatal(err, rc2)
	}
	pc, err := adm.DescribeTopicConfigs(c, "plain")
	if err != nil {
		t.Fatal(err)
	}
	for _, cf := range pc[0].Configs {
		if cf.Key != "retention.ms" {
			continue
		}
		if *cf.Value != fmt.Sprint(100*3600*1000) || cf.Source != kmsg.ConfigSourceDefaultConfig || len(cf.Synonyms) != 0 {
			t.Errorf("plain retention.ms %+v", cf)
		}
	}

	// IncrementalAlterConfigs: the change reaches the logs of every replica.
	ar, err := adm.AlterTopicConfigs(c, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "segment.bytes", Value: kmsg.StringPtr("1048576")}}, "orders")
	if err != nil || ar[0].Err != nil {
		t.Fatalf("alter: %+v %v", ar, err)
	}
	waitFor(t, 15*time.Second, func() error {
		for _, b := range bs {
			for p := int32(0); p < 3; p++ {
				l := b.logs.Get(log.TopicPartition{Topic: "orders", Partition: p})
				if l != nil && l.Config().SegmentBytes != 1048576 {
					return fmt.Errorf("broker %d orders-%d segment.bytes %d", b.cfg.BrokerID, p, l.Config().SegmentBytes)
				}
			}
		}
		return nil
	})
	ar, err = adm.AlterTopicConfigs(c, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "segment.bytes", Value: kmsg.StringPtr("-5")}}, "orders")
	if err != nil || !errors.Is(ar[0].Err, kerr.InvalidConfig) {
		t.Fatalf("invalid alter: %+v %v", ar, err)
	}
	ar, err = adm.AlterTopicConfigs(c, []kadm.AlterConfig{{Op: kadm.AppendConfig, Name: "cleanup.policy", Value: kmsg.StringPtr("compact")}}, "orders")
	if err != nil || ar[0].Err != nil {
		t.Fatalf("append: %+v %v", ar, err)
	}
	rc, _ = adm.DescribeTopicConfigs(c, "orders")
	for _, cf := range rc[0].Configs {
		if cf.Key == "cleanup.policy" && *cf.Value != "delete,compact" {
			t.Errorf("cleanup.policy after append = %q", *cf.Value)
		}
	}

	// Grow, then delete.
	pr, err := adm.UpdatePartitions(c, 5, "orders")
	if err != nil || pr["orders"].Err != nil {
		t.Fatalf("grow: %+v %v", pr, err)
	}
	if n := len(bs[0].metadata.Partitions("orders")); n != 5 {
		t.Errorf("%d partitions after growing to 5", n)
	}
	pr, err = adm.UpdatePartitions(c, 2, "orders")
	if err != nil || !errors.Is(pr["orders"].Err, kerr.InvalidPartitions) {
		t.Fatalf("shrink: %+v %v", pr, err)
	}
	dr, err := adm.DeleteTopics(c, "orders")
	if err != nil || dr["orders"].Err != nil {
		t.Fatalf("delete: %+v %v", dr, err)
	}
	if bs[ctrl].metadata.Contains("orders") {
		t.Errorf("controller still has orders after DeleteTopics answered")
	}
	dr, err = adm.DeleteTopics(c, "orders")
	if err != nil || !errors.Is(dr["orders"].Err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("delete again: %+v %v", dr, err)
	}
}

// Broker configs: static values with their source; dynamic changes to
// dynamic properties are stored, others refused with Kafka's message.
func TestAdminBrokerConfigs(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	bs := startTestCluster(t, 1, "num.io.threads", "4")
	b := bs[0]
	adm := kadm.NewClient(newClient(t, kgo.SeedBrokers(b.addr())))
	c := ctx(t)
	rc, err := adm.DescribeBrokerConfigs(c, b.cfg.BrokerID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]kadm.Config{}
	for _, cf := range rc[0].Configs {
		got[cf.Key] = cf
	}
	if v := got["num.io.threads"]; v.Value == nil || *v.Value != "4" || v.Source != kmsg.ConfigSourceStaticBrokerConfig {
		t.Errorf("num.io.threads %+v", v)
	}
	if v := got["log.segment.bytes"]; v.Value == nil || *v.Value != "1073741824" || v.Source != kmsg.ConfigSourceDefaultConfig {
		t.Errorf("log.segment.bytes %+v", v)
	}

	ar, err := adm.AlterBrokerConfigs(c, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "log.cleaner.threads", Value: kmsg.StringPtr("2")}}, b.cfg.BrokerID)
	if err != nil || ar[0].Err != nil {
		t.Fatalf("alter dynamic: %+v %v", ar, err)
	}
	rc, _ = adm.DescribeBrokerConfigs(c, b.cfg.BrokerID)
	for _, cf := range rc[0].Configs {
		if cf.Key == "log.cleaner.threads" && (*cf.Value != "2" || cf.Source != kmsg.ConfigSourceDynamicBrokerConfig) {
			t.Errorf("log.cleaner.threads after alter %+v", cf)
		}
	}
	// The replication throttles exist only as dynamic configs
	// (kafka-reassign-partitions.sh --throttle sets them).
	ar, err = adm.AlterBrokerConfigs(c, []kadm.AlterConfig{
		{Op: kadm.SetConfig, Name: "leader.replication.throttled.rate", Value: kmsg.StringPtr("1000000")},
		{Op: kadm.SetConfig, Name: "follower.replication.throttled.rate", Value: kmsg.StringPtr("1000000")},
	}, b.cfg.BrokerID)
	if err != nil || ar[0].Err != nil {
		t.Fatalf("alter throttles: %+v %v", ar, err)
	}
	// Once set, they show in a describe (kafka-configs --alter rewrites a
	// broker's dynamic config from one).
	rc, _ = adm.DescribeBrokerConfigs(c, b.cfg.BrokerID)
	shown := false
	for _, cf := range rc[0].Configs {
		if cf.Key == "leader.replication.throttled.rate" {
			shown = cf.Value != nil && *cf.Value == "1000000" && cf.Source == kmsg.ConfigSourceDynamicBrokerConfig
		}
	}
	if !shown {
		t.Error("leader.replication.throttled.rate missing from the broker's describe")
	}
	ar, err = adm.AlterBrokerConfigs(c, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "leader.replication.throttled.rate", Value: kmsg.StringPtr("-1")}}, b.cfg.BrokerID)
	if err != nil || !errors.Is(ar[0].Err, kerr.InvalidConfig) {
		t.Fatalf("negative throttle: %+v %v", ar, err)
	}
	ar, err = adm.AlterBrokerConfigs(c, []kadm.AlterConfig{{Op: kadm.SetConfig, Name: "zookeeper.connect", Value: kmsg.StringPtr("x")}}, b.cfg.BrokerID)
	if err != nil || !errors.Is(ar[0].Err, kerr.InvalidConfig) {
		t.Fatalf("alter static: %+v %v", ar, err)
	}
	if want := "Cannot update these configs dynamically: Set(zookeeper.connect)"; !strings.Contains(ar[0].ErrMessage, want) {
		t.Errorf("message %q lacks %q", ar[0].ErrMessage, want)
	}

	// DescribeCluster.
	req := kmsg.NewPtrDescribeClusterRequest()
	resp := dialRaw(t, b.addr()).roundTrip(req, 1).(*kmsg.DescribeClusterResponse)
	if resp.ClusterID != b.clusterID || resp.ControllerID != b.cfg.BrokerID || len(resp.Brokers) != 1 {
		t.Errorf("DescribeCluster %+v", resp)
	}
}

// ElectLeaders and the KIP-455 reassignment APIs go through the controller:
// an election where the preferred replica already leads is not needed; a
// reassignment moves a partition to the other broker and then no longer
// shows as ongoing.
func TestAdminElectionsAndReassignment(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	bs := startTestCluster(t, 2)
	adm := kadm.NewClient(newClient(t, kgo.SeedBrokers(bs[0].addr(), bs[1].addr())))
	c := ctx(t)
	if r, err := adm.CreateTopics(c, 1, 1, nil, "moved"); err != nil || r["moved"].Err != nil {
		t.Fatalf("create: %v %+v", err, r)
	}
	el, err := adm.ElectLeaders(c, kadm.ElectPreferredReplica, kadm.TopicsSet{"moved": {0: {}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := el["moved"][0].Err; !errors.Is(got, kerr.ElectionNotNeeded) {
		t.Errorf("preferred election of a partition its preferred replica leads: %v", got)
	}

	ps, _ := bs[0].metadata.Partition("moved", 0)
	target := 1 - ps.Replicas[0]
	var req kadm.AlterPartitionAssignmentsReq
	req.Assign("moved", 0, []int32{target})
	ar, err := adm.AlterPartitionAssignments(c, req)
	if err != nil || ar["moved"][0].Err != nil {
		t.Fatalf("reassign: %v %+v", err, ar)
	}
	waitFor(t, 30*time.Second, func() error {
		p, _ := bs[target].metadata.Partition("moved", 0)
		if len(p.Replicas) != 1 || p.Replicas[0] != target || p.Leader != target {
			return fmt.Errorf("partition %+v", p)
		}
		lr, err := adm.ListPartitionReassignments(c, kadm.TopicsSet{"moved": {0: {}}})
		if err != nil {
			return err
		}
		if len(lr["moved"]) != 0 {
			return fmt.Errorf("still reassigning: %+v", lr)
		}
		return nil
	})
	var bad kadm.AlterPartitionAssignmentsReq
	bad.Assign("moved", 0, []int32{7})
	ar, err = adm.AlterPartitionAssignments(c, bad)
	if err != nil || !errors.Is(ar["moved"][0].Err, kerr.InvalidReplicaAssignment) {
		t.Fatalf("reassign to a dead broker: %v %+v", err, ar)
	}
}
