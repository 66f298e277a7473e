package cabi

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

type rec struct {
	A uint8  `wit:"a"`
	B uint64 `wit:"b"`
	C string `wit:"c"`
}

type small uint8

func (small) WITEnum() []string { return []string{"x", "y", "z"} }

type big uint16

func (big) WITEnum() []string { return make([]string, 300) }

type vnt struct {
	None *Unit   `wit:"none"`
	Num  *uint32 `wit:"num"`
	Wide *uint64 `wit:"wide"`
	Text *string `wit:"text"`
}

func (vnt) WITVariant() {}

type pair struct {
	A uint8
	B string
}

func (pair) WITTuple() {}

type fl9 uint16

func (fl9) WITFlags() []string { return []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"} }

type fl3 uint8

func (fl3) WITFlags() []string { return []string{"x", "y", "z"} }

type badFlags uint8 // nine names do not fit one byte

func (badFlags) WITFlags() []string { return make([]string, 9) }

type fvnt struct {
	F *float32 `wit:"f"`
	I *uint32  `wit:"i"`
	D *float64 `wit:"d"`
}

func (fvnt) WITVariant() {}

type fonly struct {
	F *float32 `wit:"f"`
	U *Unit    `wit:"u"`
}

func (fonly) WITVariant() {}

func shape(t *testing.T, v any) *typ {
	t.Helper()
	ty, err := typeOf(reflect.TypeOf(v))
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

// Sizes, alignments and flattenings as CanonicalABI.md computes them.
func TestLayouts(t *testing.T) {
	cases := []struct {
		v           any
		size, align uint32
		flat        []flat
	}{
		{false, 1, 1, []flat{fI32}},
		{uint16(0), 2, 2, []flat{fI32}},
		{int64(0), 8, 8, []flat{fI64}},
		{"", 8, 4, []flat{fI32, fI32}},
		{[]rec{}, 8, 4, []flat{fI32, fI32}},
		{rec{}, 24, 8, []flat{fI32, fI64, fI32, fI32}},
		{pair{}, 12, 4, []flat{fI32, fI32, fI32}},
		{(*uint64)(nil), 16, 8, []flat{fI32, fI64}},
		{(*string)(nil), 12, 4, []flat{fI32, fI32, fI32}},
		{Result[Unit, string]{}, 12, 4, []flat{fI32, fI32, fI32}},
		{Result[bool, Unit]{}, 2, 1, []flat{fI32, fI32}},
		{small(0), 1, 1, []flat{fI32}},
		{big(0), 2, 2, []flat{fI32}},
		// i32 and i64 payloads join to i64; string's second slot stays i32.
		{vnt{}, 16, 8, []flat{fI32, fI64, fI32}},
		{float32(0), 4, 4, []flat{fF32}},
		{float64(0), 8, 8, []flat{fF64}},
		{Char(0), 4, 4, []flat{fI32}},
		{int8(0), 1, 1, []flat{fI32}},
		{int16(0), 2, 2, []flat{fI32}},
		{fl3(0), 1, 1, []flat{fI32}},
		{fl9(0), 2, 2, []flat{fI32}},
		// f32 and i32 join to i32, anything with f64 to i64.
		{fvnt{}, 16, 8, []flat{fI32, fI64}},
		{fonly{}, 8, 4, []flat{fI32, fF32}},
		// Options of enums, variants, tuples and results: the pointer is the option, the
		// pointee keeps its own shape (the methods of *E must not make it an enum).
		{(*small)(nil), 2, 1, []flat{fI32, fI32}},
		{(*vnt)(nil), 24, 8, []flat{fI32, fI32, fI64, fI32}},
		{(*pair)(nil), 16, 4, []flat{fI32, fI32, fI32, fI32}},
		{(*Result[uint32, string])(nil), 16, 4, []flat{fI32, fI32, fI32, fI32}},
		{(**string)(nil), 16, 4, []flat{fI32, fI32, fI32, fI32}},
		{(*float64)(nil), 16, 8, []flat{fI32, fF64}},
		{(*fl9)(nil), 4, 2, []flat{fI32, fI32}},
		{[]*small{}, 8, 4, []flat{fI32, fI32}},
	}
	for _, c := range cases {
		ty := shape(t, c.v)
		if ty.size != c.size || ty.align != c.align || !reflect.DeepEqual(ty.flat, c.flat) {
			t.Errorf("%T: size %d align %d flat %v; want %d %d %v", c.v, ty.size, ty.align, ty.flat, c.size, c.align, c.flat)
		}
	}
}

func TestUnsupportedTypesAreRefused(t *testing.T) {
	for _, v := range []any{complex(1, 2), map[string]int{}, struct{ X int }{}, badFlags(0), struct {
		X int `wit:"x"`
	}{}} {
		if _, err := typeOf(reflect.TypeOf(v)); err == nil {
			t.Errorf("%T accepted", v)
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	n := uint64(1<<64 - 1)
	s := "Привет"
	for _, v := range []any{
		rec{A: 255, B: n, C: "😀"},
		[]small{0, 1, 2},
		vnt{None: &Unit{}},
		vnt{Wide: &n},
		vnt{Text: &s},
		Result[*string, uint8]{Ok: &s},
		Result[*string, uint8]{},
		Result[Unit, string]{IsErr: true, Err: "e"},
		pair{A: 1, B: "b"},
	} {
		j, err := ToJSON(reflect.ValueOf(v))
		if err != nil {
			t.Fatal(err)
		}
		text, _ := json.Marshal(j)
		dec := json.NewDecoder(strings.NewReader(string(text)))
		dec.UseNumber()
		var back any
		if err := dec.Decode(&back); err != nil {
			t.Fatal(err)
		}
		got, err := FromJSON(back, reflect.TypeOf(v))
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		if !reflect.DeepEqual(got.Interface(), v) {
			t.Errorf("%s came back as %#v", text, got.Interface())
		}
	}
	j, _ := ToJSON(reflect.ValueOf(vnt{None: &Unit{}}))
	if b, _ := json.Marshal(j); string(b) != `{"none":null}` {
		t.Errorf("variant without payload: %s", b)
	}
	j, _ = ToJSON(reflect.ValueOf(Result[*string, uint8]{}))
	if b, _ := json.Marshal(j); string(b) != `{"ok":null}` {
		t.Errorf("ok(none): %s", b)
	}
}

func TestJSONErrorsNameThePath(t *testing.T) {
	_, err := FromJSON(map[string]any{"a": json.Number("300"), "b": json.Number("1"), "c": "x"}, reflect.TypeOf(rec{}))
	if err == nil || !strings.Contains(err.Error(), "$.a") {
		t.Fatalf("got %v", err)
	}
	_, err = FromJSON(map[string]any{"bogus": nil}, reflect.TypeOf(vnt{}))
	if err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Fatalf("got %v", err)
	}
}

// Every option kind survives its JSON form, nested options included.
func TestOptionsOfEveryKindInJSON(t *testing.T) {
	sm, p := small(2), pair{A: 7, B: "б"}
	res := Result[uint32, string]{IsErr: true, Err: "x"}
	inner := "in"
	pin, pnil := &inner, (*string)(nil)
	f, c, flags := 0.5, Char('📆'), fl9(0b100000101)
	for _, v := range []any{&sm, (*small)(nil), &p, &res, &pin, &pnil, (**string)(nil), &f, &c, &flags} {
		j, err := ToJSON(reflect.ValueOf(v))
		if err != nil {
			t.Fatalf("%T: %v", v, err)
		}
		b, _ := json.Marshal(j)
		var back any
		dec := json.NewDecoder(strings.NewReader(string(b)))
		dec.UseNumber()
		if err := dec.Decode(&back); err != nil {
			t.Fatal(err)
		}
		got, err := FromJSON(back, reflect.TypeOf(v))
		if err != nil {
			t.Fatalf("%T %s: %v", v, b, err)
		}
		if !reflect.DeepEqual(got.Interface(), v) {
			t.Errorf("%T: %s came back as %#v", v, b, got.Interface())
		}
	}
	j, _ := ToJSON(reflect.ValueOf(&pnil))
	if b, _ := json.Marshal(j); string(b) != `{"some":null}` {
		t.Errorf("some(none) is %s", b)
	}
	j, _ = ToJSON(reflect.ValueOf(flags))
	if b, _ := json.Marshal(j); string(b) != `["a","c","i"]` {
		t.Errorf("flags are %s", b)
	}
}
