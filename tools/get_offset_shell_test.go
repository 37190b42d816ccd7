package tools

import (
	"regexp"
	"strings"
	"testing"
)

// GetOffsetShell prints topic:partition:offset lines sorted by topic and
// partition, for the latest (-1), earliest (-2) or a timestamp.
func TestGetOffsetShell(t *testing.T) {
	addr := startKfake(t, "-seed-topics", "a:2,b")
	for _, p := range []string{"0", "1"} {
		res := runTool(t, runConsoleProducer, "x\ny\n", "--bootstrap-server", addr, "--topic", "a", "--producer-property", "partitioner.class=ignored")
		if res.Code != 0 {
			t.Fatalf("produce %s: %+v", p, res)
		}
	}
	res := runTool(t, runGetOffsetShell, "", "--broker-list", addr, "--topic", "a")
	if res.Code != 0 || !regexp.MustCompile(`^a:0:\d+\na:1:\d+\n$`).MatchString(res.Stdout) {
		t.Fatalf("latest: %+v", res)
	}
	var total int
	for _, l := range strings.Split(strings.TrimSpace(res.Stdout), "\n") {
		total += atoiOr0(l[strings.LastIndex(l, ":")+1:])
	}
	if total != 4 {
		t.Errorf("latest offsets sum to %d, want 4: %q", total, res.Stdout)
	}
	res = runTool(t, runGetOffsetShell, "", "--bootstrap-server", addr, "--topic", "a", "--time", "-2", "--partitions", "1")
	if res.Stdout != "a:1:0\n" {
		t.Errorf("earliest of partition 1: %+v", res)
	}
	// A timestamp after every record has no offset: the line ends in ':'.
	res = runTool(t, runGetOffsetShell, "", "--bootstrap-server", addr, "--topic", "b", "--time", "9999999999999")
	if res.Stdout != "b:0:\n" {
		t.Errorf("future timestamp: %+v", res)
	}
	res = runTool(t, runGetOffsetShell, "", "--bootstrap-server", addr, "--topic", "nope")
	if res.Code != 1 || res.Stderr != "Topic nope does not exist\n" {
		t.Errorf("missing topic: %+v", res)
	}
	res = runTool(t, runGetOffsetShell, "", "--bootstrap-server", addr, "--topic", "a", "--partitions", "1,7")
	if res.Stdout != "a:1:"+res.Stdout[4:] || res.Stderr != "Error: partition 7 does not exist\n" {
		t.Errorf("missing partition: %+v", res)
	}
	res = runTool(t, runGetOffsetShell, "", "--bootstrap-server", addr, "--topic", "a", "--partitions", "7")
	if res.Code != 1 || res.Stderr != "Topic a does not have any of the requested partitions 7\n" {
		t.Errorf("no requested partition: %+v", res)
	}
	// 3.0's forms: a pattern, or every topic.
	res = runTool(t, runGetOffsetShell, "", "--bootstrap-server", addr, "--topic", "[ab]", "--time", "-2")
	if res.Stdout != "a:0:0\na:1:0\nb:0:0\n" {
		t.Errorf("pattern: %+v", res)
	}
	res = runTool(t, runGetOffsetShell, "", "--bootstrap-server", addr, "--topic-partitions", "zzz")
	if res.Code != 1 || res.Stdout != "Error occurred: Could not match any topic-partitions with the specified filters\n" {
		t.Errorf("no match: %+v", res)
	}
	res = runTool(t, runGetOffsetShell, "", "--topic", "a")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, "Missing required argument \"[broker-list]\"\n") {
		t.Errorf("no broker list: %+v", firstLines(res.Stderr, 1))
	}
	res = runTool(t, runGetOffsetShell, "", "--broker-list", "localhost", "--topic", "a")
	if res.Code != 1 || !strings.HasPrefix(res.Stderr, hostPortMessage+"\nOption") {
		t.Errorf("bad host:port: %+v", res)
	}
}

func atoiOr0(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
