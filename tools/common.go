package tools

// Helpers shared by the client-side tools: a jopt-simple style option parser
// and its usage table, Kafka's "print usage and die" conventions, host:port
// validation, Java properties files and the mapping of Java client
// properties onto franz-go options.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/magiconair/properties"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/urfave/cli/v2"
)

// kafkaVersion is what --version prints (Kafka's AppInfoParser version).
const kafkaVersion = "2.8.2"

// toolEnv is the outside world of one tool run; tests substitute buffers.
type toolEnv struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Console reports whether stdin and stdout are both terminals, Java's
	// System.console() != null.
	Console bool
}

// osEnv is the environment of a real process.
func osEnv() *toolEnv {
	return &toolEnv{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Console: isTerminal(os.Stdin) && isTerminal(os.Stdout)}
}

// isTerminal reports whether f is a character device (a tty), which is the
// part of Java's System.console() test that matters here.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// toolFunc runs one tool and returns its process exit code.
type toolFunc func(ctx context.Context, env *toolEnv, args []string) int

// toolCommand wraps a tool as a urfave/cli command. Kafka's tools parse
// their own options (jopt-simple), so urfave/cli is told to leave the
// arguments alone. SIGINT/SIGTERM cancel the context: tools that run until
// interrupted (the console consumer) print their summary then.
func toolCommand(class string, run toolFunc) *cli.Command {
	return &cli.Command{
		Name:            class,
		SkipFlagParsing: true,
		HideHelp:        true,
		Action: func(c *cli.Context) error {
			ctx, cancel := context.WithCancel(c.Context)
			defer cancel()
			sigs := make(chan os.Signal, 1)
			signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
			defer signal.Stop(sigs)
			var got atomic.Int32
			go func() {
				select {
				case s := <-sigs:
					got.Store(int32(s.(syscall.Signal)))
					cancel()
				case <-ctx.Done():
				}
			}()
			code := run(ctx, osEnv(), c.Args().Slice())
			if s := got.Load(); s != 0 {
				// A JVM ended by a signal exits 128+signal after its
				// shutdown hooks ran (130 for Ctrl-C, 143 for SIGTERM).
				code = 128 + int(s)
			}
			if code != 0 {
				return cli.Exit("", code)
			}
			return nil
		},
	}
}

// ---------------------------------------------------------------------------
// Options, jopt-simple style.

// option is one accepted long option, as jopt-simple's OptionSpec.
type option struct {
	name        string
	desc        string
	hasArg      bool   // takes an argument
	optionalArg bool   // the argument may be left out (--compression-codec)
	argType     string // "String", "Integer", "Long", "Double" (jopt's ofType)
	argDesc     string // jopt's describedAs
	def         string // default value, "" = none
	hasDef      bool
	required    bool // jopt's required(): marked "*" in the usage table
	// requiredUnless: jopt's requiredUnless; parse fails with "Missing
	// required option(s) [name]" when neither this nor any of these is
	// given (unless --help is).
	requiredUnless []string
}

// withDefault sets the option's default, shown as "(default: v)".
func (o *option) withDefault(v string) *option { o.def, o.hasDef = v, true; return o }

// optionalValue makes the argument optional.
func (o *option) optionalValue() *option { o.optionalArg = true; return o }

// requiredUnlessAny makes the option required unless one of others is given.
func (o *option) requiredUnlessAny(others ...string) *option { o.requiredUnless = others; return o }

// markRequired marks the option as required in the usage table.
func (o *option) markRequired() *option { o.required = true; return o }

// optionParser is a set of accepted options. Build it with flag and arg,
// then parse.
type optionParser struct {
	opts   []*option
	byName map[string]*option
}

func newOptionParser() *optionParser {
	p := &optionParser{byName: map[string]*option{}}
	// CommandDefaultOptions: every 2.x tool accepts these two.
	p.flag("help", "Print usage information.")
	p.flag("version", "Display Kafka version.")
	return p
}

// flag declares an option without argument.
func (p *optionParser) flag(name, desc string) *option {
	o := &option{name: name, desc: desc}
	p.add(o)
	return o
}

// arg declares an option with an argument of type typ ("String", "Integer",
// "Long", "Double"), described in the usage table as argDesc.
func (p *optionParser) arg(name, desc, typ, argDesc string) *option {
	o := &option{name: name, desc: desc, hasArg: true, argType: typ, argDesc: argDesc}
	p.add(o)
	return o
}

func (p *optionParser) add(o *option) {
	if _, dup := p.byName[o.name]; dup {
		panic("tools: option declared twice: " + o.name)
	}
	p.opts = append(p.opts, o)
	p.byName[o.name] = o
}

// optionError is a parse failure with jopt-simple's message.
type optionError struct{ msg string }

func (e *optionError) Error() string { return e.msg }

// lookup finds an option by its exact name. Kafka 2.x builds its parsers
// with abbreviations off (CommandDefaultOptions' allowCommandOptionAbbreviation
// = false), so "--from-beg" is not --from-beginning.
func (p *optionParser) lookup(name string) (*option, error) {
	if o, ok := p.byName[name]; ok {
		return o, nil
	}
	return nil, &optionError{name + " is not a recognized option"}
}

// optionSet is the result of parse, as jopt-simple's OptionSet.
type optionSet struct {
	p          *optionParser
	vals       map[string][]string
	seen       map[string]bool
	nonOptions []string
	args       []string
	order      []string // option names in command-line order, repeats kept
}

// parse reads args: "--name value", "--name=value", flags, "--" ending the
// options; anything else is a non-option argument.
func (p *optionParser) parse(args []string) (*optionSet, error) {
	s := &optionSet{p: p, vals: map[string][]string{}, seen: map[string]bool{}, args: args}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			s.nonOptions = append(s.nonOptions, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			s.nonOptions = append(s.nonOptions, a)
			continue
		}
		name := strings.TrimLeft(a, "-")
		val, hasVal := "", false
		if k, v, ok := strings.Cut(name, "="); ok {
			name, val, hasVal = k, v, true
		}
		o, err := p.lookup(name)
		if err != nil {
			return nil, err
		}
		s.seen[o.name] = true
		s.order = append(s.order, o.name)
		switch {
		case !o.hasArg:
			if hasVal {
				return nil, &optionError{fmt.Sprintf("Option %s does not take an argument", o.name)}
			}
		case hasVal:
			s.vals[o.name] = append(s.vals[o.name], val)
		case o.optionalArg:
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
				s.vals[o.name] = append(s.vals[o.name], args[i])
			}
		default:
			if i+1 >= len(args) {
				return nil, &optionError{fmt.Sprintf("Option %s requires an argument", o.name)}
			}
			i++
			s.vals[o.name] = append(s.vals[o.name], args[i])
		}
		if hasVal || (o.hasArg && len(s.vals[o.name]) > 0) {
			if err := checkType(o, s.vals[o.name][len(s.vals[o.name])-1]); err != nil {
				return nil, err
			}
		}
	}
	if !s.seen["help"] {
		var missing []string
		for _, o := range p.opts {
			if len(o.requiredUnless) == 0 || s.seen[o.name] {
				continue
			}
			given := false
			for _, other := range o.requiredUnless {
				given = given || s.seen[other]
			}
			if !given {
				missing = append(missing, o.name)
			}
		}
		if len(missing) > 0 {
			return nil, &optionError{"Missing required option(s) [" + strings.Join(missing, ", ") + "]"}
		}
	}
	return s, nil
}

func checkType(o *option, v string) error {
	var err error
	switch o.argType {
	case "Integer":
		_, err = strconv.ParseInt(v, 10, 32)
	case "Long":
		_, err = strconv.ParseInt(v, 10, 64)
	case "Double":
		_, err = strconv.ParseFloat(v, 64)
	}
	if err != nil {
		return &optionError{fmt.Sprintf("Cannot parse argument '%s' of option %s", v, o.name)}
	}
	return nil
}

// has reports whether the option was given.
func (s *optionSet) has(name string) bool {
	s.mustKnow(name)
	return s.seen[name]
}

// value returns the last value given for name, else its default, else "".
func (s *optionSet) value(name string) string {
	o := s.mustKnow(name)
	if v := s.vals[name]; len(v) > 0 {
		return v[0] // jopt's valueOf: the one value (Kafka takes the first)
	}
	return o.def
}

// values returns every value given for a repeatable option.
func (s *optionSet) values(name string) []string {
	s.mustKnow(name)
	return s.vals[name]
}

// intValue and int64Value return a numeric option; parse already checked it.
func (s *optionSet) intValue(name string) int {
	n, _ := strconv.Atoi(s.value(name))
	return n
}

func (s *optionSet) int64Value(name string) int64 {
	n, _ := strconv.ParseInt(s.value(name), 10, 64)
	return n
}

func (s *optionSet) mustKnow(name string) *option {
	o, ok := s.p.byName[name]
	if !ok {
		panic("tools: unknown option " + name)
	}
	return o
}

// ---------------------------------------------------------------------------
// Usage, "die" and the default options.

// usageAndDie prints msg and the option table to stderr, as Kafka's
// CommandLineUtils.printUsageAndDie, and returns exit code 1.
func (p *optionParser) usageAndDie(env *toolEnv, msg string) int {
	fmt.Fprintln(env.Stderr, msg)
	p.printHelp(env.Stderr)
	return 1
}

// checkRequired is CommandLineUtils.checkRequiredArgs: the first missing
// option dies with `Missing required argument "[name]"`.
func (p *optionParser) checkRequired(env *toolEnv, s *optionSet, names ...string) (int, bool) {
	for _, n := range names {
		if !s.has(n) {
			return p.usageAndDie(env, fmt.Sprintf("Missing required argument \"[%s]\"", n)), false
		}
	}
	return 0, true
}

// parseStandard parses args and applies the conventions of Kafka's
// CommandDefaultOptions tools: a parse error, no arguments or --help print
// the usage and exit 1; --version prints the version and exits 0. ok is
// false when the tool must exit with code.
func (p *optionParser) parseStandard(env *toolEnv, args []string, description string) (s *optionSet, code int, ok bool) {
	s, err := p.parse(args)
	if err != nil {
		return nil, p.usageAndDie(env, err.Error()), false
	}
	if len(args) == 0 || s.has("help") {
		return nil, p.usageAndDie(env, description), false
	}
	if s.has("version") {
		fmt.Fprintf(env.Stdout, "%s (Commit:gokafka)\n", kafkaVersion)
		return nil, 0, false
	}
	return s, 0, true
}

// Column layout of jopt-simple's BuiltinHelpFormatter at its default 80
// columns: option column 40 wide, one space, description column 39 wide;
// continuation lines are indented by two spaces.
const (
	helpOptWidth  = 40
	helpDescWidth = 39
)

// printHelp writes the option table in jopt-simple's layout, options sorted
// by name.
func (p *optionParser) printHelp(w io.Writer) {
	opts := append([]*option(nil), p.opts...)
	sort.Slice(opts, func(i, j int) bool { return opts[i].name < opts[j].name })
	row := func(left, right []string) {
		for i := 0; i < len(left) || i < len(right); i++ {
			l, r := "", ""
			if i < len(left) {
				l = left[i]
			}
			if i < len(right) {
				r = right[i]
			}
			fmt.Fprintf(w, "%-*s %-*s\n", helpOptWidth, l, helpDescWidth, r)
		}
	}
	row([]string{"Option"}, []string{"Description"})
	row([]string{"------"}, []string{"-----------"})
	for _, o := range opts {
		left := "--" + o.name
		if o.required {
			left = "* " + left
		}
		if o.hasArg {
			inner := o.argType
			if o.argDesc != "" {
				inner += ": " + o.argDesc
			}
			if o.optionalArg {
				left += " [" + inner + "]"
			} else {
				left += " <" + inner + ">"
			}
		}
		desc := o.desc
		if o.hasDef {
			d := "(default: " + o.def + ")"
			if desc != "" {
				desc += " " + d
			} else {
				desc = d
			}
		}
		// jopt-simple fills a column only while a line stays shorter than
		// the column ("--max-block-ms <Long: max block on" / "  send>").
		row(wrapText(left, helpOptWidth-1), wrapText(desc, helpDescWidth-1))
	}
}

// wrapText breaks s into lines of at most width characters, lines after
// the first indented by two spaces, as jopt-simple does with Java's line
// BreakIterator: breaks at spaces, after a hyphen inside a word
// ("non-|negative") and before an opening parenthesis; a piece longer than
// a line is cut. Explicit newlines in s are kept.
func wrapText(s string, width int) []string {
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		if len(out) > 0 {
			line = "  "
		}
		empty := func() bool { return strings.TrimSpace(line) == "" }
		for _, word := range strings.Fields(para) {
			for k, seg := range wordSegments(word) {
				sep := " "
				if empty() || k > 0 {
					sep = ""
				}
				for {
					if len(line)+len(sep)+len(seg) <= width {
						line += sep + seg
						break
					}
					if !empty() {
						out = append(out, line)
						line, sep = "  ", ""
						continue
					}
					room := width - len(line)
					line += seg[:room]
					seg = seg[room:]
					out = append(out, line)
					line = "  "
				}
			}
		}
		out = append(out, line)
	}
	return out
}

// wordSegments splits a word at the places Java's line BreakIterator may
// break inside it.
func wordSegments(w string) []string {
	isLetter := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
	var segs []string
	start := 0
	for i := 1; i < len(w); i++ {
		switch {
		case w[i-1] == '-' && i >= 2 && isLetter(w[i-2]) && isLetter(w[i]):
			segs = append(segs, w[start:i])
			start = i
		case w[i] == '(' && w[i-1] != '(':
			segs = append(segs, w[start:i])
			start = i
		}
	}
	return append(segs, w[start:])
}

// ---------------------------------------------------------------------------
// Values.

// hostPortPattern is the test of Kafka's Utils.getPort: something, a colon,
// digits.
var hostPortPattern = regexp.MustCompile(`^.*?\[?([0-9a-zA-Z\-%._:]*)\]?:([0-9]+)$`)

// validHostPorts is ToolsUtils.validatePortOrDie's test of a
// "host1:9091,host2:9092" list.
func validHostPorts(list string) bool {
	if list == "" {
		return false
	}
	for _, hp := range strings.Split(list, ",") {
		if !hostPortPattern.MatchString(hp) {
			return false
		}
	}
	return true
}

// hostPortMessage is printed (then the usage) when validHostPorts fails.
const hostPortMessage = "Please provide valid host:port like host1:9091,host2:9092\n "

// parseKeyValues is CommandLineUtils.parseKeyValueArgs: "k=v" pairs, split
// at the first '='; a key without a value maps to "".
func parseKeyValues(args []string) map[string]string {
	m := map[string]string{}
	for _, a := range args {
		if a == "" {
			continue
		}
		k, v, _ := strings.Cut(a, "=")
		m[k] = v
	}
	return m
}

// loadProperties reads a Java .properties file (Utils.loadProps). Property
// expansion is off: Java does not expand ${...}.
func loadProperties(path string) (map[string]string, error) {
	l := &properties.Loader{Encoding: properties.ISO_8859_1, DisableExpansion: true}
	p, err := l.LoadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("%s (No such file or directory)", path)
		}
		return nil, err
	}
	return p.Map(), nil
}

// noSuchFile renders a loadProperties failure as the exception Java's
// Utils.loadProps (Files.newInputStream) throws.
func noSuchFile(err error) string {
	return "java.nio.file.NoSuchFileException: " + strings.TrimSuffix(err.Error(), " (No such file or directory)")
}

// mergeProps returns a new map with the entries of each map in turn, later
// maps winning.
func mergeProps(ms ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, m := range ms {
		for k, v := range m {
			out[k] = v
		}
	}
	return out
}

// splitServers turns a bootstrap.servers list into seed addresses.
func splitServers(list string) []string {
	var out []string
	for _, s := range strings.Split(list, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// ---------------------------------------------------------------------------
// Java client properties → franz-go.

// clientOpts maps the Java client properties the tools meet in practice
// (from --producer-property, --consumer.config, --command-config, ...) to
// franz-go options. Properties that have no franz-go counterpart (buffer
// sizes, serializers) are accepted and ignored, as a Java client ignores a
// setting that does not apply to it; an invalid value of a known key is an
// error, as it is a ConfigException in Java.
func clientOpts(props map[string]string) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	ms := func(k string) (time.Duration, bool, error) {
		v, ok := props[k]
		if !ok {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, false, fmt.Errorf("Invalid value %s for configuration %s: Not a number of type LONG", v, k)
		}
		return time.Duration(n) * time.Millisecond, true, nil
	}
	num := func(k string) (int64, bool, error) {
		v, ok := props[k]
		if !ok {
			return 0, false, nil
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return 0, false, fmt.Errorf("Invalid value %s for configuration %s: Not a number of type INT", v, k)
		}
		return n, true, nil
	}
	if v := props["bootstrap.servers"]; v != "" {
		opts = append(opts, kgo.SeedBrokers(splitServers(v)...))
	}
	if v, ok := props["client.id"]; ok {
		opts = append(opts, kgo.ClientID(v))
	}
	// Producer.
	idempotent := strings.EqualFold(strings.TrimSpace(props["enable.idempotence"]), "true")
	switch acks := strings.TrimSpace(props["acks"]); acks {
	case "all", "-1":
		opts = append(opts, kgo.RequiredAcks(kgo.AllISRAcks()))
	case "0":
		opts = append(opts, kgo.RequiredAcks(kgo.NoAck()))
	case "1", "":
		opts = append(opts, kgo.RequiredAcks(kgo.LeaderAck()))
	default:
		return nil, fmt.Errorf("Invalid value %s for configuration acks: String must be one of: all, -1, 0, 1", acks)
	}
	if acks := strings.TrimSpace(props["acks"]); idempotent && acks != "all" && acks != "-1" {
		// Java's ProducerConfig check (2.x: acks defaults to 1).
		return nil, fmt.Errorf("Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.")
	}
	if !idempotent {
		// Java clients of the 2.x era are not idempotent unless told so;
		// franz-go is, and idempotence needs acks=all.
		opts = append(opts, kgo.DisableIdempotentWrite())
	}
	// Java's producer compresses nothing unless told (compression.type
	// defaults to none); franz-go's default is snappy.
	codec := "none"
	if v, ok := props["compression.type"]; ok {
		codec = v
	}
	c, err := compressionCodec(codec)
	if err != nil {
		return nil, err
	}
	opts = append(opts, kgo.ProducerBatchCompression(c))
	if d, ok, err := ms("linger.ms"); err != nil {
		return nil, err
	} else if ok {
		opts = append(opts, kgo.ProducerLinger(d))
	}
	// batch.size is only Java's target batch size (a larger record still
	// goes out alone); franz-go has no such knob, and its batch maximum
	// also caps record size, so it takes max.request.size (Java's cap on a
	// serialized record) instead.
	if _, _, err := num("batch.size"); err != nil {
		return nil, err
	}
	if n, ok, err := num("max.request.size"); err != nil {
		return nil, err
	} else if ok && n > 0 {
		opts = append(opts, kgo.ProducerBatchMaxBytes(int32(n)))
	} else {
		opts = append(opts, kgo.ProducerBatchMaxBytes(1048576)) // Java's default
	}
	if n, ok, err := num("retries"); err != nil {
		return nil, err
	} else if ok {
		opts = append(opts, kgo.RecordRetries(int(n)))
	}
	if d, ok, err := ms("retry.backoff.ms"); err != nil {
		return nil, err
	} else if ok {
		opts = append(opts, kgo.RetryBackoffFn(func(int) time.Duration { return d }))
	}
	if d, ok, err := ms("request.timeout.ms"); err != nil {
		return nil, err
	} else if ok && d > 0 {
		opts = append(opts, kgo.ProduceRequestTimeout(d))
	}
	if d, ok, err := ms("delivery.timeout.ms"); err != nil {
		return nil, err
	} else if ok && d > 0 {
		opts = append(opts, kgo.RecordDeliveryTimeout(d))
	}
	if d, ok, err := ms("metadata.max.age.ms"); err != nil {
		return nil, err
	} else if ok && d > 0 {
		opts = append(opts, kgo.MetadataMaxAge(d))
	}
	if n, ok, err := num("buffer.memory"); err != nil {
		return nil, err
	} else if ok && n > 0 {
		opts = append(opts, kgo.MaxBufferedBytes(int(n)))
	}
	if n, ok, err := num("max.in.flight.requests.per.connection"); err != nil {
		return nil, err
	} else if ok && n > 0 && !idempotent {
		opts = append(opts, kgo.MaxProduceRequestsInflightPerBroker(int(n)))
	}
	if v := props["transactional.id"]; v != "" {
		opts = append(opts, kgo.TransactionalID(v))
	}
	// Consumer.
	if n, ok, err := num("fetch.max.bytes"); err != nil {
		return nil, err
	} else if ok && n > 0 {
		opts = append(opts, kgo.FetchMaxBytes(int32(n)))
	}
	if n, ok, err := num("max.partition.fetch.bytes"); err != nil {
		return nil, err
	} else if ok && n > 0 {
		opts = append(opts, kgo.FetchMaxPartitionBytes(int32(n)))
	}
	if n, ok, err := num("fetch.min.bytes"); err != nil {
		return nil, err
	} else if ok && n > 0 {
		opts = append(opts, kgo.FetchMinBytes(int32(n)))
	}
	if d, ok, err := ms("fetch.max.wait.ms"); err != nil {
		return nil, err
	} else if ok && d > 0 {
		opts = append(opts, kgo.FetchMaxWait(d))
	}
	switch v := strings.TrimSpace(props["isolation.level"]); v {
	case "", "read_uncommitted":
	case "read_committed":
		opts = append(opts, kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	default:
		return nil, fmt.Errorf("Invalid value %s for configuration isolation.level: String must be one of (case sensitive): read_uncommitted, read_committed", v)
	}
	return opts, nil
}

// groupOpts maps the consumer-group properties (group.id is handled by the
// caller): session and rebalance timeouts, heartbeats, auto-commit.
func groupOpts(props map[string]string) ([]kgo.Opt, error) {
	var opts []kgo.Opt
	for _, kv := range []struct {
		key string
		fn  func(time.Duration) kgo.GroupOpt
	}{
		{"session.timeout.ms", kgo.SessionTimeout},
		{"max.poll.interval.ms", kgo.RebalanceTimeout},
		{"heartbeat.interval.ms", kgo.HeartbeatInterval},
		{"auto.commit.interval.ms", kgo.AutoCommitInterval},
	} {
		if v, ok := props[kv.key]; ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return nil, fmt.Errorf("Invalid value %s for configuration %s: Not a number of type INT", v, kv.key)
			}
			opts = append(opts, kv.fn(time.Duration(n)*time.Millisecond))
		}
	}
	if v, ok := props["group.instance.id"]; ok && v != "" {
		opts = append(opts, kgo.InstanceID(v))
	}
	if strings.EqualFold(strings.TrimSpace(props["enable.auto.commit"]), "false") {
		opts = append(opts, kgo.DisableAutoCommit())
	}
	return opts, nil
}

// resetOffset maps auto.offset.reset; ok is false for an invalid value.
func resetOffset(v string) (kgo.Offset, bool) {
	switch strings.TrimSpace(v) {
	case "", "latest":
		return kgo.NewOffset().AtEnd(), true
	case "earliest":
		return kgo.NewOffset().AtStart(), true
	case "none":
		// Java throws NoOffsetForPartitionException; franz-go has no
		// exact counterpart, the closest is to start at the end.
		return kgo.NewOffset().AtEnd(), true
	}
	return kgo.Offset{}, false
}

// compressionCodec maps a compression.type value.
func compressionCodec(v string) (kgo.CompressionCodec, error) {
	switch strings.TrimSpace(v) {
	case "none", "":
		return kgo.NoCompression(), nil
	case "gzip":
		return kgo.GzipCompression(), nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		return kgo.Lz4Compression(), nil
	case "zstd":
		return kgo.ZstdCompression(), nil
	}
	return kgo.CompressionCodec{}, fmt.Errorf("Invalid value %s for configuration compression.type: String must be one of: none, gzip, snappy, lz4, zstd", v)
}

// ---------------------------------------------------------------------------
// Logging.

// logLine prints one log line through the tools' zap logger (logging.go),
// in the pattern of Kafka's config/tools-log4j.properties, "[%d] %p %m
// (%c)%n", to w (the tools log to stderr at WARN and above).
func logLine(w io.Writer, level, msg, logger string) {
	lg := newToolLogger(w).Named(logger)
	switch level {
	case "ERROR":
		lg.Error(msg)
	default:
		lg.Warn(msg)
	}
}

// ---------------------------------------------------------------------------
// Java-style error rendering.

// javaErrorName is the Java exception's simple class name for a Kafka
// error ("GroupIdNotFoundException").
func javaErrorName(err error) string {
	var ke *kerr.Error
	if !errors.As(err, &ke) {
		if errors.Is(err, context.DeadlineExceeded) {
			return "TimeoutException"
		}
		return ""
	}
	if name, ok := irregularJavaErrors[ke.Code]; ok {
		return name
	}
	var sb strings.Builder
	for _, w := range strings.Split(strings.ToLower(ke.Message), "_") {
		if w != "" {
			sb.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	sb.WriteString("Exception")
	return sb.String()
}

// irregularJavaErrors lists the codes whose exception class is not the
// CamelCased error name plus "Exception" (Kafka's Errors.java).
var irregularJavaErrors = map[int16]string{
	kerr.UnknownServerError.Code:                 "UnknownServerException",
	kerr.CorruptMessage.Code:                     "CorruptRecordException",
	kerr.RequestTimedOut.Code:                    "TimeoutException",
	kerr.MessageTooLarge.Code:                    "RecordTooLargeException",
	kerr.StaleControllerEpoch.Code:               "ControllerMovedException",
	kerr.OffsetMetadataTooLarge.Code:             "OffsetMetadataTooLarge",
	kerr.InvalidTopicException.Code:              "InvalidTopicException",
	kerr.RecordListTooLarge.Code:                 "RecordBatchTooLargeException",
	kerr.TopicAuthorizationFailed.Code:           "TopicAuthorizationException",
	kerr.GroupAuthorizationFailed.Code:           "GroupAuthorizationException",
	kerr.ClusterAuthorizationFailed.Code:         "ClusterAuthorizationException",
	kerr.TopicAlreadyExists.Code:                 "TopicExistsException",
	kerr.InvalidConfig.Code:                      "InvalidConfigurationException",
	kerr.OutOfOrderSequenceNumber.Code:           "OutOfOrderSequenceException",
	kerr.DuplicateSequenceNumber.Code:            "DuplicateSequenceException",
	kerr.InvalidProducerIDMapping.Code:           "InvalidPidMappingException",
	kerr.InvalidTransactionTimeout.Code:          "InvalidTxnTimeoutException",
	kerr.TransactionalIDAuthorizationFailed.Code: "TransactionalIdAuthorizationException",
	kerr.KafkaStorageError.Code:                  "KafkaStorageException",
	kerr.DelegationTokenAuthDisabled.Code:        "DelegationTokenDisabledException",
	kerr.DelegationTokenRequestNotAllowed.Code:   "UnsupportedByAuthenticationException",
	kerr.NonEmptyGroup.Code:                      "GroupNotEmptyException",
	kerr.GroupIDNotFound.Code:                    "GroupIdNotFoundException",
	kerr.InvalidGroupID.Code:                     "InvalidGroupIdException",
}

// brokerError is a Kafka error code with the broker's own message.
type brokerError struct {
	err *kerr.Error
	msg string
}

func (e *brokerError) Error() string { return e.err.Message + ": " + e.msg }
func (e *brokerError) Unwrap() error { return e.err }

// withMessage attaches a response's error message to a Kafka error.
func withMessage(err error, msg *string) error {
	var ke *kerr.Error
	if msg == nil || *msg == "" || !errors.As(err, &ke) {
		return err
	}
	return &brokerError{ke, *msg}
}

// isUnsupportedVersion reports franz-go's "broker is too old" failure, an
// UnsupportedVersionException in Java.
func isUnsupportedVersion(err error) bool {
	return err != nil && strings.Contains(err.Error(), "broker is too old")
}

// javaErrorMessage is what Throwable.getMessage shows for err.
func javaErrorMessage(err error) string {
	if isUnsupportedVersion(err) {
		return "org.apache.kafka.common.errors.UnsupportedVersionException: The broker does not support the request"
	}
	var be *brokerError
	if errors.As(err, &be) {
		return "org.apache.kafka.common.errors." + javaErrorName(be.err) + ": " + be.msg
	}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		return "org.apache.kafka.common.errors." + javaErrorName(err) + ": " + ke.Description
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "org.apache.kafka.common.errors.TimeoutException: Timed out waiting for a node assignment."
	}
	return err.Error()
}

// javaException is Throwable.toString for err.
func javaException(err error) string {
	var ke *kerr.Error
	if errors.As(err, &ke) || errors.Is(err, context.DeadlineExceeded) {
		return javaErrorMessage(err)
	}
	var gf *groupCmdFailure
	if errors.As(err, &gf) {
		if gf.illegalArg {
			return "java.lang.IllegalArgumentException: " + gf.msg
		}
		return "org.apache.kafka.common.KafkaException: " + gf.msg
	}
	var be *brokerError
	if errors.As(err, &be) {
		return javaErrorMessage(err)
	}
	return "org.apache.kafka.common.KafkaException: " + err.Error()
}
