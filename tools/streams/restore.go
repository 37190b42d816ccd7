package streams

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// target is one changelog partition to restore into a store, up to end.
type target struct {
	store *KeyValueStore
	end   int64
}

// restore fills the stores of new tasks from their changelog partitions,
// from the log start to the end offset read before starting, as Kafka's
// StoreChangelogReader does for an in-memory store (there is no local
// checkpoint to resume from). Tombstones delete.
func (s *KafkaStreams) restore(ctx context.Context, tasks []*task) error {
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
	ends, starts, err := s.changelogOffsets(ctx, want)
	if err != nil {
		return err
	}
	assign := map[string]map[int32]kgo.Offset{}
	remaining := 0
	for topic, ps := range want {
		for p, tg := range ps {
			e, _ := ends.Lookup(topic, p)
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

// changelogOffsets lists the start and end offsets of the changelog
// partitions in want. A just-created changelog may not be known to every
// part of the cluster yet: retriable errors are retried for a while, as
// Kafka's restore consumer does.
func (s *KafkaStreams) changelogOffsets(ctx context.Context, want map[string]map[int32]*target) (ends, starts kadm.ListedOffsets, err error) {
	var topics []string
	for topic := range want {
		topics = append(topics, topic)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		ends, err = s.adm.ListEndOffsets(ctx, topics...)
		if err == nil {
			starts, err = s.adm.ListStartOffsets(ctx, topics...)
		}
		if err == nil {
		check:
			for topic, ps := range want {
				for p := range ps {
					e, ok1 := ends.Lookup(topic, p)
					b, ok2 := starts.Lookup(topic, p)
					switch {
					case !ok1 || !ok2:
						err = fmt.Errorf("no offsets for changelog %s-%d", topic, p)
					case e.Err != nil:
						err = fmt.Errorf("end offset of changelog %s-%d: %w", topic, p, e.Err)
					case b.Err != nil:
						err = fmt.Errorf("start offset of changelog %s-%d: %w", topic, p, b.Err)
					}
					if err != nil {
						break check
					}
				}
			}
		}
		if err == nil || ctx.Err() != nil || time.Now().After(deadline) {
			return ends, starts, err
		}
		s.threadLog.Debug(fmt.Sprintf("retrying the changelog offsets: %v", err))
		if !sleep(ctx, 100*time.Millisecond) {
			return ends, starts, ctx.Err()
		}
	}
}
