package component

import (
	"context"
	"strings"
	"testing"

	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// BenchmarkInfo times one `/yandex_calendar info` through the Go host (lower the args, run
// the component, one get-user import, lift the answer). `make bench` runs it beside the
// wasmtime reference host's figure for the same call.
func BenchmarkInfo(b *testing.B) {
	h := newFakeHost()
	h.users["ru"] = wit.User{ID: "ru", Locale: "ru"}
	r := newRuntime(b, h, Options{MaxInstances: 1})
	args := wit.CommandArgs{UserID: "ru", Command: "/yandex_calendar info"}
	ctx := context.Background()
	if resp, err := r.ExecuteCommand(ctx, args); err != nil || !strings.Contains(resp.Text, "Встречи") {
		b.Fatalf("%v %q", err, resp.Text)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.ExecuteCommand(ctx, args); err != nil {
			b.Fatal(err)
		}
	}
}
