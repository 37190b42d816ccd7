package zkcoord

import (
	"encoding/json"
	"net/url"
	"strings"
)

// Entity types under /config (zookeeper.md §3.7), Kafka's ConfigType.
const (
	ConfigTypeTopic  = "topics"
	ConfigTypeClient = "clients"
	ConfigTypeUser   = "users"
	ConfigTypeBroker = "brokers"
	ConfigTypeIP     = "ips"
)

// DefaultEntity is the name of the default entity: /config/clients/<default>.
const DefaultEntity = "<default>"

// Config paths.
const (
	ConfigPath        = "/config"
	ConfigChangesPath = "/config/changes"
	// ConfigChangePrefix is the prefix of the sequential notification nodes.
	ConfigChangePrefix = "config_change_"
)

// EntityConfigPath is /config/<type>/<name>; name may be a nested path such
// as "U/clients/C" for <user, client-id> quotas.
func EntityConfigPath(entityType, name string) string {
	return ConfigPath + "/" + entityType + "/" + name
}

// ConfigChangeNotificationPath is /config/changes/config_change_ (the prefix
// the sequential create completes).
const ConfigChangeNotificationPath = ConfigChangesPath + "/" + ConfigChangePrefix

// SanitizeEntityName URL-encodes a user or client-id for use as a znode name,
// as Kafka's Sanitizer does ("*" becomes "%2A", " " becomes "%20").
func SanitizeEntityName(name string) string {
	s := url.QueryEscape(name)
	s = strings.ReplaceAll(s, "+", "%20")
	s = strings.ReplaceAll(s, "*", "%2A")
	return s
}

// DesanitizeEntityName reverses SanitizeEntityName.
func DesanitizeEntityName(s string) string {
	out, err := url.PathUnescape(s)
	if err != nil {
		return s
	}
	return out
}

type entityConfigJSON struct {
	Version int               `json:"version"`
	Config  map[string]string `json:"config"`
}

// EncodeEntityConfig returns e.g. {"version":1,"config":{"retention.ms":"86400000"}};
// no overrides give {"version":1,"config":{}}.
func EncodeEntityConfig(cfg map[string]string) []byte {
	if cfg == nil {
		cfg = map[string]string{}
	}
	out, _ := json.Marshal(entityConfigJSON{Version: 1, Config: cfg})
	return out
}

// DecodeEntityConfig parses /config/<type>/<name>; an empty znode is an
// empty config.
func DecodeEntityConfig(path string, data []byte) (map[string]string, error) {
	cfg := map[string]string{}
	if len(data) == 0 {
		return cfg, nil
	}
	var j struct {
		Config map[string]any `json:"config"`
	}
	if err := decodeJSON(path, data, &j); err != nil {
		return nil, err
	}
	for k, v := range j.Config {
		switch v := v.(type) {
		case string:
			cfg[k] = v
		default:
			b, _ := json.Marshal(v) // tolerate numbers written by foreign tools
			cfg[k] = string(b)
		}
	}
	return cfg, nil
}

// ConfigChange is the content of /config/changes/config_change_NNNNNNNNNN.
type ConfigChange struct {
	EntityPath string // "topics/foo", "users/U/clients/C", "brokers/<default>", ...
}

// EntityType and EntityName split EntityPath at its first slash.
func (c ConfigChange) EntityType() string { t, _, _ := strings.Cut(c.EntityPath, "/"); return t }

// EntityName is the part of EntityPath after the type.
func (c ConfigChange) EntityName() string { _, n, _ := strings.Cut(c.EntityPath, "/"); return n }

// Encode returns {"version":2,"entity_path":"topics/foo"}.
func (c ConfigChange) Encode() []byte {
	out, _ := json.Marshal(struct {
		Version    int    `json:"version"`
		EntityPath string `json:"entity_path"`
	}{2, c.EntityPath})
	return out
}

// DecodeConfigChange parses a notification, version 2 or the obsolete
// version 1 ({"version":1,"entity_type":"topics","entity_name":"foo"}).
func DecodeConfigChange(data []byte) (ConfigChange, error) {
	var j struct {
		Version    jsonVersion `json:"version"`
		EntityPath string      `json:"entity_path"`
		EntityType string      `json:"entity_type"`
		EntityName string      `json:"entity_name"`
	}
	if err := decodeJSON(ConfigChangesPath, data, &j); err != nil {
		return ConfigChange{}, err
	}
	if j.Version == 1 || (j.EntityPath == "" && j.EntityType != "") {
		return ConfigChange{EntityPath: j.EntityType + "/" + j.EntityName}, nil
	}
	return ConfigChange{EntityPath: j.EntityPath}, nil
}
