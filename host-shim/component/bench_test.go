package component

import (
	"context"
	"reflect"
	"strings"
	"syscall"
	"testing"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// benchHost answers get-user with the user the wasmtime reference host's benchmark gives
// (tests/refhost/src/host.rs, bench_inputs) and does nothing else: the benchmark times
// the host's boundary, not a fake's bookkeeping.
type benchHost struct{ fakeHost }

func (*benchHost) GetUser(context.Context, string) cabi.Result[wit.User, wit.MMError] {
	return cabi.OK[wit.User, wit.MMError](wit.User{
		ID: "u-ru", Username: "ivan", Email: "ivan@example.ru", FirstName: "Иван", LastName: "Петров",
		Locale: "ru", Timezone: "Europe/Moscow",
	})
}

func (*benchHost) Log(context.Context, wit.LogLevel, string) {}

// benchArgs are the reference benchmark's arguments, field for field.
var benchArgs = wit.CommandArgs{
	UserID: "u-ru", ChannelID: "c1", TeamID: "t1", RootID: "", TriggerID: "tr",
	Command: "/yandex_calendar info", SiteURL: "http://localhost:8065",
}

// BenchmarkInfo times one `/yandex_calendar info` through the Go host (lower the args, run
// the component, one get-user import, lift the answer). `make bench` runs it beside the
// wasmtime reference host's figure for the same call with the same inputs.
func BenchmarkInfo(b *testing.B) {
	r := newRuntime(b, &benchHost{*newFakeHost()}, Options{MaxInstances: 1})
	ctx := context.Background()
	if resp, err := r.ExecuteCommand(ctx, benchArgs); err != nil || !strings.Contains(resp.Text, "Встречи") {
		b.Fatalf("%v %q", err, resp.Text)
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuNs()
	for i := 0; i < b.N; i++ {
		if _, err := r.ExecuteCommand(ctx, benchArgs); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuNs()-cpu)/float64(b.N), "cpu-ns/op")
}

// cpuNs is the CPU time the process has used (all threads, the GC included): steadier than
// wall time on a busy machine, and what the reference host reports beside its wall time.
func cpuNs() int64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkEchoEmpty is the per-call floor: echo-string("") does no work in the guest.
func BenchmarkEchoEmpty(b *testing.B) {
	r := newRuntime(b, &benchHost{*newFakeHost()}, Options{MaxInstances: 1})
	ctx := context.Background()
	arg := reflect.ValueOf("")
	name := probe("echo-string")
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuNs()
	for i := 0; i < b.N; i++ {
		if _, err := r.Call(ctx, name, arg); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(cpuNs()-cpu)/float64(b.N), "cpu-ns/op")
}
