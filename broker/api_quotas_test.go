package broker

import (
	"errors"
	"fmt"
	"math"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
)

// Quota doubles are stored as Java's Double.toString prints them.
func TestJavaDoubleString(t *testing.T) {
	for v, want := range map[float64]string{
		200: "200.0", 0.5: "0.5", 1024.25: "1024.25", 1e7: "1.0E7", 1.5e7: "1.5E7",
		0.0001: "1.0E-4", 0: "0.0", -3: "-3.0", math.Inf(1): "Infinity",
	} {
		if got := javaDoubleString(v); got != want {
			t.Errorf("javaDoubleString(%v) = %q, want %q", v, got, want)
		}
	}
}

// Entity validation happens before ZooKeeper is read, with 2.8's messages.
func TestAlterClientQuotasEntityErrors(t *testing.T) {
	b := &Broker{}
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		entity []quotaEntityEntry
		msg    string
	}{
		{nil, "Invalid empty client quota entity"},
		{[]quotaEntityEntry{{"group", s("g")}}, "Unhandled client quota entity type: group"},
		{[]quotaEntityEntry{{"user", s("")}}, "Empty user not supported"},
		{[]quotaEntityEntry{{"user", s("u")}, {"ip", s("127.0.0.1")}}, "Invalid quota entity combination, IP entity should not be used with user/client ID entity."},
		{[]quotaEntityEntry{{"ip", s("no such host")}}, "no%20such%20host is not a valid IP or resolvable host."},
	} {
		err := b.alterEntityQuotas(tc.entity, nil, false)
		code, msg := adminError(err)
		if code != kerr.InvalidRequest.Code || msg == nil || *msg != tc.msg {
			t.Errorf("%v: code %d message %v, want INVALID_REQUEST %q", tc.entity, code, msg, tc.msg)
		}
	}
	// A type named twice keeps the last name, as a Java map does.
	got := quotaEntityOf([]kmsg.AlterClientQuotasRequestEntryEntity{
		{Type: "user", Name: s("a")}, {Type: "client-id"}, {Type: "user", Name: s("b")},
	})
	if len(got) != 2 || *got[0].name != "b" || got[1].name != nil {
		t.Errorf("collapsed entity = %+v", got)
	}
}

// AlterClientQuotas and DescribeClientQuotas through kadm on a two-broker
// cluster: znodes and change notifications as zookeeper.md §3.7 shows them,
// default entities, the three match types, strict filters, validation
// errors and validate_only; a broker that is not the controller answers too.
func TestClientQuotasIntegration(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	bs := startTestCluster(t, 2)
	adm := kadm.NewClient(newClient(t, kgo.SeedBrokers(bs[0].addr(), bs[1].addr())))
	c := ctx(t)
	s := func(v string) *string { return &v }
	ent := func(kv ...*string) kadm.ClientQuotaEntity {
		var e kadm.ClientQuotaEntity
		for i := 0; i+1 < len(kv); i += 2 {
			e = append(e, kadm.ClientQuotaEntityComponent{Type: *kv[i], Name: kv[i+1]})
		}
		return e
	}
	user, client, ip := s("user"), s("client-id"), s("ip")
	set := func(kv ...any) []kadm.AlterClientQuotaOp {
		var ops []kadm.AlterClientQuotaOp
		for i := 0; i+1 < len(kv); i += 2 {
			ops = append(ops, kadm.AlterClientQuotaOp{Key: kv[i].(string), Value: kv[i+1].(float64)})
		}
		return ops
	}
	alter := func(entries ...kadm.AlterClientQuotaEntry) kadm.AlteredClientQuotas {
		t.Helper()
		res, err := adm.AlterClientQuotas(c, entries)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	znode := func(p string) string {
		t.Helper()
		data, _, err := bs[0].zk.Get(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		return string(data)
	}

	// The operations chapter's examples, plus a sanitised client name and
	// the default user.
	res := alter(
		kadm.AlterClientQuotaEntry{Entity: ent(user, s("user1"), client, s("clientA")),
			Ops: set("producer_byte_rate", 1024.0, "consumer_byte_rate", 2048.0, "request_percentage", 200.0)},
		kadm.AlterClientQuotaEntry{Entity: ent(client, nil), Ops: set("producer_byte_rate", 1024.0)},
		kadm.AlterClientQuotaEntry{Entity: ent(client, s("*c 1")), Ops: set("consumer_byte_rate", 4096.0)},
		kadm.AlterClientQuotaEntry{Entity: ent(user, nil), Ops: set("controller_mutation_rate", 1.5e7)},
		kadm.AlterClientQuotaEntry{Entity: ent(user, s("alice@example.com")), Ops: set("request_percentage", 50.0)},
		kadm.AlterClientQuotaEntry{Entity: ent(ip, s("127.0.0.1")), Ops: set("connection_creation_rate", 10.0)},
	)
	for _, r := range res {
		if r.Err != nil {
			t.Fatalf("alter %v: %v %s", r.Entity, r.Err, r.ErrMessage)
		}
	}
	for p, want := range map[string]string{
		"/config/users/user1/clients/clientA": `{"version":1,"config":{"consumer_byte_rate":"2048","producer_byte_rate":"1024","request_percentage":"200.0"}}`,
		"/config/clients/<default>":           `{"version":1,"config":{"producer_byte_rate":"1024"}}`,
		"/config/clients/%2Ac%201":            `{"version":1,"config":{"consumer_byte_rate":"4096"}}`,
		"/config/users/<default>":             `{"version":1,"config":{"controller_mutation_rate":"1.5E7"}}`,
		"/config/users/alice%40example.com":   `{"version":1,"config":{"request_percentage":"50.0"}}`,
		"/config/ips/127.0.0.1":               `{"version":1,"config":{"connection_creation_rate":"10"}}`,
	} {
		if got := znode(p); got != want {
			t.Errorf("%s = %s, want %s", p, got, want)
		}
	}
	// Every write leaves a notification naming the entity path, for the
	// other brokers' ZkConfigManager.
	kids, err := bs[0].zk.Children(zkcoord.ConfigChangesPath)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, k := range kids {
		ch, err := zkcoord.DecodeConfigChange([]byte(znode(zkcoord.ConfigChangesPath + "/" + k)))
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, ch.EntityPath)
	}
	for _, want := range []string{"users/user1/clients/clientA", "clients/<default>", "clients/%2Ac%201", "users/<default>", "ips/127.0.0.1"} {
		if !slices.Contains(paths, want) {
			t.Errorf("no notification for %s in %v", want, paths)
		}
	}

	describe := func(strict bool, comps ...kadm.DescribeClientQuotaComponent) []string {
		t.Helper()
		got, err := adm.DescribeClientQuotas(c, strict, comps)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, q := range got {
			sort.Slice(q.Entity, func(i, j int) bool { return q.Entity[i].Type > q.Entity[j].Type })
			var vals []string
			for _, v := range q.Values {
				vals = append(vals, fmt.Sprintf("%s=%g", v.Key, v.Value))
			}
			sort.Strings(vals)
			out = append(out, q.Entity.String()+" "+strings.Join(vals, ","))
		}
		sort.Strings(out)
		return out
	}
	exact := func(typ, name string) kadm.DescribeClientQuotaComponent {
		return kadm.DescribeClientQuotaComponent{Type: typ, MatchName: s(name), MatchType: 0}
	}
	def := func(typ string) kadm.DescribeClientQuotaComponent {
		return kadm.DescribeClientQuotaComponent{Type: typ, MatchType: 1}
	}
	anyOf := func(typ string) kadm.DescribeClientQuotaComponent {
		return kadm.DescribeClientQuotaComponent{Type: typ, MatchType: 2}
	}
	for _, tc := range []struct {
		name   string
		strict bool
		comps  []kadm.DescribeClientQuotaComponent
		want   []string
	}{
		{"exact user and client", true, []kadm.DescribeClientQuotaComponent{exact("user", "user1"), exact("client-id", "clientA")},
			[]string{"{user=user1, client-id=clientA} consumer_byte_rate=2048,producer_byte_rate=1024,request_percentage=200"}},
		{"default client", true, []kadm.DescribeClientQuotaComponent{def("client-id")},
			[]string{"{client-id=<default>} producer_byte_rate=1024"}},
		{"any client, strict", true, []kadm.DescribeClientQuotaComponent{anyOf("client-id")},
			[]string{"{client-id=*c 1} consumer_byte_rate=4096", "{client-id=<default>} producer_byte_rate=1024"}},
		{"any client, not strict: with users", false, []kadm.DescribeClientQuotaComponent{anyOf("client-id")},
			[]string{"{client-id=*c 1} consumer_byte_rate=4096", "{client-id=<default>} producer_byte_rate=1024",
				"{user=user1, client-id=clientA} consumer_byte_rate=2048,producer_byte_rate=1024,request_percentage=200"}},
		{"any user, strict", true, []kadm.DescribeClientQuotaComponent{anyOf("user")},
			[]string{"{user=<default>} controller_mutation_rate=1.5e+07", "{user=alice@example.com} request_percentage=50"}},
		{"exact user, not strict", false, []kadm.DescribeClientQuotaComponent{exact("user", "user1")},
			[]string{"{user=user1, client-id=clientA} consumer_byte_rate=2048,producer_byte_rate=1024,request_percentage=200"}},
		{"ip", true, []kadm.DescribeClientQuotaComponent{anyOf("ip")},
			[]string{"{ip=127.0.0.1} connection_creation_rate=10"}},
		{"nothing, strict", true, nil, nil},
		{"everything", false, nil, []string{"{client-id=*c 1} consumer_byte_rate=4096", "{client-id=<default>} producer_byte_rate=1024",
			"{ip=127.0.0.1} connection_creation_rate=10", "{user=<default>} controller_mutation_rate=1.5e+07",
			"{user=alice@example.com} request_percentage=50",
			"{user=user1, client-id=clientA} consumer_byte_rate=2048,producer_byte_rate=1024,request_percentage=200"}},
	} {
		if got := describe(tc.strict, tc.comps...); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}

	// Filter errors fail the whole describe.
	for _, tc := range []struct {
		comps []kadm.DescribeClientQuotaComponent
		err   error
		msg   string
	}{
		{[]kadm.DescribeClientQuotaComponent{anyOf("user"), def("user")}, kerr.InvalidRequest, "Duplicate user filter component entity type"},
		{[]kadm.DescribeClientQuotaComponent{anyOf("user"), anyOf("ip")}, kerr.InvalidRequest,
			"Invalid entity filter component combination, IP filter component should not be used with user or clientId filter component."},
		{[]kadm.DescribeClientQuotaComponent{anyOf("")}, kerr.InvalidRequest, "Unexpected empty filter component entity type"},
		{[]kadm.DescribeClientQuotaComponent{anyOf("group")}, kerr.UnsupportedVersion, "Custom entity type 'group' not supported"},
	} {
		_, err := adm.DescribeClientQuotas(c, true, tc.comps)
		var em *kadm.ErrAndMessage
		if !errors.Is(err, tc.err) || !errors.As(err, &em) || em.ErrMessage != tc.msg {
			t.Errorf("describe %v: %v, want %v %q", tc.comps, err, tc.err, tc.msg)
		}
	}

	// Per-entry alter errors; the valid entry in the same request is applied.
	res = alter(
		kadm.AlterClientQuotaEntry{Entity: ent(client, s("c2")), Ops: set("retention.ms", 1.0)},
		kadm.AlterClientQuotaEntry{Entity: ent(client, s("c3")), Ops: set("producer_byte_rate", 10.5)},
		kadm.AlterClientQuotaEntry{Entity: ent(ip, s("::1")), Ops: set("connection_creation_rate", 1.0)},
		kadm.AlterClientQuotaEntry{Entity: ent(ip, s("127.0.0.2")), Ops: set("connection_creation_rate", 1.5)},
		kadm.AlterClientQuotaEntry{Entity: ent(client, s("c4")), Ops: set("request_percentage", 0.5)},
		// A SCRAM key is a STRING config 2.8 cannot set from a double
		// (IllegalStateException).
		kadm.AlterClientQuotaEntry{Entity: ent(user, s("bob")), Ops: set("SCRAM-SHA-256", 1.0)},
		// 2.8 rounds (value + 1e-6) toward zero, so any negative integer
		// fails the integer check.
		kadm.AlterClientQuotaEntry{Entity: ent(ip, s("127.0.0.3")), Ops: set("connection_creation_rate", -1.0)},
	)
	wantErrs := []struct {
		err error
		msg string
	}{
		{kerr.InvalidRequest, "Invalid configuration key retention.ms"},
		{kerr.InvalidRequest, "Configuration producer_byte_rate must be a LONG value"},
		{kerr.InvalidRequest, "%3A%3A1 is not a valid IP or resolvable host."},
		{kerr.InvalidRequest, "Configuration connection_creation_rate must be a INT value"},
		{nil, ""},
		{kerr.UnknownServerError, ""},
		{kerr.InvalidRequest, "Configuration connection_creation_rate must be a INT value"},
	}
	if len(res) != len(wantErrs) {
		t.Fatalf("alter answered %d entries: %+v", len(res), res)
	}
	for i, r := range res {
		if r.Err != wantErrs[i].err || r.ErrMessage != wantErrs[i].msg {
			t.Errorf("entry %d %v: %v %q, want %v %q", i, r.Entity, r.Err, r.ErrMessage, wantErrs[i].err, wantErrs[i].msg)
		}
	}
	for _, p := range []string{"/config/clients/c2", "/config/clients/c3", "/config/users/bob", "/config/ips/127.0.0.3"} {
		if ok, _, _ := bs[0].zk.Exists(p); ok {
			t.Errorf("%s written by a failed alter", p)
		}
	}
	if got := znode("/config/clients/c4"); got != `{"version":1,"config":{"request_percentage":"0.5"}}` {
		t.Errorf("c4 = %s", got)
	}

	// validate_only checks and writes nothing.
	vres, err := adm.ValidateAlterClientQuotas(c, []kadm.AlterClientQuotaEntry{
		{Entity: ent(client, s("dry")), Ops: set("producer_byte_rate", 1.0)},
		{Entity: ent(client, s("dry")), Ops: set("bogus", 1.0)},
	})
	if err != nil || len(vres) != 1 || !errors.Is(vres[0].Err, kerr.InvalidRequest) {
		t.Errorf("validate only (two entries for one entity answer once, the last result): %+v %v", vres, err)
	}
	if ok, _, _ := bs[0].zk.Exists("/config/clients/dry"); ok {
		t.Error("validate_only wrote /config/clients/dry")
	}

	// remove deletes one key and keeps the node; the entity drops out of
	// describe once no quota is left.
	alter(kadm.AlterClientQuotaEntry{Entity: ent(user, s("user1"), client, s("clientA")),
		Ops: []kadm.AlterClientQuotaOp{{Key: "producer_byte_rate", Remove: true}, {Key: "request_percentage", Value: 0.25}}})
	if got := znode("/config/users/user1/clients/clientA"); got != `{"version":1,"config":{"consumer_byte_rate":"2048","request_percentage":"0.25"}}` {
		t.Errorf("after remove: %s", got)
	}
	alter(kadm.AlterClientQuotaEntry{Entity: ent(client, s("c4")), Ops: []kadm.AlterClientQuotaOp{{Key: "request_percentage", Remove: true}}})
	if got := znode("/config/clients/c4"); got != `{"version":1,"config":{}}` {
		t.Errorf("c4 after removing its only key: %s", got)
	}
	if got := describe(true, exact("client-id", "c4")); len(got) != 0 {
		t.Errorf("c4 without quotas described as %q", got)
	}

	// Every broker answers, controller or not, in both versions (v1 is the
	// flexible one).
	for _, b := range bs {
		raw := dialRaw(t, b.addr())
		for v := int16(0); v <= 1; v++ {
			req := kmsg.NewPtrDescribeClientQuotasRequest()
			req.Version = v
			comp := kmsg.NewDescribeClientQuotasRequestComponent()
			comp.EntityType, comp.MatchType = "client-id", 1
			req.Components = append(req.Components, comp)
			resp := raw.roundTrip(req, int32(v)).(*kmsg.DescribeClientQuotasResponse)
			if resp.ErrorCode != 0 || len(resp.Entries) != 1 || resp.Entries[0].Entity[0].Name != nil || resp.Entries[0].Values[0].Value != 1024 {
				t.Errorf("broker %d v%d describe of the default client: %+v", b.cfg.BrokerID, v, resp)
			}
		}
	}
}

// kafka-configs.sh --bootstrap-server against this broker, as the
// operations chapter runs it, for a client and a user quota.
func TestKafkaConfigsQuotasEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper and builds bin/gokafka")
	}
	bin := brokertest.Binary(t)
	bs := startTestCluster(t, 1)
	run := func(args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(ctx(t), bin, append([]string{"kafka.admin.ConfigCommand", "--bootstrap-server", bs[0].addr()}, args...)...)
		var stderr strings.Builder
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("kafka-configs %v: %v\n%s%s", args, err, out, stderr.String())
		}
		return string(out)
	}
	for _, tc := range []struct{ args, want string }{
		{"--alter --add-config producer_byte_rate=1024 --entity-type clients --entity-name c1", "Completed updating config for client c1.\n"},
		{"--describe --entity-type clients --entity-name c1", "Quota configs for client-id 'c1' are producer_byte_rate=1024.0\n"},
		{"--alter --add-config consumer_byte_rate=2048,request_percentage=200 --entity-type users --entity-name user1", "Completed updating config for user user1.\n"},
		{"--alter --add-config producer_byte_rate=512 --entity-type users --entity-default", "Completed updating default config for users in the cluster.\n"},
		{"--describe --entity-type users", "Quota configs for the default user-principal are producer_byte_rate=512.0\n" +
			"Quota configs for user-principal 'user1' are consumer_byte_rate=2048.0, request_percentage=200.0\n"},
		{"--describe --entity-type users --entity-name user1", "Quota configs for user-principal 'user1' are consumer_byte_rate=2048.0, request_percentage=200.0\n"},
		{"--alter --add-config producer_byte_rate=1024,consumer_byte_rate=2048,request_percentage=200 --entity-type users --entity-name user1 --entity-type clients --entity-name clientA",
			"Completed updating config for user user1.\n"},
		{"--describe --entity-type users --entity-name user1 --entity-type clients --entity-name clientA",
			"Quota configs for user-principal 'user1', client-id 'clientA' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0, request_percentage=200.0\n"},
		{"--alter --delete-config producer_byte_rate --entity-type clients --entity-name c1", "Completed updating config for client c1.\n"},
		{"--describe --entity-type clients --entity-name c1", ""},
	} {
		if got := run(strings.Fields(tc.args)...); got != tc.want {
			t.Errorf("kafka-configs %s:\n got %q\nwant %q", tc.args, got, tc.want)
		}
	}
	for p, want := range map[string]string{
		"/config/clients/c1":      `{"version":1,"config":{}}`,
		"/config/users/user1":     `{"version":1,"config":{"consumer_byte_rate":"2048","request_percentage":"200.0"}}`,
		"/config/users/<default>": `{"version":1,"config":{"producer_byte_rate":"512"}}`,
	} {
		data, _, err := bs[0].zk.Get(p)
		if err != nil || string(data) != want {
			t.Errorf("%s = %s (%v), want %s", p, data, err, want)
		}
	}
}

// Before writing, the whole node must hold only the entity kind's keys with
// parseable values, as DynamicConfig.validate requires.
func TestValidStoredQuotas(t *testing.T) {
	for _, tc := range []struct {
		props map[string]string
		keys  map[string]string
		ok    bool
	}{
		{map[string]string{"producer_byte_rate": "1024", "request_percentage": "200.0"}, userClientQuotaKeys, true},
		{map[string]string{"SCRAM-SHA-256": "salt=...", "consumer_byte_rate": "1"}, userQuotaKeys, true},
		{map[string]string{"SCRAM-SHA-256": "salt=..."}, userClientQuotaKeys, false},
		{map[string]string{"producer_byte_rate": "1.5E7"}, userClientQuotaKeys, false},
		{map[string]string{"connection_creation_rate": "-1"}, ipQuotaKeys, false},
		{map[string]string{"retention.ms": "1"}, ipQuotaKeys, false},
	} {
		if got := validStoredQuotas(tc.props, tc.keys); got != tc.ok {
			t.Errorf("validStoredQuotas(%v) = %v, want %v", tc.props, got, tc.ok)
		}
	}
}
