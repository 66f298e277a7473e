package cabi

import (
	"fmt"
	"unsafe"
)

// Flat values travel as uint64 bit patterns, as wazero's stack holds them: an i32 or f32 in
// the low 32 bits (zero-extended), an i64 or f64 whole. That makes the spec's coercions
// between joined variant slots (i32 ⇄ f32 ⇄ i64 ⇄ f64) plain truncation and
// zero-extension.

type flatReader struct {
	vals []uint64
	pos  int
}

var errFlat = fmt.Errorf("cabi: ran out of flat values")

func (r *flatReader) next() (uint64, error) {
	if r.pos >= len(r.vals) {
		return 0, errFlat
	}
	v := r.vals[r.pos]
	r.pos++
	return v, nil
}

// liftFlat reads a value of type t from flattened core values into the Go value at p (the
// spec's `lift_flat`).
func (g *Guest) liftFlat(t *typ, r *flatReader, p unsafe.Pointer) error {
	switch t.kind {
	case kBool, kU8, kU16, kU32, kS8, kS16, kS32, kF32, kChar, kFlags, kEnum:
		raw, err := r.next()
		if err != nil {
			return err
		}
		raw = uint64(uint32(raw))
		if t.kind == kEnum {
			_, err = setCase(t, raw, p)
			return err
		}
		if t.kind != kBool && t.size < 4 {
			raw &= 1<<(8*t.size) - 1
		}
		if err := checkScalar(t, raw); err != nil {
			return err
		}
		setBits(t, p, raw)
		return nil
	case kU64, kS64, kF64:
		raw, err := r.next()
		if err != nil {
			return err
		}
		setBits(t, p, raw)
		return nil
	case kString, kList:
		ptr, err := r.next()
		if err != nil {
			return err
		}
		n, err := r.next()
		if err != nil {
			return err
		}
		return g.liftSequence(t, uint32(ptr), uint32(n), p)
	case kRecord, kTuple:
		for i, ft := range t.fields {
			if err := g.liftFlat(ft, r, at(p, t.goOffsets[i])); err != nil {
				return err
			}
		}
		return nil
	case kVariant, kOption, kResult:
		disc, err := r.next()
		if err != nil {
			return err
		}
		slots := len(t.flat) - 1
		if r.pos+slots > len(r.vals) {
			return errFlat
		}
		payload := &flatReader{vals: r.vals[r.pos : r.pos+slots]}
		r.pos += slots
		q, err := setCase(t, uint64(uint32(disc)), p)
		if err != nil || q == nil {
			return err
		}
		return g.liftFlat(t.cases[uint32(disc)], payload, q)
	case kUnit:
		return nil
	}
	return fmt.Errorf("cabi: cannot lift %s", t.goType)
}

// lowerFlat appends the flattened core values of the Go value at p (the spec's
// `lower_flat`).
func (g *Guest) lowerFlat(t *typ, p unsafe.Pointer, out []uint64) ([]uint64, error) {
	switch t.kind {
	case kBool:
		if *(*bool)(p) {
			return append(out, 1), nil
		}
		return append(out, 0), nil
	case kU8, kU16, kU32, kU64, kF32, kF64, kChar, kFlags:
		raw := getBits(t, p)
		if err := checkScalar(t, raw); err != nil {
			return nil, err
		}
		return append(out, raw), nil
	case kS8:
		return append(out, uint64(uint32(int32(*(*int8)(p))))), nil
	case kS16:
		return append(out, uint64(uint32(int32(*(*int16)(p))))), nil
	case kS32:
		return append(out, uint64(uint32(*(*int32)(p)))), nil
	case kS64:
		return append(out, uint64(*(*int64)(p))), nil
	case kString, kList:
		ptr, n, err := g.lowerSequence(t, p)
		if err != nil {
			return nil, err
		}
		return append(out, uint64(ptr), uint64(n)), nil
	case kRecord, kTuple:
		var err error
		for i, ft := range t.fields {
			if out, err = g.lowerFlat(ft, at(p, t.goOffsets[i]), out); err != nil {
				return nil, err
			}
		}
		return out, nil
	case kVariant, kEnum, kOption, kResult:
		disc, payload, err := caseAt(t, p)
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
