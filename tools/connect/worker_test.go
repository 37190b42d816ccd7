package connect

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap"
	"go.uber.org/zap/zaptest/observer"
)

// runLogged runs the worker and returns its exit code and log lines
// ("LEVEL message\nerror").
func runLogged(t *testing.T, args ...string) (int, string) {
	t.Helper()
	core, logs := observer.New(zap.DebugLevel)
	code := Run(context.Background(), Env{Logger: zap.New(core)}, args)
	var sb strings.Builder
	for _, e := range logs.All() {
		sb.WriteString(strings.ToUpper(e.Level.String()) + " " + e.Message)
		for _, f := range e.Context {
			if err, ok := f.Interface.(error); ok {
				sb.WriteString("\n" + err.Error())
			}
		}
		sb.WriteString("\n")
	}
	return code, sb.String()
}

func writeProps(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "w.properties")
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// ConnectStandalone's failures before any connector runs: usage (exit 1),
// and a worker config it cannot use (exit 2, "Stopping due to error").
func TestRunStartupFailures(t *testing.T) {
	code, out := runLogged(t, "only-one.properties")
	if code != 1 || out != "INFO Usage: ConnectStandalone worker.properties connector1.properties [connector2.properties ...]\n" {
		t.Errorf("usage: %d %q", code, out)
	}
	code, out = runLogged(t, "/nonexistent/w.properties", "c.properties")
	if code != 2 || !strings.HasSuffix(out, "ERROR Stopping due to error\njava.nio.file.NoSuchFileException: /nonexistent/w.properties\n") {
		t.Errorf("missing file: %d %q", code, out)
	}
	w := writeProps(t, "bootstrap.servers=127.0.0.1:1\nvalue.converter=org.apache.kafka.connect.json.JsonConverter\n")
	code, out = runLogged(t, w, "c.properties")
	if code != 2 || !strings.Contains(out, `org.apache.kafka.common.config.ConfigException: Missing required configuration "key.converter" which has no default value.`) {
		t.Errorf("no key.converter: %d %q", code, out)
	}
	w = writeProps(t, "key.converter=Nope\nvalue.converter=StringConverter\noffset.storage.file.filename=/tmp/x\n")
	code, out = runLogged(t, w, "c.properties")
	if code != 2 || !strings.Contains(out, "Invalid value Nope for configuration key.converter: Class Nope could not be found.") {
		t.Errorf("bad converter: %d %q", code, out)
	}
}

func TestWorkerConfigDefaults(t *testing.T) {
	c, err := parseWorkerConfig(map[string]string{"key.converter": "JsonConverter", "value.converter": "JsonConverter", "offset.storage.file.filename": "/tmp/o"})
	if err != nil {
		t.Fatal(err)
	}
	if c.bootstrap != "localhost:9092" || c.flushInterval.Milliseconds() != 60000 || strings.Join(c.listeners, ",") != "http://:8083" {
		t.Errorf("defaults: %+v", c)
	}
	c, _ = parseWorkerConfig(map[string]string{"key.converter": "JsonConverter", "value.converter": "JsonConverter",
		"offset.storage.file.filename": "/tmp/o", "rest.port": "18083", "rest.host.name": "127.0.0.1", "offset.flush.interval.ms": "10000"})
	if strings.Join(c.listeners, ",") != "http://127.0.0.1:18083" || c.flushInterval.Milliseconds() != 10000 {
		t.Errorf("rest.port: %+v", c)
	}
}

// Connector configs are checked before anything starts, with Kafka's
// messages.
func TestPutConnectorConfigValidation(t *testing.T) {
	w := &Worker{cfg: &workerConfig{props: map[string]string{}}, lg: zap.NewNop(), connectors: map[string]*connector{}}
	_, err := w.putConnectorConfig("x", map[string]string{"name": "x", "connector.class": "FileStreamSrc"}, false)
	if err == nil || !strings.HasPrefix(err.Error(), "org.apache.kafka.connect.errors.ConnectException: Failed to find any class that implements Connector and which name matches FileStreamSrc, available connectors are: PluginDesc{klass=class org.apache.kafka.connect.file.FileStreamSinkConnector, name='org.apache.kafka.connect.file.FileStreamSinkConnector', version='2.8.2'") {
		t.Errorf("unknown class: %v", err)
	}
	_, err = w.putConnectorConfig("x", map[string]string{"name": "x"}, false)
	if err == nil || !strings.Contains(err.Error(), "Connector config {name=x} contains no connector type") {
		t.Errorf("no class: %v", err)
	}
	_, err = w.putConnectorConfig("x", map[string]string{"name": "x", "connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector"}, false)
	if err == nil || !strings.Contains(err.Error(), "Connector configuration is invalid and contains the following 1 error(s):\nMust configure one of topics or topics.regex\n") {
		t.Errorf("sink without topics: %v", err)
	}
	_, err = w.putConnectorConfig("x", map[string]string{"name": "x", "connector.class": "FileStreamSourceConnector", "topic": "a,b"}, false)
	if err == nil || !strings.Contains(err.Error(), "'topic' in FileStreamSourceConnector configuration requires definition of a single topic") {
		t.Errorf("source with two topics: %v", err)
	}
}

// The REST API's JSON shapes, on a worker holding one source connector.
func TestRESTShapes(t *testing.T) {
	cfg := map[string]string{"name": "local-file-source", "connector.class": "FileStreamSource", "tasks.max": "1", "file": "test.txt", "topic": "connect-test"}
	p, _ := findPlugin("FileStreamSource")
	w := &Worker{cfg: &workerConfig{}, lg: zap.NewNop(), clusterID: "abc", workerID: "127.0.0.1:8083",
		order: []string{"local-file-source"}, connectors: map[string]*connector{"local-file-source": {
			name: "local-file-source", config: cfg, plugin: p, state: "RUNNING",
			tasks: []*task{{id: taskID{"local-file-source", 0}, config: taskConfigs(p, cfg)[0], state: "RUNNING"}},
		}}}
	r := &restServer{w: w}
	get := func(method, path string) (int, string) {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(method, path, nil))
		return rec.Code, strings.TrimSpace(rec.Body.String())
	}
	for _, c := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/", 200, `{"version":"2.8.2","commit":"gokafka","kafka_cluster_id":"abc"}`},
		{"GET", "/connectors", 200, `["local-file-source"]`},
		{"GET", "/connectors/local-file-source", 200, `{"name":"local-file-source","config":{"connector.class":"FileStreamSource","file":"test.txt","name":"local-file-source","tasks.max":"1","topic":"connect-test"},"tasks":[{"connector":"local-file-source","task":0}],"type":"source"}`},
		{"GET", "/connectors/local-file-source/config", 200, `{"connector.class":"FileStreamSource","file":"test.txt","name":"local-file-source","tasks.max":"1","topic":"connect-test"}`},
		{"GET", "/connectors/local-file-source/status", 200, `{"name":"local-file-source","connector":{"state":"RUNNING","worker_id":"127.0.0.1:8083"},"tasks":[{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:8083"}],"type":"source"}`},
		{"GET", "/connectors/local-file-source/tasks", 200, `[{"id":{"connector":"local-file-source","task":0},"config":{"batch.size":"2000","file":"test.txt","task.class":"org.apache.kafka.connect.file.FileStreamSourceTask","topic":"connect-test"}}]`},
		{"GET", "/connectors/local-file-source/tasks/0/status", 200, `{"id":0,"state":"RUNNING","worker_id":"127.0.0.1:8083"}`},
		{"GET", "/connector-plugins", 200, `[{"class":"org.apache.kafka.connect.file.FileStreamSinkConnector","type":"sink","version":"2.8.2"},{"class":"org.apache.kafka.connect.file.FileStreamSourceConnector","type":"source","version":"2.8.2"}]`},
		{"GET", "/connectors/nope", 404, `{"error_code":404,"message":"Connector nope not found"}`},
		{"GET", "/nope", 404, `{"error_code":404,"message":"HTTP 404 Not Found"}`},
		{"PATCH", "/connectors", 405, `{"error_code":405,"message":"HTTP 405 Method Not Allowed"}`},
	} {
		code, body := get(c.method, c.path)
		if code != c.code || body != c.body {
			t.Errorf("%s %s: %d %s\nwant %d %s", c.method, c.path, code, body, c.code, c.body)
		}
	}
	_, body := get("GET", "/connectors?expand=status")
	var m map[string]map[string]json.RawMessage
	if err := json.Unmarshal([]byte(body), &m); err != nil || m["local-file-source"]["status"] == nil {
		t.Errorf("expand=status: %s", body)
	}
}

// POST /connectors creates a connector (201), a second POST is a conflict,
// PUT /connectors/<name>/config replaces it (200), DELETE stops it (204).
func TestRESTCreateReplaceDelete(t *testing.T) {
	dir := t.TempDir()
	w := &Worker{cfg: &workerConfig{props: map[string]string{"key.converter": "StringConverter", "value.converter": "StringConverter"},
		bootstrap: "127.0.0.1:1", flushInterval: time.Hour}, lg: zap.NewNop(), connectors: map[string]*connector{}}
	w.offsets, _ = OpenOffsetStore(filepath.Join(dir, "offsets"))
	defer w.stop()
	r := &restServer{w: w}
	do := func(method, path, body string) (int, string) {
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
		return rec.Code, strings.TrimSpace(rec.Body.String())
	}
	src := filepath.Join(dir, "in.txt")
	code, body := do("POST", "/connectors", `{"name":"s","config":{"connector.class":"FileStreamSource","file":"`+src+`","topic":"t"}}`)
	if code != 201 || !strings.Contains(body, `"tasks":[{"connector":"s","task":0}],"type":"source"`) {
		t.Fatalf("create: %d %s", code, body)
	}
	if code, body = do("POST", "/connectors", `{"name":"s","config":{"connector.class":"FileStreamSource","topic":"t"}}`); code != 409 || body != `{"error_code":409,"message":"Connector s already exists"}` {
		t.Errorf("second create: %d %s", code, body)
	}
	if code, body = do("PUT", "/connectors/s/config", `{"connector.class":"FileStreamSource","file":"`+src+`","topic":"u"}`); code != 200 || !strings.Contains(body, `"topic":"u"`) {
		t.Errorf("replace: %d %s", code, body)
	}
	status := func() string { _, b := do("GET", "/connectors/s/status", ""); return b }
	if code, _ = do("PUT", "/connectors/s/pause", ""); code != 202 || !strings.Contains(status(), `"connector":{"state":"PAUSED"`) ||
		!strings.Contains(status(), `"tasks":[{"id":0,"state":"PAUSED"`) {
		t.Errorf("pause: %d %s", code, status())
	}
	if code, _ = do("PUT", "/connectors/s/resume", ""); code != 202 || !strings.Contains(status(), `"tasks":[{"id":0,"state":"RUNNING"`) {
		t.Errorf("resume: %d %s", code, status())
	}
	if code, _ = do("POST", "/connectors/s/tasks/0/restart", ""); code != 204 || !strings.Contains(status(), `"tasks":[{"id":0,"state":"RUNNING"`) {
		t.Errorf("task restart: %d %s", code, status())
	}
	if code, body = do("POST", "/connectors/s/tasks/7/restart", ""); code != 404 || body != `{"error_code":404,"message":"Task s-7 not found"}` {
		t.Errorf("restart of a missing task: %d %s", code, body)
	}
	if code, _ = do("DELETE", "/connectors/s", ""); code != 204 {
		t.Errorf("delete: %d", code)
	}
	if code, body = do("GET", "/connectors", ""); body != `[]` {
		t.Errorf("after delete: %d %s", code, body)
	}
}
