package tools

// Helpers shared by the partition admin tools (kafka-reassign-partitions,
// kafka-leader-election, kafka-preferred-replica-election): the Java
// exceptions they throw, how the JVM prints one that escapes main, and
// Kafka's JSON reading (kafka.utils.Json on Jackson) with its error wording.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kerr"
)

// Java exception classes these tools throw.
const (
	clsAdminCommandFailed = "kafka.common.AdminCommandFailedException"
	clsAdminOperation     = "kafka.admin.AdminOperationException"
	clsJSONMapping        = "com.fasterxml.jackson.databind.JsonMappingException"
	clsNoSuchFile         = "java.nio.file.NoSuchFileException"
	clsRuntime            = "java.lang.RuntimeException"
	clsNumberFormat       = "java.lang.NumberFormatException"
	clsExecution          = "java.util.concurrent.ExecutionException"
	clsTimeout            = "org.apache.kafka.common.errors.TimeoutException"
)

// jexc is an exception a tool throws, by Java class and message; cause is
// what Java would print after "Caused by:".
type jexc struct {
	class string
	msg   string
	cause error
}

func (e *jexc) Error() string { return e.msg }
func (e *jexc) Unwrap() error { return e.cause }

func newJexc(class, format string, args ...any) *jexc {
	return &jexc{class: class, msg: fmt.Sprintf(format, args...)}
}

// throwableString is Throwable.toString for err: the class, ": ", the
// message.
func throwableString(err error) string {
	var je *jexc
	if errors.As(err, &je) {
		if je.msg == "" {
			return je.class
		}
		return je.class + ": " + je.msg
	}
	var ke *kerr.Error
	if errors.As(err, &ke) || errors.Is(err, context.DeadlineExceeded) || isUnsupportedVersion(err) {
		return javaErrorMessage(err)
	}
	return "org.apache.kafka.common.KafkaException: " + err.Error()
}

// javaGetMessage is Throwable.getMessage for err. An ExecutionException
// from an admin future carries its cause's toString as message.
func javaGetMessage(err error) string {
	var je *jexc
	if errors.As(err, &je) {
		return je.msg
	}
	var ke *kerr.Error
	if errors.As(err, &ke) {
		// What the admin client's future throws is an ExecutionException
		// around the Kafka exception.
		return throwableString(err)
	}
	return err.Error()
}

// executionException wraps a failed admin call as KafkaFuture.get throws
// it.
func executionException(err error) error {
	var je *jexc
	if errors.As(err, &je) {
		return err
	}
	return &jexc{class: clsExecution, msg: throwableString(err), cause: err}
}

// uncaught prints err as the JVM does for an exception that leaves main
// (the first line and the causes; a Go binary has no stack frames to
// show) and returns the JVM's exit code.
func uncaught(w io.Writer, err error) int {
	fmt.Fprintf(w, "Exception in thread \"main\" %s\n", throwableString(err))
	for c := errors.Unwrap(err); c != nil; c = errors.Unwrap(c) {
		switch c.(type) {
		case *kerr.Error, *brokerError:
			// A Kafka exception ends the chain (its code is no cause).
			fmt.Fprintf(w, "Caused by: %s\n", throwableString(c))
			return 1
		case *jexc:
			fmt.Fprintf(w, "Caused by: %s\n", throwableString(c))
		}
	}
	return 1
}

// joptException names the jopt-simple exception behind a parse failure
// (the election tools parse in their options' constructor, outside any
// handler, so the JVM prints it).
func joptException(err error) error {
	msg := err.Error()
	class := "joptsimple.OptionException"
	switch {
	case strings.HasSuffix(msg, "is not a recognized option"):
		class = "joptsimple.UnrecognizedOptionException"
	case strings.HasSuffix(msg, "requires an argument"):
		class = "joptsimple.OptionMissingRequiredArgumentException"
	case strings.HasPrefix(msg, "Cannot parse argument"):
		class = "joptsimple.OptionArgumentConversionException"
	case strings.HasPrefix(msg, "Missing required option"):
		class = "joptsimple.MissingRequiredOptionsException"
	case strings.Contains(msg, "are unavailable given other options"):
		class = "joptsimple.UnavailableOptionException"
	}
	return &jexc{class: class, msg: msg}
}

// readFileAsString is Kafka's Utils.readFileAsString.
func readFileAsString(path string) (string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return "", newJexc(clsNoSuchFile, "%s", path)
	}
	if err != nil {
		return "", newJexc("java.io.IOException", "%s", strings.TrimPrefix(err.Error(), "read "+path+": "))
	}
	return string(b), nil
}

// ---------------------------------------------------------------------------
// JSON as kafka.utils.Json reads it.

// jnode is one JSON value as kafka.utils.json.JsonValue wraps a Jackson
// node; it keeps its text so that error messages show the node as Jackson
// prints it.
type jnode struct{ raw json.RawMessage }

// parseKafkaJSON is Json.tryParseFull: the first JSON value of s (Jackson
// ignores what follows it). The error is Jackson's JsonProcessingException
// message, as near as Go's decoder lets us tell.
func parseKafkaJSON(s string) (jnode, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return jnode{}, jacksonError(s, err)
	}
	return jnode{raw}, nil
}

// jacksonError words a decode failure like Jackson's parser exceptions.
func jacksonError(s string, err error) error {
	src := s
	if len(src) > 500 {
		src = src[:500] + "\"[truncated " + strconv.Itoa(len(s)-500) + " chars]"
	}
	loc := func(off int) string {
		line, col := 1, 1
		for _, c := range s[:min(off, len(s))] {
			if c == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
		}
		return fmt.Sprintf("\n at [Source: (String)\"%s\"; line: %d, column: %d]", src, line, col)
	}
	if errors.Is(err, io.EOF) {
		return &jexc{class: "com.fasterxml.jackson.databind.exc.MismatchedInputException",
			msg: "No content to map due to end-of-input" + strings.Replace(loc(0), "column: 1", "column: 0", 1)}
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return &jexc{class: "com.fasterxml.jackson.core.io.JsonEOFException",
			msg: "Unexpected end-of-input: expected close marker" + loc(len(s))}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off := int(se.Offset) - 1
		if off >= 0 && off < len(s) {
			c := s[off]
			return &jexc{class: "com.fasterxml.jackson.core.JsonParseException",
				msg: fmt.Sprintf("Unexpected character ('%c' (code %d)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')%s", c, c, loc(off+1))}
		}
	}
	return &jexc{class: "com.fasterxml.jackson.core.JsonParseException", msg: err.Error()}
}

// String is the node as Jackson's toString prints it: compact JSON.
func (n jnode) String() string {
	var b bytes.Buffer
	if err := json.Compact(&b, n.raw); err != nil {
		return string(n.raw)
	}
	return b.String()
}

func mappingError(format string, args ...any) error {
	return newJexc(clsJSONMapping, format, args...)
}

// object is asJsonObject.
func (n jnode) object() (map[string]jnode, error) {
	var m map[string]json.RawMessage
	if len(n.raw) == 0 || n.raw[0] != '{' || json.Unmarshal(n.raw, &m) != nil {
		return nil, mappingError("Expected JSON object, received %s", n)
	}
	out := make(map[string]jnode, len(m))
	for k, v := range m {
		out[k] = jnode{v}
	}
	return out, nil
}

// array is asJsonArray.
func (n jnode) array() ([]jnode, error) {
	var a []json.RawMessage
	if len(n.raw) == 0 || n.raw[0] != '[' || json.Unmarshal(n.raw, &a) != nil {
		return nil, mappingError("Expected JSON array, received %s", n)
	}
	out := make([]jnode, len(a))
	for i, v := range a {
		out[i] = jnode{v}
	}
	return out, nil
}

// field is JsonObject.apply: a missing field is a JsonMappingException.
func field(obj map[string]jnode, name string) (jnode, error) {
	v, ok := obj[name]
	if !ok {
		return jnode{}, mappingError("No such field exists: `%s`", name)
	}
	return v, nil
}

// stringField is obj(name).to[String].
func stringField(obj map[string]jnode, name string) (string, error) {
	v, err := field(obj, name)
	if err != nil {
		return "", err
	}
	return v.toString()
}

// intField is obj(name).to[Int].
func intField(obj map[string]jnode, name string) (int32, error) {
	v, err := field(obj, name)
	if err != nil {
		return 0, err
	}
	return v.toInt()
}

// toInt is to[Int]: only a JSON integer that fits an int (Jackson's
// IntNode) is accepted.
func (n jnode) toInt() (int32, error) {
	s := strings.TrimSpace(string(n.raw))
	v, err := strconv.ParseInt(s, 10, 32)
	if err != nil {
		return 0, mappingError("Expected `Int` value, received %s", n)
	}
	return int32(v), nil
}

// toString is to[String].
func (n jnode) toString() (string, error) {
	var s string
	if len(n.raw) == 0 || n.raw[0] != '"' || json.Unmarshal(n.raw, &s) != nil {
		return "", mappingError("Expected `String` value, received %s", n)
	}
	return s, nil
}

// toInts is to[Seq[Int]].
func (n jnode) toInts() ([]int32, error) {
	a, err := n.array()
	if err != nil {
		return nil, err
	}
	out := make([]int32, 0, len(a))
	for _, e := range a {
		v, err := e.toInt()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// toStrings is to[Seq[String]].
func (n jnode) toStrings() ([]string, error) {
	a, err := n.array()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(a))
	for _, e := range a {
		v, err := e.toString()
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// ---------------------------------------------------------------------------
// Topic partitions.

// topicPart is Kafka's TopicPartition; String is its toString, "t-0".
type topicPart struct {
	Topic     string
	Partition int32
}

func (p topicPart) String() string { return p.Topic + "-" + strconv.Itoa(int(p.Partition)) }

func tpLess(a, b topicPart) bool {
	if a.Topic != b.Topic {
		return a.Topic < b.Topic
	}
	return a.Partition < b.Partition
}

// joinTPs renders partitions with sep between them.
func joinTPs(tps []topicPart, sep string) string {
	s := make([]string, len(tps))
	for i, p := range tps {
		s[i] = p.String()
	}
	return strings.Join(s, sep)
}

// joinInts renders broker ids as Scala's mkString(",").
func joinInts(ids []int32, sep string) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.Itoa(int(id))
	}
	return strings.Join(s, sep)
}

// duplicates is CoreUtils.duplicates: the values that occur more than
// once, in order of first occurrence.
func duplicates[T comparable](xs []T) []T {
	count := map[T]int{}
	for _, x := range xs {
		count[x]++
	}
	var out []T
	for _, x := range xs {
		if count[x] > 1 {
			out = append(out, x)
			count[x] = 0
		}
	}
	return out
}
