package broker

// Stand-ins that keep the package compiling while other helpers' parts are
// written. Each goes away when the real one lands:
//   - logManager, openLogManager: log.Manager / log.NewManager (log helper);
//   - readMetaProperties, writeMetaPropertiesFile: log.Read/WriteMetaProperties;
//   - groupCoordinator, startGroupCoordinator: broker/group's Coordinator;
//   - onPartitionsDeleted: the group coordinator's handleDeletedPartitions.

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
)

// logManager stands in for *log.Manager.
type logManager struct{ dirs []string }

func openLogManager(b *Broker) (*logManager, error) {
	for _, d := range b.cfg.LogDirs() {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	return &logManager{dirs: b.cfg.LogDirs()}, nil
}

func (m *logManager) Close() error { return nil }

// readMetaProperties reads dir/meta.properties; ok is false when absent.
func readMetaProperties(dir string) (props map[string]string, ok bool, err error) {
	f, err := os.Open(filepath.Join(dir, "meta.properties"))
	if os.IsNotExist(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	props = map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			props[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return props, true, sc.Err()
}

// writeMetaPropertiesFile writes dir/meta.properties as Kafka 2.8 does.
func writeMetaPropertiesFile(dir, clusterID string, brokerID int32) error {
	content := fmt.Sprintf("#\n#%s\ncluster.id=%s\nversion=0\nbroker.id=%d\n",
		time.Now().UTC().Format("Mon Jan 02 15:04:05 MST 2006"), clusterID, brokerID)
	tmp := filepath.Join(dir, "meta.properties.tmp")
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, "meta.properties"))
}

// groupCoordinator is what the broker needs of broker/group's Coordinator.
type groupCoordinator interface{ Close() }

func startGroupCoordinator(b *Broker) (groupCoordinator, error) { return nil, nil }

func (b *Broker) onPartitionsDeleted(deleted []PartitionState) {}

var _ = kerr.UnknownServerError
