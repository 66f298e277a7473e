package cabi

import (
	"context"
	"fmt"
	"reflect"

	"github.com/tetratelabs/wazero/api"
)

// The spec's limits on flattened parameters and results before they spill to memory.
const (
	maxFlatParams  = 16
	maxFlatResults = 1
)

// Signature is the ABI shape of one WIT function: its parameter types and optional result.
type Signature struct {
	params []*typ
	result *typ // nil: no result
	spill  *typ // the parameter tuple, when the parameters spill to memory
	flatIn []flat
}

// NewSignature describes a function from the Go types of its parameters and result
// (result nil for a function without one).
func NewSignature(params []reflect.Type, result reflect.Type) (*Signature, error) {
	s := &Signature{}
	for _, p := range params {
		t, err := typeOf(p)
		if err != nil {
			return nil, err
		}
		s.params = append(s.params, t)
		s.flatIn = append(s.flatIn, t.flat...)
	}
	if len(s.flatIn) > maxFlatParams {
		s.spill = layoutFields(s.params)
	}
	if result != nil {
		t, err := typeOf(result)
		if err != nil {
			return nil, err
		}
		s.result = t
	}
	return s, nil
}

func (s *Signature) resultSpills() bool {
	return s.result != nil && len(s.result.flat) > maxFlatResults
}

// Export is a function exported by the guest, with its post-return companion.
type Export struct {
	Name string
	sig  *Signature
	fn   api.Function
	post api.Function
}

// BindExport looks up an exported function and its `cabi_post_` companion once, so calls
// don't search the exports again.
func BindExport(mod api.Module, name string, sig *Signature) (*Export, error) {
	fn := mod.ExportedFunction(name)
	if fn == nil {
		return nil, fmt.Errorf("cabi: module does not export %q", name)
	}
	return &Export{Name: name, sig: sig, fn: fn, post: mod.ExportedFunction("cabi_post_" + name)}, nil
}

// Call lowers args into the guest, calls the export, lifts its result into a Go value of the
// result type (the zero Value when there is none) and runs post-return.
func (e *Export) Call(ctx context.Context, g *Guest, args ...reflect.Value) (reflect.Value, error) {
	if len(args) != len(e.sig.params) {
		return reflect.Value{}, fmt.Errorf("cabi: %s takes %d arguments, got %d", e.Name, len(e.sig.params), len(args))
	}
	g.ctx = ctx
	var flatArgs []uint64
	var err error
	if e.sig.spill != nil {
		ptr, err := g.alloc(e.sig.spill.align, e.sig.spill.size)
		if err != nil {
			return reflect.Value{}, err
		}
		for i, t := range e.sig.params {
			if err := g.store(t, args[i], ptr+e.sig.spill.offsets[i]); err != nil {
				return reflect.Value{}, err
			}
		}
		flatArgs = []uint64{uint64(ptr)}
	} else {
		for i, t := range e.sig.params {
			if flatArgs, err = g.lowerFlat(t, args[i], flatArgs); err != nil {
				return reflect.Value{}, fmt.Errorf("%s argument %d: %w", e.Name, i, err)
			}
		}
	}
	raw, err := e.fn.Call(ctx, flatArgs...)
	if err != nil {
		return reflect.Value{}, err
	}
	var out reflect.Value
	if t := e.sig.result; t != nil {
		if len(raw) == 0 {
			return reflect.Value{}, fmt.Errorf("cabi: %s returned nothing", e.Name)
		}
		if e.sig.resultSpills() {
			out, err = g.load(t, uint32(raw[0]))
		} else {
			out, err = g.liftFlat(t, &flatReader{vals: raw})
		}
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s result: %w", e.Name, err)
		}
	}
	if e.post != nil {
		if _, err := e.post.Call(ctx, raw...); err != nil {
			return reflect.Value{}, fmt.Errorf("cabi: post-return of %s: %w", e.Name, err)
		}
	}
	return out, nil
}

// HostFunc is a Go function made callable by the guest as a core import.
type HostFunc struct {
	Params  []api.ValueType
	Results []api.ValueType
	Fn      api.GoModuleFunc
}

// Impl is the Go side of one import: it gets the lifted arguments and returns the result
// (the zero Value for a function without one).
type Impl func(ctx context.Context, args []reflect.Value) (reflect.Value, error)

// NewHostFunc wraps impl in the core signature the guest imports: parameters flattened (or a
// pointer to them when they spill), the result flattened (or stored at a pointer the guest
// passes last when it spills). A failure traps the guest call.
func NewHostFunc(name string, sig *Signature, impl Impl) *HostFunc {
	h := &HostFunc{}
	if sig.spill != nil {
		h.Params = []api.ValueType{api.ValueTypeI32}
	} else {
		h.Params = valueTypes(sig.flatIn)
	}
	if sig.resultSpills() {
		h.Params = append(h.Params, api.ValueTypeI32)
	} else if sig.result != nil {
		h.Results = valueTypes(sig.result.flat)
	}
	h.Fn = func(ctx context.Context, mod api.Module, stack []uint64) {
		if err := callHost(ctx, mod, stack, name, sig, impl); err != nil {
			panic(fmt.Errorf("host import %s: %w", name, err))
		}
	}
	return h
}

type guestKey struct{}

// WithGuest lets host functions called during this export call find the caller's memory and
// allocator without looking up exports again.
func WithGuest(ctx context.Context, g *Guest) context.Context {
	return context.WithValue(ctx, guestKey{}, g)
}

func guestFor(ctx context.Context, mod api.Module) (*Guest, error) {
	if g, ok := ctx.Value(guestKey{}).(*Guest); ok && g.mem == mod.Memory() {
		return &Guest{ctx: ctx, mem: g.mem, realloc: g.realloc}, nil
	}
	return GuestOf(ctx, mod)
}

func callHost(ctx context.Context, mod api.Module, stack []uint64, name string, sig *Signature, impl Impl) error {
	g, err := guestFor(ctx, mod)
	if err != nil {
		return err
	}
	args := make([]reflect.Value, len(sig.params))
	if sig.spill != nil {
		ptr := uint32(stack[0])
		for i, t := range sig.params {
			if args[i], err = g.load(t, ptr+sig.spill.offsets[i]); err != nil {
				return err
			}
		}
	} else {
		r := &flatReader{vals: stack[:len(sig.flatIn)]}
		for i, t := range sig.params {
			if args[i], err = g.liftFlat(t, r); err != nil {
				return err
			}
		}
	}
	var retptr uint32
	if sig.resultSpills() {
		retptr = uint32(stack[len(stack)-1])
	}
	out, err := impl(ctx, args)
	if err != nil {
		return err
	}
	if sig.result == nil {
		return nil
	}
	if sig.resultSpills() {
		return g.store(sig.result, out, retptr)
	}
	flat, err := g.lowerFlat(sig.result, out, nil)
	if err != nil {
		return err
	}
	copy(stack, flat)
	return nil
}

func valueTypes(fs []flat) []api.ValueType {
	out := make([]api.ValueType, len(fs))
	for i, f := range fs {
		if f == fI64 {
			out[i] = api.ValueTypeI64
		} else {
			out[i] = api.ValueTypeI32
		}
	}
	return out
}
