package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"golang.org/x/net/http/httpguts"

	"github.com/ycal/yandex-calendar/host-shim/component"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

const (
	botUsername    = "yandex-calendar"
	botDisplayName = "Yandex Calendar"
	// maxRequestBody bounds what ServeHTTP reads from a client.
	maxRequestBody = 1 << 20
	// wasmPath is where the bundle carries the component, beside the executables.
	wasmPath = "server/dist/component.wasm"
	// publicPrefix marks the only routes a request without a Mattermost user may reach.
	publicPrefix = "/public/"
)

// Plugin translates Mattermost hooks into calls of the component and performs the
// component's host calls. Everything about calendars is in the component.
type Plugin struct {
	plugin.MattermostPlugin

	now func() time.Time
	// getenv reads the YCAL_WASM_* options (os.Getenv; tests give their own).
	getenv func(string) string
	// observe, if set, sees every call crossing the boundary (tests).
	observe func(kind, name string, args []reflect.Value, result reflect.Value)

	// active is everything OnActivate set up, published at once and read once per hook,
	// so OnDeactivate running meanwhile never leaves a hook with half of it.
	active atomic.Pointer[active]
	// config is the current configuration; configMu serialises its updates.
	config   atomic.Pointer[configuration]
	configMu sync.Mutex
	egress   *egressClient
}

type active struct {
	id      string // plugin id, from the bundle's plugin.json
	bundle  string
	runtime *component.Runtime
	bg      *background
	// node names this activation in the users' shares (a new id at every activation).
	node     string
	tickStop chan struct{}
	tickDone chan struct{}
}

func (p *Plugin) configuration() *configuration {
	if c := p.config.Load(); c != nil {
		return c
	}
	return &configuration{}
}

// logWriter sends what the guest writes to stderr (its panic messages) to the plugin log.
type logWriter struct{ p *Plugin }

func (w logWriter) Write(b []byte) (int, error) {
	w.p.API.LogError("component: " + string(b))
	return len(b), nil
}

// recovered turns a panic in a hook into a log line; the plugin process stays up.
func (p *Plugin) recovered(hook string) {
	if r := recover(); r != nil {
		p.API.LogError("panic in "+hook, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
	}
}

func (p *Plugin) OnActivate() (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("activation panicked: %v", r)
		}
	}()
	if p.now == nil {
		p.now = time.Now
	}
	if p.getenv == nil {
		p.getenv = os.Getenv
	}
	if p.egress == nil {
		p.egress = newEgressClient()
	}
	bundle, err := p.API.GetBundlePath()
	if err != nil {
		return fmt.Errorf("bundle path: %w", err)
	}
	manifest, _, err := model.FindManifest(bundle)
	if err != nil || manifest.Id == "" {
		return fmt.Errorf("reading the bundle's plugin.json: %v", err)
	}
	wasm, err := os.ReadFile(filepath.Join(bundle, wasmPath))
	if err != nil {
		return fmt.Errorf("reading the component: %w", err)
	}
	saved, err := p.ensureEncryptionKey()
	if err != nil {
		return err
	}

	opts, warnings := runtimeOptions(p.getenv)
	for _, w := range warnings {
		p.API.LogWarn(w)
	}
	opts.Stderr = logWriter{p}
	opts.Observe = p.observe
	opts.CacheDir = p.cacheDir()
	// The bot's id is filled in below, once the component has described the command (the
	// bot's description is the component's text); nothing posts before that.
	host := &mmHost{p: p, id: manifest.Id, egress: p.egress}
	ctx := context.Background()
	rt, err := component.New(ctx, wasm, component.HostImpls(host), opts)
	if err != nil && opts.CacheDir != "" {
		p.API.LogWarn("compiling without the on-disk cache", "error", err.Error())
		opts.CacheDir = ""
		rt, err = component.New(ctx, wasm, component.HostImpls(host), opts)
	}
	if err != nil {
		return fmt.Errorf("load component: %w", err)
	}
	fail := func(err error) error {
		_ = rt.Close(context.Background())
		return err
	}
	settings, err := rt.CheckConfig(ctx, saved)
	if err != nil {
		return fail(fmt.Errorf("settings: %w", err))
	}
	if err := p.setConfiguration(&configuration{saved: saved, settings: settings}); err != nil {
		return fail(err)
	}
	if err := rt.Activate(ctx); err != nil {
		return fail(fmt.Errorf("activate: %w", err))
	}
	cmd, err := rt.DescribeCommand(ctx)
	if err != nil {
		return fail(err)
	}
	// The bot's description is the component's text (both languages), like every text users read.
	client := pluginapi.NewClient(p.API, p.Driver)
	botID, err := client.Bot.EnsureBot(&model.Bot{
		Username:    botUsername,
		DisplayName: botDisplayName,
		Description: cmd.Description,
	}, pluginapi.ProfileImagePath(filepath.Join("assets", "icon.png")))
	if err != nil {
		return fail(fmt.Errorf("ensure bot: %w", err))
	}
	host.botID = botID
	if err := p.API.RegisterCommand(toModelCommand(cmd)); err != nil {
		return fail(fmt.Errorf("register command: %w", err))
	}
	ro := rt.Options()
	a := &active{id: manifest.Id, bundle: bundle, runtime: rt, node: model.NewId(),
		bg:       newBackground(p, rt, ro.BackgroundInstances, ro.TimelyInstances),
		tickStop: make(chan struct{}), tickDone: make(chan struct{})}
	p.active.Store(a)
	go p.ticker(a, a.tickStop, a.tickDone)
	// Published first: jobs whose time passed fire as soon as the scheduler starts.
	if err := p.startOnceJobs(func(key string) bool {
		cur := p.active.Load()
		return cur != nil && cur.bg.fired(key)
	}); err != nil {
		// Reminders still come, from the users' rounds, only later.
		p.API.LogError("the one-off job scheduler did not start; notifications come with the rounds", "error", err.Error())
	}
	return nil
}

// cacheDir is where wazero keeps compiled code between activations: the plugin's folder in
// the server's data directory when the server has one (filestore, local driver), else a
// folder of the user's cache. Empty if neither can be created.
func (p *Plugin) cacheDir() string {
	var candidates []string
	if cfg := p.API.GetConfig(); cfg != nil && cfg.FileSettings.DriverName != nil &&
		*cfg.FileSettings.DriverName == model.ImageDriverLocal && cfg.FileSettings.Directory != nil {
		candidates = append(candidates, filepath.Join(*cfg.FileSettings.Directory, "plugins", "yandex-calendar", "wazero-cache"))
	}
	if d, err := os.UserCacheDir(); err == nil {
		candidates = append(candidates, filepath.Join(d, "mattermost-yandex-calendar", "wazero-cache"))
	}
	for _, dir := range candidates {
		if abs, err := filepath.Abs(dir); err == nil && os.MkdirAll(abs, 0o700) == nil {
			return abs
		}
	}
	return ""
}

// ensureEncryptionKey returns the saved settings, after generating and saving an
// encryption key if the admin has none: the component never runs with an empty key.
func (p *Plugin) ensureEncryptionKey() (wit.PluginConfig, error) {
	raw := p.API.GetPluginConfig()
	saved, err := savedConfig(raw)
	if err != nil {
		return saved, err
	}
	if strings.TrimSpace(saved.EncryptionKey) != "" {
		return saved, nil
	}
	key, err := newEncryptionKey()
	if err != nil {
		return saved, fmt.Errorf("generating the encryption key: %w", err)
	}
	if appErr := p.API.SavePluginConfig(withSetting(raw, keyEncryptionKey, key)); appErr != nil {
		return saved, fmt.Errorf("saving the generated encryption key: %w", appErr)
	}
	p.API.LogInfo("generated the encryption key")
	saved.EncryptionKey = key
	return saved, nil
}

// setConfiguration makes cfg current and points outbound HTTP at its CalDAV server.
func (p *Plugin) setConfiguration(cfg *configuration) error {
	if err := p.egress.setSettings(cfg.settings); err != nil {
		return err
	}
	p.config.Store(cfg)
	return nil
}

func (p *Plugin) OnDeactivate() error {
	a := p.active.Swap(nil)
	if a == nil {
		return nil
	}
	close(a.tickStop)
	<-a.tickDone
	a.bg.close()
	// Let the rounds in flight end, so they give their users' leases back.
	if !a.bg.drain(drainTimeout) {
		p.API.LogWarn("background calls still running at deactivation are cut short")
	}
	p.leave(a)
	ctx := context.Background()
	err := a.runtime.Deactivate(ctx)
	_ = a.runtime.Close(ctx)
	return err
}

// ConfigurationWillBeSaved checks the plugin's settings before any configuration is saved
// (System Console, the config API): a refusal is shown to the admin and nothing is saved.
// The component is asked only when the plugin's own settings changed.
func (p *Plugin) ConfigurationWillBeSaved(newCfg *model.Config) (_ *model.Config, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("checking the settings panicked: %v", r)
		}
	}()
	a := p.active.Load()
	if a == nil || newCfg == nil {
		return nil, nil // not running (or activating): activation checks the settings itself
	}
	raw := newCfg.PluginSettings.Plugins[a.id]
	saved, err := savedConfig(raw)
	if err != nil {
		return nil, refusal(err.Error())
	}
	cur := p.configuration()
	if masked(saved.EncryptionKey) {
		saved.EncryptionKey = cur.saved.EncryptionKey // the server restores what it masked
	}
	var out *model.Config
	if strings.TrimSpace(saved.EncryptionKey) == "" {
		// Never save an empty key: fill in a new one (as activation does).
		key, err := newEncryptionKey()
		if err != nil {
			return nil, err
		}
		saved.EncryptionKey = key
		out = newCfg.Clone()
		out.PluginSettings.Plugins[a.id] = withSetting(raw, keyEncryptionKey, key)
	}
	if sameSaved(saved, cur.saved) {
		return out, nil
	}
	if _, err := a.runtime.CheckConfig(context.Background(), saved); err != nil {
		var refused *component.ErrRefused
		if errors.As(err, &refused) {
			return nil, refusal(refused.Reason)
		}
		return nil, err
	}
	return out, nil
}

// refusal is the error System Console shows the admin: the server passes a *model.AppError
// from this hook through as it is (any other error becomes a generic "error running the
// plugin hook"), and the text is already in English and Russian, so it is not translated.
func refusal(reason string) *model.AppError {
	return &model.AppError{Id: "plugin.yandex_calendar.settings_refused", Message: reason,
		Where: "ConfigurationWillBeSaved", StatusCode: http.StatusBadRequest, SkipTranslation: true}
}

// OnConfigurationChange takes the saved settings. They were checked before saving; settings
// changed another way (config file, another node's old version) are checked here, and bad
// ones are logged and ignored: the plugin keeps running with what it had.
func (p *Plugin) OnConfigurationChange() error {
	defer p.recovered("OnConfigurationChange")
	a := p.active.Load()
	if a == nil {
		return nil // OnActivate reads the settings
	}
	saved, err := savedConfig(p.API.GetPluginConfig())
	if err != nil {
		return err
	}
	p.configMu.Lock()
	defer p.configMu.Unlock()
	if sameSaved(saved, p.configuration().saved) {
		return nil
	}
	settings, err := a.runtime.CheckConfig(context.Background(), saved)
	if err != nil {
		return fmt.Errorf("settings not applied: %w", err)
	}
	return p.setConfiguration(&configuration{saved: saved, settings: settings})
}

func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (resp *model.CommandResponse, appErr *model.AppError) {
	failed := &model.CommandResponse{
		ResponseType: model.CommandResponseTypeEphemeral,
		Text:         "Yandex Calendar could not run this command; please try again. · Не удалось выполнить команду, попробуйте ещё раз.",
	}
	defer func() {
		if r := recover(); r != nil {
			p.API.LogError("panic in ExecuteCommand", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			resp, appErr = failed, nil
		}
	}()
	a := p.active.Load()
	if a == nil {
		return nil, model.NewAppError("ExecuteCommand", "plugin.yandex_calendar.not_ready", nil, "plugin is not active", http.StatusServiceUnavailable)
	}
	out, err := a.runtime.ExecuteCommand(context.Background(), wit.CommandArgs{
		UserID:    args.UserId,
		ChannelID: args.ChannelId,
		TeamID:    args.TeamId,
		RootID:    args.RootId,
		TriggerID: args.TriggerId,
		Command:   args.Command,
		SiteURL:   args.SiteURL,
	})
	if err != nil {
		p.API.LogError("execute-command failed", "error", err.Error())
		return failed, nil
	}
	resp = &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: out.Text}
	if out.ResponseType == wit.ResponseInChannel {
		resp.ResponseType = model.CommandResponseTypeInChannel
	}
	h := &mmHost{p: p, id: a.id}
	for _, at := range out.Attachments {
		att, bad := h.toAttachment(at)
		if bad != nil {
			p.API.LogError("execute-command answered a button the host refuses", "error", bad.Message)
			return failed, nil
		}
		resp.Attachments = append(resp.Attachments, att)
	}
	return resp, nil
}

var requestMethods = map[string]wit.RequestMethod{
	http.MethodGet: wit.RequestGet, http.MethodPost: wit.RequestPost,
	http.MethodPut: wit.RequestPut, http.MethodDelete: wit.RequestDelete,
}

// Request headers never passed to the component: the user's credentials for Mattermost.
var strippedHeaders = map[string]bool{"Cookie": true, "Authorization": true, "X-Csrf-Token": true}

// ServeHTTP passes dialog submissions, button clicks and webapp calls to the component. Who
// is calling comes only from the Mattermost-User-Id header, which the server sets; a
// request without it reaches only the public routes.
func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	defer func() {
		if rec := recover(); rec != nil {
			p.API.LogError("panic in ServeHTTP", "path", r.URL.Path, "panic", fmt.Sprint(rec), "stack", string(debug.Stack()))
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	method, ok := requestMethods[r.Method]
	if !ok {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if p.serveProbe(w, r) {
		return
	}
	uid := r.Header.Get("Mattermost-User-Id")
	if uid == "" && !strings.HasPrefix(r.URL.Path, publicPrefix) {
		http.Error(w, "not signed in", http.StatusUnauthorized)
		return
	}
	a := p.active.Load()
	if a == nil {
		http.Error(w, "plugin is not active", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil || len(body) > maxRequestBody {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	// Any client chooses the path and headers: invalid UTF-8 becomes U+FFFD here, as WIT
	// strings must be UTF-8.
	req := wit.PluginRequest{Method: method, Path: validUTF8(r.URL.Path), Query: validUTF8(r.URL.RawQuery), Body: body}
	for name, values := range r.Header {
		if strippedHeaders[http.CanonicalHeaderKey(name)] {
			continue
		}
		for _, v := range values {
			req.Headers = append(req.Headers, wit.Header{Name: validUTF8(name), Value: validUTF8(v)})
		}
	}
	if uid != "" {
		req.UserID = &uid
	}
	resp, err := a.runtime.ServeHTTP(r.Context(), req)
	if err != nil {
		p.API.LogError("serve-http failed", "path", r.URL.Path, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.writeResponse(w, r.URL.Path, resp)
}

// writeResponse sends the component's answer: a status of 200–599 (else 500), without
// Set-Cookie or headers that are not valid HTTP.
func (p *Plugin) writeResponse(w http.ResponseWriter, path string, resp wit.PluginResponse) {
	if resp.Status < 200 || resp.Status > 599 {
		p.API.LogError("serve-http answered an invalid status", "path", path, "status", fmt.Sprint(resp.Status))
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	for _, h := range resp.Headers {
		if !httpguts.ValidHeaderFieldName(h.Name) || !httpguts.ValidHeaderFieldValue(h.Value) ||
			http.CanonicalHeaderKey(h.Name) == "Set-Cookie" {
			p.API.LogWarn("serve-http: dropped a response header", "name", h.Name)
			continue
		}
		w.Header().Add(h.Name, h.Value)
	}
	w.WriteHeader(int(resp.Status))
	_, _ = w.Write(resp.Body)
}

func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }
