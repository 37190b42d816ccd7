package broker

import (
	"math"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.uber.org/zap"

	"gokafka/zkcoord"
)

// Client byte-rate quotas (Kafka 2.8's ClientQuotaManager with the default
// quota callback). One manager per kind: produce (producer_byte_rate,
// request bytes) and fetch (consumer_byte_rate, response bytes).
//
// A request's client is the pair (user, client-id). Without SASL every
// connection's principal is KafkaPrincipal.ANONYMOUS, so the user is
// "ANONYMOUS": /config/users/ANONYMOUS and /config/users/<default> quotas
// apply to PLAINTEXT clients. Which stored quota applies is Kafka's order:
//
//  1. /config/users/<user>/clients/<client-id>
//  2. /config/users/<user>/clients/<default>
//  3. /config/users/<user>
//  4. /config/users/<default>/clients/<client-id>
//  5. /config/users/<default>/clients/<default>
//  6. /config/users/<default>
//  7. /config/clients/<client-id>
//  8. /config/clients/<default>
//  9. the static quota.producer.default / quota.consumer.default, if set
//
// The first level that exists also decides who shares a rate sensor (the
// metric tags): a <user> or <default> user quota is shared by all that
// user's client ids, a client-id quota by all users of that client id, and
// a default entity gives each user/client its own sensor with the default
// bound. Quotas are re-resolved on every recording, so an AlterClientQuotas
// or kafka-configs change applies to the next request without a restart.
//
// When no quota of the kind exists at all, enabled() is false and the
// request paths skip all quota work (Kafka's QuotaTypes.NoQuotas).

// anonymousUser is the (sanitised) user of every unauthenticated connection.
const anonymousUser = "ANONYMOUS"

// Kinds of entity-name component.
const (
	partNone    uint8 = iota // the entity has no such component
	partNamed                // a named user or client id
	partDefault              // <default>
)

type entityPart struct {
	kind uint8
	name string // partNamed only; users sanitised, client ids plain (as Kafka keys them)
}

type quotaEntity struct{ user, client entityPart }

// sensorKey is a sensor's metric tags; "" means the tag is not part of it.
type sensorKey struct{ user, client string }

// quotaSensor is one rate with the bound it was last checked against.
type quotaSensor struct {
	mu       sync.Mutex
	rate     *quotaRate
	lastUsed int64 // ms; for expiry
}

// clientQuotaManager enforces one kind of byte-rate quota. Safe for
// concurrent use.
type clientQuotaManager struct {
	kind       string // "Produce" or "Fetch", for logs
	configKey  string // producer_byte_rate or consumer_byte_rate
	static     float64
	windowMs   int64
	numSamples int
	now        func() time.Time // tests replace it
	lg         *zap.Logger

	on atomic.Bool // any quota of this kind exists

	mu        sync.RWMutex
	overrides map[quotaEntity]float64 // guarded by mu
	sensors   map[sensorKey]*quotaSensor
}

// sensorExpiry drops sensors idle this long (Kafka's inactive sensor
// expiration, one hour for quota sensors).
const sensorExpiry = time.Hour

func newClientQuotaManager(kind, configKey string, staticDefault int64, windowSeconds, numSamples int32, lg *zap.Logger) *clientQuotaManager {
	m := &clientQuotaManager{
		kind:       kind,
		configKey:  configKey,
		static:     math.Inf(1),
		windowMs:   int64(windowSeconds) * 1000,
		numSamples: int(numSamples),
		now:        time.Now,
		lg:         lg,
		overrides:  map[quotaEntity]float64{},
		sensors:    map[sensorKey]*quotaSensor{},
	}
	if staticDefault > 0 && staticDefault < math.MaxInt64 {
		m.static = float64(staticDefault)
	}
	m.on.Store(!math.IsInf(m.static, 1))
	return m
}

// enabled is the fast-path check: false when no quota of this kind exists.
func (m *clientQuotaManager) enabled() bool { return m != nil && m.on.Load() }

// update sets (ok) or removes (!ok) the quota of one entity.
func (m *clientQuotaManager) update(e quotaEntity, bound float64, ok bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	old, had := m.overrides[e]
	if ok {
		m.overrides[e] = bound
	} else {
		delete(m.overrides, e)
	}
	m.on.Store(len(m.overrides) > 0 || !math.IsInf(m.static, 1))
	if ok && (!had || old != bound) {
		m.lg.Info("Changing " + m.kind + " quota for " + describeEntity(e) + " to " + strconv.FormatFloat(bound, 'f', -1, 64))
	} else if !ok && had {
		m.lg.Info("Removing " + m.kind + " quota for " + describeEntity(e))
	}
}

func describeEntity(e quotaEntity) string {
	part := func(label string, p entityPart) string {
		switch p.kind {
		case partNamed:
			return label + " " + p.name
		case partDefault:
			return "default " + label
		}
		return ""
	}
	var s []string
	if x := part("user", e.user); x != "" {
		s = append(s, x)
	}
	if x := part("clientId", e.client); x != "" {
		s = append(s, x)
	}
	return strings.Join(s, ", ")
}

// resolve returns the sensor key and bound for (user, clientID), under
// m.mu held for reading (DefaultQuotaCallback.quotaMetricTags, then
// quotaLimit). bound is +Inf when no quota applies.
func (m *clientQuotaManager) resolve(user, clientID string) (sensorKey, float64) {
	u := entityPart{partNamed, user}
	c := entityPart{partNamed, clientID}
	du := entityPart{kind: partDefault}
	dc := entityPart{kind: partDefault}
	none := entityPart{}
	get := func(user, client entityPart) (float64, bool) {
		q, ok := m.overrides[quotaEntity{user, client}]
		return q, ok
	}
	// <user, client> levels: 1, 2, then 4, 5 (3 is checked between them).
	for _, e := range []quotaEntity{{u, c}, {u, dc}} {
		if q, ok := get(e.user, e.client); ok {
			return sensorKey{user, clientID}, q
		}
	}
	if q, ok := get(u, none); ok {
		return sensorKey{user, ""}, q
	}
	for _, e := range []quotaEntity{{du, c}, {du, dc}} {
		if q, ok := get(e.user, e.client); ok {
			return sensorKey{user, clientID}, q
		}
	}
	if q, ok := get(du, none); ok {
		return sensorKey{user, ""}, q
	}
	if q, ok := get(none, c); ok {
		return sensorKey{"", clientID}, q
	}
	if q, ok := get(none, dc); ok {
		return sensorKey{"", clientID}, q
	}
	return sensorKey{"", clientID}, m.static
}

// quotaFor is the bound that applies to (user, clientID), +Inf if none.
func (m *clientQuotaManager) quotaFor(user, clientID string) float64 {
	m.mu.RLock()
	defer m.mu.RUnlock()
	_, q := m.resolve(user, clientID)
	return q
}

// sensor returns the rate sensor for (user, clientID) and its bound.
func (m *clientQuotaManager) sensor(user, clientID string, nowMs int64) (*quotaSensor, float64) {
	m.mu.RLock()
	key, bound := m.resolve(user, clientID)
	s := m.sensors[key]
	m.mu.RUnlock()
	if s != nil {
		return s, bound
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if s = m.sensors[key]; s == nil {
		m.expireSensors(nowMs)
		s = &quotaSensor{rate: newQuotaRate(m.windowMs, m.numSamples)}
		m.sensors[key] = s
	}
	return s, bound
}

// expireSensors drops idle sensors; called under m.mu when one is added,
// so the map cannot grow without bound with short-lived client ids.
func (m *clientQuotaManager) expireSensors(nowMs int64) {
	for k, s := range m.sensors {
		s.mu.Lock()
		idle := nowMs-s.lastUsed >= sensorExpiry.Milliseconds()
		s.mu.Unlock()
		if idle {
			delete(m.sensors, k)
		}
	}
}

// recordAndGetThrottleTimeMs records value for the client and returns how
// long it must be throttled, 0 if it is within its quota
// (ClientQuotaManager.maybeRecordAndGetThrottleTimeMs). The value stays
// recorded either way, as Kafka's Sensor.record does before checking.
func (m *clientQuotaManager) recordAndGetThrottleTimeMs(user, clientID string, value float64) int64 {
	if !m.enabled() {
		return 0
	}
	nowMs := m.now().UnixMilli()
	s, bound := m.sensor(user, clientID, nowMs)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lastUsed = nowMs
	s.rate.record(value, nowMs)
	observed := s.rate.measure(nowMs)
	if observed <= bound {
		return 0
	}
	t := throttleTimeMs(observed, bound, s.rate.windowSize(nowMs))
	if t > math.MaxInt32 {
		t = math.MaxInt32
	}
	m.lg.Debug("Quota violated for sensor ("+m.kind+":"+clientID+"). Delay time: ("+strconv.FormatInt(t, 10)+")",
		zap.String("user", user), zap.String("clientId", clientID), zap.Float64("rate", observed), zap.Float64("quota", bound))
	return t
}

// unrecord takes back value recorded for a response that was not sent
// (a throttled fetch answers empty), without a quota check.
func (m *clientQuotaManager) unrecord(user, clientID string, value float64) {
	if !m.enabled() {
		return
	}
	nowMs := m.now().UnixMilli()
	s, _ := m.sensor(user, clientID, nowMs)
	s.mu.Lock()
	s.rate.record(-value, nowMs)
	s.mu.Unlock()
}

// maxValueInQuotaWindow is the most a client may fetch at once without
// certainly being throttled afterwards: the quota times all but one of the
// retained windows (ClientQuotaManager.getMaxValueInQuotaWindow). A fetch's
// max_bytes is capped to it so that a consumer under a small quota still
// makes progress.
func (m *clientQuotaManager) maxValueInQuotaWindow(user, clientID string) int64 {
	if !m.enabled() {
		return math.MaxInt32
	}
	q := m.quotaFor(user, clientID)
	v := q * float64(m.numSamples-1) * float64(m.windowMs) / 1000
	if math.IsInf(q, 1) || v >= math.MaxInt32 {
		return math.MaxInt32
	}
	return int64(v)
}

// quotaManagers are a broker's client quota managers.
type quotaManagers struct {
	produce *clientQuotaManager
	fetch   *clientQuotaManager
}

func newQuotaManagers(cfg *Config, lg *zap.Logger) *quotaManagers {
	return &quotaManagers{
		produce: newClientQuotaManager("Produce", "producer_byte_rate", cfg.QuotaProducerDefault,
			cfg.QuotaWindowSizeSeconds, cfg.QuotaWindowNum, lg.Named("kafka.server.ClientQuotaManager")),
		fetch: newClientQuotaManager("Fetch", "consumer_byte_rate", cfg.QuotaConsumerDefault,
			cfg.QuotaWindowSizeSeconds, cfg.QuotaWindowNum, lg.Named("kafka.server.ClientQuotaManager")),
	}
}

// quotas is the broker's quota managers; nil before the config change
// listener starts (then nothing is throttled).
func (b *Broker) quotas() *quotaManagers {
	if b.configChanges == nil {
		return nil
	}
	return b.configChanges.quotas
}

// applyQuotaConfig applies one stored user/client entity's byte-rate
// quotas (ClientIdConfigHandler / UserConfigHandler). typ is
// zkcoord.ConfigTypeClient or ConfigTypeUser; name is the znode path below
// it as written to /config/changes: "c", "u" or "u/clients/c", sanitised.
func (q *quotaManagers) applyQuotaConfig(typ, name string, cfg map[string]string) {
	e, ok := parseQuotaEntity(typ, name)
	if !ok {
		return
	}
	for _, m := range []*clientQuotaManager{q.produce, q.fetch} {
		v, has := cfg[m.configKey]
		var bound float64
		if has {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				has = false
			} else {
				bound = f
			}
		}
		m.update(e, bound, has)
	}
}

// parseQuotaEntity turns a config entity path into a quota entity. User
// names stay sanitised and client ids are desanitised, as Kafka keys them.
func parseQuotaEntity(typ, name string) (quotaEntity, bool) {
	part := func(s string, user bool) entityPart {
		if s == zkcoord.DefaultEntity {
			return entityPart{kind: partDefault}
		}
		if !user {
			s = zkcoord.DesanitizeEntityName(s)
		}
		return entityPart{kind: partNamed, name: s}
	}
	switch typ {
	case zkcoord.ConfigTypeClient:
		if name == "" || strings.Contains(name, "/") {
			return quotaEntity{}, false
		}
		return quotaEntity{client: part(name, false)}, true
	case zkcoord.ConfigTypeUser:
		u, rest, nested := strings.Cut(name, "/")
		if u == "" {
			return quotaEntity{}, false
		}
		if !nested {
			return quotaEntity{user: part(u, true)}, true
		}
		c, ok := strings.CutPrefix(rest, zkcoord.ConfigTypeClient+"/")
		if !ok || c == "" || strings.Contains(c, "/") {
			return quotaEntity{}, false
		}
		return quotaEntity{user: part(u, true), client: part(c, false)}, true
	}
	return quotaEntity{}, false
}

// loadQuotas applies every stored user and client quota (the config
// manager's startup pass over /config/users and /config/clients).
func (b *Broker) loadQuotas(q *quotaManagers) {
	clients, err := b.zk.EntityNames(zkcoord.ConfigTypeClient)
	if err != nil {
		b.lg.Warn("Could not read client quotas", zap.Error(err))
	}
	for _, c := range clients {
		b.reloadQuotaEntity(q, zkcoord.ConfigTypeClient, c)
	}
	users, err := b.zk.EntityNames(zkcoord.ConfigTypeUser)
	if err != nil {
		b.lg.Warn("Could not read user quotas", zap.Error(err))
	}
	for _, u := range users {
		b.reloadQuotaEntity(q, zkcoord.ConfigTypeUser, u)
		kids, err := b.zk.EntityNames(zkcoord.ConfigTypeUser + "/" + u + "/" + zkcoord.ConfigTypeClient)
		if err != nil {
			continue
		}
		for _, c := range kids {
			b.reloadQuotaEntity(q, zkcoord.ConfigTypeUser, u+"/"+zkcoord.ConfigTypeClient+"/"+c)
		}
	}
}

// reloadQuotaEntity re-reads one entity's config and applies its quotas.
func (b *Broker) reloadQuotaEntity(q *quotaManagers, typ, name string) {
	cfg, err := b.zk.EntityConfig(typ, name)
	if err != nil {
		b.lg.Warn("Could not read config of "+typ+"/"+name, zap.Error(err))
		return
	}
	q.applyQuotaConfig(typ, name, cfg)
}
