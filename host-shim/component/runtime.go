// Package component runs the Rust component's core module on wazero: it compiles the module
// once, links the WIT host imports and WASI preview 1, and hands out instances from a pool.
package component

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"reflect"
	"time"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/imports/wasi_snapshot_preview1"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// Options tune the runtime; zero values take the defaults.
type Options struct {
	// MemoryLimitMiB caps each instance's linear memory (default 256).
	MemoryLimitMiB uint32
	// CallTimeout bounds one export call; past it the instance is stopped (default 60 s).
	CallTimeout time.Duration
	// MaxInstances bounds how many calls run at once (default 4).
	MaxInstances int
	// Stderr receives what the guest writes to WASI stderr (panic messages); default discard.
	Stderr io.Writer
	// Observe, if set, sees every import and export call with its lifted arguments and
	// result (the conformance test writes its transcript from it).
	Observe func(kind, name string, args []reflect.Value, result reflect.Value)
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
	pool     *Pool
}

// New compiles wasm and links it with the imports given by impls.
func New(ctx context.Context, wasm []byte, impls ImplFor, opts Options) (*Runtime, error) {
	if opts.MemoryLimitMiB == 0 {
		opts.MemoryLimitMiB = 256
	}
	if opts.CallTimeout == 0 {
		opts.CallTimeout = 60 * time.Second
	}
	if opts.MaxInstances <= 0 {
		opts.MaxInstances = 4
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	cfg := wazero.NewRuntimeConfig().
		WithMemoryLimitPages(opts.MemoryLimitMiB * 16). // 64 KiB pages
		WithCloseOnContextDone(true)
	r := &Runtime{rt: wazero.NewRuntimeWithConfig(ctx, cfg), opts: opts, sigs: map[string]*cabi.Signature{}}
	fail := func(err error) (*Runtime, error) {
		_ = r.rt.Close(ctx)
		return nil, err
	}
	if _, err := wasi_snapshot_preview1.Instantiate(ctx, r.rt); err != nil {
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
	compiled, err := r.rt.CompileModule(ctx, wasm)
	if err != nil {
		return fail(fmt.Errorf("compile component: %w", err))
	}
	r.compiled = compiled
	r.pool = newPool(r, opts.MaxInstances)
	return r, nil
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

// Close stops every instance and frees the compiled code.
func (r *Runtime) Close(ctx context.Context) error {
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
		x, err := cabi.BindExport(mod, e.Name, r.sigs[e.Name])
		if err != nil {
			_ = mod.Close(ctx)
			return nil, err
		}
		inst.exports[e.Name] = x
	}
	return inst, nil
}

// ErrUnknownExport is returned for a name not in wit.Exports.
var ErrUnknownExport = errors.New("component: unknown export")

// Call calls an export by name with Go values of its WIT parameter types.
func (i *Instance) Call(ctx context.Context, name string, args ...reflect.Value) (reflect.Value, error) {
	x, ok := i.exports[name]
	if !ok {
		return reflect.Value{}, fmt.Errorf("%w %q", ErrUnknownExport, name)
	}
	out, err := x.Call(cabi.WithGuest(ctx, i.guest), i.guest, args...)
	if err == nil && i.opts.Observe != nil {
		i.opts.Observe("export", name, args, out)
	}
	return out, err
}

func (i *Instance) close(ctx context.Context) { _ = i.mod.Close(ctx) }
