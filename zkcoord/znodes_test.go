package zkcoord

import (
	"encoding/json"
	"reflect"
	"testing"
)

// jsonEqual compares two JSON documents as values: Kafka serialises from hash
// maps, so key order carries no meaning.
func jsonEqual(t *testing.T, what string, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: got invalid JSON %s: %v", what, got, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad test JSON: %v", what, err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("%s:\n got %s\nwant %s", what, got, want)
	}
}

// The samples are those of zookeeper.md §3, as a Kafka 2.8 broker writes them.
func TestEncodeAsKafka28(t *testing.T) {
	b := BrokerInfo{ID: 0, Endpoints: []EndPoint{{ListenerName: "PLAINTEXT", Host: "myhost", Port: 9092, SecurityProtocol: "PLAINTEXT"}},
		JmxPort: -1, Timestamp: 1620000000000}
	jsonEqual(t, "broker", b.Encode(),
		`{"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://myhost:9092"],"jmx_port":-1,"features":{},"host":"myhost","timestamp":"1620000000000","port":9092,"version":5}`)

	id, _ := ParseTopicID("u7tQ4nbTQ5yoqfFDmKfzdA")
	a := TopicAssignment{Partitions: map[int32][]int32{0: {1, 2, 0}, 1: {2, 0, 1}}, TopicID: id}
	jsonEqual(t, "topic", a.Encode(),
		`{"version":3,"partitions":{"0":[1,2,0],"1":[2,0,1]},"adding_replicas":{},"removing_replicas":{},"topic_id":"u7tQ4nbTQ5yoqfFDmKfzdA"}`)
	jsonEqual(t, "topic without id", TopicAssignment{Partitions: map[int32][]int32{0: {0}}}.Encode(),
		`{"version":3,"partitions":{"0":[0]},"adding_replicas":{},"removing_replicas":{}}`)

	s := PartitionState{Leader: 1, LeaderEpoch: 0, ISR: []int32{1, 2, 0}, ControllerEpoch: 1}
	jsonEqual(t, "state", s.Encode(), `{"controller_epoch":1,"leader":1,"version":1,"leader_epoch":0,"isr":[1,2,0]}`)

	jsonEqual(t, "controller", ControllerInfo{BrokerID: 0, Timestamp: 1620000000000}.Encode(),
		`{"version":1,"brokerid":0,"timestamp":"1620000000000"}`)
	if got := string(EncodeControllerEpoch(1)); got != "1" {
		t.Errorf("controller_epoch = %q, want plain text 1", got)
	}
	jsonEqual(t, "config", EncodeEntityConfig(nil), `{"version":1,"config":{}}`)
	jsonEqual(t, "config", EncodeEntityConfig(map[string]string{"cleanup.policy": "compact", "retention.ms": "86400000"}),
		`{"version":1,"config":{"cleanup.policy":"compact","retention.ms":"86400000"}}`)
	jsonEqual(t, "change", ConfigChange{EntityPath: "topics/foo"}.Encode(), `{"version":2,"entity_path":"topics/foo"}`)
	jsonEqual(t, "cluster", EncodeClusterID("Nv5-6Z2lS5KjCgwKwzK6Jw"), `{"version":"1","id":"Nv5-6Z2lS5KjCgwKwzK6Jw"}`)
	jsonEqual(t, "producer ids", ProducerIDBlock{BrokerID: 0, Start: 0, End: 999}.Encode(),
		`{"version":1,"broker":0,"block_start":"0","block_end":"999"}`)
	jsonEqual(t, "feature", FeatureZNode{Enabled: true}.Encode(), `{"features":{},"version":1,"status":1}`)
	jsonEqual(t, "reassign", ReassignPartitions{{"foo", 0}: {5, 6}}.Encode(),
		`{"version":1,"partitions":[{"topic":"foo","partition":0,"replicas":[5,6]}]}`)
	jsonEqual(t, "preferred", EncodePreferredReplicaElection([]TopicPartition{{"foo", 1}, {"foo", 0}}),
		`{"version":1,"partitions":[{"topic":"foo","partition":0},{"topic":"foo","partition":1}]}`)
	jsonEqual(t, "log dir event", EncodeLogDirEvent(0), `{"version":1,"broker":0,"event":1}`)
}

func TestDecodeOlderVersions(t *testing.T) {
	// 2.0-2.6: version 4, no features, keys in another order, a rack.
	b, err := DecodeBrokerInfo(2, []byte(`{"features":null,"rack":"r1","port":9093,"version":4,"host":"h","timestamp":"1","jmx_port":9999,"endpoints":["INTERNAL://h:9093","EXTERNAL://[::1]:19093"],"listener_security_protocol_map":{"INTERNAL":"PLAINTEXT","EXTERNAL":"SSL"}}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []EndPoint{{"INTERNAL", "h", 9093, "PLAINTEXT"}, {"EXTERNAL", "::1", 19093, "SSL"}}
	if !reflect.DeepEqual(b.Endpoints, want) || b.Rack != "r1" || b.JmxPort != 9999 || b.Version != 4 || b.Timestamp != 1 {
		t.Errorf("v4 broker = %+v", b)
	}
	// Version 1: host and port only.
	b, err = DecodeBrokerInfo(0, []byte(`{"jmx_port":-1,"timestamp":"5","host":"old","version":1,"port":9092}`))
	if err != nil || len(b.Endpoints) != 1 || b.Endpoints[0] != (EndPoint{"PLAINTEXT", "old", 9092, "PLAINTEXT"}) {
		t.Errorf("v1 broker = %+v, %v", b, err)
	}

	a, err := DecodeTopicAssignment("t", []byte(`{"partitions":{"1":[2],"0":[1]},"version":1}`))
	if err != nil || len(a.Partitions) != 2 || a.Partitions[1][0] != 2 || !a.TopicID.IsZero() || a.Version != 1 {
		t.Errorf("v1 topic = %+v, %v", a, err)
	}
	a, err = DecodeTopicAssignment("t", []byte(`{"removing_replicas":{"0":[3]},"adding_replicas":{"0":[4]},"partitions":{"0":[4,3]},"version":2}`))
	if err != nil || a.AddingReplicas[0][0] != 4 || a.RemovingReplicas[0][0] != 3 {
		t.Errorf("v2 topic = %+v, %v", a, err)
	}
	ch, err := DecodeConfigChange([]byte(`{"version":1,"entity_type":"topics","entity_name":"foo"}`))
	if err != nil || ch.EntityPath != "topics/foo" || ch.EntityType() != "topics" || ch.EntityName() != "foo" {
		t.Errorf("v1 change = %+v, %v", ch, err)
	}
	id, err := DecodeClusterID([]byte(`{"id":"abc","version":"1"}`))
	if err != nil || id != "abc" {
		t.Errorf("cluster id = %q, %v", id, err)
	}
}

func TestRoundTrips(t *testing.T) {
	b := BrokerInfo{ID: 7, Endpoints: []EndPoint{{"SSL", "h", 9094, "SSL"}, {"PLAINTEXT", "h", 9092, "PLAINTEXT"}}, Rack: "dc1", JmxPort: -1, Timestamp: 42}
	got, err := DecodeBrokerInfo(7, b.Encode())
	if err != nil {
		t.Fatal(err)
	}
	got.Version, got.Features = 0, nil
	if !reflect.DeepEqual(got, b) {
		t.Errorf("broker round trip:\n got %+v\nwant %+v", got, b)
	}
	// host/port come from the first PLAINTEXT endpoint; none gives null and -1.
	var j map[string]any
	_ = json.Unmarshal(b.Encode(), &j)
	if j["host"] != "h" || j["port"] != float64(9092) || j["rack"] != "dc1" {
		t.Errorf("legacy fields: %v", j)
	}
	_ = json.Unmarshal(BrokerInfo{Endpoints: []EndPoint{{"SSL", "h", 1, "SSL"}}}.Encode(), &j)
	if j["host"] != nil || j["port"] != float64(-1) {
		t.Errorf("no PLAINTEXT: host=%v port=%v", j["host"], j["port"])
	}

	id := NewTopicID()
	if s := id.String(); len(s) != 22 {
		t.Errorf("topic id %q: want 22 characters", s)
	}
	back, err := ParseTopicID(id.String())
	if err != nil || back != id {
		t.Errorf("topic id round trip: %v %v", back, err)
	}
	if s := NewClusterID(); len(s) != 22 {
		t.Errorf("cluster id %q: want 22 characters", s)
	}
	st, err := DecodePartitionState("t", 0, PartitionState{Leader: -1, ISR: []int32{}, LeaderEpoch: 3, ControllerEpoch: 2}.Encode(), 5)
	if err != nil || st.Leader != -1 || st.LeaderEpoch != 3 || st.ControllerEpoch != 2 || st.ZkVersion != 5 {
		t.Errorf("state round trip: %+v %v", st, err)
	}
}

func TestSanitizeEntityName(t *testing.T) {
	for in, want := range map[string]string{"*": "%2A", "user 1": "user%201", "a@b.c": "a%40b.c", "plain-name_1": "plain-name_1"} {
		if got := SanitizeEntityName(in); got != want {
			t.Errorf("SanitizeEntityName(%q) = %q, want %q", in, got, want)
		}
		if back := DesanitizeEntityName(SanitizeEntityName(in)); back != in {
			t.Errorf("round trip of %q = %q", in, back)
		}
	}
}

func TestValidateTopicName(t *testing.T) {
	long := make([]byte, 250)
	for i := range long {
		long[i] = 'a'
	}
	cases := map[string]string{
		"":               "Topic name is illegal, it can't be empty",
		".":              `Topic name cannot be "." or ".."`,
		"..":             `Topic name cannot be "." or ".."`,
		string(long):     "Topic name is illegal, it can't be longer than 249 characters, topic name: " + string(long),
		"a b":            `Topic name "a b" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`,
		"ok.Name_-9":     "",
		string(long[1:]): "",
	}
	for name, want := range cases {
		err := ValidateTopicName(name)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("ValidateTopicName(%.20q) = %q, want %q", name, got, want)
		}
	}
}

func TestTopicConfigValidation(t *testing.T) {
	for cfg, want := range map[[2]string]string{
		{"retention.ms", "86400000"}:         "",
		{"cleanup.policy", "compact,delete"}: "",
		{"foo", "1"}:                         "Unknown topic config name: foo",
		{"retention.ms", "abc"}:              "Invalid value abc for configuration retention.ms: Not a number of type LONG",
		{"min.insync.replicas", "0"}:         "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1",
		{"preallocate", "maybe"}:             "Invalid value maybe for configuration preallocate: Expected value to be either true or false",
	} {
		err := ValidateTopicConfig(map[string]string{cfg[0]: cfg[1]})
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%s=%s: got %q, want %q", cfg[0], cfg[1], got, want)
		}
	}
}
