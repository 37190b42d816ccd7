package streams

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"go.uber.org/zap/zaptest"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord/zktest"
)

// TestMain stops the shared ZooKeeper of the integration tests.
func TestMain(m *testing.M) { os.Exit(zktest.Main(m)) }

// waitFor and freePort are the shared test helpers of broker/brokertest.
var waitFor = brokertest.WaitFor

// Two instances of one application split the tasks of a two-partition
// input through the group, and together count every word exactly once per
// occurrence: the output's last count per word is the true count, with
// the record cache on.
func TestTwoInstancesSplitTasks(t *testing.T) {
	if testing.Short() {
		t.Skip("needs ZooKeeper and a broker process")
	}
	zk := zktest.Shared(t)
	b := brokertest.StartBroker(t, zk, brokertest.WithZkConnect(zk.ChrootConnect(t)))
	cl, err := kgo.NewClient(kgo.SeedBrokers(b.Addr), kgo.DefaultProduceTopic("in"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	ctx := context.Background()
	if _, err := adm.CreateTopic(ctx, 2, 1, nil, "in"); err != nil {
		t.Fatal(err)
	}
	if _, err := adm.CreateTopic(ctx, 1, 1, nil, "out"); err != nil {
		t.Fatal(err)
	}

	// Streams never creates source topics: an application reading one
	// that does not exist dies with MissingSourceTopicException (ERROR).
	nb := NewStreamsBuilder()
	Stream(nb, "absent", String, String).To("out", String, String)
	bad, err := NewKafkaStreams(nb.Build(), Config{ApplicationID: "bad", BootstrapServers: []string{b.Addr}, Logger: zaptest.NewLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	bad.Start()
	waitFor(t, 30*time.Second, "state ERROR", func() bool { return bad.State() == StateError })
	var missing *MissingSourceTopicError
	if !errors.As(bad.Err(), &missing) || missing.Topic != "absent" {
		t.Errorf("error: %v", bad.Err())
	}
	bad.Close()
	if bad.State() != StateError {
		t.Errorf("closed from ERROR: %s", bad.State())
	}

	var states sync.Map
	start := func(name string) *KafkaStreams {
		ks, err := NewKafkaStreams(wordCount2(), Config{ApplicationID: "two", BootstrapServers: []string{b.Addr},
			// Kafka's default record cache: updates reach the output at
			// each commit, the last count per word still the true one.
			CommitInterval: 100 * time.Millisecond, CacheMaxBytesBuffering: 10 << 20,
			Logger: zaptest.NewLogger(t).Named(name)})
		if err != nil {
			t.Fatal(err)
		}
		ks.SetStateListener(func(n, o State) { states.Store(name+" "+o.String()+"->"+n.String(), true) })
		if err := ks.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ks.Close)
		return ks
	}
	a, c := start("a"), start("c")
	waitFor(t, 60*time.Second, "both instances RUNNING with two tasks each", func() bool {
		return a.State() == StateRunning && c.State() == StateRunning && len(a.LocalTasks()) == 2 && len(c.LocalTasks()) == 2
	})
	if fmt.Sprint(a.LocalTasks(), c.LocalTasks()) != "[0_0 1_0] [0_1 1_1]" && fmt.Sprint(a.LocalTasks(), c.LocalTasks()) != "[0_1 1_1] [0_0 1_0]" {
		t.Errorf("tasks: a %v, c %v", a.LocalTasks(), c.LocalTasks())
	}
	if _, ok := states.Load("a CREATED->REBALANCING"); !ok {
		t.Error("no CREATED->REBALANCING transition")
	}

	want := map[string]int64{}
	for i := 0; i < 40; i++ {
		line := fmt.Sprintf("w%d w%d common", i%7, i%3)
		for _, w := range []string{fmt.Sprintf("w%d", i%7), fmt.Sprintf("w%d", i%3), "common"} {
			want[w]++
		}
		if err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte(fmt.Sprint(i)), Value: []byte(line)}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int64{}
	rd, err := kgo.NewClient(kgo.SeedBrokers(b.Addr), kgo.ConsumeTopics("out"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	waitFor(t, 30*time.Second, "every count in the output", func() bool {
		pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		rd.PollFetches(pctx).EachRecord(func(r *kgo.Record) { got[string(r.Key)] = int64(binary.BigEndian.Uint64(r.Value)) })
		return fmt.Sprint(got) == fmt.Sprint(want)
	})

	// One instance closes: the other takes over all four tasks, restoring
	// the stores it did not have from their changelogs.
	c.Close()
	if c.State() != StateNotRunning {
		t.Errorf("closed instance in state %s", c.State())
	}
	waitFor(t, 60*time.Second, "a to run all tasks", func() bool { return a.State() == StateRunning && len(a.LocalTasks()) == 4 })
	if err := cl.ProduceSync(ctx, &kgo.Record{Key: []byte("x"), Value: []byte("common")}, &kgo.Record{Key: []byte("y"), Value: []byte("common")}).FirstErr(); err != nil {
		t.Fatal(err)
	}
	want["common"] += 2
	waitFor(t, 30*time.Second, "the counts to continue after the takeover", func() bool {
		pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		defer cancel()
		rd.PollFetches(pctx).EachRecord(func(r *kgo.Record) { got[string(r.Key)] = int64(binary.BigEndian.Uint64(r.Value)) })
		return got["common"] == want["common"]
	})
}

// wordCount2 is WordCount between topics "in" and "out", split on spaces.
func wordCount2() *Topology {
	b := NewStreamsBuilder()
	words := FlatMapValues(Stream(b, "in", String, String), strings.Fields)
	GroupBy(words, func(_, w string) string { return w }, String, String).Count().ToStream().To("out", String, Long)
	return b.Build()
}
