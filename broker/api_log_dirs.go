package broker

// DescribeLogDirs: v0-2
//
// Behavior (Kafka 2.8's KafkaApis.handleDescribeLogDirsRequest and
// ReplicaManager.describeLogDirs):
// * One result per configured log directory (log.dirs, else log.dir), named
//   by its absolute path, whether or not it holds a partition.
// * A null topic list asks for every partition the log manager holds; a
//   list asks for exactly those partitions.
// * Each directory lists the logs it holds grouped by topic. As in 2.8, a
//   topic with a log in the directory is listed even when none of its
//   partitions was asked for (its partition list is then empty).
// * size is the log's total segment size (Log.size); offset_lag is
//   max(HW - LEO, 0) of the partition's current replica, which is 0, or -1
//   when the replica manager does not host the partition (Kafka's
//   getLogEndOffsetLag); is_future is always false (no AlterReplicaLogDirs).
// * A directory that is not usable (missing, or not a directory) answers
//   KAFKA_STORAGE_ERROR with no topics, as an offline log dir does in Kafka,
//   and is logged "Unable to describe replica dirs for <dir>".
// * Any broker answers (not only the controller).
//
// Version notes:
// * v1: no changes (throttle behaviour only); v2: flexible.
//
// Not implemented (why):
// * Future replicas (is_future=true) and their offset lag: there is no
//   AlterReplicaLogDirs, so a partition never has a second log.
// * Offline log directories as a broker state: the log manager takes no
//   directory offline after an I/O error, so "offline" here is only what a
//   stat of the directory reveals at request time.
// * No authorizer: Kafka's DESCRIBE CLUSTER check always passes.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"

	"gokafka/log"
)

func (b *Broker) handleDescribeLogDirs(r *Request) {
	req := r.Msg.(*kmsg.DescribeLogDirsRequest)
	resp := req.ResponseKind().(*kmsg.DescribeLogDirsResponse)
	var wanted map[log.TopicPartition]bool // nil: every partition
	if req.Topics != nil {
		wanted = make(map[log.TopicPartition]bool)
		for _, t := range req.Topics {
			for _, p := range t.Partitions {
				wanted[log.TopicPartition{Topic: t.Topic, Partition: p}] = true
			}
		}
	}
	resp.Dirs = b.describeLogDirs(wanted)
	r.Respond(resp)
}

// logDirReplica is one local log as DescribeLogDirs reports it.
type logDirReplica struct {
	tp        log.TopicPartition
	size      int64
	offsetLag int64
}

// describeLogDirs is ReplicaManager.describeLogDirs: the configured
// directories in order, each with the logs it holds that wanted names (nil
// wanted: all of them).
func (b *Broker) describeLogDirs(wanted map[log.TopicPartition]bool) []kmsg.DescribeLogDirsResponseDir {
	byDir := make(map[string][]logDirReplica)
	if b.logs != nil {
		for tp, l := range b.logs.All() {
			dir := absPath(filepath.Dir(l.Dir()))
			lag := int64(-1)
			if hw := b.replicas.HighWatermark(tp); hw >= 0 {
				lag = max(hw-l.LogEndOffset(), 0)
			}
			byDir[dir] = append(byDir[dir], logDirReplica{tp: tp, size: l.Size(), offsetLag: lag})
		}
	}
	var out []kmsg.DescribeLogDirsResponseDir
	seen := make(map[string]bool)
	for _, d := range b.cfg.LogDirs() {
		abs := absPath(d)
		if seen[abs] {
			continue // Kafka's config.logDirs.toSet
		}
		seen[abs] = true
		rd := kmsg.NewDescribeLogDirsResponseDir()
		rd.Dir = abs
		if err := checkLogDir(abs); err != nil {
			b.replicas.lg.Warn(fmt.Sprintf("Unable to describe replica dirs for %s", abs), zap.Error(err))
			rd.ErrorCode = kerr.KafkaStorageError.Code
			out = append(out, rd)
			continue
		}
		rd.Topics = logDirTopics(byDir[abs], wanted)
		out = append(out, rd)
	}
	return out
}

// logDirTopics groups one directory's logs by topic (sorted, for a stable
// answer), keeping the partitions wanted names.
func logDirTopics(logs []logDirReplica, wanted map[log.TopicPartition]bool) []kmsg.DescribeLogDirsResponseDirTopic {
	sort.Slice(logs, func(i, j int) bool {
		if logs[i].tp.Topic != logs[j].tp.Topic {
			return logs[i].tp.Topic < logs[j].tp.Topic
		}
		return logs[i].tp.Partition < logs[j].tp.Partition
	})
	var topics []kmsg.DescribeLogDirsResponseDirTopic
	for _, l := range logs {
		if len(topics) == 0 || topics[len(topics)-1].Topic != l.tp.Topic {
			rt := kmsg.NewDescribeLogDirsResponseDirTopic()
			rt.Topic = l.tp.Topic
			rt.Partitions = []kmsg.DescribeLogDirsResponseDirTopicPartition{}
			topics = append(topics, rt)
		}
		if wanted != nil && !wanted[l.tp] {
			continue
		}
		rp := kmsg.NewDescribeLogDirsResponseDirTopicPartition()
		rp.Partition = l.tp.Partition
		rp.Size = l.size
		rp.OffsetLag = l.offsetLag
		rt := &topics[len(topics)-1]
		rt.Partitions = append(rt.Partitions, rp)
	}
	return topics
}

// checkLogDir reports why dir cannot serve as a log directory now.
func checkLogDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return errors.New(dir + " is not a directory")
	}
	return nil
}

// absPath is File.getAbsolutePath: relative paths resolve against the
// working directory; on failure the path is kept as given.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
