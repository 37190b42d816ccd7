package tools

// Logging with Kafka's log4j layout. config/log4j.properties (the broker) and
// config/tools-log4j.properties (the tools) give every line the pattern
// "[%d] %p %m (%c)%n":
//
//	[2021-05-04 10:00:00,123] INFO [KafkaServer id=0] started (kafka.server.KafkaServer)
//
// Here the same lines come from zap: the zap logger's name is log4j's
// category (%c), so code logs through lg.Named("kafka.server.KafkaServer").
// The broker routes loggers to files as log4j.properties does; the tools log
// WARN and above to stderr.

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"go.uber.org/zap"
	"go.uber.org/zap/buffer"
	"go.uber.org/zap/zapcore"
)

// log4jTimeLayout is log4j's %d (ISO8601 with a comma before the millis).
const log4jTimeLayout = "2006-01-02 15:04:05,000"

var linePool = buffer.NewPool()

// kafkaEncoder renders an entry as "[time] LEVEL message (logger)".
// Structured fields, which log4j lines do not have, follow the message in
// the key=value form of Kafka's own log idents ([topic=t, partition=0]); an
// error field is printed on the next line, where log4j prints a Throwable.
type kafkaEncoder struct {
	fieldEncoder // the fields given to With
}

func newKafkaEncoder() zapcore.Encoder { return &kafkaEncoder{} }

func (e *kafkaEncoder) Clone() zapcore.Encoder {
	c := &kafkaEncoder{}
	c.buf = append([]byte(nil), e.buf...)
	c.ns = e.ns
	return c
}

func (e *kafkaEncoder) EncodeEntry(ent zapcore.Entry, fields []zapcore.Field) (*buffer.Buffer, error) {
	var errs []string
	kv := fieldEncoder{buf: append([]byte(nil), e.buf...), ns: e.ns}
	for _, f := range fields {
		if f.Type == zapcore.ErrorType {
			if err, ok := f.Interface.(error); ok && err != nil {
				errs = append(errs, err.Error())
				continue
			}
		}
		f.AddTo(&kv)
	}

	line := linePool.Get()
	line.AppendByte('[')
	line.AppendString(ent.Time.Format(log4jTimeLayout))
	line.AppendString("] ")
	line.AppendString(log4jLevel(ent.Level))
	line.AppendByte(' ')
	line.AppendString(ent.Message)
	if len(kv.buf) > 0 {
		line.AppendString(" [")
		line.AppendString(string(kv.buf))
		line.AppendByte(']')
	}
	name := loggerCategory(ent.LoggerName)
	if name == "" {
		name = "kafka"
	}
	line.AppendString(" (")
	line.AppendString(name)
	line.AppendString(")\n")
	for _, s := range errs {
		line.AppendString(s)
		line.AppendByte('\n')
	}
	if ent.Stack != "" {
		line.AppendString(ent.Stack)
		line.AppendByte('\n')
	}
	return line, nil
}

// log4jLevel names a zap level as log4j's %p does. zap has no FATAL that
// returns, so DPanic (which does not panic in a production logger) stands
// for log4j's FATAL, as kafka.Kafka uses it before exiting 1.
func log4jLevel(l zapcore.Level) string {
	switch l {
	case zapcore.DebugLevel:
		return "DEBUG"
	case zapcore.InfoLevel:
		return "INFO"
	case zapcore.WarnLevel:
		return "WARN"
	case zapcore.ErrorLevel, zapcore.PanicLevel:
		return "ERROR"
	default:
		return "FATAL"
	}
}

// loggerCategory turns a zap logger name into a log4j category. zap joins
// nested Named calls with dots, so a component that names its logger after
// its class, given a logger its caller already named, ends up as
// "kafka.log.LogManager.kafka.log.LogManager"; a log4j logger has exactly
// one category. The last segment boundary where a category root starts
// ("kafka.", "org.apache.", "state.change.logger") wins; "org.apache.kafka."
// stays whole.
func loggerCategory(name string) string {
	best := 0
	for i := 1; i < len(name); i++ {
		if name[i-1] != '.' {
			continue
		}
		rest := name[:i]
		switch tail := name[i:]; {
		case strings.HasPrefix(tail, "org.apache."), strings.HasPrefix(tail, "state.change.logger"):
			best = i
		case strings.HasPrefix(tail, "kafka.") && !strings.HasSuffix(rest, "org.apache."):
			best = i
		}
	}
	return name[best:]
}

// logRoute is one destination of config/log4j.properties: the loggers whose
// name starts with prefix (non-additive, so they skip stdout and server.log),
// the file they write and the level they start at.
type logRoute struct {
	prefix string
	file   string
	level  zapcore.Level
}

// brokerRoutes mirrors the non-additive loggers of config/log4j.properties.
// log4j's TRACE for kafka.controller is zap's Debug.
var brokerRoutes = []logRoute{
	{"kafka.controller", "controller.log", zapcore.DebugLevel},
	{"state.change.logger", "state-change.log", zapcore.InfoLevel},
	{"kafka.request.logger", "kafka-request.log", zapcore.WarnLevel},
	{"kafka.log.LogCleaner", "log-cleaner.log", zapcore.InfoLevel},
	{"kafka.authorizer.logger", "kafka-authorizer.log", zapcore.InfoLevel},
}

// routingCore sends each entry to the core of the first route whose prefix
// matches the entry's logger name, else to the root core (stdout and
// server.log). Safe for concurrent use; immutable.
type routingCore struct {
	root   zapcore.Core
	routes []routedCore
}

type routedCore struct {
	prefix string
	core   zapcore.Core
}

func (c *routingCore) pick(name string) zapcore.Core {
	name = loggerCategory(name)
	for _, r := range c.routes {
		if name == r.prefix || strings.HasPrefix(name, r.prefix+".") {
			return r.core
		}
	}
	return c.root
}

func (c *routingCore) Enabled(l zapcore.Level) bool {
	if c.root.Enabled(l) {
		return true
	}
	for _, r := range c.routes {
		if r.core.Enabled(l) {
			return true
		}
	}
	return false
}

func (c *routingCore) With(fields []zapcore.Field) zapcore.Core {
	n := &routingCore{root: c.root.With(fields)}
	for _, r := range c.routes {
		n.routes = append(n.routes, routedCore{r.prefix, r.core.With(fields)})
	}
	return n
}

func (c *routingCore) Check(ent zapcore.Entry, ce *zapcore.CheckedEntry) *zapcore.CheckedEntry {
	return c.pick(ent.LoggerName).Check(ent, ce)
}

// Write is reached only through a CheckedEntry built by a routed core, which
// calls that core's Write; it is here to satisfy zapcore.Core.
func (c *routingCore) Write(ent zapcore.Entry, fields []zapcore.Field) error {
	return c.pick(ent.LoggerName).Write(ent, fields)
}

func (c *routingCore) Sync() error {
	err := c.root.Sync()
	for _, r := range c.routes {
		if e := r.core.Sync(); e != nil && err == nil {
			err = e
		}
	}
	return err
}

// logDir is $LOG_DIR, else <install dir>/logs where the install dir is the
// parent of the directory holding the binary (bin/gokafka → logs/), as
// kafka-run-class.sh computes it.
func logDir() string {
	if d := os.Getenv("LOG_DIR"); d != "" {
		return d
	}
	exe, err := os.Executable()
	if err != nil {
		return "logs"
	}
	if r, err := filepath.EvalSymlinks(exe); err == nil {
		exe = r
	}
	return filepath.Join(filepath.Dir(filepath.Dir(exe)), "logs")
}

// envLevel reads GOKAFKA_LOG_LEVEL (debug, info, warn, error) for the root
// logger; log4j users edit log4j.properties instead.
func envLevel(def zapcore.Level) zapcore.Level {
	if s := os.Getenv("GOKAFKA_LOG_LEVEL"); s != "" {
		var l zapcore.Level
		if err := l.UnmarshalText([]byte(strings.ToLower(s))); err == nil {
			return l
		}
	}
	return def
}

// brokerLogs holds the broker's open log files.
type brokerLogs struct {
	mu    sync.Mutex
	files []*os.File
}

// Close syncs and closes every log file.
func (b *brokerLogs) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var first error
	for _, f := range b.files {
		_ = f.Sync()
		if err := f.Close(); err != nil && first == nil {
			first = err
		}
	}
	b.files = nil
	return first
}

// newBrokerLogger builds the broker's logger as config/log4j.properties lays
// it out: INFO and above to stdout and dir/server.log; kafka.controller to
// controller.log, state.change.logger to state-change.log and the other
// non-additive loggers to their own files. A file that cannot be opened is
// reported on stderr and left out, as log4j does; logging goes on.
func newBrokerLogger(dir string, stdout io.Writer) (*zap.Logger, *brokerLogs) {
	logs := &brokerLogs{}
	enc := newKafkaEncoder()
	dirErr := os.MkdirAll(dir, 0o755)
	if dirErr != nil {
		fmt.Fprintf(os.Stderr, "log4j:ERROR Could not create log directory %s: %v\n", dir, dirErr)
	}
	open := func(name string) zapcore.WriteSyncer {
		if dirErr != nil {
			return nil
		}
		f, err := os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintf(os.Stderr, "log4j:ERROR setFile(%s,true) call failed: %v\n", filepath.Join(dir, name), err)
			return nil
		}
		logs.files = append(logs.files, f)
		return zapcore.Lock(f)
	}
	rootLevel := envLevel(zapcore.InfoLevel)
	rootSinks := []zapcore.WriteSyncer{zapcore.Lock(zapcore.AddSync(stdout))}
	if f := open("server.log"); f != nil {
		rootSinks = append(rootSinks, f)
	}
	core := &routingCore{root: zapcore.NewCore(enc, zapcore.NewMultiWriteSyncer(rootSinks...), rootLevel)}
	for _, r := range brokerRoutes {
		var c zapcore.Core = zapcore.NewNopCore()
		if f := open(r.file); f != nil {
			c = zapcore.NewCore(enc.Clone(), f, min(r.level, rootLevel))
		}
		core.routes = append(core.routes, routedCore{r.prefix, c})
	}
	return zap.New(core), logs
}

// newToolLogger is config/tools-log4j.properties: WARN and above to w
// (stderr), same pattern.
func newToolLogger(w io.Writer) *zap.Logger {
	return zap.New(zapcore.NewCore(newKafkaEncoder(), zapcore.Lock(zapcore.AddSync(w)), envLevel(zapcore.WarnLevel)))
}
