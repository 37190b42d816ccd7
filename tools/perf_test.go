package tools

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The --record-size payload is java.util.Random(0).nextInt(26)+65, as
// printed by a JVM: new Random(0) gives "SSXVNJHPDQ...".
func TestJavaRandomPayload(t *testing.T) {
	r := newJavaRandom(0)
	var sb strings.Builder
	for i := 0; i < 40; i++ {
		sb.WriteByte(byte(r.nextInt(26) + 65))
	}
	if got, want := sb.String(), "SSXVNJHPDQDXVCRASTVYBCWVMGNYKRXVZXKGXTSP"; got != want {
		t.Errorf("payload %s, want %s", got, want)
	}
}

// Java's %.Nf rounds HALF_UP on the shortest decimal form (values checked
// with a JVM).
func TestJavaFixed(t *testing.T) {
	for _, tc := range []struct {
		f    float64
		prec int
		want string
	}{{0.125, 2, "0.13"}, {0.25, 1, "0.3"}, {1234.5, 6, "1234.500000"}, {2.675, 2, "2.68"}, {9.99, 1, "10.0"}, {0, 4, "0.0000"}} {
		if got := javaFixed(tc.f, tc.prec); got != tc.want {
			t.Errorf("javaFixed(%v, %d) = %s, want %s", tc.f, tc.prec, got, tc.want)
		}
	}
}

func TestProducerThenConsumerPerf(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "perf")
	res := runTool(t, runProducerPerf, "", "--topic", "perf", "--num-records", "2000", "--record-size", "100",
		"--throughput", "-1", "--producer-props", "bootstrap.servers="+addr, "acks=1")
	final := regexp.MustCompile(`^2000 records sent, \d+\.\d{6} records/sec \(\d+\.\d{2} MB/sec\), \d+\.\d{2} ms avg latency, \d+\.\d{2} ms max latency, \d+ ms 50th, \d+ ms 95th, \d+ ms 99th, \d+ ms 99\.9th\.\n$`)
	if res.Code != 0 || !final.MatchString(res.Stdout) {
		t.Fatalf("producer perf: %+v", res)
	}
	res = runTool(t, runConsumerPerf, "", "--bootstrap-server", addr, "--topic", "perf", "--messages", "2000", "--timeout", "20000")
	lines := strings.Split(res.Stdout, "\n")
	if res.Code != 0 || len(lines) != 3 || lines[0] != "start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec" {
		t.Fatalf("consumer perf: %+v", res)
	}
	num := `(?:\d+\.\d{4}|Infinity)`
	row := regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, \d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, 0\.1907, ` + num + `, 2000, ` + num + `, \d+, -?\d+, ` + num + `, ` + num + `$`)
	if !row.MatchString(lines[1]) {
		t.Errorf("result line %q", lines[1])
	}
	// Too few records: the warning, after the timeout.
	res = runTool(t, runConsumerPerf, "", "--bootstrap-server", addr, "--topic", "perf", "--messages", "5000", "--timeout", "1000", "--hide-header", "--group", "other")
	if !strings.HasPrefix(res.Stdout, "WARNING: Exiting before consuming the expected number of messages: timeout (1000 ms) exceeded. You can use the --timeout option to increase the timeout.\n") {
		t.Errorf("timeout: %q", res.Stdout)
	}
}

func TestPerfUsageErrors(t *testing.T) {
	res := runTool(t, runProducerPerf, "", "--topic", "t", "--num-records", "1", "--throughput", "1", "--producer-props", "a=b")
	if res.Code != 1 || res.Stderr != producerPerfUsage+"\nproducer-performance: error: one of the arguments --record-size --payload-file is required\n" {
		t.Errorf("no size: %+v", res)
	}
	res = runTool(t, runProducerPerf, "")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, producerPerfUsage+"\n\nThis tool is used to verify the producer performance.") {
		t.Errorf("no args: %+v", res)
	}
	res = runTool(t, runConsumerPerf, "", "--bootstrap-server", "h:1", "--topic", "t")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Missing required argument \"[messages]\"\n") {
		t.Errorf("consumer perf: %+v", firstLines(res.Stderr, 1))
	}
}

// --payload-file: payloads split at the delimiter, reported first; the
// consumer's --show-detailed-stats switches to the per-interval header.
func TestPerfPayloadFileAndDetailedStats(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "perf")
	file := filepath.Join(t.TempDir(), "payloads.txt")
	if err := os.WriteFile(file, []byte("one\ntwo\nthree\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res := runTool(t, runProducerPerf, "", "--topic", "perf", "--num-records", "100", "--payload-file", file,
		"--throughput", "-1", "--producer-props", "bootstrap.servers="+addr)
	lines := strings.Split(res.Stdout, "\n")
	if res.Code != 0 || lines[0] != "Reading payloads from: "+file || lines[1] != "Number of messages read: 3" || !strings.HasPrefix(lines[2], "100 records sent, ") {
		t.Fatalf("payload file: %+v", res)
	}
	res = runTool(t, runConsumerPerf, "", "--bootstrap-server", addr, "--topic", "perf", "--messages", "100", "--show-detailed-stats", "--reporting-interval", "1")
	if res.Code != 0 || !strings.HasPrefix(res.Stdout, "time, threadId, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n") {
		t.Errorf("detailed stats: %+v", res)
	}
}
