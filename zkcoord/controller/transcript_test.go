package controller

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"gokafka/zkcoord"
)

// Data-driven controller scenarios: testdata/*.txt hold transcripts of commands and what the
// cluster looks like after each (state znodes, requests sent). Run with -update to rewrite the
// expected output from a run.
//
// Format: a command line, a "----" line, the expected output, a blank line. Lines starting with
// '#' are comments. Everything is asynchronous (watches), so a command's output is polled until
// it equals the expected text (or the timeout fails the test); -update records the output after
// the cluster had a moment to settle.
//
// Commands:
//
//	start ID...                 register brokers (each runs a controller)
//	kill ID                     end a broker's session (its ephemeral znodes vanish)
//	create T P:R,R... ...       create a topic the way kafka-topics.sh --zookeeper does
//	add-partitions T N          grow T to N partitions (kafka-topics.sh --alter)
//	delete T                    mark T for deletion
//	isr T-P=R,R... ...          leaders change ISRs (state znodes + one notification)
//	isr-unannounced T-P=R,R...  the same before the leaders' batched notification is out
//	shutdown ID                 ControlledShutdown(ID, epoch)
//	elect preferred|unclean TP...  ElectLeaders
//	reassign T-P R,R...|cancel  AlterPartitionReassignments
//	controller                  the active controller and its epoch
//	state TP...                 state znodes
//	assignment T                /brokers/topics/T
//	exists PATH...              whether znodes exist
//	sent                        requests the active controller sent since the last "sent"
var update = flag.Bool("update", false, "rewrite testdata transcripts with the actual output")

func TestTranscripts(t *testing.T) {
	integration(t)
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no transcripts in testdata")
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(filepath.Base(f), ".txt"), func(t *testing.T) { runTranscript(t, f) })
	}
}

type transcriptStep struct {
	cmd  string
	want []string
}

func parseTranscript(t *testing.T, path string) (steps []transcriptStep, comments map[int][]string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	comments = map[int][]string{}
	sc := bufio.NewScanner(f)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if strings.TrimSpace(l) == "" {
			continue
		}
		if strings.HasPrefix(l, "#") {
			comments[len(steps)] = append(comments[len(steps)], l)
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "----" {
			t.Fatalf("%s:%d: command %q not followed by ----", path, i+1, l)
		}
		st := transcriptStep{cmd: l}
		for i += 2; i < len(lines) && lines[i] != ""; i++ {
			st.want = append(st.want, lines[i])
		}
		steps = append(steps, st)
	}
	return steps, comments
}

func runTranscript(t *testing.T, path string) {
	steps, comments := parseTranscript(t, path)
	c := newCluster(t)
	marks := map[*broker]int{}
	var out strings.Builder
	for i, st := range steps {
		for _, cm := range comments[i] {
			out.WriteString(cm + "\n")
		}
		run := func() []string { return c.transcriptCommand(st.cmd, marks, false) }
		var got []string
		if *update {
			c.transcriptCommand(st.cmd, marks, true)
			time.Sleep(500 * time.Millisecond) // let watches settle before recording
			got = run()
		} else {
			c.transcriptCommand(st.cmd, marks, true)
			deadline := time.Now().Add(15 * time.Second)
			for {
				got = run()
				if slices.Equal(got, st.want) || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			if !slices.Equal(got, st.want) {
				t.Fatalf("%s: step %d %q:\n got:\n%s\nwant:\n%s", path, i+1, st.cmd, strings.Join(got, "\n"), strings.Join(st.want, "\n"))
			}
		}
		if strings.HasPrefix(st.cmd, "sent") {
			if a := c.activeOrNil(); a != nil {
				marks[a] = len(a.ch.requests(-1))
			}
		}
		fmt.Fprintf(&out, "%s\n----\n", st.cmd)
		for _, g := range got {
			out.WriteString(g + "\n")
		}
		out.WriteString("\n")
	}
	for _, cm := range comments[len(steps)] {
		out.WriteString(cm + "\n")
	}
	if *update {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func (c *cluster) activeOrNil() *broker {
	for _, b := range c.brokers {
		if b.ctrl.IsActive() {
			return b
		}
	}
	return nil
}

func parseTP(t testing.TB, s string) TopicPartition {
	i := strings.LastIndexByte(s, '-')
	p, err := strconv.Atoi(s[i+1:])
	if i < 0 || err != nil {
		t.Fatalf("bad partition %q", s)
	}
	return TopicPartition{Topic: s[:i], Partition: int32(p)}
}

func parseIDs(t testing.TB, s string) []int32 {
	var out []int32
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(f)
		if err != nil {
			t.Fatalf("bad id list %q", s)
		}
		out = append(out, int32(n))
	}
	return out
}

// transcriptCommand runs (act = true: the command's action, output ignored) or observes (act =
// false: the output) one command. Observing is repeatable.
func (c *cluster) transcriptCommand(line string, marks map[*broker]int, act bool) []string {
	t := c.t
	f := strings.Fields(line)
	switch f[0] {
	case "start":
		// One broker at a time, each seen by the controller before the next (startBroker
		// waits): one BrokerChange per broker keeps the transcript deterministic.
		if act {
			for _, s := range f[1:] {
				id, _ := strconv.Atoi(s)
				c.startBroker(int32(id))
			}
		}
		return nil
	case "kill":
		if act {
			id, _ := strconv.Atoi(f[1])
			c.killBroker(int32(id))
		}
		return nil
	case "create":
		if act {
			assign := map[int32][]int32{}
			for _, a := range f[2:] {
				p, rs, _ := strings.Cut(a, ":")
				n, _ := strconv.Atoi(p)
				assign[int32(n)] = parseIDs(t, rs)
			}
			c.createTopic(f[1], assign)
		}
		return nil
	case "add-partitions":
		if act {
			n, _ := strconv.Atoi(f[2])
			var metas []zkcoord.BrokerMeta
			for _, id := range sortedKeys(c.brokers) {
				metas = append(metas, zkcoord.BrokerMeta{ID: id})
			}
			if _, err := c.admin.AddPartitions(f[1], metas, n, nil); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	case "delete":
		if act {
			if err := c.admin.DeleteTopic(f[1]); err != nil {
				t.Fatal(err)
			}
		}
		return nil
	case "isr", "isr-unannounced":
		if act {
			isrs := map[TopicPartition][]int32{}
			for _, a := range f[1:] {
				tp, ids, _ := strings.Cut(a, "=")
				isrs[parseTP(t, tp)] = parseIDs(t, ids)
			}
			c.leadersSetISRs(isrs, f[0] == "isr")
		}
		return nil
	case "shutdown":
		if !act {
			return c.lastResult
		}
		id, _ := strconv.Atoi(f[1])
		a := c.active()
		rem, err := a.ctrl.ControlledShutdown(int32(id), c.brokers[int32(id)].epoch)
		c.lastResult = []string{fmt.Sprintf("remaining=%s err=%v", tpList(rem), err)}
		return nil
	case "elect":
		if !act {
			return c.lastResult
		}
		var tps []TopicPartition
		for _, s := range f[2:] {
			tps = append(tps, parseTP(t, s))
		}
		res, err := c.active().ctrl.ElectLeaders(f[1] == "preferred", tps)
		if err != nil {
			t.Fatal(err)
		}
		c.lastResult = nil
		for _, tp := range tps {
			r := res[tp]
			c.lastResult = append(c.lastResult, fmt.Sprintf("%s leader=%d err=%v", tpString(tp), r.Leader, r.Err))
		}
		return nil
	case "reassign":
		if !act {
			return c.lastResult
		}
		tp := parseTP(t, f[1])
		var target []int32
		if f[2] != "cancel" {
			target = parseIDs(t, f[2])
		}
		res, err := c.active().ctrl.AlterPartitionReassignments(map[TopicPartition][]int32{tp: target})
		if err != nil {
			t.Fatal(err)
		}
		c.lastResult = []string{fmt.Sprintf("%s err=%v", tpString(tp), res[tp])}
		return nil
	case "controller":
		if act {
			return nil
		}
		var out []string
		for _, id := range sortedKeys(c.brokers) {
			b := c.brokers[id]
			if b.ctrl.IsActive() {
				out = append(out, fmt.Sprintf("active=%d epoch=%d", id, b.ctrl.Epoch()))
			}
		}
		ids := map[int32]bool{}
		for _, b := range c.brokers {
			ids[b.ctrl.ActiveControllerID()] = true
		}
		if len(ids) != 1 {
			out = append(out, "brokers disagree on the controller")
		}
		return out
	case "state":
		if act {
			return nil
		}
		var out []string
		for _, s := range f[1:] {
			tp := parseTP(t, s)
			st, ok := c.state(tp.Topic, tp.Partition)
			if !ok {
				out = append(out, s+" absent")
				continue
			}
			out = append(out, fmt.Sprintf("%s leader=%d leader_epoch=%d isr=%s controller_epoch=%d zk_version=%d",
				s, st.Leader, st.LeaderEpoch, joinIDs(st.ISR), st.ControllerEpoch, st.ZkVersion))
		}
		return out
	case "assignment":
		if act {
			return nil
		}
		a, err := c.admin.TopicAssignment(f[1])
		if err != nil {
			return []string{err.Error()}
		}
		var out []string
		for _, p := range a.PartitionIDs() {
			l := fmt.Sprintf("%s-%d replicas=%s", f[1], p, joinIDs(a.Partitions[p]))
			if rs := a.AddingReplicas[p]; len(rs) > 0 {
				l += " adding=" + joinIDs(rs)
			}
			if rs := a.RemovingReplicas[p]; len(rs) > 0 {
				l += " removing=" + joinIDs(rs)
			}
			out = append(out, l)
		}
		out = append(out, fmt.Sprintf("topic_id set=%v", !a.TopicID.IsZero()))
		return out
	case "exists":
		if act {
			return nil
		}
		var out []string
		for _, p := range f[1:] {
			out = append(out, fmt.Sprintf("%s %v", p, c.exists(p)))
		}
		return out
	case "sent":
		if act {
			return nil
		}
		a := c.activeOrNil()
		if a == nil {
			return []string{"no active controller"}
		}
		var out []string
		for _, s := range a.ch.requests(-1)[marks[a]:] {
			out = append(out, summarize(s))
		}
		return out
	}
	t.Fatalf("unknown transcript command %q", line)
	return nil
}

// summarize renders one request on one line: what a reader of state-change.log would look for.
func summarize(s sentRequest) string {
	switch r := s.req.(type) {
	case *kmsg.LeaderAndISRRequest:
		var parts []string
		for _, ts := range r.TopicStates {
			for _, p := range ts.PartitionStates {
				x := fmt.Sprintf("%s-%d leader=%d epoch=%d isr=%s replicas=%s", ts.Topic, p.Partition, p.Leader, p.LeaderEpoch, joinIDs(p.ISR), joinIDs(p.Replicas))
				if len(p.AddingReplicas) > 0 {
					x += " adding=" + joinIDs(p.AddingReplicas)
				}
				if len(p.RemovingReplicas) > 0 {
					x += " removing=" + joinIDs(p.RemovingReplicas)
				}
				if p.IsNew {
					x += " new"
				}
				parts = append(parts, x)
			}
		}
		var leaders []int32
		for _, l := range r.LiveLeaders {
			leaders = append(leaders, l.BrokerID)
		}
		return fmt.Sprintf("LeaderAndIsr to %d (controller_epoch %d, live_leaders %s): %s", s.to, r.ControllerEpoch, joinIDs(leaders), strings.Join(parts, "; "))
	case *kmsg.UpdateMetadataRequest:
		var parts []string
		for _, ts := range r.TopicStates {
			for _, p := range ts.PartitionStates {
				x := fmt.Sprintf("%s-%d leader=%d epoch=%d isr=%s", ts.Topic, p.Partition, p.Leader, p.LeaderEpoch, joinIDs(p.ISR))
				if len(p.OfflineReplicas) > 0 {
					x += " offline=" + joinIDs(p.OfflineReplicas)
				}
				parts = append(parts, x)
			}
		}
		var live []int32
		for _, b := range r.LiveBrokers {
			live = append(live, b.ID)
		}
		out := fmt.Sprintf("UpdateMetadata to %d (live %s)", s.to, joinIDs(live))
		if len(parts) > 0 {
			out += ": " + strings.Join(parts, "; ")
		}
		return out
	case *kmsg.StopReplicaRequest:
		var parts []string
		for _, ts := range r.Topics {
			for _, p := range ts.PartitionStates {
				x := fmt.Sprintf("%s-%d epoch=%d", ts.Topic, p.Partition, p.LeaderEpoch)
				if p.Delete {
					x += " delete"
				}
				parts = append(parts, x)
			}
		}
		return fmt.Sprintf("StopReplica to %d: %s", s.to, strings.Join(parts, "; "))
	}
	return kmsg.NameForKey(s.req.Key())
}

// waitControllerSees waits until the active controller (if any, and not id itself) has id in
// its live set (or not).
func (c *cluster) waitControllerSees(id int32, live bool) {
	c.t.Helper()
	waitFor(c.t, 20*time.Second, fmt.Sprintf("the controller to see broker %d live=%v", id, live), func() bool {
		a := c.activeOrNil()
		if a == nil {
			return len(c.brokers) == 0
		}
		var seen bool
		if err := a.ctrl.call("Peek", func() { _, seen = a.ctrl.cc.live[id] }); err != nil {
			return false
		}
		return seen == live
	})
}
