package log

import (
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Log-directory files (log-format.md §1, §5).
const (
	RecoveryPointCheckpointFile  = "recovery-point-offset-checkpoint"
	ReplicationCheckpointFile    = "replication-offset-checkpoint"
	LogStartOffsetCheckpointFile = "log-start-offset-checkpoint"
	CleanerOffsetCheckpointFile  = "cleaner-offset-checkpoint"
	CleanShutdownFile            = ".kafka_cleanshutdown"
	LockFile                     = ".lock"
	MetaPropertiesFile           = "meta.properties"
	PartitionMetadataFile        = "partition.metadata"
	deleteDirSuffix              = "-delete"
)

// ReadOffsetCheckpoint reads one of the four log-dir checkpoint files
// ("0", the entry count, then "topic partition offset" lines). A missing
// file is an empty map.
func ReadOffsetCheckpoint(path string) (map[TopicPartition]int64, error) {
	out := map[TopicPartition]int64{}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return out, nil
	}
	if err != nil {
		return nil, storageErr("open "+path, err)
	}
	defer f.Close()
	lines, err := readCheckpointLines(f, path)
	if err != nil {
		return nil, err
	}
	for _, l := range lines {
		fs := strings.Fields(l)
		if len(fs) != 3 {
			return nil, fmt.Errorf("log: malformed line in offset checkpoint file %s: %q", path, l)
		}
		p, err1 := strconv.ParseInt(fs[1], 10, 32)
		o, err2 := strconv.ParseInt(fs[2], 10, 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("log: malformed line in offset checkpoint file %s: %q", path, l)
		}
		out[TopicPartition{Topic: fs[0], Partition: int32(p)}] = o
	}
	return out, nil
}

// WriteOffsetCheckpoint writes a checkpoint file through a temp file and
// a rename. Entries are sorted by topic and partition for stable output
// (Kafka writes hash-map order; readers never depend on it).
func WriteOffsetCheckpoint(path string, offsets map[TopicPartition]int64) error {
	tps := make([]TopicPartition, 0, len(offsets))
	for tp := range offsets {
		tps = append(tps, tp)
	}
	sort.Slice(tps, func(i, j int) bool {
		if tps[i].Topic != tps[j].Topic {
			return tps[i].Topic < tps[j].Topic
		}
		return tps[i].Partition < tps[j].Partition
	})
	var b strings.Builder
	fmt.Fprintf(&b, "0\n%d\n", len(tps))
	for _, tp := range tps {
		fmt.Fprintf(&b, "%s %d %d\n", tp.Topic, tp.Partition, offsets[tp])
	}
	return writeFileAtomic(path, []byte(b.String()))
}

// WritePartitionMetadata writes partition.metadata: "version: 0\ntopic_id:
// <id>" with no trailing newline, the id in Kafka's Uuid.toString form
// (URL-safe base64 without padding).
func WritePartitionMetadata(dir string, topicID [16]byte) error {
	s := "version: 0\ntopic_id: " + base64.RawURLEncoding.EncodeToString(topicID[:])
	return writeFileAtomic(filepath.Join(dir, PartitionMetadataFile), []byte(s))
}

// ReadPartitionMetadata reads the topic id from partition.metadata; ok is
// false when the file does not exist.
func ReadPartitionMetadata(dir string) (id [16]byte, ok bool, err error) {
	path := filepath.Join(dir, PartitionMetadataFile)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return id, false, nil
	}
	if err != nil {
		return id, false, storageErr("read "+path, err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || strings.TrimSpace(lines[0]) != "version: 0" || !strings.HasPrefix(lines[1], "topic_id: ") {
		return id, false, fmt.Errorf("log: malformed partition metadata file %s", path)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(strings.TrimPrefix(lines[1], "topic_id: ")))
	if err != nil || len(raw) != 16 {
		return id, false, fmt.Errorf("log: malformed topic id in %s", path)
	}
	copy(id[:], raw)
	return id, true, nil
}
