package cabi

import (
	"context"
	"fmt"
	"reflect"
	"unsafe"

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
	Name  string
	sig   *Signature
	fn    api.Function
	post  api.Function
	stack []uint64 // the call's flat parameters and results, reused (one caller at a time)
}

// BindExport looks up an exported function and its `cabi_post_` companion once, so calls
// don't search the exports again.
func BindExport(mod api.Module, name string, sig *Signature) (*Export, error) {
	fn := mod.ExportedFunction(name)
	if fn == nil {
		return nil, fmt.Errorf("cabi: module does not export %q", name)
	}
	return &Export{Name: name, sig: sig, fn: fn, post: mod.ExportedFunction("cabi_post_" + name),
		stack: make([]uint64, 0, max(maxFlatParams, len(fn.Definition().ResultTypes()), 1))}, nil
}

// pointerTo returns a pointer to v's value, copying it if v is not addressable. The type
// must be exactly the one the signature was built from: values are read through unsafe
// pointers.
func pointerTo(t *typ, v reflect.Value) (unsafe.Pointer, error) {
	if !v.IsValid() || v.Type() != t.goType {
		return nil, fmt.Errorf("cabi: want a %s, got %v", t.goType, v.Kind())
	}
	if v.CanAddr() {
		return v.Addr().UnsafePointer(), nil
	}
	c := reflect.New(t.goType)
	c.Elem().Set(v)
	return c.UnsafePointer(), nil
}

// Call lowers args into the guest, calls the export, lifts its result into a Go value of the
// result type (the zero Value when there is none) and runs post-return.
func (e *Export) Call(ctx context.Context, g *Guest, args ...reflect.Value) (reflect.Value, error) {
	if len(args) != len(e.sig.params) {
		return reflect.Value{}, fmt.Errorf("cabi: %s takes %d arguments, got %d", e.Name, len(e.sig.params), len(args))
	}
	g.ctx = ctx
	stack := e.stack[:0]
	ptrs := make([]unsafe.Pointer, len(args))
	for i, t := range e.sig.params {
		p, err := pointerTo(t, args[i])
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s argument %d: %w", e.Name, i, err)
		}
		ptrs[i] = p
	}
	if g.many != nil {
		if e.sig.spill != nil {
			g.request(e.sig.spill.align, e.sig.spill.size)
		}
		for i, t := range e.sig.params {
			g.plan(t, ptrs[i])
		}
		if err := g.fill(); err != nil {
			return reflect.Value{}, err
		}
	}
	if e.sig.spill != nil {
		ptr, err := g.alloc(e.sig.spill.align, e.sig.spill.size)
		if err != nil {
			return reflect.Value{}, err
		}
		for i, t := range e.sig.params {
			if err := g.store(t, ptrs[i], ptr+e.sig.spill.offsets[i]); err != nil {
				return reflect.Value{}, err
			}
		}
		stack = append(stack, uint64(ptr))
	} else {
		for i, t := range e.sig.params {
			var err error
			if stack, err = g.lowerFlat(t, ptrs[i], stack); err != nil {
				return reflect.Value{}, fmt.Errorf("%s argument %d: %w", e.Name, i, err)
			}
		}
	}
	if err := g.done(); err != nil {
		return reflect.Value{}, err
	}
	nres := len(e.fn.Definition().ResultTypes())
	for len(stack) < nres {
		stack = append(stack, 0)
	}
	if err := e.fn.CallWithStack(ctx, stack); err != nil {
		return reflect.Value{}, err
	}
	raw := stack[:nres]
	var out reflect.Value
	if t := e.sig.result; t != nil {
		if nres == 0 {
			return reflect.Value{}, fmt.Errorf("cabi: %s returned nothing", e.Name)
		}
		out = reflect.New(t.goType)
		g.startLift()
		var err error
		if e.sig.resultSpills() {
			ptr := uint32(raw[0])
			if ptr%t.align != 0 {
				err = fmt.Errorf("cabi: result pointer %#x is not aligned to %d", ptr, t.align)
			} else {
				err = g.load(t, ptr, out.UnsafePointer())
			}
		} else {
			err = g.liftFlat(t, &flatReader{vals: raw}, out.UnsafePointer())
		}
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s result: %w", e.Name, err)
		}
		out = out.Elem()
	}
	if e.post != nil {
		if err := e.post.CallWithStack(ctx, raw); err != nil {
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
		if err := callHost(ctx, mod, stack, sig, impl); err != nil {
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
		return g, nil
	}
	return GuestOf(ctx, mod)
}

func callHost(ctx context.Context, mod api.Module, stack []uint64, sig *Signature, impl Impl) error {
	// The call's deadline stops the guest here, at its next host call.
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	g, err := guestFor(ctx, mod)
	if err != nil {
		return err
	}
	g.startLift()
	args := make([]reflect.Value, len(sig.params))
	if sig.spill != nil {
		ptr := uint32(stack[0])
		if ptr%sig.spill.align != 0 {
			return fmt.Errorf("cabi: parameter pointer %#x is not aligned", ptr)
		}
		for i, t := range sig.params {
			v := reflect.New(t.goType)
			if err := g.load(t, ptr+sig.spill.offsets[i], v.UnsafePointer()); err != nil {
				return err
			}
			args[i] = v.Elem()
		}
	} else {
		r := &flatReader{vals: stack[:len(sig.flatIn)]}
		for i, t := range sig.params {
			v := reflect.New(t.goType)
			if err := g.liftFlat(t, r, v.UnsafePointer()); err != nil {
				return err
			}
			args[i] = v.Elem()
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
	p, err := pointerTo(sig.result, out)
	if err != nil {
		return err
	}
	if g.many != nil {
		g.plan(sig.result, p)
		if err := g.fill(); err != nil {
			return err
		}
	}
	if sig.resultSpills() {
		if retptr%sig.result.align != 0 {
			return fmt.Errorf("cabi: result pointer %#x is not aligned", retptr)
		}
		if err := g.store(sig.result, p, retptr); err != nil {
			return err
		}
		return g.done()
	}
	flat, err := g.lowerFlat(sig.result, p, stack[:0])
	if err != nil {
		return err
	}
	if len(flat) > len(stack) {
		return fmt.Errorf("cabi: %d result values for a stack of %d", len(flat), len(stack))
	}
	return g.done()
}

func valueTypes(fs []flat) []api.ValueType {
	out := make([]api.ValueType, len(fs))
	for i, f := range fs {
		switch f {
		case fI64:
			out[i] = api.ValueTypeI64
		case fF32:
			out[i] = api.ValueTypeF32
		case fF64:
			out[i] = api.ValueTypeF64
		default:
			out[i] = api.ValueTypeI32
		}
	}
	return out
}
