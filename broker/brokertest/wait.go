package brokertest

import (
	"testing"
	"time"
)

// WaitFor polls fn every 50 ms until it returns true, failing the test
// with "timed out after <timeout> waiting for <what>" when timeout passes.
// Tests poll with it rather than sleeping a guessed time.
func WaitFor(t testing.TB, timeout time.Duration, what string, fn func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !fn() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// FreePort returns a loopback port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	p, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return p
}
