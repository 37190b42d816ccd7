package broker

// The broker's configuration, as Kafka's KafkaConfig defines it: one row per
// property in configDefs (name, type, default, validator, doc), and one
// CamelCased field per property in Config, tied to its row by the `kafka`
// struct tag. ParseConfig parses and validates a property map with Kafka's
// error wording; LoadConfig reads a server.properties file plus --override
// values, as kafka-server-start.sh passes them.

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"github.com/magiconair/properties"
)

// Config is the parsed broker configuration. Every field carries the
// property it holds in its `kafka` tag; a nil pointer field is a property
// whose Kafka default is null (unset). Fields whose CamelCased name is taken
// by a derived helper (LogDirs, LogRetentionMs, LogRollMs, LogRollJitterMs) carry a Prop
// suffix; read those through the helper, which applies Kafka's fallbacks.
//
// A Config is immutable once ParseConfig returns it.
type Config struct {
	// ZooKeeper
	ZookeeperConnect             string `kafka:"zookeeper.connect"`
	ZookeeperSessionTimeoutMs    int32  `kafka:"zookeeper.session.timeout.ms"`
	ZookeeperConnectionTimeoutMs *int32 `kafka:"zookeeper.connection.timeout.ms"` // nil: the session timeout
	ZookeeperSetAcl              bool   `kafka:"zookeeper.set.acl"`
	ZookeeperMaxInFlightRequests int32  `kafka:"zookeeper.max.in.flight.requests"`
	ZookeeperSslClientEnable     bool   `kafka:"zookeeper.ssl.client.enable"`
	ZookeeperClientCnxnSocket    string `kafka:"zookeeper.clientCnxnSocket"`
	ZookeeperSyncTimeMs          int32  `kafka:"zookeeper.sync.time.ms"`

	// General
	BrokerIDGenerationEnable    bool   `kafka:"broker.id.generation.enable"`
	ReservedBrokerMaxID         int32  `kafka:"reserved.broker.max.id"`
	BrokerID                    int32  `kafka:"broker.id"`
	MessageMaxBytes             int32  `kafka:"message.max.bytes"`
	NumNetworkThreads           int32  `kafka:"num.network.threads"`
	NumIoThreads                int32  `kafka:"num.io.threads"`
	BackgroundThreads           int32  `kafka:"background.threads"`
	QueuedMaxRequests           int32  `kafka:"queued.max.requests"`
	QueuedMaxRequestBytes       int64  `kafka:"queued.max.request.bytes"`
	RequestTimeoutMs            int32  `kafka:"request.timeout.ms"`
	ConnectionSetupTimeoutMs    int64  `kafka:"connection.setup.timeout.ms"`
	ConnectionSetupTimeoutMaxMs int64  `kafka:"connection.setup.timeout.max.ms"`
	BrokerRack                  string `kafka:"broker.rack"`
	DeleteTopicEnable           bool   `kafka:"delete.topic.enable"`
	CompressionType             string `kafka:"compression.type"`
	AuthorizerClassName         string `kafka:"authorizer.class.name"`

	// Socket server
	Port                                  int32  `kafka:"port"`      // deprecated; used only when listeners is unset
	HostName                              string `kafka:"host.name"` // deprecated; used only when listeners is unset
	AdvertisedHostName                    string `kafka:"advertised.host.name"`
	AdvertisedPort                        *int32 `kafka:"advertised.port"`
	Listeners                             string `kafka:"listeners"`
	AdvertisedListeners                   string `kafka:"advertised.listeners"`
	ListenerSecurityProtocolMap           string `kafka:"listener.security.protocol.map"`
	ControlPlaneListenerName              string `kafka:"control.plane.listener.name"`
	SocketSendBufferBytes                 int32  `kafka:"socket.send.buffer.bytes"`
	SocketReceiveBufferBytes              int32  `kafka:"socket.receive.buffer.bytes"`
	SocketRequestMaxBytes                 int32  `kafka:"socket.request.max.bytes"`
	MaxConnectionsPerIP                   int32  `kafka:"max.connections.per.ip"`
	MaxConnectionsPerIPOverrides          string `kafka:"max.connections.per.ip.overrides"`
	MaxConnections                        int32  `kafka:"max.connections"`
	MaxConnectionCreationRate             int32  `kafka:"max.connection.creation.rate"`
	ConnectionsMaxIdleMs                  int64  `kafka:"connections.max.idle.ms"`
	ConnectionFailedAuthenticationDelayMs int32  `kafka:"connection.failed.authentication.delay.ms"`

	// Log
	NumPartitions                           int32    `kafka:"num.partitions"`
	LogDir                                  string   `kafka:"log.dir"`
	LogDirsProp                             string   `kafka:"log.dirs"` // read LogDirs()
	LogSegmentBytes                         int64    `kafka:"log.segment.bytes"`
	LogRollMsProp                           *int64   `kafka:"log.roll.ms"` // read LogRollMs()
	LogRollHours                            int32    `kafka:"log.roll.hours"`
	LogRollJitterMsProp                     *int64   `kafka:"log.roll.jitter.ms"` // read LogRollJitterMs()
	LogRollJitterHours                      int32    `kafka:"log.roll.jitter.hours"`
	LogRetentionMsProp                      *int64   `kafka:"log.retention.ms"` // read LogRetentionMs()
	LogRetentionMinutes                     *int32   `kafka:"log.retention.minutes"`
	LogRetentionHours                       int32    `kafka:"log.retention.hours"`
	LogRetentionBytes                       int64    `kafka:"log.retention.bytes"`
	LogRetentionCheckIntervalMs             int64    `kafka:"log.retention.check.interval.ms"`
	LogCleanupPolicy                        []string `kafka:"log.cleanup.policy"`
	LogCleanerThreads                       int32    `kafka:"log.cleaner.threads"`
	LogCleanerIoMaxBytesPerSecond           float64  `kafka:"log.cleaner.io.max.bytes.per.second"`
	LogCleanerDedupeBufferSize              int64    `kafka:"log.cleaner.dedupe.buffer.size"`
	LogCleanerIoBufferSize                  int32    `kafka:"log.cleaner.io.buffer.size"`
	LogCleanerIoBufferLoadFactor            float64  `kafka:"log.cleaner.io.buffer.load.factor"`
	LogCleanerBackoffMs                     int64    `kafka:"log.cleaner.backoff.ms"`
	LogCleanerMinCleanableRatio             float64  `kafka:"log.cleaner.min.cleanable.ratio"`
	LogCleanerEnable                        bool     `kafka:"log.cleaner.enable"`
	LogCleanerDeleteRetentionMs             int64    `kafka:"log.cleaner.delete.retention.ms"`
	LogCleanerMinCompactionLagMs            int64    `kafka:"log.cleaner.min.compaction.lag.ms"`
	LogCleanerMaxCompactionLagMs            int64    `kafka:"log.cleaner.max.compaction.lag.ms"`
	LogIndexSizeMaxBytes                    int32    `kafka:"log.index.size.max.bytes"`
	LogIndexIntervalBytes                   int32    `kafka:"log.index.interval.bytes"`
	LogFlushIntervalMessages                int64    `kafka:"log.flush.interval.messages"`
	LogSegmentDeleteDelayMs                 int64    `kafka:"log.segment.delete.delay.ms"`
	LogFlushSchedulerIntervalMs             int64    `kafka:"log.flush.scheduler.interval.ms"`
	LogFlushIntervalMs                      *int64   `kafka:"log.flush.interval.ms"` // nil: log.flush.scheduler.interval.ms
	LogFlushOffsetCheckpointIntervalMs      int32    `kafka:"log.flush.offset.checkpoint.interval.ms"`
	LogFlushStartOffsetCheckpointIntervalMs int32    `kafka:"log.flush.start.offset.checkpoint.interval.ms"`
	LogPreallocate                          bool     `kafka:"log.preallocate"`
	NumRecoveryThreadsPerDataDir            int32    `kafka:"num.recovery.threads.per.data.dir"`
	AutoCreateTopicsEnable                  bool     `kafka:"auto.create.topics.enable"`
	MinInsyncReplicas                       int32    `kafka:"min.insync.replicas"`
	LogMessageFormatVersion                 string   `kafka:"log.message.format.version"`
	LogMessageTimestampType                 string   `kafka:"log.message.timestamp.type"`
	LogMessageTimestampDifferenceMaxMs      int64    `kafka:"log.message.timestamp.difference.max.ms"`
	LogMessageDownconversionEnable          bool     `kafka:"log.message.downconversion.enable"`
	CreateTopicPolicyClassName              string   `kafka:"create.topic.policy.class.name"`
	AlterConfigPolicyClassName              string   `kafka:"alter.config.policy.class.name"`

	// Replication
	ControllerSocketTimeoutMs                   int32  `kafka:"controller.socket.timeout.ms"`
	DefaultReplicationFactor                    int32  `kafka:"default.replication.factor"`
	ReplicaLagTimeMaxMs                         int64  `kafka:"replica.lag.time.max.ms"`
	ReplicaSocketTimeoutMs                      int32  `kafka:"replica.socket.timeout.ms"`
	ReplicaSocketReceiveBufferBytes             int32  `kafka:"replica.socket.receive.buffer.bytes"`
	ReplicaFetchMaxBytes                        int32  `kafka:"replica.fetch.max.bytes"`
	ReplicaFetchWaitMaxMs                       int32  `kafka:"replica.fetch.wait.max.ms"`
	ReplicaFetchBackoffMs                       int32  `kafka:"replica.fetch.backoff.ms"`
	ReplicaFetchMinBytes                        int32  `kafka:"replica.fetch.min.bytes"`
	ReplicaFetchResponseMaxBytes                int32  `kafka:"replica.fetch.response.max.bytes"`
	NumReplicaFetchers                          int32  `kafka:"num.replica.fetchers"`
	ReplicaHighWatermarkCheckpointIntervalMs    int64  `kafka:"replica.high.watermark.checkpoint.interval.ms"`
	FetchPurgatoryPurgeIntervalRequests         int32  `kafka:"fetch.purgatory.purge.interval.requests"`
	ProducerPurgatoryPurgeIntervalRequests      int32  `kafka:"producer.purgatory.purge.interval.requests"`
	DeleteRecordsPurgatoryPurgeIntervalRequests int32  `kafka:"delete.records.purgatory.purge.interval.requests"`
	AutoLeaderRebalanceEnable                   bool   `kafka:"auto.leader.rebalance.enable"`
	LeaderImbalancePerBrokerPercentage          int32  `kafka:"leader.imbalance.per.broker.percentage"`
	LeaderImbalanceCheckIntervalSeconds         int64  `kafka:"leader.imbalance.check.interval.seconds"`
	UncleanLeaderElectionEnable                 bool   `kafka:"unclean.leader.election.enable"`
	SecurityInterBrokerProtocol                 string `kafka:"security.inter.broker.protocol"`
	InterBrokerListenerName                     string `kafka:"inter.broker.listener.name"`
	InterBrokerProtocolVersion                  string `kafka:"inter.broker.protocol.version"`
	ReplicaSelectorClass                        string `kafka:"replica.selector.class"`
	NumReplicaAlterLogDirsThreads               *int32 `kafka:"num.replica.alter.log.dirs.threads"`

	// Controlled shutdown
	ControlledShutdownMaxRetries     int32 `kafka:"controlled.shutdown.max.retries"`
	ControlledShutdownRetryBackoffMs int64 `kafka:"controlled.shutdown.retry.backoff.ms"`
	ControlledShutdownEnable         bool  `kafka:"controlled.shutdown.enable"`

	// Group coordinator
	GroupMinSessionTimeoutMs     int32 `kafka:"group.min.session.timeout.ms"`
	GroupMaxSessionTimeoutMs     int32 `kafka:"group.max.session.timeout.ms"`
	GroupInitialRebalanceDelayMs int32 `kafka:"group.initial.rebalance.delay.ms"`
	GroupMaxSize                 int32 `kafka:"group.max.size"`

	// Offset management
	OffsetMetadataMaxBytes          int32 `kafka:"offset.metadata.max.bytes"`
	OffsetsLoadBufferSize           int32 `kafka:"offsets.load.buffer.size"`
	OffsetsTopicReplicationFactor   int16 `kafka:"offsets.topic.replication.factor"`
	OffsetsTopicNumPartitions       int32 `kafka:"offsets.topic.num.partitions"`
	OffsetsTopicSegmentBytes        int32 `kafka:"offsets.topic.segment.bytes"`
	OffsetsTopicCompressionCodec    int32 `kafka:"offsets.topic.compression.codec"`
	OffsetsRetentionMinutes         int32 `kafka:"offsets.retention.minutes"`
	OffsetsRetentionCheckIntervalMs int64 `kafka:"offsets.retention.check.interval.ms"`
	OffsetsCommitTimeoutMs          int32 `kafka:"offsets.commit.timeout.ms"`
	OffsetsCommitRequiredAcks       int16 `kafka:"offsets.commit.required.acks"`

	// Transactions
	TransactionalIDExpirationMs                          int32 `kafka:"transactional.id.expiration.ms"`
	TransactionMaxTimeoutMs                              int32 `kafka:"transaction.max.timeout.ms"`
	TransactionStateLogLoadBufferSize                    int32 `kafka:"transaction.state.log.load.buffer.size"`
	TransactionStateLogReplicationFactor                 int16 `kafka:"transaction.state.log.replication.factor"`
	TransactionStateLogNumPartitions                     int32 `kafka:"transaction.state.log.num.partitions"`
	TransactionStateLogSegmentBytes                      int32 `kafka:"transaction.state.log.segment.bytes"`
	TransactionStateLogMinIsr                            int32 `kafka:"transaction.state.log.min.isr"`
	TransactionAbortTimedOutTransactionCleanupIntervalMs int32 `kafka:"transaction.abort.timed.out.transaction.cleanup.interval.ms"`
	TransactionRemoveExpiredTransactionCleanupIntervalMs int32 `kafka:"transaction.remove.expired.transaction.cleanup.interval.ms"`

	// Fetch sessions
	MaxIncrementalFetchSessionCacheSlots int32 `kafka:"max.incremental.fetch.session.cache.slots"`
	FetchMaxBytes                        int32 `kafka:"fetch.max.bytes"`

	// Quotas
	QuotaProducerDefault                          int64  `kafka:"quota.producer.default"`
	QuotaConsumerDefault                          int64  `kafka:"quota.consumer.default"`
	QuotaWindowNum                                int32  `kafka:"quota.window.num"`
	QuotaWindowSizeSeconds                        int32  `kafka:"quota.window.size.seconds"`
	ReplicationQuotaWindowNum                     int32  `kafka:"replication.quota.window.num"`
	ReplicationQuotaWindowSizeSeconds             int32  `kafka:"replication.quota.window.size.seconds"`
	AlterLogDirsReplicationQuotaWindowNum         int32  `kafka:"alter.log.dirs.replication.quota.window.num"`
	AlterLogDirsReplicationQuotaWindowSizeSeconds int32  `kafka:"alter.log.dirs.replication.quota.window.size.seconds"`
	ClientQuotaCallbackClass                      string `kafka:"client.quota.callback.class"`

	// Metrics
	MetricReporters                 []string `kafka:"metric.reporters"`
	MetricsNumSamples               int32    `kafka:"metrics.num.samples"`
	MetricsSampleWindowMs           int64    `kafka:"metrics.sample.window.ms"`
	MetricsRecordingLevel           string   `kafka:"metrics.recording.level"`
	KafkaMetricsReporters           []string `kafka:"kafka.metrics.reporters"`
	KafkaMetricsPollingIntervalSecs int32    `kafka:"kafka.metrics.polling.interval.secs"`

	// SASL (only the mechanism names; gokafka speaks PLAINTEXT)
	SaslEnabledMechanisms            []string `kafka:"sasl.enabled.mechanisms"`
	SaslMechanismInterBrokerProtocol string   `kafka:"sasl.mechanism.inter.broker.protocol"`

	// set records which keys were given explicitly (for "KafkaConfig values"
	// logging and for tests); immutable.
	set map[string]bool
}

// ConfigType is a property's type, named as Kafka's ConfigDef.Type.
type ConfigType int

// The ConfigDef types. The Go field of a property has the matching type:
// BOOLEAN bool, STRING/CLASS/PASSWORD string, INT int32 (int64 allowed when
// the value feeds an int64 elsewhere), SHORT int16, LONG int64, DOUBLE
// float64, LIST []string. A property with a null default has a pointer field
// when its type is numeric.
const (
	TypeBoolean ConfigType = iota
	TypeString
	TypeInt
	TypeShort
	TypeLong
	TypeDouble
	TypeList
	TypeClass
	TypePassword
)

func (t ConfigType) String() string {
	return [...]string{"BOOLEAN", "STRING", "INT", "SHORT", "LONG", "DOUBLE", "LIST", "CLASS", "PASSWORD"}[t]
}

// ConfigDef is one row of the table: a Kafka broker property.
type ConfigDef struct {
	Name string
	Type ConfigType
	// Default is the default as Kafka's documentation prints it. Null marks a
	// property whose default is null (unset); Required one with no default.
	Default  string
	Null     bool
	Required bool
	// Validate checks a parsed value; it returns the reason part of Kafka's
	// "Invalid value V for configuration K: reason".
	Validate func(v any) error
	Doc      string
}

const (
	intMax  = "2147483647"
	longMax = "9223372036854775807"
)

// configDefs is the table of every broker property gokafka knows, in
// KafkaConfig's order. Defaults are Kafka 2.8's.
var configDefs = []ConfigDef{
	// ZooKeeper
	{Name: "zookeeper.connect", Type: TypeString, Required: true, Doc: "ZooKeeper connection string (host:port[,host:port][/chroot])."},
	{Name: "zookeeper.session.timeout.ms", Type: TypeInt, Default: "18000", Doc: "ZooKeeper session timeout."},
	{Name: "zookeeper.connection.timeout.ms", Type: TypeInt, Null: true, Doc: "Max time to wait to establish a ZooKeeper connection; unset means zookeeper.session.timeout.ms."},
	{Name: "zookeeper.set.acl", Type: TypeBoolean, Default: "false", Doc: "Set client to use secure ACLs."},
	{Name: "zookeeper.max.in.flight.requests", Type: TypeInt, Default: "10", Validate: atLeast(1), Doc: "Max unacknowledged requests the client sends to ZooKeeper before blocking."},
	{Name: "zookeeper.ssl.client.enable", Type: TypeBoolean, Default: "false", Doc: "Use TLS to ZooKeeper (not supported by gokafka)."},
	{Name: "zookeeper.clientCnxnSocket", Type: TypeString, Null: true, Doc: "ZooKeeper client socket implementation (ignored)."},
	{Name: "zookeeper.sync.time.ms", Type: TypeInt, Default: "2000", Doc: "How far a ZooKeeper follower can be behind a leader (unused by the broker)."},

	// General
	{Name: "broker.id.generation.enable", Type: TypeBoolean, Default: "true", Doc: "Enable automatic broker id generation; check reserved.broker.max.id."},
	{Name: "reserved.broker.max.id", Type: TypeInt, Default: "1000", Validate: atLeast(0), Doc: "Max number that can be used for a configured broker.id."},
	{Name: "broker.id", Type: TypeInt, Default: "-1", Doc: "The broker id; -1 generates one via /brokers/seqid."},
	{Name: "message.max.bytes", Type: TypeInt, Default: "1048588", Validate: atLeast(0), Doc: "Largest record batch size allowed (topic-level max.message.bytes)."},
	{Name: "num.network.threads", Type: TypeInt, Default: "3", Validate: atLeast(1), Doc: "Threads receiving requests and sending responses."},
	{Name: "num.io.threads", Type: TypeInt, Default: "8", Validate: atLeast(1), Doc: "Threads processing requests."},
	{Name: "background.threads", Type: TypeInt, Default: "10", Validate: atLeast(1), Doc: "Threads for background tasks."},
	{Name: "queued.max.requests", Type: TypeInt, Default: "500", Validate: atLeast(1), Doc: "Queued requests allowed before blocking the network threads."},
	{Name: "queued.max.request.bytes", Type: TypeLong, Default: "-1", Doc: "Queued bytes allowed before no more requests are read."},
	{Name: "request.timeout.ms", Type: TypeInt, Default: "30000", Doc: "Client request timeout (inter-broker clients)."},
	{Name: "connection.setup.timeout.ms", Type: TypeLong, Default: "10000", Doc: "Time to wait for a socket connection to be built."},
	{Name: "connection.setup.timeout.max.ms", Type: TypeLong, Default: "30000", Doc: "Max time to wait for a socket connection, after exponential backoff."},
	{Name: "broker.rack", Type: TypeString, Null: true, Doc: "Rack of the broker, for rack-aware replica assignment."},
	{Name: "delete.topic.enable", Type: TypeBoolean, Default: "true", Doc: "Enables topic deletion."},
	{Name: "compression.type", Type: TypeString, Default: "producer", Validate: oneOf("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"), Doc: "Final compression type for a topic; producer keeps the producer's codec."},
	{Name: "authorizer.class.name", Type: TypeString, Default: "", Doc: "Authorizer class (not supported by gokafka)."},

	// Socket server
	{Name: "port", Type: TypeInt, Default: "9092", Doc: "DEPRECATED: port to listen on, used only when listeners is not set."},
	{Name: "host.name", Type: TypeString, Default: "", Doc: "DEPRECATED: host to bind, used only when listeners is not set."},
	{Name: "advertised.host.name", Type: TypeString, Null: true, Doc: "DEPRECATED: host advertised, used only when advertised.listeners or listeners are not set."},
	{Name: "advertised.port", Type: TypeInt, Null: true, Doc: "DEPRECATED: port advertised, used only when advertised.listeners or listeners are not set."},
	{Name: "listeners", Type: TypeString, Null: true, Doc: "Comma-separated listener URIs (PLAINTEXT://myhost:9092,...); empty host binds all interfaces."},
	{Name: "advertised.listeners", Type: TypeString, Null: true, Doc: "Listeners published in ZooKeeper for clients; defaults to listeners."},
	{Name: "listener.security.protocol.map", Type: TypeString, Default: "PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL", Doc: "Map between listener names and security protocols."},
	{Name: "control.plane.listener.name", Type: TypeString, Null: true, Doc: "Listener used for controller-to-broker communication."},
	{Name: "socket.send.buffer.bytes", Type: TypeInt, Default: "102400", Doc: "SO_SNDBUF of server sockets; -1 uses the OS default."},
	{Name: "socket.receive.buffer.bytes", Type: TypeInt, Default: "102400", Doc: "SO_RCVBUF of server sockets; -1 uses the OS default."},
	{Name: "socket.request.max.bytes", Type: TypeInt, Default: "104857600", Validate: atLeast(1), Doc: "Max bytes in a socket request."},
	{Name: "max.connections.per.ip", Type: TypeInt, Default: intMax, Validate: atLeast(0), Doc: "Max connections allowed from each IP address."},
	{Name: "max.connections.per.ip.overrides", Type: TypeString, Default: "", Doc: "Per-IP or hostname overrides of max.connections.per.ip."},
	{Name: "max.connections", Type: TypeInt, Default: intMax, Validate: atLeast(0), Doc: "Max connections allowed in the broker at any time."},
	{Name: "max.connection.creation.rate", Type: TypeInt, Default: intMax, Validate: atLeast(0), Doc: "Max connection creation rate allowed in the broker at any time."},
	{Name: "connections.max.idle.ms", Type: TypeLong, Default: "600000", Doc: "Idle connections timeout."},
	{Name: "connection.failed.authentication.delay.ms", Type: TypeInt, Default: "100", Validate: atLeast(0), Doc: "Delay before closing a connection on failed authentication."},

	// Log
	{Name: "num.partitions", Type: TypeInt, Default: "1", Validate: atLeast(1), Doc: "Default number of log partitions per topic."},
	{Name: "log.dir", Type: TypeString, Default: "/tmp/kafka-logs", Doc: "Directory of the log data (supplemental to log.dirs)."},
	{Name: "log.dirs", Type: TypeString, Null: true, Doc: "Directories of the log data; unset means log.dir."},
	{Name: "log.segment.bytes", Type: TypeInt, Default: "1073741824", Validate: atLeast(14), Doc: "Maximum size of a single log file."},
	{Name: "log.roll.ms", Type: TypeLong, Null: true, Doc: "Max time before a new segment is rolled (ms); unset means log.roll.hours."},
	{Name: "log.roll.hours", Type: TypeInt, Default: "168", Validate: atLeast(1), Doc: "Max time before a new segment is rolled (hours)."},
	{Name: "log.roll.jitter.ms", Type: TypeLong, Null: true, Doc: "Max jitter subtracted from logRollTimeMillis (ms); unset means log.roll.jitter.hours."},
	{Name: "log.roll.jitter.hours", Type: TypeInt, Default: "0", Validate: atLeast(0), Doc: "Max jitter subtracted from logRollTimeMillis (hours)."},
	{Name: "log.retention.ms", Type: TypeLong, Null: true, Doc: "Time to keep a log file (ms); unset means log.retention.minutes; -1 means no limit."},
	{Name: "log.retention.minutes", Type: TypeInt, Null: true, Doc: "Time to keep a log file (minutes); unset means log.retention.hours."},
	{Name: "log.retention.hours", Type: TypeInt, Default: "168", Doc: "Time to keep a log file (hours)."},
	{Name: "log.retention.bytes", Type: TypeLong, Default: "-1", Doc: "Max size of the log before deleting it."},
	{Name: "log.retention.check.interval.ms", Type: TypeLong, Default: "300000", Validate: atLeast(1), Doc: "How often the log cleaner checks for deletable logs."},
	{Name: "log.cleanup.policy", Type: TypeList, Default: "delete", Validate: listOf("compact", "delete"), Doc: "Default cleanup policy for segments beyond the retention window."},
	{Name: "log.cleaner.threads", Type: TypeInt, Default: "1", Validate: atLeast(0), Doc: "Background threads for log cleaning."},
	{Name: "log.cleaner.io.max.bytes.per.second", Type: TypeDouble, Default: "1.7976931348623157E308", Doc: "Log cleaner I/O throttle."},
	{Name: "log.cleaner.dedupe.buffer.size", Type: TypeLong, Default: "134217728", Doc: "Memory for log deduplication across all cleaner threads."},
	{Name: "log.cleaner.io.buffer.size", Type: TypeInt, Default: "524288", Validate: atLeast(0), Doc: "Memory for log cleaner I/O buffers."},
	{Name: "log.cleaner.io.buffer.load.factor", Type: TypeDouble, Default: "0.9", Doc: "Log cleaner dedupe buffer load factor."},
	{Name: "log.cleaner.backoff.ms", Type: TypeLong, Default: "15000", Validate: atLeast(0), Doc: "Sleep when there are no logs to clean."},
	{Name: "log.cleaner.min.cleanable.ratio", Type: TypeDouble, Default: "0.5", Validate: between(0, 1), Doc: "Min dirty/total ratio for a log to be cleaned."},
	{Name: "log.cleaner.enable", Type: TypeBoolean, Default: "true", Doc: "Run the log cleaner."},
	{Name: "log.cleaner.delete.retention.ms", Type: TypeLong, Default: "86400000", Doc: "How long delete records (tombstones) are retained."},
	{Name: "log.cleaner.min.compaction.lag.ms", Type: TypeLong, Default: "0", Doc: "Min time a message stays uncompacted."},
	{Name: "log.cleaner.max.compaction.lag.ms", Type: TypeLong, Default: longMax, Doc: "Max time a message stays ineligible for compaction."},
	{Name: "log.index.size.max.bytes", Type: TypeInt, Default: "10485760", Validate: atLeast(4), Doc: "Max size of the offset index."},
	{Name: "log.index.interval.bytes", Type: TypeInt, Default: "4096", Validate: atLeast(0), Doc: "Bytes between offset index entries."},
	{Name: "log.flush.interval.messages", Type: TypeLong, Default: longMax, Validate: atLeast(1), Doc: "Messages accumulated on a partition before flushing."},
	{Name: "log.segment.delete.delay.ms", Type: TypeLong, Default: "60000", Validate: atLeast(0), Doc: "Wait before deleting a file from the filesystem."},
	{Name: "log.flush.scheduler.interval.ms", Type: TypeLong, Default: longMax, Doc: "How often the flusher checks whether a log needs flushing."},
	{Name: "log.flush.interval.ms", Type: TypeLong, Null: true, Doc: "Max time a message stays in memory before flushing; unset means log.flush.scheduler.interval.ms."},
	{Name: "log.flush.offset.checkpoint.interval.ms", Type: TypeInt, Default: "60000", Validate: atLeast(0), Doc: "How often the recovery point checkpoint is written."},
	{Name: "log.flush.start.offset.checkpoint.interval.ms", Type: TypeInt, Default: "60000", Validate: atLeast(0), Doc: "How often the log start offset checkpoint is written."},
	{Name: "log.preallocate", Type: TypeBoolean, Default: "false", Doc: "Preallocate the file when creating a new segment."},
	{Name: "num.recovery.threads.per.data.dir", Type: TypeInt, Default: "1", Validate: atLeast(1), Doc: "Threads per data dir for log recovery at startup and flushing at shutdown."},
	{Name: "auto.create.topics.enable", Type: TypeBoolean, Default: "true", Doc: "Enable auto creation of topics on the server."},
	{Name: "min.insync.replicas", Type: TypeInt, Default: "1", Validate: atLeast(1), Doc: "Min replicas that must acknowledge an acks=all write."},
	{Name: "log.message.format.version", Type: TypeString, Default: "2.8-IV1", Validate: apiVersion, Doc: "Message format version used to append messages to the logs."},
	{Name: "log.message.timestamp.type", Type: TypeString, Default: "CreateTime", Validate: oneOf("CreateTime", "LogAppendTime"), Doc: "Whether the timestamp is the create time or the log append time."},
	{Name: "log.message.timestamp.difference.max.ms", Type: TypeLong, Default: longMax, Validate: atLeast(0), Doc: "Max difference between the broker's time and a message's timestamp."},
	{Name: "log.message.downconversion.enable", Type: TypeBoolean, Default: "true", Doc: "Down-convert message formats for older consumers."},
	{Name: "create.topic.policy.class.name", Type: TypeClass, Null: true, Doc: "Create topic policy class (not supported by gokafka)."},
	{Name: "alter.config.policy.class.name", Type: TypeClass, Null: true, Doc: "Alter configs policy class (not supported by gokafka)."},

	// Replication
	{Name: "controller.socket.timeout.ms", Type: TypeInt, Default: "30000", Doc: "Socket timeout for controller-to-broker channels."},
	{Name: "default.replication.factor", Type: TypeInt, Default: "1", Doc: "Default replication factor for automatically created topics."},
	{Name: "replica.lag.time.max.ms", Type: TypeLong, Default: "30000", Doc: "A follower not caught up for this long leaves the ISR."},
	{Name: "replica.socket.timeout.ms", Type: TypeInt, Default: "30000", Doc: "Socket timeout for follower fetch requests."},
	{Name: "replica.socket.receive.buffer.bytes", Type: TypeInt, Default: "65536", Doc: "Socket receive buffer for follower fetches."},
	{Name: "replica.fetch.max.bytes", Type: TypeInt, Default: "1048576", Validate: atLeast(0), Doc: "Bytes to fetch per partition in a follower fetch."},
	{Name: "replica.fetch.wait.max.ms", Type: TypeInt, Default: "500", Doc: "Max wait per follower fetch request."},
	{Name: "replica.fetch.backoff.ms", Type: TypeInt, Default: "1000", Validate: atLeast(0), Doc: "Sleep when a fetch partition error occurs."},
	{Name: "replica.fetch.min.bytes", Type: TypeInt, Default: "1", Doc: "Min bytes expected in a follower fetch response."},
	{Name: "replica.fetch.response.max.bytes", Type: TypeInt, Default: "10485760", Validate: atLeast(0), Doc: "Max bytes expected in a whole follower fetch response."},
	{Name: "num.replica.fetchers", Type: TypeInt, Default: "1", Doc: "Fetcher threads per source broker."},
	{Name: "replica.high.watermark.checkpoint.interval.ms", Type: TypeLong, Default: "5000", Doc: "How often the high watermark is saved to disk."},
	{Name: "fetch.purgatory.purge.interval.requests", Type: TypeInt, Default: "1000", Doc: "Purge interval of the fetch purgatory (requests)."},
	{Name: "producer.purgatory.purge.interval.requests", Type: TypeInt, Default: "1000", Doc: "Purge interval of the produce purgatory (requests)."},
	{Name: "delete.records.purgatory.purge.interval.requests", Type: TypeInt, Default: "1", Doc: "Purge interval of the delete records purgatory (requests)."},
	{Name: "auto.leader.rebalance.enable", Type: TypeBoolean, Default: "true", Doc: "Enables automatic leader balancing."},
	{Name: "leader.imbalance.per.broker.percentage", Type: TypeInt, Default: "10", Doc: "Leader imbalance allowed per broker, in percent."},
	{Name: "leader.imbalance.check.interval.seconds", Type: TypeLong, Default: "300", Validate: atLeast(1), Doc: "How often the controller checks leader imbalance."},
	{Name: "unclean.leader.election.enable", Type: TypeBoolean, Default: "false", Doc: "Allow replicas outside the ISR to become leader as a last resort."},
	{Name: "security.inter.broker.protocol", Type: TypeString, Default: "PLAINTEXT", Validate: oneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), Doc: "Security protocol between brokers."},
	{Name: "inter.broker.listener.name", Type: TypeString, Null: true, Doc: "Listener used between brokers; unset means security.inter.broker.protocol."},
	{Name: "inter.broker.protocol.version", Type: TypeString, Default: "2.8-IV1", Validate: apiVersion, Doc: "Inter-broker protocol version."},
	{Name: "replica.selector.class", Type: TypeString, Null: true, Doc: "ReplicaSelector implementation (fetch from followers; not supported by gokafka)."},
	{Name: "num.replica.alter.log.dirs.threads", Type: TypeInt, Null: true, Doc: "Threads moving replicas between log dirs."},

	// Controlled shutdown
	{Name: "controlled.shutdown.max.retries", Type: TypeInt, Default: "3", Doc: "Controlled shutdown attempts before an unclean shutdown."},
	{Name: "controlled.shutdown.retry.backoff.ms", Type: TypeLong, Default: "5000", Doc: "Backoff between controlled shutdown retries."},
	{Name: "controlled.shutdown.enable", Type: TypeBoolean, Default: "true", Doc: "Enable controlled shutdown of the server."},

	// Group coordinator
	{Name: "group.min.session.timeout.ms", Type: TypeInt, Default: "6000", Doc: "Min allowed session timeout for registered consumers."},
	{Name: "group.max.session.timeout.ms", Type: TypeInt, Default: "1800000", Doc: "Max allowed session timeout for registered consumers."},
	{Name: "group.initial.rebalance.delay.ms", Type: TypeInt, Default: "3000", Doc: "Wait for more consumers before the first rebalance of a new group."},
	{Name: "group.max.size", Type: TypeInt, Default: intMax, Validate: atLeast(1), Doc: "Max consumers in one group."},

	// Offset management
	{Name: "offset.metadata.max.bytes", Type: TypeInt, Default: "4096", Doc: "Max size of the metadata of an offset commit."},
	{Name: "offsets.load.buffer.size", Type: TypeInt, Default: "5242880", Validate: atLeast(1), Doc: "Batch size for reading offsets segments into the cache."},
	{Name: "offsets.topic.replication.factor", Type: TypeShort, Default: "3", Validate: atLeast(1), Doc: "Replication factor of the offsets topic."},
	{Name: "offsets.topic.num.partitions", Type: TypeInt, Default: "50", Validate: atLeast(1), Doc: "Partitions of the offsets topic."},
	{Name: "offsets.topic.segment.bytes", Type: TypeInt, Default: "104857600", Validate: atLeast(1), Doc: "Segment size of the offsets topic."},
	{Name: "offsets.topic.compression.codec", Type: TypeInt, Default: "0", Doc: "Compression codec of the offsets topic."},
	{Name: "offsets.retention.minutes", Type: TypeInt, Default: "10080", Validate: atLeast(1), Doc: "Offsets of a group without consumers are kept this long."},
	{Name: "offsets.retention.check.interval.ms", Type: TypeLong, Default: "600000", Validate: atLeast(1), Doc: "How often to check for stale offsets."},
	{Name: "offsets.commit.timeout.ms", Type: TypeInt, Default: "5000", Validate: atLeast(1), Doc: "Offset commit wait for all offsets-topic replicas."},
	{Name: "offsets.commit.required.acks", Type: TypeShort, Default: "-1", Doc: "Acks required before an offset commit is accepted."},

	// Transactions
	{Name: "transactional.id.expiration.ms", Type: TypeInt, Default: "604800000", Validate: atLeast(1), Doc: "Time before an idle transactional id expires."},
	{Name: "transaction.max.timeout.ms", Type: TypeInt, Default: "900000", Validate: atLeast(1), Doc: "Max allowed timeout for transactions."},
	{Name: "transaction.state.log.load.buffer.size", Type: TypeInt, Default: "5242880", Validate: atLeast(1), Doc: "Batch size for reading transaction log segments."},
	{Name: "transaction.state.log.replication.factor", Type: TypeShort, Default: "3", Validate: atLeast(1), Doc: "Replication factor of the transaction topic."},
	{Name: "transaction.state.log.num.partitions", Type: TypeInt, Default: "50", Validate: atLeast(1), Doc: "Partitions of the transaction topic."},
	{Name: "transaction.state.log.segment.bytes", Type: TypeInt, Default: "104857600", Validate: atLeast(1), Doc: "Segment size of the transaction topic."},
	{Name: "transaction.state.log.min.isr", Type: TypeInt, Default: "2", Validate: atLeast(1), Doc: "min.insync.replicas of the transaction topic."},
	{Name: "transaction.abort.timed.out.transaction.cleanup.interval.ms", Type: TypeInt, Default: "10000", Validate: atLeast(1), Doc: "Interval to roll back timed-out transactions."},
	{Name: "transaction.remove.expired.transaction.cleanup.interval.ms", Type: TypeInt, Default: "3600000", Validate: atLeast(1), Doc: "Interval to remove expired transactional ids."},

	// Fetch sessions
	{Name: "max.incremental.fetch.session.cache.slots", Type: TypeInt, Default: "1000", Validate: atLeast(0), Doc: "Max incremental fetch sessions kept."},
	{Name: "fetch.max.bytes", Type: TypeInt, Default: "57671680", Validate: atLeast(1024), Doc: "Max bytes returned for a fetch request."},

	// Quotas
	{Name: "quota.producer.default", Type: TypeLong, Default: longMax, Validate: atLeast(1), Doc: "DEPRECATED: default producer quota (bytes/s) when ZooKeeper holds none."},
	{Name: "quota.consumer.default", Type: TypeLong, Default: longMax, Validate: atLeast(1), Doc: "DEPRECATED: default consumer quota (bytes/s) when ZooKeeper holds none."},
	{Name: "quota.window.num", Type: TypeInt, Default: "11", Validate: atLeast(1), Doc: "Samples retained for client quotas."},
	{Name: "quota.window.size.seconds", Type: TypeInt, Default: "1", Validate: atLeast(1), Doc: "Time span of each client quota sample."},
	{Name: "replication.quota.window.num", Type: TypeInt, Default: "11", Validate: atLeast(1), Doc: "Samples retained for replication quotas."},
	{Name: "replication.quota.window.size.seconds", Type: TypeInt, Default: "1", Validate: atLeast(1), Doc: "Time span of each replication quota sample."},
	{Name: "alter.log.dirs.replication.quota.window.num", Type: TypeInt, Default: "11", Validate: atLeast(1), Doc: "Samples retained for alter log dirs quotas."},
	{Name: "alter.log.dirs.replication.quota.window.size.seconds", Type: TypeInt, Default: "1", Validate: atLeast(1), Doc: "Time span of each alter log dirs quota sample."},
	{Name: "client.quota.callback.class", Type: TypeClass, Null: true, Doc: "ClientQuotaCallback implementation (not supported by gokafka)."},

	// Metrics
	{Name: "metric.reporters", Type: TypeList, Default: "", Doc: "Metrics reporter classes (ignored)."},
	{Name: "metrics.num.samples", Type: TypeInt, Default: "2", Validate: atLeast(1), Doc: "Samples maintained to compute metrics."},
	{Name: "metrics.sample.window.ms", Type: TypeLong, Default: "30000", Validate: atLeast(1), Doc: "Window of time a metrics sample is computed over."},
	{Name: "metrics.recording.level", Type: TypeString, Default: "INFO", Doc: "Highest recording level for metrics."},
	{Name: "kafka.metrics.reporters", Type: TypeList, Default: "", Doc: "Yammer metrics reporter classes (ignored)."},
	{Name: "kafka.metrics.polling.interval.secs", Type: TypeInt, Default: "10", Validate: atLeast(1), Doc: "Metrics polling interval for kafka.metrics.reporters."},

	// SASL
	{Name: "sasl.enabled.mechanisms", Type: TypeList, Default: "GSSAPI", Doc: "SASL mechanisms enabled in the server."},
	{Name: "sasl.mechanism.inter.broker.protocol", Type: TypeString, Default: "GSSAPI", Doc: "SASL mechanism used between brokers."},
}

// ConfigDefs returns the property table (for tools and docs); callers must
// not modify it.
func ConfigDefs() []ConfigDef { return configDefs }

var defsByName = func() map[string]*ConfigDef {
	m := make(map[string]*ConfigDef, len(configDefs))
	for i := range configDefs {
		m[configDefs[i].Name] = &configDefs[i]
	}
	return m
}()

// fieldByName maps a property name to its Config field index, from the tags.
var fieldByName = func() map[string]int {
	m := map[string]int{}
	t := reflect.TypeOf(Config{})
	for i := 0; i < t.NumField(); i++ {
		if tag := t.Field(i).Tag.Get("kafka"); tag != "" {
			m[tag] = i
		}
	}
	return m
}()

// ConfigError is an invalid or missing property, worded as Kafka's
// ConfigException.
type ConfigError struct {
	Name   string
	Value  string
	Reason string // empty for a missing required property
}

func (e *ConfigError) Error() string {
	if e.Reason == "" {
		return fmt.Sprintf("Missing required configuration \"%s\" which has no default value.", e.Name)
	}
	return fmt.Sprintf("Invalid value %s for configuration %s: %s", e.Value, e.Name, e.Reason)
}

// ParseConfig parses a broker's properties. Unknown keys are not an error:
// they come back as warnings in Kafka's wording ("The configuration 'x' was
// supplied but isn't a known config."), sorted. Errors read as Kafka's.
func ParseConfig(props map[string]string) (*Config, []string, error) {
	c := &Config{set: map[string]bool{}}
	v := reflect.ValueOf(c).Elem()
	for i := range configDefs {
		d := &configDefs[i]
		raw, given := props[d.Name]
		if !given {
			if d.Required {
				return nil, nil, &ConfigError{Name: d.Name}
			}
			if d.Null {
				continue
			}
			raw = d.Default
		} else {
			c.set[d.Name] = true
		}
		val, err := parseValue(d, raw)
		if err != nil {
			return nil, nil, err
		}
		if d.Validate != nil {
			if err := d.Validate(val); err != nil {
				shown := displayValue(raw)
				var ev *elementError
				if errors.As(err, &ev) {
					shown = ev.value
				}
				return nil, nil, &ConfigError{Name: d.Name, Value: shown, Reason: err.Error()}
			}
		}
		setField(v.Field(fieldByName[d.Name]), val)
	}
	var warnings []string
	for k := range props {
		if _, ok := defsByName[k]; !ok {
			warnings = append(warnings, fmt.Sprintf("The configuration '%s' was supplied but isn't a known config.", k))
		}
	}
	sort.Strings(warnings)
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	return c, warnings, nil
}

// LoadConfig reads a properties file (Java properties syntax, no ${}
// expansion, as java.util.Properties) and applies overrides of the form
// "key=value" (kafka-server-start.sh's --override values), which win.
func LoadConfig(path string, overrides []string) (*Config, []string, error) {
	props, err := LoadProperties(path)
	if err != nil {
		return nil, nil, err
	}
	for _, o := range overrides {
		k, val, ok := strings.Cut(o, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, nil, fmt.Errorf("Invalid command line properties: %s", o)
		}
		props[strings.TrimSpace(k)] = val
	}
	return ParseConfig(props)
}

// LoadProperties reads a Java properties file into a map.
func LoadProperties(path string) (map[string]string, error) {
	l := &properties.Loader{Encoding: properties.UTF8, DisableExpansion: true}
	p, err := l.LoadFile(path)
	if err != nil {
		return nil, err
	}
	return p.Map(), nil
}

// parseValue converts raw per the property's type with ConfigDef.parseType's
// wording. Values are trimmed as Kafka trims them (not passwords).
func parseValue(d *ConfigDef, raw string) (any, error) {
	s := raw
	if d.Type != TypePassword {
		s = strings.TrimSpace(raw)
	}
	bad := func(reason string) error {
		return &ConfigError{Name: d.Name, Value: displayValue(raw), Reason: reason}
	}
	switch d.Type {
	case TypeBoolean:
		switch strings.ToLower(s) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return nil, bad("Expected value to be either true or false")
	case TypeString, TypeClass, TypePassword:
		return s, nil
	case TypeInt:
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return nil, bad("Not a number of type INT")
		}
		return int32(n), nil
	case TypeShort:
		n, err := strconv.ParseInt(s, 10, 16)
		if err != nil {
			return nil, bad("Not a number of type SHORT")
		}
		return int16(n), nil
	case TypeLong:
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, bad("Not a number of type LONG")
		}
		return n, nil
	case TypeDouble:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, bad("Not a number of type DOUBLE")
		}
		return f, nil
	case TypeList:
		if s == "" {
			return []string{}, nil
		}
		parts := strings.Split(s, ",")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		return parts, nil
	}
	return nil, fmt.Errorf("broker: property %s has unknown type %d", d.Name, d.Type)
}

func displayValue(raw string) string { return strings.TrimSpace(raw) }

// setField stores a parsed value, widening integers when the field is wider
// than the Kafka type (LogSegmentBytes is an int64 for the log package).
func setField(f reflect.Value, val any) {
	if f.Kind() == reflect.Pointer {
		p := reflect.New(f.Type().Elem())
		setField(p.Elem(), val)
		f.Set(p)
		return
	}
	switch x := val.(type) {
	case int16:
		f.SetInt(int64(x))
	case int32:
		f.SetInt(int64(x))
	case int64:
		f.SetInt(x)
	default:
		f.Set(reflect.ValueOf(val))
	}
}

// Validators, with the reasons Kafka's ConfigDef validators give.

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int16:
		return float64(x)
	case int32:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

func atLeast(min float64) func(any) error {
	return func(v any) error {
		if toFloat(v) < min {
			return fmt.Errorf("Value must be at least %s", fmtNum(min))
		}
		return nil
	}
}

func between(min, max float64) func(any) error {
	return func(v any) error {
		f := toFloat(v)
		if f < min {
			return fmt.Errorf("Value must be at least %s", fmtNum(min))
		}
		if f > max {
			return fmt.Errorf("Value must be no more than %s", fmtNum(max))
		}
		return nil
	}
}

// fmtNum prints a bound as Java prints the Number it was given (1, 0.5).
func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func oneOf(valid ...string) func(any) error {
	return func(v any) error {
		s, _ := v.(string)
		for _, x := range valid {
			if s == x {
				return nil
			}
		}
		return fmt.Errorf("String must be one of: %s", strings.Join(valid, ", "))
	}
}

// listOf is ValidList.in: each element must be one of valid, and the error
// names the offending element, not the whole list.
func listOf(valid ...string) func(any) error {
	return func(v any) error {
		for _, s := range v.([]string) {
			if err := oneOf(valid...)(s); err != nil {
				return &elementError{value: s, reason: err.Error()}
			}
		}
		return nil
	}
}

// elementError is a validation failure of one element of a LIST value.
type elementError struct{ value, reason string }

func (e *elementError) Error() string { return e.reason }

// apiVersions are the inter.broker.protocol.version / log.message.format.version
// values Kafka 2.8's ApiVersion accepts (short forms included).
var apiVersions = func() map[string]bool {
	m := map[string]bool{}
	for _, v := range []string{
		"0.8.0", "0.8.1", "0.8.2", "0.9.0",
		"0.10.0-IV0", "0.10.0-IV1", "0.10.1-IV0", "0.10.1-IV1", "0.10.1-IV2", "0.10.2-IV0",
		"0.11.0-IV0", "0.11.0-IV1", "0.11.0-IV2",
		"1.0-IV0", "1.1-IV0", "2.0-IV0", "2.0-IV1", "2.1-IV0", "2.1-IV1", "2.1-IV2",
		"2.2-IV0", "2.2-IV1", "2.3-IV0", "2.3-IV1", "2.4-IV0", "2.4-IV1", "2.5-IV0",
		"2.6-IV0", "2.7-IV0", "2.7-IV1", "2.7-IV2", "2.8-IV0", "2.8-IV1",
	} {
		m[v] = true
		short, _, _ := strings.Cut(v, "-")
		m[short] = true
		if p := strings.Split(short, "."); len(p) == 2 {
			// Kafka accepts "2.8.1" as "2.8" (patch versions share the protocol).
			m[short+".0"] = true
		}
	}
	return m
}()

func apiVersion(v any) error {
	s, _ := v.(string)
	if apiVersions[s] {
		return nil
	}
	// Patch releases (2.8.2) map to their minor version.
	if p := strings.Split(s, "."); len(p) == 3 && apiVersions[p[0]+"."+p[1]] {
		if _, err := strconv.Atoi(p[2]); err == nil {
			return nil
		}
	}
	return fmt.Errorf("Version `%s` is not a valid version", s)
}

// Validate checks the cross-property rules of KafkaConfig.validateValues,
// with its "requirement failed: ..." wording. ParseConfig calls it; call it
// again after changing a parsed Config by hand.
func (c *Config) Validate() error {
	req := func(ok bool, msg string) error {
		if ok {
			return nil
		}
		return errors.New("requirement failed: " + msg)
	}
	checks := []func() error{
		func() error {
			return req(c.BrokerID >= -1 && c.BrokerID <= c.ReservedBrokerMaxID,
				"broker.id must be greater than or equal to -1 and not greater than reserved.broker.max.id")
		},
		func() error {
			return req(c.LogRollMs() >= 1, "log.roll.ms must be greater than or equal to 1")
		},
		func() error {
			return req(c.LogRetentionMs() >= 1 || c.LogRetentionMs() == -1,
				"log.retention.ms must be unlimited (-1) or, greater than or equal to 1")
		},
		func() error {
			return req(len(c.LogDirs()) > 0, "log.dirs must contain at least one directory")
		},
		func() error {
			return req(c.LogCleanerDedupeBufferSize/int64(max(c.LogCleanerThreads, 1)) > 1024*1024,
				"log.cleaner.dedupe.buffer.size must be at least 1MB per cleaner thread.")
		},
		func() error {
			return req(c.ReplicaFetchWaitMaxMs <= c.ReplicaSocketTimeoutMs,
				"replica.socket.timeout.ms should always be at least replica.fetch.wait.max.ms to prevent unnecessary socket timeouts")
		},
		func() error {
			return req(int64(c.ReplicaFetchWaitMaxMs) <= c.ReplicaLagTimeMaxMs,
				"replica.fetch.wait.max.ms should always be less than or equal to replica.lag.time.max.ms to prevent frequent changes in ISR")
		},
		func() error {
			return req(c.OffsetsCommitRequiredAcks >= -1 && c.OffsetsCommitRequiredAcks <= c.OffsetsTopicReplicationFactor,
				"offsets.commit.required.acks must be greater or equal -1 and less or equal to offsets.topic.replication.factor")
		},
		func() error {
			return req(c.GroupMaxSessionTimeoutMs >= c.GroupMinSessionTimeoutMs,
				"group.max.session.timeout.ms must be greater than or equal to group.min.session.timeout.ms")
		},
		c.validateListeners,
	}
	for _, check := range checks {
		if err := check(); err != nil {
			return err
		}
	}
	return nil
}

// IsSet reports whether the property was given explicitly (file or
// override) rather than defaulted.
func (c *Config) IsSet(name string) bool { return c.set[name] }

// Values returns every known property with its effective value as Kafka
// logs it in "KafkaConfig values:" (null for unset, lists comma-joined),
// sorted by name.
func (c *Config) Values() [][2]string {
	v := reflect.ValueOf(c).Elem()
	out := make([][2]string, 0, len(configDefs))
	for i := range configDefs {
		f := v.Field(fieldByName[configDefs[i].Name])
		out = append(out, [2]string{configDefs[i].Name, formatField(f)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

func formatField(f reflect.Value) string {
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return "null"
		}
		f = f.Elem()
	}
	switch f.Kind() {
	case reflect.Slice:
		return "[" + strings.Join(f.Interface().([]string), ", ") + "]"
	case reflect.Float64:
		return strconv.FormatFloat(f.Float(), 'g', -1, 64)
	case reflect.String:
		if f.String() == "" {
			return "null"
		}
	}
	return fmt.Sprint(f.Interface())
}

// LogDirs returns the log directories: log.dirs when set, else log.dir
// (KafkaConfig.logDirs), comma-separated, trimmed, empty entries dropped.
func (c *Config) LogDirs() []string {
	s := c.LogDirsProp
	if s == "" {
		s = c.LogDir
	}
	var dirs []string
	for _, d := range strings.Split(s, ",") {
		if d = strings.TrimSpace(d); d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

// LogRetentionMs is the broker's default retention: log.retention.ms, else
// log.retention.minutes, else log.retention.hours (KafkaConfig
// getLogRetentionTimeMillis). Any negative value means unlimited (-1).
func (c *Config) LogRetentionMs() int64 {
	var ms int64
	switch {
	case c.LogRetentionMsProp != nil:
		ms = *c.LogRetentionMsProp
	case c.LogRetentionMinutes != nil:
		ms = int64(*c.LogRetentionMinutes) * 60 * 1000
	default:
		ms = int64(c.LogRetentionHours) * 60 * 60 * 1000
	}
	if ms < 0 {
		return -1
	}
	return ms
}

// LogRollMs is the segment roll time: log.roll.ms, else log.roll.hours.
func (c *Config) LogRollMs() int64 {
	if c.LogRollMsProp != nil {
		return *c.LogRollMsProp
	}
	return int64(c.LogRollHours) * 60 * 60 * 1000
}

// LogRollJitterMs is log.roll.jitter.ms, else log.roll.jitter.hours.
func (c *Config) LogRollJitterMs() int64 {
	if c.LogRollJitterMsProp != nil {
		return *c.LogRollJitterMsProp
	}
	return int64(c.LogRollJitterHours) * 60 * 60 * 1000
}

// LogFlushMs is log.flush.interval.ms, else log.flush.scheduler.interval.ms.
func (c *Config) LogFlushMs() int64 {
	if c.LogFlushIntervalMs != nil {
		return *c.LogFlushIntervalMs
	}
	return c.LogFlushSchedulerIntervalMs
}

// ZkConnectionTimeoutMs is zookeeper.connection.timeout.ms, else the session
// timeout.
func (c *Config) ZkConnectionTimeoutMs() int32 {
	if c.ZookeeperConnectionTimeoutMs != nil {
		return *c.ZookeeperConnectionTimeoutMs
	}
	return c.ZookeeperSessionTimeoutMs
}

// LogCleanupPolicyString is log.cleanup.policy as a topic config value
// ("delete", "compact" or "compact,delete").
func (c *Config) LogCleanupPolicyString() string { return strings.Join(c.LogCleanupPolicy, ",") }
