package connect

// FileStreamSource and the worker loop that drives a source task
// (WorkerSourceTask): poll lines, convert them, produce them, and commit
// the file position to the offset store every offset.flush.interval.ms and
// when the task stops.
//
// The task tails the file from the stored position. Each complete line
// (ended by \n, \r\n or \r) is one record with a null key and a string
// value; its offset is {"position": <bytes up to and including the line
// end>} under the partition {"filename": <file setting>}. A line without
// its end yet waits for it. At most batch.size lines go out per poll; when
// there is nothing new the task waits about a second. Without a file
// setting it reads stdin and tracks no offsets.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// idleWait is how long a poll waits when there is no new data (Kafka's
// FileStreamSourceTask waits 1 s).
var idleWait = time.Second

// sourceRecord is one record a source task returns from poll.
type sourceRecord struct {
	partition   map[string]any // nil: no offset tracked (stdin)
	offset      map[string]any
	topic       string
	keySchema   *Schema
	key         any
	valueSchema *Schema
	value       any
	timestamp   time.Time
}

// fileSourceTask is FileStreamSourceTask.
type fileSourceTask struct {
	filename  string // "" = stdin
	topic     string
	batchSize int
	log       klog
	// storedOffset reads the offset store for the file's partition.
	storedOffset func(partition map[string]any) (map[string]any, error)

	stdin  io.Reader
	chunks chan []byte // stdin's reader goroutine → poll
	f      *os.File
	buf    []byte // read, not yet returned as lines
	pos    int64  // file position just after buf's last returned line
}

func newFileSourceTask(cfg map[string]string, stdin io.Reader, log klog, stored func(map[string]any) (map[string]any, error)) (*fileSourceTask, error) {
	t := &fileSourceTask{filename: cfg["file"], topic: cfg["topic"], batchSize: 2000, log: log, storedOffset: stored, stdin: stdin}
	if t.topic == "" {
		return nil, connectErr("FileStreamSourceTask config missing topic setting")
	}
	if v, ok := cfg["batch.size"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, connectErr("Invalid FileStreamSourceTask configuration")
		}
		t.batchSize = n
	}
	return t, nil
}

func (t *fileSourceTask) logFilename() string {
	if t.filename == "" {
		return "stdin"
	}
	return t.filename
}

// partition is the task's source partition.
func (t *fileSourceTask) partition() map[string]any {
	return map[string]any{"filename": t.filename}
}

// open opens the file at its stored position. A missing file is not an
// error: the task waits for it to be created.
func (t *fileSourceTask) open(ctx context.Context) (bool, error) {
	f, err := os.Open(t.filename)
	if errors.Is(err, os.ErrNotExist) {
		t.log.warn("Couldn't find file %s for FileStreamSourceTask, sleeping to wait for it to be created", t.logFilename())
		sleep(ctx, idleWait)
		return false, nil
	}
	if err != nil {
		return false, connectErr(err.Error())
	}
	off, err := t.storedOffset(t.partition())
	if err != nil {
		f.Close()
		return false, connectErr(err.Error())
	}
	t.pos = 0
	if off != nil {
		if v, ok := off["position"]; ok && v != nil {
			p, ok := v.(int64)
			if !ok {
				f.Close()
				return false, connectErr("Offset position is the incorrect type")
			}
			t.log.debug("Found previous offset, trying to skip to file offset %d", p)
			if _, err := f.Seek(p, io.SeekStart); err != nil {
				f.Close()
				return false, connectErr(err.Error())
			}
			t.pos = p
		}
	}
	t.f = f
	t.log.debug("Opened %s for reading", t.logFilename())
	return true, nil
}

// poll returns the next lines, at most batchSize, waiting about a second
// when there are none.
func (t *fileSourceTask) poll(ctx context.Context) ([]sourceRecord, error) {
	if t.filename == "" {
		return t.pollStdin(ctx)
	}
	if t.f == nil {
		ok, err := t.open(ctx)
		if !ok || err != nil {
			return nil, err
		}
	}
	if recs := t.extract(); len(recs) > 0 {
		return recs, nil
	}
	// Read what the file has now (up to a bound, so a huge backlog
	// comes in batches), then cut lines.
	chunk := make([]byte, 64<<10)
	for len(t.buf) < 4<<20 {
		n, err := t.f.Read(chunk)
		t.buf = append(t.buf, chunk[:n]...)
		if err != nil || n == 0 {
			break // io.EOF: caught up; other errors: closed by stop
		}
	}
	if recs := t.extract(); len(recs) > 0 {
		return recs, nil
	}
	sleep(ctx, idleWait)
	return nil, nil
}

// pollStdin returns the lines read from stdin so far, waiting up to a
// second for more when there are none.
func (t *fileSourceTask) pollStdin(ctx context.Context) ([]sourceRecord, error) {
	if t.chunks == nil {
		t.chunks = make(chan []byte, 16)
		go func(r io.Reader, out chan<- []byte) {
			for {
				b := make([]byte, 64<<10)
				n, err := r.Read(b)
				if n > 0 {
					out <- b[:n]
				}
				if err != nil {
					close(out)
					return
				}
			}
		}(t.stdin, t.chunks)
	}
	if recs := t.extract(); len(recs) > 0 {
		return recs, nil
	}
	timer := time.NewTimer(idleWait)
	defer timer.Stop()
	select {
	case b, ok := <-t.chunks:
		if !ok {
			// End of input: nothing more will come; behave as idle.
			t.chunks = make(chan []byte)
			return nil, nil
		}
		t.buf = append(t.buf, b...)
		for more := true; more; {
			select {
			case b, ok := <-t.chunks:
				if !ok {
					t.chunks = make(chan []byte)
					more = false
					break
				}
				t.buf = append(t.buf, b...)
			default:
				more = false
			}
		}
	case <-timer.C:
	case <-ctx.Done():
	}
	return t.extract(), nil
}

// extract cuts complete lines off buf, at most batchSize.
func (t *fileSourceTask) extract() []sourceRecord {
	var recs []sourceRecord
	for len(recs) < t.batchSize {
		i := bytes.IndexAny(t.buf, "\r\n")
		if i < 0 {
			break
		}
		next := i + 1
		if t.buf[i] == '\r' {
			if i+1 >= len(t.buf) {
				break // \r\n may be split across reads
			}
			if t.buf[i+1] == '\n' {
				next = i + 2
			}
		}
		line := string(t.buf[:i])
		t.buf = t.buf[next:]
		r := sourceRecord{topic: t.topic, valueSchema: StringSchema, value: line, timestamp: time.Now()}
		if t.filename != "" {
			t.pos += int64(next)
			r.partition = t.partition()
			r.offset = map[string]any{"position": t.pos}
		}
		recs = append(recs, r)
	}
	if len(t.buf) == 0 {
		t.buf = nil
	}
	return recs
}

func (t *fileSourceTask) stop() {
	if t.f != nil {
		t.f.Close()
		t.f = nil
	}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-ctx.Done():
	}
}

// ---------------------------------------------------------------------------
// WorkerSourceTask

type workerSourceTask struct {
	w         *Worker
	id        taskID
	task      *fileSourceTask
	keyConv   Converter
	valueConv Converter
	producer  *kgo.Client
	log       klog

	mu      sync.Mutex
	offsets map[string]sourceOffset // acknowledged, not yet committed
}

func (w *Worker) newWorkerSourceTask(id taskID, cfg map[string]string, keyConv, valueConv Converter) (*workerSourceTask, error) {
	log := w.logger(clsSourceTask, taskCtx(id))
	stored := func(p map[string]any) (map[string]any, error) { return w.offsets.Offset(id.Connector, p) }
	stdin := w.env.Stdin
	if stdin == nil {
		stdin = os.Stdin
	}
	ft, err := newFileSourceTask(cfg, stdin, w.logger("org.apache.kafka.connect.file.FileStreamSourceTask", taskCtx(id)), stored)
	if err != nil {
		return nil, err
	}
	opts, err := w.env.clientOpts(w.producerProps(id))
	if err != nil {
		return nil, configErr(err.Error())
	}
	// Java's producer creates a missing topic through the broker's
	// auto.create.topics.enable, as the quickstart's connect-test is.
	opts = append(opts, kgo.AllowAutoTopicCreation())
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, configErr(err.Error())
	}
	return &workerSourceTask{w: w, id: id, task: ft, keyConv: keyConv, valueConv: valueConv, producer: cl, log: log, offsets: map[string]sourceOffset{}}, nil
}

func (s *workerSourceTask) String() string { return "WorkerSourceTask{id=" + s.id.String() + "}" }

// run is WorkerSourceTask.execute with the offset committer alongside.
func (s *workerSourceTask) run(ctx context.Context) error {
	defer s.producer.Close()
	defer s.task.stop()
	s.log.info("%s Source task finished initialization and start", s)

	commitDone := make(chan struct{})
	commitCtx, stopCommits := context.WithCancel(context.Background())
	go func() {
		defer close(commitDone)
		tick := time.NewTicker(s.w.cfg.flushInterval)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				s.commitOffsets()
			case <-commitCtx.Done():
				return
			}
		}
	}()
	defer func() {
		stopCommits()
		<-commitDone
		// Records acknowledged so far are safe to commit on the way out.
		s.commitOffsets()
	}()

	for ctx.Err() == nil {
		recs, err := s.task.poll(ctx)
		if err != nil {
			return err
		}
		if len(recs) == 0 {
			continue
		}
		krecs := make([]*kgo.Record, 0, len(recs))
		for _, r := range recs {
			k, err := s.keyConv.FromConnectData(r.topic, r.keySchema, r.key)
			if err != nil {
				return err
			}
			v, err := s.valueConv.FromConnectData(r.topic, r.valueSchema, r.value)
			if err != nil {
				return err
			}
			krecs = append(krecs, &kgo.Record{Topic: r.topic, Key: k, Value: v, Timestamp: r.timestamp})
		}
		// Sent in order and acknowledged before their offsets count:
		// a restart resends at most what was not committed.
		if err := s.send(ctx, krecs); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			s.log.error(err, "%s failed to send record to %s: ", s, recs[0].topic)
			return connectErr("Unrecoverable exception from producer send callback")
		}
		s.mu.Lock()
		for _, r := range recs {
			if r.partition != nil {
				k, _ := offsetKey(s.id.Connector, r.partition)
				s.offsets[k] = sourceOffset{partition: r.partition, offset: r.offset}
			}
		}
		s.mu.Unlock()
	}
	return nil
}

// maxBlock is the Java producer's max.block.ms: how long a send waits for
// its topic's metadata.
const maxBlock = 60 * time.Second

// send produces recs and waits for their acknowledgement. Records whose
// topic has no usable metadata yet (a topic being auto-created, a broker
// that does not yet see itself: INVALID_REPLICATION_FACTOR,
// UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE) are sent again for up
// to max.block.ms, as the Java producer waits for metadata; any other
// failure is returned.
func (s *workerSourceTask) send(ctx context.Context, recs []*kgo.Record) error {
	deadline := time.Now().Add(maxBlock)
	for {
		var failed []*kgo.Record
		var firstErr error
		for _, r := range s.producer.ProduceSync(ctx, recs...) {
			if r.Err == nil {
				continue
			}
			if !metadataError(r.Err) || time.Now().After(deadline) {
				return r.Err
			}
			failed = append(failed, r.Record)
			if firstErr == nil {
				firstErr = r.Err
			}
		}
		if len(failed) == 0 {
			return nil
		}
		s.w.logger("org.apache.kafka.clients.NetworkClient", taskCtx(s.id)+"[Producer clientId=connector-producer-"+s.id.String()+"] ").
			warn("Error while fetching metadata : {%s=%s}", failed[0].Topic, kerrName(firstErr))
		recs = failed
		sleep(ctx, 100*time.Millisecond) // retry.backoff.ms
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

func metadataError(err error) bool {
	return errors.Is(err, kerr.InvalidReplicationFactor) || errors.Is(err, kerr.UnknownTopicOrPartition) ||
		errors.Is(err, kerr.LeaderNotAvailable) || kerr.IsRetriable(err)
}

func kerrName(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return ke.Message
	}
	return err.Error()
}

// commitOffsets is WorkerSourceTask.commitOffsets: every record is already
// acknowledged, so the flush only writes the store.
func (s *workerSourceTask) commitOffsets() {
	log := s.w.logger(clsSourceTask, taskCtx(s.id)[:len(taskCtx(s.id))-2]+"|offsets] ")
	start := time.Now()
	log.info("%s Committing offsets", s)
	log.info("%s flushing 0 outstanding messages for offset commit", s)
	s.mu.Lock()
	pending := s.offsets
	s.offsets = map[string]sourceOffset{}
	s.mu.Unlock()
	if len(pending) == 0 {
		log.debug("%s Either no records were produced by the task since the last offset commit, or every record has been filtered out by a transformation or dropped due to transformation or conversion errors.", s)
		return
	}
	err := s.w.offsets.Set(s.id.Connector, pending)
	if err == nil {
		err = s.w.offsets.Flush()
	}
	if err != nil {
		log.error(err, "%s Failed to flush offsets to storage: ", s)
		// Keep them for the next attempt, unless newer ones came.
		s.mu.Lock()
		for k, v := range pending {
			if _, newer := s.offsets[k]; !newer {
				s.offsets[k] = v
			}
		}
		s.mu.Unlock()
		return
	}
	log.info("%s Finished commitOffsets successfully in %d ms", s, time.Since(start).Milliseconds())
}
