package connect

// The worker's REST API, on listeners (default http://:8083, from the
// deprecated rest.host.name and rest.port), with Kafka's paths and JSON:
//
//	GET    /                                   {"version":...,"commit":...,"kafka_cluster_id":...}
//	GET    /connectors[?expand=status|info]    ["local-file-sink","local-file-source"]
//	POST   /connectors                         {"name":...,"config":{...}} → 201 connector info
//	GET    /connectors/<name>                  {"name":...,"config":{...},"tasks":[...],"type":"source"}
//	GET    /connectors/<name>/config           the connector's properties
//	PUT    /connectors/<name>/config           create (201) or replace (200)
//	GET    /connectors/<name>/status           connector and task states, worker ids
//	GET    /connectors/<name>/tasks            task ids and configs
//	GET    /connectors/<name>/tasks/<n>/status one task's state
//	DELETE /connectors/<name>                  204
//	PUT    /connectors/<name>/pause, /resume   202; tasks stopped / started, state PAUSED / RUNNING
//	POST   /connectors/<name>/restart          204
//	POST   /connectors/<name>/tasks/<n>/restart 204; a FAILED task runs again
//	GET    /connector-plugins                  [{"class":...,"type":"sink","version":"2.8.2"}, ...]
//
// Errors are {"error_code":404,"message":"Connector x not found"}.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

type restServer struct {
	w          *Worker
	log        klog
	listeners  []net.Listener
	srv        *http.Server
	advertised string // http://host:port/
	wg         sync.WaitGroup
}

// newRestServer binds every listener (RestServer.initializeServer); a port
// in use stops the worker before any connector starts, as in Kafka.
func newRestServer(w *Worker) (*restServer, error) {
	r := &restServer{w: w, log: w.logger(clsRest, "")}
	var firstHost string
	var firstPort int
	for _, l := range w.cfg.listeners {
		scheme, host, port, err := hostPort(l)
		if err != nil {
			return nil, err
		}
		if scheme != "http" {
			return nil, configErr(fmt.Sprintf("Listener protocol must be either \"http\" or \"https\", but %s was found. gokafka's worker serves http only.", scheme))
		}
		r.log.info("Added connector for %s", l)
		ln, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			r.closeListeners()
			return nil, &Error{Class: "org.apache.kafka.connect.errors.ConnectException",
				Msg: fmt.Sprintf("Unable to initialize REST server\nCaused by: java.io.IOException: Failed to bind to %s: %v", net.JoinHostPort(host, strconv.Itoa(port)), err)}
		}
		if len(r.listeners) == 0 {
			firstHost, firstPort = host, ln.Addr().(*net.TCPAddr).Port
		}
		r.listeners = append(r.listeners, ln)
	}
	r.log.info("Initializing REST server")
	host := firstHost
	if host == "" || host == "0.0.0.0" || host == "::" {
		if h, err := os.Hostname(); err == nil {
			host = h
		}
	}
	if w.cfg.advertisedHost != "" {
		host = w.cfg.advertisedHost
	}
	port := firstPort
	if w.cfg.advertisedPort != 0 {
		port = w.cfg.advertisedPort
	}
	r.advertised = "http://" + net.JoinHostPort(host, strconv.Itoa(port)) + "/"
	serverURL := "http://" + net.JoinHostPort(firstHost, strconv.Itoa(firstPort)) + "/"
	if firstHost == "" {
		serverURL = "http://" + net.JoinHostPort(host, strconv.Itoa(firstPort)) + "/"
	}
	r.log.info("REST server listening at %s, advertising URL %s", serverURL, r.advertised)
	r.srv = &http.Server{Handler: r, ReadHeaderTimeout: 30 * time.Second}
	return r, nil
}

// advertisedHostPort is the worker id shown in status answers.
func (r *restServer) advertisedHostPort() string {
	s := strings.TrimSuffix(strings.TrimPrefix(r.advertised, "http://"), "/")
	return s
}

func (r *restServer) closeListeners() {
	for _, ln := range r.listeners {
		ln.Close()
	}
}

func (r *restServer) start() {
	r.log.info("Initializing REST resources")
	for _, ln := range r.listeners {
		r.wg.Add(1)
		go func(ln net.Listener) {
			defer r.wg.Done()
			if err := r.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				r.log.error(err, "REST server failed")
			}
		}(ln)
	}
	r.log.info("REST resources initialized; server is started and ready to handle requests")
}

func (r *restServer) stop() {
	r.log.info("Stopping REST server")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = r.srv.Shutdown(ctx)
	r.closeListeners()
	r.wg.Wait()
	r.log.info("REST server stopped")
}

// JSON shapes, fields in Kafka's order.

type serverInfo struct {
	Version        string `json:"version"`
	Commit         string `json:"commit"`
	KafkaClusterID string `json:"kafka_cluster_id"`
}

type connectorInfo struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
	Tasks  []taskID          `json:"tasks"`
	Type   string            `json:"type"`
}

type connectorState struct {
	State    string `json:"state"`
	Trace    string `json:"trace,omitempty"`
	WorkerID string `json:"worker_id"`
}

type taskState struct {
	ID       int    `json:"id"`
	State    string `json:"state"`
	Trace    string `json:"trace,omitempty"`
	WorkerID string `json:"worker_id"`
}

type connectorStateInfo struct {
	Name      string         `json:"name"`
	Connector connectorState `json:"connector"`
	Tasks     []taskState    `json:"tasks"`
	Type      string         `json:"type"`
}

type taskInfo struct {
	ID     taskID            `json:"id"`
	Config map[string]string `json:"config"`
}

type pluginInfo struct {
	Class   string `json:"class"`
	Type    string `json:"type"`
	Version string `json:"version"`
}

type errorMessage struct {
	ErrorCode int    `json:"error_code"`
	Message   string `json:"message"`
}

type createRequest struct {
	Name   string            `json:"name"`
	Config map[string]string `json:"config"`
}

func (r *restServer) info(s *snapshot) connectorInfo {
	ci := connectorInfo{Name: s.name, Config: s.config, Tasks: []taskID{}, Type: s.typ}
	for _, t := range s.tasks {
		ci.Tasks = append(ci.Tasks, t.id)
	}
	return ci
}

func (r *restServer) status(s *snapshot) connectorStateInfo {
	st := connectorStateInfo{Name: s.name, Type: s.typ, Tasks: []taskState{},
		Connector: connectorState{State: s.state, Trace: s.trace, WorkerID: r.w.workerID}}
	for _, t := range s.tasks {
		st.Tasks = append(st.Tasks, taskState{ID: t.id.Task, State: t.state, Trace: t.trace, WorkerID: r.w.workerID})
	}
	return st
}

func writeJSON(rw http.ResponseWriter, status int, v any) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(status)
	if v != nil {
		_ = json.NewEncoder(rw).Encode(v)
	}
}

func writeError(rw http.ResponseWriter, err error) {
	var ce *Error
	if errors.As(err, &ce) {
		status := ce.Status
		if status == 0 {
			status = 500
		}
		writeJSON(rw, status, errorMessage{status, ce.Msg})
		return
	}
	writeJSON(rw, 500, errorMessage{500, err.Error()})
}

func (r *restServer) ServeHTTP(rw http.ResponseWriter, req *http.Request) {
	parts := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	if len(parts) == 1 && parts[0] == "" {
		parts = nil
	}
	notFoundPath := func() { writeJSON(rw, 404, errorMessage{404, "HTTP 404 Not Found"}) }
	methods := func(allowed ...string) bool {
		for _, m := range allowed {
			if req.Method == m {
				return true
			}
		}
		writeJSON(rw, 405, errorMessage{405, "HTTP 405 Method Not Allowed"})
		return false
	}
	switch {
	case len(parts) == 0:
		if methods("GET") {
			writeJSON(rw, 200, serverInfo{Version, "gokafka", r.w.clusterID})
		}
	case parts[0] == "connector-plugins" && len(parts) == 1:
		if methods("GET") {
			out := []pluginInfo{}
			for _, p := range plugins {
				out = append(out, pluginInfo{p.Class, p.Type, Version})
			}
			writeJSON(rw, 200, out)
		}
	case parts[0] == "connectors" && len(parts) == 1:
		if !methods("GET", "POST") {
			return
		}
		if req.Method == "POST" {
			r.create(rw, req)
			return
		}
		r.list(rw, req)
	case parts[0] == "connectors":
		r.connector(rw, req, parts[1:], methods, notFoundPath)
	default:
		notFoundPath()
	}
}

func (r *restServer) list(rw http.ResponseWriter, req *http.Request) {
	names := r.w.connectorNames()
	expand := req.URL.Query()["expand"]
	if len(expand) == 0 {
		writeJSON(rw, 200, names)
		return
	}
	out := map[string]map[string]any{}
	for _, n := range names {
		s, err := r.w.snapshot(n)
		if err != nil {
			continue
		}
		m := map[string]any{}
		for _, e := range expand {
			switch e {
			case "status":
				m["status"] = r.status(s)
			case "info":
				m["info"] = r.info(s)
			}
		}
		out[n] = m
	}
	writeJSON(rw, 200, out)
}

func (r *restServer) create(rw http.ResponseWriter, req *http.Request) {
	var cr createRequest
	if err := json.NewDecoder(req.Body).Decode(&cr); err != nil {
		writeJSON(rw, 400, errorMessage{400, "Request body is not valid JSON: " + err.Error()})
		return
	}
	if cr.Config == nil {
		cr.Config = map[string]string{}
	}
	if n, ok := cr.Config["name"]; ok && n != cr.Name {
		writeError(rw, badRequest(fmt.Sprintf("Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, cr.Name)))
		return
	}
	cr.Config["name"] = cr.Name
	if strings.TrimSpace(cr.Name) == "" {
		writeError(rw, badRequest("Connector name is null or empty"))
		return
	}
	if _, err := r.w.putConnectorConfig(cr.Name, cr.Config, false); err != nil {
		writeError(rw, err)
		return
	}
	s, err := r.w.snapshot(cr.Name)
	if err != nil {
		writeError(rw, err)
		return
	}
	rw.Header().Set("Location", "/connectors/"+cr.Name)
	writeJSON(rw, 201, r.info(s))
}

func (r *restServer) connector(rw http.ResponseWriter, req *http.Request, parts []string, methods func(...string) bool, notFoundPath func()) {
	name := parts[0]
	rest := parts[1:]
	switch {
	case len(rest) == 0:
		if !methods("GET", "DELETE") {
			return
		}
		if req.Method == "DELETE" {
			if err := r.w.deleteConnector(name); err != nil {
				writeError(rw, err)
				return
			}
			rw.WriteHeader(204)
			return
		}
		s, err := r.w.snapshot(name)
		if err != nil {
			writeError(rw, err)
			return
		}
		writeJSON(rw, 200, r.info(s))
	case len(rest) == 1 && rest[0] == "config":
		if !methods("GET", "PUT") {
			return
		}
		if req.Method == "PUT" {
			r.putConfig(rw, req, name)
			return
		}
		s, err := r.w.snapshot(name)
		if err != nil {
			writeError(rw, err)
			return
		}
		writeJSON(rw, 200, s.config)
	case len(rest) == 1 && (rest[0] == "pause" || rest[0] == "resume"):
		if !methods("PUT") {
			return
		}
		op := r.w.pauseConnector
		if rest[0] == "resume" {
			op = r.w.resumeConnector
		}
		if err := op(name); err != nil {
			writeError(rw, err)
			return
		}
		rw.WriteHeader(202)
	case len(rest) == 1 && rest[0] == "restart":
		// The file connectors' Connector objects hold nothing to
		// restart; only their tasks run.
		if !methods("POST") {
			return
		}
		if _, err := r.w.snapshot(name); err != nil {
			writeError(rw, err)
			return
		}
		rw.WriteHeader(204)
	case len(rest) == 3 && rest[0] == "tasks" && rest[2] == "restart":
		if !methods("POST") {
			return
		}
		n, err := strconv.Atoi(rest[1])
		if err != nil {
			writeError(rw, notFound(fmt.Sprintf("Task %s-%s not found", name, rest[1])))
			return
		}
		if err := r.w.restartTask(name, n); err != nil {
			writeError(rw, err)
			return
		}
		rw.WriteHeader(204)
	case len(rest) == 1 && rest[0] == "status":
		if !methods("GET") {
			return
		}
		s, err := r.w.snapshot(name)
		if err != nil {
			writeError(rw, err)
			return
		}
		writeJSON(rw, 200, r.status(s))
	case len(rest) == 1 && rest[0] == "tasks":
		if !methods("GET") {
			return
		}
		s, err := r.w.snapshot(name)
		if err != nil {
			writeError(rw, err)
			return
		}
		out := []taskInfo{}
		for _, t := range s.tasks {
			out = append(out, taskInfo{t.id, t.config})
		}
		writeJSON(rw, 200, out)
	case len(rest) == 3 && rest[0] == "tasks" && rest[2] == "status":
		if !methods("GET") {
			return
		}
		s, err := r.w.snapshot(name)
		if err != nil {
			writeError(rw, err)
			return
		}
		n, err := strconv.Atoi(rest[1])
		if err != nil || n < 0 || n >= len(s.tasks) {
			writeError(rw, notFound(fmt.Sprintf("No status found for task %s-%s", name, rest[1])))
			return
		}
		t := s.tasks[n]
		writeJSON(rw, 200, taskState{ID: n, State: t.state, Trace: t.trace, WorkerID: r.w.workerID})
	default:
		notFoundPath()
	}
}

func (r *restServer) putConfig(rw http.ResponseWriter, req *http.Request, name string) {
	var cfg map[string]string
	if err := json.NewDecoder(req.Body).Decode(&cfg); err != nil {
		writeJSON(rw, 400, errorMessage{400, "Request body is not valid JSON: " + err.Error()})
		return
	}
	if cfg == nil {
		cfg = map[string]string{}
	}
	if n, ok := cfg["name"]; ok && n != name {
		writeError(rw, badRequest(fmt.Sprintf("Connector name configuration (%s) doesn't match connector name in the URL (%s)", n, name)))
		return
	}
	cfg["name"] = name
	_, missing := r.w.snapshot(name)
	if _, err := r.w.putConnectorConfig(name, cfg, true); err != nil {
		writeError(rw, err)
		return
	}
	s, err := r.w.snapshot(name)
	if err != nil {
		writeError(rw, err)
		return
	}
	status := 200
	if missing != nil {
		status = 201
	}
	writeJSON(rw, status, r.info(s))
}
