package log

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zaptest"
)

func quietOptions() ManagerOptions {
	o := DefaultManagerOptions()
	o.InitialTaskDelayMs = 3600_000 // no background runs unless a test asks
	return o
}

func TestManagerLifecycle(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	cfg := testConfig()
	m, err := NewManager(dirs, cfg, quietOptions(), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	// A second manager on the same dirs is refused, as a second broker is.
	if _, err := NewManager(dirs[:1], cfg, quietOptions(), nil); err == nil || !strings.Contains(err.Error(), "Failed to acquire lock on file .lock in") {
		t.Fatalf("second manager: %v", err)
	}
	topicID := [16]byte{1, 2, 3}
	var tps []TopicPartition
	for p := int32(0); p < 4; p++ {
		tp := TopicPartition{"orders", p}
		tps = append(tps, tp)
		l, err := m.GetOrCreate(tp, cfg, topicID)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < int(p)+1; i++ {
			mustAppend(t, l, batchOf(2, 1))
		}
	}
	// Partitions spread over both dirs; partition.metadata has the topic id.
	for _, d := range dirs {
		if m, _ := filepath.Glob(filepath.Join(d, "orders-*")); len(m) != 2 {
			t.Fatalf("%s holds %v", d, m)
		}
	}
	data, _ := os.ReadFile(filepath.Join(m.Get(tps[0]).Dir(), PartitionMetadataFile))
	if string(data) != "version: 0\ntopic_id: AQIDAAAAAAAAAAAAAAAAAA" {
		t.Fatalf("partition.metadata = %q", data)
	}
	if _, err := m.GetOrCreate(tps[0], cfg, [16]byte{9}); err == nil {
		t.Fatal("a different topic id was accepted")
	}
	if err := m.CheckpointHighWatermarks(map[TopicPartition]int64{tps[0]: 2, tps[3]: 5}); err != nil {
		t.Fatal(err)
	}
	if err := m.Delete(tps[1]); err != nil {
		t.Fatal(err)
	}
	if m.Get(tps[1]) != nil {
		t.Fatal("deleted log still there")
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, CleanShutdownFile)); err != nil {
			t.Fatal("no clean shutdown marker")
		}
		if del, _ := filepath.Glob(filepath.Join(d, "*-delete")); len(del) != 0 {
			t.Fatalf("deleted dir left: %v", del)
		}
	}
	rp, _ := ReadOffsetCheckpoint(filepath.Join(m.logDir0(t, dirs, tps[3]), RecoveryPointCheckpointFile))
	if rp[tps[3]] != 8 {
		t.Fatalf("recovery point %v", rp)
	}

	// A deletion left over from before the restart is finished.
	leftover := filepath.Join(dirs[0], "gone-0.0123456789abcdef0123456789abcdef-delete")
	os.MkdirAll(leftover, 0o755)
	os.WriteFile(filepath.Join(leftover, "00000000000000000000.log"), []byte("x"), 0o644)

	// Restart: everything is back, the marker is consumed, HWs are read.
	m2, err := NewManager(dirs, cfg, quietOptions(), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if len(m2.All()) != 3 {
		t.Fatalf("%d logs after restart", len(m2.All()))
	}
	if leo := m2.Get(tps[3]).LogEndOffset(); leo != 8 {
		t.Fatalf("LEO %d", leo)
	}
	if hw := m2.HighWatermarks(); hw[tps[0]] != 2 || hw[tps[3]] != 5 {
		t.Fatalf("HWs %v", hw)
	}
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, CleanShutdownFile)); !os.IsNotExist(err) {
			t.Fatal("clean shutdown marker still present while running")
		}
	}
	waitFor(t, 60*time.Second, func() bool {
		_, err := os.Stat(leftover)
		return os.IsNotExist(err)
	})
}

// logDir0 finds which of dirs holds tp.
func (m *Manager) logDir0(t *testing.T, dirs []string, tp TopicPartition) string {
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, tp.String())); err == nil {
			return d
		}
	}
	t.Fatalf("%s not found", tp)
	return ""
}

func TestManagerRecoversAfterUncleanStop(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	m, err := NewManager([]string{dir}, cfg, quietOptions(), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	tp := TopicPartition{"t", 0}
	l, _ := m.GetOrCreate(tp, cfg, [16]byte{})
	for i := 0; i < 10; i++ {
		mustAppend(t, l, batchOf(2, 1))
	}
	// "Crash": copy the files while the manager runs, then tear the tail.
	crashed := t.TempDir()
	copyDir(t, filepath.Join(dir, "t-0"), filepath.Join(crashed, "t-0"))
	m.Close()
	seg := filepath.Join(crashed, "t-0", SegmentFileName(0, LogFileSuffix))
	st, _ := os.Stat(seg)
	os.Truncate(seg, st.Size()-5)
	m2, err := NewManager([]string{crashed}, cfg, quietOptions(), zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Close()
	if leo := m2.Get(tp).LogEndOffset(); leo != 18 {
		t.Fatalf("LEO %d after recovery, want 18", leo)
	}
}

func TestManagerBackgroundRetentionAndCheckpoints(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig()
	cfg.SegmentBytes = 1024
	cfg.RetentionBytes = 1024
	o := DefaultManagerOptions()
	o.InitialTaskDelayMs = 10
	o.RetentionCheckIntervalMs = 20
	o.FlushOffsetCheckpointIntervalMs = 20
	o.FlushStartOffsetCheckpointIntervalMs = 20
	m, err := NewManager([]string{dir}, cfg, o, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	tp := TopicPartition{"t", 0}
	l, _ := m.GetOrCreate(tp, cfg, [16]byte{})
	for i := 0; i < 40; i++ {
		mustAppend(t, l, batchOf(5, time.Now().UnixMilli()))
	}
	m.CheckpointHighWatermarks(map[TopicPartition]int64{tp: l.LogEndOffset()})
	waitFor(t, 60*time.Second, func() bool { return l.LogStartOffset() > 0 })
	// DeleteRecords inside a segment: the log start offset checkpoint
	// carries it (Kafka writes only starts above the first segment base).
	want := l.LogStartOffset() + 1
	if err := l.IncrementLogStartOffset(want); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, func() bool {
		ls, _ := ReadOffsetCheckpoint(filepath.Join(dir, LogStartOffsetCheckpointFile))
		rp, _ := ReadOffsetCheckpoint(filepath.Join(dir, RecoveryPointCheckpointFile))
		_, hasRP := rp[tp]
		return ls[tp] == want && hasRP
	})
}

func TestCheckpointFileFormat(t *testing.T) {
	path := filepath.Join(t.TempDir(), RecoveryPointCheckpointFile)
	if err := WriteOffsetCheckpoint(path, map[TopicPartition]int64{{"test", 0}: 42, {"__consumer_offsets", 17}: 3}); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "0\n2\n__consumer_offsets 17 3\ntest 0 42\n" {
		t.Fatalf("%q", data)
	}
	got, err := ReadOffsetCheckpoint(path)
	if err != nil || got[TopicPartition{"test", 0}] != 42 || len(got) != 2 {
		t.Fatalf("%v %v", got, err)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Fatal("temp file left behind")
	}
}

func TestMetaProperties(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := ReadMetaProperties(dir); !os.IsNotExist(err) {
		t.Fatalf("missing file: %v", err)
	}
	if err := WriteMetaProperties(dir, 3, "Nv5-6Z2lS5KjCgwKwzK6Jw"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, MetaPropertiesFile))
	lines := strings.Split(string(data), "\n")
	if lines[0] != "#" || !strings.HasPrefix(lines[1], "#") || lines[2] != "broker.id=3" || lines[3] != "version=0" || lines[4] != "cluster.id=Nv5-6Z2lS5KjCgwKwzK6Jw" {
		t.Fatalf("meta.properties = %q", data)
	}
	id, cluster, err := ReadMetaProperties(dir)
	if err != nil || id != 3 || cluster != "Nv5-6Z2lS5KjCgwKwzK6Jw" {
		t.Fatalf("%d %q %v", id, cluster, err)
	}
	// A file written by Kafka itself (Java 8 key order) reads the same.
	os.WriteFile(filepath.Join(dir, MetaPropertiesFile), []byte("#\n#Tue May 04 10:00:00 UTC 2021\nversion=0\nbroker.id=0\ncluster.id=abc\n"), 0o644)
	if id, cluster, err := ReadMetaProperties(dir); err != nil || id != 0 || cluster != "abc" {
		t.Fatalf("%d %q %v", id, cluster, err)
	}
}

func TestParseTopicPartitionDir(t *testing.T) {
	for name, want := range map[string]bool{"test-0": true, "my-topic-12": true, "__consumer_offsets-49": true,
		"foo-1.0123456789abcdef0123456789abcdef-delete": false, "foo": false, "foo-": false, "-1": false, "foo-01": false} {
		if _, ok := ParseTopicPartitionDir(name); ok != want {
			t.Errorf("%s: %v", name, ok)
		}
	}
	if tp, _ := ParseTopicPartitionDir("my-topic-12"); tp != (TopicPartition{"my-topic", 12}) {
		t.Error(tp)
	}
}

func TestManagerFlushMsTask(t *testing.T) {
	cfg := testConfig()
	cfg.FlushMs = 1
	o := quietOptions()
	o.InitialTaskDelayMs = 10
	o.FlushSchedulerIntervalMs = 10
	m, err := NewManager([]string{t.TempDir()}, cfg, o, zaptest.NewLogger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	l, _ := m.GetOrCreate(TopicPartition{"t", 0}, cfg, [16]byte{})
	mustAppend(t, l, batchOf(5, 1))
	waitFor(t, 60*time.Second, func() bool { return l.RecoveryPoint() == 5 })
}
