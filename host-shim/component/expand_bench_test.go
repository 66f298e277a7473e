package component

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"
)

// TestExpandBenchInWasm runs the expand_bench program (src/bin/expand_bench.rs, built for
// wasm32-wasip1) on wazero, the runtime the plugin uses, and prints its timing.
// tests/bench/expand.sh (`make bench`) runs it beside the native build of the same program.
func TestExpandBenchInWasm(t *testing.T) {
	path := os.Getenv("YCAL_EXPAND_BENCH_WASM")
	if path == "" {
		t.Skip("benchmark only: YCAL_EXPAND_BENCH_WASM names the wasm build of expand_bench")
	}
	wasm, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rt := &Runtime{rt: wazero.NewRuntime(ctx)}
	r := rt.rt
	defer r.Close(ctx)
	wasi_snapshot_preview1.MustInstantiate(ctx, r)
	// The program links the component library, so it names the WIT imports; it never calls them.
	if err := rt.linkImports(ctx, HostImpls(newFakeHost())); err != nil {
		t.Fatal(err)
	}
	var out, errOut bytes.Buffer
	runs := os.Getenv("YCAL_EXPAND_BENCH_RUNS")
	if runs == "" {
		runs = "5"
	}
	cfg := wazero.NewModuleConfig().WithArgs("expand_bench", runs).WithStdout(&out).WithStderr(&errOut).
		WithSysWalltime().WithSysNanotime()
	if _, err := r.InstantiateWithConfig(ctx, wasm, cfg); err != nil {
		t.Fatalf("%v\n%s", err, errOut.String())
	}
	if !strings.Contains(out.String(), "ms_per_run=") {
		t.Fatalf("no timing in output: %q %q", out.String(), errOut.String())
	}
	t.Log(strings.TrimSpace(out.String()))
}
