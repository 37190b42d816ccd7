package zkcoord

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
)

// Cluster-wide nodes (zookeeper.md §3.8).
const (
	ClusterPath   = "/cluster"
	ClusterIDPath = "/cluster/id"
	FeaturePath   = "/feature"
)

// NewClusterID returns a random UUID (version 4) as URL-safe base64 without
// padding, 22 characters, as Kafka's CoreUtils.generateUuidAsBase64 does.
func NewClusterID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// EncodeClusterID returns {"version":"1","id":"<id>"}; the version is a string.
func EncodeClusterID(id string) []byte {
	out, _ := json.Marshal(struct {
		Version string `json:"version"`
		ID      string `json:"id"`
	}{"1", id})
	return out
}

// DecodeClusterID parses /cluster/id.
func DecodeClusterID(data []byte) (string, error) {
	var j struct {
		ID string `json:"id"`
	}
	if err := decodeJSON(ClusterIDPath, data, &j); err != nil {
		return "", err
	}
	return j.ID, nil
}

// FeatureZNode is the content of /feature (KIP-584).
type FeatureZNode struct {
	Enabled  bool // status 1 (enabled) or 0 (disabled)
	Features map[string]FeatureRange
}

type featureJSON struct {
	Features map[string]FeatureRange `json:"features"`
	Version  int                     `json:"version"`
	Status   int                     `json:"status"`
}

// Encode returns e.g. {"features":{},"version":1,"status":1}.
func (f FeatureZNode) Encode() []byte {
	j := featureJSON{Features: f.Features, Version: 1}
	if j.Features == nil {
		j.Features = map[string]FeatureRange{}
	}
	if f.Enabled {
		j.Status = 1
	}
	out, _ := json.Marshal(j)
	return out
}

// DecodeFeatureZNode parses /feature.
func DecodeFeatureZNode(data []byte) (FeatureZNode, error) {
	var j featureJSON
	if err := decodeJSON(FeaturePath, data, &j); err != nil {
		return FeatureZNode{}, err
	}
	return FeatureZNode{Enabled: j.Status == 1, Features: j.Features}, nil
}
