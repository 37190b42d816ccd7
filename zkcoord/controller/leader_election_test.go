package controller

import (
	"slices"
	"testing"
)

// liveSet returns a liveness predicate for the given broker ids.
func liveSet(ids ...int32) func(int32) bool {
	return func(id int32) bool { return slices.Contains(ids, id) }
}

// The rules of controller.md §6, case by case (Kafka's PartitionLeaderElectionAlgorithmsTest).
func TestOfflineLeader(t *testing.T) {
	tests := []struct {
		name            string
		replicas, isr   []int32
		live            []int32
		unclean         bool
		wantLeader      int32
		wantISR         []int32
		wantUnclean, ok bool
	}{
		{name: "first live ISR member in assignment order", replicas: []int32{2, 4}, isr: []int32{2, 4}, live: []int32{2, 4},
			wantLeader: 2, wantISR: []int32{2, 4}, ok: true},
		{name: "assignment order wins over ISR order", replicas: []int32{1, 2, 0}, isr: []int32{0, 2, 1}, live: []int32{0, 2},
			wantLeader: 2, wantISR: []int32{0, 2}, ok: true},
		{name: "dead ISR members leave the ISR", replicas: []int32{1, 2, 0}, isr: []int32{1, 2, 0}, live: []int32{2, 0},
			wantLeader: 2, wantISR: []int32{2, 0}, ok: true},
		{name: "live replica outside the ISR is not clean", replicas: []int32{2, 4}, isr: []int32{2}, live: []int32{4},
			wantLeader: noLeader, ok: false},
		{name: "unclean falls back to first live replica, alone in ISR", replicas: []int32{2, 4}, isr: []int32{2}, live: []int32{4}, unclean: true,
			wantLeader: 4, wantISR: []int32{4}, wantUnclean: true, ok: true},
		{name: "unclean prefers a clean candidate", replicas: []int32{2, 4}, isr: []int32{4}, live: []int32{2, 4}, unclean: true,
			wantLeader: 4, wantISR: []int32{4}, ok: true},
		{name: "nothing alive", replicas: []int32{2, 4}, isr: []int32{2, 4}, live: nil, unclean: true,
			wantLeader: noLeader, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, isr, unclean, ok := offlineLeader(tt.replicas, tt.isr, liveSet(tt.live...), tt.unclean)
			if l != tt.wantLeader || ok != tt.ok || unclean != tt.wantUnclean || (ok && !slices.Equal(isr, tt.wantISR)) {
				t.Errorf("offlineLeader = (%d, %v, unclean %v, ok %v), want (%d, %v, unclean %v, ok %v)",
					l, isr, unclean, ok, tt.wantLeader, tt.wantISR, tt.wantUnclean, tt.ok)
			}
		})
	}
}

func TestReassignLeader(t *testing.T) {
	tests := []struct {
		target, isr, live []int32
		want              int32
		ok                bool
	}{
		{target: []int32{4, 5, 6}, isr: []int32{1, 2, 3, 4, 5, 6}, live: []int32{1, 2, 3, 4, 5, 6}, want: 4, ok: true},
		{target: []int32{4, 5, 6}, isr: []int32{1, 5, 6}, live: []int32{1, 4, 5, 6}, want: 5, ok: true},
		{target: []int32{4, 5}, isr: []int32{4, 5}, live: []int32{5}, want: 5, ok: true},
		{target: []int32{4, 5}, isr: []int32{1}, live: []int32{1, 4, 5}, want: noLeader, ok: false},
	}
	for _, tt := range tests {
		got, ok := reassignLeader(tt.target, tt.isr, liveSet(tt.live...))
		if got != tt.want || ok != tt.ok {
			t.Errorf("reassignLeader(%v, isr %v, live %v) = %d, %v; want %d, %v", tt.target, tt.isr, tt.live, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPreferredLeader(t *testing.T) {
	tests := []struct {
		replicas, isr, live []int32
		want                int32
		ok                  bool
	}{
		{replicas: []int32{2, 4}, isr: []int32{2, 4}, live: []int32{2, 4}, want: 2, ok: true},
		{replicas: []int32{2, 4}, isr: []int32{4}, live: []int32{2, 4}, want: noLeader, ok: false}, // not in ISR
		{replicas: []int32{2, 4}, isr: []int32{2, 4}, live: []int32{4}, want: noLeader, ok: false}, // dead
		{replicas: nil, isr: nil, live: nil, want: noLeader, ok: false},
	}
	for _, tt := range tests {
		got, ok := preferredLeader(tt.replicas, tt.isr, liveSet(tt.live...))
		if got != tt.want || ok != tt.ok {
			t.Errorf("preferredLeader(%v, isr %v, live %v) = %d, %v; want %d, %v", tt.replicas, tt.isr, tt.live, got, ok, tt.want, tt.ok)
		}
	}
}

func TestControlledShutdownLeader(t *testing.T) {
	tests := []struct {
		name                      string
		replicas, isr, live, down []int32
		want                      int32
		wantISR                   []int32
		ok                        bool
	}{
		{name: "next ISR member in assignment order", replicas: []int32{2, 4}, isr: []int32{2, 4}, live: []int32{2, 4}, down: []int32{2},
			want: 4, wantISR: []int32{4}, ok: true},
		{name: "every shutting-down broker leaves the ISR", replicas: []int32{1, 2, 3}, isr: []int32{1, 2, 3}, live: []int32{1, 2, 3}, down: []int32{1, 2},
			want: 3, wantISR: []int32{3}, ok: true},
		{name: "no successor", replicas: []int32{2, 4}, isr: []int32{2}, live: []int32{2, 4}, down: []int32{2},
			want: noLeader, ok: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, isr, ok := controlledShutdownLeader(tt.replicas, tt.isr, liveSet(tt.live...), liveSet(tt.down...))
			if got != tt.want || ok != tt.ok || (ok && !slices.Equal(isr, tt.wantISR)) {
				t.Errorf("got (%d, %v, %v), want (%d, %v, %v)", got, isr, ok, tt.want, tt.wantISR, tt.ok)
			}
		})
	}
}

// A replica taken offline leaves the ISR, except the last member; a leader leaving means no
// leader. The epoch bump is the caller's (leaderIsr.withLeader).
func TestIsrWithout(t *testing.T) {
	tests := []struct {
		cur        leaderIsr
		r          int32
		wantLeader int32
		wantISR    []int32
	}{
		{cur: leaderIsr{Leader: 1, ISR: []int32{1, 2, 0}}, r: 2, wantLeader: 1, wantISR: []int32{1, 0}},
		{cur: leaderIsr{Leader: 1, ISR: []int32{1, 2, 0}}, r: 1, wantLeader: noLeader, wantISR: []int32{2, 0}},
		{cur: leaderIsr{Leader: 1, ISR: []int32{1}}, r: 1, wantLeader: noLeader, wantISR: []int32{1}},
	}
	for _, tt := range tests {
		l, isr := isrWithout(tt.cur, tt.r)
		if l != tt.wantLeader || !slices.Equal(isr, tt.wantISR) {
			t.Errorf("isrWithout(%v, %d) = %d, %v; want %d, %v", tt.cur, tt.r, l, isr, tt.wantLeader, tt.wantISR)
		}
	}
	next := leaderIsr{Leader: 1, LeaderEpoch: 4, ISR: []int32{1, 2}, ZkVersion: 7}.withLeader(1, []int32{1})
	if next.LeaderEpoch != 5 || next.ZkVersion != 7 {
		t.Errorf("withLeader: epoch %d zkVersion %d, want 5 and 7 (the expected version of the write)", next.LeaderEpoch, next.ZkVersion)
	}
}

// controller.md §13's example: ORS {1,2,3} → TRS {4,5,6}.
func TestReassignTo(t *testing.T) {
	got := reassignTo(assignment{Replicas: []int32{1, 2, 3}}, []int32{4, 5, 6})
	want := assignment{Replicas: []int32{4, 5, 6, 1, 2, 3}, Adding: []int32{4, 5, 6}, Removing: []int32{1, 2, 3}}
	if !equalAssignment(got, want) {
		t.Fatalf("reassignTo = %+v, want %+v", got, want)
	}
	if !slices.Equal(got.target(), []int32{4, 5, 6}) || !slices.Equal(got.origin(), []int32{1, 2, 3}) {
		t.Errorf("target %v origin %v", got.target(), got.origin())
	}
	// Overriding an in-flight move keeps the original replicas as origin.
	again := reassignTo(got, []int32{1, 7})
	want = assignment{Replicas: []int32{1, 7, 2, 3}, Adding: []int32{7}, Removing: []int32{2, 3}}
	if !equalAssignment(again, want) {
		t.Errorf("override = %+v, want %+v", again, want)
	}
	// Cancelling = moving back to the origin.
	back := reassignTo(got, got.origin())
	want = assignment{Replicas: []int32{1, 2, 3}, Adding: []int32{}, Removing: []int32{}}
	if !slices.Equal(back.Replicas, want.Replicas) || len(back.Adding) != 0 || len(back.Removing) != 0 {
		t.Errorf("cancel = %+v, want %+v", back, want)
	}
}
