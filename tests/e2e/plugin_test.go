package e2e

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

const (
	botUsername   = "yandex-calendar"
	infoCommand   = "/yandex_calendar info"
	englishMarker = "Meetings today"
	russianMarker = "Встречи на сегодня"
)

// world is what the setup made: an admin, a normal user, a team and a channel.
type world struct {
	admin, user         *client
	adminUser, userUser *user
	teamID, channelID   string
}

var (
	theWorld  *world
	worldOnce sync.Once
)

// setup makes the world once per run: the first user created is the system admin.
func setup(t *testing.T) *world {
	t.Helper()
	noteStamp()
	worldOnce.Do(func() { theWorld = makeWorld(t) })
	if theWorld == nil {
		t.Fatal("setup failed earlier")
	}
	return theWorld
}

func makeWorld(t *testing.T) *world {
	t.Helper()
	w := &world{admin: newClient(env.url), user: newClient(env.url)}
	const pw = "Passw0rd!-e2e-long"
	suffix := fmt.Sprint(time.Now().UnixNano() % 1_000_000)

	// The first user created on a fresh server is a system admin.
	var admin user
	must(t, w.admin.do("POST", "/users", map[string]string{
		"email": "admin" + suffix + "@example.com", "username": "admin" + suffix, "password": pw,
	}, &admin))
	var err error
	w.adminUser, err = w.admin.login(admin.Username, pw)
	must(t, err)
	if !strings.Contains(w.adminUser.Roles, "system_admin") {
		t.Fatalf("first user is not a system admin: roles %q", w.adminUser.Roles)
	}

	var u user
	must(t, w.admin.do("POST", "/users", map[string]string{
		"email": "user" + suffix + "@example.com", "username": "user" + suffix, "password": pw,
		"first_name": "Ivan", "last_name": "Petrov",
	}, &u))
	w.userUser, err = w.user.login(u.Username, pw)
	must(t, err)

	var team struct {
		ID string `json:"id"`
	}
	must(t, w.admin.do("POST", "/teams", map[string]string{
		"name": "e2e" + suffix, "display_name": "E2E " + suffix, "type": "O",
	}, &team))
	w.teamID = team.ID
	must(t, w.admin.do("POST", "/teams/"+team.ID+"/members", map[string]string{
		"team_id": team.ID, "user_id": u.ID,
	}, nil))

	var ch struct {
		ID string `json:"id"`
	}
	must(t, w.admin.do("POST", "/channels", map[string]string{
		"team_id": team.ID, "name": "meetings" + suffix, "display_name": "Meetings", "type": "O",
	}, &ch))
	w.channelID = ch.ID
	must(t, w.admin.do("POST", "/channels/"+ch.ID+"/members", map[string]string{"user_id": u.ID}, nil))
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// installPlugin uploads, enables and waits for the plugin to run.
func installPlugin(t *testing.T, w *world) {
	t.Helper()
	installBundle(t, w, env.bundle)
}

func installBundle(t *testing.T, w *world, bundle string) {
	t.Helper()
	m, err := w.admin.uploadPlugin(bundle)
	must(t, err)
	if m.ID != env.pluginID {
		t.Fatalf("uploaded plugin id %q, plugin.json says %q", m.ID, env.pluginID)
	}
	t.Logf("uploaded %s %s", m.ID, m.Version)
	must(t, w.admin.do("POST", "/plugins/"+m.ID+"/enable", nil, nil))

	deadline := time.Now().Add(90 * time.Second)
	var last pluginStatus
	for time.Now().Before(deadline) {
		var sts []pluginStatus
		must(t, w.admin.do("GET", "/plugins/statuses", nil, &sts))
		for _, s := range sts {
			if s.PluginID == m.ID {
				last = s
			}
		}
		switch last.State {
		case pluginStateRunning:
			t.Logf("plugin %s is running", m.ID)
			return
		case pluginStateFailedToStart, pluginStateFailedToStayRunning:
			t.Fatalf("plugin %s failed (state %d): %s", m.ID, last.State, last.Error)
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("plugin %s not running after 90s: last status %+v", m.ID, last)
}

func (w *world) execute(t *testing.T, c *client, command string) *commandResponse {
	t.Helper()
	var r commandResponse
	err := c.do("POST", "/commands/execute", map[string]string{
		"channel_id": w.channelID, "team_id": w.teamID, "command": command,
	}, &r)
	must(t, err)
	return &r
}

func TestPlugin(t *testing.T) {
	w := setup(t)
	installPlugin(t, w)

	t.Run("InfoEnglish", func(t *testing.T) {
		r := w.execute(t, w.user, infoCommand)
		if !strings.Contains(r.allText(), englishMarker) {
			t.Fatalf("%s answered %q; want it to contain %q", infoCommand, r.allText(), englishMarker)
		}
	})

	t.Run("InfoRussian", func(t *testing.T) {
		var u user
		must(t, w.user.do("PUT", "/users/"+w.userUser.ID+"/patch", map[string]string{"locale": "ru"}, &u))
		if u.Locale != "ru" {
			t.Fatalf("locale after patch: %q", u.Locale)
		}
		r := w.execute(t, w.user, infoCommand)
		if !strings.Contains(r.allText(), russianMarker) {
			t.Fatalf("%s answered %q; want it to contain %q", infoCommand, r.allText(), russianMarker)
		}
	})

	t.Run("BotAccount", func(t *testing.T) {
		// The plugin may create its bot in OnActivate, just after it reports running.
		var found *bot
		for i := 0; i < 20 && found == nil; i++ {
			var bots []bot
			must(t, w.admin.do("GET", "/bots?per_page=200&include_deleted=true", nil, &bots))
			for _, b := range bots {
				if b.Username == botUsername {
					b := b
					found = &b
				}
			}
			if found == nil {
				time.Sleep(250 * time.Millisecond)
			}
		}
		if found == nil {
			t.Fatalf("no bot %q", botUsername)
		}
		if found.DeleteAt != 0 {
			t.Errorf("bot %q is deactivated", botUsername)
		}
		if found.OwnerID != env.pluginID {
			t.Errorf("bot %q owner is %q; want the plugin %q", botUsername, found.OwnerID, env.pluginID)
		}
	})

	// 3: the server holds a generated key; the config API never shows it.
	t.Run("EncryptionKeyGeneratedAndMasked", func(t *testing.T) {
		key, _ := pluginSettingsOnDisk(t)["encryptionkey"].(string)
		if len(key) < 40 {
			t.Fatalf("encryption key on the server: %q", key)
		}
		shown, _ := pluginSettings(t, w)["encryptionkey"].(string)
		if shown == key {
			if !versionLess(env.vars["MM_VERSION"], "10.0.0") {
				t.Fatalf("GET /api/v4/config shows the encryption key")
			}
			t.Logf("Mattermost %s does not know secret plugin settings: the key shows to system admins", env.vars["MM_VERSION"])
		} else if shown != "********************************" {
			t.Fatalf("GET /api/v4/config shows %q for the key", shown)
		}
	})

	// 1: bad settings are refused when saved, with the reason, and nothing changes.
	t.Run("BadSettingsRefusedWhenSaved", func(t *testing.T) {
		before := pluginSettings(t, w)["caldavurl"]
		err := saveSettings(t, w, map[string]any{"caldavurl": "caldav.yandex.ru"})
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status < 400 || !strings.Contains(ae.Body, "https://") ||
			!strings.Contains(ae.Body, "Адрес CalDAV-сервера") {
			t.Fatalf("saving a bad CalDAV URL: %v", err)
		}
		if got := pluginSettings(t, w)["caldavurl"]; got != before {
			t.Fatalf("CalDAV URL after a refused save: %v (was %v)", got, before)
		}
		if err := saveSettings(t, w, map[string]any{"reminderleadminutes": 0}); err != nil {
			t.Fatalf("saving a lead time of 0: %v", err)
		}
		if got := pluginSettings(t, w)["reminderleadminutes"]; got != float64(0) {
			t.Fatalf("lead time after saving 0: %v", got)
		}
	})

	t.Run("NormalUserCannotManagePlugins", func(t *testing.T) {
		// Sanity of the harness: a normal user may not manage plugins.
		err := w.user.do("POST", "/plugins/"+env.pluginID+"/disable", nil, nil)
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
			t.Fatalf("normal user disabling the plugin: %v; want HTTP 403", err)
		}
	})
}

// pluginSettings is the plugin's section of GET /api/v4/config, as an admin sees it.
func pluginSettings(t *testing.T, w *world) map[string]any {
	t.Helper()
	var cfg map[string]any
	must(t, w.admin.do("GET", "/config", nil, &cfg))
	return section(cfg)
}

func section(cfg map[string]any) map[string]any {
	ps, _ := cfg["PluginSettings"].(map[string]any)
	plugins, _ := ps["Plugins"].(map[string]any)
	mine, _ := plugins[env.pluginID].(map[string]any)
	return mine
}

// pluginSettingsOnDisk is the plugin's section of the server's config.json.
func pluginSettingsOnDisk(t *testing.T) map[string]any {
	t.Helper()
	data, err := os.ReadFile(env.vars["MM_CONFIG"])
	if err != nil {
		t.Fatal(err)
	}
	var cfg map[string]any
	must(t, json.Unmarshal(data, &cfg))
	return section(cfg)
}

// saveSettings saves the whole configuration as System Console does, with changes to the
// plugin's settings.
func saveSettings(t *testing.T, w *world, changes map[string]any) error {
	t.Helper()
	var cfg map[string]any
	must(t, w.admin.do("GET", "/config", nil, &cfg))
	mine := section(cfg)
	for k, v := range changes {
		mine[k] = v
	}
	return w.admin.do("PUT", "/config", cfg, nil)
}

// probe calls one import through the test bundle's /probe route as user c and returns the
// component's rendering of the answer.
func probe(t *testing.T, c *client, call any) string {
	t.Helper()
	body, _ := json.Marshal(call)
	req, err := http.NewRequest(http.MethodPost, c.base+"/plugins/"+env.pluginID+"/probe/call-import", strings.NewReader(string(body)))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("probe %s: HTTP %d: %s", body, resp.StatusCode, sb.String())
	}
	return sb.String()
}

// TestHostEdges installs the test bundle (the same plugin with the ABI probes) and drives
// the host's edges on the real server through its /probe route.
func TestHostEdges(t *testing.T) {
	if env.probeBundle == "" {
		t.Skip("YCAL_PROBE_BUNDLE not set (make e2e builds it)")
	}
	w := setup(t)
	caldav := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(207) }))
	defer caldav.Close()
	other := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(200) }))
	defer other.Close()
	installBundle(t, w, env.probeBundle)
	// Tests after this one get the shipped plugin back.
	t.Cleanup(func() { installPlugin(t, w) })
	// The admin points the plugin at a CalDAV server on this machine.
	must(t, saveSettings(t, w, map[string]any{"caldavurl": caldav.URL + "/dav/", "reminderleadminutes": 10}))
	time.Sleep(500 * time.Millisecond) // the plugin applies saved settings asynchronously

	// 18: an empty value would be stored as nil (deleted) by the server: it is refused, and
	// what is stored stays.
	t.Run("KVEmptyValues", func(t *testing.T) {
		for call, want := range map[string]string{
			`{"kv-set": ["e2e-k", [1]]}`:                    "Ok(())",
			`{"kv-set": ["e2e-k", []]}`:                     "Err(KvError::EmptyValue)",
			`{"kv-set-with-expiry": ["e2e-k", [], 60]}`:     "Err(KvError::EmptyValue)",
			`{"kv-compare-and-set": ["e2e-k", [], [2]]}`:    "Err(KvError::EmptyValue)",
			`{"kv-compare-and-set": ["e2e-new", null, []]}`: "Err(KvError::EmptyValue)",
		} {
			var v any
			must(t, json.Unmarshal([]byte(call), &v))
			if got := probe(t, w.user, v); got != want {
				t.Errorf("%s: %s, want %s", call, got, want)
			}
		}
		if got := probe(t, w.user, map[string]any{"kv-get": "e2e-k"}); got != "Ok(Some([1]))" {
			t.Errorf("after the refused writes: %s", got)
		}
		if got := probe(t, w.user, map[string]any{"kv-compare-and-set": []any{"e2e-k", []int{1}, []int{2}}}); got != "Ok(true)" {
			t.Errorf("compare-and-set 1 → 2: %s", got)
		}
		if got := probe(t, w.user, map[string]any{"kv-compare-and-set": []any{"e2e-k", []int{1}, []int{3}}}); got != "Ok(false)" {
			t.Errorf("compare-and-set from a stale value: %s", got)
		}
		if got := probe(t, w.user, map[string]any{"kv-get": "e2e-new"}); got != "Ok(None)" {
			t.Errorf("e2e-new: %s", got)
		}
	})

	// Claims: compare-and-set with an expiry on the real store; an expired claim counts as
	// absent. One-off jobs: kept in KV by Mattermost's job-once scheduler until they fire.
	t.Run("ClaimsAndOneOffJobs", func(t *testing.T) {
		claim := map[string]any{"kv-compare-and-set-with-expiry": []any{"e2e-claim", nil, []int{1}, 2}}
		if got := probe(t, w.user, claim); got != "Ok(true)" {
			t.Fatalf("first claim: %s", got)
		}
		if got := probe(t, w.user, claim); got != "Ok(false)" {
			t.Fatalf("second claim: %s", got)
		}
		time.Sleep(3 * time.Second)
		if got := probe(t, w.user, claim); got != "Ok(true)" {
			t.Fatalf("claim after the expiry: %s", got)
		}
		if got := probe(t, w.user, map[string]any{"kv-compare-and-set-with-expiry": []any{"e2e-claim", []int{1}, []int{2}, 60}}); got != "Ok(true)" {
			t.Fatalf("recording in a claim: %s", got)
		}
		stored := func(key string) string {
			return sql(t, fmt.Sprintf("SELECT count(*) FROM pluginkeyvaluestore WHERE pluginid = '%s' AND pkey = 'once_%s'", env.pluginID, key))
		}
		key, other := "v1/j/e2eedges/1", "v1/j/e2eedges/2"
		at := time.Now().Add(2 * time.Second).UnixMilli()
		if got := probe(t, w.user, map[string]any{"schedule-once": []any{key, at}}); got != "Ok(true)" {
			t.Fatalf("schedule-once: %s", got)
		}
		if got := probe(t, w.user, map[string]any{"schedule-once": []any{key, at}}); got != "Ok(false)" {
			t.Fatalf("schedule-once again: %s", got)
		}
		if got := probe(t, w.user, map[string]any{"schedule-once": []any{other, at + 3_600_000}}); got != "Ok(true)" {
			t.Fatalf("schedule-once: %s", got)
		}
		if stored(key) != "1" || stored(other) != "1" {
			t.Fatal("the jobs are not kept in KV")
		}
		probe(t, w.user, map[string]any{"cancel-job": other})
		if stored(other) != "0" {
			t.Fatal("a cancelled job stays in KV")
		}
		for deadline := time.Now().Add(15 * time.Second); stored(key) != "0"; time.Sleep(200 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatal("the job did not fire")
			}
		}
	})

	post := func(url string) map[string]any {
		return map[string]any{"message": "Планёрка через 10 минут", "props": []any{}, "attachments": []any{map[string]any{
			"fallback": "", "color": "", "pretext": "", "title": "Планёрка", "title-link": "https://telemost.yandex.ru/j/1",
			"text": "", "fields": []any{}, "footer": "",
			"actions": []any{map[string]any{"id": "join", "label": "Join", "style": "primary", "url": url, "context": []any{}}},
		}}}
	}

	// 7: a button with an absolute URL is refused; a plugin-relative one is stored below
	// the plugin's route, where Mattermost posts the click.
	t.Run("ButtonsPostToThePlugin", func(t *testing.T) {
		got := probe(t, w.user, map[string]any{"dm-post": []any{w.userUser.ID, post("https://telemost.yandex.ru/j/1")}})
		if !strings.Contains(got, "status: 400") {
			t.Fatalf("a button to telemost.yandex.ru: %s", got)
		}
		got = probe(t, w.user, map[string]any{"dm-post": []any{w.userUser.ID, post("/actions/join")}})
		id := strings.TrimSuffix(strings.TrimPrefix(got, `Ok("`), `")`)
		if id == got {
			t.Fatalf("dm-post: %s", got)
		}
		// The API hides integrations from clients: read what the server stored.
		var p struct {
			Attachments []struct {
				Actions []struct {
					Integration struct {
						URL string `json:"url"`
					} `json:"integration"`
				} `json:"actions"`
			} `json:"attachments"`
		}
		must(t, json.Unmarshal([]byte(sql(t, "SELECT props FROM posts WHERE id = '"+id+"'")), &p))
		if len(p.Attachments) != 1 || len(p.Attachments[0].Actions) != 1 ||
			p.Attachments[0].Actions[0].Integration.URL != "/plugins/"+env.pluginID+"/actions/join" {
			t.Fatalf("stored post: %+v", p)
		}
	})

	// 8: the component edits and deletes only the bot's posts.
	t.Run("OnlyTheBotsPosts", func(t *testing.T) {
		var mine struct {
			ID string `json:"id"`
		}
		must(t, w.user.do("POST", "/posts", map[string]string{"channel_id": w.channelID, "message": "моё"}, &mine))
		for _, call := range []map[string]any{
			{"update-post": []any{mine.ID, post("/actions/x")}},
			{"delete-post": mine.ID},
		} {
			if got := probe(t, w.user, call); !strings.Contains(got, "status: 403") {
				t.Errorf("%v: %s", call, got)
			}
		}
		var after struct {
			Message  string `json:"message"`
			DeleteAt int64  `json:"delete_at"`
		}
		must(t, w.user.do("GET", "/posts/"+mine.ID, nil, &after))
		if after.Message != "моё" || after.DeleteAt != 0 {
			t.Fatalf("the user's post changed: %+v", after)
		}
	})

	// 9: the configured CalDAV server is reached though it is on 127.0.0.1; another local
	// server is not.
	t.Run("OutboundHTTP", func(t *testing.T) {
		req := func(url string) map[string]any {
			return map[string]any{"http-send": map[string]any{"method": "propfind", "url": url, "headers": []any{},
				"body": []any{}, "timeout-ms": 5000, "max-response-bytes": 65536}}
		}
		if got := probe(t, w.user, req(caldav.URL+"/dav/calendars/")); !strings.Contains(got, "status: 207") {
			t.Errorf("the CalDAV server: %s", got)
		}
		if got := probe(t, w.user, req(other.URL+"/")); !strings.Contains(got, "Blocked(") {
			t.Errorf("another local server: %s", got)
		}
	})
}

// sql runs one query on the test server's database and returns its single value.
func sql(t *testing.T, query string) string {
	t.Helper()
	psql, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
	if len(psql) == 0 {
		t.Fatal("no psql")
	}
	out, err := exec.Command(psql[len(psql)-1], env.vars["PG_DSN"], "-tAc", query).CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v: %s", err, out)
	}
	return strings.TrimSpace(string(out))
}
