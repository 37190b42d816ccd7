package connect

import (
	"strings"
	"testing"
)

// The file source's records, through the shipped worker's converters:
// a null key stays a null record key, the value gets Kafka's envelope.
func TestJSONConverterEnvelopeOfAString(t *testing.T) {
	c := &JSONConverter{SchemasEnabled: true}
	key, err := c.FromConnectData("connect-test", nil, nil)
	if err != nil || key != nil {
		t.Fatalf("null key: %q, %v; want nil bytes", key, err)
	}
	val, err := c.FromConnectData("connect-test", StringSchema, "foo")
	if err != nil || string(val) != `{"schema":{"type":"string","optional":false},"payload":"foo"}` {
		t.Fatalf("value: %s, %v", val, err)
	}
	schema, v, err := c.ToConnectData("connect-test", val)
	if err != nil || v != "foo" || schema.Type != "string" || schema.Optional {
		t.Fatalf("read back: %+v %v %v", schema, v, err)
	}
	if s, v, err := c.ToConnectData("connect-test", nil); s != nil || v != nil || err != nil {
		t.Errorf("null bytes: %v %v %v", s, v, err)
	}
}

func TestJSONConverterWithoutSchemas(t *testing.T) {
	c := &JSONConverter{SchemasEnabled: false}
	if b, _ := c.FromConnectData("t", StringSchema, `say "hi"`); string(b) != `"say \"hi\""` {
		t.Errorf("string: %s", b)
	}
	_, v, err := c.ToConnectData("t", []byte(`{"a":1,"b":[true,2.5,null],"c":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	// What FileStreamSink prints: Java's toString of the HashMap.
	if got := JavaString(v); got != "{a=1, b=[true, 2.5, null], c=x}" {
		t.Errorf("schemaless map: %s", got)
	}
}

// Without schemas.enable=false, plain JSON is refused with Kafka's message.
func TestJSONConverterRequiresEnvelope(t *testing.T) {
	c := &JSONConverter{SchemasEnabled: true}
	_, _, err := c.ToConnectData("t", []byte(`"foo"`))
	if err == nil || !strings.Contains(err.Error(), `JsonConverter with schemas.enable requires "schema" and "payload" fields`) {
		t.Errorf("err = %v", err)
	}
	_, _, err = c.ToConnectData("t", []byte(`not json`))
	if err == nil || !strings.Contains(err.Error(), "DataException: Converting byte[] to Kafka Connect data failed due to serialization error") {
		t.Errorf("err = %v", err)
	}
}

// A struct round-trips with its schema, fields in order, as Kafka writes
// it, and prints as Struct.toString.
func TestJSONConverterStruct(t *testing.T) {
	in := `{"schema":{"type":"struct","fields":[{"type":"string","optional":false,"field":"name"},` +
		`{"type":"int32","optional":true,"field":"age"},{"type":"array","items":{"type":"float64","optional":false},"optional":false,"field":"xs"}],` +
		`"optional":false,"name":"person"},"payload":{"name":"ann","age":7,"xs":[1.0,1.5E10]}}`
	c := &JSONConverter{SchemasEnabled: true}
	s, v, err := c.ToConnectData("t", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := JavaString(v); got != "Struct{name=ann,age=7,xs=[1.0, 1.5E10]}" {
		t.Errorf("toString: %s", got)
	}
	out, err := c.FromConnectData("t", s, v)
	if err != nil || string(out) != in {
		t.Errorf("written back:\n%s\nwant\n%s (%v)", out, in, err)
	}
	// A required field without a value is refused.
	if _, _, err := c.ToConnectData("t", []byte(`{"schema":{"type":"string","optional":false},"payload":null}`)); err == nil {
		t.Error("null payload for a required string was accepted")
	}
}

func TestStringConverter(t *testing.T) {
	var c StringConverter
	if b, _ := c.FromConnectData("t", nil, nil); b != nil {
		t.Errorf("null: %q", b)
	}
	if b, _ := c.FromConnectData("t", nil, int64(42)); string(b) != "42" {
		t.Errorf("int64: %q", b)
	}
	s, v, _ := c.ToConnectData("t", []byte("bar"))
	if v != "bar" || !s.Optional {
		t.Errorf("read: %+v %v", s, v)
	}
}

// key.converter / value.converter name the class fully or by its simple
// name; anything else is ConfigDef's "could not be found".
func TestNewConverter(t *testing.T) {
	c, err := newConverter("value.converter", "org.apache.kafka.connect.json.JsonConverter", map[string]string{"schemas.enable": "false"})
	if err != nil || c.(*JSONConverter).SchemasEnabled {
		t.Errorf("json, schemas off: %+v %v", c, err)
	}
	if c, err := newConverter("key.converter", "StringConverter", nil); err != nil || c == nil {
		t.Errorf("alias: %v", err)
	}
	_, err = newConverter("key.converter", "com.example.Nope", nil)
	if err == nil || err.Error() != "org.apache.kafka.common.config.ConfigException: Invalid value com.example.Nope for configuration key.converter: Class com.example.Nope could not be found." {
		t.Errorf("unknown class: %v", err)
	}
}

func TestJavaDouble(t *testing.T) {
	for f, want := range map[float64]string{1: "1.0", 0.5: "0.5", 1e7: "1.0E7", 1.5e-4: "1.5E-4", 123456.75: "123456.75", 0: "0.0"} {
		if got := javaDouble(f, 64); got != want {
			t.Errorf("javaDouble(%v) = %s, want %s", f, got, want)
		}
	}
}

// Strings are quoted as Jackson quotes them.
func TestJSONStringEscapes(t *testing.T) {
	c := &JSONConverter{}
	b, _ := c.FromConnectData("t", StringSchema, "a\"b\\c\td\x01é\u2028<>&\xff")
	if want := `"a\"b\\c\td\u0001é` + "\u2028" + `<>&` + "\uFFFD" + `"`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
}
