package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/shared/mlog"

	"github.com/ycal/yandex-calendar/tests/scale/davstub"
	"github.com/ycal/yandex-calendar/tests/scale/fakemm"
)

// post is a bot post as the benchmark reads it.
type post struct {
	user    int
	kind    string // ycal_kind: reminder, digest, changes, answers …
	meeting string // ycal_meeting: uid or uid|recurrence-id
	message string
	at      int64 // CreateAt, ms
}

type kvCounts struct {
	reads, writes, cas, quietWrites int64
	byKind                          map[string]int64
}

// target is where the plugin runs.
type target interface {
	pluginPID() int
	// setupUser connects user u through the connect dialog and turns notifications on
	// through the notifications dialog; the answer comes after the user's first round.
	setupUser(u int) error
	posts(since int64) ([]post, error)
	// kv is the KV traffic since resetKV; false when the target cannot count it.
	kv() (kvCounts, bool)
	resetKV()
	// serverPIDs are other processes whose CPU belongs to the run (Mattermost, PostgreSQL).
	serverPIDs() map[string][]int
	instances() string
	close()
}

// double: the real plugin executable (from the bundle), started and driven by the plugin
// package's Environment as Mattermost does, over the real RPC, against fakemm.API.
type double struct {
	o     options
	w     davstub.World
	dir   string
	id    string
	api   *fakemm.API
	env   *plugin.Environment
	hooks plugin.Hooks
	pid   int
}

func newDouble(o options, caldav string, w davstub.World) (*double, error) {
	dir, err := os.MkdirTemp("", "ycal-scale-")
	if err != nil {
		return nil, err
	}
	d := &double{o: o, w: w, dir: dir}
	plugins := filepath.Join(dir, "plugins")
	id, err := unpackBundle(o.bundle, plugins)
	if err != nil {
		return nil, err
	}
	d.id = id
	d.api = fakemm.New(filepath.Join(plugins, id), map[string]any{
		"caldavurl": caldav, "syncintervalminutes": float64(1), "reminderleadminutes": float64(o.lead),
		"allowedhosts": "", "encryptionkey": "",
	})
	if o.latency == "zero" {
		d.api.Latency = fakemm.Latency{}
	}
	d.api.QuietUser = func(id string) bool {
		u, ok := userOf(id)
		return ok && w.Quiet(u)
	}
	d.api.Logf = func(format string, args ...any) {
		if verbose {
			logf(format, args...)
		}
	}
	for u := range o.users {
		d.api.AddUser(benchUser(w, u))
	}
	logger, err := mlog.NewLogger()
	if err != nil {
		return nil, err
	}
	d.env, err = plugin.NewEnvironment(func(*model.Manifest) plugin.API { return d.api }, nil, plugins,
		filepath.Join(dir, "client"), logger, nil)
	if err != nil {
		return nil, err
	}
	if _, _, err := d.env.Activate(id); err != nil {
		return nil, fmt.Errorf("activating the plugin: %w", err)
	}
	if d.hooks, err = d.env.HooksForPlugin(id); err != nil {
		return nil, err
	}
	if d.pid, err = findProcess("plugin-linux-amd64", os.Getpid()); err != nil {
		return nil, err
	}
	return d, nil
}

var verbose = os.Getenv("SCALEBENCH_VERBOSE") != ""

// benchUser is user u as Mattermost knows it: mostly Russian, in the world's timezone.
func benchUser(w davstub.World, u int) *model.User {
	locale := "ru"
	if u%5 == 4 {
		locale = "en"
	}
	id := userID(u)
	return &model.User{Id: id, Username: fmt.Sprintf("user%06d", u), Email: davstub.Login(u), Locale: locale,
		Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": w.TZ(u)}}
}

// dialogs are the two submissions that set a user up.
func dialogs(w davstub.World, o options, u int) [2]map[string]any {
	digest := w.Digest(u)
	if w.Quiet(u) {
		digest = "off"
	}
	return [2]map[string]any{
		{"login": davstub.Login(u), "password": w.Password, "timezone": ""},
		{"digest": digest, "digest_days": "every_day", "digest_empty": true, "reminder": strconv.Itoa(o.lead),
			"status": true, "changes": true, "answers": true},
	}
}

func (d *double) setupUser(u int) error {
	subs := dialogs(d.w, d.o, u)
	for i, path := range []string{"/dialog/connect", "/dialog/notifications"} {
		body, _ := json.Marshal(map[string]any{"callback_id": "x", "state": strings.TrimPrefix(path, "/dialog/"),
			"channel_id": "", "submission": subs[i]})
		rec := httptest.NewRecorder()
		r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		r.Header.Set("Mattermost-User-Id", userID(u))
		d.hooks.ServeHTTP(&plugin.Context{}, rec, r)
		if rec.Code != http.StatusOK || strings.Contains(rec.Body.String(), `"error`) {
			return fmt.Errorf("%s for user %d: %d %s", path, u, rec.Code, rec.Body.String())
		}
	}
	return nil
}

func (d *double) pluginPID() int { return d.pid }

func (d *double) posts(since int64) ([]post, error) {
	var out []post
	for _, p := range d.api.Posts(since) {
		u, ok := userOfChannel(p.ChannelId)
		if !ok {
			continue
		}
		out = append(out, post{user: u, kind: fmt.Sprint(p.GetProp("ycal_kind")), meeting: fmt.Sprint(p.GetProp("ycal_meeting")),
			message: p.Message, at: p.CreateAt})
	}
	return out, nil
}

func userOfChannel(ch string) (int, bool) {
	// fakemm.DMChannel: "dm" + the id without its first two characters ("u0").
	return userOf("u0" + strings.TrimPrefix(ch, "dm"))
}

func (d *double) kv() (kvCounts, bool) {
	c := d.api.Counts()
	return kvCounts{reads: c.KVReads, writes: c.KVWrites, cas: c.KVCAS, quietWrites: c.QuietWrites, byKind: c.WritesByKind}, true
}

func (d *double) resetKV() { d.api.ResetCounts() }

func (d *double) serverPIDs() map[string][]int { return map[string][]int{"harness": {os.Getpid()}} }

func (d *double) instances() string {
	keys, raw, stored := d.api.KVSize()
	pool, peak := d.api.Pool()
	return fmt.Sprintf("wasm instances: peak %d (last report: %s); KV %d keys, %.0f MB (%.0f MB kept compressed)",
		peak, pool, keys, float64(raw)/1e6, float64(stored)/1e6)
}

func (d *double) close() {
	if d.env != nil {
		d.env.Shutdown()
	}
	if !d.o.keep {
		_ = os.RemoveAll(d.dir)
	}
}

// unpackBundle extracts the bundle into dir (its top folder is the plugin id).
func unpackBundle(bundle, dir string) (string, error) {
	f, err := os.Open(bundle)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return "", err
	}
	tr := tar.NewReader(gz)
	id := ""
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		name := filepath.Clean(strings.TrimPrefix(h.Name, "./"))
		if strings.HasPrefix(name, "..") || filepath.IsAbs(name) {
			return "", fmt.Errorf("bad path in the bundle: %s", h.Name)
		}
		if top, _, _ := strings.Cut(name, "/"); id == "" && top != "." {
			id = top
		}
		p := filepath.Join(dir, name)
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(p, 0o755); err != nil {
				return "", err
			}
		case tar.TypeReg:
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return "", err
			}
			data, err := io.ReadAll(tr)
			if err != nil {
				return "", err
			}
			if err := os.WriteFile(p, data, os.FileMode(h.Mode)|0o600); err != nil {
				return "", err
			}
		}
	}
	if id == "" {
		return "", errors.New("empty bundle")
	}
	return id, nil
}
