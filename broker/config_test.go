package broker

import (
	"reflect"
	"strings"
	"testing"
)

// minimal is the smallest valid broker configuration: zookeeper.connect is
// the only property without a default.
func minimal(extra ...string) map[string]string {
	m := map[string]string{"zookeeper.connect": "localhost:2181"}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i]] = extra[i+1]
	}
	return m
}

func mustParse(t *testing.T, props map[string]string) *Config {
	t.Helper()
	c, _, err := ParseConfig(props)
	if err != nil {
		t.Fatalf("ParseConfig(%v): %v", props, err)
	}
	return c
}

// Every table row has exactly one Config field, tagged with its name, whose
// Go type can hold the Kafka type; every tagged field has a row.
func TestConfigTableMatchesStruct(t *testing.T) {
	rt := reflect.TypeOf(Config{})
	tagged := map[string]reflect.StructField{}
	for i := 0; i < rt.NumField(); i++ {
		f := rt.Field(i)
		if tag := f.Tag.Get("kafka"); tag != "" {
			if _, dup := tagged[tag]; dup {
				t.Errorf("two fields are tagged %q", tag)
			}
			tagged[tag] = f
		}
	}
	seen := map[string]bool{}
	for _, d := range configDefs {
		if seen[d.Name] {
			t.Errorf("%s: defined twice", d.Name)
		}
		seen[d.Name] = true
		f, ok := tagged[d.Name]
		if !ok {
			t.Errorf("%s: no Config field", d.Name)
			continue
		}
		ft := f.Type
		if d.Null && ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		} else if ft.Kind() == reflect.Pointer {
			t.Errorf("%s: pointer field %s for a property with a default", d.Name, f.Name)
		}
		want := map[ConfigType][]reflect.Kind{
			TypeBoolean: {reflect.Bool}, TypeString: {reflect.String}, TypeClass: {reflect.String},
			TypePassword: {reflect.String}, TypeInt: {reflect.Int32, reflect.Int64}, TypeShort: {reflect.Int16},
			TypeLong: {reflect.Int64}, TypeDouble: {reflect.Float64}, TypeList: {reflect.Slice},
		}[d.Type]
		ok = false
		for _, k := range want {
			ok = ok || ft.Kind() == k
		}
		if !ok {
			t.Errorf("%s: field %s has type %s, which cannot hold a %s", d.Name, f.Name, f.Type, d.Type)
		}
		if d.Doc == "" {
			t.Errorf("%s: no doc", d.Name)
		}
		if !d.Null && !d.Required {
			if _, err := parseValue(&configDefs[indexOf(d.Name)], d.Default); err != nil {
				t.Errorf("%s: default %q does not parse: %v", d.Name, d.Default, err)
			}
		}
	}
	for name, f := range tagged {
		if !seen[name] {
			t.Errorf("field %s is tagged %q, which has no table row", f.Name, name)
		}
	}
}

func indexOf(name string) int {
	for i, d := range configDefs {
		if d.Name == name {
			return i
		}
	}
	return -1
}

// The defaults of configs.md §2 (Kafka 2.8's KafkaConfig), as the broker
// logs them in "KafkaConfig values:".
func TestDefaultsAreKafkas(t *testing.T) {
	values := map[string]string{}
	for _, kv := range mustParse(t, minimal()).Values() {
		values[kv[0]] = kv[1]
	}
	want := map[string]string{
		"broker.id": "-1", "broker.id.generation.enable": "true", "reserved.broker.max.id": "1000",
		"default.replication.factor": "1", "auto.create.topics.enable": "true", "delete.topic.enable": "true",
		"min.insync.replicas": "1", "unclean.leader.election.enable": "false", "message.max.bytes": "1048588",
		"replica.lag.time.max.ms": "30000", "replica.fetch.max.bytes": "1048576",
		"replica.fetch.wait.max.ms": "500", "replica.fetch.min.bytes": "1",
		"replica.fetch.response.max.bytes": "10485760", "replica.fetch.backoff.ms": "1000",
		"num.replica.fetchers": "1", "replica.high.watermark.checkpoint.interval.ms": "5000",
		"replica.socket.timeout.ms": "30000", "controller.socket.timeout.ms": "30000",
		"auto.leader.rebalance.enable": "true", "leader.imbalance.per.broker.percentage": "10",
		"leader.imbalance.check.interval.seconds": "300", "controlled.shutdown.enable": "true",
		"controlled.shutdown.max.retries": "3", "controlled.shutdown.retry.backoff.ms": "5000",
		"zookeeper.session.timeout.ms": "18000", "group.min.session.timeout.ms": "6000",
		"group.max.session.timeout.ms": "1800000", "group.initial.rebalance.delay.ms": "3000",
		"offsets.topic.num.partitions": "50", "offsets.topic.replication.factor": "3",
		"offsets.topic.segment.bytes": "104857600", "offsets.retention.minutes": "10080",
		"offsets.retention.check.interval.ms": "600000", "offsets.commit.timeout.ms": "5000",
		"offsets.commit.required.acks": "-1", "offset.metadata.max.bytes": "4096",
		"transaction.state.log.num.partitions": "50", "transaction.state.log.replication.factor": "3",
		"transaction.state.log.min.isr": "2", "log.cleanup.policy": "[delete]",
		"log.retention.bytes": "-1", "log.roll.hours": "168", "log.index.size.max.bytes": "10485760",
		"log.index.interval.bytes": "4096", "log.segment.delete.delay.ms": "60000",
		"log.cleaner.enable": "true", "log.cleaner.threads": "1", "log.cleaner.min.cleanable.ratio": "0.5",
		"log.cleaner.delete.retention.ms": "86400000", "log.flush.offset.checkpoint.interval.ms": "60000",
		"log.message.timestamp.type": "CreateTime", "compression.type": "producer",
		"queued.max.requests": "500", "connections.max.idle.ms": "600000",
		"inter.broker.protocol.version": "2.8-IV1", "security.inter.broker.protocol": "PLAINTEXT",
		"inter.broker.listener.name": "null", "broker.rack": "null",
		"log.retention.hours": "168", "log.segment.bytes": "1073741824", "num.partitions": "1",
		"log.dir": "/tmp/kafka-logs", "log.dirs": "null", "listeners": "null",
		"fetch.max.bytes": "57671680", "socket.request.max.bytes": "104857600",
		"max.connections": "2147483647", "log.retention.check.interval.ms": "300000",
	}
	for k, v := range want {
		if got, ok := values[k]; !ok {
			t.Errorf("%s: not in the table", k)
		} else if got != v {
			t.Errorf("%s = %s, want %s", k, got, v)
		}
	}
}

// The shipped config/server.properties parses without warnings, and the
// quickstart's second broker is the same file with three keys changed.
func TestShippedServerProperties(t *testing.T) {
	c, warnings, err := LoadConfig("../config/server.properties", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 0 {
		t.Errorf("warnings: %v", warnings)
	}
	if c.BrokerID != 0 || c.NumPartitions != 1 || c.ZookeeperConnect != "localhost:2181" ||
		c.ZkConnectionTimeoutMs() != 18000 || c.GroupInitialRebalanceDelayMs != 0 ||
		c.OffsetsTopicReplicationFactor != 1 || c.TransactionStateLogMinIsr != 1 ||
		c.LogRetentionMs() != 168*3600*1000 || c.LogSegmentBytes != 1<<30 {
		t.Errorf("unexpected values: %+v", c)
	}
	if got := c.LogDirs(); !reflect.DeepEqual(got, []string{"/tmp/kafka-logs"}) {
		t.Errorf("LogDirs() = %v", got)
	}
	eps, err := c.ListenerEndpoints()
	if err != nil || len(eps) != 1 || eps[0].String() != "PLAINTEXT://:9092" {
		t.Errorf("ListenerEndpoints() = %v, %v; want [PLAINTEXT://:9092]", eps, err)
	}

	c1, _, err := LoadConfig("../config/server.properties",
		[]string{"broker.id=1", "listeners=PLAINTEXT://:9093", "log.dirs=/tmp/kafka-logs-1"})
	if err != nil {
		t.Fatal(err)
	}
	eps, _ = c1.ListenerEndpoints()
	if c1.BrokerID != 1 || eps[0].Port != 9093 || c1.LogDirs()[0] != "/tmp/kafka-logs-1" {
		t.Errorf("overrides not applied: id %d, listeners %v, dirs %v", c1.BrokerID, eps, c1.LogDirs())
	}
}

// Errors read as Kafka's ConfigException and KafkaConfig requirement
// messages, so users can search for them.
func TestConfigErrorsAreWordedAsKafkas(t *testing.T) {
	cases := []struct {
		props map[string]string
		want  string
	}{
		{map[string]string{}, `Missing required configuration "zookeeper.connect" which has no default value.`},
		{minimal("num.partitions", "abc"), "Invalid value abc for configuration num.partitions: Not a number of type INT"},
		{minimal("num.partitions", "0"), "Invalid value 0 for configuration num.partitions: Value must be at least 1"},
		{minimal("log.retention.bytes", "1k"), "Invalid value 1k for configuration log.retention.bytes: Not a number of type LONG"},
		{minimal("offsets.topic.replication.factor", "70000"), "Invalid value 70000 for configuration offsets.topic.replication.factor: Not a number of type SHORT"},
		{minimal("log.cleaner.min.cleanable.ratio", "x"), "Invalid value x for configuration log.cleaner.min.cleanable.ratio: Not a number of type DOUBLE"},
		{minimal("log.cleaner.min.cleanable.ratio", "1.5"), "Invalid value 1.5 for configuration log.cleaner.min.cleanable.ratio: Value must be no more than 1"},
		{minimal("auto.create.topics.enable", "yes"), "Invalid value yes for configuration auto.create.topics.enable: Expected value to be either true or false"},
		{minimal("log.cleanup.policy", "compact,remove"), "Invalid value remove for configuration log.cleanup.policy: String must be one of: compact, delete"},
		{minimal("log.message.timestamp.type", "Now"), "Invalid value Now for configuration log.message.timestamp.type: String must be one of: CreateTime, LogAppendTime"},
		{minimal("inter.broker.protocol.version", "9.9"), "Invalid value 9.9 for configuration inter.broker.protocol.version: Version `9.9` is not a valid version"},
		{minimal("broker.id", "1001"), "requirement failed: broker.id must be greater than or equal to -1 and not greater than reserved.broker.max.id"},
		{minimal("listeners", "PLAINTEXT://:9092,SSL://:9092"), "requirement failed: Each listener must have a different port, listeners: PLAINTEXT://:9092,SSL://:9092"},
		{minimal("listeners", "PLAINTEXT://:9092,PLAINTEXT://:9093"), "requirement failed: Each listener must have a different name, listeners: PLAINTEXT://:9092,PLAINTEXT://:9093"},
		{minimal("listeners", "localhost:9092"), "Unable to parse localhost:9092 to a broker endpoint"},
		{minimal("listeners", "INTERNAL://:9092"), "No security protocol defined for listener INTERNAL"},
		{minimal("advertised.listeners", "PLAINTEXT://0.0.0.0:9092"), "requirement failed: advertised.listeners cannot use the nonroutable meta-address 0.0.0.0. Use a routable IP address."},
		{minimal("inter.broker.listener.name", "SSL"), "requirement failed: inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are PLAINTEXT"},
		{minimal("inter.broker.listener.name", "PLAINTEXT", "security.inter.broker.protocol", "PLAINTEXT"), "Only one of inter.broker.listener.name and security.inter.broker.protocol should be set."},
	}
	for _, tc := range cases {
		_, _, err := ParseConfig(tc.props)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseConfig(%v)\n got: %v\nwant: %s", tc.props, err, tc.want)
		}
	}
}

// Values are trimmed as Kafka trims them, booleans are case-insensitive,
// and inter.broker.protocol.version accepts short and patch forms.
func TestLenientParsing(t *testing.T) {
	c := mustParse(t, minimal("num.partitions", " 3 ", "auto.create.topics.enable", "FALSE",
		"inter.broker.protocol.version", "2.8", "log.message.format.version", "2.7.1"))
	if c.NumPartitions != 3 || c.AutoCreateTopicsEnable {
		t.Errorf("num.partitions = %d, auto.create.topics.enable = %v", c.NumPartitions, c.AutoCreateTopicsEnable)
	}
}

// Unknown keys are warned about, in Kafka's wording, and are not fatal.
func TestUnknownKeysAreWarnings(t *testing.T) {
	_, warnings, err := ParseConfig(minimal("foo.bar", "1", "log.retention.hourz", "2"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"The configuration 'foo.bar' was supplied but isn't a known config.",
		"The configuration 'log.retention.hourz' was supplied but isn't a known config.",
	}
	if !reflect.DeepEqual(warnings, want) {
		t.Errorf("warnings = %q, want %q", warnings, want)
	}
}

// log.retention.ms beats log.retention.minutes beats log.retention.hours
// (KafkaConfig.getLogRetentionTimeMillis); negative means unlimited.
func TestRetentionPrecedence(t *testing.T) {
	cases := []struct {
		props []string
		want  int64
	}{
		{nil, 168 * 3600 * 1000},
		{[]string{"log.retention.hours", "1"}, 3600 * 1000},
		{[]string{"log.retention.hours", "1", "log.retention.minutes", "5"}, 5 * 60 * 1000},
		{[]string{"log.retention.minutes", "5", "log.retention.ms", "1234"}, 1234},
		{[]string{"log.retention.ms", "-1"}, -1},
		{[]string{"log.retention.hours", "-5"}, -1},
	}
	for _, tc := range cases {
		if got := mustParse(t, minimal(tc.props...)).LogRetentionMs(); got != tc.want {
			t.Errorf("%v: LogRetentionMs() = %d, want %d", tc.props, got, tc.want)
		}
	}
	_, _, err := ParseConfig(minimal("log.retention.ms", "0"))
	if err == nil || !strings.Contains(err.Error(), "log.retention.ms must be unlimited (-1) or, greater than or equal to 1") {
		t.Errorf("log.retention.ms=0: %v", err)
	}
}

// log.roll.ms beats log.roll.hours; jitter and flush follow the same shape.
func TestRollAndFlushFallbacks(t *testing.T) {
	c := mustParse(t, minimal())
	if c.LogRollMs() != 168*3600*1000 || c.LogRollJitterMs() != 0 || c.LogFlushMs() != 1<<63-1 {
		t.Errorf("defaults: roll %d, jitter %d, flush %d", c.LogRollMs(), c.LogRollJitterMs(), c.LogFlushMs())
	}
	c = mustParse(t, minimal("log.roll.hours", "2", "log.roll.ms", "500", "log.roll.jitter.hours", "1",
		"log.flush.interval.ms", "1000", "zookeeper.connection.timeout.ms", "6000"))
	if c.LogRollMs() != 500 || c.LogRollJitterMs() != 3600*1000 || c.LogFlushMs() != 1000 || c.ZkConnectionTimeoutMs() != 6000 {
		t.Errorf("roll %d, jitter %d, flush %d, zk %d", c.LogRollMs(), c.LogRollJitterMs(), c.LogFlushMs(), c.ZkConnectionTimeoutMs())
	}
}

// log.dirs wins over log.dir; entries are trimmed.
func TestLogDirs(t *testing.T) {
	if got := mustParse(t, minimal("log.dir", "/a")).LogDirs(); !reflect.DeepEqual(got, []string{"/a"}) {
		t.Errorf("log.dir only: %v", got)
	}
	got := mustParse(t, minimal("log.dir", "/a", "log.dirs", "/b, /c,")).LogDirs()
	if !reflect.DeepEqual(got, []string{"/b", "/c"}) {
		t.Errorf("log.dirs: %v", got)
	}
}

// Listener names are case-insensitive (normalised to upper case); an empty
// host binds everything and is advertised as the canonical host name;
// advertised.listeners replaces the listeners in ZooKeeper.
func TestListenersAndAdvertised(t *testing.T) {
	c := mustParse(t, minimal("listeners", "plaintext://:9093"))
	eps, err := c.ListenerEndpoints()
	if err != nil || len(eps) != 1 || eps[0] != (Endpoint{Name: "PLAINTEXT", Port: 9093, SecurityProtocol: "PLAINTEXT"}) {
		t.Fatalf("ListenerEndpoints() = %+v, %v", eps, err)
	}
	adv, err := c.AdvertisedEndpoints()
	if err != nil || adv[0].Host != CanonicalHostName() || adv[0].Host == "" || adv[0].Port != 9093 {
		t.Errorf("AdvertisedEndpoints() = %+v, %v; want host %q", adv, err, CanonicalHostName())
	}

	c = mustParse(t, minimal(
		"listeners", "INTERNAL://127.0.0.1:9092,EXTERNAL://[::1]:9094",
		"advertised.listeners", "INTERNAL://broker0:9092,EXTERNAL://example.com:19094",
		"listener.security.protocol.map", "INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT",
		"inter.broker.listener.name", "INTERNAL"))
	eps, _ = c.ListenerEndpoints()
	if eps[1].Host != "::1" || eps[1].Addr() != "[::1]:9094" {
		t.Errorf("IPv6 listener: %+v", eps[1])
	}
	adv, _ = c.AdvertisedEndpoints()
	if adv[0].String() != "INTERNAL://broker0:9092" || adv[1].String() != "EXTERNAL://example.com:19094" {
		t.Errorf("AdvertisedEndpoints() = %v", adv)
	}
	if c.InterBrokerListener() != "INTERNAL" {
		t.Errorf("InterBrokerListener() = %s", c.InterBrokerListener())
	}
}

// --override values must be key=value.
func TestBadOverride(t *testing.T) {
	_, _, err := LoadConfig("../config/server.properties", []string{"broker.id"})
	if err == nil || err.Error() != "Invalid command line properties: broker.id" {
		t.Errorf("LoadConfig with a bad override: %v", err)
	}
	if _, _, err := LoadConfig("no-such-file.properties", nil); err == nil {
		t.Error("LoadConfig of a missing file succeeded")
	}
}
