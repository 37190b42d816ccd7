// Package zkcoord is gokafka's ZooKeeper layer: a small generic client over
// github.com/go-zookeeper/zk (chroot, session hooks, watches, fenced multi),
// one typed codec per Kafka 2.x znode, and the admin writes that Kafka's
// AdminZkClient performs (topic creation with Kafka's replica assignment,
// partition addition, deletion markers, entity configs with change
// notifications).
//
// # Znodes
//
// Every znode has one Go type in a small file, with its path, Encode and a
// Decode function: brokers.go (/brokers/ids/N), topics.go (/brokers/topics/T),
// partition_state.go (.../partitions/P/state), controller_znodes.go
// (/controller, /controller_epoch), config_znodes.go (/config/...),
// cluster.go (/cluster/id, /feature), producer_id.go
// (/latest_producer_id_block), admin_znodes.go (/admin/..., notifications).
// Encoders write the JSON that Kafka 2.8 writes (compact, same keys and value
// types, e.g. timestamps as strings); decoders also read the versions older
// 2.x releases wrote, and never depend on key order. The layout is specified
// in ../shared/reference/zookeeper.md.
//
// # Imports
//
// zkcoord imports no broker, log or protocol package: the controller
// (zkcoord/controller) and the broker build on it, never the reverse.
//
// # Concurrency
//
// Client is safe for concurrent use. Watch callbacks and session hooks run on
// goroutines owned by the Client; they must not block for long (the
// controller only enqueues an event in them).
package zkcoord
