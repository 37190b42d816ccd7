package broker

// InitProducerId: v0-4
//
// Behavior:
// * Non-transactional (idempotent) producers: each call hands out the next
//   producer id with epoch 0. Ids come in blocks of 1000 claimed from
//   /latest_producer_id_block (zkcoord.AllocateProducerIDBlock), as Kafka's
//   ProducerIdManager does, so ids are unique across the cluster and
//   restarts.
// * A request with a transactional_id is refused with
//   TRANSACTIONAL_ID_AUTHORIZATION_FAILED: there is no transaction
//   coordinator, and a non-retriable error makes a transactional client fail
//   at once with a clear message instead of retrying forever.
//
// Version notes:
// * v1: no changes; v2: flexible; v3: producer_id / producer_epoch of an
//   existing producer (KIP-360, only used with transactions); v4: no changes.
//
// Not implemented (why):
// * Transactions (KIP-98): no transaction coordinator or __transaction_state.

import (
	"errors"
	"fmt"
	"sync"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"
)

// producerIDManager hands out producer ids from blocks claimed in ZooKeeper.
// Safe for concurrent use.
type producerIDManager struct {
	b *Broker

	mu   sync.Mutex
	next int64 // next id to hand out; guarded by mu
	end  int64 // last id of the current block (inclusive); guarded by mu
}

func (m *producerIDManager) generate() (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.next == 0 && m.end == 0 || m.next > m.end {
		if m.b.zk == nil {
			return 0, errors.New("broker: no ZooKeeper session")
		}
		start, end, err := m.b.zk.AllocateProducerIDBlock(m.b.cfg.BrokerID)
		if err != nil {
			return 0, err
		}
		m.b.lg.Info(fmt.Sprintf("[ProducerId Manager %d]: Acquired new producerId block (brokerId:%d,blockStartProducerId:%d,blockEndProducerId:%d)",
			m.b.cfg.BrokerID, m.b.cfg.BrokerID, start, end))
		m.next, m.end = start, end
	}
	id := m.next
	m.next++
	return id, nil
}

func (b *Broker) handleInitProducerID(r *Request) {
	req := r.Msg.(*kmsg.InitProducerIDRequest)
	resp := req.ResponseKind().(*kmsg.InitProducerIDResponse)
	resp.ProducerID, resp.ProducerEpoch = -1, -1
	if req.TransactionalID != nil && *req.TransactionalID != "" {
		resp.ErrorCode = kerr.TransactionalIDAuthorizationFailed.Code
		r.Respond(resp)
		return
	}
	// Claiming a block writes to ZooKeeper: do it off the reader goroutine.
	b.goAsync(r, func() {
		id, err := b.producerIDs.generate()
		if err != nil {
			b.lg.Warn("Failed to allocate a producer id block", zap.Error(err))
			resp.ErrorCode = kerr.CoordinatorNotAvailable.Code
		} else {
			resp.ProducerID, resp.ProducerEpoch = id, 0
		}
		r.Respond(resp)
	})
}
