package connect

// FileStreamSink and the worker loop that drives a sink task
// (WorkerSinkTask): a consumer in group "connect-<connector name>"
// subscribed to topics (or topics.regex) from the earliest offset, each
// record's value converted back and appended to the file (or stdout) with
// a newline, the file flushed, then the consumed offsets committed. A
// crash between the write and the commit repeats those lines on restart
// (at least once), as Kafka's sink does.

import (
	"bufio"
	"context"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// fileSinkTask is FileStreamSinkTask.
type fileSinkTask struct {
	filename string // "" = stdout
	f        *os.File
	w        *bufio.Writer
}

func newFileSinkTask(cfg map[string]string, stdout io.Writer) (*fileSinkTask, error) {
	t := &fileSinkTask{filename: cfg["file"]}
	if t.filename == "" {
		t.w = bufio.NewWriter(stdout)
		return t, nil
	}
	f, err := os.OpenFile(t.filename, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, connectErr("Couldn't find or create file '" + t.filename + "' for FileStreamSinkTask")
	}
	t.f, t.w = f, bufio.NewWriter(f)
	return t, nil
}

// put writes each value as Java's println(record.value()) does.
func (t *fileSinkTask) put(values []any) error {
	for _, v := range values {
		if _, err := t.w.WriteString(JavaString(v)); err != nil {
			return err
		}
		if err := t.w.WriteByte('\n'); err != nil {
			return err
		}
	}
	return nil
}

// flush hands the written lines to the operating system (Kafka's
// PrintStream.flush; no fsync).
func (t *fileSinkTask) flush() error { return t.w.Flush() }

func (t *fileSinkTask) stop() error {
	err := t.w.Flush()
	if t.f != nil {
		if cerr := t.f.Close(); err == nil {
			err = cerr
		}
	}
	return err
}

// ---------------------------------------------------------------------------
// WorkerSinkTask

type workerSinkTask struct {
	w         *Worker
	id        taskID
	cfg       map[string]string
	task      *fileSinkTask
	keyConv   Converter
	valueConv Converter
	consumer  *kgo.Client
	log       klog
	clientLog klog
}

func (w *Worker) newWorkerSinkTask(id taskID, cfg map[string]string, keyConv, valueConv Converter) (*workerSinkTask, error) {
	stdout := w.env.Stdout
	if stdout == nil {
		stdout = os.Stdout
	}
	ft, err := newFileSinkTask(cfg, stdout)
	if err != nil {
		return nil, err
	}
	props := w.consumerProps(id)
	s := &workerSinkTask{w: w, id: id, cfg: cfg, task: ft, keyConv: keyConv, valueConv: valueConv,
		log: w.logger(clsSinkTask, taskCtx(id))}
	s.clientLog = w.logger("org.apache.kafka.clients.consumer.internals.ConsumerCoordinator",
		taskCtx(id)+"[Consumer clientId="+props["client.id"]+", groupId="+props["group.id"]+"] ")
	opts, err := w.env.clientOpts(props)
	if err != nil {
		ft.stop()
		return nil, configErr(err.Error())
	}
	reset := kgo.NewOffset().AtStart()
	if strings.TrimSpace(props["auto.offset.reset"]) == "latest" {
		reset = kgo.NewOffset().AtEnd()
	}
	opts = append(opts,
		kgo.ConsumerGroup(props["group.id"]),
		kgo.DisableAutoCommit(),
		kgo.ConsumeResetOffset(reset),
		// The Java consumer's metadata requests create a missing
		// subscribed topic (allow.auto.create.topics).
		kgo.AllowAutoTopicCreation(),
		// Records handed to the task are written and committed before
		// the group may take their partitions away.
		kgo.BlockRebalanceOnPoll(),
		kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			s.clientLog.info("Adding newly assigned partitions: %s", partitionList(m))
		}),
		kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
			if len(m) > 0 {
				s.clientLog.info("Revoke previously assigned partitions %s", partitionList(m))
			}
		}),
	)
	if re := strings.TrimSpace(cfg["topics.regex"]); re != "" {
		opts = append(opts, kgo.ConsumeRegex(), kgo.ConsumeTopics(re))
	} else {
		opts = append(opts, kgo.ConsumeTopics(splitList(cfg["topics"])...))
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		ft.stop()
		return nil, configErr(err.Error())
	}
	s.consumer = cl
	return s, nil
}

// partitionList renders assigned partitions as Kafka logs them
// ("connect-test-0, connect-test-1").
func partitionList(m map[string][]int32) string {
	var parts []string
	for topic, ps := range m {
		sorted := append([]int32(nil), ps...)
		sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
		for _, p := range sorted {
			parts = append(parts, topic+"-"+strconv.Itoa(int(p)))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}

func (s *workerSinkTask) String() string { return "WorkerSinkTask{id=" + s.id.String() + "}" }

// run is WorkerSinkTask.execute.
func (s *workerSinkTask) run(ctx context.Context) error {
	var closeOnce sync.Once
	closeAll := func() {
		closeOnce.Do(func() {
			if err := s.task.stop(); err != nil {
				s.log.error(err, "%s Failed to close the output", s)
			}
			s.consumer.Close() // leaves the group
		})
	}
	defer closeAll()
	s.log.info("%s Sink task finished initialization and start", s)
	sub := s.cfg["topics"]
	if sub == "" {
		sub = s.cfg["topics.regex"]
	}
	s.w.logger("org.apache.kafka.clients.consumer.KafkaConsumer", s.clientLog.ctx).info("Subscribed to topic(s): %s", strings.Join(splitList(sub), ", "))

	for {
		fetches := s.consumer.PollFetches(ctx)
		if ctx.Err() != nil || fetches.IsClientClosed() {
			s.consumer.AllowRebalance()
			return nil
		}
		fetches.EachError(func(topic string, p int32, err error) {
			s.log.warn("%s Fetch of %s-%d failed: %v", s, topic, p, err)
		})
		var values []any
		var convErr error
		fetches.EachRecord(func(r *kgo.Record) {
			if convErr != nil {
				return
			}
			if _, _, err := s.keyConv.ToConnectData(r.Topic, r.Key); err != nil {
				convErr = err
				return
			}
			_, v, err := s.valueConv.ToConnectData(r.Topic, r.Value)
			if err != nil {
				convErr = err
				return
			}
			values = append(values, v)
		})
		if convErr != nil {
			// errors.tolerance=none, Kafka's default: the task dies.
			s.consumer.AllowRebalance()
			return &Error{Class: "org.apache.kafka.connect.errors.ConnectException",
				Msg: "Tolerance exceeded in error handler\nCaused by: " + convErr.Error()}
		}
		if len(values) > 0 {
			if err := s.task.put(values); err != nil {
				s.consumer.AllowRebalance()
				return connectErr(err.Error())
			}
			if err := s.task.flush(); err != nil {
				s.consumer.AllowRebalance()
				return connectErr(err.Error())
			}
			cctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			err := s.consumer.CommitUncommittedOffsets(cctx)
			cancel()
			if err != nil {
				// The lines are written; a later commit covers them,
				// or a restart repeats them (at least once).
				s.log.error(err, "%s Commit of offsets threw an unexpected exception for sequence number: ", s)
			}
		}
		s.consumer.AllowRebalance()
	}
}
