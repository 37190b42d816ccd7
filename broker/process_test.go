package broker

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gokafka/broker/brokertest"
	"gokafka/zkcoord/zktest"
)

// The real binary (bin/gokafka kafka.Kafka) as users run it: it answers
// franz-go's too-new ApiVersions with KIP-511's v0 fallback on a raw
// socket, kcat -L lists it, and SIGTERM stops it cleanly (exit 0) after a
// controlled shutdown.
func TestBrokerProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test: runs ZooKeeper and a broker process")
	}
	z := zktest.Shared(t)
	p := brokertest.StartBroker(t, z, brokertest.WithZkConnect(z.ChrootConnect(t)))

	c := dialRaw(t, p.Addr)
	c.send(apiVersionsReq(5), 3)
	frame, err := c.readFrame()
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 0, 0, 3, 0, 35, 0, 0, 0, 1, 0, 18, 0, 0, 0, 3}; !bytes.Equal(frame, want) {
		t.Fatalf("ApiVersions v5 answer % x, want % x", frame, want)
	}

	if _, err := exec.LookPath("kcat"); err == nil {
		var out []byte
		waitFor(t, 15*time.Second, func() error {
			out, err = exec.Command("kcat", "-L", "-b", p.Addr, "-m", "10").CombinedOutput()
			if err != nil || !strings.Contains(string(out), "(controller)") {
				return &exec.Error{Name: "kcat", Err: err}
			}
			return nil
		})
		if !strings.Contains(string(out), "1 brokers:") {
			t.Errorf("kcat -L:\n%s", out)
		}
	}

	p.Stop()
	if err := p.ExitError(); err != nil {
		t.Fatalf("exit: %v", err)
	}
	for _, want := range []string{
		"[KafkaServer id=" + itoa(p.ID) + "] Starting controlled shutdown (kafka.server.KafkaServer)",
		"[KafkaServer id=" + itoa(p.ID) + "] Controlled shutdown succeeded (kafka.server.KafkaServer)",
		"[KafkaServer id=" + itoa(p.ID) + "] shut down completed (kafka.server.KafkaServer)",
	} {
		if !strings.Contains(p.Output(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
}
