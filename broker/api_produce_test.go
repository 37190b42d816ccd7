package broker

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/log"
	"gokafka/protocol"
)

// produceFrameBroker is a connection-layer broker whose Produce and Fetch
// go to a real replica manager (broker 1, leader of t-0 with the given ISR).
func produceFrameBroker(t testing.TB, isr []int32) (*Broker, *ReplicaManager) {
	t.Helper()
	b, _ := newConnBroker(t)
	lg := zap.NewNop()
	m, err := log.NewManager([]string{t.TempDir()}, log.DefaultConfig(), log.DefaultManagerOptions(), lg)
	if err != nil {
		t.Fatal(err)
	}
	rm := newReplicaManagerWith(1, m, lg, 10*time.Second, time.Hour, 1)
	t.Cleanup(func() {
		rm.Close()
		m.Close()
	})
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, isr, isr))
	b.replicas = rm
	return b, rm
}

// bigBatch is one uncompressed batch of n records of size random bytes.
func bigBatch(rng *rand.Rand, n, size int) []byte {
	recs := make([]log.Record, n)
	for i := range recs {
		v := make([]byte, size)
		for j := range v {
			v[j] = byte(rng.Uint32())
		}
		recs[i] = log.Record{Value: v, Timestamp: time.Now().UnixMilli()}
	}
	return log.BuildBatch(recs)
}

func produceReq(acks int16, batch []byte) *kmsg.ProduceRequest {
	req := kmsg.NewPtrProduceRequest()
	req.SetVersion(7)
	req.Acks = acks
	req.TimeoutMillis = 60000
	tr := kmsg.NewProduceRequestTopic()
	tr.Topic = "t"
	pr := kmsg.NewProduceRequestTopicPartition()
	pr.Partition = 0
	pr.Records = batch
	tr.Partitions = append(tr.Partitions, pr)
	req.Topics = append(req.Topics, tr)
	return req
}

// Produce frames come from a pool and go back once the append is answered.
// An acks=all produce keeps its frame while it waits in the purgatory, and
// the acks=1 produces pipelined behind it on the same connection recycle
// their frames meanwhile: every batch must still reach the log byte for byte
// and the parked produce must answer with its own offsets.
func TestProduceFramesRecycledWhileAcksAllWaits(t *testing.T) {
	b, rm := produceFrameBroker(t, []int32{1, 2})
	rng := rand.New(rand.NewPCG(1, 2))
	const n, perBatch = 12, 50
	var sent [][]byte
	var wire []byte
	for i := range n {
		batch := bigBatch(rng, perBatch, 2000) // ~100 KB: a pooled frame
		sent = append(sent, bytes.Clone(batch))
		acks := int16(1)
		if i == 0 {
			acks = -1 // waits for follower 2
		}
		wire = protocol.AppendRequest(wire, produceReq(acks, batch), int32(i), kmsg.StringPtr("test"))
	}
	c := dialRaw(t, b.addr())
	if _, err := c.nc.Write(wire); err != nil {
		t.Fatal(err)
	}
	// All twelve are appended while the first still waits for the HW.
	waitFor(t, 10*time.Second, func() error {
		if leo := rm.getPartition(tp0).localLog().LogEndOffset(); leo != n*perBatch {
			return fmt.Errorf("log end offset %d, want %d", leo, n*perBatch)
		}
		return nil
	})
	fetchAsFollower(t, rm, 2, 0)
	fetchAsFollower(t, rm, 2, n*perBatch)
	for i := range n {
		frame, err := c.readFrame()
		if err != nil {
			t.Fatalf("response %d: %v", i, err)
		}
		resp := kmsg.NewPtrProduceResponse()
		resp.SetVersion(7)
		if corr, err := protocol.ReadResponse(frame, resp); err != nil || corr != int32(i) {
			t.Fatalf("response %d: corr %d, %v", i, corr, err)
		}
		p := resp.Topics[0].Partitions[0]
		if p.ErrorCode != 0 || p.BaseOffset != int64(i*perBatch) {
			t.Fatalf("response %d: error %d base offset %d, want 0 and %d", i, p.ErrorCode, p.BaseOffset, i*perBatch)
		}
	}

	// Read everything back through Fetch (sendfile) and compare each batch
	// with what was sent, apart from the two fields the leader rewrites
	// (base offset, partition leader epoch; the CRC covers neither).
	freq := kmsg.NewPtrFetchRequest()
	freq.SetVersion(11)
	freq.ReplicaID = -1
	freq.MaxBytes = 64 << 20
	ft := kmsg.NewFetchRequestTopic()
	ft.Topic = "t"
	fp := kmsg.NewFetchRequestTopicPartition()
	fp.Partition, fp.FetchOffset, fp.PartitionMaxBytes, fp.CurrentLeaderEpoch = 0, 0, 64<<20, -1
	ft.Partitions = append(ft.Partitions, fp)
	freq.Topics = append(freq.Topics, ft)
	fresp := c.roundTrip(freq, 100).(*kmsg.FetchResponse)
	raw := fresp.Topics[0].Partitions[0].RecordBatches
	i := 0
	for got := range log.Batches(raw) {
		if i >= n {
			t.Fatalf("more than %d batches fetched", n)
		}
		want := sent[i]
		if got.BaseOffset != int64(i*perBatch) || !bytes.Equal(got.Raw[8:12], want[8:12]) || !bytes.Equal(got.Raw[16:], want[16:]) {
			t.Fatalf("batch %d differs from the one produced (base offset %d)", i, got.BaseOffset)
		}
		if !log.ValidBatchCRC(got.Raw) {
			t.Fatalf("batch %d: bad CRC", i)
		}
		i++
	}
	if i != n {
		t.Fatalf("fetched %d batches, want %d", i, n)
	}
}

// The pool is what makes a produce request cheap: sixty-four 256 KB
// requests allocate far less than their frames' size (without the pool
// each would be a fresh 256 KB allocation). The bound is loose because
// sync.Pool may drop buffers (at GC, and at random under the race
// detector).
func TestProduceReusesFrameBuffers(t *testing.T) {
	b, _ := produceFrameBroker(t, []int32{1})
	batch := bigBatch(rand.New(rand.NewPCG(3, 4)), 128, 2000)
	frame := protocol.AppendRequest(nil, produceReq(1, batch), 1, kmsg.StringPtr("test"))
	c := dialRaw(t, b.addr())
	roundTrip := func() {
		if _, err := c.nc.Write(frame); err != nil {
			t.Fatal(err)
		}
		if _, err := c.readFrame(); err != nil {
			t.Fatal(err)
		}
	}
	roundTrip() // warm the pool
	const reqs = 64
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range reqs {
		roundTrip()
	}
	runtime.ReadMemStats(&after)
	if got, frames := after.TotalAlloc-before.TotalAlloc, uint64(reqs*len(frame)); got > frames/2 {
		t.Fatalf("%d produce requests allocated %d bytes; their frames total %d", reqs, got, frames)
	}
}
