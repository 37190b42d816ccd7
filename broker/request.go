package broker

import (
	"sync/atomic"

	"github.com/twmb/franz-go/pkg/kmsg"
)

// Request is one decoded request on a connection, handed to its handler.
//
// A handler finishes a request exactly once, from any goroutine, by calling
// one of Respond, RespondFetch, NoResponse or Close. Until it does, the
// connection keeps decoding later requests (pipelining) but holds back their
// responses, which always leave in request order. A second finish is
// ignored (and logged): it is a bug in the handler, not in the client.
type Request struct {
	Key           int16
	Version       int16
	CorrelationID int32
	ClientID      string
	Listener      string // listener name the request arrived on, e.g. "PLAINTEXT"
	ClientHost    string // remote address without port, for DescribeGroups member hosts
	Msg           kmsg.Request

	conn     *conn
	seq      uint64
	finished atomic.Bool
}

// Respond sends resp (whose version is set to the request's) as this
// request's answer.
func (r *Request) Respond(resp kmsg.Response) { r.conn.complete(r, pending{resp: resp}) }

// RespondFetch sends a Fetch response whose record sets are file slices,
// written with sendfile (see fetch_writer.go).
func (r *Request) RespondFetch(fr *FetchResult) { r.conn.complete(r, pending{fetch: fr}) }

// NoResponse finishes a request that gets no answer (Produce with acks=0).
func (r *Request) NoResponse() { r.conn.complete(r, pending{none: true}) }

// Close finishes the request by closing the connection once every earlier
// response has been written (how Kafka signals an acks=0 produce error or an
// unparseable request).
func (r *Request) Close(reason error) { r.conn.complete(r, pending{closeErr: reason}) }
