package broker

import (
	"math"
	"testing"
	"time"

	"go.uber.org/zap"

	"gokafka/zkcoord"
)

// With 11 samples of 1 s, a fresh rate is divided by at least 10 s: the
// first burst is averaged over ten windows, not over the instant it took.
func TestQuotaRateMinimumWindow(t *testing.T) {
	r := newQuotaRate(1000, 11)
	r.record(1000, 0)
	if w := r.windowSize(0); w != 10000 {
		t.Fatalf("window %d ms, want 10000", w)
	}
	if got := r.measure(0); got != 100 {
		t.Fatalf("rate %v, want 100 bytes/s", got)
	}
	// Half a second in, the window is 10.5 s: the minimum is added to the
	// time actually elapsed.
	if got := r.measure(500); got != 1000/10.5 {
		t.Fatalf("rate %v, want %v", got, 1000/10.5)
	}
	// After 12 s of recording once per second the window is the real
	// elapsed span from the oldest retained sample (10 s old plus 500 ms).
	for s := int64(1); s <= 12; s++ {
		r.record(1000, s*1000)
	}
	if w := r.windowSize(12500); w != 10500 {
		t.Fatalf("window %d ms, want 10500", w)
	}
	// 11 samples of 1000 bytes are retained.
	if got, want := r.measure(12500), 11000/10.5; math.Abs(got-want) > 1e-9 {
		t.Fatalf("rate %v, want %v", got, want)
	}
}

// Samples older than numSamples windows no longer count.
func TestQuotaRateExpiresOldSamples(t *testing.T) {
	r := newQuotaRate(1000, 2)
	r.record(5000, 0)
	if got := r.measure(0); got != 5000 {
		t.Fatalf("rate %v, want 5000 (5000 bytes over the 1 s minimum window)", got)
	}
	if got := r.measure(2000); got != 0 {
		t.Fatalf("rate %v after the samples expired, want 0", got)
	}
}

// The throttle time is the excess over the quota, as a fraction of it,
// times the measurement window: 50% over for a 10 s window is 5 s.
func TestThrottleTimeArithmetic(t *testing.T) {
	for _, c := range []struct {
		observed, bound float64
		window          int64
		want            int64
	}{
		{150, 100, 10000, 5000},
		{100, 100, 10000, 0},
		{99, 100, 10000, 0},
		{150, 100, 1001, 501}, // 500.5 ms rounds up, as Java's Math.round
		{300, 100, 1100, 2200},
	} {
		if got := throttleTimeMs(c.observed, c.bound, c.window); got != c.want {
			t.Errorf("throttleTimeMs(%v, %v, %d) = %d, want %d", c.observed, c.bound, c.window, got, c.want)
		}
	}
}

func testQuotaManager(t *testing.T, staticDefault int64) (*clientQuotaManager, *time.Time) {
	now := time.UnixMilli(1_000_000)
	m := newClientQuotaManager("Produce", "producer_byte_rate", staticDefault, 1, 11, zap.NewNop())
	m.now = func() time.Time { return now }
	return m, &now
}

func namedPart(s string) entityPart { return entityPart{partNamed, s} }

var (
	defPart  = entityPart{kind: partDefault}
	nonePart = entityPart{}
)

// Each level of Kafka's precedence wins over every level below it; adding
// levels from the lowest up, the newest always decides.
func TestQuotaEntityPrecedence(t *testing.T) {
	m, _ := testQuotaManager(t, 10)
	levels := []struct {
		e   quotaEntity
		key sensorKey
	}{
		{quotaEntity{nonePart, defPart}, sensorKey{"", "c"}},                   // /config/clients/<default>
		{quotaEntity{nonePart, namedPart("c")}, sensorKey{"", "c"}},            // /config/clients/c
		{quotaEntity{defPart, nonePart}, sensorKey{"U", ""}},                   // /config/users/<default>
		{quotaEntity{defPart, defPart}, sensorKey{"U", "c"}},                   // /config/users/<default>/clients/<default>
		{quotaEntity{defPart, namedPart("c")}, sensorKey{"U", "c"}},            // /config/users/<default>/clients/c
		{quotaEntity{namedPart("U"), nonePart}, sensorKey{"U", ""}},            // /config/users/U
		{quotaEntity{namedPart("U"), defPart}, sensorKey{"U", "c"}},            // /config/users/U/clients/<default>
		{quotaEntity{namedPart("U"), namedPart("c")}, sensorKey{"U", "c"}},     // /config/users/U/clients/c
		{quotaEntity{namedPart("other"), namedPart("c")}, sensorKey{"U", "c"}}, // another user's: ignored
	}
	m.mu.RLock()
	if key, q := m.resolve("U", "c"); q != 10 || key != (sensorKey{"", "c"}) {
		t.Fatalf("static default: %v %v", key, q)
	}
	m.mu.RUnlock()
	for i, l := range levels {
		m.update(l.e, float64(100+i), true)
		want := float64(100 + i)
		if i == len(levels)-1 {
			want = float64(100 + i - 1)
		}
		m.mu.RLock()
		key, q := m.resolve("U", "c")
		m.mu.RUnlock()
		if q != want || key != l.key {
			t.Errorf("after adding %s: quota %v key %+v, want %v %+v", describeEntity(l.e), q, key, want, l.key)
		}
	}
	// Removing the top level falls back to the next one.
	m.update(quotaEntity{namedPart("U"), namedPart("c")}, 0, false)
	if q := m.quotaFor("U", "c"); q != 106 {
		t.Errorf("after removing U/c: %v, want 106", q)
	}
	// Another client id of U gets U's <default> client quota.
	if q := m.quotaFor("U", "d"); q != 106 {
		t.Errorf("U/d: %v, want 106", q)
	}
}

func TestQuotaDisabledWithoutQuotas(t *testing.T) {
	m, _ := testQuotaManager(t, math.MaxInt64)
	if m.enabled() {
		t.Fatal("enabled with no quotas")
	}
	if ms := m.recordAndGetThrottleTimeMs("ANONYMOUS", "a", 1e12); ms != 0 {
		t.Fatalf("throttled %d ms without quotas", ms)
	}
	e := quotaEntity{client: namedPart("a")}
	m.update(e, 100, true)
	if !m.enabled() {
		t.Fatal("not enabled after adding a quota")
	}
	m.update(e, 0, false)
	if m.enabled() {
		t.Fatal("still enabled after removing the only quota")
	}
}

// A client over its quota is throttled for the time that brings its rate
// back to the quota; another client id is not.
func TestQuotaRecordAndThrottle(t *testing.T) {
	m, now := testQuotaManager(t, math.MaxInt64)
	m.update(quotaEntity{client: namedPart("clientA")}, 1000, true)
	// 10 000 bytes in the 10 s minimum window is exactly the quota.
	if ms := m.recordAndGetThrottleTimeMs(anonymousUser, "clientA", 10000); ms != 0 {
		t.Fatalf("throttled %d ms at the quota", ms)
	}
	// 5 000 more: 1500 bytes/s over 10 s is 50% over: 5 s.
	if ms := m.recordAndGetThrottleTimeMs(anonymousUser, "clientA", 5000); ms != 5000 {
		t.Fatalf("throttle %d ms, want 5000", ms)
	}
	if ms := m.recordAndGetThrottleTimeMs(anonymousUser, "clientB", 1e9); ms != 0 {
		t.Fatalf("client without quota throttled %d ms", ms)
	}
	// Unrecording takes the bytes back.
	m.unrecord(anonymousUser, "clientA", 5000)
	if ms := m.recordAndGetThrottleTimeMs(anonymousUser, "clientA", 0); ms != 0 {
		t.Fatalf("throttled %d ms after unrecord", ms)
	}
	// Eleven seconds later all samples have expired.
	*now = now.Add(11 * time.Second)
	if ms := m.recordAndGetThrottleTimeMs(anonymousUser, "clientA", 10000); ms != 0 {
		t.Fatalf("throttled %d ms after the window passed", ms)
	}
	// Raising the quota applies to the next recording.
	m.update(quotaEntity{client: namedPart("clientA")}, 1e6, true)
	if ms := m.recordAndGetThrottleTimeMs(anonymousUser, "clientA", 50000); ms != 0 {
		t.Fatalf("throttled %d ms under the raised quota", ms)
	}
}

func TestQuotaMaxValueInWindow(t *testing.T) {
	m, _ := testQuotaManager(t, math.MaxInt64)
	if v := m.maxValueInQuotaWindow(anonymousUser, "c"); v != math.MaxInt32 {
		t.Fatalf("unlimited: %d", v)
	}
	m.update(quotaEntity{client: defPart}, 2048, true)
	if v := m.maxValueInQuotaWindow(anonymousUser, "c"); v != 2048*10 {
		t.Fatalf("max %d, want %d", v, 2048*10)
	}
	p := fetchParams{maxBytes: 1 << 20, minBytes: 1 << 20}
	capFetchMaxBytes(m, "c", &p)
	if p.maxBytes != 20480 || p.minBytes != 20480 {
		t.Fatalf("capped params %+v", p)
	}
}

// Entity paths as written to /config/changes.
func TestParseQuotaEntity(t *testing.T) {
	for _, c := range []struct {
		typ, name string
		want      quotaEntity
		ok        bool
	}{
		{zkcoord.ConfigTypeClient, "clientA", quotaEntity{client: namedPart("clientA")}, true},
		{zkcoord.ConfigTypeClient, "a%2Ab", quotaEntity{client: namedPart("a*b")}, true},
		{zkcoord.ConfigTypeClient, "<default>", quotaEntity{client: defPart}, true},
		{zkcoord.ConfigTypeUser, "alice", quotaEntity{user: namedPart("alice")}, true},
		{zkcoord.ConfigTypeUser, "<default>/clients/<default>", quotaEntity{defPart, defPart}, true},
		{zkcoord.ConfigTypeUser, "a%40b/clients/c%20d", quotaEntity{namedPart("a%40b"), namedPart("c d")}, true},
		{zkcoord.ConfigTypeUser, "alice/topics/x", quotaEntity{}, false},
		{zkcoord.ConfigTypeTopic, "t", quotaEntity{}, false},
	} {
		got, ok := parseQuotaEntity(c.typ, c.name)
		if ok != c.ok || got != c.want {
			t.Errorf("parseQuotaEntity(%q, %q) = %+v %v, want %+v %v", c.typ, c.name, got, ok, c.want, c.ok)
		}
	}
}

// Stored configs map to both managers: a node with producer_byte_rate only
// sets the produce quota and clears a fetch quota it no longer has.
func TestApplyQuotaConfig(t *testing.T) {
	q := &quotaManagers{
		produce: newClientQuotaManager("Produce", "producer_byte_rate", math.MaxInt64, 1, 11, zap.NewNop()),
		fetch:   newClientQuotaManager("Fetch", "consumer_byte_rate", math.MaxInt64, 1, 11, zap.NewNop()),
	}
	q.applyQuotaConfig(zkcoord.ConfigTypeClient, "clientA", map[string]string{"producer_byte_rate": "1024", "consumer_byte_rate": "2048"})
	if p, f := q.produce.quotaFor(anonymousUser, "clientA"), q.fetch.quotaFor(anonymousUser, "clientA"); p != 1024 || f != 2048 {
		t.Fatalf("quotas %v %v", p, f)
	}
	q.applyQuotaConfig(zkcoord.ConfigTypeClient, "clientA", map[string]string{"producer_byte_rate": "4096"})
	if p, f := q.produce.quotaFor(anonymousUser, "clientA"), q.fetch.quotaFor(anonymousUser, "clientA"); p != 4096 || !math.IsInf(f, 1) {
		t.Fatalf("quotas after update %v %v", p, f)
	}
	// The unauthenticated user is ANONYMOUS.
	q.applyQuotaConfig(zkcoord.ConfigTypeUser, "ANONYMOUS", map[string]string{"consumer_byte_rate": "10"})
	if f := q.fetch.quotaFor(anonymousUser, "other"); f != 10 {
		t.Fatalf("ANONYMOUS user quota %v", f)
	}
}
