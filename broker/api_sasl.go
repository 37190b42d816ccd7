package broker

// SaslHandshake: v0-1
//
// Behavior:
// * gokafka's listeners are PLAINTEXT only, so no mechanism is enabled: the
//   answer is UNSUPPORTED_SASL_MECHANISM with an empty mechanism list, which
//   makes a SASL-configured client fail with a clear error instead of
//   hanging.
//
// Version notes:
// * v1: the client follows with SaslAuthenticate instead of raw tokens (KIP-152).
//
// Not implemented (why):
// * SASL authentication (PLAIN, SCRAM, GSSAPI): out of scope; no TLS either.

import (
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func (b *Broker) handleSaslHandshake(r *Request) {
	req := r.Msg.(*kmsg.SASLHandshakeRequest)
	resp := req.ResponseKind().(*kmsg.SASLHandshakeResponse)
	resp.ErrorCode = kerr.UnsupportedSaslMechanism.Code
	resp.SupportedMechanisms = []string{}
	r.Respond(resp)
}
