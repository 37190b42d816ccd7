package streams

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"
)

// KafkaStreams runs a Topology against a cluster, as Kafka's KafkaStreams
// with one stream thread. Methods are safe for concurrent use.
type KafkaStreams struct {
	topo      *Topology
	cfg       Config
	log       *zap.Logger // "stream-client [<client id>]"
	threadLog *zap.Logger // "stream-thread [<client id>-StreamThread-1]"
	clientID  string      // <application.id>-<process id> unless client.id is set
	prefix    string      // "<application.id>-"

	mu       sync.Mutex // guards state, listener, fatal, cancel
	state    State
	listener func(newState, oldState State)
	fatal    error
	cancel   context.CancelFunc
	done     chan struct{} // closed when the stream thread has ended

	// The stream thread's state. The poll loop and the group callbacks
	// use it; BlockRebalanceOnPoll keeps them from running at the same
	// time, and threadMu makes that visible to the race detector.
	threadMu   sync.Mutex
	cl         *kgo.Client
	adm        *kadm.Client
	tasks      map[TaskID]*task
	cache      *recordCache
	offsets    map[string]map[int32]kgo.EpochOffset // processed, not yet committed
	lastCommit time.Time
	// callbackErr is a fatal error met in a group callback (a failed
	// restoration), for the poll loop to act on.
	callbackErr error

	produceMu  sync.Mutex
	produceErr error // the first failed send; guarded by produceMu
}

// NewKafkaStreams returns an instance in state CREATED; Start runs it.
func NewKafkaStreams(t *Topology, cfg Config) (*KafkaStreams, error) {
	if cfg.ApplicationID == "" {
		return nil, errors.New(`streams: Missing required configuration "application.id" which has no default value.`)
	}
	if len(cfg.BootstrapServers) == 0 {
		return nil, errors.New(`streams: Missing required configuration "bootstrap.servers" which has no default value.`)
	}
	if cfg.CommitInterval <= 0 {
		cfg.CommitInterval = 30 * time.Second
	}
	if cfg.ReplicationFactor == 0 {
		cfg.ReplicationFactor = 1
	}
	if cfg.AutoOffsetReset == "" {
		cfg.AutoOffsetReset = "earliest"
	}
	if cfg.Logger == nil {
		cfg.Logger = zap.NewNop()
	}
	s := &KafkaStreams{topo: t, cfg: cfg, prefix: cfg.ApplicationID + "-", done: make(chan struct{})}
	s.clientID = cfg.ClientID
	if s.clientID == "" {
		s.clientID = cfg.ApplicationID + "-" + processID()
	}
	s.log = cfg.Logger.Named("org.apache.kafka.streams.KafkaStreams")
	s.threadLog = cfg.Logger.Named("org.apache.kafka.streams.processor.internals.StreamThread")
	return s, nil
}

// processID is a random UUID, as Kafka's per-instance process id.
func processID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// SetStateListener registers fn, called on every state change (from the
// goroutine making it). Call it before Start.
func (s *KafkaStreams) SetStateListener(fn func(newState, oldState State)) {
	s.mu.Lock()
	s.listener = fn
	s.mu.Unlock()
}

// State returns the current state.
func (s *KafkaStreams) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

// LocalTasks returns the tasks this instance runs now, in order: a
// smaller KafkaStreams.localThreadsMetadata().
func (s *KafkaStreams) LocalTasks() []TaskID {
	s.threadMu.Lock()
	defer s.threadMu.Unlock()
	return s.localTasksLocked()
}

func (s *KafkaStreams) localTasksLocked() []TaskID {
	ids := make([]TaskID, 0, len(s.tasks))
	for id := range s.tasks {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if ids[i].Subtopology != ids[j].Subtopology {
			return ids[i].Subtopology < ids[j].Subtopology
		}
		return ids[i].Partition < ids[j].Partition
	})
	return ids
}

// Err returns the error that moved the instance to ERROR, or nil.
func (s *KafkaStreams) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fatal
}

// setState moves to state to if Kafka allows the transition, and reports
// whether it did.
func (s *KafkaStreams) setState(to State) bool {
	s.mu.Lock()
	from := s.state
	if !from.validTransition(to) {
		s.mu.Unlock()
		return false
	}
	s.state = to
	l := s.listener
	s.mu.Unlock()
	s.log.Info(fmt.Sprintf("stream-client [%s] State transition from %s to %s", s.clientID, from, to))
	if l != nil {
		l(to, from)
	}
	return true
}

// Start runs the stream thread in the background: it creates the internal
// topics, joins the group application.id and processes until Close. It
// fails only if the instance was already started.
func (s *KafkaStreams) Start() error {
	s.mu.Lock()
	if s.state != StateCreated {
		st := s.state
		s.mu.Unlock()
		return fmt.Errorf("streams: Cannot start again: the instance is in state %s", st)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = cancel
	s.mu.Unlock()
	s.log.Debug(fmt.Sprintf("stream-client [%s] Starting Streams client", s.clientID))
	s.setState(StateRebalancing)
	go s.runThread(ctx)
	return nil
}

// Close stops processing: the thread commits what it processed, leaves the
// group and closes its client. The state ends NOT_RUNNING (or ERROR if the
// thread had died). Close waits for all of it.
func (s *KafkaStreams) Close() {
	s.mu.Lock()
	cancel := s.cancel
	s.mu.Unlock()
	s.log.Info(fmt.Sprintf("stream-client [%s] Streams client is in state %s, starting shutdown", s.clientID, s.State()))
	s.setState(StatePendingShutdown)
	if cancel != nil {
		cancel()
		<-s.done
	}
	if s.setState(StateNotRunning) {
		s.log.Info(fmt.Sprintf("stream-client [%s] Streams client stopped completely", s.clientID))
	}
}

// die records a fatal error of the stream thread and moves to ERROR.
func (s *KafkaStreams) die(err error) {
	s.threadLog.Error(fmt.Sprintf("stream-thread [%s-StreamThread-1] Encountered the following exception during processing and the thread is going to shut down: %v", s.clientID, err))
	s.mu.Lock()
	if s.fatal == nil {
		s.fatal = err
	}
	s.mu.Unlock()
	if s.setState(StatePendingError) {
		s.setState(StateError)
	}
}

// runThread is StreamThread.run.
func (s *KafkaStreams) runThread(ctx context.Context) {
	defer close(s.done)
	if err := s.runOnce(ctx); err != nil && ctx.Err() == nil {
		s.die(err)
	}
}

func (s *KafkaStreams) runOnce(ctx context.Context) error {
	threadID := s.clientID + "-StreamThread-1"
	reset := kgo.NewOffset().AtStart()
	if s.cfg.AutoOffsetReset != "earliest" {
		reset = kgo.NewOffset().AtEnd()
	}
	var sources []string
	for _, st := range s.topo.subtopologies {
		sources = append(sources, st.sourceTopics(s.prefix)...)
	}
	// The admin client: Kafka Streams' own admin client, for internal
	// topics, changelog offsets and purging repartition records.
	acl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(s.cfg.BootstrapServers...),
		kgo.ClientID(s.clientID + "-admin")}, s.cfg.ClientOpts...)...)
	if err != nil {
		return err
	}
	defer acl.Close()
	s.threadMu.Lock()
	s.adm = kadm.NewClient(acl)
	s.threadMu.Unlock()
	// Kafka creates internal topics in the group leader's assignor; here
	// every instance makes sure of them before joining (idempotent), so
	// the first assignment already covers the repartition topics.
	if err := s.prepareInternalTopics(ctx); err != nil {
		return err
	}

	opts := []kgo.Opt{
		kgo.SeedBrokers(s.cfg.BootstrapServers...),
		kgo.ClientID(threadID + "-consumer"),
		kgo.ConsumerGroup(s.cfg.ApplicationID),
		kgo.ConsumeTopics(sources...),
		kgo.Balancers(streamBalancer{kgo.RangeBalancer()}),
		kgo.ConsumeResetOffset(reset),
		kgo.DisableAutoCommit(),
		kgo.BlockRebalanceOnPoll(),
		kgo.SessionTimeout(10 * time.Second), // a 2.8 consumer's session.timeout.ms
		kgo.HeartbeatInterval(3 * time.Second),
		kgo.OnPartitionsAssigned(s.onAssigned),
		kgo.OnPartitionsRevoked(s.onRevoked),
		kgo.OnPartitionsLost(s.onLost),
		kgo.RecordPartitioner(newStreamsPartitioner()),
		// A 2.8 Java producer: acks=1, not idempotent.
		kgo.RequiredAcks(kgo.LeaderAck()),
		kgo.DisableIdempotentWrite(),
		kgo.ProducerLinger(0),
		// A Java producer's metadata requests may auto-create a missing
		// output topic (if the broker allows it). Source topics were
		// checked to exist before joining.
		kgo.AllowAutoTopicCreation(),
	}
	opts = append(opts, s.cfg.ClientOpts...)
	// The group callbacks may run as soon as the client exists.
	s.threadMu.Lock()
	s.tasks = map[TaskID]*task{}
	s.cache = &recordCache{maxBytes: s.cfg.CacheMaxBytesBuffering}
	s.offsets = map[string]map[int32]kgo.EpochOffset{}
	s.lastCommit = time.Now()
	cl, err := kgo.NewClient(opts...)
	s.cl = cl
	s.threadMu.Unlock()
	if err != nil {
		return err
	}
	defer cl.Close()
	s.threadLog.Info(fmt.Sprintf("stream-thread [%s] State transition from CREATED to STARTING", threadID))

	err = s.pollLoop(ctx)
	// Shutdown: commit what was processed, then leave the group. Kafka
	// Streams' consumer does not send LeaveGroup on close (it waits for
	// the session timeout); leaving lets a restarted instance take over
	// at once.
	closeCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.threadMu.Lock()
	if err == nil {
		if cerr := s.commitLocked(closeCtx); cerr != nil {
			s.threadLog.Warn(fmt.Sprintf("stream-thread [%s] Failed to commit on shutdown: %v", threadID, cerr))
		}
	}
	for _, t := range s.tasks {
		t.dropCaches()
	}
	s.tasks = map[TaskID]*task{}
	s.threadMu.Unlock()
	cl.LeaveGroupContext(closeCtx)
	s.threadLog.Info(fmt.Sprintf("stream-thread [%s] Shutdown complete", threadID))
	return err
}

// pollLoop processes records until ctx ends or a fatal error.
func (s *KafkaStreams) pollLoop(ctx context.Context) error {
	for ctx.Err() == nil {
		s.threadMu.Lock() // a revocation's commit moves lastCommit
		wait := s.cfg.CommitInterval - time.Since(s.lastCommit)
		s.threadMu.Unlock()
		if wait < time.Millisecond {
			wait = time.Millisecond
		}
		pctx, cancel := context.WithTimeout(ctx, wait)
		fetches := s.cl.PollRecords(pctx, 1000)
		cancel()
		if fetches.IsClientClosed() {
			return nil
		}
		fetches.EachError(func(topic string, p int32, err error) {
			switch {
			case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled):
			case topic == "":
				// A client-level error (the group session, for one) names
				// no partition.
				s.threadLog.Warn(fmt.Sprintf("stream-thread [%s-StreamThread-1] Consumer error: %v", s.clientID, err))
			default:
				s.threadLog.Warn(fmt.Sprintf("stream-thread [%s-StreamThread-1] Fetch of %s-%d failed: %v", s.clientID, topic, p, err))
			}
		})
		s.threadMu.Lock()
		err := s.callbackErr
		if err == nil {
			err = s.processLocked(fetches)
		}
		if err == nil {
			err = s.sendErr()
		}
		if err == nil && time.Since(s.lastCommit) >= s.cfg.CommitInterval {
			err = s.commitLocked(ctx)
			if ctx.Err() != nil {
				err = nil // the commit is retried on shutdown
			}
		}
		s.threadMu.Unlock()
		s.cl.AllowRebalance()
		if err != nil {
			return err
		}
	}
	return nil
}

// processLocked runs every polled record through its task.
func (s *KafkaStreams) processLocked(fetches kgo.Fetches) error {
	var err error
	fetches.EachRecord(func(r *kgo.Record) {
		if err != nil {
			return
		}
		st := s.topo.subtopologyOf(s.prefix, r.Topic)
		if st == nil {
			return
		}
		t := s.tasks[TaskID{st.id, r.Partition}]
		if t == nil {
			return // revoked meanwhile; never processed, never committed
		}
		if err = t.process(r.Topic, r.Offset, r.Key, r.Value, r.Timestamp.UnixMilli()); err != nil {
			err = fmt.Errorf("Exception caught in process. taskId=%s, processor=%s, topic=%s, partition=%d, offset=%d: %w",
				t.id, t.st.sources[0].name, r.Topic, r.Partition, r.Offset, err)
			return
		}
		if s.offsets[r.Topic] == nil {
			s.offsets[r.Topic] = map[int32]kgo.EpochOffset{}
		}
		s.offsets[r.Topic][r.Partition] = kgo.EpochOffset{Epoch: r.LeaderEpoch, Offset: r.Offset + 1}
	})
	return err
}

// send is the runtime's recordCollector: an asynchronous produce whose
// failure is fatal at the next check (Kafka's RecordCollectorImpl).
func (s *KafkaStreams) send(topic string, partition int32, key, value []byte, timestampMs int64) {
	r := &kgo.Record{Topic: topic, Partition: partition, Key: key, Value: value, Timestamp: time.UnixMilli(timestampMs)}
	s.cl.Produce(context.Background(), r, func(r *kgo.Record, err error) {
		if err == nil {
			return
		}
		s.produceMu.Lock()
		if s.produceErr == nil {
			s.produceErr = fmt.Errorf("Error encountered sending record to topic %s for task: %w", r.Topic, err)
		}
		s.produceMu.Unlock()
	})
}

func (s *KafkaStreams) sendErr() error {
	s.produceMu.Lock()
	defer s.produceMu.Unlock()
	return s.produceErr
}

// commitLocked is at-least-once commit: wait until every record sent so
// far (output, repartition, changelog) is acknowledged, then commit the
// input offsets processed, then purge the consumed part of the repartition
// topics.
func (s *KafkaStreams) commitLocked(ctx context.Context) error {
	for _, id := range s.localTasksLocked() {
		if err := s.tasks[id].flushCaches(); err != nil {
			return err
		}
	}
	if err := s.cl.Flush(ctx); err != nil {
		return err
	}
	if err := s.sendErr(); err != nil {
		return err
	}
	s.lastCommit = time.Now()
	if len(s.offsets) == 0 {
		return nil
	}
	var cerr error
	s.cl.CommitOffsetsSync(ctx, s.offsets, func(_ *kgo.Client, _ *kmsg.OffsetCommitRequest, resp *kmsg.OffsetCommitResponse, err error) {
		if err != nil {
			cerr = err
			return
		}
		for _, t := range resp.Topics {
			for _, p := range t.Partitions {
				if e := kerr.ErrorForCode(p.ErrorCode); e != nil && cerr == nil {
					cerr = fmt.Errorf("commit of %s-%d: %w", t.Topic, p.Partition, e)
				}
			}
		}
	})
	if cerr != nil {
		return cerr
	}
	purge := kadm.Offsets{}
	for topic, ps := range s.offsets {
		if !s.isRepartitionTopic(topic) {
			continue
		}
		for p, o := range ps {
			purge.Add(kadm.Offset{Topic: topic, Partition: p, At: o.Offset, LeaderEpoch: -1})
		}
	}
	s.offsets = map[string]map[int32]kgo.EpochOffset{}
	if len(purge) > 0 {
		// Kafka's TaskManager.maybePurgeCommittedRecords: a failed purge
		// is only logged; the next commit tries again.
		if res, err := s.adm.DeleteRecords(ctx, purge); err != nil {
			s.threadLog.Debug("purge of repartition records failed", zap.Error(err))
		} else if err := res.Error(); err != nil {
			s.threadLog.Debug("purge of repartition records failed", zap.Error(err))
		}
	}
	return nil
}

// isRepartitionTopic reports whether topic (a full name) is one of the
// topology's repartition topics.
func (s *KafkaStreams) isRepartitionTopic(topic string) bool {
	for _, st := range s.topo.subtopologies {
		for _, n := range st.sources {
			if n.internalTopic && s.prefix+n.topics[0] == topic {
				return true
			}
		}
	}
	return false
}

// onAssigned creates the tasks of the new partitions and restores their
// stores from the changelogs before any record is processed.
func (s *KafkaStreams) onAssigned(ctx context.Context, _ *kgo.Client, assigned map[string][]int32) {
	// Every rebalance makes the internal topics ready again, as Kafka's
	// assignor does: a reset tool run with --force may have deleted them
	// under a running instance.
	if err := s.prepareInternalTopics(ctx); err != nil {
		s.threadMu.Lock()
		if ctx.Err() == nil && s.callbackErr == nil {
			s.callbackErr = err
		}
		s.threadMu.Unlock()
		return
	}
	s.threadMu.Lock()
	defer s.threadMu.Unlock()
	var fresh []*task
	for topic, ps := range assigned {
		st := s.topo.subtopologyOf(s.prefix, topic)
		if st == nil {
			continue
		}
		for _, p := range ps {
			id := TaskID{st.id, p}
			if s.tasks[id] == nil {
				t := newTask(id, st, s.cfg.ApplicationID, s, s.cache, s.threadLog)
				s.tasks[id] = t
				fresh = append(fresh, t)
			}
		}
	}
	if err := s.restore(ctx, fresh); err != nil {
		if ctx.Err() == nil && s.callbackErr == nil {
			s.callbackErr = err // the poll loop stops on it
		}
		return
	}
	s.setState(StateRunning)
}

// onRevoked commits and closes the tasks of the revoked partitions. With
// range (eager) assignment every rebalance revokes all partitions first.
func (s *KafkaStreams) onRevoked(ctx context.Context, _ *kgo.Client, revoked map[string][]int32) {
	s.setState(StateRebalancing)
	s.threadMu.Lock()
	defer s.threadMu.Unlock()
	if err := s.commitLocked(ctx); err != nil && ctx.Err() == nil {
		s.threadLog.Warn(fmt.Sprintf("stream-thread [%s-StreamThread-1] Failed to commit before revocation: %v", s.clientID, err))
	}
	s.dropTasksLocked(revoked)
}

// onLost drops the tasks without committing: another member may own them.
func (s *KafkaStreams) onLost(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
	s.setState(StateRebalancing)
	s.threadMu.Lock()
	defer s.threadMu.Unlock()
	s.dropTasksLocked(lost)
	s.offsets = map[string]map[int32]kgo.EpochOffset{}
}

func (s *KafkaStreams) dropTasksLocked(parts map[string][]int32) {
	for topic, ps := range parts {
		st := s.topo.subtopologyOf(s.prefix, topic)
		for _, p := range ps {
			if st != nil {
				if t := s.tasks[TaskID{st.id, p}]; t != nil {
					t.dropCaches()
				}
				delete(s.tasks, TaskID{st.id, p})
			}
			if s.offsets[topic] != nil {
				delete(s.offsets[topic], p)
			}
		}
	}
}
