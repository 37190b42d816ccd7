// Package zktest runs Debian's real Apache ZooKeeper (the `zookeeper` package:
// jars in /usr/share/java, QuorumPeerMain) for tests, the way net/http/httptest
// runs a real HTTP server.
//
// Two ways to get one:
//
//   - StartZooKeeper(t) starts a private server for one test, in t.TempDir(),
//     stopped by t.Cleanup. Use it when the test stops or restarts ZooKeeper.
//   - Shared(t) returns one server shared by every test of the package (a JVM
//     start costs one to two seconds). Each test isolates itself in its own
//     chroot: ChrootConnect(t) returns "127.0.0.1:port/t-<test name>-<n>",
//     a zookeeper.connect string whose chroot path does not exist yet (Kafka's
//     broker and zkcoord.Connect create it). Call Main from TestMain so the
//     shared server is stopped when the package's tests end; if a test binary
//     dies anyway, the kernel kills the server with it (Pdeathsig).
//
// Tests are skipped, with the reason, when java or the ZooKeeper jars are
// missing. The server's own log (log4j, INFO) is kept in its directory and
// printed when a test that started it fails.
//
// zktest imports no gokafka package, so any package's tests may use it.
package zktest
