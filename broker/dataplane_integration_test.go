package broker_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/broker/brokertest"
	"gokafka/log"
	"gokafka/zkcoord/zktest"
)

// The data path against a real broker process and real ZooKeeper, driven by
// franz-go and kcat: produce and consume with keys, headers and every
// compression, acks=all, idempotence, offset lookups, DeleteRecords and the
// long poll. One broker serves all subtests (each uses its own topic).
func TestDataPathIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (starts ZooKeeper and a broker)")
	}
	zk := zktest.StartZooKeeper(t)
	b := brokertest.StartBroker(t, zk, brokertest.WithProps("num.partitions", "1"))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	t.Run("ProduceConsumeCompressions", func(t *testing.T) {
		for _, c := range []struct {
			name  string
			codec kgo.CompressionCodec
		}{
			{"none", kgo.NoCompression()},
			{"gzip", kgo.GzipCompression()},
			{"snappy", kgo.SnappyCompression()},
			{"lz4", kgo.Lz4Compression()},
			{"zstd", kgo.ZstdCompression()},
		} {
			t.Run(c.name, func(t *testing.T) {
				topic := "compress-" + c.name
				createTopicAt(t, ctx, b.Addr, topic)
				p := newClient(t, b, kgo.ProducerBatchCompression(c.codec), kgo.RequiredAcks(kgo.AllISRAcks()))
				var recs []*kgo.Record
				for i := 0; i < 100; i++ {
					recs = append(recs, &kgo.Record{Topic: topic, Key: []byte(fmt.Sprintf("k%d", i)),
						Value:   bytes.Repeat([]byte{byte('a' + i%26)}, 100+i),
						Headers: []kgo.RecordHeader{{Key: "h", Value: []byte(fmt.Sprint(i))}}})
				}
				if err := p.ProduceSync(ctx, recs...).FirstErr(); err != nil {
					t.Fatalf("produce: %v", err)
				}
				got := consumeN(t, ctx, b, topic, 100)
				for i, r := range got {
					if r.Offset != int64(i) || string(r.Key) != fmt.Sprintf("k%d", i) ||
						!bytes.Equal(r.Value, recs[i].Value) || len(r.Headers) != 1 || string(r.Headers[0].Value) != fmt.Sprint(i) {
						t.Fatalf("record %d: offset %d key %q headers %v", i, r.Offset, r.Key, r.Headers)
					}
				}
			})
		}
	})

	t.Run("OffsetsAndDeleteRecords", func(t *testing.T) {
		topic := "offsets"
		createTopicAt(t, ctx, b.Addr, topic)
		p := newClient(t, b)
		start := time.Now().UnixMilli()
		for i := 0; i < 10; i++ {
			r := &kgo.Record{Topic: topic, Value: []byte("v"), Timestamp: time.UnixMilli(start + int64(i)*1000)}
			if err := p.ProduceSync(ctx, r).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		adm := kadm.NewClient(p)
		ends, err := adm.ListEndOffsets(ctx, topic)
		if err != nil || ends[topic][0].Err != nil || ends[topic][0].Offset != 10 {
			t.Fatalf("end offsets: %v %+v", err, ends[topic][0])
		}
		after, err := adm.ListOffsetsAfterMilli(ctx, start+4500, topic)
		if err != nil || after[topic][0].Offset != 5 {
			t.Fatalf("offset after %d: %v %+v", start+4500, err, after[topic][0])
		}
		var del kadm.Offsets
		del.Add(kadm.Offset{Topic: topic, Partition: 0, At: 4})
		dr, err := adm.DeleteRecords(ctx, del)
		if err != nil || dr[topic][0].Err != nil || dr[topic][0].LowWatermark != 4 {
			t.Fatalf("delete records: %v %+v", err, dr[topic][0])
		}
		starts, err := adm.ListStartOffsets(ctx, topic)
		if err != nil || starts[topic][0].Offset != 4 {
			t.Fatalf("start offsets after DeleteRecords: %v %+v", err, starts[topic][0])
		}
		var olr kadm.OffsetForLeaderEpochRequest
		olr.Add(topic, 0, 0)
		ole, err := adm.OffsetForLeaderEpoch(ctx, olr)
		if err != nil || ole[topic][0].Err != nil || ole[topic][0].EndOffset != 10 {
			t.Fatalf("OffsetForLeaderEpoch(0): %v %+v", err, ole[topic][0])
		}
	})

	t.Run("LongPoll", func(t *testing.T) {
		topic := "longpoll"
		createTopicAt(t, ctx, b.Addr, topic)
		c := newClient(t, b, kgo.ConsumeTopics(topic), kgo.FetchMaxWait(10*time.Second))
		// Start polling an empty partition; the fetch parks in the
		// purgatory and must complete when the record arrives, long
		// before max_wait.
		got := make(chan *kgo.Record, 1)
		go func() {
			fs := c.PollFetches(ctx)
			fs.EachRecord(func(r *kgo.Record) {
				select {
				case got <- r:
				default:
				}
			})
		}()
		p := newClient(t, b)
		if err := p.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte("wake")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
		select {
		case r := <-got:
			if string(r.Value) != "wake" {
				t.Fatalf("got %q", r.Value)
			}
		case <-ctx.Done():
			t.Fatal("long poll never completed")
		}
	})

	t.Run("ProduceErrors", func(t *testing.T) {
		topic := "errors"
		createTopicAt(t, ctx, b.Addr, topic)
		good := log.BuildBatch([]log.Record{{Value: []byte("raw"), Timestamp: time.Now().UnixMilli()}})
		corrupt := append([]byte(nil), good...)
		corrupt[len(corrupt)-1] ^= 0xff // breaks the CRC-32C
		twoBatches := append(append([]byte(nil), good...), good...)
		for _, c := range []struct {
			name    string
			topic   string
			acks    int16
			records []byte
			want    int16
		}{
			{"ok", topic, 1, good, 0},
			{"acks=2", topic, 2, good, kerr.InvalidRequiredAcks.Code},
			{"crc", topic, 1, corrupt, kerr.CorruptMessage.Code},
			{"two batches", topic, 1, twoBatches, kerr.InvalidRecord.Code},
			{"unknown partition", "no-such-topic-x", 1, good, kerr.UnknownTopicOrPartition.Code},
			{"internal topic", "__consumer_offsets", 1, good, kerr.InvalidTopicException.Code},
		} {
			resp := rawProduce(t, b.Addr, c.topic, c.acks, c.records)
			if resp == nil {
				t.Fatalf("%s: no response", c.name)
			}
			p := resp.Topics[0].Partitions[0]
			if p.ErrorCode != c.want {
				t.Errorf("%s: error %d, want %d", c.name, p.ErrorCode, c.want)
			}
			if c.want != 0 && (p.ErrorMessage == nil || *p.ErrorMessage == "") {
				t.Errorf("%s: v8 error_message missing", c.name)
			}
		}
		// Idempotence: a retried batch is answered with its original offset;
		// a sequence gap is OUT_OF_ORDER_SEQUENCE_NUMBER.
		ipr, err := kmsg.NewPtrInitProducerIDRequest().RequestWith(ctx, newClient(t, b))
		if err != nil || ipr.ErrorCode != 0 {
			t.Fatalf("InitProducerId: %v %+v", err, ipr)
		}
		idem := func(seq int32) []byte {
			return log.BuildBatchWith(log.BatchOptions{PartitionLeaderEpoch: -1, ProducerID: ipr.ProducerID,
				ProducerEpoch: ipr.ProducerEpoch, BaseSequence: seq},
				[]log.Record{{Value: []byte("idem"), Timestamp: time.Now().UnixMilli()}})
		}
		first := rawProduce(t, b.Addr, topic, -1, idem(0)).Topics[0].Partitions[0]
		retry := rawProduce(t, b.Addr, topic, -1, idem(0)).Topics[0].Partitions[0]
		if first.ErrorCode != 0 || retry.ErrorCode != 0 || retry.BaseOffset != first.BaseOffset {
			t.Fatalf("idempotent retry: first %+v, retry %+v (want the same offset, no error)", first, retry)
		}
		if gap := rawProduce(t, b.Addr, topic, -1, idem(5)).Topics[0].Partitions[0]; gap.ErrorCode != kerr.OutOfOrderSequenceNumber.Code {
			t.Fatalf("sequence gap: error %d, want OUT_OF_ORDER_SEQUENCE_NUMBER", gap.ErrorCode)
		}

		// acks=0: an error's only signal is the closed connection.
		if resp := rawProduce(t, b.Addr, "__consumer_offsets", 0, good); resp != nil {
			t.Fatalf("acks=0 produce got a response: %+v", resp)
		}
	})

	t.Run("Kcat", func(t *testing.T) {
		if _, err := exec.LookPath("kcat"); err != nil {
			t.Skip("kcat not installed")
		}
		topic := "kcat"
		createTopicAt(t, ctx, b.Addr, topic)
		for _, codec := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
			cmd := exec.CommandContext(ctx, "kcat", "-P", "-b", b.Addr, "-t", topic, "-K", ":", "-z", codec, "-X", "enable.idempotence=true", "-H", "src=kcat")
			cmd.Stdin = strings.NewReader(codec + ":value-" + codec + "\n")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("kcat -P -z %s: %v\n%s", codec, err, out)
			}
		}
		out, err := exec.CommandContext(ctx, "kcat", "-C", "-b", b.Addr, "-t", topic, "-o", "beginning", "-e",
			"-f", "%o %k %s %h\n").CombinedOutput()
		if err != nil {
			t.Fatalf("kcat -C: %v\n%s", err, out)
		}
		want := "0 none value-none src=kcat\n1 gzip value-gzip src=kcat\n2 snappy value-snappy src=kcat\n3 lz4 value-lz4 src=kcat\n4 zstd value-zstd src=kcat\n"
		if !strings.HasSuffix(string(out), want) && !strings.Contains(string(out), want) {
			t.Fatalf("kcat -C printed\n%s\nwant\n%s", out, want)
		}
	})

	// Last: the data, the HW checkpoint and leadership survive a restart
	// (controlled shutdown, then LeaderAndIsr from the controller again).
	t.Run("Restart", func(t *testing.T) {
		topic := "restart"
		createTopicAt(t, ctx, b.Addr, topic)
		p := newClient(t, b)
		for i := 0; i < 20; i++ {
			if err := p.ProduceSync(ctx, &kgo.Record{Topic: topic, Value: []byte(fmt.Sprint(i))}).FirstErr(); err != nil {
				t.Fatal(err)
			}
		}
		p.Close()
		b.Restart()
		// Until the controller's LeaderAndIsr and UpdateMetadata arrive the
		// restarted broker does not serve the partition.
		waitForCondT(t, 30*time.Second, func() bool {
			probe, err := kgo.NewClient(kgo.SeedBrokers(b.Addr))
			if err != nil {
				return false
			}
			defer probe.Close()
			ends, err := kadm.NewClient(probe).ListEndOffsets(ctx, topic)
			return err == nil && ends.Error() == nil && ends[topic][0].Offset == 20
		})
		got := consumeN(t, ctx, b, topic, 20)
		for i, r := range got {
			if string(r.Value) != fmt.Sprint(i) {
				t.Fatalf("record %d after restart: %q", i, r.Value)
			}
		}
	})
}

func newClient(t *testing.T, b *brokertest.Broker, opts ...kgo.Opt) *kgo.Client {
	t.Helper()
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(b.Addr), kgo.AllowAutoTopicCreation()}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

// createTopicAt creates a one-partition topic with the broker's
// default.replication.factor on the broker at addr
// (CreateTopics, or Metadata auto-creation where CreateTopics is not
// served) and waits until its leader answers.
func createTopicAt(t testing.TB, ctx context.Context, addr, topic string) {
	t.Helper()
	cl, err := kgo.NewClient(kgo.SeedBrokers(addr), kgo.AllowAutoTopicCreation())
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	// Right after a cluster starts, the controller may not know every
	// broker yet (INVALID_REPLICATION_FACTOR): retry for a while.
	var err2 error
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(200 * time.Millisecond) {
		if _, err2 = kadm.NewClient(cl).CreateTopic(ctx, 1, -1, nil, topic); err2 == nil || !errors.Is(err2, kerr.InvalidReplicationFactor) {
			break
		}
	}
	if err := err2; err != nil {
		if !strings.Contains(err.Error(), "broker is too old") {
			t.Fatalf("create topic %s: %v", topic, err)
		}
		req := kmsg.NewPtrMetadataRequest()
		rt := kmsg.NewMetadataRequestTopic()
		rt.Topic = kmsg.StringPtr(topic)
		req.Topics = append(req.Topics, rt)
		req.AllowAutoTopicCreation = true
		if _, err := req.RequestWith(ctx, cl); err != nil {
			t.Fatalf("auto-create topic %s: %v", topic, err)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		// A fresh client each time: a client's cached "leader not
		// available" would otherwise be kept for metadata.min.age.
		probe, err := kgo.NewClient(kgo.SeedBrokers(addr))
		if err != nil {
			t.Fatal(err)
		}
		ends, err := kadm.NewClient(probe).ListEndOffsets(ctx, topic)
		probe.Close()
		if err == nil && ends.Error() == nil && len(ends[topic]) == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("topic %s not ready: %v %v", topic, err, ends.Error())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func consumeN(t *testing.T, ctx context.Context, b *brokertest.Broker, topic string, n int) []*kgo.Record {
	t.Helper()
	c := newClient(t, b, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	var out []*kgo.Record
	for len(out) < n {
		fs := c.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("consumed %d of %d: %v", len(out), n, err)
		}
		fs.EachError(func(_ string, _ int32, err error) { t.Fatalf("fetch: %v", err) })
		out = append(out, fs.Records()...)
	}
	return out
}

// rawProduce sends one Produce v8 for partition 0 of topic over a fresh
// connection and returns the decoded response, or nil when the broker
// closed the connection without answering.
func rawProduce(t *testing.T, addr, topic string, acks int16, records []byte) *kmsg.ProduceResponse {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := kmsg.NewPtrProduceRequest()
	req.Version = 8
	req.Acks = acks
	req.TimeoutMillis = 5000
	rt := kmsg.NewProduceRequestTopic()
	rt.Topic = topic
	rp := kmsg.NewProduceRequestTopicPartition()
	rp.Records = records
	rt.Partitions = append(rt.Partitions, rp)
	req.Topics = append(req.Topics, rt)
	body := kbin.AppendInt16(nil, req.Key())
	body = kbin.AppendInt16(body, req.Version)
	body = kbin.AppendInt32(body, 7)
	body = kbin.AppendNullableString(body, kmsg.StringPtr("raw-test"))
	body = req.AppendTo(body)
	frame := append(kbin.AppendInt32(nil, int32(len(body))), body...)
	if _, err := c.Write(frame); err != nil {
		t.Fatal(err)
	}
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	var size [4]byte
	if _, err := io.ReadFull(c, size[:]); err != nil {
		return nil // closed
	}
	buf := make([]byte, binary.BigEndian.Uint32(size[:]))
	if _, err := io.ReadFull(c, buf); err != nil {
		t.Fatal(err)
	}
	resp := req.ResponseKind().(*kmsg.ProduceResponse)
	if err := resp.ReadFrom(buf[4:]); err != nil {
		t.Fatalf("decode produce response: %v", err)
	}
	return resp
}
