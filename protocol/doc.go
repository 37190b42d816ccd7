// Package protocol is the Kafka wire plumbing the broker needs around kmsg:
// size-prefixed framing, request header v0/v1/v2 parsing, response header
// v0/v1 encoding, the ApiVersions edge cases of KIP-511, and the mapping of
// Go errors to Kafka error codes.
//
// Wire contract (Kafka 2.8, see shared/reference/protocol.md §1):
//
//   - Every request and response is an int32 size followed by that many bytes.
//   - Request header v0 = api_key int16, api_version int16, correlation_id
//     int32; v1 adds a nullable (int16-length) client_id; v2 adds a tagged
//     field section. A request whose API version is flexible (KIP-482) uses
//     header v2, any other header v1, except ControlledShutdown v0 (header v0).
//   - Response header v0 = correlation_id; v1 adds tagged fields and is used
//     for flexible versions, except ApiVersions, whose responses always use
//     header v0 so a client can read the answer whatever version it sent.
//
// Request and response bodies are encoded and decoded by kmsg; this package
// never hand-writes a codec for a message body.
//
// protocol imports no other gokafka package: it knows nothing of ZooKeeper,
// files or the broker.
package protocol
