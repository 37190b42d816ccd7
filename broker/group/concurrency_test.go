package group

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap/zaptest"
)

// asyncStore completes every append on its own goroutine, as the replica
// manager's purgatory does.
type asyncStore struct{ mem *memStore }

func (s asyncStore) Append(p int32, batch []byte, done func(error)) {
	s.mem.Append(p, batch, done)
	go s.mem.flush()
}

func (s asyncStore) Read(p int32, fn func([]byte) error) error { return s.mem.Read(p, fn) }

// The production wiring (real clock, scheduler goroutine, completion
// worker, asynchronous storage) under concurrent members that join, sync,
// heartbeat, commit and leave while rebalances churn: run with -race; no
// request may be left unanswered, and once all have left the group is Empty.
func TestConcurrentMembers(t *testing.T) {
	cfg := testConfig()
	cfg.GroupMinSessionTimeout = time.Millisecond
	store := asyncStore{newMemStore()}
	c := New(cfg, store, zaptest.NewLogger(t))
	c.Start()
	defer c.Close()
	c.OnElection(PartitionFor("g", 50), 0)
	waitUntil(t, func() bool { return c.status("g") == 0 })

	call := func(f func(done func())) {
		ch := make(chan struct{})
		f(func() { close(ch) })
		select {
		case <-ch:
		case <-time.After(20 * time.Second):
			panic("request never answered")
		}
	}
	const members, rounds = 6, 20
	var wg sync.WaitGroup
	for i := 0; i < members; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			id := ""
			for r := 0; r < rounds; r++ {
				var jr *kmsg.JoinGroupResponse
				for jr == nil || jr.ErrorCode != 0 {
					req := kmsg.NewPtrJoinGroupRequest()
					req.Version, req.Group, req.MemberID, req.ProtocolType = 7, "g", id, "consumer"
					req.SessionTimeoutMillis, req.RebalanceTimeoutMillis = 2000, 2000
					req.Protocols = []kmsg.JoinGroupRequestProtocol{{Name: "range", Metadata: subscription("t")}}
					call(func(done func()) {
						c.JoinGroup(req, Client{ID: "c", Host: "/127.0.0.1"}, func(r *kmsg.JoinGroupResponse) { jr = r; done() })
					})
					if jr.ErrorCode == 79 || jr.ErrorCode == 0 {
						id = jr.MemberID
					} else if jr.ErrorCode == 25 {
						id = ""
					}
				}
				sreq := kmsg.NewPtrSyncGroupRequest()
				sreq.Version, sreq.Group, sreq.MemberID, sreq.Generation = 5, "g", id, jr.Generation
				sreq.ProtocolType, sreq.Protocol = kmsg.StringPtr("consumer"), kmsg.StringPtr("range")
				for _, m := range jr.Members {
					sreq.GroupAssignment = append(sreq.GroupAssignment, kmsg.SyncGroupRequestGroupAssignment{MemberID: m.MemberID, MemberAssignment: []byte("a")})
				}
				call(func(done func()) { c.SyncGroup(sreq, func(*kmsg.SyncGroupResponse) { done() }) })
				hb := kmsg.NewPtrHeartbeatRequest()
				hb.Version, hb.Group, hb.MemberID, hb.Generation = 4, "g", id, jr.Generation
				c.Heartbeat(hb)
				creq := kmsg.NewPtrOffsetCommitRequest()
				creq.Version, creq.Group, creq.MemberID, creq.Generation = 8, "g", "", -1
				creq.Topics = []kmsg.OffsetCommitRequestTopic{{Topic: fmt.Sprint("t", i), Partitions: []kmsg.OffsetCommitRequestTopicPartition{{Partition: 0, Offset: int64(r)}}}}
				creq.Generation, creq.MemberID = jr.Generation, id
				call(func(done func()) { c.OffsetCommit(creq, nil, func(*kmsg.OffsetCommitResponse) { done() }) })
			}
			lv := kmsg.NewPtrLeaveGroupRequest()
			lv.Version, lv.Group = 4, "g"
			lv.Members = []kmsg.LeaveGroupRequestMember{{MemberID: id}}
			c.LeaveGroup(lv)
		}(i)
	}
	wg.Wait()
	waitUntil(t, func() bool {
		req := kmsg.NewPtrDescribeGroupsRequest()
		req.Groups = []string{"g"}
		return c.DescribeGroups(req).Groups[0].State == "Empty"
	})
}

func waitUntil(t *testing.T, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(5 * time.Millisecond)
	}
}
