package tools

// org.apache.kafka.connect.cli.ConnectStandalone: Kafka Connect's standalone
// worker (package tools/connect), as bin/connect-standalone.sh runs it:
//
//	bin/gokafka org.apache.kafka.connect.cli.ConnectStandalone worker.properties connector1.properties [connector2.properties ...]
//
// It logs as Kafka's config/connect-log4j.properties does: INFO and above,
// "[%d] %p %X{connector.context}%m (%c)" (without log4j's :%L line
// number), to stdout and $LOG_DIR/connect.log. SIGINT/SIGTERM stop the
// worker cleanly; the exit code is then the JVM's 128+signal.

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"

	"gokafka/tools/connect"
)

func connectStandaloneCommand() *cli.Command {
	return toolCommand("org.apache.kafka.connect.cli.ConnectStandalone", runConnectStandalone)
}

func runConnectStandalone(ctx context.Context, env *toolEnv, args []string) int {
	lg, closeLogs := newConnectLogger(logDir(), env)
	defer closeLogs()
	return connect.Run(ctx, connect.Env{
		Stdin:     env.Stdin,
		Stdout:    env.Stdout,
		Logger:    lg,
		LoadProps: loadProperties,
		ClientOpts: func(props map[string]string) ([]kgo.Opt, error) {
			opts, err := clientOpts(props)
			if err != nil {
				return nil, err
			}
			gopts, err := groupOpts(props)
			if err != nil {
				return nil, err
			}
			return append(opts, gopts...), nil
		},
	}, args)
}

// newConnectLogger is connect-log4j.properties: the root logger at INFO to
// stdout and dir/connect.log. A log file that cannot be opened is reported
// on stderr and left out, as log4j does.
func newConnectLogger(dir string, env *toolEnv) (*zap.Logger, func()) {
	sinks := []zapcore.WriteSyncer{zapcore.Lock(zapcore.AddSync(env.Stdout))}
	var f *os.File
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintf(env.Stderr, "log4j:ERROR Could not create log directory %s: %v\n", dir, err)
	} else if f, err = os.OpenFile(filepath.Join(dir, "connect.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err != nil {
		fmt.Fprintf(env.Stderr, "log4j:ERROR setFile(%s,true) call failed: %v\n", filepath.Join(dir, "connect.log"), err)
		f = nil
	} else {
		sinks = append(sinks, zapcore.Lock(f))
	}
	lg := zap.New(zapcore.NewCore(newKafkaEncoder(), zapcore.NewMultiWriteSyncer(sinks...), envLevel(zapcore.InfoLevel)))
	return lg, func() {
		_ = lg.Sync()
		if f != nil {
			f.Close()
		}
	}
}
