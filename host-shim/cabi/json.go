package cabi

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"unicode/utf8"
	"unsafe"
)

// The JSON form of WIT values shared by both conformance hosts (tests/conformance/README.md):
// records are objects keyed by field name, tuples and lists arrays, option none is null and
// some the value itself (but {"some": v} when the payload is itself an option), results
// {"ok": v} / {"err": v}, enums their case name, variants {"case": payload}, chars a
// one-character string, flags the array of the set names in declaration order.

// ToJSON converts a Go value of a WIT type to its JSON form (for encoding/json).
func ToJSON(v reflect.Value) (any, error) {
	t, err := typeOf(v.Type())
	if err != nil {
		return nil, err
	}
	p, err := pointerTo(t, v)
	if err != nil {
		return nil, err
	}
	return toJSON(t, p)
}

func floatJSON(f float64) (any, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("cabi: %v has no JSON form", f)
	}
	return json.Number(strconv.FormatFloat(f, 'g', -1, 64)), nil
}

func toJSON(t *typ, p unsafe.Pointer) (any, error) {
	switch t.kind {
	case kBool:
		return *(*bool)(p), nil
	case kU8, kU16, kU32, kU64:
		return json.Number(strconv.FormatUint(getBits(t, p), 10)), nil
	case kS8:
		return json.Number(strconv.FormatInt(int64(*(*int8)(p)), 10)), nil
	case kS16:
		return json.Number(strconv.FormatInt(int64(*(*int16)(p)), 10)), nil
	case kS32:
		return json.Number(strconv.FormatInt(int64(*(*int32)(p)), 10)), nil
	case kS64:
		return json.Number(strconv.FormatInt(*(*int64)(p), 10)), nil
	case kF32:
		return floatJSON(float64(*(*float32)(p)))
	case kF64:
		return floatJSON(*(*float64)(p))
	case kChar:
		c := *(*int32)(p)
		if !validChar(uint32(c)) {
			return nil, fmt.Errorf("cabi: %#x is not a char", c)
		}
		return string(rune(c)), nil
	case kFlags:
		bits := getBits(t, p)
		out := []any{}
		for i, n := range t.names {
			if bits&(1<<uint(i)) != 0 {
				out = append(out, n)
			}
		}
		return out, nil
	case kString:
		return *(*string)(p), nil
	case kList:
		h := (*sliceHeader)(p)
		out := make([]any, h.len)
		for i := range out {
			e, err := toJSON(t.elem, at(h.data, uintptr(i)*t.elem.goSize))
			if err != nil {
				return nil, err
			}
			out[i] = e
		}
		return out, nil
	case kRecord, kTuple:
		obj := map[string]any{}
		arr := make([]any, len(t.fields))
		for i, ft := range t.fields {
			e, err := toJSON(ft, at(p, t.goOffsets[i]))
			if err != nil {
				return nil, err
			}
			obj[t.names[i]] = e
			arr[i] = e
		}
		if t.kind == kTuple {
			return arr, nil
		}
		return obj, nil
	case kUnit:
		return nil, nil
	}
	disc, payload, err := caseAt(t, p)
	if err != nil {
		return nil, err
	}
	if t.kind == kEnum {
		return t.names[disc], nil
	}
	var v any
	if c := t.cases[disc]; c != nil {
		if v, err = toJSON(c, payload); err != nil {
			return nil, err
		}
	}
	if t.kind == kOption {
		if disc == 1 && t.elem.kind == kOption {
			return map[string]any{"some": v}, nil
		}
		return v, nil
	}
	return map[string]any{t.names[disc]: v}, nil
}

// FromJSON builds a Go value of type goType from its JSON form, decoded with UseNumber.
func FromJSON(data any, goType reflect.Type) (reflect.Value, error) {
	t, err := typeOf(goType)
	if err != nil {
		return reflect.Value{}, err
	}
	v := reflect.New(goType)
	if err := fromJSON(t, data, "$", v.UnsafePointer()); err != nil {
		return reflect.Value{}, err
	}
	return v.Elem(), nil
}

func fromJSON(t *typ, data any, path string, p unsafe.Pointer) error {
	bad := func(want string) error {
		return fmt.Errorf("%s: want %s for %s, got %T", path, want, t.goType, data)
	}
	switch t.kind {
	case kBool:
		b, ok := data.(bool)
		if !ok {
			return bad("a boolean")
		}
		*(*bool)(p) = b
	case kU8, kU16, kU32, kU64:
		n, ok := data.(json.Number)
		if !ok {
			return bad("an integer")
		}
		u, err := strconv.ParseUint(string(n), 10, int(t.size*8))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		setBits(t, p, u)
	case kS8, kS16, kS32, kS64:
		n, ok := data.(json.Number)
		if !ok {
			return bad("an integer")
		}
		i, err := strconv.ParseInt(string(n), 10, int(t.size*8))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		setBits(t, p, uint64(i))
	case kF32, kF64:
		n, ok := data.(json.Number)
		if !ok {
			return bad("a number")
		}
		f, err := strconv.ParseFloat(string(n), int(t.size*8))
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		if t.kind == kF32 {
			*(*float32)(p) = float32(f)
		} else {
			*(*float64)(p) = f
		}
	case kChar:
		s, ok := data.(string)
		if !ok || utf8.RuneCountInString(s) != 1 {
			return bad("a one-character string")
		}
		r, _ := utf8.DecodeRuneInString(s)
		*(*int32)(p) = r
	case kFlags:
		arr, ok := data.([]any)
		if !ok {
			return bad("an array of flag names")
		}
		var bits uint64
	names:
		for _, e := range arr {
			for i, n := range t.names {
				if e == n {
					bits |= 1 << uint(i)
					continue names
				}
			}
			return fmt.Errorf("%s: %s has no flag %v", path, t.goType, e)
		}
		setBits(t, p, bits)
	case kString:
		s, ok := data.(string)
		if !ok {
			return bad("a string")
		}
		*(*string)(p) = s
	case kList:
		arr, ok := data.([]any)
		if !ok {
			return bad("an array")
		}
		s := reflect.MakeSlice(t.goType, len(arr), len(arr))
		for i, e := range arr {
			if err := fromJSON(t.elem, e, fmt.Sprintf("%s[%d]", path, i), at(s.UnsafePointer(), uintptr(i)*t.elem.goSize)); err != nil {
				return err
			}
		}
		*(*sliceHeader)(p) = sliceHeader{data: s.UnsafePointer(), len: len(arr), cap: len(arr)}
	case kTuple:
		arr, ok := data.([]any)
		if !ok || len(arr) != len(t.fields) {
			return bad(fmt.Sprintf("an array of %d", len(t.fields)))
		}
		for i, ft := range t.fields {
			if err := fromJSON(ft, arr[i], fmt.Sprintf("%s[%d]", path, i), at(p, t.goOffsets[i])); err != nil {
				return err
			}
		}
	case kRecord:
		obj, ok := data.(map[string]any)
		if !ok {
			return bad("an object")
		}
		for i, ft := range t.fields {
			raw, present := obj[t.names[i]]
			if !present {
				return fmt.Errorf("%s: field %q is missing", path, t.names[i])
			}
			if err := fromJSON(ft, raw, path+"."+t.names[i], at(p, t.goOffsets[i])); err != nil {
				return err
			}
		}
	case kUnit:
	case kEnum:
		name, ok := data.(string)
		if !ok {
			return bad("a case name")
		}
		for i, n := range t.names {
			if n == name {
				_, err := setCase(t, uint64(i), p)
				return err
			}
		}
		return fmt.Errorf("%s: %s has no case %q", path, t.goType, name)
	case kOption:
		if data == nil {
			_, err := setCase(t, 0, p)
			return err
		}
		if t.elem.kind == kOption {
			obj, ok := data.(map[string]any)
			inner, present := obj["some"]
			if !ok || len(obj) != 1 || !present {
				return bad(`null or {"some": …}`)
			}
			data = inner
		}
		q, err := setCase(t, 1, p)
		if err != nil {
			return err
		}
		return fromJSON(t.elem, data, path, q)
	case kResult, kVariant:
		obj, ok := data.(map[string]any)
		if !ok || len(obj) != 1 {
			return bad("an object with one case")
		}
		for name, raw := range obj {
			for i, n := range t.names {
				if n != name {
					continue
				}
				q, err := setCase(t, uint64(i), p)
				if err != nil || t.cases[i] == nil {
					if err == nil && raw != nil {
						return fmt.Errorf("%s.%s: the case has no payload", path, name)
					}
					return err
				}
				return fromJSON(t.cases[i], raw, path+"."+name, q)
			}
			return fmt.Errorf("%s: %s has no case %q", path, t.goType, name)
		}
	}
	return nil
}
