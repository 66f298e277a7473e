package cabi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"unicode/utf8"

	"github.com/tetratelabs/wazero/api"
)

// Guest is the linear memory of one instance and its allocator, cabi_realloc.
type Guest struct {
	ctx     context.Context
	mem     api.Memory
	realloc api.Function
}

// ErrNoMemory means the module exports no memory or no cabi_realloc.
var ErrNoMemory = errors.New("cabi: module exports no memory or cabi_realloc")

// GuestOf finds the memory and allocator that a wit-bindgen module exports.
func GuestOf(ctx context.Context, mod api.Module) (*Guest, error) {
	mem := mod.Memory()
	realloc := mod.ExportedFunction("cabi_realloc")
	if mem == nil || realloc == nil {
		return nil, ErrNoMemory
	}
	return &Guest{ctx: ctx, mem: mem, realloc: realloc}, nil
}

func (g *Guest) alloc(align, size uint32) (uint32, error) {
	res, err := g.realloc.Call(g.ctx, 0, 0, uint64(align), uint64(size))
	if err != nil {
		return 0, fmt.Errorf("cabi_realloc: %w", err)
	}
	ptr := uint32(res[0])
	if ptr%align != 0 || uint64(ptr)+uint64(size) > uint64(g.mem.Size()) {
		return 0, fmt.Errorf("cabi_realloc returned a bad pointer %#x for %d bytes", ptr, size)
	}
	return ptr, nil
}

func (g *Guest) read(ptr, n uint32) ([]byte, error) {
	b, ok := g.mem.Read(ptr, n)
	if !ok {
		return nil, fmt.Errorf("cabi: read of %d bytes at %#x is out of bounds", n, ptr)
	}
	return b, nil
}

func (g *Guest) write(ptr uint32, b []byte) error {
	if !g.mem.Write(ptr, b) {
		return fmt.Errorf("cabi: write of %d bytes at %#x is out of bounds", len(b), ptr)
	}
	return nil
}

func (g *Guest) loadUint(ptr, size uint32) (uint64, error) {
	if ptr%size != 0 {
		return 0, fmt.Errorf("cabi: unaligned %d-byte load at %#x", size, ptr)
	}
	b, err := g.read(ptr, size)
	if err != nil {
		return 0, err
	}
	var v uint64
	for i := int(size) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v, nil
}

func (g *Guest) storeUint(ptr, size uint32, v uint64) error {
	if ptr%size != 0 {
		return fmt.Errorf("cabi: unaligned %d-byte store at %#x", size, ptr)
	}
	b := make([]byte, size)
	for i := range b {
		b[i] = byte(v >> (8 * i))
	}
	return g.write(ptr, b)
}

// load reads a value of type t stored at ptr (the spec's `load`), copying it out of the guest.
func (g *Guest) load(t *typ, ptr uint32) (reflect.Value, error) {
	switch t.kind {
	case kBool, kU8, kU16, kU32, kU64, kS8, kS16, kS32, kS64:
		raw, err := g.loadUint(ptr, t.size)
		if err != nil {
			return reflect.Value{}, err
		}
		return scalarValue(t, raw), nil
	case kString, kList:
		p, err := g.loadUint(ptr, 4)
		if err != nil {
			return reflect.Value{}, err
		}
		n, err := g.loadUint(ptr+4, 4)
		if err != nil {
			return reflect.Value{}, err
		}
		return g.liftSequence(t, uint32(p), uint32(n))
	case kRecord, kTuple:
		v := reflect.New(t.goType).Elem()
		for i, ft := range t.fields {
			fv, err := g.load(ft, ptr+t.offsets[i])
			if err != nil {
				return reflect.Value{}, err
			}
			v.Field(i).Set(fv)
		}
		return v, nil
	case kVariant, kEnum, kOption, kResult:
		disc, err := g.loadUint(ptr, t.discSize)
		if err != nil {
			return reflect.Value{}, err
		}
		return g.buildCase(t, disc, func(c *typ) (reflect.Value, error) {
			return g.load(c, ptr+t.payloadOffset)
		})
	case kUnit:
		return reflect.ValueOf(Unit{}), nil
	}
	return reflect.Value{}, fmt.Errorf("cabi: cannot load %s", t.goType)
}

// buildCase makes the Go value of a variant-like type for case disc, loading its payload
// with payload.
func (g *Guest) buildCase(t *typ, disc uint64, payload func(*typ) (reflect.Value, error)) (reflect.Value, error) {
	if disc >= uint64(len(t.cases)) {
		return reflect.Value{}, fmt.Errorf("cabi: %s has no case %d", t.goType, disc)
	}
	c := t.cases[disc]
	var pv reflect.Value
	if c != nil {
		var err error
		if pv, err = payload(c); err != nil {
			return reflect.Value{}, err
		}
	}
	v := reflect.New(t.goType).Elem()
	switch t.kind {
	case kEnum:
		v.SetUint(disc)
	case kOption:
		if disc == 1 {
			p := reflect.New(t.elem.goType)
			p.Elem().Set(pv)
			v.Set(p)
		}
	case kResult:
		v.FieldByName("IsErr").SetBool(disc == 1)
		if c != nil {
			v.FieldByName([]string{"Ok", "Err"}[disc]).Set(pv)
		}
	case kVariant:
		field := v.Field(int(disc))
		p := reflect.New(field.Type().Elem())
		if c != nil {
			p.Elem().Set(pv)
		}
		field.Set(p)
	}
	return v, nil
}

func scalarValue(t *typ, raw uint64) reflect.Value {
	v := reflect.New(t.goType).Elem()
	switch t.kind {
	case kBool:
		v.SetBool(raw != 0)
	case kU8, kU16, kU32, kU64:
		v.SetUint(raw & mask(t.size))
	case kS8:
		v.SetInt(int64(int8(raw)))
	case kS16:
		v.SetInt(int64(int16(raw)))
	case kS32:
		v.SetInt(int64(int32(raw)))
	case kS64:
		v.SetInt(int64(raw))
	}
	return v
}

func mask(size uint32) uint64 {
	if size >= 8 {
		return math.MaxUint64
	}
	return 1<<(8*size) - 1
}

func (g *Guest) liftSequence(t *typ, ptr, n uint32) (reflect.Value, error) {
	if t.kind == kString {
		b, err := g.read(ptr, n)
		if err != nil {
			return reflect.Value{}, err
		}
		if !utf8.Valid(b) {
			return reflect.Value{}, fmt.Errorf("cabi: string at %#x is not valid UTF-8", ptr)
		}
		return reflect.ValueOf(string(b)).Convert(t.goType), nil
	}
	total := uint64(n) * uint64(t.elem.size)
	if total > uint64(g.mem.Size()) || ptr%t.elem.align != 0 {
		return reflect.Value{}, fmt.Errorf("cabi: list of %d elements at %#x does not fit the memory", n, ptr)
	}
	if t.elem.kind == kU8 {
		b, err := g.read(ptr, n)
		if err != nil {
			return reflect.Value{}, err
		}
		return reflect.ValueOf(append([]byte{}, b...)).Convert(t.goType), nil
	}
	v := reflect.MakeSlice(t.goType, int(n), int(n))
	for i := uint32(0); i < n; i++ {
		ev, err := g.load(t.elem, ptr+i*t.elem.size)
		if err != nil {
			return reflect.Value{}, err
		}
		v.Index(int(i)).Set(ev)
	}
	return v, nil
}

// store writes v of type t at ptr (the spec's `store`), allocating strings and lists in the
// guest with cabi_realloc.
func (g *Guest) store(t *typ, v reflect.Value, ptr uint32) error {
	switch t.kind {
	case kBool:
		var b uint64
		if v.Bool() {
			b = 1
		}
		return g.storeUint(ptr, 1, b)
	case kU8, kU16, kU32, kU64:
		return g.storeUint(ptr, t.size, v.Uint())
	case kS8, kS16, kS32, kS64:
		return g.storeUint(ptr, t.size, uint64(v.Int())&mask(t.size))
	case kString, kList:
		p, n, err := g.lowerSequence(t, v)
		if err != nil {
			return err
		}
		if err := g.storeUint(ptr, 4, uint64(p)); err != nil {
			return err
		}
		return g.storeUint(ptr+4, 4, uint64(n))
	case kRecord, kTuple:
		for i, ft := range t.fields {
			if err := g.store(ft, v.Field(i), ptr+t.offsets[i]); err != nil {
				return err
			}
		}
		return nil
	case kVariant, kEnum, kOption, kResult:
		disc, payload, err := caseOf(t, v)
		if err != nil {
			return err
		}
		if err := g.storeUint(ptr, t.discSize, disc); err != nil {
			return err
		}
		if c := t.cases[disc]; c != nil {
			return g.store(c, payload, ptr+t.payloadOffset)
		}
		return nil
	case kUnit:
		return nil
	}
	return fmt.Errorf("cabi: cannot store %s", t.goType)
}

// caseOf tells which case a Go value of a variant-like type holds, and its payload.
func caseOf(t *typ, v reflect.Value) (uint64, reflect.Value, error) {
	switch t.kind {
	case kEnum:
		d := v.Uint()
		if d >= uint64(len(t.cases)) {
			return 0, reflect.Value{}, fmt.Errorf("cabi: %s value %d is not a case", t.goType, d)
		}
		return d, reflect.Value{}, nil
	case kOption:
		if v.IsNil() {
			return 0, reflect.Value{}, nil
		}
		return 1, v.Elem(), nil
	case kResult:
		if v.FieldByName("IsErr").Bool() {
			return 1, v.FieldByName("Err"), nil
		}
		return 0, v.FieldByName("Ok"), nil
	case kVariant:
		found := -1
		for i := 0; i < v.NumField(); i++ {
			if !v.Field(i).IsNil() {
				if found >= 0 {
					return 0, reflect.Value{}, fmt.Errorf("cabi: %s has cases %s and %s both set", t.goType, t.names[found], t.names[i])
				}
				found = i
			}
		}
		if found < 0 {
			return 0, reflect.Value{}, fmt.Errorf("cabi: %s has no case set", t.goType)
		}
		return uint64(found), v.Field(found).Elem(), nil
	}
	return 0, reflect.Value{}, fmt.Errorf("cabi: %s is not a variant", t.goType)
}

func (g *Guest) lowerSequence(t *typ, v reflect.Value) (uint32, uint32, error) {
	if t.kind == kString {
		s := v.String()
		if !utf8.ValidString(s) {
			return 0, 0, fmt.Errorf("cabi: string is not valid UTF-8")
		}
		if uint64(len(s)) > math.MaxUint32 {
			return 0, 0, fmt.Errorf("cabi: string of %d bytes is too long", len(s))
		}
		ptr, err := g.alloc(1, uint32(len(s)))
		if err != nil {
			return 0, 0, err
		}
		return ptr, uint32(len(s)), g.write(ptr, []byte(s))
	}
	n := v.Len()
	total := uint64(n) * uint64(t.elem.size)
	if total > math.MaxUint32 {
		return 0, 0, fmt.Errorf("cabi: list of %d elements is too long", n)
	}
	ptr, err := g.alloc(t.elem.align, uint32(total))
	if err != nil {
		return 0, 0, err
	}
	if t.elem.kind == kU8 {
		return ptr, uint32(n), g.write(ptr, v.Bytes())
	}
	for i := 0; i < n; i++ {
		if err := g.store(t.elem, v.Index(i), ptr+uint32(i)*t.elem.size); err != nil {
			return 0, 0, err
		}
	}
	return ptr, uint32(n), nil
}
