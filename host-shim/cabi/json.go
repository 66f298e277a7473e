package cabi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

// The JSON form of WIT values shared by both conformance hosts (tests/conformance/README.md):
// records are objects keyed by field name, tuples and lists arrays, option none is null,
// results {"ok": v} / {"err": v}, enums their case name, variants {"case": payload}.

// ToJSON converts a Go value of a WIT type to its JSON form (for encoding/json).
func ToJSON(v reflect.Value) (any, error) {
	t, err := typeOf(v.Type())
	if err != nil {
		return nil, err
	}
	return toJSON(t, v)
}

func toJSON(t *typ, v reflect.Value) (any, error) {
	switch t.kind {
	case kBool:
		return v.Bool(), nil
	case kU8, kU16, kU32, kU64:
		return json.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case kS8, kS16, kS32, kS64:
		return json.Number(strconv.FormatInt(v.Int(), 10)), nil
	case kString:
		return v.String(), nil
	case kList:
		out := make([]any, v.Len())
		for i := range out {
			e, err := toJSON(t.elem, v.Index(i))
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
			e, err := toJSON(ft, v.Field(i))
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
	disc, payload, err := caseOf(t, v)
	if err != nil {
		return nil, err
	}
	if t.kind == kEnum {
		return t.names[disc], nil
	}
	var p any
	if c := t.cases[disc]; c != nil {
		if p, err = toJSON(c, payload); err != nil {
			return nil, err
		}
	}
	if t.kind == kOption {
		return p, nil
	}
	return map[string]any{t.names[disc]: p}, nil
}

// FromJSON builds a Go value of type goType from its JSON form, decoded with UseNumber.
func FromJSON(data any, goType reflect.Type) (reflect.Value, error) {
	t, err := typeOf(goType)
	if err != nil {
		return reflect.Value{}, err
	}
	return fromJSON(t, data, "$")
}

func fromJSON(t *typ, data any, path string) (reflect.Value, error) {
	bad := func(want string) (reflect.Value, error) {
		return reflect.Value{}, fmt.Errorf("%s: want %s for %s, got %T", path, want, t.goType, data)
	}
	v := reflect.New(t.goType).Elem()
	switch t.kind {
	case kBool:
		b, ok := data.(bool)
		if !ok {
			return bad("a boolean")
		}
		v.SetBool(b)
	case kU8, kU16, kU32, kU64:
		n, ok := data.(json.Number)
		if !ok {
			return bad("an integer")
		}
		u, err := strconv.ParseUint(string(n), 10, int(t.size*8))
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s: %w", path, err)
		}
		v.SetUint(u)
	case kS8, kS16, kS32, kS64:
		n, ok := data.(json.Number)
		if !ok {
			return bad("an integer")
		}
		i, err := strconv.ParseInt(string(n), 10, int(t.size*8))
		if err != nil {
			return reflect.Value{}, fmt.Errorf("%s: %w", path, err)
		}
		v.SetInt(i)
	case kString:
		s, ok := data.(string)
		if !ok {
			return bad("a string")
		}
		v.SetString(s)
	case kList:
		arr, ok := data.([]any)
		if !ok {
			return bad("an array")
		}
		v = reflect.MakeSlice(t.goType, len(arr), len(arr))
		for i, e := range arr {
			ev, err := fromJSON(t.elem, e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return reflect.Value{}, err
			}
			v.Index(i).Set(ev)
		}
	case kTuple:
		arr, ok := data.([]any)
		if !ok || len(arr) != len(t.fields) {
			return bad(fmt.Sprintf("an array of %d", len(t.fields)))
		}
		for i, ft := range t.fields {
			fv, err := fromJSON(ft, arr[i], fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return reflect.Value{}, err
			}
			v.Field(i).Set(fv)
		}
	case kRecord:
		obj, ok := data.(map[string]any)
		if !ok {
			return bad("an object")
		}
		for i, ft := range t.fields {
			raw, present := obj[t.names[i]]
			if !present {
				return reflect.Value{}, fmt.Errorf("%s: field %q is missing", path, t.names[i])
			}
			fv, err := fromJSON(ft, raw, path+"."+t.names[i])
			if err != nil {
				return reflect.Value{}, err
			}
			v.Field(i).Set(fv)
		}
	case kUnit:
		return reflect.ValueOf(Unit{}), nil
	case kEnum:
		name, ok := data.(string)
		if !ok {
			return bad("a case name")
		}
		for i, n := range t.names {
			if n == name {
				v.SetUint(uint64(i))
				return v, nil
			}
		}
		return reflect.Value{}, fmt.Errorf("%s: %s has no case %q", path, t.goType, name)
	case kOption:
		if data == nil {
			return v, nil
		}
		ev, err := fromJSON(t.elem, data, path)
		if err != nil {
			return reflect.Value{}, err
		}
		p := reflect.New(t.elem.goType)
		p.Elem().Set(ev)
		v.Set(p)
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
				return (&Guest{}).buildCase(t, uint64(i), func(c *typ) (reflect.Value, error) {
					return fromJSON(c, raw, path+"."+name)
				})
			}
			return reflect.Value{}, fmt.Errorf("%s: %s has no case %q", path, t.goType, name)
		}
	}
	return v, nil
}
