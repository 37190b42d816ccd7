package controller

import (
	"fmt"
	"testing"
	"time"

	"gokafka/zkcoord"
)

// BenchmarkBrokerFailover measures, on the real ZooKeeper, how long the controller takes from a
// broker's session ending to new leaders written for every partition it led: 3 brokers, one
// topic of b.N×30 partitions with replication factor 3, the leader of a third of them killed.
// Reported as ms per failover and per moved partition.
//
//	go test -run XXX -bench BrokerFailover -benchtime 1x ./zkcoord/controller
func BenchmarkBrokerFailover(b *testing.B) {
	for _, parts := range []int32{30, 300} {
		b.Run(fmt.Sprintf("partitions=%d", parts), func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				c := newCluster(b)
				for id := int32(0); id < 3; id++ {
					c.startBroker(id)
				}
				assign := map[int32][]int32{}
				for p := int32(0); p < parts; p++ {
					assign[p] = []int32{p % 3, (p + 1) % 3, (p + 2) % 3}
				}
				start := time.Now()
				c.createTopic("bench", assign)
				c.waitState("bench", parts-1, "created", func(zkcoord.PartitionState) bool { return true })
				for p := int32(0); p < parts; p++ {
					c.waitState("bench", p, "created", func(zkcoord.PartitionState) bool { return true })
				}
				created := time.Since(start)
				victim := int32(1) // broker 0 is the controller
				b.StartTimer()
				start = time.Now()
				c.brokers[victim].stop()
				delete(c.brokers, victim)
				for p := int32(0); p < parts; p++ {
					if p%3 == victim {
						c.waitState("bench", p, "moved", func(s zkcoord.PartitionState) bool { return s.Leader != victim && s.Leader >= 0 })
					}
				}
				moved := time.Since(start)
				b.StopTimer()
				b.ReportMetric(float64(created.Milliseconds()), "create-ms")
				b.ReportMetric(float64(moved.Milliseconds()), "failover-ms")
				b.ReportMetric(float64(moved.Microseconds())/float64(parts/3)/1000, "ms/moved-partition")
			}
		})
	}
}
