package broker

import (
	"testing"

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
