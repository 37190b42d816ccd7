package broker

import (
	"errors"
	"fmt"
	"net"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/broker/group"
	"gokafka/log"
	"gokafka/zkcoord"
	"gokafka/zkcoord/controller"
)

// Broker is one Kafka broker process (Kafka's KafkaServer): it connects to
// ZooKeeper, loads its logs, serves the wire protocol on its listeners,
// registers itself under /brokers/ids, and runs its controller component,
// replica manager and group coordinator.
//
// New builds it, Start runs the startup sequence (controller.md §15),
// Shutdown stops it (controlled shutdown first) and Wait blocks until it has
// stopped. Safe for concurrent use.
//
// Lock order of the core files (for docs/LOCKS.md): socketServer.mu ->
// conn.mu; controllerChannel.mu -> brokerSender.mu; configChangeListener.mu
// -> (log internals, through Log.UpdateConfig). MetadataCache.mu,
// producerIDManager.mu (held across one ZooKeeper call) and Broker.stateMu
// are leaves. No core lock is held while a handler, a controller-channel
// callback or a response write runs.
type Broker struct {
	cfg *Config     // immutable after New
	lg  *zap.Logger // kafka.server.KafkaServer; messages start "[KafkaServer id=N] "

	zk          *zkcoord.Client
	logs        *log.Manager
	metadata    *MetadataCache
	replicas    *ReplicaManager
	groups      *group.Coordinator
	controller  *controller.Controller
	channel     *controllerChannel
	producerIDs *producerIDManager
	network     *socketServer
	// configChanges follows /config/changes; set in Start.
	configChanges *configChangeListener

	brokerEpoch     atomic.Int64 // czxid of /brokers/ids/N; changes on re-registration
	controllerEpoch atomic.Int32 // highest controller epoch seen in a control request
	clusterID       string       // set in Start before serving; immutable after

	bg sync.WaitGroup // goroutines started through goBackground

	stateMu  sync.Mutex
	started  bool          // guarded by stateMu
	stopping bool          // guarded by stateMu
	quit     chan struct{} // closed when shutdown begins: async handlers stop waiting
	done     chan struct{} // closed when shutdown has completed
}

// New checks cfg and builds a broker; nothing is opened until Start.
func New(cfg *Config, lg *zap.Logger) (*Broker, error) {
	if cfg == nil {
		return nil, errors.New("broker: nil config")
	}
	if lg == nil {
		lg = zap.NewNop()
	}
	if _, err := cfg.ListenerEndpoints(); err != nil {
		return nil, err
	}
	if _, err := cfg.AdvertisedEndpoints(); err != nil {
		return nil, err
	}
	b := &Broker{cfg: cfg, lg: lg, quit: make(chan struct{}), done: make(chan struct{})}
	b.producerIDs = &producerIDManager{b: b}
	b.controllerEpoch.Store(-1)
	return b, nil
}

// log returns the KafkaServer logger with the "[KafkaServer id=N] " prefix.
func (b *Broker) serverLog() *zap.Logger { return b.lg.Named("kafka.server.KafkaServer") }

func (b *Broker) prefix() string { return "[KafkaServer id=" + itoa(b.cfg.BrokerID) + "] " }

func (b *Broker) stateChangeLog() *zap.Logger { return b.lg.Named("state.change.logger") }

func (b *Broker) currentBrokerEpoch() int64 { return b.brokerEpoch.Load() }

// goBackground runs fn on a tracked goroutine; Shutdown waits for it.
func (b *Broker) goBackground(fn func()) {
	b.bg.Add(1)
	go func() {
		defer b.bg.Done()
		fn()
	}()
}

// goAsync runs the rest of r's handler on a tracked goroutine, for handlers
// that must not block the connection's reader (they wait for ZooKeeper or
// the controller). A panic there closes r's connection, as one in the
// reader does.
func (b *Broker) goAsync(r *Request, fn func()) {
	b.goBackground(func() {
		defer func() {
			if p := recover(); p != nil {
				r.conn.lg.Error(fmt.Sprintf("Unexpected error handling %s v%d; closing connection: %v", kmsg.NameForKey(r.Key), r.Version, p),
					zap.String("stack", string(debug.Stack())))
				r.Close(fmt.Errorf("handler panic: %v", p))
			}
		}()
		fn()
	})
}

// Start runs the startup sequence of controller.md §15. On failure it logs
// Kafka's fatal line, undoes what it did and returns the error.
func (b *Broker) Start() (err error) {
	b.stateMu.Lock()
	if b.started {
		b.stateMu.Unlock()
		return errors.New("broker: already started")
	}
	b.started = true
	b.stateMu.Unlock()

	sl := b.serverLog()
	sl.Info(b.prefix() + "starting")
	defer func() {
		if err != nil {
			sl.Error(b.prefix()+"Fatal error during KafkaServer startup. Prepare to shutdown", zap.Error(err))
			b.stop(false)
		}
	}()

	// 1. ZooKeeper: session, chroot, persistent paths.
	sessionTimeout := time.Duration(b.cfg.ZookeeperSessionTimeoutMs) * time.Millisecond
	connTimeout := time.Duration(b.cfg.ZkConnectionTimeoutMs()) * time.Millisecond
	sl.Info(b.prefix() + "Connecting to zookeeper on " + b.cfg.ZookeeperConnect)
	b.zk, err = zkcoord.Connect(b.cfg.ZookeeperConnect, sessionTimeout, connTimeout, b.lg.Named("kafka.zookeeper.ZooKeeperClient"))
	if err != nil {
		var te *zkcoord.ConnectTimeoutError
		if errors.As(err, &te) {
			return fmt.Errorf("kafka.zookeeper.ZooKeeperClientTimeoutException: %w", err)
		}
		return err
	}
	if err := b.zk.CreateTopLevelPaths(); err != nil {
		return fmt.Errorf("creating ZooKeeper paths: %w", err)
	}

	// 2. Cluster id.
	if b.clusterID, err = b.zk.GetOrCreateClusterID(); err != nil {
		return fmt.Errorf("reading cluster id: %w", err)
	}
	sl.Info(b.prefix() + "Cluster ID = " + b.clusterID)

	// 3. meta.properties: cluster id and broker id checks, broker id generation.
	if err := b.checkMetaProperties(); err != nil {
		return err
	}
	sl.Info(b.prefix() + "Connected to zookeeper; broker id " + itoa(b.cfg.BrokerID))

	// 4. Logs, socket server (bound, not serving), replica manager.
	if b.logs, err = b.openLogs(); err != nil {
		return err
	}
	b.metadata = newMetadataCache(b.cfg.BrokerID)
	b.network = newSocketServer(b, b.lg.Named("kafka.network.SocketServer"))
	eps, _ := b.cfg.ListenerEndpoints()
	if err := b.network.bind(eps); err != nil {
		return err
	}
	b.replicas = newReplicaManager(b)
	b.replicas.Start()

	// 5. Register /brokers/ids/N; its czxid is the broker epoch. Then
	// meta.properties.
	if err := b.register(); err != nil {
		return err
	}
	if err := writeMetaProperties(b); err != nil {
		return err
	}

	// 6. Controller, group coordinator, then serve.
	b.channel = newControllerChannel(b.cfg.BrokerID, b.cfg.InterBrokerListener(),
		time.Duration(b.cfg.ControllerSocketTimeoutMs)*time.Millisecond, b.lg.Named("kafka.controller.RequestSendThread"))
	b.controller = controller.New(b.zk, b.controllerConfig(), b.channel, b.lg)
	b.zk.OnSessionExpired(b.onSessionExpired)
	b.zk.OnReconnected(b.onSessionReestablished)
	b.controller.Start()
	b.startConfigChangeListener()
	if b.groups, err = b.startGroupCoordinator(); err != nil {
		return err
	}
	b.network.serve()
	sl.Info(b.prefix() + "started")
	return nil
}

// controllerConfig is the controller's view of the broker config.
func (b *Broker) controllerConfig() controller.Config {
	c := controller.DefaultConfig(b.cfg.BrokerID)
	c.InterBrokerListenerName = b.cfg.InterBrokerListener()
	c.AutoLeaderRebalanceEnable = b.cfg.AutoLeaderRebalanceEnable
	c.LeaderImbalancePerBrokerPercentage = int(b.cfg.LeaderImbalancePerBrokerPercentage)
	c.LeaderImbalanceCheckIntervalSeconds = int(b.cfg.LeaderImbalanceCheckIntervalSeconds)
	c.DeleteTopicEnable = b.cfg.DeleteTopicEnable
	c.UncleanLeaderElectionEnable = b.cfg.UncleanLeaderElectionEnable
	return c
}

// brokerInfo is this broker's registration: advertised listeners (with the
// bound port substituted for port 0, so tests can use free ports), rack.
func (b *Broker) brokerInfo() (zkcoord.BrokerInfo, error) {
	adv, err := b.cfg.AdvertisedEndpoints()
	if err != nil {
		return zkcoord.BrokerInfo{}, err
	}
	info := zkcoord.BrokerInfo{ID: b.cfg.BrokerID, Rack: b.cfg.BrokerRack, JmxPort: -1, Timestamp: time.Now().UnixMilli()}
	for _, ep := range adv {
		port := ep.Port
		if port == 0 {
			if p, ok := b.network.boundPort(ep.Name); ok {
				port = p
			}
		}
		info.Endpoints = append(info.Endpoints, zkcoord.EndPoint{ListenerName: ep.Name, Host: ep.Host, Port: port, SecurityProtocol: ep.SecurityProtocol})
	}
	return info, nil
}

// register creates /brokers/ids/N and records the broker epoch.
func (b *Broker) register() error {
	info, err := b.brokerInfo()
	if err != nil {
		return err
	}
	epoch, err := b.zk.RegisterBroker(info)
	if err != nil {
		var exists *zkcoord.BrokerIDExistsError
		if errors.As(err, &exists) {
			return fmt.Errorf("Error while creating ephemeral at %s, node already exists: a broker with broker.id=%d is already registered (org.apache.zookeeper.KeeperException$NodeExistsException: %w)",
				zkcoord.BrokerIDPath(b.cfg.BrokerID), b.cfg.BrokerID, err)
		}
		return fmt.Errorf("registering broker: %w", err)
	}
	b.brokerEpoch.Store(epoch)
	return nil
}

// onSessionExpired runs when the ZooKeeper session is lost: the ephemeral
// registration and the controller's znode are gone with it.
func (b *Broker) onSessionExpired() {
	b.serverLog().Warn(b.prefix() + "ZooKeeper session expired; will re-register when a new session is established")
	if b.controller != nil {
		b.controller.OnSessionExpired()
	}
}

// onSessionReestablished re-registers the broker (a new epoch) and lets the
// controller component re-run its election (KafkaServer's
// registerBrokerInZk on session re-establishment).
func (b *Broker) onSessionReestablished() {
	b.stateMu.Lock()
	stopping := b.stopping
	b.stateMu.Unlock()
	if stopping {
		return
	}
	if err := b.register(); err != nil {
		b.serverLog().Error(b.prefix()+"Failed to re-register broker after ZooKeeper session re-establishment", zap.Error(err))
		return
	}
	if b.controller != nil {
		b.controller.OnSessionReestablished()
	}
	if b.configChanges != nil {
		b.configChanges.watch()
	}
}

// Shutdown stops the broker: controlled shutdown (controller.md §9), stop
// serving, close components and logs, deregister (by closing the ZooKeeper
// session). Safe to call more than once and from any goroutine.
func (b *Broker) Shutdown() { b.stop(true) }

// Wait blocks until the broker has shut down.
func (b *Broker) Wait() { <-b.done }

func (b *Broker) stop(controlled bool) {
	b.stateMu.Lock()
	if b.stopping {
		b.stateMu.Unlock()
		<-b.done
		return
	}
	b.stopping = true
	b.stateMu.Unlock()
	close(b.quit)

	sl := b.serverLog()
	sl.Info(b.prefix() + "shutting down")
	if controlled && b.cfg.ControlledShutdownEnable && b.zk != nil && b.brokerEpoch.Load() != 0 {
		b.controlledShutdown()
	}
	if b.network != nil {
		b.network.stopAccepting()
	}
	if b.controller != nil {
		b.controller.Close()
	}
	if b.channel != nil {
		b.channel.close()
	}
	if b.network != nil {
		b.network.close()
	}
	if b.groups != nil {
		b.groups.Close()
	}
	if b.replicas != nil {
		b.replicas.Close()
	}
	b.bg.Wait()
	if b.logs != nil {
		if err := b.logs.Close(); err != nil {
			sl.Error(b.prefix()+"Error while closing logs", zap.Error(err))
		}
	}
	if b.zk != nil {
		b.zk.Close() // the ephemeral /brokers/ids/N goes with the session
	}
	sl.Info(b.prefix() + "shut down completed")
	close(b.done)
}

func itoa[T ~int16 | ~int32 | ~int64 | ~int](v T) string { return strconv.FormatInt(int64(v), 10) }

// joinTPs renders partitions for log lines as Kafka prints a set.
func joinTPs(tps []controller.TopicPartition) string {
	s := make([]string, len(tps))
	for i, tp := range tps {
		s[i] = tp.Topic + "-" + itoa(tp.Partition)
	}
	return strings.Join(s, ",")
}

// controlledShutdown asks the controller to move leadership away before the
// broker stops (KafkaServer.controlledShutdown): up to
// controlled.shutdown.max.retries attempts, controlled.shutdown.retry.backoff.ms
// apart; after that the broker shuts down regardless.
func (b *Broker) controlledShutdown() {
	sl := b.serverLog()
	sl.Info(b.prefix() + "Starting controlled shutdown")
	backoff := time.Duration(b.cfg.ControlledShutdownRetryBackoffMs) * time.Millisecond
	for attempt := int32(0); attempt < b.cfg.ControlledShutdownMaxRetries; attempt++ {
		if attempt > 0 {
			sl.Warn(b.prefix() + "Retrying controlled shutdown after the previous attempt failed...")
		}
		remaining, err := b.requestControlledShutdown()
		if err == nil && len(remaining) == 0 {
			sl.Info(b.prefix() + "Controlled shutdown succeeded")
			return
		}
		if err != nil {
			sl.Info(b.prefix() + "Error from controller: " + err.Error())
		} else {
			sl.Info(b.prefix() + "Remaining partitions to move: " + joinTPs(remaining))
		}
		time.Sleep(backoff)
	}
	sl.Warn(b.prefix() + "Proceeding to do an unclean shutdown as all the controlled shutdown attempts failed")
}

// requestControlledShutdown sends one ControlledShutdown to the current
// controller (the local component when this broker is the controller).
func (b *Broker) requestControlledShutdown() ([]controller.TopicPartition, error) {
	id := b.metadata.ControllerID()
	if b.controller != nil && b.controller.IsActive() {
		id = b.cfg.BrokerID
	} else if id < 0 && b.controller != nil {
		id = b.controller.ActiveControllerID()
	}
	if id < 0 {
		return nil, errors.New("no controller is known")
	}
	epoch := b.brokerEpoch.Load()
	if id == b.cfg.BrokerID {
		return b.controllerControlledShutdown(b.cfg.BrokerID, epoch)
	}
	cb, ok := b.metadata.Broker(id)
	if !ok {
		return nil, fmt.Errorf("controller %d is not in the metadata cache", id)
	}
	ep, ok := cb.Endpoints[b.cfg.InterBrokerListener()]
	if !ok {
		return nil, fmt.Errorf("controller %d has no %s endpoint", id, b.cfg.InterBrokerListener())
	}
	timeout := time.Duration(b.cfg.RequestTimeoutMs) * time.Millisecond
	c, err := dialIB(joinHostPort(ep.Host, ep.Port), timeout, "broker-"+itoa(b.cfg.BrokerID)+"-controlled-shutdown")
	if err != nil {
		return nil, err
	}
	defer c.close()
	req := kmsg.NewPtrControlledShutdownRequest()
	req.SetVersion(3)
	req.BrokerID, req.BrokerEpoch = b.cfg.BrokerID, epoch
	resp, err := c.request(req)
	if err != nil {
		return nil, err
	}
	r := resp.(*kmsg.ControlledShutdownResponse)
	var remaining []controller.TopicPartition
	for _, p := range r.PartitionsRemaining {
		remaining = append(remaining, controller.TopicPartition{Topic: p.Topic, Partition: p.Partition})
	}
	if r.ErrorCode != 0 {
		return remaining, kerr.ErrorForCode(r.ErrorCode)
	}
	return remaining, nil
}

func joinHostPort(host string, port int32) string {
	return net.JoinHostPort(host, strconv.Itoa(int(port)))
}

// checkMetaProperties reads meta.properties in every log dir (startup step
// 3): a stored cluster.id other than ZooKeeper's, or a stored broker.id
// other than the configured one, refuses to start; with no broker.id
// configured the stored one is used, else one is generated.
func (b *Broker) checkMetaProperties() error {
	var storedID int32 = -1
	for _, dir := range b.cfg.LogDirs() {
		id, cid, err := log.ReadMetaProperties(dir)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if cid != "" && cid != b.clusterID {
			return fmt.Errorf("kafka.common.InconsistentClusterIdException: The Cluster ID %s doesn't match stored clusterId Some(%s) in meta.properties. The broker is trying to join the wrong cluster. Configured zookeeper.connect may be wrong.",
				b.clusterID, cid)
		}
		if storedID >= 0 && id != storedID {
			return fmt.Errorf("kafka.common.InconsistentBrokerIdException: Failed to match broker.id across log.dirs. This could happen if multiple brokers shared a log directory (log.dirs) or partial data was manually copied from another broker. Found %d and %d", storedID, id)
		}
		storedID = id
	}
	switch {
	case b.cfg.BrokerID >= 0 && storedID >= 0 && storedID != b.cfg.BrokerID:
		return fmt.Errorf("kafka.common.InconsistentBrokerIdException: Configured broker.id %d doesn't match stored broker.id Some(%d) in meta.properties. If you moved your data, make sure your configured broker.id matches. If you intend to create a new broker, you should remove all data in your data directories (log.dirs).",
			b.cfg.BrokerID, storedID)
	case b.cfg.BrokerID < 0 && storedID >= 0:
		b.cfg.BrokerID = storedID
	case b.cfg.BrokerID < 0 && b.cfg.BrokerIDGenerationEnable:
		id, err := b.zk.GenerateBrokerID(b.cfg.ReservedBrokerMaxID)
		if err != nil {
			return err
		}
		b.cfg.BrokerID = id
	case b.cfg.BrokerID < 0:
		return errors.New("broker.id is not set and broker.id.generation.enable is false")
	}
	return nil
}

// writeMetaProperties records cluster and broker id in every log dir.
func writeMetaProperties(b *Broker) error {
	for _, dir := range b.cfg.LogDirs() {
		if err := log.WriteMetaProperties(dir, b.cfg.BrokerID, b.clusterID); err != nil {
			return fmt.Errorf("writing %s/meta.properties: %w", dir, err)
		}
	}
	return nil
}

// openLogs opens (and recovers) every log in log.dirs with the broker's
// topic defaults (startup step 4).
func (b *Broker) openLogs() (*log.Manager, error) {
	defaults, _ := topicLogConfig(b.cfg, nil)
	opts := log.ManagerOptions{
		RetentionCheckIntervalMs:             b.cfg.LogRetentionCheckIntervalMs,
		FlushSchedulerIntervalMs:             b.cfg.LogFlushSchedulerIntervalMs,
		FlushOffsetCheckpointIntervalMs:      int64(b.cfg.LogFlushOffsetCheckpointIntervalMs),
		FlushStartOffsetCheckpointIntervalMs: int64(b.cfg.LogFlushStartOffsetCheckpointIntervalMs),
		CleanerDisable:                       !b.cfg.LogCleanerEnable,
		CleanerBackoffMs:                     b.cfg.LogCleanerBackoffMs,
		CleanerIOMaxBytesPerSecond:           b.cfg.LogCleanerIoMaxBytesPerSecond,
		CleanerDedupeBufferSize:              b.cfg.LogCleanerDedupeBufferSize,
	}
	return log.NewManager(b.cfg.LogDirs(), defaults, opts, b.lg.Named("kafka.log.LogManager"))
}

// usesTopicIDs reports whether inter.broker.protocol.version is 2.8 or
// newer, which stamps topic ids into new topics (KafkaConfig.usesTopicId).
func (b *Broker) usesTopicIDs() bool {
	v := b.cfg.InterBrokerProtocolVersion
	if v == "" {
		return true
	}
	v, _, _ = strings.Cut(v, "-")
	parts := strings.Split(v, ".")
	if len(parts) < 2 {
		return true
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil {
		return true
	}
	return major > 2 || major == 2 && minor >= 8
}
