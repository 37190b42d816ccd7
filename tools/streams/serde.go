package streams

import (
	"encoding/binary"
	"fmt"
)

// Serde turns values of type T into record bytes and back, as a Java
// Serde<T>. A nil byte slice is Java's null: the runtime never passes nil
// to Deserialize and writes a nil (absent) key or value as nil.
type Serde[T any] interface {
	Serialize(topic string, v T) ([]byte, error)
	Deserialize(topic string, b []byte) (T, error)
}

// String is Serdes.String(): UTF-8 bytes.
var String Serde[string] = stringSerde{}

// Long is Serdes.Long(): 8 bytes, big-endian two's complement.
var Long Serde[int64] = longSerde{}

// Integer is Serdes.Integer(): 4 bytes, big-endian two's complement.
var Integer Serde[int32] = integerSerde{}

// Bytes is Serdes.ByteArray(): the bytes as they are.
var Bytes Serde[[]byte] = bytesSerde{}

type stringSerde struct{}

func (stringSerde) Serialize(_ string, v string) ([]byte, error) { return []byte(v), nil }
func (stringSerde) Deserialize(_ string, b []byte) (string, error) {
	return string(b), nil
}

type longSerde struct{}

func (longSerde) Serialize(_ string, v int64) ([]byte, error) {
	return binary.BigEndian.AppendUint64(nil, uint64(v)), nil
}

func (longSerde) Deserialize(_ string, b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("streams: size of data received by LongDeserializer is not 8")
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}

type integerSerde struct{}

func (integerSerde) Serialize(_ string, v int32) ([]byte, error) {
	return binary.BigEndian.AppendUint32(nil, uint32(v)), nil
}

func (integerSerde) Deserialize(_ string, b []byte) (int32, error) {
	if len(b) != 4 {
		return 0, fmt.Errorf("streams: size of data received by IntegerDeserializer is not 4")
	}
	return int32(binary.BigEndian.Uint32(b)), nil
}

type bytesSerde struct{}

func (bytesSerde) Serialize(_ string, v []byte) ([]byte, error) {
	if v == nil {
		return []byte{}, nil // a typed empty value is not Java's null
	}
	return v, nil
}
func (bytesSerde) Deserialize(_ string, b []byte) ([]byte, error) { return b, nil }

// anySerde is a Serde with its type erased, for the topology's nodes, which
// carry keys and values as any. A nil any is null both ways.
type anySerde struct {
	serialize   func(topic string, v any) ([]byte, error)
	deserialize func(topic string, b []byte) (any, error)
}

func erase[T any](s Serde[T]) anySerde {
	return anySerde{
		serialize: func(topic string, v any) ([]byte, error) {
			if v == nil {
				return nil, nil
			}
			t, ok := v.(T)
			if !ok {
				return nil, fmt.Errorf("streams: serde for %T got a %T", t, v)
			}
			return s.Serialize(topic, t)
		},
		deserialize: func(topic string, b []byte) (any, error) {
			if b == nil {
				return nil, nil
			}
			return s.Deserialize(topic, b)
		},
	}
}

// typed returns v as a T; null (nil) becomes T's zero value.
func typed[T any](v any) T {
	t, _ := v.(T)
	return t
}
