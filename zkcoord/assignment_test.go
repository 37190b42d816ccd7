package zkcoord

import (
	"reflect"
	"testing"
)

func metas(ids ...int32) []BrokerMeta {
	out := make([]BrokerMeta, len(ids))
	for i, id := range ids {
		out[i] = BrokerMeta{ID: id}
	}
	return out
}

// Worked examples of controller.md §11.2 (Kafka's AdminUtilsTest
// testReplicaAssignment uses the same 5-broker, 10-partition layout).
func TestAssignReplicasRackUnaware(t *testing.T) {
	// A random start 1 and shift 0.
	got := assignRackUnaware([]int32{0, 1, 2}, 1, 3, 1, 0, 0)
	if want := map[int32][]int32{0: {1, 2, 0}}; !reflect.DeepEqual(got, want) {
		t.Errorf("3 brokers, start 1: %v, want %v", got, want)
	}

	got, err := AssignReplicas(metas(0, 1, 2, 3, 4), 10, 3, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int32][]int32{
		0: {0, 1, 2}, 1: {1, 2, 3}, 2: {2, 3, 4}, 3: {3, 4, 0}, 4: {4, 0, 1},
		5: {0, 2, 3}, 6: {1, 3, 4}, 7: {2, 4, 0}, 8: {3, 0, 1}, 9: {4, 1, 2},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("5 brokers, 10 partitions:\n got %v\nwant %v", got, want)
	}
}

// With a random start, every partition still has rf distinct replicas and
// leaders are spread evenly.
func TestAssignReplicasRandomStart(t *testing.T) {
	for range 50 {
		got, err := AssignReplicas(metas(10, 11, 12), 6, 2, -1, 0)
		if err != nil {
			t.Fatal(err)
		}
		leaders := map[int32]int{}
		for p, r := range got {
			if len(r) != 2 || r[0] == r[1] {
				t.Fatalf("partition %d: %v", p, r)
			}
			leaders[r[0]]++
		}
		for b, n := range leaders {
			if n != 2 {
				t.Fatalf("broker %d leads %d of 6 partitions: %v", b, n, got)
			}
		}
	}
}

func TestAssignReplicasErrors(t *testing.T) {
	for _, c := range []struct {
		partitions, rf int
		want           string
	}{
		{0, 1, "Number of partitions must be larger than 0."},
		{1, 0, "Replication factor must be larger than 0."},
		{1, 3, "Replication factor: 3 larger than available brokers: 1."},
	} {
		_, err := AssignReplicas(metas(0), c.partitions, c.rf, -1, 0)
		if err == nil || err.Error() != c.want {
			t.Errorf("partitions=%d rf=%d: %v, want %q", c.partitions, c.rf, err, c.want)
		}
	}
	_, err := AssignReplicas([]BrokerMeta{{0, "r1"}, {1, ""}}, 1, 1, -1, 0)
	if err == nil || err.Error() != "Not all brokers have rack information for replica rack aware assignment." {
		t.Errorf("partial racks: %v", err)
	}
	_, err = BrokerMetas([]BrokerInfo{{ID: 0, Rack: "r1"}, {ID: 1}}, RackEnforced)
	if err == nil || err.Error() != "Not all brokers have rack information. Add --disable-rack-aware in command line to make replica assignment without rack information." {
		t.Errorf("BrokerMetas enforced: %v", err)
	}
	m, err := BrokerMetas([]BrokerInfo{{ID: 1, Rack: "r1"}, {ID: 0}}, RackSafe)
	if err != nil || !reflect.DeepEqual(m, metas(0, 1)) {
		t.Errorf("BrokerMetas safe: %v %v", m, err)
	}
}

func TestRackAlternatedBrokers(t *testing.T) {
	var bs []BrokerMeta
	for _, b := range []struct {
		id   int32
		rack string
	}{{3, "r2"}, {0, "r1"}, {6, "r3"}, {1, "r1"}, {4, "r2"}, {7, "r3"}, {2, "r1"}, {5, "r2"}, {8, "r3"}} {
		bs = append(bs, BrokerMeta{b.id, b.rack})
	}
	if got, want := RackAlternatedBrokers(bs), []int32{0, 3, 6, 1, 4, 7, 2, 5, 8}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// Rack-aware assignment puts each partition's replicas on distinct racks
// while racks remain, as Kafka's RackAwareAutoTopicCreationTest checks.
func TestAssignReplicasRackAware(t *testing.T) {
	bs := []BrokerMeta{{0, "a"}, {1, "a"}, {2, "b"}, {3, "b"}, {4, "c"}, {5, "c"}}
	rack := map[int32]string{}
	for _, b := range bs {
		rack[b.ID] = b.Rack
	}
	for _, start := range []int{-1, 0, 3} {
		got, err := AssignReplicas(bs, 12, 3, start, 0)
		if err != nil {
			t.Fatal(err)
		}
		for p, r := range got {
			racks := map[string]bool{}
			for _, b := range r {
				racks[rack[b]] = true
			}
			if len(racks) != 3 {
				t.Errorf("start %d partition %d: replicas %v span racks %v", start, p, r, racks)
			}
		}
	}
	// Fixed start 0: leaders follow the rack-alternated list 0,2,4,1,3,5.
	got, _ := AssignReplicas(bs, 6, 1, 0, 0)
	for p, want := range []int32{0, 2, 4, 1, 3, 5} {
		if got[int32(p)][0] != want {
			t.Errorf("partition %d leader %d, want %d", p, got[int32(p)][0], want)
		}
	}
}

// controller.md §11.4: new partitions continue from the current count with
// partition 0's replication factor and a start index at partition 0's
// first replica.
func TestNewPartitionsAssignment(t *testing.T) {
	existing := map[int32][]int32{0: {1, 2}, 1: {2, 0}}
	got, err := NewPartitionsAssignment("t", existing, metas(0, 1, 2), 4, nil)
	if err != nil {
		t.Fatal(err)
	}
	// start index 1 (broker 1), partitions 2 and 3, shift 1 from p=3 (3%3==0).
	want, _ := AssignReplicas(metas(0, 1, 2), 2, 2, 1, 2)
	if !reflect.DeepEqual(got, want) || len(got) != 2 || got[2] == nil || got[3] == nil {
		t.Errorf("got %v, want %v", got, want)
	}
	_, err = NewPartitionsAssignment("t", existing, metas(0, 1, 2), 2, nil)
	if err == nil || err.Error() != "The number of partitions for a topic can only be increased. Topic t currently has 2 partitions, 2 would not be an increase." {
		t.Errorf("no increase: %v", err)
	}
	_, err = NewPartitionsAssignment("t", existing, metas(0, 1, 2), 3, map[int32][]int32{2: {0, 7}})
	if err == nil || err.Error() != "Some brokers specified for partition id 2 are not available. Specified brokers: 0, 7, available brokers: 0, 1, 2." {
		t.Errorf("unknown broker: %v", err)
	}
	_, err = NewPartitionsAssignment("t", existing, metas(0, 1, 2), 3, map[int32][]int32{2: {0}})
	if err == nil || err.Error() != "Inconsistent replication factor between partitions, partition 0 has 2 while partition id 2 has 1." {
		t.Errorf("rf mismatch: %v", err)
	}
}
