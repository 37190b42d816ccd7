package tools

import (
	"reflect"
	"strings"
	"testing"
)

func testParser() *optionParser {
	p := newOptionParser()
	p.arg("topic", "The topic.", "String", "topic")
	p.arg("count", "How many.", "Integer", "n").withDefault("7")
	p.arg("codec", "Compression.", "String", "codec").optionalValue()
	p.arg("property", "Repeatable.", "String", "prop")
	p.flag("from-beginning", "Start at the start.")
	p.flag("from-end", "Start at the end.")
	return p
}

// jopt-simple accepts "--name value" and "--name=value", repeatable
// options and optional arguments.
func TestParseJoptStyle(t *testing.T) {
	s, err := testParser().parse([]string{"--topic", "t", "--count=3", "--property", "a=1", "--property=b=2", "--codec", "--from-beginning", "extra"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.value("topic"); got != "t" {
		t.Errorf("topic = %q", got)
	}
	if got := s.intValue("count"); got != 3 {
		t.Errorf("count = %d", got)
	}
	if got := s.values("property"); !reflect.DeepEqual(got, []string{"a=1", "b=2"}) {
		t.Errorf("property = %q", got)
	}
	if !s.has("codec") || s.value("codec") != "" {
		t.Errorf("codec: has %v value %q", s.has("codec"), s.value("codec"))
	}
	if !s.has("from-beginning") || s.has("from-end") {
		t.Error("--from-beginning not seen")
	}
	if !reflect.DeepEqual(s.nonOptions, []string{"extra"}) {
		t.Errorf("non-options = %q", s.nonOptions)
	}
	if s2, _ := testParser().parse(nil); s2.intValue("count") != 7 {
		t.Error("default not applied")
	}
	if s3, _ := testParser().parse([]string{"--codec", "lz4"}); s3.value("codec") != "lz4" {
		t.Error("optional argument not taken")
	}
}

func TestParseErrorsUseJoptMessages(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nope"}, "nope is not a recognized option"},
		{[]string{"--topic"}, "Option topic requires an argument"},
		{[]string{"--count", "x"}, "Cannot parse argument 'x' of option count"},
		{[]string{"--from-b"}, "from-b is not a recognized option"}, // no abbreviations in Kafka's tools
	} {
		_, err := testParser().parse(tc.args)
		if err == nil || err.Error() != tc.want {
			t.Errorf("parse(%q) = %v, want %q", tc.args, err, tc.want)
		}
	}
	p := testParser()
	p.arg("bootstrap-server", "", "String", "").requiredUnlessAny("broker-list")
	p.arg("broker-list", "", "String", "")
	if _, err := p.parse([]string{"--topic", "t"}); err == nil || err.Error() != "Missing required option(s) [bootstrap-server]" {
		t.Errorf("requiredUnless: %v", err)
	}
	if _, err := p.parse([]string{"--broker-list", "h:1"}); err != nil {
		t.Errorf("requiredUnless satisfied by the other option: %v", err)
	}
}

// ToolsUtils.validatePortOrDie's test.
func TestValidHostPorts(t *testing.T) {
	for in, want := range map[string]bool{
		"localhost:9092": true, "a:1,b:2": true, "[::1]:9092": true, "127.0.0.1:9092": true,
		"localhost": false, "": false, "a:1,b": false, "a:x": false,
	} {
		if got := validHostPorts(in); got != want {
			t.Errorf("validHostPorts(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestParseKeyValues(t *testing.T) {
	got := parseKeyValues([]string{"a=1", "b=x=y", "c", "d="})
	want := map[string]string{"a": "1", "b": "x=y", "c": "", "d": ""}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
}

func TestUsageTable(t *testing.T) {
	var b strings.Builder
	testParser().printHelp(&b)
	golden(t, "usage_table", b.String())
}

// Java clients of the 2.x era: acks=1, not idempotent; idempotence only
// with acks=all.
func TestClientOptsIdempotence(t *testing.T) {
	if _, err := clientOpts(map[string]string{"enable.idempotence": "true", "acks": "1"}); err == nil ||
		err.Error() != "Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence." {
		t.Errorf("idempotence with acks=1: %v", err)
	}
	if _, err := clientOpts(map[string]string{"enable.idempotence": "true", "acks": "all"}); err != nil {
		t.Error(err)
	}
	if _, err := clientOpts(map[string]string{"acks": "2"}); err == nil {
		t.Error("acks=2 accepted")
	}
}

// jopt-simple's wrapping, as Kafka 2.8's console consumer help shows it.
func TestWrapTextLikeJopt(t *testing.T) {
	got := wrapText("The offset id to consume from (a non-negative number), or 'earliest' which means from beginning, or 'latest' which means from end (default: latest)", helpDescWidth-1)
	want := []string{
		"The offset id to consume from (a non-",
		"  negative number), or 'earliest'",
		"  which means from beginning, or",
		"  'latest' which means from end",
		"  (default: latest)",
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
