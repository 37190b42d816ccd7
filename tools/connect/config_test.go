package connect

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The shipped config/connect-*.properties carry Kafka 2.8's active lines,
// exactly and in order (comments are the project's own).
func TestShippedConfigFiles(t *testing.T) {
	want := map[string]string{
		"connect-standalone.properties": "bootstrap.servers=localhost:9092\n" +
			"key.converter=org.apache.kafka.connect.json.JsonConverter\n" +
			"value.converter=org.apache.kafka.connect.json.JsonConverter\n" +
			"key.converter.schemas.enable=true\n" +
			"value.converter.schemas.enable=true\n" +
			"offset.storage.file.filename=/tmp/connect.offsets\n" +
			"offset.flush.interval.ms=10000\n",
		"connect-file-source.properties": "name=local-file-source\nconnector.class=FileStreamSource\ntasks.max=1\nfile=test.txt\ntopic=connect-test\n",
		"connect-file-sink.properties":   "name=local-file-sink\nconnector.class=FileStreamSink\ntasks.max=1\nfile=test.sink.txt\ntopics=connect-test\n",
	}
	for file, active := range want {
		b, err := os.ReadFile(filepath.Join("..", "..", "config", file))
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				got.WriteString(line + "\n")
			}
		}
		if got.String() != active {
			t.Errorf("%s active lines:\n%s\nwant\n%s", file, got.String(), active)
		}
		if file == "connect-standalone.properties" && !strings.Contains(string(b), "\n#plugin.path=\n") {
			t.Errorf("%s lacks the commented #plugin.path=", file)
		}
	}
}
