package tools

// kafka-delete-records.sh: kafka.admin.DeleteRecordsCommand (Kafka 2.8).
//
// Behaviour: reads --offset-json-file,
//
//	{"partitions":[{"topic":"foo","partition":1,"offset":1}],"version":1}
//
// ("version" may be left out; offset -1 means "up to the high watermark"),
// then does what the Java admin client's deleteRecords does: one Metadata
// request for the topics, one DeleteRecords request per partition leader,
// and prints
//
//	Executing records delete operation
//	Records delete operation completed:
//	partition: foo-1	low_watermark: 1
//
// or "partition: foo-1\terror: <exception>" for a partition that failed (an
// unknown topic, no leader, an offset above the high watermark, ...).
// Partitions are printed in the iteration order of the Java HashMap Kafka
// keeps the results in. A file that is not valid JSON, a missing field, a
// wrong type or a duplicate partition ends the tool with Kafka's exception.

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"github.com/urfave/cli/v2"
)

func deleteRecordsCommand() *cli.Command {
	return toolCommand("kafka.admin.DeleteRecordsCommand", runDeleteRecords)
}

func deleteRecordsOptions() *optionParser {
	p := newOptionParser()
	p.arg("bootstrap-server", "REQUIRED: The server to connect to.", "String", "server(s) to use for bootstrapping")
	p.arg("offset-json-file", "REQUIRED: The JSON file with offset per partition. The format to use is:\n"+
		"{\"partitions\":\n  [{\"topic\": \"foo\", \"partition\": 1, \"offset\": 1}],\n \"version\":1\n}",
		"String", "Offset json file path")
	p.arg("command-config", "A property file containing configs to be passed to Admin Client.", "String", "command config property file path")
	return p
}

// Timeouts of the Java admin client: default.api.timeout.ms bounds the
// whole call, request.timeout.ms is the DeleteRecords timeout_ms.
const (
	deleteRecordsAPITimeout     = 60 * time.Second
	deleteRecordsRequestTimeout = 30 * time.Second
)

func runDeleteRecords(ctx context.Context, env *toolEnv, args []string) int {
	p := deleteRecordsOptions()
	o, code, ok := p.parseStandard(env, args, "This tool helps to delete records of the given partitions down to the specified offset.")
	if !ok {
		return code
	}
	if code, ok := p.checkRequired(env, o, "bootstrap-server", "offset-json-file"); !ok {
		return code
	}
	cl, err := adminClientFor(o, "")
	if err != nil {
		return uncaught(env.Stderr, err)
	}
	defer cl.Close()
	text, err := readFileAsString(o.value("offset-json-file"))
	if err != nil {
		return uncaught(env.Stderr, err)
	}
	offsets, err := parseDeleteRecordsJSON(text)
	if err != nil {
		return uncaught(env.Stderr, err)
	}
	if dups := duplicatePartitions(offsets); len(dups) > 0 {
		return uncaught(env.Stderr, newJexc(clsAdminCommandFailed, "Offset json file contains duplicate topic partitions: %s", strings.Join(dups, ",")))
	}

	fmt.Fprintln(env.Stdout, "Executing records delete operation")
	ctx, cancel := context.WithTimeout(ctx, deleteRecordsAPITimeout)
	defer cancel()
	results := deleteRecords(ctx, cl, offsets)
	fmt.Fprintln(env.Stdout, "Records delete operation completed:")
	keys := make([]topicPart, len(offsets))
	for i, r := range offsets {
		keys[i] = r.tp
	}
	for _, i := range javaHashMapOrder(keys) {
		tp := keys[i]
		r := results[tp]
		if r.err != nil {
			fmt.Fprintf(env.Stdout, "partition: %s\terror: %s\n", tp, throwableString(r.err))
			continue
		}
		fmt.Fprintf(env.Stdout, "partition: %s\tlow_watermark: %d\n", tp, r.lowWatermark)
	}
	return 0
}

// recordsToDelete is one entry of the offset JSON file.
type recordsToDelete struct {
	tp     topicPart
	offset int64
}

// deletedRecords is one partition's outcome: its new low watermark or the
// error (a *kerr.Error or a client failure).
type deletedRecords struct {
	lowWatermark int64
	err          error
}

// deleteRecords is KafkaAdminClient.deleteRecords: the leaders from one
// Metadata request, then DeleteRecords to each leader.
func deleteRecords(ctx context.Context, cl *kgo.Client, offsets []recordsToDelete) map[topicPart]deletedRecords {
	out := make(map[topicPart]deletedRecords, len(offsets))
	failAll := func(err error) map[topicPart]deletedRecords {
		for _, r := range offsets {
			out[r.tp] = deletedRecords{err: err}
		}
		return out
	}
	mreq := kmsg.NewPtrMetadataRequest()
	seen := map[string]bool{}
	for _, r := range offsets {
		if !seen[r.tp.Topic] {
			seen[r.tp.Topic] = true
			t := kmsg.NewMetadataRequestTopic()
			t.Topic = kmsg.StringPtr(r.tp.Topic)
			mreq.Topics = append(mreq.Topics, t)
		}
	}
	mreq.AllowAutoTopicCreation = false
	mresp, err := mreq.RequestWith(ctx, cl)
	if err != nil {
		return failAll(err)
	}
	topicErr := map[string]error{}
	leaders := map[topicPart]int32{}
	for _, t := range mresp.Topics {
		name := ""
		if t.Topic != nil {
			name = *t.Topic
		}
		if err := kerr.ErrorForCode(t.ErrorCode); err != nil {
			topicErr[name] = err
			continue
		}
		for _, p := range t.Partitions {
			leaders[topicPart{name, p.Partition}] = p.Leader
		}
	}
	byLeader := map[int32]*kmsg.DeleteRecordsRequest{}
	var leaderOrder []int32
	for _, r := range offsets {
		if err, ok := topicErr[r.tp.Topic]; ok {
			out[r.tp] = deletedRecords{err: err}
			continue
		}
		leader, ok := leaders[r.tp]
		if !ok || leader < 0 {
			out[r.tp] = deletedRecords{err: kerr.LeaderNotAvailable}
			continue
		}
		req := byLeader[leader]
		if req == nil {
			req = kmsg.NewPtrDeleteRecordsRequest()
			req.TimeoutMillis = int32(deleteRecordsRequestTimeout / time.Millisecond)
			byLeader[leader] = req
			leaderOrder = append(leaderOrder, leader)
		}
		var rt *kmsg.DeleteRecordsRequestTopic
		for i := range req.Topics {
			if req.Topics[i].Topic == r.tp.Topic {
				rt = &req.Topics[i]
			}
		}
		if rt == nil {
			t := kmsg.NewDeleteRecordsRequestTopic()
			t.Topic = r.tp.Topic
			req.Topics = append(req.Topics, t)
			rt = &req.Topics[len(req.Topics)-1]
		}
		rp := kmsg.NewDeleteRecordsRequestTopicPartition()
		rp.Partition, rp.Offset = r.tp.Partition, r.offset
		rt.Partitions = append(rt.Partitions, rp)
	}
	for _, leader := range leaderOrder {
		req := byLeader[leader]
		resp, err := req.RequestWith(ctx, cl.Broker(int(leader)))
		if err != nil {
			for _, t := range req.Topics {
				for _, p := range t.Partitions {
					out[topicPart{t.Topic, p.Partition}] = deletedRecords{err: err}
				}
			}
			continue
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				tp := topicPart{t.Topic, p.Partition}
				if err := kerr.ErrorForCode(p.ErrorCode); err != nil {
					out[tp] = deletedRecords{err: err}
				} else {
					out[tp] = deletedRecords{lowWatermark: p.LowWatermark}
				}
			}
		}
	}
	return out
}

// parseDeleteRecordsJSON is DeleteRecordsCommand.parseOffsetJsonStringWithoutDedup
// on Kafka's JSON wrapper (reassign_partitions_java.go); any parse failure
// is "not a valid JSON", since Json.parseFull drops Jackson's message.
func parseDeleteRecordsJSON(s string) ([]recordsToDelete, error) {
	root, err := parseKafkaJSON(s)
	if err != nil {
		return nil, newJexc(clsAdminOperation, "The input string is not a valid JSON")
	}
	obj, err := root.object()
	if err != nil {
		return nil, err
	}
	version := int32(1) // EarliestVersion
	if v, ok := obj["version"]; ok {
		if version, err = v.toInt(); err != nil {
			return nil, err
		}
	}
	if version != 1 {
		return nil, newJexc(clsAdminOperation, "Not supported version field value %d", version)
	}
	parts, ok := obj["partitions"]
	if !ok {
		return nil, newJexc(clsAdminOperation, "Missing partitions field")
	}
	arr, err := parts.array()
	if err != nil {
		return nil, err
	}
	var out []recordsToDelete
	for _, e := range arr {
		po, err := e.object()
		if err != nil {
			return nil, err
		}
		topic, err := stringField(po, "topic")
		if err != nil {
			return nil, err
		}
		partition, err := intField(po, "partition")
		if err != nil {
			return nil, err
		}
		ov, err := field(po, "offset")
		if err != nil {
			return nil, err
		}
		offset, err := strconv.ParseInt(strings.TrimSpace(string(ov.raw)), 10, 64)
		if err != nil { // to[Long]: a JSON integer that fits a long
			return nil, mappingError("Expected `Long` value, received %s", ov)
		}
		out = append(out, recordsToDelete{topicPart{topic, partition}, offset})
	}
	return out, nil
}

// duplicatePartitions is CoreUtils.duplicates over the file's partitions.
func duplicatePartitions(offsets []recordsToDelete) []string {
	count := map[topicPart]int{}
	var out []string
	for _, r := range offsets {
		count[r.tp]++
		if count[r.tp] == 2 {
			out = append(out, r.tp.String())
		}
	}
	return out
}

// javaHashMapOrder returns the indexes of keys in the order a
// java.util.HashMap created with new HashMap<>(len(keys)) and filled in
// this order iterates them: by bucket (the spread hash masked by the table
// size), then in insertion order within a bucket. This is the order Kafka
// prints per-partition results in.
func javaHashMapOrder(keys []topicPart) []int {
	n := len(keys)
	capacity := 1
	for capacity < n { // tableSizeFor(initialCapacity)
		capacity <<= 1
	}
	for float64(n) > 0.75*float64(capacity) { // resizes while filling
		capacity <<= 1
	}
	bucket := func(k topicPart) int {
		h := 31*(31+k.Partition) + javaStringHash(k.Topic) // TopicPartition.hashCode
		h ^= int32(uint32(h) >> 16)                        // HashMap.hash
		return int(uint32(h) & uint32(capacity-1))
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	b := make([]int, n)
	for i, k := range keys {
		b[i] = bucket(k)
	}
	// Stable: insertion order within a bucket.
	sort.SliceStable(order, func(i, j int) bool { return b[order[i]] < b[order[j]] })
	return order
}

// javaStringHash is String.hashCode over the UTF-16 code units of s.
func javaStringHash(s string) int32 {
	var h int32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + int32(0xD800+(r>>10))
			h = 31*h + int32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + int32(r)
	}
	return h
}
