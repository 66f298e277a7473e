package component

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// The conformance scenario (tests/conformance/README.md) run through this host and through
// the wasmtime reference host must give the same transcript.

type scenario struct {
	Answers map[string][]any `json:"answers"`
	Calls   []struct {
		Name string `json:"name"`
		Args []any  `json:"args"`
		Trap bool   `json:"trap"`
	} `json:"calls"`
}

func decodeJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}

// scripted answers each import with the scenario's next answer for it (the last repeats).
type scripted struct {
	mu      sync.Mutex
	answers map[string][]any
	used    map[string]int
}

func (s *scripted) impl(imp wit.Import) cabi.Impl {
	_, result := imp.Signature()
	name := imp.QualifiedName()
	return func(_ context.Context, _ []reflect.Value) (reflect.Value, error) {
		if result == nil {
			return reflect.Value{}, nil
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		list := s.answers[name]
		if len(list) == 0 {
			return reflect.Value{}, fmt.Errorf("scenario has no answer for %s", name)
		}
		i := min(s.used[name], len(list)-1)
		s.used[name]++
		return cabi.FromJSON(list[i], result)
	}
}

type transcript struct {
	mu    sync.Mutex
	lines []string
	err   error
}

func (tr *transcript) observe(kind, name string, args []reflect.Value, result reflect.Value) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	line := map[string]any{"kind": kind, "name": name, "result": nil}
	jargs := []any{}
	for _, a := range args {
		j, err := cabi.ToJSON(a)
		if err != nil {
			tr.err = err
			return
		}
		jargs = append(jargs, j)
	}
	line["args"] = jargs
	if result.IsValid() {
		j, err := cabi.ToJSON(result)
		if err != nil {
			tr.err = err
			return
		}
		line["result"] = j
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(line); err != nil {
		tr.err = err
		return
	}
	tr.lines = append(tr.lines, strings.TrimSuffix(buf.String(), "\n"))
}

func runScenarioGo(t *testing.T, wasm []byte, sc *scenario) []string {
	t.Helper()
	tr := &transcript{}
	s := &scripted{answers: sc.Answers, used: map[string]int{}}
	r, err := New(context.Background(), wasm, s.impl, Options{MaxInstances: 1, Observe: tr.observe})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	exports := map[string]wit.Export{}
	for _, e := range wit.Exports {
		exports[e.Name] = e
	}
	for i, c := range sc.Calls {
		e, ok := exports[c.Name]
		if !ok {
			t.Fatalf("call %d: unknown export %s", i, c.Name)
		}
		if len(c.Args) != len(e.Params) {
			t.Fatalf("call %d (%s): %d args, want %d", i, c.Name, len(c.Args), len(e.Params))
		}
		args := make([]reflect.Value, len(c.Args))
		for j, a := range c.Args {
			if args[j], err = cabi.FromJSON(a, e.Params[j]); err != nil {
				t.Fatalf("call %d (%s) arg %d: %v", i, c.Name, j, err)
			}
		}
		_, err := r.Call(context.Background(), c.Name, args...)
		switch {
		case c.Trap && err == nil:
			t.Fatalf("call %d (%s) returned; the scenario expects a trap", i, c.Name)
		case c.Trap:
			// The pool drops the trapped instance; the next call gets a fresh one.
			t.Logf("call %d (%s) trapped as expected: %.200v", i, c.Name, err)
			tr.observe("trap", c.Name, args, reflect.Value{})
		case err != nil:
			t.Fatalf("call %d (%s): %v", i, c.Name, err)
		}
	}
	if tr.err != nil {
		t.Fatal(tr.err)
	}
	return tr.lines
}

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

func TestConformanceWithWasmtime(t *testing.T) {
	refhost := os.Getenv("YCAL_REFHOST")
	if refhost == "" {
		t.Skip("YCAL_REFHOST not set: run `make conformance`, which builds the reference host")
	}
	root := repoRoot(t)
	scenarioPath := filepath.Join(root, "tests", "conformance", "scenario.json")
	raw, err := os.ReadFile(scenarioPath)
	if err != nil {
		t.Fatal(err)
	}
	var sc scenario
	if err := decodeJSON(raw, &sc); err != nil {
		t.Fatalf("scenario: %v", err)
	}
	wasmPath := os.Getenv("YCAL_PROBE_WASM")
	if wasmPath == "" {
		wasmPath, _ = filepath.Abs("../component-probe.wasm")
	}
	goLines := runScenarioGo(t, loadWasm(t), &sc)

	cmd := exec.Command(refhost, "run", "--module", wasmPath, "--scenario", scenarioPath)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("refhost: %v\n%s", err, stderr.String())
	}
	var refLines []string
	sc2 := bufio.NewScanner(bytes.NewReader(out))
	sc2.Buffer(make([]byte, 1<<20), 64<<20)
	for sc2.Scan() {
		if l := strings.TrimSpace(sc2.Text()); l != "" {
			refLines = append(refLines, l)
		}
	}
	outDir := filepath.Join(root, "target", "conformance")
	_ = os.MkdirAll(outDir, 0o755)
	_ = os.WriteFile(filepath.Join(outDir, "go.jsonl"), []byte(strings.Join(goLines, "\n")+"\n"), 0o644)

	if len(goLines) != len(refLines) {
		t.Errorf("transcripts differ in length: go %d lines, wasmtime %d lines", len(goLines), len(refLines))
	}
	exports := 0
	for i := 0; i < min(len(goLines), len(refLines)); i++ {
		// Compared as JSON values: the two JSON encoders escape a few characters differently.
		var g, w any
		if err := decodeJSON([]byte(goLines[i]), &g); err != nil {
			t.Fatal(err)
		}
		if err := decodeJSON([]byte(refLines[i]), &w); err != nil {
			t.Fatalf("wasmtime line %d is not JSON: %v", i+1, err)
		}
		if !reflect.DeepEqual(sameNumbers(g), sameNumbers(w)) {
			t.Fatalf("line %d differs:\n go:       %.2000s\n wasmtime: %.2000s", i+1, goLines[i], refLines[i])
		}
		if strings.Contains(goLines[i], `"kind":"export"`) || strings.Contains(goLines[i], `"kind":"trap"`) {
			exports++
		}
	}
	if exports != len(sc.Calls) {
		t.Errorf("%d export lines for %d calls", exports, len(sc.Calls))
	}
	t.Logf("%d transcript lines identical (%d export calls)", len(goLines), exports)
}

// sameNumbers writes every non-integer number one way: the two hosts' JSON encoders spell
// the same float differently (1.0 / 1, 1e300 / 1e+300).
func sameNumbers(v any) any {
	switch x := v.(type) {
	case json.Number:
		if strings.ContainsAny(string(x), ".eE") {
			if f, err := strconv.ParseFloat(string(x), 64); err == nil {
				return json.Number(strconv.FormatFloat(f, 'g', -1, 64))
			}
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = sameNumbers(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = sameNumbers(e)
		}
		return out
	}
	return v
}
