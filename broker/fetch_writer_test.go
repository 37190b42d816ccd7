package broker

import (
	"bufio"
	"bytes"
	"io"
	"math/rand"
	"net"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kbin"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// randomFetchResponse fills every field a v4-v12 FetchResponse can carry
// with random values (record batches as random bytes, sometimes nil or
// empty; tagged fields sometimes set).
func randomFetchResponse(rng *rand.Rand, version int16) *kmsg.FetchResponse {
	resp := kmsg.NewPtrFetchResponse()
	resp.Version = version
	resp.ThrottleMillis = rng.Int31()
	resp.ErrorCode = int16(rng.Intn(100))
	resp.SessionID = rng.Int31()
	for ti := 0; ti < rng.Intn(4); ti++ {
		t := kmsg.NewFetchResponseTopic()
		t.Topic = randString(rng, rng.Intn(40))
		for pi := 0; pi < rng.Intn(4); pi++ {
			p := kmsg.NewFetchResponseTopicPartition()
			p.Partition = rng.Int31()
			p.ErrorCode = int16(rng.Intn(100))
			p.HighWatermark = rng.Int63()
			p.LastStableOffset = rng.Int63()
			p.LogStartOffset = rng.Int63()
			switch rng.Intn(3) {
			case 0:
				p.AbortedTransactions = nil
			case 1:
				p.AbortedTransactions = []kmsg.FetchResponseTopicPartitionAbortedTransaction{}
			default:
				for i := 0; i < 1+rng.Intn(3); i++ {
					a := kmsg.NewFetchResponseTopicPartitionAbortedTransaction()
					a.ProducerID, a.FirstOffset = rng.Int63(), rng.Int63()
					p.AbortedTransactions = append(p.AbortedTransactions, a)
				}
			}
			p.PreferredReadReplica = rng.Int31()
			switch rng.Intn(3) {
			case 0:
				p.RecordBatches = nil
			case 1:
				p.RecordBatches = []byte{}
			default:
				p.RecordBatches = make([]byte, 1+rng.Intn(300))
				rng.Read(p.RecordBatches)
			}
			if rng.Intn(2) == 0 {
				p.DivergingEpoch.Epoch, p.DivergingEpoch.EndOffset = rng.Int31(), rng.Int63()
			}
			if rng.Intn(3) == 0 {
				p.CurrentLeader.LeaderID, p.CurrentLeader.LeaderEpoch = rng.Int31(), rng.Int31()
			}
			if rng.Intn(4) == 0 {
				p.SnapshotID.EndOffset, p.SnapshotID.Epoch = rng.Int63(), rng.Int31()
			}
			t.Partitions = append(t.Partitions, p)
		}
		resp.Topics = append(resp.Topics, t)
	}
	if rng.Intn(3) == 0 {
		for i := 0; i < 1+rng.Intn(2); i++ {
			b := kmsg.NewFetchResponseBroker()
			b.NodeID, b.Host, b.Port = rng.Int31(), randString(rng, 10), rng.Int31()
			if rng.Intn(2) == 0 {
				r := randString(rng, 5)
				b.Rack = &r
			}
			resp.Brokers = append(resp.Brokers, b)
		}
	}
	return resp
}

func randString(rng *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('a' + rng.Intn(26))
	}
	return string(b)
}

// TestFetchEnvelopeMatchesKmsg: with every record set inline, the
// hand-written envelope encoder produces exactly kmsg's bytes, for every
// Fetch version the broker can advertise and random contents.
func TestFetchEnvelopeMatchesKmsg(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for version := int16(4); version <= 12; version++ {
		for i := 0; i < 300; i++ {
			resp := randomFetchResponse(rng, version)
			want := resp.AppendTo(nil)
			got, splices := encodeFetchEnvelope(nil, nil, resp, nil)
			if len(splices) != 0 {
				t.Fatalf("v%d: %d splices without file ranges", version, len(splices))
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("v%d case %d: envelope differs from kmsg\n got %x\nwant %x", version, i, got, want)
			}
		}
	}
}

// TestFetchResultSendfileMatchesKmsg: records taken from a file and sent
// with sendfile over a real TCP connection arrive as exactly the frame kmsg
// would have encoded with the records inline, and sendfile was used.
func TestFetchResultSendfileMatchesKmsg(t *testing.T) {
	rng := rand.New(rand.NewSource(2))
	f := tempFile(t)
	for version := int16(4); version <= 12; version++ {
		for i := 0; i < 20; i++ {
			resp := randomFetchResponse(rng, version)
			want := frameOf(resp, 77)
			fr := newFetchResult(resp)
			ranges := 0
			// Move each non-empty record set into the file and blank it.
			for ti := range resp.Topics {
				for pi := range resp.Topics[ti].Partitions {
					p := &resp.Topics[ti].Partitions[pi]
					if len(p.RecordBatches) == 0 {
						continue
					}
					pos, err := f.Seek(0, io.SeekEnd)
					if err != nil {
						t.Fatal(err)
					}
					if _, err := f.Write(p.RecordBatches); err != nil {
						t.Fatal(err)
					}
					fr.setRecords(ti, pi, f, pos, int32(len(p.RecordBatches)))
					p.RecordBatches = []byte{}
					ranges++
				}
			}
			before := sendfileCalls.Load()
			got := sendOverTCP(t, func(w *bufio.Writer, c *net.TCPConn) error {
				return fr.WriteFrame(w, c, 77)
			})
			if !bytes.Equal(got, want) {
				t.Fatalf("v%d case %d: frame differs from kmsg's\n got %x\nwant %x", version, i, got, want)
			}
			if ranges > 0 && sendfileCalls.Load() == before {
				t.Fatalf("v%d case %d: %d file ranges sent without sendfile", version, i, ranges)
			}
		}
	}
}

// TestFetchResultShortFileFails: a range that runs past the end of the file
// (segment truncated under the response) is an error, so the connection is
// closed rather than sending a frame shorter than its size prefix.
func TestFetchResultShortFileFails(t *testing.T) {
	f := tempFile(t)
	if _, err := f.Write(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	resp := kmsg.NewPtrFetchResponse()
	resp.Version = 11
	tp := kmsg.NewFetchResponseTopic()
	tp.Topic = "t"
	tp.Partitions = []kmsg.FetchResponseTopicPartition{kmsg.NewFetchResponseTopicPartition()}
	resp.Topics = append(resp.Topics, tp)
	fr := newFetchResult(resp)
	fr.setRecords(0, 0, f, 50, 200)
	var werr error
	sendOverTCP(t, func(w *bufio.Writer, c *net.TCPConn) error {
		werr = fr.WriteFrame(w, c, 1)
		return nil
	})
	if werr == nil {
		t.Fatal("WriteFrame succeeded although the file is 150 bytes short")
	}
}

// TestFetchResultCopyFallback: without a raw socket the ranges are copied.
func TestFetchResultCopyFallback(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	f := tempFile(t)
	resp := randomFetchResponse(rng, 11)
	for len(resp.Topics) == 0 || len(resp.Topics[0].Partitions) == 0 {
		resp = randomFetchResponse(rng, 11)
	}
	resp.Topics[0].Partitions[0].RecordBatches = []byte("0123456789")
	want := frameOf(resp, 5)
	f.Write([]byte("xx0123456789yy"))
	fr := newFetchResult(resp)
	fr.setRecords(0, 0, f, 2, 10)
	resp.Topics[0].Partitions[0].RecordBatches = []byte{}
	var buf bytes.Buffer
	w := bufio.NewWriter(&buf)
	if err := fr.WriteFrame(w, nil, 5); err != nil {
		t.Fatal(err)
	}
	w.Flush()
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("copied frame differs\n got %x\nwant %x", buf.Bytes(), want)
	}
}

// frameOf is the frame kmsg-based code would write for resp.
func frameOf(resp *kmsg.FetchResponse, corr int32) []byte {
	body := resp.AppendTo(nil)
	hdr := kbin.AppendInt32(nil, corr)
	if resp.IsFlexible() {
		hdr = append(hdr, 0)
	}
	out := kbin.AppendInt32(nil, int32(len(hdr)+len(body)))
	out = append(out, hdr...)
	return append(out, body...)
}

func tempFile(t *testing.T) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "segment.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// sendOverTCP runs write on the server side of a loopback TCP connection
// and returns everything the client received.
func sendOverTCP(t *testing.T, write func(*bufio.Writer, *net.TCPConn) error) []byte {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	errc := make(chan error, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			errc <- err
			return
		}
		defer c.Close()
		w := bufio.NewWriter(c)
		if err := write(w, c.(*net.TCPConn)); err != nil {
			errc <- err
			return
		}
		errc <- w.Flush()
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	got, err := io.ReadAll(c)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return got
}
