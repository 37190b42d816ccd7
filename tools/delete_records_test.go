package tools

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
	"gokafka/zkcoord/zktest"
)

// startBrokerWithRecords runs one gokafka broker on a fresh ZooKeeper
// chroot with topic (partitions partitions, RF 1) and n records "v0".."vN"
// in partition 0, produced with acks=all.
func startBrokerWithRecords(t *testing.T, topic string, partitions, n int) *brokertest.Broker {
	t.Helper()
	if testing.Short() {
		t.Skip("needs ZooKeeper and a broker process")
	}
	zk := zktest.Shared(t)
	b := brokertest.StartBroker(t, zk, brokertest.WithZkConnect(zk.ChrootConnect(t)))
	zc, err := zkcoord.Connect(b.ZkConnect, 10*time.Second, 10*time.Second, zap.NewNop())
	if err != nil {
		t.Fatal(err)
	}
	defer zc.Close()
	assign := map[int32][]int32{}
	for p := 0; p < partitions; p++ {
		assign[int32(p)] = []int32{b.ID}
	}
	if err := zc.CreateTopic(topic, assign, map[string]string{}, true); err != nil {
		t.Fatal(err)
	}
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := 0; i < n; i++ {
		r := &kgo.Record{Topic: topic, Partition: 0, Value: []byte("v" + string(rune('0'+i)))}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatalf("producing record %d: %v", i, err)
		}
	}
	return b
}

func writeFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// The operations chapter's use: delete the records of a partition below an
// offset. The low watermark moves, the records below it are gone for
// consumers; an unknown topic and an offset above the high watermark are
// per-partition errors with the Java exception, printed in Java HashMap
// order (buckets of a 4-slot table: t-1 and nope-0 in 0, t-0 in 1).
func TestDeleteRecordsRealBroker(t *testing.T) {
	b := startBrokerWithRecords(t, "t", 2, 5)
	file := writeFile(t, "offsets.json", `{"partitions":[{"topic":"t","partition":0,"offset":3},`+
		`{"topic":"t","partition":1,"offset":1},{"topic":"nope","partition":0,"offset":1}],"version":1}`)
	res := runTool(t, runDeleteRecords, "", "--bootstrap-server", b.Addr, "--offset-json-file", file)
	want := "Executing records delete operation\n" +
		"Records delete operation completed:\n" +
		"partition: t-1\terror: org.apache.kafka.common.errors.OffsetOutOfRangeException: The requested offset is not within the range of offsets maintained by the server.\n" +
		"partition: nope-0\terror: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.\n" +
		"partition: t-0\tlow_watermark: 3\n"
	if res.Code != 0 || res.Stdout != want || res.Stderr != "" {
		t.Fatalf("got code %d\n%s%s\nwant\n%s", res.Code, res.Stdout, res.Stderr, want)
	}

	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr), kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{
		"t": {0: kgo.NewOffset().AtStart()}}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	starts, err := kadm.NewClient(cl).ListStartOffsets(ctx, "t")
	if err != nil {
		t.Fatal(err)
	}
	if o, _ := starts.Lookup("t", 0); o.Offset != 3 {
		t.Errorf("log start offset of t-0 is %d, want 3", o.Offset)
	}
	var got []string
	for len(got) < 2 && ctx.Err() == nil {
		cl.PollFetches(ctx).EachRecord(func(r *kgo.Record) {
			got = append(got, string(r.Value))
		})
	}
	if strings.Join(got, ",") != "v3,v4" {
		t.Errorf("consumed from the start: %v, want v3,v4", got)
	}
}

// Bad input stops the tool before any request, with Kafka's messages.
func TestDeleteRecordsBadInput(t *testing.T) {
	res := runTool(t, runDeleteRecords, "", "--bootstrap-server", "localhost:9092")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Missing required argument \"[offset-json-file]\"\nOption ") {
		t.Errorf("missing file option: %+v", res)
	}
	res = runTool(t, runDeleteRecords, "", "--offset-json-file", "x.json")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Missing required argument \"[bootstrap-server]\"\n") {
		t.Errorf("missing bootstrap: %+v", res)
	}
	res = runTool(t, runDeleteRecords, "", "--help")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "This tool helps to delete records of the given partitions down to the specified offset.\n") ||
		!strings.Contains(res.Stderr, "--offset-json-file <String: Offset json  REQUIRED: The JSON file with offset") {
		t.Errorf("help: %s", res.Stderr)
	}
	for _, tc := range []struct{ body, want string }{
		{`{"partitions":[`, "kafka.admin.AdminOperationException: The input string is not a valid JSON"},
		{`not json`, "kafka.admin.AdminOperationException: The input string is not a valid JSON"},
		{`{"version":1}`, "kafka.admin.AdminOperationException: Missing partitions field"},
		{`{"version":2,"partitions":[]}`, "kafka.admin.AdminOperationException: Not supported version field value 2"},
		{`{"partitions":[{"topic":"t","offset":1}]}`, "com.fasterxml.jackson.databind.JsonMappingException: No such field exists: `partition`"},
		{`{"partitions":[{"topic":1,"partition":0,"offset":1}]}`, "com.fasterxml.jackson.databind.JsonMappingException: Expected `String` value, received 1"},
		{`{"partitions":[{"topic":"t","partition":"0","offset":1}]}`, "com.fasterxml.jackson.databind.JsonMappingException: Expected `Int` value, received \"0\""},
		{`{"partitions":[{"topic":"t","partition":0,"offset":1},{"topic":"t","partition":0,"offset":2}]}`,
			"kafka.common.AdminCommandFailedException: Offset json file contains duplicate topic partitions: t-0"},
	} {
		file := writeFile(t, "offsets.json", tc.body)
		res := runTool(t, runDeleteRecords, "", "--bootstrap-server", "localhost:9092", "--offset-json-file", file)
		if res.Code != 1 || res.Stdout != "" || res.Stderr != "Exception in thread \"main\" "+tc.want+"\n" {
			t.Errorf("%s: code %d stdout %q stderr %q", tc.body, res.Code, res.Stdout, res.Stderr)
		}
	}
	res = runTool(t, runDeleteRecords, "", "--bootstrap-server", "localhost:9092", "--offset-json-file", "/nonexistent/o.json")
	if res.Stderr != "Exception in thread \"main\" java.nio.file.NoSuchFileException: /nonexistent/o.json\n" {
		t.Errorf("missing file: %q", res.Stderr)
	}
}

// Results come out in the order of the java.util.HashMap Kafka keeps them
// in: for t-0, t-1, t-2 (4 buckets) the hashes fall in buckets 1, 0 and 3.
func TestJavaHashMapOrder(t *testing.T) {
	keys := []topicPart{{"t", 0}, {"t", 1}, {"t", 2}}
	got := javaHashMapOrder(keys)
	if len(got) != 3 || got[0] != 1 || got[1] != 0 || got[2] != 2 {
		t.Errorf("order %v, want [1 0 2]", got)
	}
	if h := javaStringHash("hello"); h != 99162322 {
		t.Errorf(`"hello".hashCode() = %d, want 99162322`, h)
	}
}
