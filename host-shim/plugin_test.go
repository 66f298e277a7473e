package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"

	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// fakeAPI is a plugin API test double: an in-memory KV store and the few calls the shim
// makes. Any other call panics through the nil embedded interface, so a test notices.
type fakeAPI struct {
	plugin.API
	mu       sync.Mutex
	kv       map[string][]byte
	users    map[string]*model.User
	bundle   string
	config   map[string]any
	saves    []map[string]any
	commands []*model.Command
	posts    map[string]*model.Post
	bots     []*model.Bot
	images   map[string][]byte
	logs     []string
	events   []published
}

type published struct {
	event   string
	payload map[string]any
	to      *model.WebsocketBroadcast
}

// newFakeAPI installs a bundle holding the module at wasm (the shipped one by default).
func newFakeAPI(t *testing.T, wasm ...string) *fakeAPI {
	module := "component.wasm"
	if len(wasm) > 0 {
		module = wasm[0]
	}
	code, err := os.ReadFile(module)
	if err != nil {
		t.Fatalf("the component is not built (run ./build.sh wasm): %v", err)
	}
	bundle := t.TempDir()
	_ = os.MkdirAll(filepath.Join(bundle, "server", "dist"), 0o755)
	_ = os.WriteFile(filepath.Join(bundle, wasmPath), code, 0o644)
	manifest, err := os.ReadFile("../plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	icon, err := os.ReadFile("../assets/icon.png")
	if err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(bundle, "plugin.json"), manifest, 0o644)
	_ = os.MkdirAll(filepath.Join(bundle, "assets"), 0o755)
	_ = os.WriteFile(filepath.Join(bundle, "assets", "icon.png"), icon, 0o644)
	// As Mattermost stores them: keys in lower case, numbers as JSON numbers.
	return &fakeAPI{
		kv: map[string][]byte{}, users: map[string]*model.User{}, bundle: bundle, posts: map[string]*model.Post{},
		config: map[string]any{"caldavurl": "https://caldav.yandex.ru", "reminderleadminutes": float64(10),
			"syncintervalminutes": float64(5), "allowedhosts": "", "encryptionkey": "a2V5"},
		images: map[string][]byte{},
	}
}

func (a *fakeAPI) log(level, msg string, kv ...any) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.logs = append(a.logs, level+" "+msg+" "+strings.TrimSpace(strings.Repeat("%v ", len(kv))))
}
func (a *fakeAPI) LogError(msg string, kv ...any) { a.log("error", msg, kv...) }
func (a *fakeAPI) LogWarn(msg string, kv ...any)  { a.log("warn", msg, kv...) }
func (a *fakeAPI) LogInfo(msg string, kv ...any)  { a.log("info", msg, kv...) }
func (a *fakeAPI) LogDebug(msg string, kv ...any) { a.log("debug", msg, kv...) }

func (a *fakeAPI) GetServerVersion() string       { return "11.7.0" }
func (a *fakeAPI) GetBundlePath() (string, error) { return a.bundle, nil }
func (a *fakeAPI) GetPluginConfig() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]any{}
	for k, v := range a.config {
		out[k] = v
	}
	return out
}
func (a *fakeAPI) SavePluginConfig(m map[string]any) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.config = m
	a.saves = append(a.saves, m)
	return nil
}
func (a *fakeAPI) GetConfig() *model.Config {
	c := &model.Config{}
	c.SetDefaults()
	*c.FileSettings.Directory = filepath.Join(a.bundle, "data")
	return c
}

// configWith is the server configuration with the plugin's settings map replaced.
func configWith(id string, settings map[string]any) *model.Config {
	c := &model.Config{}
	c.SetDefaults()
	c.PluginSettings.Plugins = map[string]map[string]any{id: settings}
	return c
}

func (a *fakeAPI) KVGet(key string) ([]byte, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.kv[key], nil
}

// gob is what the plugin RPC does to a byte slice: an empty one arrives as nil.
func gob(v []byte) []byte {
	if len(v) == 0 {
		return nil
	}
	return v
}

// KVSet with a nil value deletes, as on the server.
func (a *fakeAPI) KVSet(key string, v []byte) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	if v = gob(v); v == nil {
		delete(a.kv, key)
	} else {
		a.kv[key] = v
	}
	return nil
}
func (a *fakeAPI) KVDelete(key string) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.kv, key)
	return nil
}
func (a *fakeAPI) KVList(page, perPage int) ([]string, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	var keys []string
	for k := range a.kv {
		keys = append(keys, k)
	}
	start := min(page*perPage, len(keys))
	return keys[start:min(start+perPage, len(keys))], nil
}
func (a *fakeAPI) KVSetWithOptions(key string, v []byte, o model.PluginKVSetOptions) (bool, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	v, o.OldValue = gob(v), gob(o.OldValue)
	cur, exists := a.kv[key]
	if o.Atomic && (exists != (o.OldValue != nil) || !bytes.Equal(cur, o.OldValue)) {
		return false, nil
	}
	if v == nil {
		delete(a.kv, key)
	} else {
		a.kv[key] = v
	}
	return true, nil
}

func (a *fakeAPI) EnsureBotUser(bot *model.Bot) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.bots = append(a.bots, bot)
	return "bot-id", nil
}
func (a *fakeAPI) SetProfileImage(userID string, data []byte) *model.AppError {
	a.images[userID] = data
	return nil
}
func (a *fakeAPI) RegisterCommand(c *model.Command) error {
	a.commands = append(a.commands, c)
	return nil
}
func (a *fakeAPI) GetUser(id string) (*model.User, *model.AppError) {
	u, ok := a.users[id]
	if !ok {
		return nil, model.NewAppError("GetUser", "app.user.missing.app_error", nil, "", http.StatusNotFound)
	}
	return u, nil
}

func (a *fakeAPI) PublishWebSocketEvent(event string, payload map[string]any, to *model.WebsocketBroadcast) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.events = append(a.events, published{event, payload, to})
}

func (a *fakeAPI) GetPost(id string) (*model.Post, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, ok := a.posts[id]; ok {
		return p.Clone(), nil
	}
	return nil, model.NewAppError("GetPost", "app.post.get.app_error", nil, "", http.StatusNotFound)
}
func (a *fakeAPI) UpdatePost(p *model.Post) (*model.Post, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.posts[p.Id] = p
	return p, nil
}
func (a *fakeAPI) DeletePost(id string) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.posts, id)
	return nil
}
func (a *fakeAPI) GetDirectChannel(u1, u2 string) (*model.Channel, *model.AppError) {
	return &model.Channel{Id: "dm-" + u2}, nil
}
func (a *fakeAPI) CreatePost(p *model.Post) (*model.Post, *model.AppError) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p.Id = fmt.Sprintf("post%d", len(a.posts)+1)
	if p.CreateAt == 0 {
		p.CreateAt = model.GetMillis()
	}
	a.posts[p.Id] = p
	return p, nil
}

// stored reads the KV store and the posts under the lock (the tick job runs meanwhile).
func (a *fakeAPI) stored(key string) []byte {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.kv[key]
}

func (a *fakeAPI) allLogs() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string{}, a.logs...)
}

func (a *fakeAPI) post(id string) *model.Post {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.posts[id]
}

func (a *fakeAPI) logged(prefix string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := 0
	for _, l := range a.logs {
		if strings.HasPrefix(l, prefix) {
			n++
		}
	}
	return n
}

func activated(t *testing.T, wasm ...string) (*Plugin, *fakeAPI) {
	t.Helper()
	api := newFakeAPI(t, wasm...)
	return activatedWith(t, api), api
}

func activatedWith(t *testing.T, api *fakeAPI) *Plugin {
	t.Helper()
	p := &Plugin{getenv: func(string) string { return "" }}
	p.SetAPI(api)
	if err := p.OnActivate(); err != nil {
		t.Fatalf("OnActivate: %v\nlogs: %v", err, api.allLogs())
	}
	t.Cleanup(func() { _ = p.OnDeactivate() })
	return p
}

func TestActivateCreatesBotAndCommand(t *testing.T) {
	p, api := activated(t)
	if len(api.bots) != 1 || api.bots[0].Username != "yandex-calendar" || api.bots[0].DisplayName != "Yandex Calendar" {
		t.Fatalf("bot: %+v", api.bots)
	}
	if len(api.images["bot-id"]) == 0 {
		t.Error("the bot got no icon")
	}
	if a := p.active.Load(); a == nil || a.id != manifestID(t) {
		t.Errorf("plugin id read from the manifest: %+v", a)
	}
	// wazero's compiled code is cached in the server's data directory.
	cached, _ := filepath.Glob(filepath.Join(api.bundle, "data", "plugins", "yandex-calendar", "wazero-cache", "*", "*"))
	if len(cached) == 0 {
		t.Error("no compiled code cached on disk")
	}
	if len(api.commands) != 1 {
		t.Fatalf("commands: %d", len(api.commands))
	}
	cmd := api.commands[0]
	if cmd.Trigger != "yandex_calendar" || !cmd.AutoComplete {
		t.Fatalf("command: %+v", cmd)
	}
	var paths []string
	var walk func(prefix string, d *model.AutocompleteData)
	walk = func(prefix string, d *model.AutocompleteData) {
		for _, s := range d.SubCommands {
			paths = append(paths, strings.TrimSpace(prefix+" "+s.Trigger))
			walk(prefix+" "+s.Trigger, s)
		}
	}
	walk("", cmd.AutocompleteData)
	all := strings.Join(paths, "|")
	for _, want := range []string{"calendars|calendars today", "calendars from_to", "connections connect", "notifications delete", "checks check_scheduler", "info"} {
		if !strings.Contains(all, want) {
			t.Errorf("autocomplete lacks %q: %s", want, all)
		}
	}
	if err := cmd.AutocompleteData.IsValid(); err != nil {
		t.Errorf("autocomplete data invalid: %v", err)
	}
}

func TestInfoCommandInBothLanguages(t *testing.T) {
	p, api := activated(t)
	api.users["en"] = &model.User{Id: "en", Locale: "en"}
	api.users["ru"] = &model.User{Id: "ru", Locale: "ru"}
	for user, want := range map[string]string{"en": "Meetings today", "ru": "Встречи на сегодня"} {
		resp, appErr := p.ExecuteCommand(&plugin.Context{}, &model.CommandArgs{UserId: user, Command: "/yandex_calendar info"})
		if appErr != nil {
			t.Fatal(appErr)
		}
		if resp.ResponseType != model.CommandResponseTypeEphemeral || !strings.Contains(resp.Text, want) {
			t.Errorf("%s: %s %q", user, resp.ResponseType, resp.Text)
		}
	}
	resp, _ := p.ExecuteCommand(&plugin.Context{}, &model.CommandArgs{UserId: "ru", Command: "/yandex_calendar todya"})
	if !strings.Contains(resp.Text, "Неизвестная команда `todya`") || !strings.Contains(resp.Text, "`today`") {
		t.Errorf("unknown command: %q", resp.Text)
	}
}

func TestServeHTTPReachesTheComponent(t *testing.T) {
	p, _ := activated(t)
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/nowhere", strings.NewReader("{}"))
	r.Header.Set("Mattermost-User-ID", "u1")
	p.ServeHTTP(&plugin.Context{}, w, r)
	if w.Code != http.StatusNotFound || w.Body.String() != "not found" {
		t.Fatalf("%d %q", w.Code, w.Body.String())
	}
	w = httptest.NewRecorder()
	p.ServeHTTP(&plugin.Context{}, w, httptest.NewRequest(http.MethodPatch, "/x", nil))
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("PATCH: %d", w.Code)
	}
}

func TestTickRunsTheJob(t *testing.T) {
	p, api := activated(t)
	p.runTick(p.active.Load(), time.Now().Add(-time.Minute))
	for _, l := range api.allLogs() {
		if strings.HasPrefix(l, "error") {
			t.Fatalf("tick logged an error: %s", l)
		}
	}
}

func manifestID(t *testing.T) string {
	t.Helper()
	var m struct{ ID string }
	b, err := os.ReadFile("../plugin.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// The component's publish-event reaches the user's sessions only, payload as strings (the
// server adds the custom_<plugin id>_ prefix).
func TestPublishEventGoesToTheUserOnly(t *testing.T) {
	p, api := activated(t)
	(&mmHost{p: p}).PublishEvent(context.Background(), "u1", "agenda_changed", []wit.Prop{{Key: "day", Value: "2026-12-01"}})
	if len(api.events) != 1 {
		t.Fatalf("events: %+v", api.events)
	}
	e := api.events[0]
	if e.event != "agenda_changed" || e.payload["day"] != "2026-12-01" || e.to == nil || e.to.UserId != "u1" || e.to.ChannelId != "" || e.to.TeamId != "" {
		t.Fatalf("event %+v to %+v", e, e.to)
	}
}
