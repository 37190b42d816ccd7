// Package brokertest runs real gokafka broker processes for tests, the way
// net/http/httptest runs a real HTTP server and etcd's e2e framework runs
// real etcd processes.
//
// StartBroker builds the gokafka binary once per test binary (or uses
// $GOKAFKA_BIN, which `make test` sets), writes a server.properties for a free
// loopback port with log.dirs in t.TempDir(), runs
//
//	gokafka kafka.Kafka <dir>/server.properties
//
// and waits for Kafka's ready line
//
//	[KafkaServer id=N] started (kafka.server.KafkaServer)
//
// The returned handle stops (SIGTERM: controlled shutdown), kills (SIGKILL)
// and restarts the process. t.Cleanup kills the process group and, when the
// test failed, prints the broker's output.
//
// ZooKeeper comes from zkcoord/zktest: a private server (StartZooKeeper) or
// a chroot on the shared one (WithZkConnect(zk.ChrootConnect(t))). Brokers
// of one cluster must share the zookeeper.connect string.
//
// brokertest imports no gokafka package except zkcoord/zktest: it talks to
// the broker only through its command line, files and sockets, as a user
// would.
package brokertest
