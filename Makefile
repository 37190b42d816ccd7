# gokafka: `make` builds bin/gokafka; `make run` starts ZooKeeper and a broker;
# `make test` runs everything (vet, unit, integration, race, fuzz seeds).
# System packages (ZooKeeper, kcat, a JRE, ps, gcc for -race, and the
# Python Kafka clients of the interop tests) are installed when missing.

GO        ?= go
BIN       := bin/gokafka
PKG_RACE  := ./broker/... ./log/... ./zkcoord/...
# Per fuzz target: long for `make fuzz`, a short smoke run inside `make test`.
# The smoke run counts executions rather than seconds: a time-bounded run
# on a loaded machine can end with "context deadline exceeded" while a
# worker is still busy, failing without any input having failed.
FUZZTIME      ?= 30s
FUZZTIME_TEST ?= 5000x
BENCH     ?= .
BENCHTIME ?= 1s
# -count=1: integration tests talk to real processes, so never reuse a cached pass.
TESTFLAGS ?= -count=1

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c

.PHONY: all build deps run test test-short fuzz bench lint clean
.DEFAULT_GOAL := build

all: build

build:
	$(GO) build -o $(BIN) .

# deps installs only what is missing, so a machine that has everything never
# touches apt. As root apt-get runs directly, otherwise through sudo.
deps:
	@missing=""; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	dpkg -s zookeeper >/dev/null 2>&1 || missing="$$missing zookeeper"; \
	command -v kcat >/dev/null 2>&1 || dpkg -s kcat >/dev/null 2>&1 || missing="$$missing kcat"; \
	command -v ps >/dev/null 2>&1 || missing="$$missing procps"; \
	command -v gcc >/dev/null 2>&1 || missing="$$missing gcc libc6-dev"; \
	dpkg -s python3-kafka >/dev/null 2>&1 || missing="$$missing python3-kafka"; \
	dpkg -s python3-confluent-kafka >/dev/null 2>&1 || missing="$$missing python3-confluent-kafka"; \
	if [ -n "$$missing" ]; then \
		echo "Installing:$$missing"; \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo="sudo"; \
		$$sudo apt-get update; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# run: ZooKeeper (config/zookeeper.properties) in the background, in its own
# session so Ctrl-C reaches only the broker, waited for until it answers the
# "srvr" four-letter word with its Mode (its port opens before it serves, and
# a client connecting in between may hang in the handshake); the broker
# (config/server.properties) in the foreground. Ctrl-C makes the broker shut
# down in a controlled way, then ZooKeeper is stopped; a broker that fails to
# start stops ZooKeeper too and fails the target. A ZooKeeper already
# listening on port 2181 is used as it is.
run: deps build
	@mkdir -p logs; \
	zkpid=""; \
	port_open() { (exec 3<>/dev/tcp/127.0.0.1/2181) 2>/dev/null; }; \
	serving() { (exec 3<>/dev/tcp/127.0.0.1/2181 && printf srvr >&3 && grep -q '^Mode:' <&3) 2>/dev/null; }; \
	stop_zk() { if [ -n "$$zkpid" ]; then kill -TERM "$$zkpid" 2>/dev/null || true; wait "$$zkpid" 2>/dev/null || true; echo "ZooKeeper stopped."; fi; }; \
	trap stop_zk EXIT; \
	if port_open; then \
		echo "ZooKeeper is already listening on localhost:2181; using it."; \
	else \
		setsid bin/zookeeper-server-start.sh config/zookeeper.properties > logs/zookeeper.out 2>&1 & zkpid=$$!; \
		echo "Starting ZooKeeper (pid $$zkpid, log logs/zookeeper.out)..."; \
		for i in $$(seq 1 300); do \
			serving && break; \
			kill -0 "$$zkpid" 2>/dev/null || { echo "ZooKeeper failed to start:"; tail -20 logs/zookeeper.out; exit 1; }; \
			sleep 0.1; \
		done; \
		serving || { echo "ZooKeeper is not serving on port 2181 after 30s; see logs/zookeeper.out"; exit 1; }; \
	fi; \
	echo "Starting the broker (config/server.properties); Ctrl-C stops it and ZooKeeper."; \
	trap 'true' INT TERM; \
	bin/kafka-server-start.sh config/server.properties

# test: everything. Integration tests start real ZooKeeper and broker
# processes (the binary built here, via GOKAFKA_BIN).
test: deps build
	$(GO) vet ./...
	GOKAFKA_BIN=$(CURDIR)/$(BIN) $(GO) test -timeout 30m $(TESTFLAGS) ./...
	GOKAFKA_BIN=$(CURDIR)/$(BIN) $(GO) test -race -short -timeout 15m $(TESTFLAGS) $(PKG_RACE)
	@$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME_TEST)

# test-short: unit tests only (integration tests skip under -short).
test-short: build
	$(GO) vet ./...
	$(GO) test -short $(TESTFLAGS) ./...

# fuzz: each Fuzz target in turn for FUZZTIME (go test fuzzes one target per
# run). Their seed corpora also run as ordinary tests in `make test`.
fuzz:
	@targets=$$(grep -rlE --include='*_test.go' '^func Fuzz[A-Za-z0-9_]*\(' . | sort || true); \
	if [ -z "$$targets" ]; then echo "No fuzz targets."; exit 0; fi; \
	for f in $$targets; do \
		dir=$$(dirname "$$f"); \
		for fn in $$(grep -oE '^func Fuzz[A-Za-z0-9_]*' "$$f" | sed 's/^func //'); do \
			echo "fuzz $$dir $$fn ($(FUZZTIME))"; \
			$(GO) test -run '^$$' -fuzz "^$$fn\$$" -fuzztime $(FUZZTIME) "./$$dir"; \
		done; \
	done

bench: build
	GOKAFKA_BIN=$(CURDIR)/$(BIN) $(GO) test -run '^$$' -bench '$(BENCH)' -benchtime $(BENCHTIME) -benchmem ./...

lint:
	@out=$$(gofmt -l .); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -f $(BIN)
