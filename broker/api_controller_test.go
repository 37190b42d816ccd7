package broker

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// InitProducerId hands out distinct ids with epoch 0 (blocks from
// /latest_producer_id_block); a transactional id is refused.
func TestInitProducerID(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	bs := startTestCluster(t, 2)
	seen := map[int64]bool{}
	for i, b := range bs {
		c := dialRaw(t, b.addr())
		for v := int16(0); v <= 4; v++ {
			req := kmsg.NewPtrInitProducerIDRequest()
			req.SetVersion(v)
			resp := c.roundTrip(req, int32(v)).(*kmsg.InitProducerIDResponse)
			if resp.ErrorCode != 0 || resp.ProducerEpoch != 0 || resp.ProducerID < 0 || seen[resp.ProducerID] {
				t.Fatalf("broker %d v%d: %+v", i, v, resp)
			}
			seen[resp.ProducerID] = true
		}
		req := kmsg.NewPtrInitProducerIDRequest()
		req.TransactionalID = kmsg.StringPtr("tx")
		resp := c.roundTrip(req, 9).(*kmsg.InitProducerIDResponse)
		if resp.ErrorCode != kerr.TransactionalIDAuthorizationFailed.Code {
			t.Fatalf("transactional: %+v", resp)
		}
	}
}

// Controlled shutdown (controller.md §9): the stopping broker asks the
// controller to move its leaderships away; the others then lead every
// partition, with the stopped broker out of the ISRs, and an idempotent
// producer (InitProducerId) keeps working.
func TestControlledShutdownMovesLeaders(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	bs := startTestCluster(t, 3)
	cl := newClient(t, kgo.SeedBrokers(bs[0].addr(), bs[1].addr(), bs[2].addr()), kgo.DefaultProduceTopic("moving"))
	adm := kadm.NewClient(cl)
	c := ctx(t)
	if r, err := adm.CreateTopics(c, 6, 3, nil, "moving"); err != nil || r["moving"].Err != nil {
		t.Fatalf("create: %v %+v", err, r)
	}
	if err := cl.ProduceSync(c, &kgo.Record{Value: []byte("before")}).FirstErr(); err != nil {
		t.Fatalf("produce: %v", err)
	}

	// Stop a broker that is not the controller, so the request crosses the
	// network (ControlledShutdown v3 to the controller).
	ctrl := bs[0].metadata.ControllerID()
	victim := bs[(ctrl+1)%3]
	waitFor(t, 15*time.Second, func() error {
		for _, p := range victim.metadata.Partitions("moving") {
			if len(p.ISR) != 3 {
				return fmt.Errorf("partition %d ISR %v", p.Partition, p.ISR)
			}
		}
		return nil
	})
	start := time.Now()
	victim.Shutdown()
	took := time.Since(start)
	t.Logf("controlled shutdown of broker %d took %v", victim.cfg.BrokerID, took)

	survivor := bs[ctrl]
	waitFor(t, 15*time.Second, func() error {
		for _, p := range survivor.metadata.Partitions("moving") {
			if p.Leader == victim.cfg.BrokerID || p.Leader < 0 || slices.Contains(p.ISR, victim.cfg.BrokerID) {
				return fmt.Errorf("partition %d leader %d ISR %v", p.Partition, p.Leader, p.ISR)
			}
		}
		if survivor.metadata.IsAlive(victim.cfg.BrokerID) {
			return fmt.Errorf("broker %d still alive", victim.cfg.BrokerID)
		}
		return nil
	})
	if err := cl.ProduceSync(c, &kgo.Record{Value: []byte("after")}).FirstErr(); err != nil {
		t.Fatalf("produce after shutdown: %v", err)
	}
}

// A deposed controller's requests (lower controller epoch) and requests for
// an older registration of this broker (lower broker epoch) are refused.
func TestControlRequestEpochFencing(t *testing.T) {
	b, _ := newConnBroker(t)
	b.brokerEpoch.Store(100)
	c := dialRaw(t, b.addr())
	um := func(ctrlEpoch int32, brokerEpoch int64) int16 {
		req := kmsg.NewPtrUpdateMetadataRequest()
		req.SetVersion(7)
		req.ControllerID, req.ControllerEpoch, req.BrokerEpoch = 1, ctrlEpoch, brokerEpoch
		return c.roundTrip(req, 1).(*kmsg.UpdateMetadataResponse).ErrorCode
	}
	if code := um(5, 100); code != 0 {
		t.Fatalf("current request: %d", code)
	}
	if code := um(4, 100); code != kerr.StaleControllerEpoch.Code {
		t.Fatalf("older controller epoch: %d, want STALE_CONTROLLER_EPOCH", code)
	}
	if code := um(5, 99); code != kerr.StaleBrokerEpoch.Code {
		t.Fatalf("older broker epoch: %d, want STALE_BROKER_EPOCH", code)
	}
	if code := um(6, -1); code != 0 { // -1: epoch unknown to the sender
		t.Fatalf("unknown broker epoch: %d", code)
	}

	lai := kmsg.NewPtrLeaderAndISRRequest()
	lai.SetVersion(5)
	lai.ControllerEpoch, lai.BrokerEpoch = 5, 100
	ts := kmsg.NewLeaderAndISRRequestTopicState()
	ts.Topic = "t"
	p := kmsg.NewLeaderAndISRRequestTopicPartition()
	p.Partition = 0
	ts.PartitionStates = append(ts.PartitionStates, p)
	lai.TopicStates = append(lai.TopicStates, ts)
	resp := c.roundTrip(lai, 2).(*kmsg.LeaderAndISRResponse)
	if resp.ErrorCode != kerr.StaleControllerEpoch.Code || resp.Topics[0].Partitions[0].ErrorCode != kerr.StaleControllerEpoch.Code {
		t.Fatalf("LeaderAndIsr from epoch 5 after 6: %+v", resp)
	}

	sr := kmsg.NewPtrStopReplicaRequest()
	sr.SetVersion(3)
	sr.ControllerEpoch, sr.BrokerEpoch = 3, 100
	if code := c.roundTrip(sr, 3).(*kmsg.StopReplicaResponse).ErrorCode; code != kerr.StaleControllerEpoch.Code {
		t.Fatalf("StopReplica: %d", code)
	}

	// ControlledShutdown to a broker that is not the controller.
	cs := kmsg.NewPtrControlledShutdownRequest()
	cs.SetVersion(0) // request header v0
	cs.BrokerID = 3
	if code := c.roundTrip(cs, 4).(*kmsg.ControlledShutdownResponse).ErrorCode; code != kerr.NotController.Code {
		t.Fatalf("ControlledShutdown v0: %d, want NOT_CONTROLLER", code)
	}
}
