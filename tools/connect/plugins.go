package connect

// The connector plugins this worker has: Kafka 2.8's file connectors, found
// by full class name, simple name, or the simple name without "Connector"
// (Kafka's plugin aliases), so connector.class=FileStreamSource works as in
// config/connect-file-source.properties.

import (
	"fmt"
	"strings"
)

// Version is the connectors' and the worker's version, Kafka's.
const Version = "2.8.2"

// plugin is one connector class.
type plugin struct {
	Class     string // org.apache.kafka.connect.file.FileStreamSourceConnector
	TaskClass string // org.apache.kafka.connect.file.FileStreamSourceTask
	Type      string // "source" or "sink"
}

// plugins in the order Kafka's plugin scanner sorts them (by class name).
var plugins = []plugin{
	{"org.apache.kafka.connect.file.FileStreamSinkConnector", "org.apache.kafka.connect.file.FileStreamSinkTask", "sink"},
	{"org.apache.kafka.connect.file.FileStreamSourceConnector", "org.apache.kafka.connect.file.FileStreamSourceTask", "source"},
}

// findPlugin resolves a connector.class value.
func findPlugin(classOrAlias string) (plugin, error) {
	name := strings.TrimSpace(classOrAlias)
	for _, p := range plugins {
		simple := p.Class[strings.LastIndexByte(p.Class, '.')+1:]
		if name == p.Class || name == simple || name == strings.TrimSuffix(simple, "Connector") {
			return p, nil
		}
	}
	descs := make([]string, len(plugins))
	for i, p := range plugins {
		descs[i] = fmt.Sprintf("PluginDesc{klass=class %s, name='%s', version='%s', encodedVersion=%s, type=%s, typeName='%s', location='classpath'}",
			p.Class, p.Class, Version, Version, p.Type, p.Type)
	}
	return plugin{}, connectErr("Failed to find any class that implements Connector and which name matches " +
		classOrAlias + ", available connectors are: " + strings.Join(descs, ", "))
}
