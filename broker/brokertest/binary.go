package brokertest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// binary is the gokafka executable, resolved once per test binary.
var binary struct {
	once sync.Once
	path string
	err  error
}

// Binary returns the gokafka executable the brokers run: $GOKAFKA_BIN when
// set, else one built from the module root ("go build -o … gokafka") once per
// test binary. The build goes to a fixed per-checkout path in the temp
// directory and replaces it atomically, so concurrent test binaries never run
// a half-written file and nothing piles up.
func Binary(t testing.TB) string {
	t.Helper()
	binary.once.Do(func() {
		if p := os.Getenv("GOKAFKA_BIN"); p != "" {
			binary.path, binary.err = filepath.Abs(p)
			if binary.err == nil {
				if _, err := os.Stat(binary.path); err != nil {
					binary.err = fmt.Errorf("GOKAFKA_BIN: %w", err)
				}
			}
			return
		}
		binary.path, binary.err = build()
	})
	if binary.err != nil {
		t.Fatalf("brokertest: %v", binary.err)
	}
	return binary.path
}

// build compiles the module's main package.
func build() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the gokafka module")
	}
	root := filepath.Dir(gomod)
	sum := sha256.Sum256([]byte(root))
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("gokafka-brokertest-%d-%s", os.Getuid(), hex.EncodeToString(sum[:6])))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp := filepath.Join(dir, fmt.Sprintf(".gokafka-%d", os.Getpid()))
	cmd := exec.Command("go", "build", "-o", tmp, "gokafka")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("go build gokafka: %v\n%s", err, out)
	}
	final := filepath.Join(dir, "gokafka")
	if err := os.Rename(tmp, final); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return final, nil
}
