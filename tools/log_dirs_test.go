package tools

import (
	"encoding/json"
	"strings"
	"testing"
)

// logDirsOutput is the JSON line kafka-log-dirs.sh prints.
type logDirsOutput struct {
	Version int `json:"version"`
	Brokers []struct {
		Broker  int `json:"broker"`
		LogDirs []struct {
			LogDir     string  `json:"logDir"`
			Error      *string `json:"error"`
			Partitions []struct {
				Partition string `json:"partition"`
				Size      int64  `json:"size"`
				OffsetLag int64  `json:"offsetLag"`
				IsFuture  bool   `json:"isFuture"`
			} `json:"partitions"`
		} `json:"logDirs"`
	} `json:"brokers"`
}

// kafka-log-dirs.sh --describe against a real broker: the two header lines,
// then JSON naming the broker's log.dirs with each partition's size; the
// partition holding records has a nonzero size, the empty one zero.
// --topic-list and --broker-list narrow the answer.
func TestLogDirsRealBroker(t *testing.T) {
	b := startBrokerWithRecords(t, "sized", 2, 3)
	res := runTool(t, runLogDirs, "", "--bootstrap-server", b.Addr, "--describe")
	lines := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	if res.Code != 0 || len(lines) != 3 || lines[0] != "Querying brokers for log directories information" ||
		lines[1] != "Received log directory information from brokers 0" {
		t.Fatalf("code %d\n%s%s", res.Code, res.Stdout, res.Stderr)
	}
	var out logDirsOutput
	if err := json.Unmarshal([]byte(lines[2]), &out); err != nil {
		t.Fatalf("%v: %s", err, lines[2])
	}
	if out.Version != 1 || len(out.Brokers) != 1 || out.Brokers[0].Broker != 0 || len(out.Brokers[0].LogDirs) != 1 {
		t.Fatalf("%s", lines[2])
	}
	dir := out.Brokers[0].LogDirs[0]
	if dir.LogDir != b.LogDir || dir.Error != nil {
		t.Errorf("logDir %q error %v, want %q and null", dir.LogDir, dir.Error, b.LogDir)
	}
	sizes := map[string]int64{}
	for _, p := range dir.Partitions {
		sizes[p.Partition] = p.Size
		if p.OffsetLag != 0 || p.IsFuture {
			t.Errorf("%s: offsetLag %d isFuture %v", p.Partition, p.OffsetLag, p.IsFuture)
		}
	}
	if len(sizes) != 2 || sizes["sized-0"] == 0 || sizes["sized-1"] != 0 {
		t.Errorf("sizes %v", sizes)
	}
	if !strings.HasPrefix(lines[2], `{"version":1,"brokers":[{"broker":0,"logDirs":[{"logDir":"`+b.LogDir+`","error":null,"partitions":[{"partition":"sized-0","size":`) {
		t.Errorf("key order differs from Kafka's: %s", lines[2])
	}

	res = runTool(t, runLogDirs, "", "--bootstrap-server", b.Addr, "--describe", "--topic-list", "other", "--broker-list", "0")
	if res.Code != 0 || !strings.HasSuffix(res.Stdout, `"error":null,"partitions":[]}]}]}`+"\n") {
		t.Errorf("--topic-list other: %s%s", res.Stdout, res.Stderr)
	}

	// A broker the cluster does not have: 2.8 waits for it until the admin
	// call times out; the failure reads the same.
	res = runTool(t, runLogDirs, "", "--bootstrap-server", b.Addr, "--describe", "--broker-list", "0,7")
	if res.Code != 1 || res.Stdout != "Querying brokers for log directories information\n" ||
		!strings.HasPrefix(res.Stderr, "Exception in thread \"main\" java.util.concurrent.ExecutionException: org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment. Call: describeLogDirs\n") {
		t.Errorf("--broker-list 0,7: %+v", res)
	}
}

func TestLogDirsBadInput(t *testing.T) {
	res := runTool(t, runLogDirs, "", "--bootstrap-server", "localhost:9092")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Missing required argument \"[describe]\"\nOption ") {
		t.Errorf("missing --describe: %+v", res)
	}
	res = runTool(t, runLogDirs, "", "--describe")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Missing required argument \"[bootstrap-server]\"\n") {
		t.Errorf("missing --bootstrap-server: %+v", res)
	}
	res = runTool(t, runLogDirs, "")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "This tool helps to query log directory usage on the specified brokers.\n") {
		t.Errorf("no arguments: %+v", res)
	}
	res = runTool(t, runLogDirs, "", "--describe", "--bootstrap-server", "localhost:9092", "--command-config", "/nonexistent/admin.properties")
	if res.Code != 1 || res.Stderr != "Exception in thread \"main\" java.nio.file.NoSuchFileException: /nonexistent/admin.properties\n" {
		t.Errorf("missing command config: %+v", res)
	}
}
