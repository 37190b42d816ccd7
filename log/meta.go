package log

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// WriteMetaProperties writes <dir>/meta.properties in ZooKeeper mode as
// Java's Properties.store does: a "#" comment line (Kafka passes an empty
// comment), the date line, then the keys in Java 11's hash order
// (broker.id, version, cluster.id). cluster.id is left out when empty.
func WriteMetaProperties(dir string, brokerID int32, clusterID string) error {
	var b strings.Builder
	b.WriteString("#\n#")
	b.WriteString(time.Now().Format("Mon Jan 02 15:04:05 MST 2006"))
	b.WriteString("\n")
	fmt.Fprintf(&b, "broker.id=%d\nversion=0\n", brokerID)
	if clusterID != "" {
		b.WriteString("cluster.id=" + escapeProperty(clusterID) + "\n")
	}
	return writeFileAtomic(filepath.Join(dir, MetaPropertiesFile), []byte(b.String()))
}

// ReadMetaProperties reads broker.id and cluster.id from
// <dir>/meta.properties. A missing file gives an error that is
// os.ErrNotExist; a version other than 0 is refused. clusterID is ""
// when the file has none.
func ReadMetaProperties(dir string) (brokerID int32, clusterID string, err error) {
	path := filepath.Join(dir, MetaPropertiesFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return -1, "", err
	}
	props := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' || line[0] == '!' {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			k, v, _ = strings.Cut(line, ":")
		}
		props[strings.TrimSpace(k)] = unescapeProperty(strings.TrimSpace(v))
	}
	if v, ok := props["version"]; !ok || v != "0" {
		return -1, "", fmt.Errorf("log: %s: unsupported version %q of meta.properties (expected 0)", path, v)
	}
	id, err := strconv.ParseInt(props["broker.id"], 10, 32)
	if err != nil {
		return -1, "", fmt.Errorf("log: %s: invalid broker.id %q", path, props["broker.id"])
	}
	return int32(id), props["cluster.id"], nil
}

// escapeProperty escapes what Java's Properties.store escapes in values
// that can appear in a cluster id (base64url needs none; be safe).
func escapeProperty(s string) string {
	r := strings.NewReplacer(`\`, `\\`, "=", `\=`, ":", `\:`, "#", `\#`, "!", `\!`)
	return r.Replace(s)
}

func unescapeProperty(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
