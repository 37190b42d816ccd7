package tools

// kafka-reassign-partitions.sh --bootstrap-server: the KIP-455 admin API
// path of Kafka 2.8's ReassignPartitionsCommand, on franz-go requests
// (Metadata, ListPartitionReassignments, AlterPartitionReassignments,
// IncrementalAlterConfigs).

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/zkcoord"
)

// reassignAdmin is the tool's admin client; every call is bounded by
// reassignAdminTimeout and keeps trying while no broker can be dialled, as
// the Java admin client does until its deadline.
type reassignAdmin struct {
	cl *kgo.Client
}

func (a *reassignAdmin) request(ctx context.Context, req kmsg.Request) (kmsg.Response, error) {
	ctx, cancel := context.WithTimeout(ctx, reassignAdminTimeout)
	defer cancel()
	var resp kmsg.Response
	err := untilReachable(ctx, func() error {
		var err error
		resp, err = a.cl.Request(ctx, req)
		return err
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, executionException(newJexc(clsTimeout, "Timed out waiting for a node assignment."))
	}
	if err != nil {
		return nil, executionException(err)
	}
	return resp, nil
}

// apiException is ApiError.exception(): the code's exception with the
// broker's message, or the code's default one.
func apiException(code int16, msg *string) error {
	err := kerr.ErrorForCode(code)
	if err == nil {
		return nil
	}
	if msg == nil || *msg == "" {
		return err
	}
	return withMessage(err, msg)
}

// exceptionMessage is getMessage of a Kafka exception from a broker.
func exceptionMessage(err error) string {
	var be *brokerError
	if errors.As(err, &be) {
		return be.msg
	}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Description
	}
	return err.Error()
}

// list is listPartitionReassignments: every ongoing reassignment (parts nil)
// or those of parts.
func (a *reassignAdmin) list(ctx context.Context, parts []topicPart) (map[topicPart]ongoing, error) {
	req := kmsg.NewPtrListPartitionReassignmentsRequest()
	req.TimeoutMillis = int32(reassignAdminTimeout.Milliseconds())
	if parts != nil {
		idx := map[string]int{}
		req.Topics = []kmsg.ListPartitionReassignmentsRequestTopic{}
		for _, p := range parts {
			i, ok := idx[p.Topic]
			if !ok {
				i = len(req.Topics)
				idx[p.Topic] = i
				t := kmsg.NewListPartitionReassignmentsRequestTopic()
				t.Topic = p.Topic
				req.Topics = append(req.Topics, t)
			}
			req.Topics[i].Partitions = append(req.Topics[i].Partitions, p.Partition)
		}
	}
	r, err := a.request(ctx, req)
	if err != nil {
		return nil, err
	}
	resp := r.(*kmsg.ListPartitionReassignmentsResponse)
	if err := apiException(resp.ErrorCode, resp.ErrorMessage); err != nil {
		return nil, executionException(err)
	}
	out := map[topicPart]ongoing{}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			out[topicPart{t.Topic, p.Partition}] = ongoing{replicas: p.Replicas, adding: p.AddingReplicas, removing: p.RemovingReplicas}
		}
	}
	return out, nil
}

// topicReplicas is describeTopics: per topic, each partition's replicas; a
// topic the cluster does not know fails with its exception.
func (a *reassignAdmin) topicReplicas(ctx context.Context, topics []string) (map[string]map[int32][]int32, map[string]error, error) {
	req := kmsg.NewPtrMetadataRequest()
	req.AllowAutoTopicCreation = false
	req.Topics = []kmsg.MetadataRequestTopic{}
	for _, t := range topics {
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(t)
		req.Topics = append(req.Topics, rt)
	}
	r, err := a.request(ctx, req)
	if err != nil {
		return nil, nil, err
	}
	resp := r.(*kmsg.MetadataResponse)
	out, errs := map[string]map[int32][]int32{}, map[string]error{}
	for _, t := range resp.Topics {
		name := ""
		if t.Topic != nil {
			name = *t.Topic
		}
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			errs[name] = err
			continue
		}
		ps := map[int32][]int32{}
		for _, p := range t.Partitions {
			ps[p.Partition] = p.Replicas
		}
		out[name] = ps
	}
	return out, errs, nil
}

// replicaAssignment is getReplicaAssignmentForTopics (parts nil) or
// getReplicaAssignmentForPartitions: the first unknown topic fails the
// whole call, as describeTopics(...).all().get() does.
func (a *reassignAdmin) replicaAssignment(ctx context.Context, topics []string, parts map[topicPart][]int32) (map[topicPart][]int32, error) {
	desc, errs, err := a.topicReplicas(ctx, topics)
	if err != nil {
		return nil, err
	}
	for _, t := range topics {
		if e, ok := errs[t]; ok {
			return nil, executionException(e)
		}
	}
	out := map[topicPart][]int32{}
	for t, ps := range desc {
		for p, r := range ps {
			part := topicPart{t, p}
			if parts != nil {
				if _, ok := parts[part]; !ok {
					continue
				}
			}
			out[part] = r
		}
	}
	return out, nil
}

// brokers is describeCluster().nodes(): id and rack of each live broker,
// sorted by id.
func (a *reassignAdmin) brokers(ctx context.Context) ([]zkcoord.BrokerMeta, error) {
	req := kmsg.NewPtrMetadataRequest()
	req.Topics = []kmsg.MetadataRequestTopic{}
	r, err := a.request(ctx, req)
	if err != nil {
		return nil, err
	}
	var out []zkcoord.BrokerMeta
	for _, b := range r.(*kmsg.MetadataResponse).Brokers {
		m := zkcoord.BrokerMeta{ID: b.NodeID}
		if b.Rack != nil {
			m.Rack = *b.Rack
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func brokerIDs(ms []zkcoord.BrokerMeta) []int32 {
	out := make([]int32, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

// configOp is one AlterConfigOp.
type configOp struct {
	name  string
	value *string // nil with DELETE
}

// alterConfigs is incrementalAlterConfigs(...).all().get(): broker
// resources go to their broker (franz-go shards them), topics to any.
func (a *reassignAdmin) alterConfigs(ctx context.Context, typ kmsg.ConfigResourceType, ops map[string][]configOp) error {
	if len(ops) == 0 {
		return nil
	}
	req := kmsg.NewPtrIncrementalAlterConfigsRequest()
	for _, name := range sortedKeysOfOps(ops) {
		res := kmsg.NewIncrementalAlterConfigsRequestResource()
		res.ResourceType, res.ResourceName = typ, name
		for _, op := range ops[name] {
			c := kmsg.NewIncrementalAlterConfigsRequestResourceConfig()
			c.Name, c.Value = op.name, op.value
			c.Op = kmsg.IncrementalAlterConfigOpSet
			if op.value == nil {
				c.Op = kmsg.IncrementalAlterConfigOpDelete
			}
			res.Configs = append(res.Configs, c)
		}
		req.Resources = append(req.Resources, res)
	}
	r, err := a.request(ctx, req)
	if err != nil {
		return err
	}
	for _, res := range r.(*kmsg.IncrementalAlterConfigsResponse).Resources {
		if err := apiException(res.ErrorCode, res.ErrorMessage); err != nil {
			return executionException(err)
		}
	}
	return nil
}

func sortedKeysOfOps(m map[string][]configOp) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// alter is alterPartitionReassignments (a nil target cancels): the
// per-partition failures.
func (a *reassignAdmin) alter(ctx context.Context, targets map[topicPart][]int32) (map[topicPart]error, error) {
	req := kmsg.NewPtrAlterPartitionAssignmentsRequest()
	req.TimeoutMillis = int32(reassignAdminTimeout.Milliseconds())
	idx := map[string]int{}
	for _, p := range sortedTPs(targets) {
		i, ok := idx[p.Topic]
		if !ok {
			i = len(req.Topics)
			idx[p.Topic] = i
			t := kmsg.NewAlterPartitionAssignmentsRequestTopic()
			t.Topic = p.Topic
			req.Topics = append(req.Topics, t)
		}
		rp := kmsg.NewAlterPartitionAssignmentsRequestTopicPartition()
		rp.Partition = p.Partition
		rp.Replicas = targets[p]
		req.Topics[i].Partitions = append(req.Topics[i].Partitions, rp)
	}
	r, err := a.request(ctx, req)
	if err != nil {
		return nil, err
	}
	resp := r.(*kmsg.AlterPartitionAssignmentsResponse)
	errs := map[topicPart]error{}
	if err := apiException(resp.ErrorCode, resp.ErrorMessage); err != nil {
		// A top-level error fails every partition's future.
		for p := range targets {
			errs[p] = err
		}
		return errs, nil
	}
	for _, t := range resp.Topics {
		for _, p := range t.Partitions {
			if err := apiException(p.ErrorCode, p.ErrorMessage); err != nil {
				errs[topicPart{t.Topic, p.Partition}] = err
			}
		}
	}
	return errs, nil
}

func reassignWithAdmin(ctx context.Context, env *toolEnv, o *optionSet, action string) error {
	props := map[string]string{}
	if o.has("command-config") {
		var err error
		if props, err = loadProperties(o.value("command-config")); err != nil {
			return newJexc(clsNoSuchFile, "%s", strings.TrimSuffix(err.Error(), " (No such file or directory)"))
		}
	}
	props = mergeProps(props, map[string]string{"bootstrap.servers": o.value("bootstrap-server")})
	if _, ok := props["client.id"]; !ok {
		props["client.id"] = "reassign-partitions-tool"
	}
	kopts, err := clientOpts(props)
	if err != nil {
		return newJexc("org.apache.kafka.common.config.ConfigException", "%v", err)
	}
	cl, err := kgo.NewClient(kopts...)
	if err != nil {
		return newJexc("org.apache.kafka.common.KafkaException", "Failed to create new KafkaAdminClient")
	}
	defer cl.Close()
	a := &reassignAdmin{cl: cl}
	w := env.Stdout
	file := func(name string) (string, error) { return readFileAsString(o.value(name)) }
	switch action {
	case "verify":
		s, err := file("reassignment-json-file")
		if err != nil {
			return err
		}
		return a.verify(ctx, w, s, o.has("preserve-throttles"))
	case "generate":
		s, err := file("topics-to-move-json-file")
		if err != nil {
			return err
		}
		return a.generate(ctx, w, s, o.value("broker-list"), !o.has("disable-rack-aware"))
	case "execute":
		s, err := file("reassignment-json-file")
		if err != nil {
			return err
		}
		return a.execute(ctx, w, o.has("additional"), s, o.int64Value("throttle"), o.int64Value("replica-alter-log-dirs-throttle"))
	case "cancel":
		s, err := file("reassignment-json-file")
		if err != nil {
			return err
		}
		return a.cancel(ctx, w, s, o.has("preserve-throttles"))
	case "list":
		return a.listAction(ctx, w)
	}
	return newJexc(clsRuntime, "Unsupported action.")
}

func (a *reassignAdmin) generate(ctx context.Context, w io.Writer, s, brokerList string, rackAware bool) error {
	brokerIDList, topics, err := parseGenerateArgs(s, brokerList)
	if err != nil {
		return err
	}
	current, err := a.replicaAssignment(ctx, topics, nil)
	if err != nil {
		return err
	}
	all, err := a.brokers(ctx)
	if err != nil {
		return err
	}
	var metas []zkcoord.BrokerMeta
	rackless := 0
	for _, m := range all {
		if !containsID(brokerIDList, m.ID) {
			continue
		}
		if !rackAware {
			m.Rack = ""
		}
		if m.Rack == "" {
			rackless++
		}
		metas = append(metas, m)
	}
	if rackAware && rackless != 0 && rackless != len(metas) {
		return newJexc(clsAdminOperation, "Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information.")
	}
	proposed, err := calculateAssignment(current, metas)
	if err != nil {
		return err
	}
	printGenerated(w, current, proposed)
	return nil
}

func (a *reassignAdmin) execute(ctx context.Context, w io.Writer, additional bool, s string, throttle, logDirThrottle int64) error {
	proposed, dirs, err := parseExecuteArgs(s)
	if err != nil {
		return err
	}
	current, err := a.list(ctx, nil)
	if err != nil {
		return err
	}
	if !additional && len(current) > 0 {
		return &terseFailure{cannotExecuteBecauseOfExisting}
	}
	// verifyBrokerIds
	live, err := a.brokers(ctx)
	if err != nil {
		return err
	}
	liveIDs := brokerIDs(live)
	for _, p := range sortedTPs(proposed) {
		for _, b := range proposed[p] {
			if !containsID(liveIDs, b) {
				return newJexc(clsAdminCommandFailed, "Unknown broker id %d", b)
			}
		}
	}
	var topics []string
	for _, p := range sortedTPs(proposed) {
		if !contains(topics, p.Topic) {
			topics = append(topics, p.Topic)
		}
	}
	currentParts, err := a.replicaAssignment(ctx, topics, proposed)
	if err != nil {
		return err
	}
	printCurrentForRollback(w, proposed, currentParts)

	if throttle >= 0 || logDirThrottle >= 0 {
		fmt.Fprintln(w, youMustRunVerifyPeriodically)
		if throttle >= 0 {
			mm, err := proposedMoveMap(current, proposed, currentParts)
			if err != nil {
				return err
			}
			leaders, followers := throttledReplicas(mm, true), throttledReplicas(mm, false)
			topicOps := map[string][]configOp{}
			for t := range mm {
				topicOps[t] = []configOp{{topicLeaderThrottle, strp(leaders[t])}, {topicFollowerThrottle, strp(followers[t])}}
			}
			if err := a.alterConfigs(ctx, kmsg.ConfigResourceTypeTopic, topicOps); err != nil {
				return err
			}
			rate := strconv.FormatInt(throttle, 10)
			brokerOps := map[string][]configOp{}
			for _, b := range reassigningBrokers(mm) {
				brokerOps[strconv.Itoa(int(b))] = []configOp{{brokerLeaderThrottle, strp(rate)}, {brokerFollowerThrottle, strp(rate)}}
			}
			if err := a.alterConfigs(ctx, kmsg.ConfigResourceTypeBroker, brokerOps); err != nil {
				return err
			}
			fmt.Fprintf(w, "The inter-broker throttle limit was set to %d B/s\n", throttle)
		}
		if logDirThrottle >= 0 {
			rate := strconv.FormatInt(logDirThrottle, 10)
			brokerOps := map[string][]configOp{}
			for r := range dirs {
				brokerOps[strconv.Itoa(int(r.Broker))] = []configOp{{brokerLogDirThrottle, strp(rate)}}
			}
			if err := a.alterConfigs(ctx, kmsg.ConfigResourceTypeBroker, brokerOps); err != nil {
				return err
			}
			fmt.Fprintf(w, "The replica-alter-dir throttle limit was set to %d B/s\n", logDirThrottle)
		}
	}

	errs, err := a.alter(ctx, proposed)
	if err != nil {
		return err
	}
	if len(errs) > 0 {
		lines := make([]string, 0, len(errs))
		for _, p := range sortedTPs(errs) {
			lines = append(lines, fmt.Sprintf("%s: %s", p, exceptionMessage(errs[p])))
		}
		return &terseFailure{"Error reassigning partition(s):\n" + strings.Join(lines, "\n")}
	}
	printStarted(w, proposed)
	if len(dirs) > 0 {
		return logDirMovesUnsupported()
	}
	return nil
}

// logDirMovesUnsupported is what the admin client reports for
// AlterReplicaLogDirs / DescribeLogDirs against a broker without them.
func logDirMovesUnsupported() error {
	return executionException(newJexc("org.apache.kafka.common.errors.UnsupportedVersionException",
		"The broker does not support ALTER_REPLICA_LOG_DIRS"))
}

func (a *reassignAdmin) verify(ctx context.Context, w io.Writer, s string, preserve bool) error {
	entries, dirs, err := parseReassignmentJSON(s)
	if err != nil {
		return err
	}
	current, err := a.list(ctx, nil)
	if err != nil {
		return err
	}
	states := map[topicPart]reassignState{}
	var lookUp []string
	for _, e := range entries {
		if r, ok := current[e.part]; ok {
			states[e.part] = reassignState{current: r.replicas, target: e.replicas}
		} else if !contains(lookUp, e.part.Topic) {
			lookUp = append(lookUp, e.part.Topic)
		}
	}
	if len(lookUp) > 0 {
		desc, errs, err := a.topicReplicas(ctx, lookUp)
		if err != nil {
			return err
		}
		for _, e := range entries {
			if _, ok := current[e.part]; ok {
				continue
			}
			st := reassignState{target: e.replicas, done: true}
			if terr, ok := errs[e.part.Topic]; ok {
				if !errors.Is(terr, kerr.UnknownTopicOrPartition) {
					return executionException(terr)
				}
			} else {
				ps := desc[e.part.Topic]
				switch {
				case int(e.part.Partition) == len(ps):
					// Kafka checks size < partition, so this one slips
					// through to partitions.get and throws.
					return newJexc("java.lang.IndexOutOfBoundsException", "Index %d out of bounds for length %d", e.part.Partition, len(ps))
				case int(e.part.Partition) < len(ps):
					st.current = ps[e.part.Partition]
				}
			}
			states[e.part] = st
		}
	}
	printReassignStates(w, states)
	if len(dirs) > 0 {
		return logDirMovesUnsupported()
	}
	// verifyReplicaMoves prints its (here empty) report with println.
	fmt.Fprintln(w)
	if len(current) > 0 || preserve {
		return nil
	}
	return a.clearAllThrottles(ctx, w, entries)
}

// clearAllThrottles removes the throttles of every live broker and target
// replica and of every topic of the reassignment file.
func (a *reassignAdmin) clearAllThrottles(ctx context.Context, w io.Writer, entries []reassignEntry) error {
	live, err := a.brokers(ctx)
	if err != nil {
		return err
	}
	brokers, topics := throttleClearing(w, brokerIDs(live), entries)
	brokerOps := map[string][]configOp{}
	for _, b := range brokers {
		for _, k := range brokerThrottles {
			brokerOps[strconv.Itoa(int(b))] = append(brokerOps[strconv.Itoa(int(b))], configOp{name: k})
		}
	}
	if err := a.alterConfigs(ctx, kmsg.ConfigResourceTypeBroker, brokerOps); err != nil {
		return err
	}
	topicOps := map[string][]configOp{}
	for _, t := range topics {
		for _, k := range topicThrottles {
			topicOps[t] = append(topicOps[t], configOp{name: k})
		}
	}
	return a.alterConfigs(ctx, kmsg.ConfigResourceTypeTopic, topicOps)
}

func (a *reassignAdmin) cancel(ctx context.Context, w io.Writer, s string, preserve bool) error {
	entries, dirs, err := parseReassignmentJSON(s)
	if err != nil {
		return err
	}
	parts := make([]topicPart, 0, len(entries))
	for _, e := range entries {
		parts = append(parts, e.part)
	}
	current, err := a.list(ctx, parts)
	if err != nil {
		return err
	}
	targets := map[topicPart][]int32{}
	for p, r := range current {
		if len(r.adding) > 0 || len(r.removing) > 0 {
			targets[p] = nil
		}
	}
	if len(targets) > 0 {
		errs, err := a.alter(ctx, targets)
		if err != nil {
			return err
		}
		if len(errs) > 0 {
			lines := make([]string, 0, len(errs))
			for _, p := range sortedTPs(errs) {
				lines = append(lines, fmt.Sprintf("%s: %s", p, exceptionMessage(errs[p])))
			}
			return &terseFailure{fmt.Sprintf("Error cancelling partition reassignment%s for:\n%s", plural(len(errs)), strings.Join(lines, "\n"))}
		}
		fmt.Fprintf(w, "Successfully cancelled partition reassignment%s for: %s\n", plural(len(targets)), joinTPs(sortedTPs(targets), ","))
	} else {
		fmt.Fprintln(w, "None of the specified partition reassignments are active.")
	}
	if len(dirs) > 0 {
		return logDirMovesUnsupported()
	}
	fmt.Fprintln(w, "None of the specified partition moves are active.")
	if preserve {
		return nil
	}
	return a.clearAllThrottles(ctx, w, entries)
}

func (a *reassignAdmin) listAction(ctx context.Context, w io.Writer) error {
	current, err := a.list(ctx, nil)
	if err != nil {
		return err
	}
	if len(current) == 0 {
		fmt.Fprintln(w, "No partition reassignments found.")
		return nil
	}
	fmt.Fprintln(w, "Current partition reassignments:")
	for _, p := range sortedTPs(current) {
		r := current[p]
		line := fmt.Sprintf("%s: replicas: %s.", p, joinInts(r.replicas, ","))
		if len(r.adding) > 0 {
			line += fmt.Sprintf(" adding: %s.", joinInts(r.adding, ","))
		}
		if len(r.removing) > 0 {
			line += fmt.Sprintf(" removing: %s.", joinInts(r.removing, ","))
		}
		fmt.Fprintln(w, line)
	}
	return nil
}
