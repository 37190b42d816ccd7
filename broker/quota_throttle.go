package broker

import (
	"math"
	"time"
)

// Throttling (Kafka 2.8's KafkaApis with KIP-219): a client over its quota
// gets its answer at once, carrying throttle_time_ms, and its connection is
// muted for that long: the broker reads no further request from it until
// the throttle ends. Clients of KIP-219 versions (Produce v6+, Fetch v8+)
// back off by themselves; older ones are held back by the mute, which is
// how 2.8 treats every version (it no longer delays responses).

// throttleProduce records a produce request's size (its whole frame, as
// Kafka's request.sizeInBytes) against the client's producer_byte_rate
// quota and mutes the connection if the client is over it. It returns the
// throttle time for the response. acks=0 requests are recorded and muted
// too: they just have no response to carry it.
func (b *Broker) throttleProduce(r *Request, size int) int32 {
	q := b.quotas()
	if q == nil || !q.produce.enabled() {
		return 0
	}
	return r.throttle(q.produce.recordAndGetThrottleTimeMs(anonymousUser, r.ClientID, float64(size)))
}

// fetchQuota is the fetch quota manager that applies to a fetch, nil when
// none does: follower fetches are exempt (replication has its own quotas).
func (b *Broker) fetchQuota(replicaID int32) *clientQuotaManager {
	q := b.quotas()
	if replicaID >= 0 || q == nil || !q.fetch.enabled() {
		return nil
	}
	return q.fetch
}

// capFetchMaxBytes caps a consumer fetch's max_bytes (and min_bytes with
// it) to what its quota allows in one window, so that a fetch never asks
// for more than would certainly throttle it (KafkaApis.handleFetchRequest).
func capFetchMaxBytes(fq *clientQuotaManager, clientID string, p *fetchParams) {
	if fq == nil {
		return
	}
	if max := fq.maxValueInQuotaWindow(anonymousUser, clientID); int64(p.maxBytes) > max {
		p.maxBytes = int32(max)
	}
	if p.minBytes > p.maxBytes {
		p.minBytes = p.maxBytes
	}
}

// throttleFetch records a consumer fetch's response bytes against its
// consumer_byte_rate quota. When the client is over it, the bytes are taken
// back (the answer will be empty), the connection is muted, and the
// throttle time is returned: the caller answers an empty response carrying
// it (FetchContext.getThrottledResponse).
func (b *Broker) throttleFetch(r *Request, fq *clientQuotaManager, results []fetchPartitionResult) int32 {
	size := 0
	for i := range results {
		size += int(results[i].slice.Size)
	}
	ms := fq.recordAndGetThrottleTimeMs(anonymousUser, r.ClientID, float64(size))
	if ms <= 0 {
		return 0
	}
	fq.unrecord(anonymousUser, r.ClientID, float64(size))
	return r.throttle(ms)
}

// throttle mutes r's connection for ms and returns ms as a response field.
func (r *Request) throttle(ms int64) int32 {
	if ms <= 0 {
		return 0
	}
	if ms > math.MaxInt32 {
		ms = math.MaxInt32
	}
	if r.conn != nil {
		r.conn.throttle(time.Duration(ms) * time.Millisecond)
	}
	return int32(ms)
}
