// Package controller is the ZooKeeper-mode Kafka controller (Kafka 2.8's KafkaController):
// every broker runs one; the one that wins the election owns leader election, ISR bookkeeping
// after failures, topic creation and deletion, partition additions, controlled shutdown,
// preferred-replica elections and reassignments, and tells brokers about it with LeaderAndIsr,
// UpdateMetadata and StopReplica. The reference is controller.md and zookeeper.md in
// ../shared/reference.
//
// # Shape
//
// One goroutine drains an event queue (Kafka's ControllerEventManager). ZooKeeper watches and
// the entry points the broker calls only enqueue events; state (the controllerContext) is owned
// by that goroutine. Decisions are accumulated in a request batch and handed to a BrokerChannel,
// which the broker implements: the controller never opens a socket.
//
// # Election and fencing
//
// At Start the controller reads /controller (with an exists watch). If it is absent it runs one
// multi: create the ephemeral /controller {"version":1,"brokerid":N,"timestamp":"ms"} and set
// /controller_epoch (plain text) to E+1 expecting its zkVersion. The new zkVersion is the
// fencing token: every later controller write is a multi that starts with a check of
// /controller_epoch's version; BADVERSION there means another controller was elected, and this
// one resigns after the event (it re-reads /controller and, if that is gone, elects again).
// /controller deleted → election; /controller naming someone else → resign.
//
// On session expiry the broker calls OnSessionExpired (the controller resigns and forgets its
// watches); after it re-registered /brokers/ids/N in the new session it calls
// OnSessionReestablished (the controller re-arms its watch and takes part in the election).
//
// # Failover (controller.md §3)
//
// A new controller writes /feature ({"features":{},"version":1,"status":1}), watches
// /brokers/ids, /brokers/topics, /admin/delete_topics, /log_dir_event_notification,
// /isr_change_notification (children) and /admin/preferred_replica_election,
// /admin/reassign_partitions (exists), deletes pending notifications, reads brokers (epoch =
// czxid of /brokers/ids/N, data watch each), topics (data watch each, topic id stamped when
// missing) and partition states, queues the deletion markers, sends UpdateMetadata with the live
// brokers, moves replicas on live brokers Online (one LeaderAndIsr per broker) and the others
// Offline, elects leaders for partitions without a live one, resumes reassignments and
// deletions, runs a pending preferred election and schedules the auto-rebalance check.
//
// # What the broker must do
//
//   - Implement BrokerChannel: a FIFO queue and connection per broker on the inter-broker
//     listener, including to itself; call each Send callback (when not nil) exactly once with
//     the response or an error, also when the request is dropped. The StopReplica callback
//     drives topic deletion: a broker must answer StopReplica(delete=true) per partition with
//     error 0 once the log is renamed for deletion.
//   - Enforce controller.md §4.1 on receipt: reject a lower controller epoch with
//     STALE_CONTROLLER_EPOCH, accept a partition state only with a higher leader epoch.
//   - Serve ControlledShutdown (key 7) with Controller.ControlledShutdown; ElectLeaders (43)
//     with ElectLeaders; AlterPartitionReassignments (45) and ListPartitionReassignments (46)
//     with the methods of the same name; answer NOT_CONTROLLER when IsActive is false.
//   - Leaders change their ISR themselves (reference decision 3): conditional write of the
//     state znode with the zkVersion from the last LeaderAndIsr, then a sequential
//     /isr_change_notification/isr_change_ znode; the controller re-reads the states and sends
//     UpdateMetadata to all brokers (and completes reassignments waiting for that ISR).
//   - Call OnSessionExpired / OnSessionReestablished from zkcoord.Client's hooks, and Close
//     before closing the ZooKeeper client.
//
// # Differences from Kafka 2.8 and what is not implemented
//
//   - Requests one decision produces go out as one batch per broker (Kafka sometimes sends the
//     partition and replica state machines' batches separately); a partition appears once per
//     request, with its final state.
//   - AlterIsr (key 56) is not served: ISR changes reach the controller through ZooKeeper.
//   - Log-directory failure notifications are deleted without acting on them (no JBOD).
//   - No controller metrics (offline partition count, event queue time, ...).
//   - LeaderAndIsr responses are only logged (Kafka uses them for offline log dirs and topic-id
//     mismatches).
//
// # Imports
//
// zkcoord (client and znode codecs), go-zookeeper (raw multi and watches), franz-go's kmsg and
// kerr, zap. It must not import broker, log or protocol.
package controller
