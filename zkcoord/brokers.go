package zkcoord

import (
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Paths of broker registrations (zookeeper.md §3.1).
const (
	BrokersPath     = "/brokers"
	BrokerIDsPath   = "/brokers/ids"
	BrokerSeqIDPath = "/brokers/seqid"
)

// BrokerIDPath is the ephemeral registration of broker id: /brokers/ids/N.
func BrokerIDPath(id int32) string { return BrokerIDsPath + "/" + strconv.Itoa(int(id)) }

// EndPoint is one advertised listener, "NAME://host:port" in the znode.
type EndPoint struct {
	ListenerName     string // e.g. "PLAINTEXT", "INTERNAL"
	Host             string
	Port             int32
	SecurityProtocol string // PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL
}

// String renders the endpoint as Kafka stores it: "PLAINTEXT://host:9092"
// (IPv6 hosts in brackets).
func (e EndPoint) String() string {
	return e.ListenerName + "://" + net.JoinHostPort(e.Host, strconv.Itoa(int(e.Port)))
}

// ParseEndPoint parses "NAME://host:port"; an empty host stays empty.
func ParseEndPoint(s string) (EndPoint, error) {
	name, hp, ok := strings.Cut(s, "://")
	if !ok || name == "" {
		return EndPoint{}, fmt.Errorf("zkcoord: unable to parse %q to a broker endpoint", s)
	}
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		return EndPoint{}, fmt.Errorf("zkcoord: unable to parse %q to a broker endpoint", s)
	}
	p, err := strconv.ParseInt(port, 10, 32)
	if err != nil {
		return EndPoint{}, fmt.Errorf("zkcoord: unable to parse %q to a broker endpoint", s)
	}
	return EndPoint{ListenerName: name, Host: host, Port: int32(p), SecurityProtocol: name}, nil
}

// FeatureRange is a supported feature's version range (KIP-584).
type FeatureRange struct {
	MinVersion int16 `json:"min_version"`
	MaxVersion int16 `json:"max_version"`
}

// BrokerInfo is the content of /brokers/ids/N. Encode writes version 5
// (Kafka 2.8 with its default IBP); DecodeBrokerInfo reads versions 1 to 5.
type BrokerInfo struct {
	ID        int32
	Endpoints []EndPoint // advertised listeners, in configuration order
	Rack      string     // "" when broker.rack is unset
	JmxPort   int32      // -1 when none
	Timestamp int64      // registration time, epoch ms
	Features  map[string]FeatureRange

	// Set by DecodeBrokerInfo: the znode's layout version and its epoch
	// (czxid). Encode ignores them.
	Version int
	Epoch   int64
}

// BrokerMeta is what replica assignment needs to know of a broker.
type BrokerMeta struct {
	ID   int32
	Rack string // "" = no rack
}

// Meta returns the broker's id and rack.
func (b BrokerInfo) Meta() BrokerMeta { return BrokerMeta{ID: b.ID, Rack: b.Rack} }

// EndPoint returns the endpoint of the named listener.
func (b BrokerInfo) EndPoint(listener string) (EndPoint, bool) {
	for _, e := range b.Endpoints {
		if e.ListenerName == listener {
			return e, true
		}
	}
	return EndPoint{}, false
}

type brokerJSON struct {
	ListenerSecurityProtocolMap map[string]string       `json:"listener_security_protocol_map,omitempty"`
	Endpoints                   []string                `json:"endpoints"`
	JmxPort                     int32                   `json:"jmx_port"`
	Features                    map[string]FeatureRange `json:"features"`
	Host                        *string                 `json:"host"`
	Timestamp                   jsonInt64               `json:"timestamp"`
	Port                        int32                   `json:"port"`
	Version                     jsonVersion             `json:"version"`
	Rack                        *string                 `json:"rack,omitempty"`
}

// Encode returns the version 5 JSON, for example
// {"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://myhost:9092"],"jmx_port":-1,"features":{},"host":"myhost","timestamp":"1620000000000","port":9092,"version":5}
func (b BrokerInfo) Encode() []byte {
	j := brokerJSON{
		ListenerSecurityProtocolMap: map[string]string{},
		Endpoints:                   []string{},
		JmxPort:                     b.JmxPort,
		Features:                    b.Features,
		Timestamp:                   jsonInt64(b.Timestamp),
		Port:                        -1,
		Version:                     5,
	}
	if j.Features == nil {
		j.Features = map[string]FeatureRange{}
	}
	for _, e := range b.Endpoints {
		j.Endpoints = append(j.Endpoints, e.String())
		proto := e.SecurityProtocol
		if proto == "" {
			proto = e.ListenerName
		}
		j.ListenerSecurityProtocolMap[e.ListenerName] = proto
		// host/port: the first PLAINTEXT endpoint, for pre-0.10 clients.
		if j.Host == nil && proto == "PLAINTEXT" {
			h := e.Host
			j.Host, j.Port = &h, e.Port
		}
	}
	if b.Rack != "" {
		r := b.Rack
		j.Rack = &r
	}
	out, _ := json.Marshal(j)
	return out
}

// DecodeBrokerInfo parses /brokers/ids/<id>. Version 1 had only host and
// port; versions 2 and 3 have endpoints named by their security protocol;
// 4 adds the listener map, 5 the features.
func DecodeBrokerInfo(id int32, data []byte) (BrokerInfo, error) {
	var j brokerJSON
	if err := decodeJSON(BrokerIDPath(id), data, &j); err != nil {
		return BrokerInfo{}, err
	}
	b := BrokerInfo{ID: id, JmxPort: j.JmxPort, Timestamp: int64(j.Timestamp), Features: j.Features, Version: int(j.Version)}
	if j.Rack != nil {
		b.Rack = *j.Rack
	}
	if len(j.Endpoints) == 0 && j.Host != nil {
		b.Endpoints = []EndPoint{{ListenerName: "PLAINTEXT", Host: *j.Host, Port: j.Port, SecurityProtocol: "PLAINTEXT"}}
	}
	for _, s := range j.Endpoints {
		e, err := ParseEndPoint(s)
		if err != nil {
			return BrokerInfo{}, err
		}
		if p, ok := j.ListenerSecurityProtocolMap[e.ListenerName]; ok {
			e.SecurityProtocol = p
		}
		b.Endpoints = append(b.Endpoints, e)
	}
	return b, nil
}
