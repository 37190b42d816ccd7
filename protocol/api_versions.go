package protocol

import (
	"regexp"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// APIVersionsKey is the api key of ApiVersions.
const APIVersionsKey int16 = 18

// UnsupportedAPIVersionsResponse is the answer to an ApiVersions request newer
// than the broker supports (KIP-511): a v0 body with UNSUPPORTED_VERSION and
// the broker's own ApiVersions range only, so the client can retry with a
// version both sides know. It is written with response header v0.
func UnsupportedAPIVersionsResponse(minVersion, maxVersion int16) *kmsg.ApiVersionsResponse {
	resp := kmsg.NewPtrApiVersionsResponse()
	resp.SetVersion(0)
	resp.ErrorCode = kerr.UnsupportedVersion.Code
	k := kmsg.NewApiVersionsResponseApiKey()
	k.ApiKey = APIVersionsKey
	k.MinVersion = minVersion
	k.MaxVersion = maxVersion
	resp.ApiKeys = append(resp.ApiKeys, k)
	return resp
}

// clientSoftwarePattern is Kafka's ApiVersionsRequest.isValid pattern for
// client_software_name and client_software_version (KIP-511).
var clientSoftwarePattern = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$`)

// ValidClientSoftware reports whether s is an acceptable
// client_software_name or client_software_version.
func ValidClientSoftware(s string) bool { return clientSoftwarePattern.MatchString(s) }

// ValidateAPIVersionsRequest checks the v3+ client software fields. A failure
// is answered with INVALID_REQUEST (librdkafka then retries with v0).
func ValidateAPIVersionsRequest(req *kmsg.ApiVersionsRequest) error {
	if req.Version < 3 {
		return nil
	}
	if !ValidClientSoftware(req.ClientSoftwareName) {
		return Errorf(kerr.InvalidRequest, "invalid client_software_name %q", req.ClientSoftwareName)
	}
	if !ValidClientSoftware(req.ClientSoftwareVersion) {
		return Errorf(kerr.InvalidRequest, "invalid client_software_version %q", req.ClientSoftwareVersion)
	}
	return nil
}
