package cabi

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"unsafe"

	"github.com/tetratelabs/wazero"
)

// tinyModule is (module (memory (export "memory") 1) (func (export "cabi_realloc")
// (param i32 i32 i32 i32) (result i32) i32.const 1024)): one page of memory whose contents
// a test writes by hand, as a guest that lies could.
var tinyModule = []byte{
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	0x01, 0x09, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, // type (i32×4) → i32
	0x03, 0x02, 0x01, 0x00, // one function of that type
	0x05, 0x03, 0x01, 0x00, 0x01, // one memory, one page
	0x07, 0x19, 0x02, // two exports
	0x06, 'm', 'e', 'm', 'o', 'r', 'y', 0x02, 0x00,
	0x0c, 'c', 'a', 'b', 'i', '_', 'r', 'e', 'a', 'l', 'l', 'o', 'c', 0x00, 0x00,
	0x0a, 0x07, 0x01, 0x05, 0x00, 0x41, 0x80, 0x08, 0x0b, // i32.const 1024
}

func tinyGuest(t *testing.T) *Guest {
	t.Helper()
	ctx := context.Background()
	rt := wazero.NewRuntime(ctx)
	t.Cleanup(func() { _ = rt.Close(ctx) })
	mod, err := rt.Instantiate(ctx, tinyModule)
	if err != nil {
		t.Fatal(err)
	}
	g, err := GuestOf(ctx, mod)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// A list whose 8,000 strings all point at the same 60,000 bytes would be 480 MB in Go from
// 64 KiB of guest memory: the lift stops at a budget of the memory's size.
func TestAliasedListsAreRefused(t *testing.T) {
	g := tinyGuest(t)
	const n, strLen = 8000, 60000
	for i := uint32(0); i < n; i++ {
		_ = g.storeUint(i*8, 4, 0)
		_ = g.storeUint(i*8+4, 4, strLen)
	}
	ty := shape(t, []string{})
	var out []string
	g.startLift()
	err := g.liftSequence(ty, 0, n, reflectPtr(&out))
	if !errors.Is(err, ErrLiftBudget) {
		t.Fatalf("want ErrLiftBudget, got %v (%d strings lifted)", err, len(out))
	}

	// 4,000 short strings (44 KB in all) fit the budget.
	const m = 4000
	for i := uint32(0); i < m; i++ {
		_ = g.storeUint(i*8, 4, m*8)
		_ = g.storeUint(i*8+4, 4, 3)
	}
	g.mem.Write(m*8, []byte{'a', 'b', 'c'})
	g.startLift()
	if err := g.liftSequence(ty, 0, m, reflectPtr(&out)); err != nil {
		t.Fatal(err)
	}
	if len(out) != m || out[m-1] != "abc" {
		t.Fatalf("lifted %d strings, last %q", len(out), out[len(out)-1])
	}
}

func (g *Guest) mustRead(t *testing.T, ptr, n uint32) []byte {
	b, err := g.read(ptr, n)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A Go string with invalid UTF-8 (a request path, a header) reaches the guest with U+FFFD
// in place of the bad bytes instead of failing the call.
func TestInvalidUTF8IsReplacedWhenLowered(t *testing.T) {
	g := tinyGuest(t)
	ty := shape(t, "")
	s := "/\xff\xfeпуть"
	ptr, n, err := g.lowerSequence(ty, reflectPtr(&s))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(g.mustRead(t, ptr, n)); got != "/\uFFFDпуть" {
		t.Fatalf("guest got %q", got)
	}
	// A guest that returns invalid UTF-8 is wrong: that is an error.
	g.mem.Write(2000, []byte{0xff})
	var out string
	g.startLift()
	if err := g.liftSequence(ty, 2000, 1, reflectPtr(&out)); err == nil {
		t.Fatal("invalid UTF-8 from the guest was accepted")
	}
}

func TestBadCharsAndFlagsFromTheGuestAreRefused(t *testing.T) {
	g := tinyGuest(t)
	var c Char
	_ = g.storeUint(0, 4, 0xD800)
	if err := g.load(shape(t, c), 0, reflectPtr(&c)); err == nil {
		t.Error("a surrogate was accepted as a char")
	}
	var f fl3
	_ = g.storeUint(0, 1, 0b1000)
	if err := g.load(shape(t, f), 0, reflectPtr(&f)); err == nil {
		t.Error("an unknown flag bit was accepted")
	}
}

func reflectPtr[T any](p *T) unsafe.Pointer { return reflect.ValueOf(p).UnsafePointer() }
