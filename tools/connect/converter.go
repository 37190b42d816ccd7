package connect

// Converters: the bytes of a Kafka record key or value ⇄ Connect data (a
// schema and a value), chosen per worker or connector by key.converter /
// value.converter. JsonConverter writes what Kafka's writes, so that
//
//	{"schema":{"type":"string","optional":false},"payload":"foo"}
//
// is the value a console consumer sees for a line of test.txt, and reads
// what Kafka's reads (the envelope with schemas.enable=true, plain JSON
// without). StringConverter is the UTF-8 text of the value. A null value
// without a schema (the file source's key) stays a null record key.

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// Schema is a Connect schema, as much of it as the JSON converter carries.
type Schema struct {
	Type       string // int8 int16 int32 int64 float32 float64 boolean string bytes array map struct
	Optional   bool
	Name       string
	Version    *int64
	Doc        string
	Default    any
	HasDefault bool
	Parameters map[string]string
	Fields     []Field // struct
	Items      *Schema // array
	Keys       *Schema // map
	Values     *Schema // map
}

// Field is one field of a struct schema.
type Field struct {
	Name   string
	Schema *Schema
}

// Struct is a value of a struct schema: one value per field, in field order.
type Struct struct {
	Schema *Schema
	Values []any
}

// MapEntry is one entry of a Connect map; Map keeps entries in the order
// they were read (Java's HashMap has no order users can rely on either).
type MapEntry struct {
	Key, Value any
}

// Map is a Connect map value.
type Map []MapEntry

// StringSchema is Schema.STRING_SCHEMA, the file source's value schema.
var StringSchema = &Schema{Type: "string"}

// optionalStringSchema is what StringConverter reads every value as.
var optionalStringSchema = &Schema{Type: "string", Optional: true}

// dataErr is Kafka's DataException: the bytes or the value do not fit.
func dataErr(format string, a ...any) error {
	return &Error{Class: "org.apache.kafka.connect.errors.DataException", Msg: fmt.Sprintf(format, a...), Status: 500}
}

// Converter turns Connect data into record bytes and back.
type Converter interface {
	FromConnectData(topic string, schema *Schema, value any) ([]byte, error)
	ToConnectData(topic string, data []byte) (*Schema, any, error)
}

// Converter class names, as Kafka's plugin scanner knows them.
const (
	jsonConverterClass   = "org.apache.kafka.connect.json.JsonConverter"
	stringConverterClass = "org.apache.kafka.connect.storage.StringConverter"
)

// newConverter builds the converter named by class (a full class name or
// its simple name, as Kafka's class loader accepts aliases) configured with
// props, the settings under the "key.converter." or "value.converter."
// prefix. key is the setting naming the class, for the error message.
func newConverter(key, class string, props map[string]string) (Converter, error) {
	switch strings.TrimSpace(class) {
	case jsonConverterClass, "JsonConverter":
		c := &JSONConverter{SchemasEnabled: true}
		if v, ok := props["schemas.enable"]; ok {
			b, err := parseBool(key+".schemas.enable", v)
			if err != nil {
				return nil, err
			}
			c.SchemasEnabled = b
		}
		return c, nil
	case stringConverterClass, "StringConverter":
		return StringConverter{}, nil
	}
	return nil, configErr(fmt.Sprintf("Invalid value %s for configuration %s: Class %s could not be found.", class, key, strings.TrimSpace(class)))
}

// parseBool is ConfigDef's BOOLEAN parsing.
func parseBool(key, v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return false, configErr(fmt.Sprintf("Invalid value %s for configuration %s: Expected value to be either true or false", v, key))
}

// ---------------------------------------------------------------------------
// StringConverter

// StringConverter writes a value's text (Java's toString) as UTF-8 and reads
// every record as an optional string.
type StringConverter struct{}

func (StringConverter) FromConnectData(_ string, _ *Schema, value any) ([]byte, error) {
	if value == nil {
		return nil, nil
	}
	return []byte(JavaString(value)), nil
}

func (StringConverter) ToConnectData(_ string, data []byte) (*Schema, any, error) {
	if data == nil {
		return optionalStringSchema, nil, nil
	}
	return optionalStringSchema, string(data), nil
}

// ---------------------------------------------------------------------------
// JsonConverter

// JSONConverter is org.apache.kafka.connect.json.JsonConverter.
type JSONConverter struct {
	SchemasEnabled bool
}

func (c *JSONConverter) FromConnectData(_ string, schema *Schema, value any) ([]byte, error) {
	if schema == nil && value == nil {
		return nil, nil
	}
	var buf bytes.Buffer
	if c.SchemasEnabled {
		buf.WriteString(`{"schema":`)
		if schema == nil {
			buf.WriteString("null")
		} else {
			writeSchemaJSON(&buf, schema)
		}
		buf.WriteString(`,"payload":`)
		if err := writeValueJSON(&buf, schema, value); err != nil {
			return nil, err
		}
		buf.WriteByte('}')
	} else if err := writeValueJSON(&buf, schema, value); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (c *JSONConverter) ToConnectData(_ string, data []byte) (*Schema, any, error) {
	if data == nil {
		return nil, nil, nil
	}
	v, err := parseJSON(data)
	if err != nil {
		return nil, nil, dataErr("Converting byte[] to Kafka Connect data failed due to serialization error: %v", err)
	}
	if !c.SchemasEnabled {
		out, err := jsonToConnect(nil, v)
		return nil, out, err
	}
	env, ok := v.(jsonObject)
	if !ok || len(env) != 2 || !env.has("schema") || !env.has("payload") {
		return nil, nil, dataErr(`JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.`)
	}
	schema, err := schemaFromJSON(env.get("schema"))
	if err != nil {
		return nil, nil, err
	}
	out, err := jsonToConnect(schema, env.get("payload"))
	return schema, out, err
}

// writeSchemaJSON writes a schema as JsonConverter's asJsonSchema does: the
// type first, then the type's parts, "optional", and the optional
// attributes that are set.
func writeSchemaJSON(buf *bytes.Buffer, s *Schema) {
	buf.WriteString(`{"type":`)
	writeJSONString(buf, s.Type)
	switch s.Type {
	case "array":
		buf.WriteString(`,"items":`)
		writeSchemaJSON(buf, s.Items)
	case "map":
		buf.WriteString(`,"keys":`)
		writeSchemaJSON(buf, s.Keys)
		buf.WriteString(`,"values":`)
		writeSchemaJSON(buf, s.Values)
	case "struct":
		buf.WriteString(`,"fields":[`)
		for i, f := range s.Fields {
			if i > 0 {
				buf.WriteByte(',')
			}
			// The field's schema object with "field" appended.
			var fb bytes.Buffer
			writeSchemaJSON(&fb, f.Schema)
			b := fb.Bytes()
			buf.Write(b[:len(b)-1])
			buf.WriteString(`,"field":`)
			writeJSONString(buf, f.Name)
			buf.WriteByte('}')
		}
		buf.WriteByte(']')
	}
	buf.WriteString(`,"optional":`)
	buf.WriteString(strconv.FormatBool(s.Optional))
	if s.Name != "" {
		buf.WriteString(`,"name":`)
		writeJSONString(buf, s.Name)
	}
	if s.Version != nil {
		fmt.Fprintf(buf, `,"version":%d`, *s.Version)
	}
	if s.Doc != "" {
		buf.WriteString(`,"doc":`)
		writeJSONString(buf, s.Doc)
	}
	if len(s.Parameters) > 0 {
		buf.WriteString(`,"parameters":{`)
		first := true
		for _, k := range sortedKeys(s.Parameters) {
			if !first {
				buf.WriteByte(',')
			}
			first = false
			writeJSONString(buf, k)
			buf.WriteByte(':')
			writeJSONString(buf, s.Parameters[k])
		}
		buf.WriteByte('}')
	}
	if s.HasDefault {
		buf.WriteString(`,"default":`)
		_ = writeValueJSON(buf, s, s.Default)
	}
	buf.WriteByte('}')
}

// writeValueJSON writes a value as JsonConverter's convertToJson does. With
// a schema, the value must fit it; without one, the Go type decides.
func writeValueJSON(buf *bytes.Buffer, s *Schema, v any) error {
	if v == nil {
		if s != nil && s.HasDefault {
			v = s.Default
		} else if s != nil && !s.Optional {
			return dataErr("Conversion error: null value for field that is required and has no default value")
		}
		if v == nil {
			buf.WriteString("null")
			return nil
		}
	}
	if s == nil {
		return writeSchemalessJSON(buf, v)
	}
	mismatch := func() error {
		return dataErr("Invalid Java object for schema type %s: %T", strings.ToUpper(s.Type), v)
	}
	switch s.Type {
	case "int8", "int16", "int32", "int64":
		n, ok := asInt64(v)
		if !ok {
			return mismatch()
		}
		buf.WriteString(strconv.FormatInt(n, 10))
	case "float32", "float64":
		f, ok := asFloat64(v)
		if !ok {
			return mismatch()
		}
		buf.WriteString(jsonDouble(f))
	case "boolean":
		b, ok := v.(bool)
		if !ok {
			return mismatch()
		}
		buf.WriteString(strconv.FormatBool(b))
	case "string":
		str, ok := v.(string)
		if !ok {
			return mismatch()
		}
		writeJSONString(buf, str)
	case "bytes":
		b, ok := v.([]byte)
		if !ok {
			return mismatch()
		}
		writeJSONString(buf, base64.StdEncoding.EncodeToString(b))
	case "array":
		items, ok := v.([]any)
		if !ok {
			return mismatch()
		}
		buf.WriteByte('[')
		for i, it := range items {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeValueJSON(buf, s.Items, it); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case "map":
		m, ok := v.(Map)
		if !ok {
			return mismatch()
		}
		// String keys make a JSON object; any other key type an array
		// of [key, value] pairs.
		if s.Keys.Type == "string" {
			buf.WriteByte('{')
			for i, e := range m {
				if i > 0 {
					buf.WriteByte(',')
				}
				k, ok := e.Key.(string)
				if !ok {
					return mismatch()
				}
				writeJSONString(buf, k)
				buf.WriteByte(':')
				if err := writeValueJSON(buf, s.Values, e.Value); err != nil {
					return err
				}
			}
			buf.WriteByte('}')
			return nil
		}
		buf.WriteByte('[')
		for i, e := range m {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('[')
			if err := writeValueJSON(buf, s.Keys, e.Key); err != nil {
				return err
			}
			buf.WriteByte(',')
			if err := writeValueJSON(buf, s.Values, e.Value); err != nil {
				return err
			}
			buf.WriteByte(']')
		}
		buf.WriteByte(']')
	case "struct":
		st, ok := v.(*Struct)
		if !ok {
			return mismatch()
		}
		buf.WriteByte('{')
		for i, f := range s.Fields {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, f.Name)
			buf.WriteByte(':')
			var fv any
			if i < len(st.Values) {
				fv = st.Values[i]
			}
			if err := writeValueJSON(buf, f.Schema, fv); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	default:
		return dataErr("Unknown schema type: %s", s.Type)
	}
	return nil
}

func writeSchemalessJSON(buf *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case string:
		writeJSONString(buf, x)
	case bool:
		buf.WriteString(strconv.FormatBool(x))
	case []byte:
		writeJSONString(buf, base64.StdEncoding.EncodeToString(x))
	case float32:
		buf.WriteString(jsonDouble(float64(x)))
	case float64:
		buf.WriteString(jsonDouble(x))
	case []any:
		buf.WriteByte('[')
		for i, it := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeSchemalessJSON(buf, it); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case Map:
		allStrings := true
		for _, e := range x {
			if _, ok := e.Key.(string); !ok {
				allStrings = false
			}
		}
		if allStrings {
			buf.WriteByte('{')
		} else {
			buf.WriteByte('[')
		}
		for i, e := range x {
			if i > 0 {
				buf.WriteByte(',')
			}
			if allStrings {
				writeJSONString(buf, e.Key.(string))
				buf.WriteByte(':')
			} else {
				buf.WriteByte('[')
				if err := writeSchemalessJSON(buf, e.Key); err != nil {
					return err
				}
				buf.WriteByte(',')
			}
			if err := writeSchemalessJSON(buf, e.Value); err != nil {
				return err
			}
			if !allStrings {
				buf.WriteByte(']')
			}
		}
		if allStrings {
			buf.WriteByte('}')
		} else {
			buf.WriteByte(']')
		}
	case *Struct:
		return dataErr("Conversion error: schema is required to convert a Struct")
	default:
		n, ok := asInt64(v)
		if !ok {
			return dataErr("Java class %T does not have corresponding schema type.", v)
		}
		buf.WriteString(strconv.FormatInt(n, 10))
	}
	return nil
}

func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case int:
		return int64(x), true
	}
	return 0, false
}

func asFloat64(v any) (float64, bool) {
	switch x := v.(type) {
	case float32:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

// jsonDouble writes a double as Jackson does (Java's Double.toString:
// always a fraction digit, exponent outside [1e-3, 1e7)).
func jsonDouble(f float64) string { return javaDouble(f, 64) }

// writeJSONString quotes s as Jackson does: '"' and '\\' escaped, control
// characters as \b \t \n \f \r or \u00XX (upper-case hex), everything
// else (non-ASCII, U+2028) as is; invalid UTF-8 becomes U+FFFD, as Java's
// decoder made it when it read the line.
func writeJSONString(buf *bytes.Buffer, s string) {
	const hex = "0123456789ABCDEF"
	buf.WriteByte('"')
	for _, r := range s { // an invalid byte ranges as U+FFFD
		switch {
		case r == '"' || r == '\\':
			buf.WriteByte('\\')
			buf.WriteRune(r)
		case r == '\b':
			buf.WriteString(`\b`)
		case r == '\t':
			buf.WriteString(`\t`)
		case r == '\n':
			buf.WriteString(`\n`)
		case r == '\f':
			buf.WriteString(`\f`)
		case r == '\r':
			buf.WriteString(`\r`)
		case r < 0x20:
			buf.WriteString(`\u00`)
			buf.WriteByte(hex[r>>4])
			buf.WriteByte(hex[r&0xF])
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
}

// ---------------------------------------------------------------------------
// Reading JSON with object key order kept (schemas list fields in order).

type jsonMember struct {
	Key   string
	Value any
}

type jsonObject []jsonMember

func (o jsonObject) has(k string) bool {
	for _, m := range o {
		if m.Key == k {
			return true
		}
	}
	return false
}

func (o jsonObject) get(k string) any {
	for _, m := range o {
		if m.Key == k {
			return m.Value
		}
	}
	return nil
}

// parseJSON reads one JSON document: objects as jsonObject, arrays as
// []any, numbers as json.Number.
func parseJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := parseJSONValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("unexpected data after the JSON value")
	}
	return v, nil
}

func parseJSONValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := jsonObject{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := parseJSONValue(dec)
				if err != nil {
					return nil, err
				}
				obj = append(obj, jsonMember{kt.(string), v})
			}
			_, err := dec.Token()
			return obj, err
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := parseJSONValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			_, err := dec.Token()
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return tok, nil
	}
}

// schemaFromJSON is JsonConverter's asConnectSchema.
func schemaFromJSON(v any) (*Schema, error) {
	if v == nil {
		return nil, nil
	}
	obj, ok := v.(jsonObject)
	if !ok {
		return nil, dataErr("Schema must be an object")
	}
	typ, ok := obj.get("type").(string)
	if !ok {
		return nil, dataErr("Schema must contain 'type' field")
	}
	s := &Schema{Type: typ}
	switch typ {
	case "int8", "int16", "int32", "int64", "float32", "float64", "boolean", "string", "bytes":
	case "array":
		items, err := schemaFromJSON(obj.get("items"))
		if err != nil {
			return nil, err
		}
		if items == nil {
			return nil, dataErr("Array schema did not specify the element type")
		}
		s.Items = items
	case "map":
		k, err := schemaFromJSON(obj.get("keys"))
		if err != nil {
			return nil, err
		}
		val, err := schemaFromJSON(obj.get("values"))
		if err != nil {
			return nil, err
		}
		if k == nil || val == nil {
			return nil, dataErr("Map schema did not specify the key and value types")
		}
		s.Keys, s.Values = k, val
	case "struct":
		fields, ok := obj.get("fields").([]any)
		if !ok {
			return nil, dataErr("Struct schema's \"fields\" argument is not an array.")
		}
		for _, f := range fields {
			fo, ok := f.(jsonObject)
			name, nok := fo.get("field").(string)
			if !ok || !nok {
				return nil, dataErr("Struct schema's field name not specified properly")
			}
			fs, err := schemaFromJSON(fo)
			if err != nil {
				return nil, err
			}
			s.Fields = append(s.Fields, Field{Name: name, Schema: fs})
		}
	default:
		return nil, dataErr("Unknown schema type: %s", typ)
	}
	if b, ok := obj.get("optional").(bool); ok {
		s.Optional = b
	}
	if n, ok := obj.get("name").(string); ok {
		s.Name = n
	}
	if n, ok := obj.get("version").(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			s.Version = &i
		}
	}
	if d, ok := obj.get("doc").(string); ok {
		s.Doc = d
	}
	if p, ok := obj.get("parameters").(jsonObject); ok {
		s.Parameters = map[string]string{}
		for _, m := range p {
			if str, ok := m.Value.(string); ok {
				s.Parameters[m.Key] = str
			}
		}
	}
	if obj.has("default") {
		d, err := jsonToConnect(s, obj.get("default"))
		if err != nil {
			return nil, err
		}
		s.Default, s.HasDefault = d, true
	}
	return s, nil
}

// jsonToConnect is JsonConverter's convertToConnect: the JSON value read
// with schema s, or, without a schema, as the JSON types map to Java's
// (integral numbers to int64, others to float64, objects to maps).
func jsonToConnect(s *Schema, v any) (any, error) {
	if v == nil {
		if s == nil {
			return nil, nil
		}
		if s.HasDefault {
			return s.Default, nil
		}
		if s.Optional {
			return nil, nil
		}
		return nil, dataErr("Invalid null value for required %s field", strings.ToUpper(s.Type))
	}
	if s == nil {
		switch x := v.(type) {
		case json.Number:
			if n, err := x.Int64(); err == nil && !strings.ContainsAny(string(x), ".eE") {
				return n, nil
			}
			f, err := x.Float64()
			return f, err
		case jsonObject:
			m := Map{}
			for _, mem := range x {
				val, err := jsonToConnect(nil, mem.Value)
				if err != nil {
					return nil, err
				}
				m = append(m, MapEntry{mem.Key, val})
			}
			return m, nil
		case []any:
			out := make([]any, 0, len(x))
			for _, it := range x {
				val, err := jsonToConnect(nil, it)
				if err != nil {
					return nil, err
				}
				out = append(out, val)
			}
			return out, nil
		default:
			return x, nil // string, bool
		}
	}
	bad := func() error {
		return dataErr("Invalid type for %s: %s", strings.ToUpper(s.Type), jsonKind(v))
	}
	switch s.Type {
	case "int8", "int16", "int32", "int64":
		n, ok := v.(json.Number)
		if !ok {
			return nil, bad()
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil {
			f, ferr := n.Float64()
			if ferr != nil {
				return nil, bad()
			}
			i = int64(f)
		}
		switch s.Type {
		case "int8":
			return int8(i), nil
		case "int16":
			return int16(i), nil
		case "int32":
			return int32(i), nil
		}
		return i, nil
	case "float32", "float64":
		n, ok := v.(json.Number)
		if !ok {
			return nil, bad()
		}
		f, err := n.Float64()
		if err != nil {
			return nil, bad()
		}
		if s.Type == "float32" {
			return float32(f), nil
		}
		return f, nil
	case "boolean":
		b, ok := v.(bool)
		if !ok {
			return nil, bad()
		}
		return b, nil
	case "string":
		str, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		return str, nil
	case "bytes":
		str, ok := v.(string)
		if !ok {
			return nil, bad()
		}
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			return nil, dataErr("Invalid bytes field")
		}
		return b, nil
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return nil, dataErr("Array value's schema does not match the value")
		}
		out := make([]any, 0, len(arr))
		for _, it := range arr {
			val, err := jsonToConnect(s.Items, it)
			if err != nil {
				return nil, err
			}
			out = append(out, val)
		}
		return out, nil
	case "map":
		m := Map{}
		if s.Keys.Type == "string" {
			obj, ok := v.(jsonObject)
			if !ok {
				return nil, dataErr("Maps with string fields should be encoded as JSON objects, but found %s", jsonKind(v))
			}
			for _, mem := range obj {
				val, err := jsonToConnect(s.Values, mem.Value)
				if err != nil {
					return nil, err
				}
				m = append(m, MapEntry{mem.Key, val})
			}
			return m, nil
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, dataErr("Maps with non-string fields should be encoded as JSON array of tuples, but found %s", jsonKind(v))
		}
		for _, e := range arr {
			pair, ok := e.([]any)
			if !ok || len(pair) != 2 {
				return nil, dataErr("Found invalid map entry instead of array tuple: %s", jsonKind(e))
			}
			k, err := jsonToConnect(s.Keys, pair[0])
			if err != nil {
				return nil, err
			}
			val, err := jsonToConnect(s.Values, pair[1])
			if err != nil {
				return nil, err
			}
			m = append(m, MapEntry{k, val})
		}
		return m, nil
	case "struct":
		obj, ok := v.(jsonObject)
		if !ok {
			return nil, dataErr("Structs should be encoded as JSON objects, but found %s", jsonKind(v))
		}
		st := &Struct{Schema: s}
		for _, f := range s.Fields {
			val, err := jsonToConnect(f.Schema, obj.get(f.Name))
			if err != nil {
				return nil, err
			}
			st.Values = append(st.Values, val)
		}
		return st, nil
	}
	return nil, dataErr("Unknown schema type: %s", s.Type)
}

// jsonKind names a parsed JSON value as Jackson's JsonNodeType does.
func jsonKind(v any) string {
	switch v.(type) {
	case jsonObject:
		return "OBJECT"
	case []any:
		return "ARRAY"
	case string:
		return "STRING"
	case json.Number:
		return "NUMBER"
	case bool:
		return "BOOLEAN"
	}
	return "NULL"
}

// ---------------------------------------------------------------------------
// Java's toString, which is what FileStreamSink prints for each value.

// JavaString renders a Connect value as Java's String.valueOf would.
func JavaString(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float32:
		return javaDouble(float64(x), 32)
	case float64:
		return javaDouble(x, 64)
	case []byte:
		// A byte[]'s toString is its identity ("[B@1b6d3586"); the
		// bytes' hash stands in for the identity hash.
		h := uint32(17)
		for _, c := range x {
			h = h*31 + uint32(c)
		}
		return fmt.Sprintf("[B@%x", h)
	case []any:
		parts := make([]string, len(x))
		for i, it := range x {
			parts[i] = JavaString(it)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case Map:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = JavaString(e.Key) + "=" + JavaString(e.Value)
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case *Struct:
		var sb strings.Builder
		sb.WriteString("Struct{")
		first := true
		for i, f := range x.Schema.Fields {
			if i >= len(x.Values) || x.Values[i] == nil {
				continue // Struct.toString leaves unset fields out
			}
			if !first {
				sb.WriteByte(',')
			}
			first = false
			sb.WriteString(f.Name)
			sb.WriteByte('=')
			sb.WriteString(JavaString(x.Values[i]))
		}
		sb.WriteByte('}')
		return sb.String()
	}
	if n, ok := asInt64(v); ok {
		return strconv.FormatInt(n, 10)
	}
	return fmt.Sprint(v)
}

// javaDouble is Double.toString / Float.toString: plain decimal with at
// least one fraction digit within [1e-3, 1e7), else "d.dddE±n".
func javaDouble(f float64, bits int) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	abs := math.Abs(f)
	if abs >= 1e-3 && abs < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, bits)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, bits) // 1.5E+10
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	exp = strings.TrimPrefix(exp, "+")
	neg := strings.HasPrefix(exp, "-")
	exp = strings.TrimLeft(strings.TrimPrefix(exp, "-"), "0")
	if neg {
		exp = "-" + exp
	}
	return mant + "E" + exp
}
