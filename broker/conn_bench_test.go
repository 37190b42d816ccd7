package broker

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/protocol"
)

// BenchmarkRequestPath measures the connection layer end to end over
// loopback: frames in, header parse, kmsg decode, handler (ApiVersions v3
// or Metadata v11 for all topics of an empty cache), kmsg encode, ordered
// write. depth requests are kept in flight (pipelining).
func BenchmarkRequestPath(b *testing.B) {
	for _, bc := range []struct {
		name  string
		depth int
		req   func() []byte
	}{
		{"ApiVersions/depth1", 1, func() []byte { return protocol.AppendRequest(nil, apiVersionsReq(3), 1, nil) }},
		{"ApiVersions/depth32", 32, func() []byte { return protocol.AppendRequest(nil, apiVersionsReq(3), 1, nil) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			br, _ := newConnBroker(b)
			c := dialRaw(b, br.addr())
			frame := bc.req()
			batch := make([]byte, 0, len(frame)*bc.depth)
			for i := 0; i < bc.depth; i++ {
				batch = append(batch, frame...)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i += bc.depth {
				if _, err := c.nc.Write(batch); err != nil {
					b.Fatal(err)
				}
				for j := 0; j < bc.depth; j++ {
					if _, err := c.readFrame(); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// BenchmarkProducePath measures one Produce request through the connection
// layer and a real replica manager and log (broker 1, sole replica of t-0):
// frame read, decode, validation, the log append (a page-cache write), the
// answer. recs records of size bytes per request, one request in flight, as
// a producer with linger 0 at a moderate rate sends them.
//
//	go test -run '^$' -bench ProducePath -benchmem ./broker
func BenchmarkProducePath(b *testing.B) {
	for _, bc := range []struct{ recs, size int }{{8, 1000}, {1000, 1000}, {10000, 100}} {
		b.Run(fmt.Sprintf("%dx%dB", bc.recs, bc.size), func(b *testing.B) {
			br, _ := produceFrameBroker(b, []int32{1})
			batch := bigBatch(rand.New(rand.NewPCG(5, 6)), bc.recs, bc.size)
			frame := protocol.AppendRequest(nil, produceReq(-1, batch), 1, kmsg.StringPtr("bench"))
			c := dialRaw(b, br.addr())
			b.SetBytes(int64(len(batch)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := c.nc.Write(frame); err != nil {
					b.Fatal(err)
				}
				if _, err := c.readFrame(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
