package streams

import (
	"bytes"
	"testing"
)

// Serdes.Long and Serdes.Integer are big-endian two's complement; the
// console consumer's LongDeserializer reads what Long writes.
func TestSerdes(t *testing.T) {
	for _, c := range []struct {
		v    int64
		want []byte
	}{
		{1, []byte{0, 0, 0, 0, 0, 0, 0, 1}},
		{256, []byte{0, 0, 0, 0, 0, 0, 1, 0}},
		{-1, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}},
	} {
		b, _ := Long.Serialize("t", c.v)
		if !bytes.Equal(b, c.want) {
			t.Errorf("Long(%d) = %x, want %x", c.v, b, c.want)
		}
		if v, err := Long.Deserialize("t", b); err != nil || v != c.v {
			t.Errorf("Long round trip of %d: %d %v", c.v, v, err)
		}
	}
	if _, err := Long.Deserialize("t", []byte{1, 2, 3}); err == nil {
		t.Error("Long accepted 3 bytes")
	}
	if b, _ := Integer.Serialize("t", -2); !bytes.Equal(b, []byte{0xff, 0xff, 0xff, 0xfe}) {
		t.Errorf("Integer(-2) = %x", b)
	}
	if b, _ := String.Serialize("t", "kafka"); string(b) != "kafka" {
		t.Errorf("String = %q", b)
	}
	if v, _ := Bytes.Deserialize("t", []byte{1}); !bytes.Equal(v, []byte{1}) {
		t.Errorf("Bytes = %x", v)
	}
}

// nil (Java's null) passes through an erased serde both ways, without
// calling the typed serde.
func TestErasedSerdeNull(t *testing.T) {
	s := erase(Long)
	if b, err := s.serialize("t", nil); b != nil || err != nil {
		t.Errorf("serialize(nil) = %v %v", b, err)
	}
	if v, err := s.deserialize("t", nil); v != nil || err != nil {
		t.Errorf("deserialize(nil) = %v %v", v, err)
	}
	if _, err := s.serialize("t", "not a long"); err == nil {
		t.Error("a string went through the Long serde")
	}
}
