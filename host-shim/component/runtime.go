// Package component runs the Rust component's core module on wazero: it compiles the module
// once (cached on disk when given a folder), links the WIT host imports and WASI preview 1,
// and hands out instances from a pool.
package component

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime/debug"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// Kind is a class of hook call: it sets the call's deadline and which slots it may use.
type Kind int

const (
	// Interactive calls answer a person who waits: a slash command, an HTTP request (a
	// dialog or a button), a settings check.
	Interactive Kind = iota
	// Lifecycle calls start and stop the plugin.
	Lifecycle
	// Background calls are jobs (the minute tick, users' rounds); they never take an
	// interactive call's slot.
	Background
	// Timely calls are one-off jobs that came due (a reminder at its minute): slots of their
	// own, so a backlog of rounds never delays them.
	Timely
)

// Limits of the options, checked by Options.Validate.
const (
	MaxMemoryMiB = 4096 // wasm32 addresses 4 GiB
	MinMemoryMiB = 16
	MaxInstances = 64
)

// Options tune the runtime; zero values take the defaults.
type Options struct {
	// MemoryLimitMiB caps each instance's linear memory (default 256, 16…4096).
	MemoryLimitMiB uint32
	// Deadlines per kind of call, the wait for a free slot included (defaults: interactive
	// 20 s, lifecycle 30 s, background 50 s: a job ends before the next minute's tick;
	// timely 20 s).
	Interactive, Lifecycle, Background, Timely time.Duration
	// MaxInstances bounds how many interactive calls run at once (default 4); background
	// calls have BackgroundInstances slots of their own (default 32: rounds mostly wait on
	// the CalDAV server, and the host runs as many at once as the load needs, up to this)
	// and timely ones TimelyInstances (default 16: reminders, statuses and digests fall due
	// together at the minute marks — hundreds at a half hour for 10,000 users — and each
	// mostly waits on Mattermost for a post or a status; with 4, such a burst made reminders
	// p99 7 s late in make bench-scale), so neither starves a person waiting for an answer,
	// and rounds never hold up a reminder.
	MaxInstances, BackgroundInstances, TimelyInstances int
	// Interruptible compiles the module with wazero's termination checks, so a deadline
	// stops even a loop that never calls the host. They cost a check at every loop
	// header and a goroutine per call into the guest, about twice the time of a hook; off,
	// a deadline stops the guest at its next host call (every import checks it) and the
	// instance is closed and replaced.
	Interruptible bool
	// CacheDir, if set, keeps wazero's compiled code on disk there, so the next activation
	// (a restart, another node with the same folder) skips compiling.
	CacheDir string
	// Stderr receives what the guest writes to WASI stderr (panic messages); default discard.
	Stderr io.Writer
	// Observe, if set, sees every import and export call with its lifted arguments and
	// result (the conformance test writes its transcript from it).
	Observe func(kind, name string, args []reflect.Value, result reflect.Value)
}

// Validate refuses options the runtime cannot honour (zero means "default").
func (o Options) Validate() error {
	if o.MemoryLimitMiB != 0 && (o.MemoryLimitMiB < MinMemoryMiB || o.MemoryLimitMiB > MaxMemoryMiB) {
		return fmt.Errorf("memory limit %d MiB is outside %d…%d MiB", o.MemoryLimitMiB, MinMemoryMiB, MaxMemoryMiB)
	}
	for name, d := range map[string]time.Duration{"interactive": o.Interactive, "lifecycle": o.Lifecycle,
		"background": o.Background, "timely": o.Timely} {
		if d < 0 || d > time.Hour {
			return fmt.Errorf("%s deadline %v is outside 0…1h", name, d)
		}
	}
	for _, n := range []int{o.MaxInstances, o.BackgroundInstances, o.TimelyInstances} {
		if n < 0 || n > MaxInstances {
			return fmt.Errorf("instances %d/%d/%d are outside 0…%d", o.MaxInstances, o.BackgroundInstances,
				o.TimelyInstances, MaxInstances)
		}
	}
	return nil
}

func (o *Options) fill() {
	if o.MemoryLimitMiB == 0 {
		o.MemoryLimitMiB = 256
	}
	if o.Interactive == 0 {
		o.Interactive = 20 * time.Second
	}
	if o.Lifecycle == 0 {
		o.Lifecycle = 30 * time.Second
	}
	if o.Background == 0 {
		o.Background = 50 * time.Second
	}
	if o.MaxInstances == 0 {
		o.MaxInstances = 4
	}
	if o.Timely == 0 {
		o.Timely = 20 * time.Second
	}
	if o.BackgroundInstances == 0 {
		o.BackgroundInstances = 32
	}
	if o.TimelyInstances == 0 {
		o.TimelyInstances = 16
	}
	if o.Stderr == nil {
		o.Stderr = io.Discard
	}
}

func (o *Options) deadline(k Kind) time.Duration {
	switch k {
	case Lifecycle:
		return o.Lifecycle
	case Background:
		return o.Background
	case Timely:
		return o.Timely
	}
	return o.Interactive
}

// ImplFor returns the Go implementation of one import.
type ImplFor func(imp wit.Import) cabi.Impl

// HostImpls implements every import with the methods of h.
func HostImpls(h wit.Host) ImplFor {
	hv := reflect.ValueOf(h)
	return func(imp wit.Import) cabi.Impl {
		m := hv.MethodByName(imp.Method)
		return func(ctx context.Context, args []reflect.Value) (reflect.Value, error) {
			out := m.Call(append([]reflect.Value{reflect.ValueOf(ctx)}, args...))
			if len(out) == 0 {
				return reflect.Value{}, nil
			}
			return out[0], nil
		}
	}
}

// Runtime holds the compiled module and the linked host modules.
type Runtime struct {
	rt       wazero.Runtime
	compiled wazero.CompiledModule
	opts     Options
	sigs     map[string]*cabi.Signature
	kinds    map[string]Kind
	probes   bool // the module exports the abi-probe interface
	pool     *Pool
	watch    watchdog
}

// ErrSleep is the trap of a component that tries to sleep: hooks never sleep (wit/hooks.wit).
var ErrSleep = errors.New("the component tried to sleep; hooks never sleep")

// New compiles wasm and links it with the imports given by impls.
func New(ctx context.Context, wasm []byte, impls ImplFor, opts Options) (*Runtime, error) {
	if err := opts.Validate(); err != nil {
		return nil, fmt.Errorf("component options: %w", err)
	}
	opts.fill()
	cfg := wazero.NewRuntimeConfig().
		WithMemoryLimitPages(opts.MemoryLimitMiB * 16). // 64 KiB pages
		WithCloseOnContextDone(opts.Interruptible)
	if opts.CacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("compilation cache in %s: %w", opts.CacheDir, err)
		}
		cfg = cfg.WithCompilationCache(cache)
	}
	r := &Runtime{rt: wazero.NewRuntimeWithConfig(ctx, cfg), opts: opts,
		sigs: map[string]*cabi.Signature{}, kinds: map[string]Kind{}}
	fail := func(err error) (*Runtime, error) {
		_ = r.rt.Close(ctx)
		return nil, err
	}
	if err := instantiateWASI(ctx, r.rt); err != nil {
		return fail(fmt.Errorf("wasi: %w", err))
	}
	if err := r.linkImports(ctx, impls); err != nil {
		return fail(err)
	}
	for _, e := range wit.Exports {
		sig, err := cabi.NewSignature(e.Params, e.Result)
		if err != nil {
			return fail(fmt.Errorf("export %s: %w", e.Name, err))
		}
		r.sigs[e.Name] = sig
	}
	for _, e := range []wit.Export{wit.ExportActivate, wit.ExportDeactivate, wit.ExportDescribeCommand} {
		r.kinds[e.Name] = Lifecycle
	}
	r.kinds[wit.ExportRunJob.Name] = Background
	compiled, err := r.rt.CompileModule(ctx, wasm)
	if err != nil {
		return fail(fmt.Errorf("compile component: %w", err))
	}
	r.compiled = compiled
	exported := compiled.ExportedFunctions()
	for _, e := range wit.Hooks {
		if _, ok := exported[e.Name]; !ok {
			return fail(fmt.Errorf("the module does not export %s", e.Name))
		}
	}
	_, r.probes = exported[wit.Probes[0].Name]
	r.pool = newPool(r, opts.MaxInstances, opts.BackgroundInstances, opts.TimelyInstances)
	return r, nil
}

// instantiateWASI links WASI preview 1 with one change: poll_oneoff, what a sleep turns
// into, traps (wazero's own would return at once, wasmtime's would really wait; both hosts
// trap instead, so a component that sleeps fails the same way on both).
func instantiateWASI(ctx context.Context, rt wazero.Runtime) error {
	b := rt.NewHostModuleBuilder(wasi_snapshot_preview1.ModuleName)
	wasi_snapshot_preview1.NewFunctionExporter().ExportFunctions(b)
	i32 := api.ValueTypeI32
	b.NewFunctionBuilder().WithGoModuleFunction(api.GoModuleFunc(func(_ context.Context, mod api.Module, stack []uint64) {
		panic(fmt.Errorf("%w (poll_oneoff for %s)", ErrSleep, sleepLength(mod, uint32(stack[0]), uint32(stack[2]))))
	}), []api.ValueType{i32, i32, i32, i32}, []api.ValueType{i32}).Export("poll_oneoff")
	_, err := b.Instantiate(ctx)
	return err
}

// sleepLength reads the first clock subscription's timeout, for the trap's message.
func sleepLength(mod api.Module, in, n uint32) string {
	const clockTag = 0
	sub, ok := mod.Memory().Read(in, 48)
	if !ok || n == 0 || sub[8] != clockTag {
		return "an event"
	}
	return time.Duration(binary.LittleEndian.Uint64(sub[24:32])).String()
}

func (r *Runtime) linkImports(ctx context.Context, impls ImplFor) error {
	builders := map[string]wazero.HostModuleBuilder{}
	var order []string
	for _, imp := range wit.Imports {
		params, result := imp.Signature()
		sig, err := cabi.NewSignature(params, result)
		if err != nil {
			return fmt.Errorf("import %s: %w", imp.QualifiedName(), err)
		}
		impl := impls(imp)
		if r.opts.Observe != nil {
			impl = observed("import", imp.QualifiedName(), impl, r.opts.Observe)
		}
		hf := cabi.NewHostFunc(imp.QualifiedName(), sig, impl)
		b, ok := builders[imp.Module]
		if !ok {
			b = r.rt.NewHostModuleBuilder(imp.Module)
			builders[imp.Module] = b
			order = append(order, imp.Module)
		}
		b.NewFunctionBuilder().WithGoModuleFunction(hf.Fn, hf.Params, hf.Results).Export(imp.Name)
	}
	for _, name := range order {
		if _, err := builders[name].Instantiate(ctx); err != nil {
			return fmt.Errorf("host module %s: %w", name, err)
		}
	}
	return nil
}

func observed(kind, name string, impl cabi.Impl, observe func(string, string, []reflect.Value, reflect.Value)) cabi.Impl {
	return func(ctx context.Context, args []reflect.Value) (reflect.Value, error) {
		out, err := impl(ctx, args)
		if err == nil {
			observe(kind, name, args, out)
		}
		return out, err
	}
}

// Options are the options the runtime runs with, defaults filled in.
func (r *Runtime) Options() Options { return r.opts }

// HasProbes tells whether the module exports the abi-probe interface (the test build).
func (r *Runtime) HasProbes() bool { return r.probes }

// Close stops every instance and frees the compiled code.
func (r *Runtime) Close(ctx context.Context) error {
	r.watch.close()
	r.pool.close(ctx)
	return r.rt.Close(ctx)
}

// Instance is one instantiation of the module, used by one call at a time.
type Instance struct {
	mod     api.Module
	guest   *cabi.Guest
	exports map[string]*cabi.Export
	opts    *Options
}

func (r *Runtime) instantiate(ctx context.Context) (*Instance, error) {
	cfg := wazero.NewModuleConfig().
		WithName("").
		WithStderr(r.opts.Stderr).
		WithRandSource(rand.Reader).
		WithSysWalltime().
		WithSysNanotime().
		WithStartFunctions("_initialize")
	mod, err := r.rt.InstantiateModule(ctx, r.compiled, cfg)
	if err != nil {
		return nil, fmt.Errorf("instantiate component: %w", err)
	}
	g, err := cabi.GuestOf(ctx, mod)
	if err != nil {
		_ = mod.Close(ctx)
		return nil, err
	}
	inst := &Instance{mod: mod, guest: g, exports: map[string]*cabi.Export{}, opts: &r.opts}
	for _, e := range wit.Exports {
		if mod.ExportedFunction(e.Name) == nil {
			continue // a probe of the test build; hooks were checked at compile time
		}
		x, err := cabi.BindExport(mod, e.Name, r.sigs[e.Name])
		if err != nil {
			_ = mod.Close(ctx)
			return nil, err
		}
		inst.exports[e.Name] = x
	}
	return inst, nil
}

// ErrUnknownExport is returned for a name the module does not export.
var ErrUnknownExport = errors.New("component: unknown export")

// ErrPanic wraps a Go panic during a call (lowering, lifting, a host function).
var ErrPanic = errors.New("component: panic in the host")

// Call calls an export by name with Go values of its WIT parameter types. A panic in the
// host's own code (lowering, lifting) becomes an error, so the plugin process survives.
func (i *Instance) Call(ctx context.Context, name string, args ...reflect.Value) (out reflect.Value, err error) {
	x, ok := i.exports[name]
	if !ok {
		return reflect.Value{}, fmt.Errorf("%w %q", ErrUnknownExport, name)
	}
	defer func() {
		if p := recover(); p != nil {
			out, err = reflect.Value{}, fmt.Errorf("%w: %s: %v\n%s", ErrPanic, name, p, debug.Stack())
		}
	}()
	out, err = x.Call(cabi.WithGuest(ctx, i.guest), i.guest, args...)
	if err == nil && i.opts.Observe != nil {
		i.opts.Observe("export", name, args, out)
	}
	return out, err
}

func (i *Instance) close(ctx context.Context) { _ = i.mod.Close(ctx) }
