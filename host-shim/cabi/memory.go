package cabi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/tetratelabs/wazero/api"
)

// Guest is the linear memory of one instance and its allocator, cabi_realloc.
type Guest struct {
	ctx     context.Context
	mem     api.Memory
	realloc api.Function
	stack   [4]uint64 // cabi_realloc's parameters and result, reused
	// budget is how many more bytes the current lift may copy out of the guest: a list of
	// strings all pointing at the same bytes must not make the host allocate without bound.
	budget uint64

	// The guest's batch allocator (src/guest.rs), if it has one: a lowering plans its
	// allocations, makes them in one call, and takes them from pending in the same order.
	many    api.Function
	scratch uint32
	reqs    []uint64 // align<<32 | size, in lowering order
	pending []uint32
	next    int
}

const batch = 256 // pairs the guest's scratch area holds

// ErrNoMemory means the module exports no memory or no cabi_realloc.
var ErrNoMemory = errors.New("cabi: module exports no memory or cabi_realloc")

// ErrLiftBudget means a value lifted from the guest is larger than its whole memory, which
// only lists whose elements share (alias) the same bytes can be.
var ErrLiftBudget = errors.New("cabi: the value is larger than the guest's memory (aliased lists)")

// GuestOf finds the memory and allocator that a wit-bindgen module exports.
func GuestOf(ctx context.Context, mod api.Module) (*Guest, error) {
	mem := mod.Memory()
	realloc := mod.ExportedFunction("cabi_realloc")
	if mem == nil || realloc == nil {
		return nil, ErrNoMemory
	}
	g := &Guest{ctx: ctx, mem: mem, realloc: realloc}
	if many, scratch := mod.ExportedFunction("ycal_alloc_many"), mod.ExportedFunction("ycal_alloc_scratch"); many != nil && scratch != nil {
		if res, err := scratch.Call(ctx); err == nil && len(res) == 1 {
			g.many, g.scratch = many, uint32(res[0])
		}
	}
	return g, nil
}

// plan notes the allocations lowering the Go value at p will make, in the order it makes
// them (lowerSequence: the buffer, then each element's).
func (g *Guest) plan(t *typ, p unsafe.Pointer) {
	switch t.kind {
	case kString:
		s := *(*string)(p)
		n := len(s)
		if !utf8.ValidString(s) {
			n = len(strings.ToValidUTF8(s, "\uFFFD"))
		}
		g.request(1, uint32(n))
	case kList:
		h := (*sliceHeader)(p)
		g.request(t.elem.align, uint32(h.len)*t.elem.size)
		if t.elem.kind == kU8 {
			return
		}
		for i := 0; i < h.len; i++ {
			g.plan(t.elem, at(h.data, uintptr(i)*t.elem.goSize))
		}
	case kRecord, kTuple:
		for i, ft := range t.fields {
			g.plan(ft, at(p, t.goOffsets[i]))
		}
	case kVariant, kOption, kResult:
		if disc, payload, err := caseAt(t, p); err == nil && t.cases[disc] != nil {
			g.plan(t.cases[disc], payload)
		}
	}
}

func (g *Guest) request(align, size uint32) {
	if size > 0 { // alloc hands out no memory for empty values
		g.reqs = append(g.reqs, uint64(align)<<32|uint64(size))
	}
}

// fill makes the planned allocations with one guest call per batch; alloc then hands
// them out. Without the batch allocator, alloc calls cabi_realloc each time.
func (g *Guest) fill() error {
	g.pending, g.next = g.pending[:0], 0
	if g.many == nil || len(g.reqs) < 2 {
		g.reqs = g.reqs[:0]
		return nil
	}
	for start := 0; start < len(g.reqs); start += batch {
		chunk := g.reqs[start:min(start+batch, len(g.reqs))]
		for i, r := range chunk {
			if !g.mem.WriteUint32Le(g.scratch+uint32(8*i), uint32(r>>32)) || !g.mem.WriteUint32Le(g.scratch+uint32(8*i+4), uint32(r)) {
				return outOfBounds(g.scratch, 8)
			}
		}
		g.stack[0] = uint64(len(chunk))
		if err := g.many.CallWithStack(g.ctx, g.stack[:]); err != nil {
			return fmt.Errorf("ycal_alloc_many: %w", err)
		}
		for i := range chunk {
			ptr, ok := g.mem.ReadUint32Le(g.scratch + uint32(4*(2*batch+i)))
			if !ok {
				return outOfBounds(g.scratch, 4)
			}
			g.pending = append(g.pending, ptr)
		}
	}
	g.reqs = g.reqs[:0]
	return nil
}

// done checks a lowering took exactly the planned allocations.
func (g *Guest) done() error {
	if g.next != len(g.pending) {
		return fmt.Errorf("cabi: lowering used %d of %d planned allocations", g.next, len(g.pending))
	}
	g.pending, g.next = g.pending[:0], 0
	return nil
}

// startLift gives the next lift a budget of the guest memory's size.
func (g *Guest) startLift() { g.budget = uint64(g.mem.Size()) }

func (g *Guest) charge(n uint64) error {
	if n > g.budget {
		return ErrLiftBudget
	}
	g.budget -= n
	return nil
}

func (g *Guest) alloc(align, size uint32) (uint32, error) {
	if size == 0 {
		// Nothing to hold: an aligned dangling pointer, as the guest's own empty vectors
		// have (they never free a zero-capacity buffer), saves a call into the guest.
		return align, nil
	}
	if g.next < len(g.pending) {
		ptr := g.pending[g.next]
		g.next++
		if ptr%align != 0 || uint64(ptr)+uint64(size) > uint64(g.mem.Size()) {
			return 0, fmt.Errorf("ycal_alloc_many returned a bad pointer %#x for %d bytes", ptr, size)
		}
		return ptr, nil
	}
	g.stack = [4]uint64{0, 0, uint64(align), uint64(size)}
	if err := g.realloc.CallWithStack(g.ctx, g.stack[:]); err != nil {
		return 0, fmt.Errorf("cabi_realloc: %w", err)
	}
	ptr := uint32(g.stack[0])
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

func outOfBounds(ptr, size uint32) error {
	return fmt.Errorf("cabi: access of %d bytes at %#x is out of bounds", size, ptr)
}

func (g *Guest) loadUint(ptr, size uint32) (uint64, error) {
	var v uint64
	var ok bool
	switch size {
	case 1:
		var b byte
		b, ok = g.mem.ReadByte(ptr)
		v = uint64(b)
	case 2:
		var b uint16
		b, ok = g.mem.ReadUint16Le(ptr)
		v = uint64(b)
	case 4:
		var b uint32
		b, ok = g.mem.ReadUint32Le(ptr)
		v = uint64(b)
	default:
		v, ok = g.mem.ReadUint64Le(ptr)
	}
	if !ok {
		return 0, outOfBounds(ptr, size)
	}
	return v, nil
}

func (g *Guest) storeUint(ptr, size uint32, v uint64) error {
	var ok bool
	switch size {
	case 1:
		ok = g.mem.WriteByte(ptr, byte(v))
	case 2:
		ok = g.mem.WriteUint16Le(ptr, uint16(v))
	case 4:
		ok = g.mem.WriteUint32Le(ptr, uint32(v))
	default:
		ok = g.mem.WriteUint64Le(ptr, v)
	}
	if !ok {
		return outOfBounds(ptr, size)
	}
	return nil
}

// Go memory. p points at a Go value of the type the typ was built from.

func at(p unsafe.Pointer, off uintptr) unsafe.Pointer { return unsafe.Add(p, off) }

// sliceHeader is the layout of every Go slice.
type sliceHeader struct {
	data     unsafe.Pointer
	len, cap int
}

// getBits reads a scalar Go value (bool, integers, floats, char, enum, flags) as raw bits,
// zero-extended.
func getBits(t *typ, p unsafe.Pointer) uint64 {
	switch t.goSize {
	case 1:
		return uint64(*(*uint8)(p))
	case 2:
		return uint64(*(*uint16)(p))
	case 4:
		return uint64(*(*uint32)(p))
	default:
		return *(*uint64)(p)
	}
}

// setBits stores raw bits into a scalar Go value, sign-extending signed integers.
func setBits(t *typ, p unsafe.Pointer, raw uint64) {
	switch t.kind {
	case kBool:
		*(*bool)(p) = raw != 0
		return
	case kS8:
		*(*int8)(p) = int8(raw)
		return
	case kS16:
		*(*int16)(p) = int16(raw)
		return
	case kS32, kChar:
		*(*int32)(p) = int32(raw)
		return
	}
	switch t.goSize {
	case 1:
		*(*uint8)(p) = uint8(raw)
	case 2:
		*(*uint16)(p) = uint16(raw)
	case 4:
		*(*uint32)(p) = uint32(raw)
	default:
		*(*uint64)(p) = raw
	}
}

// checkScalar refuses a raw scalar the type cannot hold (a bad char, an unknown flag).
func checkScalar(t *typ, raw uint64) error {
	switch t.kind {
	case kChar:
		if !validChar(uint32(raw)) {
			return fmt.Errorf("cabi: %#x is not a Unicode scalar value", raw)
		}
	case kFlags:
		if n := len(t.names); n < 64 && raw>>uint(n) != 0 {
			return fmt.Errorf("cabi: %s has no flag beyond the %d named (bits %#x)", t.goType, n, raw)
		}
	}
	return nil
}

// load reads a value of type t stored at ptr in the guest into the Go value at p (the
// spec's `load`), copying it out of the guest.
func (g *Guest) load(t *typ, ptr uint32, p unsafe.Pointer) error {
	switch t.kind {
	case kBool, kU8, kU16, kU32, kU64, kS8, kS16, kS32, kS64, kF32, kF64, kChar, kFlags:
		raw, err := g.loadUint(ptr, t.size)
		if err != nil {
			return err
		}
		if err := checkScalar(t, raw); err != nil {
			return err
		}
		setBits(t, p, raw)
		return nil
	case kString, kList:
		data, ok1 := g.mem.ReadUint32Le(ptr)
		n, ok2 := g.mem.ReadUint32Le(ptr + 4)
		if !ok1 || !ok2 {
			return outOfBounds(ptr, 8)
		}
		return g.liftSequence(t, data, n, p)
	case kRecord, kTuple:
		for i, ft := range t.fields {
			if err := g.load(ft, ptr+t.offsets[i], at(p, t.goOffsets[i])); err != nil {
				return err
			}
		}
		return nil
	case kVariant, kEnum, kOption, kResult:
		disc, err := g.loadUint(ptr, t.discSize)
		if err != nil {
			return err
		}
		payload, err := setCase(t, disc, p)
		if err != nil || payload == nil {
			return err
		}
		return g.load(t.cases[disc], ptr+t.payloadOffset, payload)
	case kUnit:
		return nil
	}
	return fmt.Errorf("cabi: cannot load %s", t.goType)
}

// setCase makes the Go value at p hold case disc of a variant-like type and returns where
// its payload goes (nil if the case has none).
func setCase(t *typ, disc uint64, p unsafe.Pointer) (unsafe.Pointer, error) {
	if disc >= uint64(len(t.cases)) {
		return nil, fmt.Errorf("cabi: %s has no case %d", t.goType, disc)
	}
	c := t.cases[disc]
	switch t.kind {
	case kEnum:
		setBits(t, p, disc)
		return nil, nil
	case kOption:
		if disc == 0 {
			*(*unsafe.Pointer)(p) = nil
			return nil, nil
		}
		q := reflect.New(t.elem.goType).UnsafePointer()
		*(*unsafe.Pointer)(p) = q
		return q, nil
	case kResult:
		*(*bool)(at(p, t.isErrOffset)) = disc == 1
		if c == nil {
			return nil, nil
		}
		return at(p, t.goOffsets[disc]), nil
	case kVariant:
		for _, off := range t.goOffsets {
			*(*unsafe.Pointer)(at(p, off)) = nil
		}
		q := reflect.New(t.caseGoTypes[disc]).UnsafePointer()
		*(*unsafe.Pointer)(at(p, t.goOffsets[disc])) = q
		if c == nil {
			return nil, nil
		}
		return q, nil
	}
	return nil, fmt.Errorf("cabi: %s is not a variant", t.goType)
}

// caseAt tells which case the Go value at p holds, and where its payload is (nil if none).
func caseAt(t *typ, p unsafe.Pointer) (uint64, unsafe.Pointer, error) {
	switch t.kind {
	case kEnum:
		d := getBits(t, p)
		if d >= uint64(len(t.cases)) {
			return 0, nil, fmt.Errorf("cabi: %s value %d is not a case", t.goType, d)
		}
		return d, nil, nil
	case kOption:
		q := *(*unsafe.Pointer)(p)
		if q == nil {
			return 0, nil, nil
		}
		return 1, q, nil
	case kResult:
		if *(*bool)(at(p, t.isErrOffset)) {
			return 1, at(p, t.goOffsets[1]), nil
		}
		return 0, at(p, t.goOffsets[0]), nil
	case kVariant:
		found := -1
		var payload unsafe.Pointer
		for i, off := range t.goOffsets {
			if q := *(*unsafe.Pointer)(at(p, off)); q != nil {
				if found >= 0 {
					return 0, nil, fmt.Errorf("cabi: %s has cases %s and %s both set", t.goType, t.names[found], t.names[i])
				}
				found, payload = i, q
			}
		}
		if found < 0 {
			return 0, nil, fmt.Errorf("cabi: %s has no case set", t.goType)
		}
		return uint64(found), payload, nil
	}
	return 0, nil, fmt.Errorf("cabi: %s is not a variant", t.goType)
}

func (g *Guest) liftSequence(t *typ, ptr, n uint32, p unsafe.Pointer) error {
	if t.kind == kString {
		if err := g.charge(uint64(n)); err != nil {
			return err
		}
		b, err := g.read(ptr, n)
		if err != nil {
			return err
		}
		if !utf8.Valid(b) {
			return fmt.Errorf("cabi: string at %#x is not valid UTF-8", ptr)
		}
		*(*string)(p) = string(b)
		return nil
	}
	elem := t.elem
	total := uint64(n) * uint64(max(elem.size, 1))
	if total > uint64(g.mem.Size()) || ptr%elem.align != 0 {
		return fmt.Errorf("cabi: list of %d elements at %#x does not fit the memory", n, ptr)
	}
	if err := g.charge(total); err != nil {
		return err
	}
	if n == 0 {
		*(*sliceHeader)(p) = sliceHeader{}
		return nil
	}
	if elem.kind == kU8 {
		b, err := g.read(ptr, n)
		if err != nil {
			return err
		}
		*(*[]byte)(p) = append([]byte(nil), b...)
		return nil
	}
	s := reflect.MakeSlice(t.goType, int(n), int(n))
	data := s.UnsafePointer()
	for i := uint32(0); i < n; i++ {
		if err := g.load(elem, ptr+i*elem.size, at(data, uintptr(i)*elem.goSize)); err != nil {
			return err
		}
	}
	*(*sliceHeader)(p) = sliceHeader{data: data, len: int(n), cap: int(n)}
	return nil
}

// store writes the Go value at p of type t at ptr in the guest (the spec's `store`),
// allocating strings and lists in the guest with cabi_realloc.
func (g *Guest) store(t *typ, p unsafe.Pointer, ptr uint32) error {
	switch t.kind {
	case kBool, kU8, kU16, kU32, kU64, kS8, kS16, kS32, kS64, kF32, kF64, kChar, kFlags:
		raw := getBits(t, p)
		if err := checkScalar(t, raw); err != nil {
			return err
		}
		return g.storeUint(ptr, t.size, raw)
	case kString, kList:
		data, n, err := g.lowerSequence(t, p)
		if err != nil {
			return err
		}
		if !g.mem.WriteUint32Le(ptr, data) || !g.mem.WriteUint32Le(ptr+4, n) {
			return outOfBounds(ptr, 8)
		}
		return nil
	case kRecord, kTuple:
		for i, ft := range t.fields {
			if err := g.store(ft, at(p, t.goOffsets[i]), ptr+t.offsets[i]); err != nil {
				return err
			}
		}
		return nil
	case kVariant, kEnum, kOption, kResult:
		disc, payload, err := caseAt(t, p)
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

// lowerSequence copies a string or list into fresh guest memory; returns pointer and length.
// A Go string may hold any bytes, a WIT string only UTF-8: invalid sequences become U+FFFD
// (as a browser decodes them), so that no outside text — a request path like /%FF, a
// header of a CalDAV server — can make a call fail.
func (g *Guest) lowerSequence(t *typ, p unsafe.Pointer) (uint32, uint32, error) {
	if t.kind == kString {
		s := *(*string)(p)
		if !utf8.ValidString(s) {
			s = strings.ToValidUTF8(s, "\uFFFD")
		}
		if uint64(len(s)) > math.MaxUint32 {
			return 0, 0, fmt.Errorf("cabi: string of %d bytes is too long", len(s))
		}
		ptr, err := g.alloc(1, uint32(len(s)))
		if err != nil {
			return 0, 0, err
		}
		if !g.mem.WriteString(ptr, s) {
			return 0, 0, outOfBounds(ptr, uint32(len(s)))
		}
		return ptr, uint32(len(s)), nil
	}
	h := (*sliceHeader)(p)
	n := h.len
	elem := t.elem
	total := uint64(n) * uint64(elem.size)
	if total > math.MaxUint32 {
		return 0, 0, fmt.Errorf("cabi: list of %d elements is too long", n)
	}
	ptr, err := g.alloc(elem.align, uint32(total))
	if err != nil {
		return 0, 0, err
	}
	if elem.kind == kU8 {
		if !g.mem.Write(ptr, *(*[]byte)(p)) {
			return 0, 0, outOfBounds(ptr, uint32(n))
		}
		return ptr, uint32(n), nil
	}
	for i := 0; i < n; i++ {
		if err := g.store(elem, at(h.data, uintptr(i)*elem.goSize), ptr+uint32(i)*elem.size); err != nil {
			return 0, 0, err
		}
	}
	return ptr, uint32(n), nil
}
