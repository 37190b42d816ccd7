package connect

// The standalone worker: ConnectStandalone's main, the worker config, and
// the StandaloneHerder that starts each connector and its tasks, restarts
// nothing on its own, and stops everything on SIGINT/SIGTERM. The log lines
// are Kafka's, with its connector context ("[local-file-source|task-0] ")
// in front, as connect-log4j.properties lays them out.

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/magiconair/properties"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
	"go.uber.org/zap"
)

// Error is a Java exception of the Connect runtime: its class, message and
// the HTTP status the REST API answers it with.
type Error struct {
	Class  string
	Msg    string
	Status int
}

func (e *Error) Error() string { return e.Class + ": " + e.Msg }

func configErr(msg string) error {
	return &Error{Class: "org.apache.kafka.common.config.ConfigException", Msg: msg, Status: 400}
}

func connectErr(msg string) error {
	return &Error{Class: "org.apache.kafka.connect.errors.ConnectException", Msg: msg, Status: 500}
}

func badRequest(msg string) error {
	return &Error{Class: "org.apache.kafka.connect.runtime.rest.errors.BadRequestException", Msg: msg, Status: 400}
}

func notFound(msg string) error {
	return &Error{Class: "org.apache.kafka.connect.errors.NotFoundException", Msg: msg, Status: 404}
}

func alreadyExists(msg string) error {
	return &Error{Class: "org.apache.kafka.connect.errors.AlreadyExistsException", Msg: msg, Status: 409}
}

// Env is the outside world of one worker run.
type Env struct {
	Stdin  io.Reader // the file source without "file"
	Stdout io.Writer // the file sink without "file"
	// Logger carries Kafka's log layout (the caller builds it); loggers
	// are named after Kafka's classes.
	Logger *zap.Logger
	// LoadProps reads a Java properties file; nil reads it here.
	LoadProps func(path string) (map[string]string, error)
	// ClientOpts maps Java client properties onto franz-go options; nil
	// maps only bootstrap.servers and client.id.
	ClientOpts func(props map[string]string) ([]kgo.Opt, error)
	// ClusterIDTimeout bounds the start-up lookup of the cluster id
	// (Kafka: default.api.timeout.ms, 60 s); zero means 60 s.
	ClusterIDTimeout time.Duration
}

func (e *Env) loadProps(path string) (map[string]string, error) {
	if e.LoadProps != nil {
		return e.LoadProps(path)
	}
	p, err := properties.LoadFile(path, properties.UTF8)
	if err != nil {
		return nil, err
	}
	return p.Map(), nil
}

func (e *Env) clientOpts(props map[string]string) ([]kgo.Opt, error) {
	if e.ClientOpts != nil {
		return e.ClientOpts(props)
	}
	var opts []kgo.Opt
	if v := props["bootstrap.servers"]; v != "" {
		opts = append(opts, kgo.SeedBrokers(strings.Split(v, ",")...))
	}
	if v := props["client.id"]; v != "" {
		opts = append(opts, kgo.ClientID(v))
	}
	return opts, nil
}

// klog is a logger of one Kafka class with an optional connector context.
type klog struct {
	lg  *zap.Logger
	ctx string
}

func (w *Worker) logger(class, ctx string) klog {
	return klog{lg: w.lg.Named(class), ctx: ctx}
}

func (l klog) info(format string, a ...any)  { l.lg.Info(l.ctx + fmt.Sprintf(format, a...)) }
func (l klog) warn(format string, a ...any)  { l.lg.Warn(l.ctx + fmt.Sprintf(format, a...)) }
func (l klog) debug(format string, a ...any) { l.lg.Debug(l.ctx + fmt.Sprintf(format, a...)) }
func (l klog) error(err error, format string, a ...any) {
	if err != nil {
		l.lg.Error(l.ctx+fmt.Sprintf(format, a...), zap.Error(err))
		return
	}
	l.lg.Error(l.ctx + fmt.Sprintf(format, a...))
}

func connectorCtx(name string) string { return "[" + name + "|worker] " }
func taskCtx(id taskID) string        { return fmt.Sprintf("[%s|task-%d] ", id.Connector, id.Task) }

// Class names of the loggers, as Kafka's.
const (
	clsStandalone = "org.apache.kafka.connect.cli.ConnectStandalone"
	clsConnect    = "org.apache.kafka.connect.runtime.Connect"
	clsHerder     = "org.apache.kafka.connect.runtime.standalone.StandaloneHerder"
	clsWorker     = "org.apache.kafka.connect.runtime.Worker"
	clsWorkerConn = "org.apache.kafka.connect.runtime.WorkerConnector"
	clsWorkerTask = "org.apache.kafka.connect.runtime.WorkerTask"
	clsSourceTask = "org.apache.kafka.connect.runtime.WorkerSourceTask"
	clsSinkTask   = "org.apache.kafka.connect.runtime.WorkerSinkTask"
	clsOffsets    = "org.apache.kafka.connect.storage.FileOffsetBackingStore"
	clsRest       = "org.apache.kafka.connect.runtime.rest.RestServer"
	clsUtils      = "org.apache.kafka.connect.util.ConnectUtils"
)

// Run is ConnectStandalone.main: args are the worker properties file and
// one or more connector properties files. It returns when ctx is cancelled
// (SIGINT/SIGTERM) after stopping everything, with Kafka's exit codes: 1
// for usage, 2 when the worker cannot start, 3 when a connector cannot be
// created.
func Run(ctx context.Context, env Env, args []string) int {
	lg := env.Logger
	if lg == nil {
		lg = zap.NewNop()
	}
	main := klog{lg: lg.Named(clsStandalone)}
	if len(args) < 2 {
		main.info("Usage: ConnectStandalone worker.properties connector1.properties [connector2.properties ...]")
		return 1
	}
	main.info("Kafka Connect standalone worker initializing ...")
	start := time.Now()
	fail := func(err error) int {
		main.error(err, "Stopping due to error")
		return 2
	}
	props := map[string]string{}
	if args[0] != "" {
		p, err := env.loadProps(args[0])
		if err != nil {
			return fail(javaIOError(args[0], err))
		}
		props = p
	}
	main.info("Scanning for plugin classes. This might take a moment ...")
	cfg, err := parseWorkerConfig(props)
	if err != nil {
		return fail(err)
	}
	w := &Worker{cfg: cfg, env: env, lg: lg, connectors: map[string]*connector{}}
	if w.clusterID, err = w.lookupClusterID(ctx); err != nil {
		return fail(err)
	}
	rest, err := newRestServer(w)
	if err != nil {
		return fail(err)
	}
	w.workerID = rest.advertisedHostPort()
	main.info("Kafka Connect standalone worker initialization took %dms", time.Since(start).Milliseconds())

	connect := klog{lg: lg.Named(clsConnect)}
	connect.info("Kafka Connect starting")
	if err := w.start(); err != nil {
		return fail(err)
	}
	rest.start()
	connect.info("Kafka Connect started")

	stop := func() {
		connect.info("Kafka Connect stopping")
		rest.stop()
		w.stop()
		connect.info("Kafka Connect stopped")
	}
	for _, file := range args[1:] {
		err := func() error {
			p, err := env.loadProps(file)
			if err != nil {
				return javaIOError(file, err)
			}
			name, err := w.putConnectorConfig(p["name"], p, false)
			if err != nil {
				main.error(nil, "Failed to create job for %s", file)
				return &Error{Class: "java.util.concurrent.ExecutionException", Msg: err.Error()}
			}
			main.info("Created connector %s", name)
			return nil
		}()
		if err != nil {
			main.error(err, "Stopping after connector error")
			stop()
			return 3
		}
	}
	<-ctx.Done() // SIGINT/SIGTERM
	stop()
	return 0
}

// javaIOError renders a failure to read a properties file as Java's
// Utils.loadProps reports it.
func javaIOError(path string, err error) error {
	if os.IsNotExist(err) || strings.Contains(err.Error(), "no such file") {
		return &Error{Class: "java.nio.file.NoSuchFileException", Msg: path}
	}
	return &Error{Class: "java.io.IOException", Msg: err.Error()}
}

// ---------------------------------------------------------------------------
// Worker config (StandaloneConfig).

type workerConfig struct {
	props          map[string]string
	bootstrap      string
	keyConverter   string
	valueConverter string
	offsetFile     string
	flushInterval  time.Duration
	listeners      []string // http://host:port
	advertisedHost string
	advertisedPort int
}

func parseWorkerConfig(props map[string]string) (*workerConfig, error) {
	c := &workerConfig{props: props, bootstrap: "localhost:9092", flushInterval: 60 * time.Second}
	if v, ok := props["bootstrap.servers"]; ok {
		c.bootstrap = strings.TrimSpace(v)
	}
	required := func(key string) (string, error) {
		v, ok := props[key]
		if !ok {
			return "", configErr(fmt.Sprintf("Missing required configuration \"%s\" which has no default value.", key))
		}
		return strings.TrimSpace(v), nil
	}
	var err error
	if c.keyConverter, err = required("key.converter"); err != nil {
		return nil, err
	}
	if c.valueConverter, err = required("value.converter"); err != nil {
		return nil, err
	}
	for _, k := range []string{"key.converter", "value.converter"} {
		if _, err := newConverter(k, props[k], prefixed(props, k+".")); err != nil {
			return nil, err
		}
	}
	if c.offsetFile, err = required("offset.storage.file.filename"); err != nil {
		return nil, err
	}
	if v, ok := props["offset.flush.interval.ms"]; ok {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return nil, configErr(fmt.Sprintf("Invalid value %s for configuration offset.flush.interval.ms: Not a number of type LONG", v))
		}
		c.flushInterval = time.Duration(n) * time.Millisecond
	}
	// listeners wins over the deprecated rest.host.name/rest.port.
	if v := strings.TrimSpace(props["listeners"]); v != "" {
		for _, l := range strings.Split(v, ",") {
			if l = strings.TrimSpace(l); l != "" {
				c.listeners = append(c.listeners, l)
			}
		}
	} else {
		port := 8083
		if v, ok := props["rest.port"]; ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				return nil, configErr(fmt.Sprintf("Invalid value %s for configuration rest.port: Not a number of type INT", v))
			}
			port = n
		}
		c.listeners = []string{fmt.Sprintf("http://%s:%d", strings.TrimSpace(props["rest.host.name"]), port)}
	}
	c.advertisedHost = strings.TrimSpace(props["rest.advertised.host.name"])
	if v := strings.TrimSpace(props["rest.advertised.port"]); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, configErr(fmt.Sprintf("Invalid value %s for configuration rest.advertised.port: Not a number of type INT", v))
		}
		c.advertisedPort = n
	}
	return c, nil
}

// prefixed returns the entries of props under prefix, with it cut off.
func prefixed(props map[string]string, prefix string) map[string]string {
	out := map[string]string{}
	for k, v := range props {
		if strings.HasPrefix(k, prefix) {
			out[strings.TrimPrefix(k, prefix)] = v
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ---------------------------------------------------------------------------
// Worker and herder.

// Worker is the standalone worker with its herder: the connectors, their
// tasks, the offset store.
type Worker struct {
	cfg       *workerConfig
	env       Env
	lg        *zap.Logger
	clusterID string
	workerID  string // advertised host:port
	offsets   *OffsetStore

	// ops serializes the herder's operations (create, replace, delete,
	// restart, pause, resume, stop), as Kafka's herder runs them one at
	// a time.
	ops        sync.Mutex
	mu         sync.Mutex // guards the fields below and connectors' state and tasks
	order      []string   // connector names in creation order
	connectors map[string]*connector
	stopped    bool
}

// connector is one running connector and its tasks.
type connector struct {
	name   string
	config map[string]string
	plugin plugin
	state  string // RUNNING, FAILED
	trace  string
	tasks  []*task
}

type taskID struct {
	Connector string `json:"connector"`
	Task      int    `json:"task"`
}

func (id taskID) String() string { return fmt.Sprintf("%s-%d", id.Connector, id.Task) }

// task is one running task: its goroutine, its state for the status API.
type task struct {
	id     taskID
	config map[string]string
	cancel context.CancelFunc
	done   chan struct{}

	mu    sync.Mutex
	state string // RUNNING, FAILED
	trace string
}

func (t *task) setFailed(err error) {
	t.mu.Lock()
	t.state, t.trace = "FAILED", err.Error()
	t.mu.Unlock()
}

func (t *task) status() (state, trace string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.state, t.trace
}

// lookupClusterID is ConnectUtils.lookupKafkaClusterId: the worker does
// not start without its Kafka cluster.
func (w *Worker) lookupClusterID(ctx context.Context) (string, error) {
	l := w.logger(clsUtils, "")
	l.info("Creating Kafka admin client")
	opts, err := w.env.clientOpts(map[string]string{"bootstrap.servers": w.cfg.bootstrap})
	if err != nil {
		return "", configErr(err.Error())
	}
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return "", configErr(err.Error())
	}
	defer cl.Close()
	timeout := w.env.ClusterIDTimeout
	if timeout == 0 {
		timeout = 60 * time.Second
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req := kmsg.NewPtrMetadataRequest()
	resp, err := req.RequestWith(rctx, cl)
	if err != nil {
		return "", connectErr("Failed to connect to and describe Kafka cluster. Check worker's broker connection and security properties.")
	}
	id := ""
	if resp.ClusterID != nil {
		id = *resp.ClusterID
	}
	l.info("Kafka cluster ID: %s", id)
	return id, nil
}

// start is Herder.start and Worker.start.
func (w *Worker) start() error {
	h := w.logger(clsHerder, "")
	h.info("Herder starting")
	w.logger(clsWorker, "").info("Worker starting")
	w.logger(clsOffsets, "").info("Starting FileOffsetBackingStore with file %s", w.cfg.offsetFile)
	store, err := OpenOffsetStore(w.cfg.offsetFile)
	if err != nil {
		return err
	}
	w.offsets = store
	w.logger(clsWorker, "").info("Worker started")
	h.info("Herder started")
	return nil
}

// stop is Herder.stop: every connector's tasks, then the connector, then
// the worker and its offset store.
func (w *Worker) stop() {
	w.ops.Lock()
	defer w.ops.Unlock()
	w.mu.Lock()
	if w.stopped {
		w.mu.Unlock()
		return
	}
	w.stopped = true
	names := append([]string(nil), w.order...)
	w.mu.Unlock()
	w.logger(clsHerder, "").info("Herder stopping")
	for _, name := range names {
		w.stopConnector(name)
	}
	w.logger(clsWorker, "").info("Worker stopping")
	if w.offsets != nil {
		w.logger(clsOffsets, "").info("Stopped FileOffsetBackingStore")
	}
	w.logger(clsWorker, "").info("Worker stopped")
	w.logger(clsHerder, "").info("Herder stopped")
}

// stopConnector stops a connector's tasks and the connector, and forgets
// it.
func (w *Worker) stopConnector(name string) {
	w.mu.Lock()
	c := w.connectors[name]
	delete(w.connectors, name)
	for i, n := range w.order {
		if n == name {
			w.order = append(w.order[:i:i], w.order[i+1:]...)
			break
		}
	}
	w.mu.Unlock()
	if c == nil {
		return
	}
	w.stopTasks(c.tasks)
	wl := w.logger(clsWorker, connectorCtx(name))
	wl.info("Stopping connector %s", name)
	wc := w.logger(clsWorkerConn, connectorCtx(name))
	wc.info("Scheduled shutdown for WorkerConnector{id=%s}", name)
	wc.info("Completed shutdown for WorkerConnector{id=%s}", name)
}

// putConnectorConfig is StandaloneHerder.putConnectorConfig: validate,
// start the connector, generate its task configs, start the tasks.
func (w *Worker) putConnectorConfig(name string, config map[string]string, allowReplace bool) (string, error) {
	w.ops.Lock()
	defer w.ops.Unlock()
	cls, ok := config["connector.class"]
	if !ok {
		return "", badRequest(fmt.Sprintf("Connector config %s contains no connector type", javaMap(config)))
	}
	p, err := findPlugin(cls)
	if err != nil {
		return "", err
	}
	if errs := validateConnectorConfig(p, config); len(errs) > 0 {
		return "", badRequest(fmt.Sprintf("Connector configuration is invalid and contains the following %d error(s):\n%s\n"+
			"You can also find the above list of errors at the endpoint `/connector-plugins/{connectorType}/config/validate`",
			len(errs), strings.Join(errs, "\n")))
	}
	w.mu.Lock()
	_, exists := w.connectors[name]
	stopped := w.stopped
	w.mu.Unlock()
	if stopped {
		return "", connectErr("Worker is shutting down")
	}
	if exists && !allowReplace {
		return "", alreadyExists(fmt.Sprintf("Connector %s already exists", name))
	}
	if exists {
		w.stopConnector(name)
	}

	wl := w.logger(clsWorker, connectorCtx(name))
	wl.info("Creating connector %s of type %s", name, cls)
	wl.info("Instantiated connector %s with version %s of type class %s", name, Version, p.Class)
	c := &connector{name: name, config: copyMap(config), plugin: p, state: "RUNNING"}
	wl.info("Finished creating connector %s", name)

	for i, tc := range taskConfigs(p, config) {
		t, err := w.startTask(c, taskID{name, i}, tc)
		if err != nil {
			for _, started := range c.tasks {
				started.cancel()
				<-started.done
			}
			return "", err
		}
		c.tasks = append(c.tasks, t)
	}
	w.mu.Lock()
	w.connectors[name] = c
	w.order = append(w.order, name)
	w.mu.Unlock()
	return name, nil
}

// validateConnectorConfig is the connector's ConfigDef check plus Kafka's
// ConnectorConfig rules that the file connectors meet.
func validateConnectorConfig(p plugin, config map[string]string) []string {
	var errs []string
	if v, ok := config["tasks.max"]; ok {
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err != nil {
			errs = append(errs, fmt.Sprintf("Invalid value %s for configuration tasks.max: Not a number of type INT", v))
		} else if n < 1 {
			errs = append(errs, fmt.Sprintf("Invalid value %d for configuration tasks.max: Value must be at least 1", n))
		}
	}
	switch p.Type {
	case "source":
		topic, ok := config["topic"]
		if !ok {
			errs = append(errs, `Missing required configuration "topic" which has no default value.`)
		} else if len(splitList(topic)) != 1 {
			errs = append(errs, "'topic' in FileStreamSourceConnector configuration requires definition of a single topic")
		}
		if v, ok := config["batch.size"]; ok {
			if _, err := strconv.Atoi(strings.TrimSpace(v)); err != nil {
				errs = append(errs, fmt.Sprintf("Invalid value %s for configuration batch.size: Not a number of type INT", v))
			}
		}
	case "sink":
		topics := strings.TrimSpace(config["topics"]) != ""
		regex := strings.TrimSpace(config["topics.regex"]) != ""
		switch {
		case topics && regex:
			errs = append(errs, "topics and topics.regex are mutually exclusive options, but both are set.")
		case !topics && !regex:
			errs = append(errs, "Must configure one of topics or topics.regex")
		}
	}
	for _, k := range []string{"key.converter", "value.converter"} {
		if v, ok := config[k]; ok {
			if _, err := newConverter(k, v, prefixed(config, k+".")); err != nil {
				errs = append(errs, err.(*Error).Msg)
			}
		}
	}
	return errs
}

// taskConfigs is the connector's taskConfigs(maxTasks) plus what the
// worker adds (task.class, and a sink's topics): the file source makes one
// task whatever tasks.max says, the file sink tasks.max.
func taskConfigs(p plugin, config map[string]string) []map[string]string {
	maxTasks := 1
	if n, err := strconv.Atoi(strings.TrimSpace(config["tasks.max"])); err == nil && n > 0 {
		maxTasks = n
	}
	if p.Type == "source" {
		tc := map[string]string{"task.class": p.TaskClass, "topic": strings.TrimSpace(config["topic"]), "batch.size": "2000"}
		if v, ok := config["batch.size"]; ok {
			tc["batch.size"] = strings.TrimSpace(v)
		}
		if v, ok := config["file"]; ok {
			tc["file"] = v
		}
		return []map[string]string{tc}
	}
	var out []map[string]string
	for i := 0; i < maxTasks; i++ {
		tc := map[string]string{"task.class": p.TaskClass}
		if v, ok := config["file"]; ok {
			tc["file"] = v
		}
		for _, k := range []string{"topics", "topics.regex"} {
			if v, ok := config[k]; ok {
				tc[k] = v
			}
		}
		out = append(out, tc)
	}
	return out
}

// converterFor builds a task's key or value converter: the connector's
// own setting wins over the worker's, as Worker.startTask logs it.
func (w *Worker) converterFor(key string, id taskID, config map[string]string) (Converter, error) {
	src, cls, sub := "worker", w.cfg.props[key], prefixed(w.cfg.props, key+".")
	if v, ok := config[key]; ok {
		src, cls, sub = "connector", v, prefixed(config, key+".")
	}
	conv, err := newConverter(key, cls, sub)
	if err != nil {
		return nil, err
	}
	what := strings.TrimSuffix(key, ".converter")
	w.logger(clsWorker, taskCtx(id)).info("Set up the %s converter class %s for task %s using the %s config",
		what, fullConverterClass(cls), id, src)
	return conv, nil
}

func fullConverterClass(cls string) string {
	switch strings.TrimSpace(cls) {
	case "JsonConverter":
		return jsonConverterClass
	case "StringConverter":
		return stringConverterClass
	}
	return strings.TrimSpace(cls)
}

// startTask is Worker.startTask: build the converters and the task, then
// run it on its own goroutine.
func (w *Worker) startTask(c *connector, id taskID, tc map[string]string) (*task, error) {
	wl := w.logger(clsWorker, taskCtx(id))
	wl.info("Creating task %s", id)
	wl.info("Instantiated task %s with version %s of type %s", id, Version, c.plugin.TaskClass)
	keyConv, err := w.converterFor("key.converter", id, c.config)
	if err != nil {
		return nil, err
	}
	valueConv, err := w.converterFor("value.converter", id, c.config)
	if err != nil {
		return nil, err
	}
	wl.info("Set up the header converter class org.apache.kafka.connect.storage.SimpleHeaderConverter for task %s using the worker config", id)

	ctx, cancel := context.WithCancel(context.Background())
	t := &task{id: id, config: tc, cancel: cancel, done: make(chan struct{}), state: "RUNNING"}
	var run func(context.Context) error
	switch c.plugin.Type {
	case "source":
		st, err := w.newWorkerSourceTask(id, tc, keyConv, valueConv)
		if err != nil {
			cancel()
			return nil, err
		}
		run = st.run
	default:
		st, err := w.newWorkerSinkTask(id, tc, keyConv, valueConv)
		if err != nil {
			cancel()
			return nil, err
		}
		run = st.run
	}
	go func() {
		defer close(t.done)
		if err := run(ctx); err != nil && ctx.Err() == nil {
			kind := "WorkerSourceTask"
			if c.plugin.Type == "sink" {
				kind = "WorkerSinkTask"
			}
			w.logger(clsWorkerTask, taskCtx(id)).error(err, "%s{id=%s} Task threw an uncaught and unrecoverable exception. Task is being killed and will not recover until manually restarted", kind, id)
			t.setFailed(err)
		}
	}()
	return t, nil
}

// producerProps / consumerProps are the Java client settings of a task's
// clients: the worker's bootstrap.servers, Connect's own defaults, and the
// worker's "producer." / "consumer." overrides.
func (w *Worker) producerProps(id taskID) map[string]string {
	p := map[string]string{
		"bootstrap.servers":                     w.cfg.bootstrap,
		"client.id":                             "connector-producer-" + id.String(),
		"acks":                                  "all",
		"max.in.flight.requests.per.connection": "1",
	}
	for k, v := range prefixed(w.cfg.props, "producer.") {
		p[k] = v
	}
	return p
}

func (w *Worker) consumerProps(id taskID) map[string]string {
	p := map[string]string{
		"bootstrap.servers":  w.cfg.bootstrap,
		"client.id":          "connector-consumer-" + id.String(),
		"group.id":           "connect-" + id.Connector,
		"enable.auto.commit": "false",
		"auto.offset.reset":  "earliest",
	}
	for k, v := range prefixed(w.cfg.props, "consumer.") {
		p[k] = v
	}
	return p
}

// snapshot is a read-only copy of a connector for the REST API.
type snapshot struct {
	name   string
	config map[string]string
	typ    string
	state  string
	trace  string
	tasks  []taskSnapshot
}

type taskSnapshot struct {
	id     taskID
	config map[string]string
	state  string
	trace  string
}

func (w *Worker) connectorNames() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	names := append([]string{}, w.order...) // [] in JSON, never null
	sort.Strings(names)
	return names
}

func (w *Worker) snapshot(name string) (*snapshot, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.connectors[name]
	if c == nil {
		return nil, notFound(fmt.Sprintf("Connector %s not found", name))
	}
	s := &snapshot{name: c.name, config: c.config, typ: c.plugin.Type, state: c.state, trace: c.trace}
	for _, t := range c.tasks {
		st, tr := t.status()
		s.tasks = append(s.tasks, taskSnapshot{id: t.id, config: t.config, state: st, trace: tr})
	}
	return s, nil
}

// deleteConnector stops and removes a connector (DELETE /connectors/x).
func (w *Worker) deleteConnector(name string) error {
	w.ops.Lock()
	defer w.ops.Unlock()
	w.mu.Lock()
	_, ok := w.connectors[name]
	w.mu.Unlock()
	if !ok {
		return notFound(fmt.Sprintf("Connector %s not found", name))
	}
	w.stopConnector(name)
	w.logger(clsHerder, "").info("Removed connector %s", name)
	return nil
}

func copyMap(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// javaMap renders a map as Java's AbstractMap.toString.
func javaMap(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range sortedKeys(m) {
		parts = append(parts, k+"="+m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// hostPort splits a listener URL "http://host:port".
func hostPort(listener string) (scheme, host string, port int, err error) {
	scheme, rest, ok := strings.Cut(listener, "://")
	if !ok {
		return "", "", 0, configErr(fmt.Sprintf("Could not parse listener %s", listener))
	}
	h, p, err := net.SplitHostPort(strings.TrimSuffix(rest, "/"))
	if err != nil {
		return "", "", 0, configErr(fmt.Sprintf("Could not parse listener %s", listener))
	}
	n, err := strconv.Atoi(p)
	if err != nil {
		return "", "", 0, configErr(fmt.Sprintf("Could not parse listener %s", listener))
	}
	return strings.ToLower(scheme), h, n, nil
}

// stopTasks is Worker.stopAndAwaitTasks: signal every task, then wait for
// each.
func (w *Worker) stopTasks(tasks []*task) {
	for _, t := range tasks {
		w.logger(clsWorker, taskCtx(t.id)).info("Stopping task %s", t.id)
		t.cancel()
	}
	for _, t := range tasks {
		<-t.done
	}
}

// lookupTask finds a connector and one of its tasks.
func (w *Worker) lookupTask(name string, n int) (*connector, *task, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.connectors[name]
	if c == nil {
		return nil, nil, notFound(fmt.Sprintf("Connector %s not found", name))
	}
	if n < 0 || n >= len(c.tasks) {
		return nil, nil, notFound(fmt.Sprintf("Task %s-%d not found", name, n))
	}
	return c, c.tasks[n], nil
}

// restartTask stops one task and starts it again with the same config
// (POST /connectors/<name>/tasks/<n>/restart): the way back from FAILED.
// A paused connector's task stays stopped.
func (w *Worker) restartTask(name string, n int) error {
	w.ops.Lock()
	defer w.ops.Unlock()
	c, old, err := w.lookupTask(name, n)
	if err != nil {
		return err
	}
	w.mu.Lock()
	paused := c.state == "PAUSED"
	w.mu.Unlock()
	if paused {
		return nil
	}
	w.stopTasks([]*task{old})
	t, err := w.startTask(c, old.id, old.config)
	if err != nil {
		old.setFailed(err)
		return err
	}
	w.mu.Lock()
	c.tasks[n] = t
	w.mu.Unlock()
	return nil
}

// pauseConnector stops a connector's tasks and marks it and them PAUSED
// (PUT /connectors/<name>/pause). The source's position and the sink's
// group offsets are committed as the tasks stop, so resuming goes on
// where they were.
func (w *Worker) pauseConnector(name string) error {
	w.ops.Lock()
	defer w.ops.Unlock()
	w.mu.Lock()
	c := w.connectors[name]
	if c == nil {
		w.mu.Unlock()
		return notFound(fmt.Sprintf("Connector %s not found", name))
	}
	if c.state == "PAUSED" {
		w.mu.Unlock()
		return nil
	}
	c.state = "PAUSED"
	tasks := append([]*task(nil), c.tasks...)
	w.mu.Unlock()
	w.stopTasks(tasks)
	for _, t := range tasks {
		t.mu.Lock()
		t.state, t.trace = "PAUSED", ""
		t.mu.Unlock()
	}
	w.logger(clsWorker, connectorCtx(name)).info("Setting connector %s state to PAUSED", name)
	return nil
}

// resumeConnector starts a paused connector's tasks again (PUT
// /connectors/<name>/resume).
func (w *Worker) resumeConnector(name string) error {
	w.ops.Lock()
	defer w.ops.Unlock()
	w.mu.Lock()
	c := w.connectors[name]
	if c == nil {
		w.mu.Unlock()
		return notFound(fmt.Sprintf("Connector %s not found", name))
	}
	if c.state != "PAUSED" {
		w.mu.Unlock()
		return nil
	}
	c.state = "RUNNING"
	tasks := append([]*task(nil), c.tasks...)
	w.mu.Unlock()
	w.logger(clsWorker, connectorCtx(name)).info("Setting connector %s state to STARTED", name)
	for i, old := range tasks {
		t, err := w.startTask(c, old.id, old.config)
		if err != nil {
			old.setFailed(err)
			continue
		}
		w.mu.Lock()
		c.tasks[i] = t
		w.mu.Unlock()
	}
	return nil
}
