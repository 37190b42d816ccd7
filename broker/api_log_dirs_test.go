package broker

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// DescribeLogDirs on a broker with two log.dirs, as kafka-log-dirs.sh asks
// it: every configured directory is listed by its absolute path, each with
// the partitions it holds and their sizes; a partition filter keeps only the
// named partitions (a topic with a log there but none asked for stays, with
// no partitions, as in 2.8); a directory that vanished answers
// KAFKA_STORAGE_ERROR.
func TestDescribeLogDirs(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: starts ZooKeeper")
	}
	dirA, dirB := t.TempDir(), t.TempDir()
	bs := startTestCluster(t, 1, "log.dirs", dirA+","+dirB)
	cl := newClient(t, kgo.SeedBrokers(bs[0].addr()), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.DisableIdempotentWrite(), kgo.RequiredAcks(kgo.LeaderAck()))
	adm := kadm.NewClient(cl)
	c := ctx(t)
	if r, err := adm.CreateTopics(c, 2, 1, nil, "sized"); err != nil || r["sized"].Err != nil {
		t.Fatalf("create: %v %+v", err, r)
	}
	if r, err := adm.CreateTopics(c, 1, 1, nil, "other"); err != nil || r["other"].Err != nil {
		t.Fatalf("create: %v %+v", err, r)
	}
	for i := 0; i < 5; i++ {
		if err := cl.ProduceSync(c, &kgo.Record{Topic: "sized", Partition: 0, Value: []byte("hello")}).FirstErr(); err != nil {
			t.Fatal(err)
		}
	}

	// Every partition (kadm sends v2, the flexible version).
	all, err := adm.DescribeBrokerLogDirs(c, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 2 || all[dirA].Dir != dirA || all[dirB].Dir != dirB {
		t.Fatalf("dirs %+v, want %s and %s", all, dirA, dirB)
	}
	sizes := map[string]int64{}
	dirOf := map[string]string{}
	for _, d := range all {
		if d.Err != nil {
			t.Errorf("%s: %v", d.Dir, d.Err)
		}
		d.Topics.Each(func(p kadm.DescribedLogDirPartition) {
			key := fmt.Sprintf("%s-%d", p.Topic, p.Partition)
			sizes[key], dirOf[key] = p.Size, d.Dir
			if p.OffsetLag != 0 || p.IsFuture {
				t.Errorf("%s: lag %d future %v", key, p.OffsetLag, p.IsFuture)
			}
		})
	}
	if len(sizes) != 3 || sizes["sized-0"] == 0 || sizes["sized-1"] != 0 || sizes["other-0"] != 0 {
		t.Fatalf("sizes %v", sizes)
	}
	if dirOf["sized-0"] == dirOf["sized-1"] {
		t.Errorf("both partitions of sized in %s; the log manager spreads them", dirOf["sized-0"])
	}

	// v0 with a filter naming only sized-1.
	req := kmsg.NewPtrDescribeLogDirsRequest()
	req.Version = 0
	rt := kmsg.NewDescribeLogDirsRequestTopic()
	rt.Topic, rt.Partitions = "sized", []int32{1}
	req.Topics = append(req.Topics, rt)
	resp := dialRaw(t, bs[0].addr()).roundTrip(req, 7).(*kmsg.DescribeLogDirsResponse)
	got := map[string]int{}
	for _, d := range resp.Dirs {
		for _, tp := range d.Topics {
			got[tp.Topic] += len(tp.Partitions)
			for _, p := range tp.Partitions {
				if tp.Topic != "sized" || p.Partition != 1 || d.Dir != dirOf["sized-1"] {
					t.Errorf("filtered answer has %s-%d in %s", tp.Topic, p.Partition, d.Dir)
				}
			}
		}
	}
	if got["sized"] != 1 || got["other"] != 0 {
		t.Errorf("filtered answer: %+v", resp.Dirs)
	}

	// A directory that is gone is a storage error; the other still answers.
	gone := dirOf["other-0"]
	if err := os.Rename(gone, gone+".moved"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Rename(gone+".moved", gone) })
	dirs := bs[0].describeLogDirs(nil)
	os.Rename(gone+".moved", gone)
	for _, d := range dirs {
		wantErr := int16(0)
		if d.Dir == gone {
			wantErr = kerr.KafkaStorageError.Code
		}
		if d.ErrorCode != wantErr || (wantErr != 0 && len(d.Topics) != 0) {
			t.Errorf("%s: error %d topics %d, want error %d", filepath.Base(d.Dir), d.ErrorCode, len(d.Topics), wantErr)
		}
	}
}
