package broker_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord"
)

// Replication measurements for docs/PERFORMANCE.md ("## Replication"); the
// exact commands are there. They start real broker processes like the
// failover tests and are skipped with -short.

// BenchmarkFailover measures how long a partition is unwritable when its
// leader goes away: from the signal to the first acks=all batch written on
// the new leader (franz-go's HookProduceBatchWritten names the broker).
// One failover per b.N; the median over the run is reported. The probe
// producer retries every 20 ms and refreshes metadata as often as it likes,
// so that the client adds little of its own.
//
//   - SIGKILL: the controller hears of the death only when the broker's
//     ZooKeeper session expires (zookeeper.session.timeout.ms, 4000 here), so
//     expiry_ms (signal -> /brokers/ids/N gone) and after_expiry_ms (-> first
//     write on the new leader) are reported separately.
//   - SIGTERM: controlled shutdown moves leadership before the broker stops.
func BenchmarkFailover(b *testing.B) {
	for _, how := range []string{"SIGKILL", "SIGTERM"} {
		b.Run(how, func(b *testing.B) { benchFailover(b, how) })
	}
}

func benchFailover(b *testing.B, how string) {
	c := startFailoverCluster(b, 3)
	const topic = "probe"
	c.createTopic(topic, 1, 3, map[string]string{"min.insync.replicas": "2"})
	probe := newWriteProbe(b, c, topic)
	var total, expiry, after []time.Duration
	for i := 0; i < b.N; i++ {
		probe.waitWrite(c, -1, time.Now()) // the partition is writable
		leader := c.leader(topic, 0)
		ctl := c.controllerID()
		t0 := time.Now()
		var gone time.Time
		switch how {
		case "SIGKILL":
			leader.Kill()
			// Polled every 2 ms: the election follows within milliseconds.
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(2 * time.Millisecond) {
				ok, _, err := c.zk.Exists(zkcoord.BrokerIDPath(leader.ID))
				if err == nil && !ok {
					break
				}
				if time.Now().After(deadline) {
					b.Fatalf("broker %d's registration did not expire", leader.ID)
				}
			}
			gone = time.Now()
		case "SIGTERM":
			go leader.Stop()
		}
		w := probe.waitWrite(c, leader.ID, t0)
		total = append(total, w.Sub(t0))
		if !gone.IsZero() {
			expiry = append(expiry, gone.Sub(t0))
			after = append(after, w.Sub(gone))
		}
		b.Logf("%s %s of leader %d (controller %d)", t0.Format("15:04:05.000"), how, leader.ID, ctl)
		b.Logf("%s of leader %d (controller %d): first write on broker %d after %v", how, leader.ID, ctl, probe.lastNode(), w.Sub(t0))
		if os.Getenv("FAILOVER_DEBUG") != "" {
			fmt.Fprintf(os.Stderr, "%s of leader %d (controller %d): first write on broker %d after %v\n", how, leader.ID, ctl, probe.lastNode(), w.Sub(t0))
		}
		if os.Getenv("FAILOVER_DEBUG") != "" && w.Sub(t0) > 300*time.Millisecond {
			c.waitFor("the old leader to exit", time.Minute, func() bool { return !leader.Running() })
			for _, br := range c.brokers {
				for _, line := range strings.Split(br.Output(), "\n") {
					if len(line) < 25 || line[0] != '[' {
						continue
					}
					ts, err := time.ParseInLocation("2006-01-02 15:04:05,000", line[1:24], time.Local)
					if err == nil && ts.After(t0.Add(-50*time.Millisecond)) && ts.Before(w.Add(50*time.Millisecond)) {
						fmt.Fprintf(os.Stderr, "DEBUG %s broker %d: %s\n", how, br.ID, line)
					}
				}
			}
		}
		c.waitFor("the old leader to exit", time.Minute, func() bool { return !leader.Running() })
		leader.Restart()
		c.waitISR(topic, 0, 3)
	}
	b.ReportMetric(medianMs(total), "ms_to_first_write")
	if len(expiry) > 0 {
		b.ReportMetric(medianMs(expiry), "expiry_ms")
		b.ReportMetric(medianMs(after), "after_expiry_ms")
	}
	b.ReportMetric(0, "ns/op")
}

// writeProbe produces one acks=all record per millisecond and remembers
// when and where each batch was written.
type writeProbe struct {
	mu     sync.Mutex
	writes []probeWrite
	cond   chan struct{} // closed and replaced on every write
}

type probeWrite struct {
	at   time.Time
	node int32
}

func (p *writeProbe) OnProduceBatchWritten(meta kgo.BrokerMetadata, _ string, _ int32, _ kgo.ProduceBatchMetrics) {
	p.mu.Lock()
	p.writes = append(p.writes, probeWrite{time.Now(), meta.NodeID})
	close(p.cond)
	p.cond = make(chan struct{})
	p.mu.Unlock()
}

func newWriteProbe(tb testing.TB, c *failoverCluster, topic string) *writeProbe {
	p := &writeProbe{cond: make(chan struct{})}
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.seeds()...), kgo.DefaultProduceTopic(topic),
		kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(0),
		kgo.RetryBackoffFn(func(int) time.Duration { return 20 * time.Millisecond }),
		kgo.MetadataMinAge(10*time.Millisecond), kgo.RecordDeliveryTimeout(5*time.Minute),
		kgo.WithHooks(p))
	if err != nil {
		tb.Fatal(err)
	}
	ctx, cancel := context.WithCancel(c.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for ctx.Err() == nil {
			cl.Produce(ctx, &kgo.Record{Value: []byte("probe")}, nil)
			time.Sleep(time.Millisecond)
		}
	}()
	tb.Cleanup(func() { cancel(); <-done; cl.Close() })
	return p
}

// waitWrite waits for a batch written after since on a broker other than
// not, and returns when it was written.
func (p *writeProbe) waitWrite(c *failoverCluster, not int32, since time.Time) time.Time {
	deadline := time.After(2 * time.Minute)
	for {
		p.mu.Lock()
		for _, w := range p.writes {
			if w.at.After(since) && w.node != not {
				p.mu.Unlock()
				return w.at
			}
		}
		ch := p.cond
		p.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			c.t.Fatalf("no write on a broker other than %d", not)
		}
	}
}

func (p *writeProbe) lastNode() int32 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.writes[len(p.writes)-1].node
}

func medianMs(ds []time.Duration) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	return float64(s[len(s)/2]) / float64(time.Millisecond)
}

// BenchmarkReplicationThroughput runs the load tool (/work/shared/bench/load,
// built to $LOADBENCH, default /tmp/loadbench) against one three-broker
// cluster: 1 KB records to three partitions with replication factor 1 and
// acks=1, then replication factor 3, min.insync.replicas=2 and acks=all,
// alternating for three rounds, each on a fresh topic. It reports the
// medians, their ratio, and the brokers' CPU seconds per run (utime+stime
// of the three processes).
func BenchmarkReplicationThroughput(b *testing.B) {
	bin := os.Getenv("LOADBENCH")
	if bin == "" {
		bin = "/tmp/loadbench"
	}
	if _, err := os.Stat(bin); err != nil {
		b.Skipf("load tool not built: %v (cd /work/shared/bench/load && go build -o /tmp/loadbench .)", err)
	}
	n := "300000"
	if v := os.Getenv("LOADBENCH_N"); v != "" {
		n = v
	}
	c := startFailoverCluster(b, 3, brokertest.WithProps("min.insync.replicas", "2"))
	seeds := strings.Join(c.seeds(), ",")
	brokerCPU := func() (ticks int64) {
		for _, br := range c.brokers {
			ticks += procCPU(br.PID())
		}
		return ticks
	}
	var cpu1, cpu3 []float64 // broker CPU seconds per run
	run := func(topic, rf, acks string) float64 {
		cpu0 := brokerCPU()
		defer func() {
			used := float64(brokerCPU()-cpu0) / 100
			if rf == "1" {
				cpu1 = append(cpu1, used)
			} else {
				cpu3 = append(cpu3, used)
			}
		}()
		out, err := exec.CommandContext(c.ctx, bin, "-mode", "produce", "-b", seeds, "-t", topic,
			"-create", "3", "-rf", rf, "-n", n, "-s", "1000", "-acks", acks).CombinedOutput()
		if err != nil {
			b.Fatalf("load: %v\n%s", err, out)
		}
		for _, line := range strings.Split(string(out), "\n") {
			if !strings.HasPrefix(line, "RESULT ") {
				continue
			}
			b.Logf("rf=%s acks=%s: %s", rf, acks, line)
			for _, kv := range strings.Fields(line) {
				if v, ok := strings.CutPrefix(kv, "rps="); ok {
					rps, _ := strconv.ParseFloat(v, 64)
					return rps
				}
			}
		}
		b.Fatalf("no RESULT line:\n%s", out)
		return 0
	}
	var rf1, rf3 []float64
	for i := 0; i < b.N; i++ {
		for round := 0; round < 3; round++ {
			rf1 = append(rf1, run(fmt.Sprintf("rf1-%d-%d", i, round), "1", "1"))
			rf3 = append(rf3, run(fmt.Sprintf("rf3-%d-%d", i, round), "3", "all"))
		}
	}
	slices.Sort(rf1)
	slices.Sort(rf3)
	m1, m3 := rf1[len(rf1)/2], rf3[len(rf3)/2]
	b.ReportMetric(m1, "rf1_acks1_rec/s")
	b.ReportMetric(m3, "rf3_acksall_rec/s")
	b.ReportMetric(m3/m1, "ratio")
	slices.Sort(cpu1)
	slices.Sort(cpu3)
	b.ReportMetric(cpu1[len(cpu1)/2], "rf1_broker_cpu_s")
	b.ReportMetric(cpu3[len(cpu3)/2], "rf3_broker_cpu_s")
	b.ReportMetric(0, "ns/op")
}
