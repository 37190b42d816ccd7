package broker_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/twmb/franz-go/pkg/kgo"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord/zktest"
)

// BenchmarkDataPath produces and consumes 100 B and 1 KB records with
// franz-go against a gokafka broker process and, in the same run, against
// franz-go's kfake (built from /work/shared/bench/kfake; path in $KFAKE_BIN,
// default /tmp/kfake; the kfake half is skipped when missing). Besides
// ns/op and MB/s it reports the broker process's CPU seconds per GiB moved
// (utime+stime of the broker's process from /proc before and after).
//
//	go test -run '^$' -bench DataPath -benchtime 200000x ./broker
func BenchmarkDataPath(b *testing.B) {
	zk := zktest.StartZooKeeper(b)
	gk := brokertest.StartBroker(b, zk, brokertest.WithProps("num.partitions", "1"))
	targets := []struct {
		name, addr string
		pid        int
	}{{"gokafka", gk.Addr, gk.PID()}}
	if addr, pid := startKfake(b); addr != "" {
		targets = append(targets, struct {
			name, addr string
			pid        int
		}{"kfake", addr, pid})
	}
	ctx := context.Background()
	for _, size := range []int{100, 1000} {
		for _, acks := range []string{"1", "all"} {
			for _, tg := range targets {
				b.Run(fmt.Sprintf("produce-%dB-acks%s/%s", size, acks, tg.name), func(b *testing.B) {
					topic := fmt.Sprintf("p%d-%s-%d", size, acks, b.N)
					createTopicAt(b, ctx, tg.addr, topic)
					opts := []kgo.Opt{kgo.RequiredAcks(kgo.AllISRAcks()), kgo.ProducerLinger(0), kgo.MaxBufferedRecords(1 << 16)}
					if acks == "1" {
						opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite())
					}
					cl := benchClient(b, tg.addr, opts...)
					cpu := procCPU(tg.pid)
					b.SetBytes(int64(size))
					b.ResetTimer()
					produceN(b, ctx, cl, topic, size, b.N)
					b.StopTimer()
					reportCPU(b, tg.pid, cpu, int64(size)*int64(b.N))
				})
			}
		}
		for _, tg := range targets {
			b.Run(fmt.Sprintf("consume-%dB/%s", size, tg.name), func(b *testing.B) {
				topic := fmt.Sprintf("c%d-%d", size, b.N)
				createTopicAt(b, ctx, tg.addr, topic)
				produceN(b, ctx, benchClient(b, tg.addr, kgo.RequiredAcks(kgo.LeaderAck()), kgo.DisableIdempotentWrite()), topic, size, b.N)
				cl := benchClient(b, tg.addr, kgo.ConsumeTopics(topic), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
				cpu := procCPU(tg.pid)
				b.SetBytes(int64(size))
				b.ResetTimer()
				for got := 0; got < b.N; {
					fs := cl.PollFetches(ctx)
					fs.EachError(func(_ string, _ int32, err error) { b.Fatalf("fetch: %v", err) })
					got += fs.NumRecords()
				}
				b.StopTimer()
				reportCPU(b, tg.pid, cpu, int64(size)*int64(b.N))
			})
		}
	}
}

func produceN(b *testing.B, ctx context.Context, cl *kgo.Client, topic string, size, n int) {
	value := make([]byte, size)
	var failed atomic.Value
	for i := 0; i < n; i++ {
		cl.Produce(ctx, &kgo.Record{Topic: topic, Value: value}, func(_ *kgo.Record, err error) {
			if err != nil {
				failed.Store(err)
			}
		})
	}
	if err := cl.Flush(ctx); err != nil {
		b.Fatal(err)
	}
	if err, _ := failed.Load().(error); err != nil {
		b.Fatalf("produce: %v", err)
	}
}

func benchClient(b *testing.B, addr string, opts ...kgo.Opt) *kgo.Client {
	cl, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(addr), kgo.AllowAutoTopicCreation()}, opts...)...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(cl.Close)
	return cl
}

// startKfake runs kfake on a free port with a data dir, as the bench README
// recommends; it returns "" when the binary is missing.
func startKfake(b *testing.B) (string, int) {
	bin := os.Getenv("KFAKE_BIN")
	if bin == "" {
		bin = "/tmp/kfake"
	}
	if _, err := os.Stat(bin); err != nil {
		b.Logf("kfake not found at %s; measuring gokafka only", bin)
		return "", 0
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "-ports", strconv.Itoa(port), "-as-version", "2.8", "-data-dir", b.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		cmd.Wait()
	})
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.Contains(sc.Text(), "ready") {
			go func() {
				for sc.Scan() {
				}
			}()
			return fmt.Sprintf("127.0.0.1:%d", port), cmd.Process.Pid
		}
	}
	b.Fatal("kfake exited before it was ready")
	return "", 0
}

// procCPU returns utime+stime of pid in clock ticks (100 Hz).
func procCPU(pid int) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(data)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return ut + st
}

func reportCPU(b *testing.B, pid int, before, bytes int64) {
	if pid == 0 || bytes == 0 {
		return
	}
	secs := float64(procCPU(pid)-before) / 100
	b.ReportMetric(secs/(float64(bytes)/(1<<30)), "broker-cpu-s/GiB")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
