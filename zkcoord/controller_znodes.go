package zkcoord

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// Controller election nodes (zookeeper.md §3.4).
const (
	ControllerPath      = "/controller"
	ControllerEpochPath = "/controller_epoch"
)

// ControllerInfo is the content of the ephemeral /controller.
type ControllerInfo struct {
	BrokerID  int32
	Timestamp int64 // epoch ms
}

type controllerJSON struct {
	Version   int       `json:"version"`
	BrokerID  int32     `json:"brokerid"`
	Timestamp jsonInt64 `json:"timestamp"`
}

// Encode returns e.g. {"version":1,"brokerid":0,"timestamp":"1620000000000"}.
func (c ControllerInfo) Encode() []byte {
	out, _ := json.Marshal(controllerJSON{Version: 1, BrokerID: c.BrokerID, Timestamp: jsonInt64(c.Timestamp)})
	return out
}

// DecodeControllerInfo parses /controller. Very old brokers wrote a bare
// integer; it is accepted too.
func DecodeControllerInfo(data []byte) (ControllerInfo, error) {
	if n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 32); err == nil {
		return ControllerInfo{BrokerID: int32(n)}, nil
	}
	var j controllerJSON
	if err := decodeJSON(ControllerPath, data, &j); err != nil {
		return ControllerInfo{}, err
	}
	return ControllerInfo{BrokerID: j.BrokerID, Timestamp: int64(j.Timestamp)}, nil
}

// EncodeControllerEpoch renders /controller_epoch: plain decimal text, not JSON.
func EncodeControllerEpoch(epoch int32) []byte { return []byte(strconv.Itoa(int(epoch))) }

// DecodeControllerEpoch parses /controller_epoch.
func DecodeControllerEpoch(data []byte) (int32, error) {
	n, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("zkcoord: decoding %s: %q is not a number", ControllerEpochPath, data)
	}
	return int32(n), nil
}
