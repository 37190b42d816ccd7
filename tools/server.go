package tools

// kafka.Kafka: the broker process, as Kafka's kafka.Kafka object starts it.
// bin/kafka-server-start.sh runs
//
//	bin/gokafka kafka.Kafka config/server.properties [--override property=value]*
//
// The " kafka.Kafka " in that command line is what kafka-server-stop.sh
// looks for. SIGTERM or SIGINT shut the broker down (controlled shutdown,
// deregistration, clean log close) and the process exits 0; a broker that
// cannot start exits 1 after logging why.

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/urfave/cli/v2"
	"go.uber.org/zap"

	"gokafka/broker"
)

// serverUsage is Kafka.scala's usage line (it names KafkaServer, the class
// whose startup it drives).
const serverUsage = "USAGE: java [options] KafkaServer server.properties [--override property=value]*"

func kafkaServerCommand() *cli.Command {
	return &cli.Command{
		Name:            "kafka.Kafka",
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			code := runServer(c.Args().Slice(), os.Stdout, os.Stderr)
			if code != 0 {
				return cli.Exit("", code)
			}
			return nil
		},
	}
}

// serverArgs is the parsed command line of kafka.Kafka.
type serverArgs struct {
	propsFile string
	overrides []string
	version   bool
}

// parseServerArgs follows Kafka.getPropsFromArgs: the properties file first,
// then jopt options (--override k=v, --override=k=v, --version). A usage
// problem returns the message to print before the option table.
func parseServerArgs(args []string) (serverArgs, string) {
	var a serverArgs
	if len(args) == 0 {
		return a, serverUsage
	}
	for _, s := range args {
		if s == "--help" {
			return a, serverUsage
		}
	}
	if args[0] == "--version" {
		a.version = true
		return a, ""
	}
	a.propsFile = args[0]
	var nonOptions []string
	for i := 1; i < len(args); i++ {
		s := args[i]
		switch {
		case s == "--override":
			if i+1 >= len(args) {
				return a, "Option override requires an argument"
			}
			i++
			a.overrides = append(a.overrides, args[i])
		case strings.HasPrefix(s, "--override="):
			a.overrides = append(a.overrides, strings.TrimPrefix(s, "--override="))
		case s == "--version":
			a.version = true
		case strings.HasPrefix(s, "--"):
			return a, fmt.Sprintf("%s is not a recognized option", strings.TrimPrefix(s, "--"))
		default:
			nonOptions = append(nonOptions, s)
		}
	}
	if len(nonOptions) > 0 {
		return a, "Found non argument parameters: " + strings.Join(nonOptions, ",")
	}
	for _, o := range a.overrides {
		if k, _, ok := strings.Cut(o, "="); !ok || k == "" {
			return a, "Invalid command line properties: " + strings.Join(a.overrides, " ")
		}
	}
	return a, ""
}

func printServerUsage(w io.Writer, msg string) {
	fmt.Fprintln(w, msg)
	fmt.Fprint(w, `Option               Description                           
------               -----------                           
--override <String>  Optional property that should override
                       values set in server.properties file
--version            Print version information and exit.  
`)
}

// runServer is the body of kafka.Kafka; it returns the exit code.
func runServer(args []string, stdout, stderr io.Writer) int {
	a, usage := parseServerArgs(args)
	if usage != "" {
		printServerUsage(stderr, usage)
		return 1
	}
	if a.version {
		fmt.Fprintf(stdout, "%s (Commit:gokafka)\n", kafkaVersion)
		return 0
	}

	lg, logs := newBrokerLogger(logDir(), stdout)
	defer func() { _ = lg.Sync(); _ = logs.Close() }()
	kafkaLog := lg.Named("kafka.Kafka$")
	fatal := func(msg string, err error) int {
		// DPanic is printed as FATAL (log4jLevel); it does not panic in
		// a production logger.
		kafkaLog.DPanic(msg, zap.Error(err))
		return 1
	}

	cfg, warnings, err := broker.LoadConfig(a.propsFile, a.overrides)
	if err != nil {
		return fatal("Exiting Kafka due to fatal exception", err)
	}
	cfgLog := lg.Named("kafka.server.KafkaConfig")
	cfgLog.Info(configValuesText(cfg))
	for _, w := range warnings {
		cfgLog.Warn(w)
	}

	b, err := newBroker(cfg, lg)
	if err != nil {
		return fatal("Exiting Kafka due to fatal exception", err)
	}

	// Signals are caught before Start so a SIGTERM during startup still
	// shuts down cleanly (Kafka registers its shutdown hook first, too).
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	defer signal.Stop(sigs)

	if err := b.Start(); err != nil {
		// Start cleans up after itself (KafkaServer.startup calls shutdown)
		// and has already logged err after "Fatal error during KafkaServer
		// startup. Prepare to shutdown"; Kafka.main then logs only this.
		kafkaLog.DPanic("Exiting Kafka.")
		return 1
	}
	done := make(chan struct{})
	go func() { b.Wait(); close(done) }()
	select {
	case <-sigs:
		b.Shutdown()
		<-done
	case <-done:
	}
	return 0
}

// configValuesText is AbstractConfig.logAll's "KafkaConfig values:" block.
func configValuesText(cfg *broker.Config) string {
	var sb strings.Builder
	sb.WriteString("KafkaConfig values: ")
	for _, kv := range cfg.Values() {
		fmt.Fprintf(&sb, "\n\t%s = %s", kv[0], kv[1])
	}
	return sb.String()
}

// brokerProcess is what kafka.Kafka needs of the broker (DESIGN.md:
// New/Start/Shutdown/Wait).
type brokerProcess interface {
	Start() error
	Shutdown()
	Wait()
}

// newBroker builds the broker; a variable so tests of kafka.Kafka's command
// line and exit codes can substitute a stand-in.
var newBroker = func(cfg *broker.Config, lg *zap.Logger) (brokerProcess, error) {
	b, err := broker.New(cfg, lg)
	if err != nil {
		return nil, err // not a typed-nil interface
	}
	return b, nil
}
