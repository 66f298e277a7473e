package cabi

import (
	"fmt"
	"reflect"
)

// Flat values travel as uint64: an i32 in the low 32 bits (zero-extended), an i64 whole.
// That makes the spec's coercions between joined variant slots (i32 ⇄ i64) plain
// truncation and zero-extension.

type flatReader struct {
	vals []uint64
	pos  int
}

func (r *flatReader) next() (uint64, error) {
	if r.pos >= len(r.vals) {
		return 0, fmt.Errorf("cabi: ran out of flat values")
	}
	v := r.vals[r.pos]
	r.pos++
	return v, nil
}

// liftFlat reads a value of type t from flattened core values (the spec's `lift_flat`).
func (g *Guest) liftFlat(t *typ, r *flatReader) (reflect.Value, error) {
	switch t.kind {
	case kBool, kU8, kU16, kU32, kS8, kS16, kS32:
		raw, err := r.next()
		if err != nil {
			return reflect.Value{}, err
		}
		return scalarValue(t, uint64(uint32(raw))), nil
	case kU64, kS64:
		raw, err := r.next()
		if err != nil {
			return reflect.Value{}, err
		}
		return scalarValue(t, raw), nil
	case kString, kList:
		p, err := r.next()
		if err != nil {
			return reflect.Value{}, err
		}
		n, err := r.next()
		if err != nil {
			return reflect.Value{}, err
		}
		return g.liftSequence(t, uint32(p), uint32(n))
	case kRecord, kTuple:
		v := reflect.New(t.goType).Elem()
		for i, ft := range t.fields {
			fv, err := g.liftFlat(ft, r)
			if err != nil {
				return reflect.Value{}, err
			}
			v.Field(i).Set(fv)
		}
		return v, nil
	case kVariant, kEnum, kOption, kResult:
		disc, err := r.next()
		if err != nil {
			return reflect.Value{}, err
		}
		slots := len(t.flat) - 1
		if r.pos+slots > len(r.vals) {
			return reflect.Value{}, fmt.Errorf("cabi: ran out of flat values")
		}
		payload := &flatReader{vals: r.vals[r.pos : r.pos+slots]}
		r.pos += slots
		return g.buildCase(t, uint64(uint32(disc)), func(c *typ) (reflect.Value, error) {
			return g.liftFlat(c, payload)
		})
	case kUnit:
		return reflect.ValueOf(Unit{}), nil
	}
	return reflect.Value{}, fmt.Errorf("cabi: cannot lift %s", t.goType)
}

// lowerFlat appends the flattened core values of v (the spec's `lower_flat`).
func (g *Guest) lowerFlat(t *typ, v reflect.Value, out []uint64) ([]uint64, error) {
	switch t.kind {
	case kBool:
		if v.Bool() {
			return append(out, 1), nil
		}
		return append(out, 0), nil
	case kU8, kU16, kU32, kU64:
		return append(out, v.Uint()), nil
	case kS8, kS16, kS32:
		return append(out, uint64(uint32(int32(v.Int())))), nil
	case kS64:
		return append(out, uint64(v.Int())), nil
	case kString, kList:
		p, n, err := g.lowerSequence(t, v)
		if err != nil {
			return nil, err
		}
		return append(out, uint64(p), uint64(n)), nil
	case kRecord, kTuple:
		var err error
		for i, ft := range t.fields {
			if out, err = g.lowerFlat(ft, v.Field(i), out); err != nil {
				return nil, err
			}
		}
		return out, nil
	case kVariant, kEnum, kOption, kResult:
		disc, payload, err := caseOf(t, v)
		if err != nil {
			return nil, err
		}
		out = append(out, disc)
		start := len(out)
		if c := t.cases[disc]; c != nil {
			if out, err = g.lowerFlat(c, payload, out); err != nil {
				return nil, err
			}
		}
		for len(out)-start < len(t.flat)-1 {
			out = append(out, 0)
		}
		return out, nil
	case kUnit:
		return out, nil
	}
	return nil, fmt.Errorf("cabi: cannot lower %s", t.goType)
}
