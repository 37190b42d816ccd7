package streams

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// restore fills the stores of new tasks from their changelog partitions,
// from the log start to the end offset read before starting, as Kafka's
// StoreChangelogReader does for an in-memory store (there is no local
// checkpoint to resume from). Tombstones delete.
func (s *KafkaStreams) restore(ctx context.Context, tasks []*task) error {
	type target struct {
		store *KeyValueStore
		end   int64
	}
	want := map[string]map[int32]*target{}
	var topics []string
	for _, t := range tasks {
		for name, st := range t.stores {
			topic := t.changelogTopic(name)
			if want[topic] == nil {
				want[topic] = map[int32]*target{}
				topics = append(topics, topic)
			}
			want[topic][t.partition] = &target{store: st}
		}
	}
	if len(topics) == 0 {
		return nil
	}
	start := time.Now()
	ends, err := s.adm.ListEndOffsets(ctx, topics...)
	if err != nil {
		return fmt.Errorf("could not list the end offsets of the changelogs: %w", err)
	}
	starts, err := s.adm.ListStartOffsets(ctx, topics...)
	if err != nil {
		return fmt.Errorf("could not list the start offsets of the changelogs: %w", err)
	}
	assign := map[string]map[int32]kgo.Offset{}
	remaining := 0
	for topic, ps := range want {
		for p, tg := range ps {
			e, ok := ends.Lookup(topic, p)
			if !ok || e.Err != nil {
				return fmt.Errorf("no end offset for changelog %s-%d", topic, p)
			}
			b, _ := starts.Lookup(topic, p)
			tg.end = e.Offset
			if e.Offset <= b.Offset {
				continue // empty
			}
			if assign[topic] == nil {
				assign[topic] = map[int32]kgo.Offset{}
			}
			assign[topic][p] = kgo.NewOffset().At(b.Offset)
			remaining++
		}
	}
	if remaining == 0 {
		return nil
	}
	// The restore consumer: a separate client assigned the changelog
	// partitions, outside the group.
	rc, err := kgo.NewClient(append([]kgo.Opt{kgo.SeedBrokers(s.cfg.BootstrapServers...),
		kgo.ClientID(s.clientID + "-StreamThread-1-restore-consumer"), kgo.ConsumePartitions(assign)}, s.cfg.ClientOpts...)...)
	if err != nil {
		return err
	}
	defer rc.Close()
	restored := 0
	for remaining > 0 {
		fetches := rc.PollFetches(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ferr error
		fetches.EachError(func(topic string, p int32, err error) {
			if ferr == nil && !errors.Is(err, context.Canceled) {
				ferr = fmt.Errorf("restoring from %s-%d: %w", topic, p, err)
			}
		})
		if ferr != nil {
			return ferr
		}
		fetches.EachRecord(func(r *kgo.Record) {
			tg := want[r.Topic][r.Partition]
			if tg == nil || tg.end < 0 || r.Offset >= tg.end {
				return
			}
			tg.store.Put(r.Key, r.Value)
			restored++
			if r.Offset+1 >= tg.end {
				tg.end = -1 // done
				remaining--
			}
		})
	}
	s.threadLog.Info(fmt.Sprintf("stream-thread [%s-StreamThread-1] Restoration took %d ms for all tasks (%d records)", s.clientID, time.Since(start).Milliseconds(), restored))
	return nil
}
