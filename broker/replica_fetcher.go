package broker

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/log"
)

// The follower side of replication (replication.md §2; Kafka's
// ReplicaFetcherManager and ReplicaFetcherThread): one fetcher goroutine
// per leader broker (num.replica.fetchers = 1 per source broker) sends
// Fetch v12 with replica_id = our id for every partition it follows from
// that leader, appends what comes back unchanged, and truncates when the
// leader reports a diverging epoch (replication.md §4.3).

// fetcherManager owns the fetchers, keyed by leader broker id.
//
// Safe for concurrent use.
type fetcherManager struct {
	rm       *ReplicaManager
	clientID string
	cfg      fetcherConfig

	mu       sync.Mutex
	fetchers map[int32]*replicaFetcher    // guarded by mu
	byTP     map[log.TopicPartition]int32 // leader id per followed partition; guarded by mu
	addrs    map[int32]string             // last known address per leader; guarded by mu
	closed   bool                         // guarded by mu
}

type fetcherConfig struct {
	maxWait       time.Duration // replica.fetch.wait.max.ms
	minBytes      int32         // replica.fetch.min.bytes
	maxBytes      int32         // replica.fetch.response.max.bytes
	partitionMax  int32         // replica.fetch.max.bytes
	backoff       time.Duration // replica.fetch.backoff.ms
	socketTimeout time.Duration // replica.socket.timeout.ms
}

func newFetcherManager(rm *ReplicaManager, b *Broker) *fetcherManager {
	c := b.cfg
	return &fetcherManager{
		rm:       rm,
		clientID: "broker-" + strconv.Itoa(int(c.BrokerID)) + "-fetcher-0",
		cfg: fetcherConfig{
			maxWait:       time.Duration(c.ReplicaFetchWaitMaxMs) * time.Millisecond,
			minBytes:      c.ReplicaFetchMinBytes,
			maxBytes:      c.ReplicaFetchResponseMaxBytes,
			partitionMax:  c.ReplicaFetchMaxBytes,
			backoff:       time.Duration(c.ReplicaFetchBackoffMs) * time.Millisecond,
			socketTimeout: time.Duration(c.ReplicaSocketTimeoutMs) * time.Millisecond,
		},
		fetchers: map[int32]*replicaFetcher{},
		byTP:     map[log.TopicPartition]int32{},
		addrs:    map[int32]string{},
	}
}

// add makes tp fetched from leader (Kafka's addFetcherForPartitions).
func (m *fetcherManager) add(tp log.TopicPartition, leader kmsg.LeaderAndISRRequestLiveLeader, leaderEpoch int32) {
	addr := net.JoinHostPort(leader.Host, strconv.Itoa(int(leader.Port)))
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return
	}
	if old, ok := m.byTP[tp]; ok && old != leader.BrokerID {
		m.removeLocked(tp, old)
	}
	f := m.fetchers[leader.BrokerID]
	if f != nil && m.addrs[leader.BrokerID] != addr {
		f.stop()
		delete(m.fetchers, leader.BrokerID)
		f = nil
	}
	if f == nil {
		var err error
		f, err = newReplicaFetcher(m, leader.BrokerID, addr)
		if err != nil {
			m.rm.lg.Error("Could not start replica fetcher", zap.Int32("broker_id", leader.BrokerID), zap.Error(err))
			return
		}
		m.fetchers[leader.BrokerID] = f
		m.addrs[leader.BrokerID] = addr
	}
	m.byTP[tp] = leader.BrokerID
	f.addPartition(tp, leaderEpoch)
}

// remove stops fetching tp (Kafka's removeFetcherForPartitions).
func (m *fetcherManager) remove(tp log.TopicPartition) {
	m.mu.Lock()
	defer m.mu.Unlock()
	id, ok := m.byTP[tp]
	if !ok {
		return
	}
	m.removeLocked(tp, id)
}

// removeLocked stops fetching tp from leader id and shuts the fetcher down
// when it has nothing left to fetch (Kafka's shutdownIdleFetcherThreads).
// The shutdown runs on its own goroutine: it waits for an in-flight fetch.
func (m *fetcherManager) removeLocked(tp log.TopicPartition, id int32) {
	delete(m.byTP, tp)
	f := m.fetchers[id]
	if f == nil {
		return
	}
	if f.removePartition(tp) == 0 {
		delete(m.fetchers, id)
		delete(m.addrs, id)
		go f.stop()
	}
}

func (m *fetcherManager) close() {
	m.mu.Lock()
	m.closed = true
	fs := m.fetchers
	m.fetchers = map[int32]*replicaFetcher{}
	m.mu.Unlock()
	for _, f := range fs {
		f.stop()
	}
}

// fetchState is one followed partition; guarded by replicaFetcher.mu.
type fetchState struct {
	leaderEpoch int32
	delayUntil  time.Time // back off after an error
	// sentEpoch is the leader epoch of the last fetch request that
	// covered the partition (-1 before the first): an error answering a
	// request sent under an epoch we have since left is stale.
	sentEpoch int32
	// lag is the leader's HW minus our LEO after the last append, -1
	// until known; 0 is in sync, which exempts the partition from the
	// follower replication throttle (PartitionFetchState.isReplicaInSync).
	lag int64
}

// replicaFetcher fetches from one leader broker.
type replicaFetcher struct {
	m        *fetcherManager
	leaderID int32
	addr     string // immutable

	// conn is the connection to the leader, owned by run (nil until dialed
	// or after an error); connMu guards the pointer so that stop can close
	// it under a blocked request. Its read buffer is reused from one
	// response to the next: a fetch response's record batches are appended
	// before the next request, and kgo's fresh (zeroed) multi-megabyte
	// buffer per response was a sixth of a follower's CPU time.
	connMu sync.Mutex
	conn   *ibClient

	mu    sync.Mutex
	parts map[log.TopicPartition]*fetchState // guarded by mu
	wake  chan struct{}

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
}

func newReplicaFetcher(m *fetcherManager, leaderID int32, addr string) (*replicaFetcher, error) {
	ctx, cancel := context.WithCancel(context.Background())
	f := &replicaFetcher{m: m, leaderID: leaderID, addr: addr, parts: map[log.TopicPartition]*fetchState{},
		wake: make(chan struct{}, 1), ctx: ctx, cancel: cancel, done: make(chan struct{})}
	go f.run()
	return f, nil
}

func (f *replicaFetcher) addPartition(tp log.TopicPartition, epoch int32) {
	f.mu.Lock()
	f.parts[tp] = &fetchState{leaderEpoch: epoch, sentEpoch: -1, lag: -1}
	f.mu.Unlock()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// removePartition stops fetching tp and returns how many partitions are
// left.
func (f *replicaFetcher) removePartition(tp log.TopicPartition) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.parts, tp)
	return len(f.parts)
}

func (f *replicaFetcher) stop() {
	f.cancel()
	f.connMu.Lock()
	if f.conn != nil {
		f.conn.close() // unblocks a request in flight
	}
	f.connMu.Unlock()
	<-f.done
}

// request sends req to the leader over the fetcher's connection, dialing
// it first when needed; any error drops the connection.
func (f *replicaFetcher) request(req kmsg.Request) (kmsg.Response, error) {
	f.connMu.Lock()
	c := f.conn
	f.connMu.Unlock()
	if c == nil {
		var err error
		if c, err = dialIB(f.addr, f.m.cfg.socketTimeout, f.m.clientID); err != nil {
			return nil, err
		}
		c.reuseReadBuffer = true
		f.connMu.Lock()
		f.conn = c
		f.connMu.Unlock()
		if f.ctx.Err() != nil { // stop ran before the connection was published
			f.dropConn()
			return nil, f.ctx.Err()
		}
	}
	resp, err := c.request(req)
	if err != nil {
		f.dropConn()
	}
	return resp, err
}

func (f *replicaFetcher) dropConn() {
	f.connMu.Lock()
	if f.conn != nil {
		f.conn.close()
		f.conn = nil
	}
	f.connMu.Unlock()
}

func (f *replicaFetcher) run() {
	defer close(f.done)
	defer f.dropConn()
	lg := f.m.rm.lg.Named("kafka.server.ReplicaFetcherThread")
	lg.Info(fmt.Sprintf("[ReplicaFetcher replicaId=%d, leaderId=%d, fetcherId=0] Starting", f.m.rm.brokerID, f.leaderID))
	for f.ctx.Err() == nil {
		req, order, idle := f.buildRequest()
		if req == nil {
			select {
			case <-f.ctx.Done():
				return
			case <-f.wake:
			case <-time.After(idle):
			}
			continue
		}
		kresp, err := f.request(req)
		if err != nil {
			if f.ctx.Err() != nil {
				return
			}
			// The error goes into the message: the Kafka-style console
			// layout prints no zap fields but the leader id.
			lg.Info(fmt.Sprintf("[ReplicaFetcher replicaId=%d, leaderId=%d, fetcherId=0] Error sending fetch request to node %d: %v",
				f.m.rm.brokerID, f.leaderID, f.leaderID, err))
			f.backoffAll(order)
			continue
		}
		resp := kresp.(*kmsg.FetchResponse)
		if resp.ErrorCode != 0 {
			f.backoffAll(order)
			continue
		}
		for ti := range resp.Topics {
			t := &resp.Topics[ti]
			for pi := range t.Partitions {
				f.processPartition(log.TopicPartition{Topic: t.Topic, Partition: t.Partitions[pi].Partition}, &t.Partitions[pi], lg)
			}
		}
	}
}

// buildRequest covers every ready partition (not backing off). With none
// ready it returns how long to wait: until the first delayed partition is
// ready, at most replica.fetch.backoff.ms.
func (f *replicaFetcher) buildRequest() (*kmsg.FetchRequest, []log.TopicPartition, time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := time.Now()
	idle := f.m.cfg.backoff
	req := kmsg.NewPtrFetchRequest()
	req.Version = 12
	req.ReplicaID = f.m.rm.brokerID
	req.MaxWaitMillis = int32(f.m.cfg.maxWait / time.Millisecond)
	req.MinBytes = f.m.cfg.minBytes
	req.MaxBytes = f.m.cfg.maxBytes
	req.SessionID = 0
	req.SessionEpoch = -1
	topics := map[string]int{}
	var order []log.TopicPartition
	fq := f.m.rm.followerQuota()
	for tp, st := range f.parts {
		if now.Before(st.delayUntil) {
			idle = min(idle, st.delayUntil.Sub(now))
			continue
		}
		if fq.shouldThrottle(tp, st.lag == 0) {
			continue // over the follower replication quota
		}
		l := f.m.rm.LocalLog(tp)
		if l == nil {
			continue
		}
		ti, ok := topics[tp.Topic]
		if !ok {
			t := kmsg.NewFetchRequestTopic()
			t.Topic = tp.Topic
			req.Topics = append(req.Topics, t)
			ti = len(req.Topics) - 1
			topics[tp.Topic] = ti
		}
		p := kmsg.NewFetchRequestTopicPartition()
		p.Partition = tp.Partition
		p.CurrentLeaderEpoch = st.leaderEpoch
		st.sentEpoch = st.leaderEpoch
		p.FetchOffset = l.LogEndOffset()
		p.LogStartOffset = l.LogStartOffset()
		p.PartitionMaxBytes = f.m.cfg.partitionMax
		p.LastFetchedEpoch = -1
		if e, ok := l.Epochs().LatestEpoch(); ok {
			p.LastFetchedEpoch = e
		}
		req.Topics[ti].Partitions = append(req.Topics[ti].Partitions, p)
		order = append(order, tp)
	}
	if len(order) == 0 {
		return nil, nil, idle
	}
	return req, order, 0
}

func (f *replicaFetcher) backoffAll(tps []log.TopicPartition) {
	f.mu.Lock()
	until := time.Now().Add(f.m.cfg.backoff)
	for _, tp := range tps {
		if st := f.parts[tp]; st != nil {
			st.delayUntil = until
		}
	}
	f.mu.Unlock()
	select {
	case <-f.ctx.Done():
	case <-time.After(f.m.cfg.backoff):
	}
}

func (f *replicaFetcher) backoff(tp log.TopicPartition) { f.delay(tp, f.m.cfg.backoff) }

// unknownEpochBackoff is how soon a follower asks again after the leader
// answered UNKNOWN_LEADER_EPOCH.
const unknownEpochBackoff = 20 * time.Millisecond

// delay keeps tp out of fetch requests for d, unless a LeaderAndIsr moved
// the partition to a new leader epoch since the request went out: the error
// (FENCED_LEADER_EPOCH, typically, when the controller bumped the epoch to
// drop a broker from the ISR) was about the old epoch, and backing off would
// hold the new leader's high watermark for replica.fetch.backoff.ms.
func (f *replicaFetcher) delay(tp log.TopicPartition, d time.Duration) {
	f.mu.Lock()
	if st := f.parts[tp]; st != nil && st.sentEpoch == st.leaderEpoch {
		st.delayUntil = time.Now().Add(d)
	}
	f.mu.Unlock()
}

// setLag notes how far behind the leader's HW tp is after an append.
func (f *replicaFetcher) setLag(tp log.TopicPartition, lag int64) {
	f.mu.Lock()
	if st := f.parts[tp]; st != nil {
		st.lag = lag
	}
	f.mu.Unlock()
}

func (f *replicaFetcher) following(tp log.TopicPartition) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.parts[tp] != nil
}

// processPartition applies one partition of the leader's answer.
func (f *replicaFetcher) processPartition(tp log.TopicPartition, rp *kmsg.FetchResponseTopicPartition, lg *zap.Logger) {
	if !f.following(tp) {
		return
	}
	p := f.m.rm.getPartition(tp)
	if p == nil {
		return
	}
	l := p.localLog()
	if l == nil {
		return
	}
	switch err := kerr.ErrorForCode(rp.ErrorCode); err {
	case nil:
	case kerr.OffsetOutOfRange:
		f.handleOutOfRange(tp, l, lg)
		return
	case kerr.UnknownLeaderEpoch:
		// The leader has not processed the LeaderAndIsr that made it
		// leader of our epoch yet; it will within milliseconds. Kafka
		// backs off replica.fetch.backoff.ms (1 s) here, which after a
		// controlled shutdown held the new leader's high watermark (and
		// every acks=all produce) for that second; retry sooner.
		f.delay(tp, min(f.m.cfg.backoff, unknownEpochBackoff))
		return
	default:
		lg.Info(fmt.Sprintf("[ReplicaFetcher replicaId=%d, leaderId=%d, fetcherId=0] Error fetching partition %s: %v",
			f.m.rm.brokerID, f.leaderID, tpString(tp), err))
		f.backoff(tp)
		return
	}
	if rp.DivergingEpoch.Epoch != -1 || rp.DivergingEpoch.EndOffset != -1 {
		target := truncationOffset(l, rp.DivergingEpoch.Epoch, rp.DivergingEpoch.EndOffset)
		lg.Info(fmt.Sprintf("[Log partition=%s] Truncating to offset %d", tpString(tp), target))
		if err := l.TruncateTo(target); err != nil {
			lg.Error("Truncation failed", zap.String("topic", tp.Topic), zap.Int32("partition", tp.Partition), zap.Error(err))
			f.backoff(tp)
		}
		return
	}
	if recs := wholeBatches(rp.RecordBatches); len(recs) > 0 {
		if _, err := l.AppendAsFollower(recs); err != nil {
			lg.Error(fmt.Sprintf("[ReplicaFetcher replicaId=%d, leaderId=%d, fetcherId=0] Unexpected error occurred while processing data for partition %s",
				f.m.rm.brokerID, f.leaderID, tpString(tp)), zap.Error(err))
			f.backoff(tp)
			return
		}
		if fq := f.m.rm.followerQuota(); fq.isThrottled(tp) {
			fq.record(int64(len(rp.RecordBatches)))
		}
		f.setLag(tp, max(0, rp.HighWatermark-l.LogEndOffset()))
	}
	if rp.LogStartOffset > l.LogStartOffset() && rp.LogStartOffset <= l.LogEndOffset() {
		_ = l.IncrementLogStartOffset(rp.LogStartOffset)
	}
	hw := min(rp.HighWatermark, l.LogEndOffset())
	if hw >= 0 {
		p.hw.Store(hw)
		l.SetHighWatermark(hw)
	}
}

// truncationOffset is where a follower cuts its log after the leader said
// its history diverges at (epoch, end) (Kafka's
// AbstractFetcherThread.getOffsetTruncationState, replication.md §4.2).
func truncationOffset(l *log.Log, leaderEpoch int32, leaderEnd int64) int64 {
	leo := l.LogEndOffset()
	if leaderEpoch < 0 {
		return min(leaderEnd, leo)
	}
	fe, fend := l.Epochs().EndOffsetFor(leaderEpoch, leo)
	switch {
	case fe < 0:
		return min(leaderEnd, leo)
	case fe != leaderEpoch:
		return min(fend, leo)
	default:
		return min(leaderEnd, fend, leo)
	}
}

// handleOutOfRange resets a follower whose offset the leader no longer
// has: truncate to the leader's LEO if ours is past it (unclean
// election), else restart at the leader's log start offset.
func (f *replicaFetcher) handleOutOfRange(tp log.TopicPartition, l *log.Log, lg *zap.Logger) {
	latest, err := f.listOffset(tp, -1)
	if err != nil {
		f.backoff(tp)
		return
	}
	leo := l.LogEndOffset()
	if latest < leo {
		lg.Warn(fmt.Sprintf("Reset fetch offset for partition %s from %d to current leader's latest offset %d", tpString(tp), leo, latest))
		if err := l.TruncateTo(latest); err != nil {
			f.backoff(tp)
		}
		return
	}
	earliest, err := f.listOffset(tp, -2)
	if err != nil {
		f.backoff(tp)
		return
	}
	if earliest > leo {
		lg.Warn(fmt.Sprintf("Reset fetch offset for partition %s from %d to current leader's start offset %d", tpString(tp), leo, earliest))
		if err := l.TruncateFullyAndStartAt(earliest); err != nil {
			f.backoff(tp)
		}
	}
}

func (f *replicaFetcher) listOffset(tp log.TopicPartition, ts int64) (int64, error) {
	req := kmsg.NewPtrListOffsetsRequest()
	req.Version = 5
	req.ReplicaID = f.m.rm.brokerID
	t := kmsg.NewListOffsetsRequestTopic()
	t.Topic = tp.Topic
	p := kmsg.NewListOffsetsRequestTopicPartition()
	p.Partition = tp.Partition
	p.Timestamp = ts
	p.CurrentLeaderEpoch = -1
	t.Partitions = append(t.Partitions, p)
	req.Topics = append(req.Topics, t)
	kresp, err := f.request(req)
	if err != nil {
		return 0, err
	}
	resp := kresp.(*kmsg.ListOffsetsResponse)
	if len(resp.Topics) != 1 || len(resp.Topics[0].Partitions) != 1 {
		return 0, kerr.UnknownServerError
	}
	rp := resp.Topics[0].Partitions[0]
	if err := kerr.ErrorForCode(rp.ErrorCode); err != nil {
		return 0, err
	}
	return rp.Offset, nil
}

// wholeBatches drops a partial batch at the end of a fetched record set
// (the leader may cut the last batch short).
func wholeBatches(b []byte) []byte {
	n := 0
	for len(b)-n >= 12 {
		size := int(int32(binary.BigEndian.Uint32(b[n+8:]))) + 12
		if size < 12 || n+size > len(b) {
			break
		}
		n += size
	}
	return b[:n]
}
