package component

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// The module under test is the real one built with the abi-probe exports
// (`./build.sh wasm` puts it beside the shipped one, which has none).
func loadWasm(t testing.TB) []byte {
	t.Helper()
	return readModule(t, "YCAL_PROBE_WASM", "../component-probe.wasm")
}

// loadShippedWasm is the module the bundle ships.
func loadShippedWasm(t testing.TB) []byte {
	t.Helper()
	return readModule(t, "YCAL_WASM", "../component.wasm")
}

func readModule(t testing.TB, env, fallback string) []byte {
	t.Helper()
	path := os.Getenv(env)
	if path == "" {
		path = fallback
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("the component is not built (run ./build.sh wasm): %v", err)
	}
	return b
}

func newRuntime(t testing.TB, h wit.Host, opts Options) *Runtime {
	t.Helper()
	r, err := New(context.Background(), loadWasm(t), HostImpls(h), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = r.Close(context.Background()) })
	return r
}

func probe(name string) string { return "yandex:calendar/abi-probe@0.1.0#" + name }

// echo sends v through an abi-probe echo export and checks it comes back unchanged.
func echo(t *testing.T, r *Runtime, name string, v any) {
	t.Helper()
	out, err := r.Call(context.Background(), probe(name), reflect.ValueOf(v))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	// Compared in the JSON form, where a nil and an empty Go slice are the same WIT list.
	sent, got := jsonOf(t, reflect.ValueOf(v)), jsonOf(t, out)
	if sent != got {
		t.Fatalf("%s changed the value:\n sent %s\n got  %s", name, sent, got)
	}
}

func jsonOf(t *testing.T, v reflect.Value) string {
	t.Helper()
	j, err := cabi.ToJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(j)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func u64(v uint64) *uint64 { return &v }
func i64(v int64) *int64   { return &v }

func TestEchoStrings(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	big := strings.Repeat("Встреча 📆 meeting ", 40000) // ~1 MB
	for _, s := range []string{"", "a", "Привет, мир", "😀🎉 emoji", "\u0000nul inside", big} {
		echo(t, r, "echo-string", s)
	}
	echo(t, r, "echo-bytes", []byte{})
	echo(t, r, "echo-bytes", []byte{0, 1, 2, 255})
	echo(t, r, "echo-bytes", make([]byte, 3<<20))
	echo(t, r, "echo-strings", [][]string{})
	echo(t, r, "echo-strings", [][]string{{}, {""}, {"a", "б", "😀"}, make([]string, 1000)})
}

// Nine strings are 18 flat parameters: the host spills them into guest memory.
func TestEchoSpilledParameters(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	in := wit.Nine{A: "", B: "б", C: "📆", D: strings.Repeat("x", 70000), E: "e", F: "Пятница", G: "", H: "h", I: "последний"}
	args := []reflect.Value{}
	for _, s := range []string{in.A, in.B, in.C, in.D, in.E, in.F, in.G, in.H, in.I} {
		args = append(args, reflect.ValueOf(s))
	}
	out, err := r.Call(context.Background(), probe("echo-spilled"), args...)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Interface().(wit.Nine); got != in {
		t.Fatalf("spilled parameters came back as %+v", got)
	}
}

func TestEchoNumbers(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	for _, n := range []wit.Numbers{
		{},
		{A: math.MaxUint8, B: math.MaxUint16, C: math.MaxUint32, D: math.MaxUint64, E: math.MaxInt32, F: math.MaxInt64, G: true},
		{A: 1, B: 2, C: 3, D: 4, E: math.MinInt32, F: math.MinInt64},
		{E: -1, F: -1, G: true},
	} {
		out, err := r.Call(context.Background(), probe("echo-numbers"),
			reflect.ValueOf(n.A), reflect.ValueOf(n.B), reflect.ValueOf(n.C), reflect.ValueOf(n.D),
			reflect.ValueOf(n.E), reflect.ValueOf(n.F), reflect.ValueOf(n.G))
		if err != nil {
			t.Fatal(err)
		}
		if got := out.Interface().(wit.Numbers); got != n {
			t.Fatalf("sent %+v got %+v", n, got)
		}
	}
}

func TestEchoRecordsOptionsResults(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	req := wit.HTTPRequest{
		Method:           wit.MethodReport,
		URL:              "https://caldav.yandex.ru/calendars/user%40yandex.ru/events-1/",
		Headers:          []wit.Header{{Name: "Depth", Value: "1"}, {Name: "Content-Type", Value: "application/xml; charset=utf-8"}},
		Body:             []byte("<?xml version=\"1.0\"?><C:calendar-query/>"),
		TimeoutMs:        30000,
		MaxResponseBytes: math.MaxUint64,
	}
	for m := range wit.HTTPMethod(len(wit.HTTPMethod(0).WITEnum())) {
		req.Method = m
		echo(t, r, "echo-http-request", req)
	}
	echo(t, r, "echo-http-request", wit.HTTPRequest{})

	resp := wit.HTTPResponse{Status: 207, Headers: []wit.Header{{Name: "ETag", Value: `"1"`}}, Body: []byte("ok")}
	echo(t, r, "echo-http-result", cabi.OK[wit.HTTPResponse, wit.HTTPError](resp))
	for _, e := range []wit.HTTPError{
		{InvalidURL: str("::")}, {Unreachable: str("refused")}, {TLS: str("x509")},
		{Timeout: &cabi.Unit{}}, {TooLarge: u64(math.MaxUint64)}, {Other: str("")},
	} {
		echo(t, r, "echo-http-result", cabi.Err[wit.HTTPResponse](e))
	}

	empty, data := []byte{}, []byte("value")
	for _, v := range []cabi.Result[*[]byte, wit.KVError]{
		cabi.OK[*[]byte, wit.KVError](nil),
		cabi.OK[*[]byte, wit.KVError](&empty),
		cabi.OK[*[]byte, wit.KVError](&data),
		cabi.Err[*[]byte](wit.KVError{KeyTooLong: func() *uint32 { v := uint32(151); return &v }()}),
		cabi.Err[*[]byte](wit.KVError{Store: str("db down")}),
	} {
		echo(t, r, "echo-kv-result", v)
	}

	echo(t, r, "echo-log-levels", []wit.LogLevel{})
	echo(t, r, "echo-log-levels", []wit.LogLevel{wit.LogDebug, wit.LogInfo, wit.LogWarn, wit.LogError, wit.LogError})

	echo(t, r, "echo-user", (*wit.User)(nil))
	user := wit.User{ID: "u1", Username: "ivan", Email: "ivan@yandex.ru", FirstName: "Иван", LastName: "Петров",
		Locale: "ru", Timezone: "Europe/Moscow", IsBot: true}
	echo(t, r, "echo-user", &user)
	user.CustomStatus = &wit.CustomStatus{Emoji: "calendar", Text: "На встрече", Duration: "date_and_time", ExpiresAtMs: i64(math.MinInt64)}
	echo(t, r, "echo-user", &user)
	user.CustomStatus.ExpiresAtMs = nil
	echo(t, r, "echo-user", &user)
}

func samplePost() wit.Post {
	return wit.Post{
		Message: "**Встреча** через 10 минут",
		Attachments: []wit.Attachment{
			{Title: "Планёрка", Fields: []wit.Field{{Title: "Когда", Value: "пн, 1 дек, 10:00–10:30", Short: true}, {Title: "", Value: "", Short: false}},
				Actions: []wit.Action{
					{ID: "join", Label: "Подключиться", Style: 1, URL: "https://telemost.yandex.ru/j/123", Context: []wit.Prop{{Key: "k", Value: "v"}}},
					{ID: "b", Label: "", Style: 5},
				}},
			{},
		},
		Props: []wit.Prop{{Key: "meeting", Value: "uid-1"}},
	}
}

func TestEchoEveryVariantAndEnumCase(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	post := samplePost()
	for s := range wit.ButtonStyle(len(wit.ButtonStyle(0).WITEnum())) {
		post.Attachments[0].Actions[0].Style = s
		echo(t, r, "echo-post", post)
	}
	echo(t, r, "echo-post", wit.Post{})

	opts := []wit.SelectOption{{Text: "Работа", Value: "events-1"}, {Text: "Личный", Value: "events-2"}}
	var elems []wit.DialogElement
	for st := range wit.TextSubtype(len(wit.TextSubtype(0).WITEnum())) {
		elems = append(elems, wit.DialogElement{Name: "t", Kind: wit.ElementKind{Text: &st}, MaxLength: 150})
	}
	none := []wit.SelectOption{}
	for _, k := range []wit.ElementKind{
		{Textarea: &cabi.Unit{}}, {Select: &opts}, {Select: &none}, {SelectSource: str("channels")},
		{Checkbox: &cabi.Unit{}}, {Radio: &opts},
	} {
		elems = append(elems, wit.DialogElement{Name: "e", DisplayName: "Поле", Kind: k, Optional: true, MinLength: 1})
	}
	echo(t, r, "echo-dialog", wit.Dialog{CallbackID: "connect", Title: "Подключение", Elements: elems, NotifyOnCancel: true, State: "{}"})

	uid := "user1"
	for m := range wit.RequestMethod(len(wit.RequestMethod(0).WITEnum())) {
		echo(t, r, "echo-plugin-request", wit.PluginRequest{Method: m, Path: "/dialog/connect", Query: "a=1",
			Headers: []wit.Header{{Name: "Mattermost-User-ID", Value: uid}}, Body: []byte(`{"x":1}`), UserID: &uid})
	}
	echo(t, r, "echo-plugin-request", wit.PluginRequest{Body: []byte{}})

	for rt := range wit.ResponseType(2) {
		echo(t, r, "echo-command-response", wit.CommandResponse{ResponseType: rt, Text: "ok", Attachments: samplePost().Attachments})
	}
	echo(t, r, "echo-slash-command", wit.SlashCommand{Trigger: "yandex_calendar", Items: []wit.AutocompleteItem{
		{Parent: []string{"calendars"}, Trigger: "from_to", Args: []wit.AutocompleteArg{{Hint: "<from>", HelpText: "с", Pattern: `^\S+$`}}},
		{Parent: []string{}, Trigger: "info"},
	}})
	for i, res := range []cabi.Result[wit.JobReport, string]{
		cabi.OK[wit.JobReport, string](wit.JobReport{UsersSeen: 7, Effects: math.MaxUint32,
			DueUsers: []string{"8xq3zj1n3fgo5e4rwhbjmgwp3c", "пользователь", ""}}),
		cabi.OK[wit.JobReport, string](wit.JobReport{}),
		cabi.Err[wit.JobReport]("сбой"),
	} {
		job := []wit.Job{wit.JobTick(wit.TickInfo{Node: "узел-1", SinceMs: -1764000000000, Leaving: true}), wit.JobUser("8xq3zj1n3fgo5e4rwhbjmgwp3c"), wit.JobDue("v1/j/u/1764000000000")}[i]
		want := wit.JobEcho{Kind: job, Report: res}
		out, err := r.Call(context.Background(), probe("echo-job"), reflect.ValueOf(job), reflect.ValueOf(res))
		if err != nil {
			t.Fatal(err)
		}
		got := out.Interface().(wit.JobEcho)
		if got.Report.Ok.DueUsers == nil && !got.Report.IsErr {
			got.Report.Ok.DueUsers = want.Report.Ok.DueUsers // an empty list lifts as nil
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("echo-job: got %#v", out.Interface())
		}
	}
}

func TestEveryImportReachesTheHost(t *testing.T) {
	h := newFakeHost()
	h.users["Привет 😀"] = wit.User{ID: "x", Locale: "ru", CustomStatus: &wit.CustomStatus{Emoji: "e", ExpiresAtMs: i64(5)}}
	h.http = func(_ context.Context, r wit.HTTPRequest) cabi.Result[wit.HTTPResponse, wit.HTTPError] {
		return cabi.OK[wit.HTTPResponse, wit.HTTPError](wit.HTTPResponse{Status: 207, Headers: []wit.Header{{Name: "DAV", Value: "1, calendar-access"}}, Body: r.Body})
	}
	r := newRuntime(t, h, Options{})
	text := "Привет 😀"
	out, err := r.Call(context.Background(), probe("call-imports"), reflect.ValueOf(text))
	if err != nil {
		t.Fatal(err)
	}
	answers := strings.Join(out.Interface().([]string), "\n")
	for _, want := range []string{
		`http.send Ok(HttpResponse { status: 207, headers: [Header { name: "DAV", value: "1, calendar-access" }], body: [208, 159`,
		"kv.get Ok(None)",
		"kv.set Ok(())",
		"kv.cas Ok(false)", // set-with-expiry stored the key, so "absent" no longer matches
		"kv.cas Ok(true)",
		"kv.cas-expiry Ok(true)",
		"kv.delete Err(KvError::KeyTooLong(17))",
		`kv.list-keys Ok(["Привет 😀a", "Привет 😀b"])`,
		"clock.now-ms 1764000000000",
		`mm.dm-post Ok("post-1")`,
		`mm.delete-post Err(MmError { status: 404, message: "no such post" })`,
		`mm.get-user Ok(User { id: "x"`,
		`custom-status: Some(CustomStatus { emoji: "e", text: "", duration: "", expires-at-ms: Some(5) })`,
		`mm.get-config PluginConfig { caldav-url: Some("https://caldav.yandex.ru"), reminder-lead-minutes: Some(10), sync-interval-minutes: Some(5), encryption-key: "k", allowed-hosts: Some("") }`,
		"scheduler.schedule-once Ok(true)",
	} {
		if !strings.Contains(answers, want) {
			t.Errorf("the component did not see %q in:\n%s", want, answers)
		}
	}
	calls := strings.Join(h.calls, "\n")
	for _, want := range []string{
		"http.send REPORT https://caldav.example/Привет 😀 17",
		"kv.set-with-expiry Привет 😀 60",
		"kv.list-keys Привет 😀 1 50",
		"log debug\nlog info\nlog warn\nlog error",
		"mm.ephemeral-post Привет 😀 Привет 😀",
		"mm.open-dialog Привет 😀 /dialog",
		"mm.publish-event Привет 😀 Привет 😀 [{text Привет 😀}]",
		"kv.cas-expiry Привет 😀 old=false 90",
		"scheduler.schedule-once Привет 😀 1764000060000",
		"scheduler.cancel Привет 😀",
	} {
		if !strings.Contains(calls, want) {
			t.Errorf("the host did not get %q in:\n%s", want, calls)
		}
	}
	if len(h.posts) != 1 || !reflect.DeepEqual(h.posts[0].Attachments[0].Actions[0].Context, []wit.Prop{{Key: "k", Value: text}}) {
		t.Errorf("post lost its attachment: %#v", h.posts)
	}
	kinds := []string{}
	for _, e := range h.dlgs[0].Elements {
		v, _ := cabi.ToJSON(reflect.ValueOf(e.Kind))
		for k := range v.(map[string]any) {
			kinds = append(kinds, k)
		}
	}
	if strings.Join(kinds, ",") != "text,textarea,select,select-source,checkbox,radio" {
		t.Errorf("dialog element kinds: %v", kinds)
	}
	if len(h.stats) != 1 || h.stats[0].ExpiresAtMs == nil || *h.stats[0].ExpiresAtMs != 1764000000000 {
		t.Errorf("custom status: %#v", h.stats)
	}
}

func TestModuleImportsOnlyTheContractAndWASI(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{})
	allowed := map[string]bool{"wasi_snapshot_preview1": true}
	for _, imp := range wit.Imports {
		allowed[imp.Module] = true
	}
	n := 0
	for _, f := range r.compiled.ImportedFunctions() {
		mod, name, _ := f.Import()
		if !allowed[mod] || strings.Contains(mod, "wbindgen") {
			t.Errorf("unexpected import %s.%s", mod, name)
		}
		n++
	}
	if n == 0 {
		t.Fatal("no imports listed")
	}
}

// A host failure traps the guest; the broken instance is dropped and the next call gets a
// fresh one.
func TestTrappedInstanceIsReplaced(t *testing.T) {
	h := newFakeHost()
	h.users["u"] = wit.User{ID: "u", Locale: "en"}
	fail := true
	r, err := New(context.Background(), loadWasm(t), func(imp wit.Import) cabi.Impl {
		impl := HostImpls(h)(imp)
		if imp.Name != "get-user" {
			return impl
		}
		return func(ctx context.Context, args []reflect.Value) (reflect.Value, error) {
			if fail {
				return reflect.Value{}, errors.New("boom")
			}
			return impl(ctx, args)
		}
	}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	args := wit.CommandArgs{UserID: "u", Command: "/yandex_calendar info"}
	if _, err := r.ExecuteCommand(context.Background(), args); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Fatalf("want the host failure, got %v", err)
	}
	if r.Pool().Idle() != 0 {
		t.Fatal("a trapped instance went back to the pool")
	}
	fail = false
	resp, err := r.ExecuteCommand(context.Background(), args)
	if err != nil || !strings.Contains(resp.Text, "Meetings today") {
		t.Fatalf("after a trap: %v %q", err, resp.Text)
	}
	if r.Pool().Idle() != 1 {
		t.Fatal("the fresh instance was not pooled")
	}
}

// A call past its deadline fails, in both ways of enforcing it (at the next host call, or
// wazero's termination checks), and a fresh instance serves the next call.
func TestCallDeadline(t *testing.T) {
	for _, interruptible := range []bool{false, true} {
		t.Run(fmt.Sprintf("interruptible=%v", interruptible), func(t *testing.T) {
			h := newFakeHost()
			h.users["u"] = wit.User{ID: "u", Locale: "en"}
			r, err := New(context.Background(), loadWasm(t), func(imp wit.Import) cabi.Impl {
				impl := HostImpls(h)(imp)
				if imp.Name != "get-user" {
					return impl
				}
				return func(ctx context.Context, args []reflect.Value) (reflect.Value, error) {
					if args[0].String() == "slow" {
						<-ctx.Done() // a host call that never answers on its own
						return reflect.Value{}, ctx.Err()
					}
					return impl(ctx, args)
				}
			}, Options{Interactive: 200 * time.Millisecond, Interruptible: interruptible})
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close(context.Background())
			start := time.Now()
			_, err = r.ExecuteCommand(context.Background(), wit.CommandArgs{UserID: "slow", Command: "/yandex_calendar info"})
			if err == nil || !strings.Contains(err.Error(), "deadline") {
				t.Fatalf("want a deadline error, got %v", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("deadline took %v", d)
			}
			resp, err := r.ExecuteCommand(context.Background(), wit.CommandArgs{UserID: "u", Command: "/yandex_calendar info"})
			if err != nil || !strings.Contains(resp.Text, "Meetings today") {
				t.Fatalf("after the deadline: %v %q", err, resp.Text)
			}
		})
	}
}

func TestConcurrentCallsUseSeveralInstances(t *testing.T) {
	h := newFakeHost()
	h.users["ru"] = wit.User{ID: "ru", Locale: "ru"}
	r := newRuntime(t, h, Options{MaxInstances: 3})
	var wg sync.WaitGroup
	errs := make(chan error, 24)
	for i := 0; i < 24; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := r.ExecuteCommand(context.Background(), wit.CommandArgs{UserID: "ru", Command: "/yandex_calendar info"})
			if err == nil && !strings.Contains(resp.Text, "Встречи на сегодня") {
				err = errors.New("wrong text: " + resp.Text)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := r.Pool().Idle(); n < 1 || n > 3 {
		t.Fatalf("pool holds %d instances, want 1..3", n)
	}
}

func TestMemoryLimit(t *testing.T) {
	r := newRuntime(t, newFakeHost(), Options{MemoryLimitMiB: 16})
	_, err := r.Call(context.Background(), probe("echo-bytes"), reflect.ValueOf(make([]byte, 32<<20)))
	if err == nil {
		t.Fatal("a 32 MiB value fit in a 16 MiB memory")
	}
	// The pool recovers: a small call still works.
	echo(t, r, "echo-string", "still alive")
}
