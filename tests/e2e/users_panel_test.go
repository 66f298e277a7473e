package e2e

// The web app's Today panel in a real browser: headless Chromium (Debian's package) opens
// the harness page (tests/mmclient/harness), which loads the bundle's webapp/dist/main.js
// the way the web app does and proxies to this Mattermost, where the real plugin serves the
// panel's API. The browser part is tests/browser/panel.test.mjs (Playwright, Node's test
// runner); this test prepares the world it checks and answers its one request to act as a
// user elsewhere (submitting the connect dialog the panel's button opened).
//
// It needs /usr/bin/chromium and the npm packages of tests/browser and webapp:
// tests/browser/setup.sh installs them (make e2e runs it).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/tests/mmclient"
	"github.com/ycal/yandex-calendar/tests/mmclient/harness"
)

const (
	telemostURL = "https://telemost.yandex.ru/j/55512345678901"
	nowTitle    = "Созвон по релизу"
	nowLocation = "Переговорная «Нева»"
	nextTitle   = "Ретро спринта"
	// The next meeting starts this long after the calendar is filled.
	nextIn = 25 * time.Minute
)

// browserTools finds what the browser test runs with, or says how to get it.
func browserTools(t *testing.T, repo string) (node, chromium string) {
	t.Helper()
	chromium = os.Getenv("YCAL_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	node, err := exec.LookPath("node")
	missing := []string{}
	if err != nil {
		missing = append(missing, "node")
	}
	for _, p := range []string{chromium, filepath.Join(repo, "tests/browser/node_modules/playwright-core"),
		filepath.Join(repo, "webapp/node_modules/react/umd")} {
		if _, err := os.Stat(p); err != nil {
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the browser test needs %s: run tests/browser/setup.sh", strings.Join(missing, ", "))
	}
	return node, chromium
}

// ics is one Yandex-shaped event, times in UTC.
func ics(uid, summary string, start, end time.Time, extra ...string) string {
	lines := []string{
		"BEGIN:VCALENDAR", "PRODID:-//Yandex LLC//Yandex Calendar//EN", "VERSION:2.0", "BEGIN:VEVENT",
		"DTSTAMP:" + time.Now().UTC().Format("20060102T150405Z"), "UID:" + uid, "SUMMARY:" + summary,
		"DTSTART:" + start.UTC().Format("20060102T150405Z"), "DTEND:" + end.UTC().Format("20060102T150405Z"),
	}
	lines = append(lines, extra...)
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	return strings.Join(lines, "\r\n") + "\r\n"
}

// panelCalendar starts a Radicale with one calendar: a meeting in progress (Telemost, a
// room, a link to the event) and one starting in nextIn. Returns the base URL.
func panelCalendar(t *testing.T, now time.Time) string {
	t.Helper()
	here, _ := os.Getwd()
	servers := filepath.Join(here, "..", "servers")
	dir := filepath.Join(env.runDir, "radicale-panel")
	out, err := exec.Command("bash", filepath.Join(servers, "radicale.sh"), "start", dir).Output()
	if err != nil {
		t.Fatalf("radicale.sh start: %v", err)
	}
	t.Cleanup(func() { _ = exec.Command("bash", filepath.Join(servers, "radicale.sh"), "stop", dir).Run() })
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	url := lines[len(lines)-1]
	dav := func(stdin string, args ...string) {
		cmd := exec.Command("python3", append([]string{filepath.Join(servers, "dav.py")}, args...)...)
		cmd.Env = append(os.Environ(), "YCAL_TEST_USER="+caldavUser, "YCAL_TEST_PASSWORD="+caldavPassword)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dav.py %v: %v\n%s", args, err, out)
		}
	}
	cal := url + caldavUser + "/work/"
	dav("", "mkcal", cal, "Работа")
	start := now.Add(-20 * time.Minute).Truncate(time.Minute)
	dav(ics("panel-now", nowTitle, start, start.Add(time.Hour),
		"LOCATION:"+nowLocation, "X-TELEMOST-CONFERENCE:"+telemostURL,
		"URL:https://calendar.yandex.ru/event?event_id=777",
		"ORGANIZER;CN=Анна:mailto:anna@example.com",
		"ATTENDEE;PARTSTAT=ACCEPTED:mailto:"+caldavUser+"@example.com"), "put", cal+"panel-now.ics", "-")
	next := now.Add(nextIn).Truncate(time.Minute)
	dav(ics("panel-next", nextTitle, next, next.Add(30*time.Minute)), "put", cal+"panel-next.ics", "-")
	return url
}

// hhmm is the panel's "10:00–11:00" for a meeting within one local day, else "".
func hhmm(start, end time.Time, tz *time.Location) string {
	s, e := start.In(tz), end.In(tz)
	if s.Format("2006-01-02") != e.Format("2006-01-02") {
		return ""
	}
	return s.Format("15:04") + "–" + e.Format("15:04")
}

type browserUser struct {
	Login     string `json:"login"`
	Password  string `json:"password"`
	Locale    string `json:"locale"`
	TZ        string `json:"tz"`
	NowWhen   string `json:"now_when"`
	NextWhen  string `json:"next_when"`
	NextToday bool   `json:"next_today"`
	// The meeting in progress runs past the user's midnight (so tomorrow's page has it too).
	NowPastMidnight bool `json:"now_past_midnight"`
}

func TestPanelInTheBrowser(t *testing.T) {
	noteStamp()
	ctx := context.Background()
	here, _ := os.Getwd()
	repo := filepath.Join(here, "..", "..")
	node, chromium := browserTools(t, repo)
	api := local(t)
	ensurePlugin(t, ctx, api)

	now := time.Now()
	caldav := panelCalendar(t, now)
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	setPluginSettings(t, ctx, api, caldav, hex.EncodeToString(key))

	suffix := fmt.Sprint(time.Now().UnixNano() % 1_000_000)
	team, _, err := api.CreateTeam(ctx, &model.Team{Name: "panel" + suffix, DisplayName: "Panel " + suffix, Type: model.TeamOpen})
	must(t, err)
	ch, _, err := api.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "planning" + suffix, DisplayName: "Планирование", Type: model.ChannelTypeOpen})
	must(t, err)
	at := place{team.Id, ch.Id}
	msk, err := time.LoadLocation("Europe/Moscow")
	must(t, err)
	yekt, err := time.LoadLocation("Asia/Yekaterinburg")
	must(t, err)

	users := map[string]browserUser{}
	sessions := map[string]*mmclient.Session{}
	for _, u := range []struct {
		name, locale string
		tz           *time.Location
		connect      bool
	}{
		{"ivan", "ru", msk, true},
		{"john", "en", yekt, true},
		{"olga", "ru", msk, false},
	} {
		login := u.name + "p" + suffix
		s, _ := person(t, ctx, api, login, u.locale, u.tz.String(), team.Id, ch.Id)
		sessions[u.name] = s
		start := now.Add(-20 * time.Minute).Truncate(time.Minute)
		next := now.Add(nextIn).Truncate(time.Minute)
		users[u.name] = browserUser{
			Login: login, Password: "Passw0rd!-" + login + "-long", Locale: u.locale, TZ: u.tz.String(),
			NowWhen:   hhmm(start, start.Add(time.Hour), u.tz),
			NextWhen:  hhmm(next, next.Add(30*time.Minute), u.tz),
			NextToday: next.In(u.tz).Format("2006-01-02") == now.In(u.tz).Format("2006-01-02"),
			NowPastMidnight: start.Add(time.Hour).Add(-time.Nanosecond).In(u.tz).Format("2006-01-02") !=
				now.In(u.tz).Format("2006-01-02"),
		}
		if u.connect {
			if resp := at.connect(t, ctx, s, caldavUser, caldavPassword); resp.Error != "" || len(resp.Errors) != 0 {
				t.Fatalf("connecting %s: %+v", u.name, resp)
			}
			if _, err := s.NextPost(ctx, mmclient.Ephemeral, waitEvent); err != nil {
				t.Fatalf("no confirmation for %s: %v", u.name, err)
			}
		}
	}

	// The harness page with the bundle under test, in front of this Mattermost.
	bundle, err := harness.ReadBundle(env.bundle)
	must(t, err)
	page, err := harness.New(harness.Options{MattermostURL: env.url, PluginID: bundle.PluginID, MainJS: bundle.MainJS,
		NodeModules: filepath.Join(repo, "webapp", "node_modules")})
	must(t, err)
	site := httptest.NewServer(page)
	defer site.Close()

	// What the browser test asks of the rest of the world: Olga fills in the dialog her
	// click on "Connect" opened.
	control := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := sessions[r.URL.Query().Get("user")]
		if r.Method != http.MethodPost || r.URL.Path != "/submit-connect-dialog" || s == nil {
			http.Error(w, "unknown step", http.StatusNotFound)
			return
		}
		d, err := s.NextDialog(r.Context(), waitEvent)
		if err != nil {
			http.Error(w, "no connect dialog came: "+err.Error(), http.StatusConflict)
			return
		}
		values := mmclient.Defaults(&d.Dialog)
		values["login"], values["password"] = caldavUser, caldavPassword
		resp, err := s.SubmitDialog(r.Context(), d, at.channelID, at.teamID, values)
		if err != nil || resp.Error != "" || len(resp.Errors) != 0 {
			http.Error(w, fmt.Sprintf("dialog refused: %v %+v", err, resp), http.StatusConflict)
			return
		}
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer control.Close()

	artifacts := os.Getenv("YCAL_BROWSER_ARTIFACTS")
	if artifacts == "" {
		artifacts = filepath.Join(repo, "tests", "browser", "out")
	}
	config := map[string]any{
		"harness": site.URL, "control": control.URL, "chromium": chromium, "artifacts": artifacts,
		"team": team.Id, "channel": ch.Id, "users": users,
		"agenda_changed_event": "custom_" + bundle.PluginID + "_agenda_changed",
		"now":                  map[string]string{"title": nowTitle, "location": nowLocation, "join_url": telemostURL, "web_url": "https://calendar.yandex.ru/event?event_id=777"},
		"next":                 map[string]any{"title": nextTitle, "minutes_at_most": int(nextIn / time.Minute)},
		// Nothing is planned three weeks from now.
		"empty_day": now.In(msk).AddDate(0, 0, 21).Format("2006-01-02"),
	}
	raw, err := json.MarshalIndent(config, "", "  ")
	must(t, err)
	configFile := filepath.Join(t.TempDir(), "panel.json")
	must(t, os.WriteFile(configFile, raw, 0o600))

	run, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(run, node, "--test", "--test-reporter=spec", "--test-concurrency=1", "panel.test.mjs")
	cmd.Dir = filepath.Join(repo, "tests", "browser")
	cmd.Env = append(os.Environ(), "YCAL_PANEL_CONFIG="+configFile)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("the browser test failed (%v); screenshots in %s", err, artifacts)
	}
	t.Logf("screenshots: %s", artifacts)
}
