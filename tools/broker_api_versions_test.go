package tools

import (
	"regexp"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// A broker advertising exactly Kafka 2.8's ZooKeeper-mode table prints
// the block of cli.md §11, every API usable at the broker's max.
func TestNodeAPIVersionsText(t *testing.T) {
	var keys []kmsg.ApiVersionsResponseApiKey
	for _, a := range clientAPIs {
		if a.zkBroker {
			keys = append(keys, kmsg.ApiVersionsResponseApiKey{ApiKey: a.key, MinVersion: a.min, MaxVersion: a.max})
		}
	}
	var b strings.Builder
	writeNodeAPIVersions(&b, keys)
	golden(t, "broker_api_versions_28", "localhost:9092 (id: 0 rack: null) -> "+b.String())

	// Older and newer brokers, missing and unknown keys.
	b.Reset()
	writeNodeAPIVersions(&b, []kmsg.ApiVersionsResponseApiKey{
		{ApiKey: 0, MinVersion: 3, MaxVersion: 12}, {ApiKey: 1, MinVersion: 13, MaxVersion: 15}, {ApiKey: 99, MinVersion: 0, MaxVersion: 0},
	})
	got := b.String()
	for _, want := range []string{"(\n\tProduce(0): 3 to 12 [usable: 9],\n\tFetch(1): 13 to 15 [unusable: node too new],\n\tListOffsets(2): UNSUPPORTED,", "\tUNKNOWN(99): 0\n)\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in\n%s", want, got)
		}
	}
}

func TestBrokerAPIVersionsAgainstBroker(t *testing.T) {
	addr := startKfake(t)
	res := runTool(t, runBrokerAPIVersions, "", "--bootstrap-server", addr)
	if res.Code != 0 {
		t.Fatalf("%+v", res)
	}
	if !regexp.MustCompile(`^\S+:\d+ \(id: 0 rack: \S+\) -> \(\n\tProduce\(0\): \d+ to 9 \[usable: 9\],\n\tFetch\(1\): \d+ to 12 \[usable: 12\],\n`).MatchString(res.Stdout) ||
		!strings.HasSuffix(res.Stdout, "\n)\n") {
		t.Errorf("stdout:\n%s", res.Stdout)
	}
}
