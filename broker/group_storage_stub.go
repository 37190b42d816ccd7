//go:build !dpwip

package broker

// Stand-in for group_storage.go while the replica manager is built with
// -tags dpwip (placeholders.go): the coordinator runs but never becomes
// leader of an offsets partition. Delete this file, and the build tag of
// group_storage.go, when replica_manager.go loses its tag.

import (
	"github.com/twmb/franz-go/pkg/kerr"

	"gokafka/broker/group"
)

type groupStorage struct{}

func (b *Broker) groupStorage() group.Storage { return groupStorage{} }

func (groupStorage) Append(p int32, batch []byte, done func(error)) { done(kerr.NotLeaderForPartition) }

func (groupStorage) Read(p int32, fn func([]byte) error) error { return kerr.NotLeaderForPartition }

func (b *Broker) watchOffsetsLeadership(c *group.Coordinator) {}
