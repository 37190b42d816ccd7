package broker

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap/zaptest"

	"gokafka/log"
)

// testRM is a replica manager for broker 1 over a real log.Manager in a
// temporary directory.
func testRM(t *testing.T, lagMax time.Duration) (*ReplicaManager, *log.Manager) {
	t.Helper()
	lg := zaptest.NewLogger(t)
	m, err := log.NewManager([]string{t.TempDir()}, log.DefaultConfig(), log.DefaultManagerOptions(), lg)
	if err != nil {
		t.Fatal(err)
	}
	rm := newReplicaManagerWith(1, m, lg, lagMax, time.Hour, 1)
	t.Cleanup(func() {
		rm.Close()
		m.Close()
	})
	return rm, m
}

// leaderAndISR builds a v5 LeaderAndIsr for one partition of topic "t".
func leaderAndISR(partition, leader, epoch int32, isr, replicas []int32) *kmsg.LeaderAndISRRequest {
	req := kmsg.NewPtrLeaderAndISRRequest()
	req.Version = 5
	req.ControllerID = 1
	req.ControllerEpoch = 1
	ts := kmsg.NewLeaderAndISRRequestTopicState()
	ts.Topic = "t"
	ps := kmsg.NewLeaderAndISRRequestTopicPartition()
	ps.Topic, ps.Partition, ps.Leader, ps.LeaderEpoch, ps.ISR, ps.Replicas = "t", partition, leader, epoch, isr, replicas
	ps.ControllerEpoch = 1
	ts.PartitionStates = append(ts.PartitionStates, ps)
	req.TopicStates = append(req.TopicStates, ts)
	return req
}

func lairErr(resp *kmsg.LeaderAndISRResponse) int16 {
	if resp.ErrorCode != 0 {
		return resp.ErrorCode
	}
	return resp.Topics[0].Partitions[0].ErrorCode
}

func batchOf(n int) []byte {
	recs := make([]log.Record, n)
	for i := range recs {
		recs[i] = log.Record{Value: []byte(fmt.Sprintf("value-%d", i)), Timestamp: time.Now().UnixMilli()}
	}
	return log.BuildBatch(recs)
}

var tp0 = log.TopicPartition{Topic: "t", Partition: 0}

// appendSync appends one batch to tp0 and returns its result; with acks=-1
// it returns nil when the append is still waiting.
func appendAsync(rm *ReplicaManager, acks int16, timeout time.Duration, n int) chan PartitionAppendResult {
	ch := make(chan PartitionAppendResult, 1)
	rm.AppendRecords(int32(timeout/time.Millisecond), acks, false, map[log.TopicPartition][]byte{tp0: batchOf(n)},
		func(res map[log.TopicPartition]PartitionAppendResult) { ch <- res[tp0] })
	return ch
}

func TestLeaderAloneInISRMovesHWAtOnce(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	if e := lairErr(rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1}, []int32{1}))); e != 0 {
		t.Fatalf("LeaderAndIsr error %d", e)
	}
	res := <-appendAsync(rm, -1, time.Minute, 3)
	if res.Err != nil || res.Info.FirstOffset != 0 || res.Info.LastOffset != 2 {
		t.Fatalf("acks=all with ISR {leader}: %+v", res)
	}
	if hw := rm.HighWatermark(tp0); hw != 3 {
		t.Fatalf("HW = %d, want 3 (= LEO)", hw)
	}
	if e, _ := rm.LocalLog(tp0).Epochs().LatestEpoch(); e != 0 {
		t.Fatalf("epoch cache latest = %d, want 0", e)
	}
}

func TestAcksAllWaitsForFollowerFetch(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1, 2}, []int32{1, 2}))
	done := appendAsync(rm, -1, time.Minute, 5)
	select {
	case res := <-done:
		t.Fatalf("acks=all completed before the follower fetched: %+v", res)
	default:
	}
	if hw := rm.HighWatermark(tp0); hw != 0 {
		t.Fatalf("HW = %d before the follower fetched, want 0", hw)
	}
	// The follower fetches at 0 (gets the records), then at 5: its LEO.
	fetchAsFollower(t, rm, 2, 0)
	fetchAsFollower(t, rm, 2, 5)
	res := <-done
	if res.Err != nil || res.Info.LastOffset != 4 {
		t.Fatalf("acks=all after follower caught up: %+v", res)
	}
	if hw := rm.HighWatermark(tp0); hw != 5 {
		t.Fatalf("HW = %d, want 5", hw)
	}
}

func fetchAsFollower(t *testing.T, rm *ReplicaManager, id int32, offset int64) fetchPartitionResult {
	t.Helper()
	ch := make(chan []fetchPartitionResult, 1)
	rm.FetchMessages(fetchParams{replicaID: id, maxBytes: 1 << 20},
		[]fetchPartition{{tp: tp0, fetchOffset: offset, maxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: 0}},
		func(r []fetchPartitionResult) { ch <- r })
	r := (<-ch)[0]
	if r.err != nil {
		t.Fatalf("follower fetch at %d: %v", offset, r.err)
	}
	return r
}

func TestAcksAllTimesOut(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1, 2}, []int32{1, 2}))
	res := <-appendAsync(rm, -1, 50*time.Millisecond, 1)
	if !errors.Is(res.Err, kerr.RequestTimedOut) {
		t.Fatalf("err = %v, want REQUEST_TIMED_OUT", res.Err)
	}
}

func TestNotEnoughReplicas(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.topicConfig = func(string) (log.Config, int32) { return log.DefaultConfig(), 2 }
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1}, []int32{1, 2}))
	if res := <-appendAsync(rm, -1, time.Minute, 1); !errors.Is(res.Err, kerr.NotEnoughReplicas) {
		t.Fatalf("acks=all with ISR 1 < min.insync.replicas 2: %v", res.Err)
	}
	// acks=1 ignores min.insync.replicas.
	if res := <-appendAsync(rm, 1, time.Minute, 1); res.Err != nil {
		t.Fatalf("acks=1: %v", res.Err)
	}
	if rm.LocalLog(tp0).LogEndOffset() != 1 {
		t.Fatal("the rejected acks=all batch was appended")
	}
}

func TestInvalidAcksAndUnknownPartition(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	if res := <-appendAsync(rm, 2, time.Minute, 1); !errors.Is(res.Err, kerr.InvalidRequiredAcks) {
		t.Fatalf("acks=2: %v", res.Err)
	}
	if res := <-appendAsync(rm, 1, time.Minute, 1); !errors.Is(res.Err, kerr.UnknownTopicOrPartition) {
		t.Fatalf("unknown partition: %v", res.Err)
	}
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 2, 0, []int32{2, 1}, []int32{2, 1}))
	if res := <-appendAsync(rm, 1, time.Minute, 1); !errors.Is(res.Err, kerr.NotLeaderForPartition) {
		t.Fatalf("produce to a follower: %v", res.Err)
	}
}

func TestInternalTopicNeedsInternalCaller(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	tp := log.TopicPartition{Topic: "__consumer_offsets", Partition: 0}
	var got PartitionAppendResult
	rm.AppendRecords(1000, 1, false, map[log.TopicPartition][]byte{tp: batchOf(1)},
		func(r map[log.TopicPartition]PartitionAppendResult) { got = r[tp] })
	if !errors.Is(got.Err, kerr.InvalidTopicException) {
		t.Fatalf("client write to __consumer_offsets: %v", got.Err)
	}
}

func TestStaleLeaderEpochIgnored(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 3, []int32{1}, []int32{1}))
	if e := lairErr(rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 3, []int32{1}, []int32{1}))); e != kerr.StaleControllerEpoch.Code {
		t.Fatalf("same epoch again: error %d, want STALE_CONTROLLER_EPOCH", e)
	}
	if e := lairErr(rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 4, []int32{1}, []int32{1, 3}))); e != 0 {
		t.Fatalf("higher epoch: error %d", e)
	}
	if e := lairErr(rm.BecomeLeaderOrFollower(leaderAndISR(1, 2, 0, []int32{2}, []int32{2, 3}))); e != kerr.UnknownTopicOrPartition.Code {
		t.Fatalf("not a replica: error %d", e)
	}
}

func TestLeadershipHook(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	type ev struct {
		leader bool
		epoch  int32
	}
	var evs []ev
	rm.OnLeadershipChange(func(tp log.TopicPartition, leader bool, epoch int32) { evs = append(evs, ev{leader, epoch}) })
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1, 2}, []int32{1, 2}))
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 2, 1, []int32{2}, []int32{1, 2}))
	if len(evs) != 2 || evs[0] != (ev{true, 0}) || evs[1] != (ev{false, 1}) {
		t.Fatalf("hook calls %v", evs)
	}
}

// ISR expand (replication.md §3.3): a follower outside the ISR joins once
// its LEO reaches the HW and the current epoch's start offset.
func TestISRExpandsWhenFollowerCatchesUp(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1}, []int32{1, 2}))
	<-appendAsync(rm, 1, time.Minute, 4) // HW = 4 at once
	fetchAsFollower(t, rm, 2, 2)
	if isr := rm.getPartition(tp0).snapshot().isr; len(isr) != 1 {
		t.Fatalf("ISR %v after a lagging fetch, want [1]", isr)
	}
	fetchAsFollower(t, rm, 2, 4)
	if isr := rm.getPartition(tp0).snapshot().isr; len(isr) != 2 {
		t.Fatalf("ISR %v after the follower caught up, want [1 2]", isr)
	}
}

// ISR shrink: a follower that has not caught up within
// replica.lag.time.max.ms while the leader has more data is removed, and
// the HW is then free to advance.
func TestISRShrinksLaggingFollower(t *testing.T) {
	rm, _ := testRM(t, 20*time.Millisecond)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1, 2}, []int32{1, 2}))
	done := appendAsync(rm, -1, time.Minute, 2)
	fetchAsFollower(t, rm, 2, 0)
	// One second later the follower is past replica.lag.time.max.ms.
	rm.maybeShrinkISRs(time.Now().Add(time.Second))
	if isr := rm.getPartition(tp0).snapshot().isr; len(isr) != 1 || isr[0] != 1 {
		t.Fatalf("ISR %v, want [1]", isr)
	}
	if res := <-done; res.Err != nil {
		t.Fatalf("acks=all after the ISR shrank to the leader: %v", res.Err)
	}
}

func TestLongPollCompletesOnAppend(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1}, []int32{1}))
	ch := make(chan []fetchPartitionResult, 1)
	rm.FetchMessages(fetchParams{replicaID: -1, maxWait: time.Minute, minBytes: 1, maxBytes: 1 << 20},
		[]fetchPartition{{tp: tp0, fetchOffset: 0, maxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1}},
		func(r []fetchPartitionResult) { ch <- r })
	select {
	case <-ch:
		t.Fatal("fetch of an empty partition answered before max_wait")
	default:
	}
	<-appendAsync(rm, 1, time.Minute, 1)
	select {
	case r := <-ch:
		if r[0].err != nil || r[0].slice.Size == 0 || r[0].hw != 1 {
			t.Fatalf("long poll result %+v", r[0])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("long poll not completed by the append")
	}
}

func TestFetchErrorsAndEpochChecks(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 5, []int32{1}, []int32{1}))
	<-appendAsync(rm, 1, time.Minute, 2)
	read := func(off int64, epoch int32) fetchPartitionResult {
		res, _, _ := rm.readFromLocalLogs(fetchParams{replicaID: -1, maxBytes: 1 << 20},
			[]fetchPartition{{tp: tp0, fetchOffset: off, maxBytes: 1 << 20, currentLeaderEpoch: epoch, lastFetchedEpoch: -1}}, true)
		return res[0]
	}
	if r := read(3, -1); !errors.Is(r.err, kerr.OffsetOutOfRange) {
		t.Fatalf("offset past LEO: %v", r.err)
	}
	if r := read(0, 4); !errors.Is(r.err, kerr.FencedLeaderEpoch) {
		t.Fatalf("older epoch: %v", r.err)
	}
	if r := read(0, 6); !errors.Is(r.err, kerr.UnknownLeaderEpoch) {
		t.Fatalf("newer epoch: %v", r.err)
	}
	if r := read(0, 5); r.err != nil || r.slice.Size == 0 {
		t.Fatalf("current epoch: %+v", r)
	}
}

// A broker that is not (yet) the leader answers by epoch first, as Kafka's
// Partition.getLocalLog does: a fetcher that already heard of a newer epoch
// (the controller made us leader, the LeaderAndIsr is on its way) gets the
// retriable UNKNOWN_LEADER_EPOCH, an older one FENCED_LEADER_EPOCH, and only
// the same epoch NOT_LEADER_OR_FOLLOWER.
func TestFollowerAnswersFetchByEpochFirst(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 2, 5, []int32{2, 1}, []int32{2, 1}))
	read := func(epoch int32) error {
		res, _, _ := rm.readFromLocalLogs(fetchParams{replicaID: 3, maxBytes: 1 << 20},
			[]fetchPartition{{tp: tp0, maxBytes: 1 << 20, currentLeaderEpoch: epoch, lastFetchedEpoch: -1}}, true)
		return res[0].err
	}
	for _, tt := range []struct {
		epoch int32
		want  error
	}{{6, kerr.UnknownLeaderEpoch}, {4, kerr.FencedLeaderEpoch}, {5, kerr.NotLeaderForPartition}, {-1, kerr.NotLeaderForPartition}} {
		if err := read(tt.epoch); !errors.Is(err, tt.want) {
			t.Errorf("epoch %d: %v, want %v", tt.epoch, err, tt.want)
		}
	}
}

// Fetch v12 truncation detection: a follower whose last fetched epoch ends
// before its fetch offset in the leader's history is told where to cut.
func TestDivergingEpoch(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1}, []int32{1, 2}))
	<-appendAsync(rm, 1, time.Minute, 3) // epoch 0: offsets 0-2
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 1, []int32{1}, []int32{1, 2}))
	<-appendAsync(rm, 1, time.Minute, 2) // epoch 1: offsets 3-4
	// The follower has epoch 0 up to offset 5 (it wrote 3-4 under epoch 0
	// as a former leader that lost them).
	res, _, _ := rm.readFromLocalLogs(fetchParams{replicaID: 2, maxBytes: 1 << 20},
		[]fetchPartition{{tp: tp0, fetchOffset: 5, maxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: 0}}, true)
	if r := res[0]; r.divergingEpoch != 0 || r.divergingEnd != 3 {
		t.Fatalf("diverging epoch = (%d, %d), want (0, 3)", r.divergingEpoch, r.divergingEnd)
	}
}

func TestStopReplicaDeletesLog(t *testing.T) {
	rm, m := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1}, []int32{1}))
	req := kmsg.NewPtrStopReplicaRequest()
	req.Version = 3
	req.ControllerEpoch = 1
	st := kmsg.NewStopReplicaRequestTopic()
	st.Topic = "t"
	ps := kmsg.NewStopReplicaRequestTopicPartitionState()
	ps.Partition, ps.LeaderEpoch, ps.Delete = 0, -1, true
	st.PartitionStates = append(st.PartitionStates, ps)
	req.Topics = append(req.Topics, st)
	resp := rm.StopReplicas(req)
	if resp.ErrorCode != 0 || resp.Partitions[0].ErrorCode != 0 {
		t.Fatalf("StopReplica: %+v", resp)
	}
	if m.Get(tp0) != nil || rm.LocalLog(tp0) != nil {
		t.Fatal("log still present after StopReplica delete=true")
	}
}

func TestHighWatermarkCheckpointedOnClose(t *testing.T) {
	rm, m := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1}, []int32{1}))
	<-appendAsync(rm, 1, time.Minute, 7)
	rm.Close()
	if hw := m.HighWatermarks()[tp0]; hw != 7 {
		t.Fatalf("checkpointed HW = %d, want 7", hw)
	}
}

func TestAppendErrorMapping(t *testing.T) {
	for _, c := range []struct {
		err  error
		want *kerr.Error
	}{
		{log.ErrCorruption, kerr.CorruptMessage},
		{fmt.Errorf("wrapped: %w", log.ErrInvalidRecord), kerr.InvalidRecord},
		{log.ErrRecordTooLarge, kerr.MessageTooLarge},
		{log.ErrRecordListTooLarge, kerr.RecordListTooLarge},
		{log.ErrInvalidTimestamp, kerr.InvalidTimestamp},
		{log.ErrOutOfOrderSequence, kerr.OutOfOrderSequenceNumber},
		{log.ErrInvalidProducerEpoch, kerr.InvalidProducerEpoch},
		{log.ErrUnknownProducerID, kerr.UnknownProducerID},
		{log.ErrStorage, kerr.KafkaStorageError},
		{kerr.NotEnoughReplicas, kerr.NotEnoughReplicas},
		{errors.New("surprise"), kerr.UnknownServerError},
	} {
		if got := appendErrorToKerr(c.err); got != c.want {
			t.Errorf("%v -> %v, want %v", c.err, got, c.want)
		}
	}
}

func TestValidateProduceRecords(t *testing.T) {
	one := batchOf(2)
	if err := validateProduceRecords(one); err != nil {
		t.Fatalf("one batch: %v", err)
	}
	if err := validateProduceRecords(append(append([]byte{}, one...), one...)); err != kerr.InvalidRecord {
		t.Fatalf("two batches: %v, want INVALID_RECORD (v3+ allows exactly one)", err)
	}
	if err := validateProduceRecords(nil); err != kerr.InvalidRecord {
		t.Fatalf("no records: %v", err)
	}
	bad := append([]byte{}, one...)
	bad[16] = 1 // magic 1
	if err := validateProduceRecords(bad); err != kerr.InvalidRecord {
		t.Fatalf("magic 1: %v", err)
	}
}

func TestWholeBatches(t *testing.T) {
	a, b := batchOf(1), batchOf(3)
	both := append(append([]byte{}, a...), b...)
	if got := wholeBatches(both[:len(both)-5]); len(got) != len(a) {
		t.Fatalf("kept %d bytes of a cut record set, want the first batch (%d)", len(got), len(a))
	}
	if got := wholeBatches(both); len(got) != len(both) {
		t.Fatal("whole record set trimmed")
	}
}

// A follower that takes over (epoch 1) after replicating epoch 0 moves its
// HW once the remaining ISR follower fetches at the new leader's LEO.
func TestNewLeaderHWAdvancesOnFollowerFetch(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 0, 0, []int32{0, 2, 1}, []int32{0, 2, 1}))
	l := rm.LocalLog(tp0)
	recs := []log.Record{{Value: []byte("a"), Timestamp: 1}, {Value: []byte("b"), Timestamp: 1}}
	if _, err := l.AppendAsFollower(log.BuildBatchWith(log.BatchOptions{BaseOffset: 0, PartitionLeaderEpoch: 0,
		ProducerID: -1, ProducerEpoch: -1, BaseSequence: -1}, recs)); err != nil {
		t.Fatal(err)
	}
	lr := leaderAndISR(0, 1, 1, []int32{1, 2}, []int32{0, 2, 1})
	if e := lairErr(rm.BecomeLeaderOrFollower(lr)); e != 0 {
		t.Fatalf("become leader: %d", e)
	}
	res, _, _ := rm.readFromLocalLogs(fetchParams{replicaID: 2, maxBytes: 1 << 20},
		[]fetchPartition{{tp: tp0, fetchOffset: 2, maxBytes: 1 << 20, currentLeaderEpoch: 1, lastFetchedEpoch: 0}}, true)
	if res[0].err != nil || res[0].divergingEpoch != -1 {
		t.Fatalf("follower fetch: %+v", res[0])
	}
	if hw := rm.HighWatermark(tp0); hw != 2 {
		t.Fatalf("HW = %d after the ISR follower fetched at the LEO, want 2", hw)
	}
}

// A consumer whose offset is between the HW and the LEO waits in the
// purgatory (Kafka's DelayedFetch) and is answered once the HW passes it.
func TestConsumerAboveHWWaitsForHW(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1, 2}, []int32{1, 2}))
	appendAsync(rm, -1, time.Minute, 5) // LEO 5, HW 0 until the follower fetches
	ch := make(chan []fetchPartitionResult, 1)
	rm.FetchMessages(fetchParams{replicaID: -1, maxWait: time.Minute, minBytes: 1, maxBytes: 1 << 20},
		[]fetchPartition{{tp: tp0, fetchOffset: 3, maxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1}},
		func(r []fetchPartitionResult) { ch <- r })
	select {
	case r := <-ch:
		t.Fatalf("consumer above the HW answered at once: %+v", r[0])
	default:
	}
	fetchAsFollower(t, rm, 2, 0)
	fetchAsFollower(t, rm, 2, 5)
	select {
	case r := <-ch:
		if r[0].err != nil || r[0].hw != 5 || r[0].slice.Size == 0 {
			t.Fatalf("after the HW moved: %+v", r[0])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("consumer fetch not completed when the HW passed its offset")
	}
}

// DeleteRecords answers once every live replica moved its log start
// offset (Kafka's DelayedDeleteRecords); beyond the HW it is
// OFFSET_OUT_OF_RANGE.
func TestDeleteRecordsWaitsForFollowers(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1, 2}, []int32{1, 2}))
	done := appendAsync(rm, -1, time.Minute, 4)
	fetchAsFollower(t, rm, 2, 0)
	fetchAsFollower(t, rm, 2, 4) // HW 4; the follower's log start is 0
	<-done
	ch := make(chan map[log.TopicPartition]deleteRecordsResult, 1)
	rm.DeleteRecords(60000, map[log.TopicPartition]int64{tp0: 2}, func(r map[log.TopicPartition]deleteRecordsResult) { ch <- r })
	select {
	case r := <-ch:
		t.Fatalf("answered before the follower moved its log start: %+v", r[tp0])
	default:
	}
	rm.FetchMessages(fetchParams{replicaID: 2, maxBytes: 1 << 20},
		[]fetchPartition{{tp: tp0, fetchOffset: 4, maxBytes: 1 << 20, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: 2}},
		func([]fetchPartitionResult) {})
	select {
	case r := <-ch:
		if r[tp0].err != nil || r[tp0].lowWatermark != 2 {
			t.Fatalf("DeleteRecords result %+v, want low watermark 2", r[tp0])
		}
	case <-time.After(10 * time.Second):
		t.Fatal("DeleteRecords not completed by the follower's fetch")
	}
	rm.DeleteRecords(60000, map[log.TopicPartition]int64{tp0: 9}, func(r map[log.TopicPartition]deleteRecordsResult) { ch <- r })
	if r := <-ch; !errors.Is(r[tp0].err, kerr.OffsetOutOfRange) {
		t.Fatalf("beyond the HW: %+v", r[tp0])
	}
}

// ListOffsets (replication.md §6.2, §4.4) and OffsetForLeaderEpoch (§4.1).
func TestOffsetLookups(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1, 2}, []int32{1, 2}))
	done := appendAsync(rm, -1, time.Minute, 3) // epoch 0: offsets 0-2
	fetchAsFollower(t, rm, 2, 0)
	fetchAsFollower(t, rm, 2, 3)
	<-done
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 2, []int32{1, 2}, []int32{1, 2}))
	appendAsync(rm, -1, time.Minute, 2) // epoch 2: offsets 3-4, HW stays 3
	latest := func(replica int32) int64 {
		off, _, _, err := rm.fetchOffsetForTimestamp(tp0, -1, replica, -1, true)
		if err != nil {
			t.Fatal(err)
		}
		return off
	}
	if got := latest(-1); got != 3 {
		t.Errorf("latest for a consumer = %d, want the HW 3", got)
	}
	if got := latest(2); got != 5 {
		t.Errorf("latest for a follower = %d, want the LEO 5", got)
	}
	if off, _, le, err := rm.fetchOffsetForTimestamp(tp0, -2, -1, -1, true); err != nil || off != 0 || le != 0 {
		t.Errorf("earliest = %d epoch %d (%v), want 0 epoch 0", off, le, err)
	}
	if _, _, _, err := rm.fetchOffsetForTimestamp(tp0, -1, -1, 1, true); !errors.Is(err, kerr.FencedLeaderEpoch) {
		t.Errorf("older current_leader_epoch: %v", err)
	}
	if _, _, _, err := rm.fetchOffsetForTimestamp(tp0, -1, -1, 3, true); !errors.Is(err, kerr.UnknownLeaderEpoch) {
		t.Errorf("newer current_leader_epoch: %v", err)
	}
	for _, c := range []struct {
		epoch     int32
		wantEpoch int32
		wantEnd   int64
	}{
		{2, 2, 5},   // the current epoch: the LEO
		{1, 0, 3},   // unknown epoch between: largest known below, start of the next
		{0, 0, 3},   // a known older epoch: the next epoch's start
		{3, -1, -1}, // above every known epoch
		{-1, -1, -1},
	} {
		e, end, err := rm.lastOffsetForLeaderEpoch(tp0, -1, c.epoch, -1)
		if err != nil || e != c.wantEpoch || end != c.wantEnd {
			t.Errorf("OffsetForLeaderEpoch(%d) = (%d, %d, %v), want (%d, %d)", c.epoch, e, end, err, c.wantEpoch, c.wantEnd)
		}
	}
}

func TestTopicConfigChangedAppliesMinISR(t *testing.T) {
	rm, _ := testRM(t, 10*time.Second)
	rm.BecomeLeaderOrFollower(leaderAndISR(0, 1, 0, []int32{1}, []int32{1, 2}))
	if res := <-appendAsync(rm, -1, time.Minute, 1); res.Err != nil {
		t.Fatalf("min.insync.replicas 1: %v", res.Err)
	}
	rm.TopicConfigChanged("t", 2)
	if res := <-appendAsync(rm, -1, time.Minute, 1); !errors.Is(res.Err, kerr.NotEnoughReplicas) {
		t.Fatalf("after min.insync.replicas=2: %v", res.Err)
	}
}

// KIP-227 fetch sessions: a full fetch opens a session; incremental
// requests must carry the next epoch, may forget partitions, and are
// answered only with partitions that changed.
func TestFetchSessions(t *testing.T) {
	c := newFetchSessionCache(2)
	a := log.TopicPartition{Topic: "a", Partition: 0}
	bTP := log.TopicPartition{Topic: "b", Partition: 0}
	full := []fetchPartition{{tp: a, fetchOffset: 0}, {tp: bTP, fetchOffset: 0}}
	s := c.create(full)
	if s == nil || s.id == 0 {
		t.Fatal("no session created")
	}
	res := []fetchPartitionResult{{hw: 5, lso: 5, logStartOffset: 0, divergingEpoch: -1}, {hw: 0, lso: 0, logStartOffset: 0, divergingEpoch: -1}}
	inc := s.recordSent(full, res, false)
	if !inc(0) || !inc(1) {
		t.Fatal("a full fetch must include every partition")
	}

	req := kmsg.NewPtrFetchRequest()
	req.Version = 11
	req.SessionID, req.SessionEpoch = s.id, 1
	_, parts, code := c.update(req, []fetchPartition{{tp: a, fetchOffset: 5}})
	if code != 0 || len(parts) != 2 || parts[0].fetchOffset != 5 {
		t.Fatalf("incremental update: code %d parts %+v", code, parts)
	}
	// Only a has news (its HW moved); b is unchanged and left out.
	res = []fetchPartitionResult{{hw: 7, lso: 7, logStartOffset: 0, divergingEpoch: -1}, {hw: 0, lso: 0, logStartOffset: 0, divergingEpoch: -1}}
	inc = s.recordSent(parts, res, true)
	if !inc(0) || inc(1) {
		t.Fatalf("incremental answer includes a=%v b=%v, want a only", inc(0), inc(1))
	}
	if _, _, code := c.update(req, nil); code != kerr.InvalidFetchSessionEpoch.Code {
		t.Fatalf("replayed epoch: code %d, want INVALID_FETCH_SESSION_EPOCH", code)
	}
	req.SessionEpoch = 2
	ft := kmsg.NewFetchRequestForgottenTopic()
	ft.Topic, ft.Partitions = "b", []int32{0}
	req.ForgottenTopics = append(req.ForgottenTopics, ft)
	if _, parts, code := c.update(req, nil); code != 0 || len(parts) != 1 || parts[0].tp != a {
		t.Fatalf("after forgetting b: code %d parts %+v", code, parts)
	}
	req.SessionID = s.id + 1000
	if _, _, code := c.update(req, nil); code != kerr.FetchSessionIDNotFound.Code {
		t.Fatalf("unknown session: code %d", code)
	}
	// The cache is bounded: with both slots busy and recently used, a third
	// client fetches without a session.
	c.create(full)
	if c.create(full) != nil {
		t.Fatal("a third session was created in a two-slot cache of recently used sessions")
	}
}
