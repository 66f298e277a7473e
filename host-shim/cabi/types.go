// Package cabi implements the parts of the WebAssembly Component Model's Canonical ABI
// (CanonicalABI.md) that our WIT contract uses, for a host that runs a core module built by
// wit-bindgen on wazero, which has no component support of its own.
//
// WIT types are described by Go types, read once by reflection into a layout (guest and
// Go offsets); values then move between Go and guest memory through unsafe pointers at
// those offsets, without a reflect.Value per field:
//
//	bool, uint8…uint64, int8…int64  → bool, u8…u64, s8…s64
//	float32, float64                → f32, f64
//	Char                            → char
//	string                          → string
//	[]T                             → list<T>
//	*T                              → option<T> (also of an enum, variant, tuple or result)
//	Result[T, E]                    → result<T, E> (Unit for a missing T or E)
//	a named integer type with WITEnum() []string       → enum
//	a named unsigned type with WITFlags() []string     → flags (bit i = flag i)
//	a struct with WITVariant(), one *T field per case  → variant (*Unit: case without payload)
//	a struct with WITTuple()                           → tuple
//	any other struct, fields tagged `wit:"name"`       → record
package cabi

import (
	"fmt"
	"reflect"
	"sync"
	"unicode/utf8"
)

// Unit stands for "no type": the payload of a variant case without one, or the missing
// side of result<_, E>.
type Unit struct{}

// Result is result<T, E>. Exactly one side is meaningful, chosen by IsErr.
type Result[T, E any] struct {
	IsErr bool
	Ok    T
	Err   E
}

// OK builds an ok result.
func OK[T, E any](v T) Result[T, E] { return Result[T, E]{Ok: v} }

// Err builds an error result.
func Err[T, E any](e E) Result[T, E] { return Result[T, E]{IsErr: true, Err: e} }

func (Result[T, E]) witResult() {}

// Char is a WIT char: one Unicode scalar value.
type Char rune

// Flags is implemented by unsigned integer types standing for a WIT flags type: bit i is
// the i-th name WITFlags returns (at most 32).
type Flags interface{ WITFlags() []string }

// Enum is implemented by Go types standing for a WIT enum: an unsigned integer whose value
// is the case index; WITEnum returns the case names in declaration order.
type Enum interface{ WITEnum() []string }

// Variant is implemented by structs standing for a WIT variant: one pointer field per case,
// in declaration order, tagged with the case name; exactly one is non-nil.
type Variant interface{ WITVariant() }

// Tuple is implemented by structs standing for a WIT tuple: its fields, in order.
type Tuple interface{ WITTuple() }

type resultType interface{ witResult() }

type kind uint8

const (
	kBool kind = iota
	kU8
	kU16
	kU32
	kU64
	kS8
	kS16
	kS32
	kS64
	kString
	kList
	kRecord
	kTuple
	kVariant
	kEnum
	kOption
	kResult
	kUnit
	kF32
	kF64
	kChar
	kFlags
)

// flat is a core wasm value type.
type flat uint8

const (
	fI32 flat = iota
	fI64
	fF32
	fF64
)

// join is the spec's join of two flat types sharing a variant slot.
func join(a, b flat) flat {
	if a == b {
		return a
	}
	if (a == fI32 && b == fF32) || (a == fF32 && b == fI32) {
		return fI32
	}
	return fI64
}

// typ is the ABI shape of one WIT type, computed once per Go type.
type typ struct {
	kind   kind
	goType reflect.Type
	goSize uintptr
	size   uint32
	align  uint32
	flat   []flat

	elem *typ // list, option (the some payload)

	// record / tuple
	fields  []*typ
	offsets []uint32 // in guest memory
	names   []string // record field names, variant/enum case and flags names

	// In Go memory: record/tuple fields; variant case pointers; result Ok and Err.
	goOffsets   []uintptr
	isErrOffset uintptr // result

	// variant / enum / option / result: case payloads (nil = no payload)
	cases         []*typ
	caseGoTypes   []reflect.Type // variant: the pointed-to type of each case field
	discSize      uint32
	payloadOffset uint32
}

var (
	cacheMu sync.Mutex
	cache   = map[reflect.Type]*typ{}

	enumIface    = reflect.TypeOf((*Enum)(nil)).Elem()
	variantIface = reflect.TypeOf((*Variant)(nil)).Elem()
	tupleIface   = reflect.TypeOf((*Tuple)(nil)).Elem()
	resultIface  = reflect.TypeOf((*resultType)(nil)).Elem()
	flagsIface   = reflect.TypeOf((*Flags)(nil)).Elem()
	unitType     = reflect.TypeOf(Unit{})
	charType     = reflect.TypeOf(Char(0))
)

// typeOf returns the ABI shape for a Go type, or an error naming what is not supported.
func typeOf(t reflect.Type) (*typ, error) {
	cacheMu.Lock()
	defer cacheMu.Unlock()
	return typeOfLocked(t)
}

func typeOfLocked(t reflect.Type) (*typ, error) {
	if ty, ok := cache[t]; ok {
		return ty, nil
	}
	ty, err := build(t)
	if err != nil {
		return nil, err
	}
	ty.goSize = t.Size()
	cache[t] = ty
	return ty, nil
}

func scalar(t reflect.Type, k kind, size uint32, f flat) *typ {
	return &typ{kind: k, goType: t, size: size, align: size, flat: []flat{f}}
}

func build(t reflect.Type) (*typ, error) {
	// Pointers first: *E of an enum E has E's methods too, but it is option<E>.
	if t.Kind() == reflect.Pointer {
		elem, err := typeOfLocked(t.Elem())
		if err != nil {
			return nil, err
		}
		ty := &typ{kind: kOption, goType: t, elem: elem, names: []string{"none", "some"}}
		layoutVariant(ty, []*typ{nil, elem})
		return ty, nil
	}
	switch {
	case t == unitType:
		return &typ{kind: kUnit, goType: t, size: 0, align: 1}, nil
	case t == charType:
		return scalar(t, kChar, 4, fI32), nil
	case t.Implements(flagsIface):
		return buildFlags(t)
	case t.Implements(enumIface):
		return buildEnum(t)
	case t.Implements(variantIface):
		return buildVariant(t)
	case t.Implements(resultIface):
		return buildResult(t)
	case t.Implements(tupleIface):
		return buildRecord(t, true)
	}
	switch t.Kind() {
	case reflect.Bool:
		return scalar(t, kBool, 1, fI32), nil
	case reflect.Uint8:
		return scalar(t, kU8, 1, fI32), nil
	case reflect.Uint16:
		return scalar(t, kU16, 2, fI32), nil
	case reflect.Uint32:
		return scalar(t, kU32, 4, fI32), nil
	case reflect.Uint64:
		return scalar(t, kU64, 8, fI64), nil
	case reflect.Int8:
		return scalar(t, kS8, 1, fI32), nil
	case reflect.Int16:
		return scalar(t, kS16, 2, fI32), nil
	case reflect.Int32:
		return scalar(t, kS32, 4, fI32), nil
	case reflect.Int64:
		return scalar(t, kS64, 8, fI64), nil
	case reflect.Float32:
		return scalar(t, kF32, 4, fF32), nil
	case reflect.Float64:
		return scalar(t, kF64, 8, fF64), nil
	case reflect.String:
		return &typ{kind: kString, goType: t, size: 8, align: 4, flat: []flat{fI32, fI32}}, nil
	case reflect.Slice:
		elem, err := typeOfLocked(t.Elem())
		if err != nil {
			return nil, err
		}
		return &typ{kind: kList, goType: t, elem: elem, size: 8, align: 4, flat: []flat{fI32, fI32}}, nil
	case reflect.Struct:
		return buildRecord(t, false)
	}
	return nil, fmt.Errorf("cabi: Go type %s has no WIT counterpart", t)
}

func buildEnum(t reflect.Type) (*typ, error) {
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
	default:
		return nil, fmt.Errorf("cabi: enum %s must be an unsigned integer type", t)
	}
	names := reflect.Zero(t).Interface().(Enum).WITEnum()
	if len(names) == 0 {
		return nil, fmt.Errorf("cabi: enum %s has no cases", t)
	}
	ty := &typ{kind: kEnum, goType: t, names: names}
	layoutVariant(ty, make([]*typ, len(names)))
	return ty, nil
}

func buildFlags(t reflect.Type) (*typ, error) {
	names := reflect.Zero(t).Interface().(Flags).WITFlags()
	var size uint32
	switch n := len(names); {
	case n == 0:
		return nil, fmt.Errorf("cabi: flags %s has no names", t)
	case n <= 8:
		size = 1
	case n <= 16:
		size = 2
	case n <= 32:
		size = 4
	default:
		return nil, fmt.Errorf("cabi: flags %s has %d names, more than 32", t, n)
	}
	switch t.Kind() {
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		if uint32(t.Size()) < size {
			return nil, fmt.Errorf("cabi: flags %s needs %d bytes for %d names", t, size, len(names))
		}
	default:
		return nil, fmt.Errorf("cabi: flags %s must be an unsigned integer type", t)
	}
	ty := scalar(t, kFlags, size, fI32)
	ty.names = names
	return ty, nil
}

func buildVariant(t reflect.Type) (*typ, error) {
	if t.Kind() != reflect.Struct || t.NumField() == 0 {
		return nil, fmt.Errorf("cabi: variant %s must be a struct with one field per case", t)
	}
	ty := &typ{kind: kVariant, goType: t}
	cases := make([]*typ, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name := f.Tag.Get("wit")
		if f.Type.Kind() != reflect.Pointer || name == "" {
			return nil, fmt.Errorf("cabi: variant %s: case field %s must be a pointer tagged `wit:\"name\"`", t, f.Name)
		}
		ty.names = append(ty.names, name)
		ty.goOffsets = append(ty.goOffsets, f.Offset)
		ty.caseGoTypes = append(ty.caseGoTypes, f.Type.Elem())
		if f.Type.Elem() == unitType {
			continue
		}
		c, err := typeOfLocked(f.Type.Elem())
		if err != nil {
			return nil, err
		}
		cases[i] = c
	}
	layoutVariant(ty, cases)
	return ty, nil
}

func buildResult(t reflect.Type) (*typ, error) {
	okField, _ := t.FieldByName("Ok")
	errField, _ := t.FieldByName("Err")
	isErr, _ := t.FieldByName("IsErr")
	ty := &typ{kind: kResult, goType: t, names: []string{"ok", "err"},
		goOffsets: []uintptr{okField.Offset, errField.Offset}, isErrOffset: isErr.Offset}
	cases := make([]*typ, 2)
	for i, f := range []reflect.StructField{okField, errField} {
		if f.Type == unitType {
			continue
		}
		c, err := typeOfLocked(f.Type)
		if err != nil {
			return nil, err
		}
		cases[i] = c
	}
	layoutVariant(ty, cases)
	return ty, nil
}

func buildRecord(t reflect.Type, tuple bool) (*typ, error) {
	var fields []*typ
	var names []string
	var goOffsets []uintptr
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			return nil, fmt.Errorf("cabi: %s.%s is not exported", t, f.Name)
		}
		name := f.Tag.Get("wit")
		if !tuple && name == "" {
			return nil, fmt.Errorf("cabi: record field %s.%s needs a `wit:\"name\"` tag", t, f.Name)
		}
		ft, err := typeOfLocked(f.Type)
		if err != nil {
			return nil, err
		}
		fields = append(fields, ft)
		names = append(names, name)
		goOffsets = append(goOffsets, f.Offset)
	}
	ty := layoutFields(fields)
	ty.kind, ty.goType, ty.names, ty.goOffsets = kRecord, t, names, goOffsets
	if tuple {
		ty.kind = kTuple
	}
	return ty, nil
}

// layoutFields places fields one after another, each at its alignment, as records, tuples
// and spilled parameter lists are laid out.
func layoutFields(fields []*typ) *typ {
	ty := &typ{kind: kTuple, align: 1}
	var off uint32
	for _, ft := range fields {
		off = alignTo(off, ft.align)
		ty.fields = append(ty.fields, ft)
		ty.offsets = append(ty.offsets, off)
		ty.flat = append(ty.flat, ft.flat...)
		off += ft.size
		ty.align = max(ty.align, ft.align)
	}
	ty.size = alignTo(off, ty.align)
	return ty
}

// layoutVariant fills size, alignment and flattening of a variant-like type.
func layoutVariant(ty *typ, cases []*typ) {
	ty.cases = cases
	switch n := len(cases); {
	case n <= 1<<8:
		ty.discSize = 1
	case n <= 1<<16:
		ty.discSize = 2
	default:
		ty.discSize = 4
	}
	var caseAlign, caseSize uint32 = 1, 0
	var joined []flat
	for _, c := range cases {
		if c == nil {
			continue
		}
		caseAlign = max(caseAlign, c.align)
		caseSize = max(caseSize, c.size)
		for i, f := range c.flat {
			if i < len(joined) {
				joined[i] = join(joined[i], f)
			} else {
				joined = append(joined, f)
			}
		}
	}
	ty.align = max(ty.discSize, caseAlign)
	ty.payloadOffset = alignTo(ty.discSize, caseAlign)
	ty.size = alignTo(ty.payloadOffset+caseSize, ty.align)
	ty.flat = append([]flat{fI32}, joined...)
}

func alignTo(n, a uint32) uint32 { return (n + a - 1) / a * a }

// validChar tells whether c is a Unicode scalar value (a WIT char).
func validChar(c uint32) bool { return c <= utf8.MaxRune && (c < 0xD800 || c > 0xDFFF) }
