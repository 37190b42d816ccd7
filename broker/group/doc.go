// Package group is the group coordinator of Kafka 2.8 (kafka.coordinator.group):
// the consumer-group state machine (Empty, PreparingRebalance,
// CompletingRebalance, Stable, Dead), the JoinGroup / SyncGroup / Heartbeat /
// LeaveGroup rebalance protocol, committed offsets (OffsetCommit,
// OffsetFetch, OffsetDelete), the administrative APIs (ListGroups,
// DescribeGroups, DeleteGroups) and the __consumer_offsets record codec.
//
// The coordinator knows nothing of sockets, ZooKeeper or the replica
// manager. The broker hands it decoded kmsg requests and gets kmsg responses
// back through a completion callback (JoinGroup and SyncGroup answers are
// delayed until the rebalance allows them). Persistence goes through the
// Storage interface, which the broker implements over __consumer_offsets
// with acks=all; the broker also tells the coordinator when it gains
// (OnElection) or loses (OnResignation) leadership of an offsets partition,
// so that group state is replayed from the log on election and forgotten on
// resignation, exactly as Kafka's GroupMetadataManager does.
//
// # Records in __consumer_offsets
//
// Keys and values are Kafka's classic schemas (kmsg.OffsetCommitKey/Value,
// kmsg.GroupMetadataKey/Value): offset commit key v1 (group, topic,
// partition), value v3 (offset, leader epoch, metadata, commit timestamp) or
// v1 when the commit carries an explicit retention (OffsetCommit v2-v4);
// group metadata key v2 (group), value v3 (protocol type, generation,
// protocol, leader, state timestamp, members). A null value is a tombstone.
// Each append is one uncompressed magic-2 record batch with CreateTime
// timestamps and no producer id; loading reads batches of any codec.
//
// # Concurrency
//
// Each group has its own mutex (group.mu); the coordinator's mutex (mu)
// guards the partition ownership table and the group map and is never held
// while a group lock is taken (lock order: group.mu -> Coordinator.mu).
// Storage.Append is called with the group lock held, so that records of one
// group reach the log in the order the state machine produced them; its
// completion is handed to the coordinator's own worker, which takes the group
// lock, so a storage implementation may call done from any goroutine, even
// synchronously, with any of its own locks held. Response callbacks are run
// after the group lock is released. Timers (session expiry, rebalance and
// initial-delay timeouts, pending-member expiry, offset retention) share one
// scheduler goroutine; no goroutine sleeps per request.
//
// Besides kmsg, kerr and zap it imports only the log package, for the record
// batch codec (log.BuildBatch, log.Batches); it must not import broker,
// zkcoord or protocol.
package group
