package component

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// distinct fills every string field of a record (recursively, through pointers and first
// list elements) with its own WIT name and every number with a different value, so that a
// mirror type with two fields swapped renders wrongly.
func distinct(v reflect.Value, name string, n *int) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(name)
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if _, isEnum := v.Interface().(cabi.Enum); isEnum {
			return
		}
		*n++
		v.SetUint(uint64(*n))
	case reflect.Int64, reflect.Int32:
		*n++
		v.SetInt(int64(*n) * 1000)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Struct:
		t := v.Type()
		if _, ok := v.Interface().(cabi.Variant); ok {
			c := reflect.New(t.Field(0).Type.Elem())
			distinct(c.Elem(), name, n)
			v.Field(0).Set(c)
			return
		}
		_, tuple := v.Interface().(interface{ WITTuple() })
		for i := 0; i < t.NumField(); i++ {
			tag := t.Field(i).Tag.Get("wit")
			if tuple {
				tag = t.Field(i).Name
			}
			if tag == "" || !t.Field(i).IsExported() {
				continue
			}
			distinct(v.Field(i), tag, n)
		}
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		distinct(p.Elem(), name, n)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		distinct(s.Index(0), name, n)
		v.Set(s)
	}
}

// 17: the component renders every record it receives with its WIT field names; each field
// must show the value sent in it (an echo would not notice two swapped fields).
func TestComponentSeesEveryFieldWhereItBelongs(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	vt := reflect.TypeOf(wit.ProbeValue{})
	for i := 0; i < vt.NumField(); i++ {
		f := vt.Field(i)
		if f.Name == "Options" {
			continue // options of every kind: TestEchoScalarsAndOptions and the conformance run
		}
		payload := reflect.New(f.Type.Elem())
		n := 0
		distinct(payload.Elem(), f.Tag.Get("wit"), &n)
		pv := reflect.New(vt).Elem()
		pv.Field(i).Set(payload)
		out, err := r.Call(context.Background(), probe("render"), pv)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		text := out.String()
		checkRendered(t, f.Name, payload.Elem(), "", text)
	}
}

// checkRendered looks for `name: "name"` (strings) and `name: N` (numbers) in the rendering.
func checkRendered(t *testing.T, what string, v reflect.Value, name, text string) {
	t.Helper()
	switch v.Kind() {
	case reflect.String:
		q := fmt.Sprintf("%q", v.String())
		if name != "" && !strings.Contains(text, name+": "+q) && !strings.Contains(text, name+": Some("+q+")") &&
			!strings.Contains(text, name+": ["+q+"]") {
			t.Errorf("%s: rendering lacks %s: %q:\n%s", what, name, v.String(), text)
		}
	case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Int64, reflect.Int32:
		if _, isEnum := v.Interface().(cabi.Enum); isEnum || name == "" {
			return
		}
		want := fmt.Sprintf("%s: %v", name, v.Interface())
		if !strings.Contains(text, want) && !strings.Contains(text, fmt.Sprintf("%s: Some(%v)", name, v.Interface())) {
			t.Errorf("%s: rendering lacks %s:\n%s", what, want, text)
		}
	case reflect.Struct:
		if _, ok := v.Interface().(cabi.Variant); ok {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if tag := v.Type().Field(i).Tag.Get("wit"); tag != "" {
				checkRendered(t, what, v.Field(i), tag, text)
			}
		}
	case reflect.Pointer:
		if !v.IsNil() {
			checkRendered(t, what, v.Elem(), name, text)
		}
	case reflect.Slice:
		if v.Len() > 0 && v.Index(0).Kind() != reflect.Uint8 {
			checkRendered(t, what, v.Index(0), name, text)
		}
	}
}

// 16: the WIT types the contract does not use yet cross both ways.
func TestEchoScalarsAndOptions(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	for _, s := range []wit.Scalars{
		{},
		{A: 1.5, B: -2.25e300, C: '📆', D: math.MinInt8, E: math.MaxInt16, F: 0b111111111},
		{A: float32(math.Inf(1)), B: math.SmallestNonzeroFloat64, C: 'я', D: -1, E: -1, F: 0b100000001},
	} {
		out, err := r.Call(context.Background(), probe("echo-scalars"), reflect.ValueOf(s.A), reflect.ValueOf(s.B),
			reflect.ValueOf(s.C), reflect.ValueOf(s.D), reflect.ValueOf(s.E), reflect.ValueOf(s.F))
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Interface().(wit.Scalars); got != s {
			t.Errorf("sent %+v got %+v", s, got)
		}
	}
	lvl, u16 := wit.LogWarn, uint16(7)
	inner := "inner"
	pin, pnil := &inner, (*string)(nil)
	ratio, letter, bits := 0.1, cabi.Char('ё'), wit.ProbeFlags(0b10)
	res := cabi.Err[uint32]("нет")
	for _, o := range []wit.ProbeOptions{
		{},
		{Level: &lvl, Error: &wit.HTTPError{Blocked: str("10.0.0.1")}, Pair: &wit.U8String{A: 9, B: "пара"}, Outcome: &res,
			Nested: &pin, Numbers: &[]*uint16{&u16, nil}, Ratio: &ratio, Letter: &letter, Bits: &bits},
		{Nested: &pnil, Numbers: &[]*uint16{}, Error: &wit.HTTPError{Timeout: &cabi.Unit{}}},
	} {
		echo(t, r, "echo-options", o)
	}
}

// 15: a component that sleeps traps at once on the Go host (as on wasmtime), and the next
// call gets a fresh instance.
func TestSleepTraps(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	start := time.Now()
	_, err := r.Call(context.Background(), probe("sleep"), reflect.ValueOf(uint32(5000)))
	if err == nil || !strings.Contains(err.Error(), "tried to sleep") || !strings.Contains(err.Error(), "5s") {
		t.Fatalf("want the sleep trap, got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("the sleep took %v", d)
	}
	echo(t, r, "echo-string", "awake")
}

// 12: a panic in the host's own code during a call is an error, not a crash, and the
// runtime goes on.
func TestPanicDuringACallIsAnError(t *testing.T) {
	h := newFakeHost()
	boom := true
	r := newRuntime(t, h, Options{Observe: func(kind, name string, _ []reflect.Value, _ reflect.Value) {
		if boom && kind == "export" {
			panic("observer bug")
		}
	}})
	_, err := r.Call(context.Background(), probe("echo-string"), reflect.ValueOf("x"))
	if !errors.Is(err, ErrPanic) || !strings.Contains(err.Error(), "observer bug") {
		t.Fatalf("want ErrPanic, got %v", err)
	}
	boom = false
	echo(t, r, "echo-string", "still here")
	if _, err := r.Call(context.Background(), probe("echo-user"), reflect.ValueOf(42)); err == nil {
		t.Fatal("an argument of the wrong Go type was accepted")
	}
}

// blockingHost answers get-user only when released, to hold a call inside the component.
func blockingRuntime(t *testing.T, opts Options) (*Runtime, chan struct{}) {
	t.Helper()
	h := newFakeHost()
	h.users["u"] = wit.User{ID: "u", Locale: "en"}
	release := make(chan struct{})
	r, err := New(context.Background(), loadWasm(t), func(imp wit.Import) cabi.Impl {
		impl := HostImpls(h)(imp)
		if imp.Name != "get-user" {
			return impl
		}
		return func(ctx context.Context, args []reflect.Value) (reflect.Value, error) {
			switch args[0].String() {
			case "blocked": // until released or past its deadline
				select {
				case <-release:
				case <-ctx.Done():
					return reflect.Value{}, ctx.Err()
				}
			case "stuck": // until released, deadline or not
				<-release
			}
			return impl(ctx, args)
		}
	}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	return r, release
}

// 14: background work has its own slots, so a person's command never waits behind a job;
// and the wait for a slot counts against the call's deadline.
func TestBackgroundWorkNeverStarvesInteractiveCalls(t *testing.T) {
	r, release := blockingRuntime(t, Options{MaxInstances: 1, BackgroundInstances: 1, Interactive: 300 * time.Millisecond,
		Background: 5 * time.Second})
	r.kinds[probe("call-import")] = Background // stands for a long job
	jobDone := make(chan error, 1)
	go func() {
		_, err := r.Call(context.Background(), probe("call-import"), reflect.ValueOf(wit.ImportCall{GetUser: str("blocked")}))
		jobDone <- err
	}()
	time.Sleep(100 * time.Millisecond) // the job holds the background slot
	resp, err := r.ExecuteCommand(context.Background(), wit.CommandArgs{UserID: "u", Command: "/yandex_calendar info"})
	if err != nil || !strings.Contains(resp.Text, "Meetings today") {
		t.Fatalf("a command behind a running job: %v %q", err, resp.Text)
	}
	// A second job waits for the slot and gives up at its own deadline.
	r.opts.Background = 200 * time.Millisecond
	_, err = r.Call(context.Background(), probe("call-import"), reflect.ValueOf(wit.ImportCall{GetConfig: &cabi.Unit{}}))
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("second job: %v", err)
	}
	close(release)
	if err := <-jobDone; err != nil {
		t.Fatal(err)
	}
}

// A job that came due (a reminder) has slots of its own: rounds holding every background
// slot never delay it.
func TestDueJobsNeverWaitBehindRounds(t *testing.T) {
	r, release := blockingRuntime(t, Options{BackgroundInstances: 1, TimelyInstances: 1, Background: 5 * time.Second,
		Timely: 300 * time.Millisecond})
	r.kinds[probe("call-import")] = Background // stands for a long round
	roundDone := make(chan error, 1)
	go func() {
		_, err := r.Call(context.Background(), probe("call-import"), reflect.ValueOf(wit.ImportCall{GetUser: str("blocked")}))
		roundDone <- err
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	_, err := r.Call(WithKind(context.Background(), Timely), probe("call-import"), reflect.ValueOf(wit.ImportCall{GetConfig: &cabi.Unit{}}))
	if err != nil {
		t.Fatalf("a due job behind a running round: %v", err)
	}
	if d := time.Since(start); d > 250*time.Millisecond {
		t.Fatalf("the due job waited %v", d)
	}
	// And RunJob puts due(key) in that lane by itself: with the timely slot taken, it waits
	// for it (and gives up at the timely deadline), not for the round's.
	go func() {
		_, _ = r.Call(WithKind(context.Background(), Timely), probe("call-import"), reflect.ValueOf(wit.ImportCall{GetUser: str("stuck")}))
	}()
	time.Sleep(100 * time.Millisecond)
	if _, err := r.RunJob(context.Background(), wit.JobDue("v1/j/u/1")); !errors.Is(err, ErrBusy) {
		t.Fatalf("due job with the timely slot taken: %v", err)
	}
	close(release)
	if err := <-roundDone; err != nil {
		t.Fatal(err)
	}
}

func TestInteractiveDeadlineCoversTheWaitForASlot(t *testing.T) {
	r, release := blockingRuntime(t, Options{MaxInstances: 1, Interactive: 400 * time.Millisecond})
	defer close(release)
	go func() {
		_, _ = r.ExecuteCommand(context.Background(), wit.CommandArgs{UserID: "stuck", Command: "/yandex_calendar info"})
	}()
	time.Sleep(100 * time.Millisecond)
	start := time.Now()
	_, err := r.ExecuteCommand(context.Background(), wit.CommandArgs{UserID: "u", Command: "/yandex_calendar info"})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("waited %v past a 400 ms deadline", d)
	}
}

// 17: the shipped module has no probes; the runtime loads it all the same.
func TestShippedModuleLoadsWithoutProbes(t *testing.T) {
	r, err := New(context.Background(), loadShippedWasm(t), HostImpls(newFakeHost()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	if r.HasProbes() {
		t.Fatal("the shipped module exports abi-probe")
	}
	if _, err := r.DescribeCommand(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Reminders, statuses and digests fall due together at the minute marks (hundreds at a
// half hour for 10,000 users) and each mostly waits on Mattermost: by default sixteen run
// at once, not one after another.
func TestManyDueJobsRunAtOnce(t *testing.T) {
	r, release := blockingRuntime(t, Options{Timely: 10 * time.Second})
	const n = 16
	errs := make(chan error, n)
	for range n {
		go func() {
			_, err := r.Call(WithKind(context.Background(), Timely), probe("call-import"), reflect.ValueOf(wit.ImportCall{GetUser: str("blocked")}))
			errs <- err
		}()
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if live, _ := r.Pool().Instances(); live >= n {
			break
		}
		if time.Now().After(deadline) {
			live, _ := r.Pool().Instances()
			t.Fatalf("%d due jobs at once, want %d", live, n)
		}
	}
	close(release)
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
