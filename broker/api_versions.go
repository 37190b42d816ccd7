package broker

// ApiVersions: v0-3
//
// Behavior:
// * Answers from apiTable: every key this broker handles with its version
//   range, sorted by key (what kafka-broker-api-versions.sh prints).
// * A version above 3 never reaches this handler: the connection answers it
//   with a v0 body, UNSUPPORTED_VERSION and ApiVersions 0-3 (KIP-511, see
//   conn.dispatch and protocol.UnsupportedAPIVersionsResponse).
// * v3 client_software_name / client_software_version must match KIP-511's
//   pattern, else INVALID_REQUEST with no keys (librdkafka retries with v0).
// * Responses always use response header v0 (protocol.ResponseHeaderFlexible).
//
// Version notes:
// * v1: throttle_time_ms.
// * v2: no changes.
// * v3: flexible; client software fields; tagged supported_features (empty:
//   a 2.8 broker defines no features), finalized_features_epoch -1,
//   finalized_features (empty).
//
// Not implemented (why):
// * Quotas: throttle_time_ms is always 0.

import (
	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/protocol"
)

func (b *Broker) handleAPIVersions(r *Request) {
	req := r.Msg.(*kmsg.ApiVersionsRequest)
	resp := req.ResponseKind().(*kmsg.ApiVersionsResponse)
	if err := protocol.ValidateAPIVersionsRequest(req); err != nil {
		resp.ErrorCode = protocol.ErrorCode(err)
		r.Respond(resp)
		return
	}
	resp.ApiKeys = apiVersionsKeys
	resp.FinalizedFeaturesEpoch = -1
	r.Respond(resp)
}

// apiVersionsKeys is the ApiVersions key list, computed once from apiTable.
// (Set in init: apiTable refers to handleAPIVersions, so a direct
// initializer would be an initialization cycle.)
var apiVersionsKeys []kmsg.ApiVersionsResponseApiKey

func init() { apiVersionsKeys = apiVersionKeys() }

// apiVersionKeys builds the ApiVersions key list, sorted by key.
func apiVersionKeys() []kmsg.ApiVersionsResponseApiKey {
	keys := make([]kmsg.ApiVersionsResponseApiKey, 0, len(apiTable))
	for _, a := range apiTable {
		k := kmsg.NewApiVersionsResponseApiKey()
		k.ApiKey, k.MinVersion, k.MaxVersion = a.key, a.minVersion, a.maxVersion
		keys = append(keys, k)
	}
	// apiTable is kept sorted by key; sort anyway so a misplaced row cannot
	// reorder the answer.
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j].ApiKey < keys[j-1].ApiKey; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}
