package tools

import (
	"encoding/base64"
	"fmt"
	"math"
	"strconv"
	"time"

	"go.uber.org/zap/zapcore"
)

// fieldEncoder renders zap fields the way Kafka's own log idents read,
// "key=value, key=value", so a line looks like
//
//	[...] INFO Deleting segment 0 [offset=0, size=987] (kafka.log.Log)
//
// rather than carrying a JSON object that no log4j line has. It
// accumulates into one byte slice: fields given to With are rendered once,
// per-entry fields are appended to a copy.
type fieldEncoder struct {
	buf []byte
	ns  string // an open namespace prefixes later keys ("ns.key")
}

func (e *fieldEncoder) key(k string) {
	if len(e.buf) > 0 {
		e.buf = append(e.buf, ", "...)
	}
	if e.ns != "" {
		e.buf = append(e.buf, e.ns...)
		e.buf = append(e.buf, '.')
	}
	e.buf = append(e.buf, k...)
	e.buf = append(e.buf, '=')
}

func (e *fieldEncoder) AddString(k, v string) { e.key(k); e.buf = append(e.buf, v...) }
func (e *fieldEncoder) AddByteString(k string, v []byte) {
	e.key(k)
	e.buf = append(e.buf, v...)
}
func (e *fieldEncoder) AddBinary(k string, v []byte) {
	e.key(k)
	e.buf = base64.StdEncoding.AppendEncode(e.buf, v)
}
func (e *fieldEncoder) AddBool(k string, v bool)   { e.key(k); e.buf = strconv.AppendBool(e.buf, v) }
func (e *fieldEncoder) AddInt(k string, v int)     { e.AddInt64(k, int64(v)) }
func (e *fieldEncoder) AddInt32(k string, v int32) { e.AddInt64(k, int64(v)) }
func (e *fieldEncoder) AddInt16(k string, v int16) { e.AddInt64(k, int64(v)) }
func (e *fieldEncoder) AddInt8(k string, v int8)   { e.AddInt64(k, int64(v)) }
func (e *fieldEncoder) AddInt64(k string, v int64) {
	e.key(k)
	e.buf = strconv.AppendInt(e.buf, v, 10)
}
func (e *fieldEncoder) AddUint(k string, v uint)       { e.AddUint64(k, uint64(v)) }
func (e *fieldEncoder) AddUint32(k string, v uint32)   { e.AddUint64(k, uint64(v)) }
func (e *fieldEncoder) AddUint16(k string, v uint16)   { e.AddUint64(k, uint64(v)) }
func (e *fieldEncoder) AddUint8(k string, v uint8)     { e.AddUint64(k, uint64(v)) }
func (e *fieldEncoder) AddUintptr(k string, v uintptr) { e.AddUint64(k, uint64(v)) }
func (e *fieldEncoder) AddUint64(k string, v uint64) {
	e.key(k)
	e.buf = strconv.AppendUint(e.buf, v, 10)
}
func (e *fieldEncoder) AddFloat32(k string, v float32) { e.AddFloat64(k, float64(v)) }
func (e *fieldEncoder) AddFloat64(k string, v float64) {
	e.key(k)
	if math.IsInf(v, 0) || math.IsNaN(v) {
		e.buf = append(e.buf, fmt.Sprint(v)...)
		return
	}
	e.buf = strconv.AppendFloat(e.buf, v, 'f', -1, 64)
}
func (e *fieldEncoder) AddComplex128(k string, v complex128) {
	e.key(k)
	e.buf = fmt.Append(e.buf, v)
}
func (e *fieldEncoder) AddComplex64(k string, v complex64) { e.AddComplex128(k, complex128(v)) }

// AddDuration prints milliseconds, the unit of every Kafka timeout.
func (e *fieldEncoder) AddDuration(k string, v time.Duration) {
	e.key(k)
	e.buf = strconv.AppendInt(e.buf, v.Milliseconds(), 10)
	e.buf = append(e.buf, " ms"...)
}
func (e *fieldEncoder) AddTime(k string, v time.Time) {
	e.key(k)
	e.buf = append(e.buf, v.Format(log4jTimeLayout)...)
}
func (e *fieldEncoder) AddReflected(k string, v any) error {
	e.key(k)
	e.buf = fmt.Append(e.buf, v)
	return nil
}
func (e *fieldEncoder) OpenNamespace(k string) {
	if e.ns != "" {
		k = e.ns + "." + k
	}
	e.ns = k
}

// Arrays print as [a, b, c] (Scala's Seq.mkString look); objects as
// {k=v, ...}.
func (e *fieldEncoder) AddArray(k string, v zapcore.ArrayMarshaler) error {
	e.key(k)
	a := arrayEncoder{buf: append(e.buf, '[')}
	err := v.MarshalLogArray(&a)
	e.buf = append(a.buf, ']')
	return err
}
func (e *fieldEncoder) AddObject(k string, v zapcore.ObjectMarshaler) error {
	e.key(k)
	inner := fieldEncoder{}
	err := v.MarshalLogObject(&inner)
	e.buf = append(e.buf, '{')
	e.buf = append(e.buf, inner.buf...)
	e.buf = append(e.buf, '}')
	return err
}

// arrayEncoder renders array elements separated by ", ".
type arrayEncoder struct {
	buf []byte
	n   int
}

func (a *arrayEncoder) sep() {
	if a.n > 0 {
		a.buf = append(a.buf, ", "...)
	}
	a.n++
}
func (a *arrayEncoder) one(f func(e *fieldEncoder)) {
	a.sep()
	e := fieldEncoder{}
	f(&e)
	// The element was written as "=value": drop the empty key's "=".
	a.buf = append(a.buf, e.buf[1:]...)
}
func (a *arrayEncoder) AppendBool(v bool) { a.one(func(e *fieldEncoder) { e.AddBool("", v) }) }
func (a *arrayEncoder) AppendByteString(v []byte) {
	a.one(func(e *fieldEncoder) { e.AddByteString("", v) })
}
func (a *arrayEncoder) AppendComplex128(v complex128) {
	a.one(func(e *fieldEncoder) { e.AddComplex128("", v) })
}
func (a *arrayEncoder) AppendComplex64(v complex64) {
	a.one(func(e *fieldEncoder) { e.AddComplex64("", v) })
}
func (a *arrayEncoder) AppendFloat64(v float64) { a.one(func(e *fieldEncoder) { e.AddFloat64("", v) }) }
func (a *arrayEncoder) AppendFloat32(v float32) { a.one(func(e *fieldEncoder) { e.AddFloat32("", v) }) }
func (a *arrayEncoder) AppendInt(v int)         { a.one(func(e *fieldEncoder) { e.AddInt("", v) }) }
func (a *arrayEncoder) AppendInt64(v int64)     { a.one(func(e *fieldEncoder) { e.AddInt64("", v) }) }
func (a *arrayEncoder) AppendInt32(v int32)     { a.one(func(e *fieldEncoder) { e.AddInt32("", v) }) }
func (a *arrayEncoder) AppendInt16(v int16)     { a.one(func(e *fieldEncoder) { e.AddInt16("", v) }) }
func (a *arrayEncoder) AppendInt8(v int8)       { a.one(func(e *fieldEncoder) { e.AddInt8("", v) }) }
func (a *arrayEncoder) AppendString(v string)   { a.one(func(e *fieldEncoder) { e.AddString("", v) }) }
func (a *arrayEncoder) AppendUint(v uint)       { a.one(func(e *fieldEncoder) { e.AddUint("", v) }) }
func (a *arrayEncoder) AppendUint64(v uint64)   { a.one(func(e *fieldEncoder) { e.AddUint64("", v) }) }
func (a *arrayEncoder) AppendUint32(v uint32)   { a.one(func(e *fieldEncoder) { e.AddUint32("", v) }) }
func (a *arrayEncoder) AppendUint16(v uint16)   { a.one(func(e *fieldEncoder) { e.AddUint16("", v) }) }
func (a *arrayEncoder) AppendUint8(v uint8)     { a.one(func(e *fieldEncoder) { e.AddUint8("", v) }) }
func (a *arrayEncoder) AppendUintptr(v uintptr) { a.one(func(e *fieldEncoder) { e.AddUintptr("", v) }) }
func (a *arrayEncoder) AppendDuration(v time.Duration) {
	a.one(func(e *fieldEncoder) { e.AddDuration("", v) })
}
func (a *arrayEncoder) AppendTime(v time.Time) { a.one(func(e *fieldEncoder) { e.AddTime("", v) }) }
func (a *arrayEncoder) AppendArray(v zapcore.ArrayMarshaler) error {
	var err error
	a.one(func(e *fieldEncoder) { err = e.AddArray("", v) })
	return err
}
func (a *arrayEncoder) AppendObject(v zapcore.ObjectMarshaler) error {
	var err error
	a.one(func(e *fieldEncoder) { err = e.AddObject("", v) })
	return err
}
func (a *arrayEncoder) AppendReflected(v any) error {
	var err error
	a.one(func(e *fieldEncoder) { err = e.AddReflected("", v) })
	return err
}
