package streams

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap"
)

// Config is the part of Kafka's StreamsConfig this runtime uses. Build it
// from properties with ParseConfig, or fill it in directly.
type Config struct {
	ApplicationID    string        // application.id: group id and internal topic prefix
	BootstrapServers []string      // bootstrap.servers
	CommitInterval   time.Duration // commit.interval.ms (30000)
	// CacheMaxBytesBuffering (cache.max.bytes.buffering) sizes the record
	// cache (cache.go): store updates are held per key and emitted at
	// commit or when the cache is full. ParseConfig defaults it to
	// Kafka's 10485760; 0 (also a Config literal's zero) emits every
	// update at once.
	CacheMaxBytesBuffering int64
	ReplicationFactor      int16  // replication.factor for internal topics (1)
	AutoOffsetReset        string // consumer auto.offset.reset ("earliest", Streams' default)
	ClientID               string // client.id; default <application.id>-<process id>
	// Logger receives Kafka Streams' log lines; nil logs nothing.
	Logger *zap.Logger
	// ClientOpts are extra franz-go options for the one client every
	// instance runs (consumer, producer and admin in one).
	ClientOpts []kgo.Opt
}

// knownProperties are the StreamsConfig names ParseConfig understands or
// knowingly ignores; others get Kafka's "isn't a known config" warning.
var knownProperties = map[string]bool{
	"application.id": true, "bootstrap.servers": true, "commit.interval.ms": true,
	"cache.max.bytes.buffering": true, "replication.factor": true, "auto.offset.reset": true,
	"client.id": true, "num.stream.threads": true, "processing.guarantee": true,
	"default.key.serde": true, "default.value.serde": true, "state.dir": true,
	"num.standby.replicas": true, "poll.ms": true,
}

// ParseConfig reads Kafka Streams properties. Unknown keys, and "consumer.",
// "producer." and "admin." client overrides, are ignored with a warning.
func ParseConfig(props map[string]string, log *zap.Logger) (Config, error) {
	if log == nil {
		log = zap.NewNop()
	}
	c := Config{CommitInterval: 30 * time.Second, CacheMaxBytesBuffering: 10 * 1024 * 1024,
		ReplicationFactor: 1, AutoOffsetReset: "earliest", Logger: log}
	get := func(k string) (string, bool) {
		v, ok := props[k]
		return strings.TrimSpace(v), ok
	}
	long := func(k string) (int64, bool, error) {
		v, ok := get(k)
		if !ok {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, false, fmt.Errorf("Invalid value %s for configuration %s: Not a number of type LONG", v, k)
		}
		return n, true, nil
	}
	var ok bool
	if c.ApplicationID, ok = get("application.id"); !ok || c.ApplicationID == "" {
		return c, fmt.Errorf("Missing required configuration \"application.id\" which has no default value.")
	}
	servers, ok := get("bootstrap.servers")
	if !ok {
		return c, fmt.Errorf("Missing required configuration \"bootstrap.servers\" which has no default value.")
	}
	for _, s := range strings.Split(servers, ",") {
		if s = strings.TrimSpace(s); s != "" {
			c.BootstrapServers = append(c.BootstrapServers, s)
		}
	}
	if n, ok, err := long("commit.interval.ms"); err != nil {
		return c, err
	} else if ok {
		if n < 0 {
			return c, fmt.Errorf("Invalid value %d for configuration commit.interval.ms: Value must be at least 0", n)
		}
		c.CommitInterval = time.Duration(n) * time.Millisecond
	}
	if n, ok, err := long("cache.max.bytes.buffering"); err != nil {
		return c, err
	} else if ok {
		c.CacheMaxBytesBuffering = n
	}
	if n, ok, err := long("replication.factor"); err != nil {
		return c, err
	} else if ok {
		c.ReplicationFactor = int16(n)
	}
	if v, ok := get("auto.offset.reset"); ok {
		if v != "earliest" && v != "latest" && v != "none" {
			return c, fmt.Errorf("Invalid value %s for configuration auto.offset.reset: String must be one of: latest, earliest, none", v)
		}
		c.AutoOffsetReset = v
	}
	c.ClientID, _ = get("client.id")
	if v, ok := get("processing.guarantee"); ok && v != "at_least_once" {
		return c, fmt.Errorf("streams: processing.guarantee=%s is not supported; only at_least_once is", v)
	}
	if n, ok, err := long("num.stream.threads"); err != nil {
		return c, err
	} else if ok && n != 1 {
		log.Warn(fmt.Sprintf("num.stream.threads=%d: this runtime runs one stream thread per instance", n))
	}
	for k := range props {
		if !knownProperties[k] && !clientPrefixed(k) {
			log.Warn(fmt.Sprintf("The configuration '%s' was supplied but isn't a known config.", k))
		}
	}
	return c, nil
}

// clientPrefixed reports whether k is a StreamsConfig override for one of
// its clients or for internal topics ("consumer.", "producer.",
// "topic.", ...). They are accepted; this runtime does not apply them.
func clientPrefixed(k string) bool {
	for _, p := range []string{"consumer.", "producer.", "admin.", "main.consumer.", "restore.consumer.", "global.consumer.", "topic."} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
