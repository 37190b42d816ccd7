package main

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// The import direction of docs/DESIGN.md, kept as a test (a lint rule the way
// pebble's internal/lint keeps its rules):
//
//	tools → broker → {zkcoord, zkcoord/controller, log, protocol}
//	zkcoord/controller → zkcoord
//
// log and protocol import no gokafka package; zkcoord imports no broker, log
// or protocol. Only non-test imports count, transitively.
var importRules = []struct {
	pkg       string   // the package, and everything under it
	forbidden []string // no package at or under these may be a dependency
	why       string
}{
	{"gokafka/log", []string{"gokafka/"}, "the log owns its vocabulary and imports only the standard library, zap and compression libraries"},
	{"gokafka/protocol", []string{"gokafka/"}, "protocol knows nothing of ZooKeeper, files or the broker"},
	{"gokafka/zkcoord", []string{"gokafka/broker", "gokafka/log", "gokafka/protocol", "gokafka/tools"}, "zkcoord never opens a socket to a broker nor touches the log; the controller sends through an interface the broker implements"},
	{"gokafka/broker", []string{"gokafka/tools"}, "tools sit on top of the broker, not under it"},
	{"gokafka/broker/brokertest", []string{"gokafka/broker", "gokafka/log", "gokafka/protocol", "gokafka/tools"}, "brokertest drives broker processes from outside, as a user would"},
}

// packageGraph is every package's direct imports, for the packages of the
// module and everything they depend on.
func packageGraph(t *testing.T) (module []string, imports map[string][]string) {
	t.Helper()
	out, err := exec.Command("go", "list", "-e", "-deps", "-f", "{{.ImportPath}}\t{{.Module}}\t{{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	imports = map[string][]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.SplitN(line, "\t", 3)
		if len(fields) != 3 {
			continue
		}
		imports[fields[0]] = strings.Fields(fields[2])
		if fields[0] == "gokafka" || strings.HasPrefix(fields[0], "gokafka/") {
			module = append(module, fields[0])
		}
	}
	sort.Strings(module)
	return module, imports
}

// under reports whether pkg is prefix or a package below it; a prefix ending
// in "/" matches everything below it.
func under(pkg, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(pkg, prefix)
	}
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

// importChain returns the shortest import path from→…→to, or nil.
func importChain(imports map[string][]string, from, to string) []string {
	parent := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == to {
			var chain []string
			for ; p != ""; p = parent[p] {
				chain = append([]string{p}, chain...)
			}
			return chain
		}
		for _, q := range imports[p] {
			if _, seen := parent[q]; !seen {
				parent[q] = p
				queue = append(queue, q)
			}
		}
	}
	return nil
}

func TestImportDirection(t *testing.T) {
	module, imports := packageGraph(t)
	if len(module) < 2 {
		t.Fatalf("go list found only %v", module)
	}
	checked := 0
	for _, pkg := range module {
		for _, rule := range importRules {
			if !under(pkg, rule.pkg) {
				continue
			}
			checked++ // brokertest is under broker: both rules apply
			for _, dep := range module {
				if under(dep, rule.pkg) {
					continue // a package may use its own subpackages
				}
				for _, f := range rule.forbidden {
					if !under(dep, f) {
						continue
					}
					if chain := importChain(imports, pkg, dep); chain != nil {
						t.Errorf("%s must not depend on %s (%s): %s", pkg, dep, rule.why, strings.Join(chain, " → "))
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no package matched any rule; did the module path change?")
	}
}

// The module's main package is only an entry point: nothing imports it.
func TestNothingImportsMain(t *testing.T) {
	module, imports := packageGraph(t)
	for _, pkg := range module {
		for _, imp := range imports[pkg] {
			if imp == "gokafka" {
				t.Errorf("%s imports the main package", pkg)
			}
		}
	}
}
