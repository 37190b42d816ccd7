package tools

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"strings"
	"testing"

	klog "gokafka/log"

	"github.com/klauspost/compress/gzip"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// gzipBatch re-encodes an uncompressed batch with its records section
// gzipped, as a Java producer with compression.type=gzip sends it.
func gzipBatch(t *testing.T, b []byte) []byte {
	t.Helper()
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(b[61:])
	w.Close()
	out := append(append([]byte(nil), b[:61]...), z.Bytes()...)
	binary.BigEndian.PutUint32(out[8:], uint32(len(out)-12))
	binary.BigEndian.PutUint16(out[21:], binary.BigEndian.Uint16(out[21:])|1)
	binary.BigEndian.PutUint32(out[17:], crc32.Checksum(out[21:], crc32.MakeTable(crc32.Castagnoli)))
	return out
}

// writeDumpFixture builds a partition with fixed timestamps through the
// log package: plain, keyed, header-carrying, idempotent, tombstone and
// gzip batches, and an index entry every ~100 bytes.
func writeDumpFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := klog.DefaultConfig()
	cfg.IndexIntervalBytes = 100
	m, err := klog.NewManager([]string{dir}, cfg, klog.ManagerOptions{InitialTaskDelayMs: 3600_000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, err := m.GetOrCreate(klog.TopicPartition{Topic: "test", Partition: 0}, cfg, [16]byte{})
	if err != nil {
		t.Fatal(err)
	}
	const ts = 1620000000000
	batches := [][]byte{
		klog.BuildBatch([]klog.Record{{Value: []byte("message"), Timestamp: ts}, {Value: []byte("second"), Timestamp: ts + 1}}),
		klog.BuildBatch([]klog.Record{{Key: []byte("k1"), Value: []byte("v1"), Timestamp: ts + 2,
			Headers: []klog.Header{{Key: "h1", Value: []byte("x")}, {Key: "h2"}}}}),
		klog.BuildBatchWith(klog.BatchOptions{PartitionLeaderEpoch: -1, ProducerID: 1000, ProducerEpoch: 0, BaseSequence: 0},
			[]klog.Record{{Key: []byte("k2"), Value: []byte("idempotent"), Timestamp: ts + 3}}),
		klog.BuildBatch([]klog.Record{{Key: []byte("k1"), Timestamp: ts + 4}}),
		gzipBatch(t, klog.BuildBatch([]klog.Record{{Value: []byte("zipped-1"), Timestamp: ts + 5}, {Value: []byte("zipped-2"), Timestamp: ts + 6}})),
	}
	for _, b := range batches {
		if _, err := l.AppendAsLeader(b, 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, "test-0")
}

func TestDumpLogGolden(t *testing.T) {
	part := writeDumpFixture(t)
	seg := filepath.Join(part, "00000000000000000000")
	// A torn write at the tail.
	f, _ := os.OpenFile(seg+".log", os.O_WRONLY|os.O_APPEND, 0)
	f.Write([]byte{0, 0, 0, 0, 0, 0, 0, 9, 0, 0})
	f.Close()
	clean := func(s string) string { return strings.ReplaceAll(s, part, "<dir>") }

	var out strings.Builder
	for _, args := range [][]string{
		{"--files", seg + ".log"},
		{"--files", seg + ".log", "--deep-iteration"},
		{"--files", seg + ".log", "--print-data-log"},
		{"--files", seg + ".index," + seg + ".timeindex"},
		{"--files", seg + ".index", "--index-sanity-check"},
	} {
		r := runTool(t, runDumpLog, "", args...)
		out.WriteString("$ kafka-dump-log.sh " + clean(strings.Join(args, " ")) + "\n")
		out.WriteString(clean(r.Stdout))
		if r.Stderr != "" {
			out.WriteString("[stderr]\n" + clean(r.Stderr))
		}
		if r.Code != 0 {
			t.Fatalf("%v: exit %d", args, r.Code)
		}
	}
	golden(t, "dump_log", out.String())
}

func TestDumpLogOffsetsDecoder(t *testing.T) {
	dir := t.TempDir()
	cfg := klog.DefaultConfig()
	m, err := klog.NewManager([]string{dir}, cfg, klog.ManagerOptions{InitialTaskDelayMs: 3600_000}, nil)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := m.GetOrCreate(klog.TopicPartition{Topic: "__consumer_offsets", Partition: 0}, cfg, [16]byte{})
	key := kmsg.NewOffsetCommitKey()
	key.Version, key.Group, key.Topic, key.Partition = 1, "g1", "test", 0
	val := kmsg.NewOffsetCommitValue()
	val.Version, val.Offset, val.CommitTimestamp = 3, 42, 1620000000000
	gkey := kmsg.NewGroupMetadataKey()
	gkey.Version, gkey.Group = 2, "g1"
	b := klog.BuildBatch([]klog.Record{
		{Key: key.AppendTo(nil), Value: val.AppendTo(nil), Timestamp: 1620000000000},
		{Key: gkey.AppendTo(nil), Timestamp: 1620000000000},
	})
	if _, err := l.AppendAsLeader(b, 0); err != nil {
		t.Fatal(err)
	}
	m.Close()
	r := runTool(t, runDumpLog, "", "--files", filepath.Join(dir, "__consumer_offsets-0", "00000000000000000000.log"), "--offsets-decoder", "--skip-record-metadata")
	want := "| key: offset_commit::group=g1,partition=test-0 payload: offset=42\n| key: group_metadata::group=g1 payload: <DELETE>\n"
	if !strings.HasSuffix(r.Stdout, want) {
		t.Fatalf("output:\n%s", r.Stdout)
	}
}

func TestDumpLogUsage(t *testing.T) {
	r := runTool(t, runDumpLog, "")
	if r.Code != 1 || !strings.HasPrefix(r.Stderr, dumpLogDescription+"\n") {
		t.Fatalf("no args: %d %q", r.Code, r.Stderr)
	}
	r = runTool(t, runDumpLog, "", "--deep-iteration")
	if r.Code != 1 || !strings.HasPrefix(r.Stderr, `Missing required argument "[files]"`) {
		t.Fatalf("missing --files: %d %q", r.Code, r.Stderr)
	}
}
