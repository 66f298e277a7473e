package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"

	"github.com/ycal/yandex-calendar/host-shim/component"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

const (
	botUsername    = "yandex-calendar"
	botDisplayName = "Yandex Calendar"
	tickJobKey     = "tick"
	// maxRequestBody bounds what ServeHTTP reads from a client.
	maxRequestBody = 1 << 20
)

// Plugin translates Mattermost hooks into calls of the component and performs the
// component's host calls. Everything about calendars is in the component.
type Plugin struct {
	plugin.MattermostPlugin

	wasm []byte
	now  func() time.Time

	configMu sync.RWMutex
	config   *configuration

	id      string // plugin id from the manifest, read at activation
	botID   string
	runtime *component.Runtime
	job     interface{ Close() error }
}

// defaultPluginID is plugin.json's id, used until the manifest has been read at activation.
const defaultPluginID = "ru.yandex.calendar"

func (p *Plugin) pluginID() string {
	if p.id != "" {
		return p.id
	}
	return defaultPluginID
}

// readPluginID reads the id from the installed manifest once, so action URLs built for
// every post don't ask the server and the disk again.
func (p *Plugin) readPluginID() string {
	path, err := p.API.GetBundlePath()
	if err != nil {
		return defaultPluginID
	}
	m, _, err := model.FindManifest(path)
	if err != nil || m.Id == "" {
		return defaultPluginID
	}
	return m.Id
}

func (p *Plugin) getConfiguration() *configuration {
	p.configMu.RLock()
	defer p.configMu.RUnlock()
	if p.config == nil {
		return &configuration{}
	}
	return p.config
}

// runtimeOptions reads the wasm limits from the environment, so an operator can tune them
// without a rebuild (YCAL_WASM_MEMORY_MIB, YCAL_WASM_CALL_TIMEOUT_SECONDS, YCAL_WASM_INSTANCES).
func (p *Plugin) runtimeOptions() component.Options {
	num := func(name string) int {
		v, _ := strconv.Atoi(os.Getenv(name))
		return v
	}
	return component.Options{
		MemoryLimitMiB: uint32(max(num("YCAL_WASM_MEMORY_MIB"), 0)),
		CallTimeout:    time.Duration(num("YCAL_WASM_CALL_TIMEOUT_SECONDS")) * time.Second,
		MaxInstances:   num("YCAL_WASM_INSTANCES"),
		Stderr:         logWriter{p},
	}
}

// logWriter sends what the guest writes to stderr (its panic messages) to the plugin log.
type logWriter struct{ p *Plugin }

func (w logWriter) Write(b []byte) (int, error) {
	w.p.API.LogError("component: " + string(b))
	return len(b), nil
}

func (p *Plugin) OnActivate() error {
	if p.now == nil {
		p.now = time.Now
	}
	p.id = p.readPluginID()
	cfg, err := p.readConfiguration()
	if err != nil {
		return err
	}
	p.setConfiguration(cfg)
	ctx := context.Background()
	rt, err := component.New(ctx, p.wasm, component.HostImpls(newMMHost(p)), p.runtimeOptions())
	if err != nil {
		return fmt.Errorf("load component: %w", err)
	}
	p.runtime = rt
	if err := rt.Activate(ctx); err != nil {
		return p.failActivation(fmt.Errorf("activate: %w", err))
	}
	cmd, err := rt.DescribeCommand(ctx)
	if err != nil {
		return p.failActivation(err)
	}
	// The bot's description is the component's text (both languages), like every text users read.
	client := pluginapi.NewClient(p.API, p.Driver)
	botID, err := client.Bot.EnsureBot(&model.Bot{
		Username:    botUsername,
		DisplayName: botDisplayName,
		Description: cmd.Description,
	}, pluginapi.ProfileImagePath(filepath.Join("assets", "icon.png")))
	if err != nil {
		return p.failActivation(fmt.Errorf("ensure bot: %w", err))
	}
	p.botID = botID
	if err := p.API.RegisterCommand(toModelCommand(cmd)); err != nil {
		return p.failActivation(fmt.Errorf("register command: %w", err))
	}
	job, err := cluster.Schedule(p.API, tickJobKey, cluster.MakeWaitForRoundedInterval(time.Minute), p.runTick)
	if err != nil {
		return p.failActivation(fmt.Errorf("schedule job: %w", err))
	}
	p.job = job
	return nil
}

func (p *Plugin) failActivation(err error) error {
	_ = p.runtime.Close(context.Background())
	p.runtime = nil
	return err
}

func (p *Plugin) OnDeactivate() error {
	if p.job != nil {
		_ = p.job.Close()
		p.job = nil
	}
	if p.runtime == nil {
		return nil
	}
	ctx := context.Background()
	err := p.runtime.Deactivate(ctx)
	_ = p.runtime.Close(ctx)
	p.runtime = nil
	return err
}

func (p *Plugin) readConfiguration() (*configuration, error) {
	cfg := new(configuration)
	if err := p.API.LoadPluginConfiguration(cfg); err != nil {
		return nil, fmt.Errorf("load configuration: %w", err)
	}
	return cfg, nil
}

func (p *Plugin) setConfiguration(cfg *configuration) {
	p.configMu.Lock()
	p.config = cfg
	p.configMu.Unlock()
}

// OnConfigurationChange lets the component refuse settings it cannot work with; the admin
// sees the reason and the plugin keeps running with what it had.
func (p *Plugin) OnConfigurationChange() error {
	cfg, err := p.readConfiguration()
	if err != nil {
		return err
	}
	if p.runtime != nil {
		if err := p.runtime.ConfigurationChanged(context.Background(), cfg.toWIT()); err != nil {
			return err
		}
	}
	p.setConfiguration(cfg)
	return nil
}

func (p *Plugin) ExecuteCommand(_ *plugin.Context, args *model.CommandArgs) (*model.CommandResponse, *model.AppError) {
	if p.runtime == nil {
		return nil, model.NewAppError("ExecuteCommand", "plugin.yandex_calendar.not_ready", nil, "plugin is not active", http.StatusServiceUnavailable)
	}
	resp, err := p.runtime.ExecuteCommand(context.Background(), wit.CommandArgs{
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
		return &model.CommandResponse{
			ResponseType: model.CommandResponseTypeEphemeral,
			Text:         "Yandex Calendar could not run this command; please try again. · Не удалось выполнить команду, попробуйте ещё раз.",
		}, nil
	}
	out := &model.CommandResponse{ResponseType: model.CommandResponseTypeEphemeral, Text: resp.Text}
	if resp.ResponseType == wit.ResponseInChannel {
		out.ResponseType = model.CommandResponseTypeInChannel
	}
	for _, a := range resp.Attachments {
		out.Attachments = append(out.Attachments, p.toAttachment(a))
	}
	return out, nil
}

var requestMethods = map[string]wit.RequestMethod{
	http.MethodGet: wit.RequestGet, http.MethodPost: wit.RequestPost,
	http.MethodPut: wit.RequestPut, http.MethodDelete: wit.RequestDelete,
}

// ServeHTTP passes dialog submissions, button clicks and webapp calls to the component. Who
// is calling comes only from the Mattermost-User-ID header, which the server sets.
func (p *Plugin) ServeHTTP(_ *plugin.Context, w http.ResponseWriter, r *http.Request) {
	method, ok := requestMethods[r.Method]
	if !ok {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if p.runtime == nil {
		http.Error(w, "plugin is not active", http.StatusServiceUnavailable)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody+1))
	if err != nil || len(body) > maxRequestBody {
		http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
		return
	}
	req := wit.PluginRequest{Method: method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: body}
	for name, values := range r.Header {
		for _, v := range values {
			req.Headers = append(req.Headers, wit.Header{Name: name, Value: v})
		}
	}
	if uid := r.Header.Get("Mattermost-User-ID"); uid != "" {
		req.UserID = &uid
	}
	resp, err := p.runtime.ServeHTTP(r.Context(), req)
	if err != nil {
		p.API.LogError("serve-http failed", "path", r.URL.Path, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	for _, h := range resp.Headers {
		w.Header().Add(h.Name, h.Value)
	}
	w.WriteHeader(int(resp.Status))
	_, _ = w.Write(resp.Body)
}

// runTick runs on one cluster node at a time (cluster.Schedule holds a cluster mutex).
func (p *Plugin) runTick() {
	if p.runtime == nil {
		return
	}
	if _, err := p.runtime.RunJob(context.Background(), wit.JobTick); err != nil {
		p.API.LogError("tick failed", "error", err.Error())
	}
}
