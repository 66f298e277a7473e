package main

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/component"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// Tests of the host's edges, against the real module and a plugin-API double.

// 1: a refused setting is refused before it is saved, with the reason in both languages.
func TestBadSettingsAreRefusedBeforeSaving(t *testing.T) {
	p, api := activated(t)
	id := manifestID(t)
	bad := p.API.GetPluginConfig()
	bad["caldavurl"] = "caldav.yandex.ru"
	_, err := p.ConfigurationWillBeSaved(configWith(id, bad))
	if err == nil || !strings.Contains(err.Error(), "https://") || !strings.Contains(err.Error(), "Адрес CalDAV-сервера") {
		t.Fatalf("want a refusal in English and Russian, got %v", err)
	}
	bad = p.API.GetPluginConfig()
	bad["syncintervalminutes"] = float64(0)
	if _, err := p.ConfigurationWillBeSaved(configWith(id, bad)); err == nil || !strings.Contains(err.Error(), "1 to 1440") {
		t.Fatalf("sync interval 0: %v", err)
	}
	bad["syncintervalminutes"] = "five"
	if _, err := p.ConfigurationWillBeSaved(configWith(id, bad)); err == nil {
		t.Fatal("a sync interval that is not a number was accepted")
	}
	good := p.API.GetPluginConfig()
	good["caldavurl"] = "https://caldav.example.org"
	if _, err := p.ConfigurationWillBeSaved(configWith(id, good)); err != nil {
		t.Fatal(err)
	}
	// What was refused was never saved, and a good change applies once saved.
	_ = api.SavePluginConfig(good)
	if err := p.OnConfigurationChange(); err != nil {
		t.Fatal(err)
	}
	if got := p.configuration().settings.CaldavURL; got != "https://caldav.example.org" {
		t.Errorf("settings now %q", got)
	}
}

// 2: a reminder lead time of 0 stays 0; unset settings take the component's defaults.
func TestSettingsReachTheComponentAsSaved(t *testing.T) {
	api := newFakeAPI(t)
	api.config["reminderleadminutes"] = float64(0)
	delete(api.config, "syncintervalminutes")
	p := activatedWith(t, api)
	s := p.configuration().settings
	if s.ReminderLeadMinutes != 0 || s.SyncIntervalMinutes != 5 || s.CaldavURL != "https://caldav.yandex.ru" {
		t.Fatalf("settings: %+v", s)
	}
	if lead := p.configuration().saved.ReminderLeadMinutes; lead == nil || *lead != 0 {
		t.Fatalf("saved lead time: %v", lead)
	}

	api = newFakeAPI(t)
	api.config["syncintervalminutes"] = float64(-3)
	q := &Plugin{getenv: func(string) string { return "" }}
	q.SetAPI(api)
	if err := q.OnActivate(); err == nil || !strings.Contains(err.Error(), "got -3") {
		t.Fatalf("activation with a sync interval of -3: %v", err)
	}
}

// 3: no key at activation: one is generated, saved, and the component runs with it.
func TestEncryptionKeyIsGeneratedAndSaved(t *testing.T) {
	api := newFakeAPI(t)
	delete(api.config, "encryptionkey")
	p := activatedWith(t, api)
	if len(api.saves) != 1 {
		t.Fatalf("%d configuration saves", len(api.saves))
	}
	key, _ := api.saves[0]["encryptionkey"].(string)
	if len(key) < 40 || api.saves[0]["caldavurl"] != "https://caldav.yandex.ru" {
		t.Fatalf("saved %v", api.saves[0])
	}
	if p.configuration().saved.EncryptionKey != key {
		t.Error("the component does not run with the saved key")
	}
	// An admin who blanks the key gets a new one instead of an empty one.
	blank := p.API.GetPluginConfig()
	blank["encryptionkey"] = ""
	out, err := p.ConfigurationWillBeSaved(configWith(manifestID(t), blank))
	if err != nil || out == nil {
		t.Fatalf("%v %v", out, err)
	}
	if k, _ := out.PluginSettings.Plugins[manifestID(t)]["encryptionkey"].(string); len(k) < 40 || k == key {
		t.Fatalf("new key %q", k)
	}
	// The masked value the server shows stands for the current key: no change.
	shown := p.API.GetPluginConfig()
	shown["encryptionkey"] = model.FakeSetting
	if out, err := p.ConfigurationWillBeSaved(configWith(manifestID(t), shown)); err != nil || out != nil {
		t.Fatalf("masked key: %v %v", out, err)
	}
}

// 4: the component is asked only when the plugin's own settings change.
func TestComponentIsAskedOnlyWhenOwnSettingsChange(t *testing.T) {
	p, api := activated(t)
	asked := func() int { return api.logged("info configuration accepted") }
	before := asked()
	same := configWith(manifestID(t), p.API.GetPluginConfig())
	*same.ServiceSettings.SiteURL = "https://chat.example.org" // someone else's setting
	if _, err := p.ConfigurationWillBeSaved(same); err != nil {
		t.Fatal(err)
	}
	if err := p.OnConfigurationChange(); err != nil {
		t.Fatal(err)
	}
	if asked() != before {
		t.Fatalf("the component was asked %d times for an unrelated change", asked()-before)
	}
	changed := p.API.GetPluginConfig()
	changed["reminderleadminutes"] = float64(15)
	if _, err := p.ConfigurationWillBeSaved(configWith(manifestID(t), changed)); err != nil {
		t.Fatal(err)
	}
	if asked() != before+1 {
		t.Fatalf("asked %d times for one change", asked()-before)
	}
}

// 5, 6: credentials never reach the component, a request needs a user unless the route
// is public, and a path with invalid UTF-8 is answered without losing an instance.
func TestServeHTTPEdges(t *testing.T) {
	api := newFakeAPI(t)
	var mu sync.Mutex
	var seen []wit.PluginRequest
	p := &Plugin{getenv: func(string) string { return "" }, observe: func(kind, name string, args []reflect.Value, _ reflect.Value) {
		if kind == "export" && name == wit.ExportServeHTTP.Name {
			mu.Lock()
			seen = append(seen, args[0].Interface().(wit.PluginRequest))
			mu.Unlock()
		}
	}}
	p.SetAPI(api)
	if err := p.OnActivate(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.OnDeactivate() })

	r := httptest.NewRequest(http.MethodPost, "/no/such/route", strings.NewReader("{}"))
	r.Header.Set("Mattermost-User-Id", "u1")
	r.Header.Set("Cookie", "MMAUTHTOKEN=secret")
	r.Header.Set("Authorization", "Bearer secret")
	r.Header.Set("X-CSRF-Token", "secret")
	r.Header.Set("X-Requested-With", "XMLHttpRequest")
	w := httptest.NewRecorder()
	p.ServeHTTP(&plugin.Context{}, w, r)
	if w.Code != http.StatusNotFound || len(seen) != 1 {
		t.Fatalf("%d, %d calls", w.Code, len(seen))
	}
	for _, h := range seen[0].Headers {
		if strings.Contains(h.Value, "secret") {
			t.Errorf("header %s reached the component", h.Name)
		}
	}
	if seen[0].UserID == nil || *seen[0].UserID != "u1" || len(seen[0].Headers) != 2 {
		t.Errorf("request: %+v", seen[0])
	}

	w = httptest.NewRecorder()
	p.ServeHTTP(&plugin.Context{}, w, httptest.NewRequest(http.MethodPost, "/actions/rsvp", nil))
	if w.Code != http.StatusUnauthorized || len(seen) != 1 {
		t.Fatalf("anonymous request: %d, reached the component: %v", w.Code, len(seen) > 1)
	}
	w = httptest.NewRecorder()
	p.ServeHTTP(&plugin.Context{}, w, httptest.NewRequest(http.MethodGet, "/public/icon", nil))
	if w.Code != http.StatusNotFound || len(seen) != 2 || seen[1].UserID != nil {
		t.Fatalf("public route: %d %d", w.Code, len(seen))
	}

	rt := p.active.Load().runtime
	idle := rt.Pool().Idle()
	r = httptest.NewRequest(http.MethodGet, "/%FF", nil)
	r.Header.Set("Mattermost-User-Id", "u1")
	r.Header.Set("X-Broken", "\xff\xfe")
	w = httptest.NewRecorder()
	p.ServeHTTP(&plugin.Context{}, w, r)
	if w.Code != http.StatusNotFound || rt.Pool().Idle() != idle {
		t.Fatalf("invalid UTF-8: %d, idle instances %d → %d", w.Code, idle, rt.Pool().Idle())
	}
	if got := seen[len(seen)-1].Path; got != "/\uFFFD" {
		t.Errorf("path reached the component as %q", got)
	}
}

// 5: what the component answers is checked before it goes out.
func TestResponsesAreChecked(t *testing.T) {
	p := &Plugin{}
	p.SetAPI(newFakeAPI(t))
	for _, c := range []struct {
		resp wit.PluginResponse
		code int
	}{
		{wit.PluginResponse{Status: 42}, 500},
		{wit.PluginResponse{Status: 1000}, 500},
		{wit.PluginResponse{Status: 200, Headers: []wit.Header{{Name: "Set-Cookie", Value: "a=b"}, {Name: "X-Bad\n", Value: "v"}, {Name: "X-Ok", Value: "v"}}}, 200},
	} {
		w := httptest.NewRecorder()
		p.writeResponse(w, "/x", c.resp)
		if w.Code != c.code || w.Header().Get("Set-Cookie") != "" || (c.code == 200 && w.Header().Get("X-Ok") != "v") {
			t.Errorf("%+v: %d %v", c.resp, w.Code, w.Header())
		}
	}
}

// 8: the component may edit and delete only the bot's posts.
func TestOnlyTheBotsPostsCanBeChanged(t *testing.T) {
	p, api := activated(t)
	h := &mmHost{p: p, id: "x", botID: "bot-id"}
	_, _ = api.UpdatePost(&model.Post{Id: "mine", UserId: "bot-id", Message: "old"})
	_, _ = api.UpdatePost(&model.Post{Id: "theirs", UserId: "someone", Message: "keep"})
	ctx := context.Background()
	if r := h.UpdatePost(ctx, "theirs", wit.Post{Message: "hijacked"}); !r.IsErr || r.Err.Status != 403 {
		t.Fatalf("update of another's post: %+v", r)
	}
	if r := h.DeletePost(ctx, "theirs"); !r.IsErr || r.Err.Status != 403 {
		t.Fatalf("delete of another's post: %+v", r)
	}
	if p := api.post("theirs"); p == nil || p.Message != "keep" {
		t.Fatal("another's post changed")
	}
	if r := h.UpdatePost(ctx, "mine", wit.Post{Message: "new"}); r.IsErr || api.post("mine").Message != "new" {
		t.Fatalf("update of the bot's post: %+v", r)
	}
	if r := h.DeletePost(ctx, "mine"); r.IsErr || api.post("mine") != nil {
		t.Fatalf("delete of the bot's post: %+v", r)
	}
}

// 18: Mattermost cannot hold an empty value (the RPC turns it into nil: delete, absent);
// the host refuses it instead of losing the key.
func TestEmptyKVValuesAreRefused(t *testing.T) {
	p, api := activated(t)
	h := &mmHost{p: p}
	ctx := context.Background()
	_ = h.KVSet(ctx, "k", []byte("v"))
	empty := []byte{}
	if r := h.KVSet(ctx, "k", empty); !r.IsErr || r.Err.EmptyValue == nil {
		t.Fatalf("set []: %+v", r)
	}
	if r := h.KVSetWithExpiry(ctx, "k", empty, 5); !r.IsErr || r.Err.EmptyValue == nil {
		t.Fatalf("set-with-expiry []: %+v", r)
	}
	v := []byte("v")
	if r := h.KVCompareAndSet(ctx, "k", &v, &empty); !r.IsErr || r.Err.EmptyValue == nil {
		t.Fatalf("cas new []: %+v", r)
	}
	if r := h.KVCompareAndSet(ctx, "absent", &empty, &v); !r.IsErr || r.Err.EmptyValue == nil {
		t.Fatalf("cas old []: %+v", r)
	}
	if string(api.stored("k")) != "v" || api.stored("absent") != nil {
		t.Fatalf("store changed: %q %q", api.stored("k"), api.stored("absent"))
	}
}

// 9: outbound HTTP reaches the configured server even on a private address, and nothing
// else unless the admin allowed it.
func TestOutboundHTTPPolicy(t *testing.T) {
	caldav := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(207) }))
	defer caldav.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }))
	defer other.Close()
	api := newFakeAPI(t, "component-probe.wasm")
	api.config["caldavurl"] = caldav.URL + "/dav/"
	p := activatedWith(t, api)
	send := func(u string) string {
		t.Helper()
		call := wit.ImportCall{HTTPSend: &wit.HTTPRequest{Method: wit.MethodPropfind, URL: u, TimeoutMs: 5000, MaxResponseBytes: 1 << 20}}
		out, err := p.active.Load().runtime.Call(context.Background(), "yandex:calendar/abi-probe@0.1.0#call-import", reflect.ValueOf(call))
		if err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got := send(caldav.URL + "/dav/calendars/"); !strings.Contains(got, "status: 207") {
		t.Errorf("the CalDAV server: %s", got)
	}
	if got := send(other.URL + "/"); !strings.Contains(got, "Blocked(") {
		t.Errorf("another local server: %s", got)
	}
	if got := send("http://localhost:" + mustPort(t, caldav.URL) + "/"); !strings.Contains(got, "Blocked(") {
		t.Errorf("the same port under another name: %s", got)
	}
	allowed := p.API.GetPluginConfig()
	allowed["allowedhosts"] = "Example.org, " + strings.TrimPrefix(other.URL, "http://")
	_ = api.SavePluginConfig(allowed)
	if err := p.OnConfigurationChange(); err != nil {
		t.Fatal(err)
	}
	if got := send(other.URL + "/"); !strings.Contains(got, "status: 200") {
		t.Errorf("an allowed host: %s", got)
	}
}

func mustPort(t *testing.T, u string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Port()
}

// 9: a host of the CalDAV server's domain is reached only on a public address; the address
// actually dialled is checked (a DNS answer can't swap in a private one).
func TestSameDomainHostsNeedAPublicAddress(t *testing.T) {
	pol, err := newEgressPolicy(wit.Settings{CaldavURL: "https://caldav.yandex.ru", AllowedHosts: []string{"10.0.0.5:8443", "[fd00::1]"}})
	if err != nil {
		t.Fatal(err)
	}
	for u, want := range map[string]string{
		"https://caldav.yandex.ru/calendars/": "any",
		"http://caldav.yandex.ru/":            "public", // another origin of the domain
		"https://caldav.yandex.ru:8443/":      "public",
		"https://calendar.yandex.ru/x":        "public",
		"https://yandex.ru.evil.example/":     "blocked",
		"https://10.0.0.5:8443/":              "any",
		"https://10.0.0.5/":                   "blocked",
		"https://[fd00::1]:9/":                "any",
		"http://169.254.169.254/latest/":      "blocked",
	} {
		pu, _ := url.Parse(u)
		publicOnly, err := pol.decide(pu)
		got := map[bool]string{true: "public", false: "any"}[publicOnly]
		if err != nil {
			got = "blocked"
		}
		if got != want {
			t.Errorf("%s: %s, want %s (%v)", u, got, want, err)
		}
	}
	for addr, public := range map[string]bool{
		"127.0.0.1": false, "10.1.2.3": false, "172.16.0.1": false, "192.168.1.1": false, "169.254.169.254": false,
		"100.64.0.1": false, "0.0.0.0": false, "::1": false, "fe80::1": false, "fd00::1": false, "::ffff:127.0.0.1": false,
		"77.88.55.242": true, "2a02:6b8::2:242": true,
	} {
		if publicAddr(netip.MustParseAddr(addr)) != public {
			t.Errorf("%s public: %v", addr, !public)
		}
	}
	// The dial check itself, on loopback only: a name of the domain that resolves to
	// 127.0.0.1 is refused before connecting.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	e := newEgressClient()
	req, _ := http.NewRequest(http.MethodGet, srv.URL, nil)
	ctx := context.WithValue(context.Background(), dialRuleKey{}, dialRule{publicOnly: true, host: "127.0.0.1"})
	_, err = e.client.Do(req.WithContext(ctx))
	if reason, ok := asBlocked(err); !ok || !strings.Contains(reason, "not a public address") {
		t.Fatalf("dial to loopback under a public-only rule: %v", err)
	}
}

// 11: hooks running while the plugin is deactivated meet a closed runtime or none, never a
// nil pointer (run with -race: `make test-go`).
func TestHooksDuringDeactivation(t *testing.T) {
	api := newFakeAPI(t)
	api.users["u"] = &model.User{Id: "u", Locale: "en"}
	p := activatedWith(t, api)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				_, _ = p.ExecuteCommand(&plugin.Context{}, &model.CommandArgs{UserId: "u", Command: "/yandex_calendar info"})
				r := httptest.NewRequest(http.MethodGet, "/x", nil)
				r.Header.Set("Mattermost-User-Id", "u")
				p.ServeHTTP(&plugin.Context{}, httptest.NewRecorder(), r)
				if a := p.active.Load(); a != nil {
					p.runTick(a, time.Now().Add(-time.Minute))
				}
				_ = p.OnConfigurationChange()
			}
		}()
	}
	for i := 0; i < 3; i++ {
		if err := p.OnDeactivate(); err != nil {
			t.Error(err)
		}
		if err := p.OnActivate(); err != nil {
			t.Fatal(err)
		}
	}
	close(stop)
	wg.Wait()
	for _, l := range api.allLogs() {
		if strings.Contains(l, "panic") {
			t.Errorf("logged: %s", l)
		}
	}
}

// 13: bad YCAL_WASM_* values are named in a warning and the defaults used.
func TestRuntimeOptionsFromTheEnvironment(t *testing.T) {
	env := map[string]string{"YCAL_WASM_MEMORY_MIB": "5000", "YCAL_WASM_CALL_TIMEOUT_SECONDS": "-1", "YCAL_WASM_INSTANCES": "8"}
	o, warnings := runtimeOptions(func(k string) string { return env[k] })
	if o.MemoryLimitMiB != 0 || o.Background != 0 || o.MaxInstances != 8 || len(warnings) != 2 {
		t.Fatalf("%+v %q", o, warnings)
	}
	if !strings.Contains(warnings[0], "YCAL_WASM_MEMORY_MIB") || !strings.Contains(warnings[0], "16 to 4096") {
		t.Errorf("warning: %s", warnings[0])
	}
	// The plugin still starts, with the defaults.
	api := newFakeAPI(t)
	p := &Plugin{getenv: func(k string) string { return env[k] }}
	p.SetAPI(api)
	if err := p.OnActivate(); err != nil {
		t.Fatal(err)
	}
	defer p.OnDeactivate()
	if api.logged("warn YCAL_WASM_") != 2 {
		t.Errorf("logs: %v", api.allLogs())
	}
	// The runtime refuses what would panic wazero, even without the plugin's check.
	_, err := component.New(context.Background(), nil, nil, component.Options{MemoryLimitMiB: 5000})
	if err == nil || !strings.Contains(err.Error(), "4096") {
		t.Fatalf("5000 MiB: %v", err)
	}
}

// 17: the shipped module carries no probes, and the plugin runs it.
func TestShippedModuleHasNoProbes(t *testing.T) {
	p, _ := activated(t)
	rt := p.active.Load().runtime
	if rt.HasProbes() {
		t.Fatal("the shipped module exports abi-probe")
	}
	_, err := rt.Call(context.Background(), "yandex:calendar/abi-probe@0.1.0#echo-string", reflect.ValueOf(""))
	if !errors.Is(err, component.ErrUnknownExport) {
		t.Fatalf("probe call: %v", err)
	}
}

var _ = cabi.Unit{}
