package zkcoord

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// topicConfigDef is one row of Kafka 2.8's topic-level config table
// (kafka.log.LogConfig): its type and the values it accepts.
type topicConfigDef struct {
	typ   string   // INT, LONG, DOUBLE, BOOLEAN, STRING, LIST
	min   float64  // lowest accepted number (NaN: no bound)
	max   float64  // highest accepted number (NaN: no bound)
	oneOf []string // accepted strings (each element for LIST)
}

var noBound = math.NaN()

func num(typ string, min float64) topicConfigDef {
	return topicConfigDef{typ: typ, min: min, max: noBound}
}

var topicConfigDefs = map[string]topicConfigDef{
	"segment.bytes":                           num("INT", 14),
	"segment.ms":                              num("LONG", 1),
	"segment.jitter.ms":                       num("LONG", 0),
	"segment.index.bytes":                     num("INT", 4),
	"flush.messages":                          num("LONG", 0),
	"flush.ms":                                num("LONG", 0),
	"retention.bytes":                         num("LONG", noBound),
	"retention.ms":                            num("LONG", -1),
	"max.message.bytes":                       num("INT", 0),
	"index.interval.bytes":                    num("INT", 0),
	"delete.retention.ms":                     num("LONG", 0),
	"min.compaction.lag.ms":                   num("LONG", 0),
	"max.compaction.lag.ms":                   num("LONG", 1),
	"file.delete.delay.ms":                    num("LONG", 0),
	"min.cleanable.dirty.ratio":               {typ: "DOUBLE", min: 0, max: 1},
	"cleanup.policy":                          {typ: "LIST", min: noBound, max: noBound, oneOf: []string{"compact", "delete"}},
	"unclean.leader.election.enable":          {typ: "BOOLEAN"},
	"min.insync.replicas":                     num("INT", 1),
	"compression.type":                        {typ: "STRING", oneOf: []string{"uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"}},
	"preallocate":                             {typ: "BOOLEAN"},
	"message.format.version":                  {typ: "STRING"},
	"message.timestamp.type":                  {typ: "STRING", oneOf: []string{"CreateTime", "LogAppendTime"}},
	"message.timestamp.difference.max.ms":     num("LONG", 0),
	"leader.replication.throttled.replicas":   {typ: "LIST", min: noBound, max: noBound},
	"follower.replication.throttled.replicas": {typ: "LIST", min: noBound, max: noBound},
	"message.downconversion.enable":           {typ: "BOOLEAN"},
}

// TopicConfigNames returns the names of Kafka 2.8's topic-level configs, sorted.
func TopicConfigNames() []string {
	names := make([]string, 0, len(topicConfigDefs))
	for n := range topicConfigDefs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ValidateTopicConfigNames checks that every key is a topic config
// (Kafka's LogConfig.validateNames).
func ValidateTopicConfigNames(names []string) error {
	for _, n := range names {
		if _, ok := topicConfigDefs[n]; !ok {
			return adminErr(classInvalidConfig, "INVALID_CONFIG", "Unknown topic config name: %s", n)
		}
	}
	return nil
}

// ValidateTopicConfig checks names, types and ranges of topic overrides with
// Kafka's messages (LogConfig.validate).
func ValidateTopicConfig(cfg map[string]string) error {
	names := make([]string, 0, len(cfg))
	for n := range cfg {
		names = append(names, n)
	}
	sort.Strings(names)
	if err := ValidateTopicConfigNames(names); err != nil {
		return err
	}
	for _, n := range names {
		if err := topicConfigDefs[n].check(n, cfg[n]); err != nil {
			return err
		}
	}
	return nil
}

func (d topicConfigDef) check(name, raw string) error {
	v := strings.TrimSpace(raw)
	bad := func(why string) error {
		return &AdminError{Class: "org.apache.kafka.common.config.ConfigException", Code: "INVALID_CONFIG",
			Msg: fmt.Sprintf("Invalid value %s for configuration %s: %s", raw, name, why)}
	}
	var f float64
	switch d.typ {
	case "INT", "LONG":
		bits := 64
		if d.typ == "INT" {
			bits = 32
		}
		n, err := strconv.ParseInt(v, 10, bits)
		if err != nil {
			return bad("Not a number of type " + d.typ)
		}
		f = float64(n)
	case "DOUBLE":
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return bad("Not a number of type DOUBLE")
		}
		f = n
	case "BOOLEAN":
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return bad("Expected value to be either true or false")
		}
		return nil
	case "STRING":
		if len(d.oneOf) > 0 && !contains(d.oneOf, v) {
			return bad("String must be one of: " + strings.Join(d.oneOf, ", "))
		}
		return nil
	case "LIST":
		if len(d.oneOf) > 0 {
			for _, e := range strings.Split(v, ",") {
				if e = strings.TrimSpace(e); !contains(d.oneOf, e) {
					return bad("Invalid value " + e + " for configuration " + name + ": String must be one of: " + strings.Join(d.oneOf, ", "))
				}
			}
		}
		return nil
	}
	if !math.IsNaN(d.min) && f < d.min {
		return bad("Value must be at least " + strconv.FormatFloat(d.min, 'f', -1, 64))
	}
	if !math.IsNaN(d.max) && f > d.max {
		return bad("Value must be no more than " + strconv.FormatFloat(d.max, 'f', -1, 64))
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}
