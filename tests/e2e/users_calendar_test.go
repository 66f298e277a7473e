package e2e

// Users connecting Yandex Calendar through the real dialogs, in a real Mattermost, with a
// real Radicale as the CalDAV server. The test acts as the web app does (tests/mmclient):
// the command opens the dialog (the websocket brings open_dialog with the dialog and its
// URL), the dialog is submitted through /api/v4/actions/dialogs/submit, buttons are
// pressed through /api/v4/posts/{id}/actions/{action}.
//
// Admin work (plugin settings, users, teams) goes through Mattermost's local-mode socket,
// so this test needs no admin of its own. The file sorts after plugin_test.go on purpose:
// TestPlugin relies on creating the server's first user (who becomes system admin).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/tests/mmclient"
)

const (
	caldavUser     = "user"
	caldavPassword = "secret"
	waitEvent      = 20 * time.Second
)

// radicale starts tests/servers/radicale.sh with three calendars holding one meeting each
// on `day` (Moscow time): work 10:00, home 12:00, holidays 14:00. Returns the base URL.
func radicale(t *testing.T, day time.Time) string {
	t.Helper()
	here, _ := os.Getwd()
	servers := filepath.Join(here, "..", "servers")
	dir := filepath.Join(env.runDir, "radicale")
	out, err := exec.Command("bash", filepath.Join(servers, "radicale.sh"), "start", dir).Output()
	if err != nil {
		t.Fatalf("radicale.sh start: %v", err)
	}
	t.Cleanup(func() { _ = exec.Command("bash", filepath.Join(servers, "radicale.sh"), "stop", dir).Run() })
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	url := lines[len(lines)-1]
	dav := func(args ...string) {
		cmd := exec.Command("python3", append([]string{filepath.Join(servers, "dav.py")}, args...)...)
		cmd.Env = append(os.Environ(), "YCAL_TEST_USER="+caldavUser, "YCAL_TEST_PASSWORD="+caldavPassword)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dav.py %v: %v\n%s", args, err, out)
		}
	}
	for _, c := range []struct {
		path, name, uid, summary string
		hour                     int
	}{
		{"work", "Работа", "w1", "Планёрка", 10},
		{"home", "Личное", "h1", "Стоматолог", 12},
		{"holidays", "Праздники", "x1", "Корпоратив", 14},
	} {
		cal := url + caldavUser + "/" + c.path + "/"
		dav("mkcal", cal, c.name)
		start := time.Date(day.Year(), day.Month(), day.Day(), c.hour, 0, 0, 0, day.Location()).UTC()
		dav("event", cal+c.uid+".ics", c.uid, c.summary, start.Format("20060102T150405Z"))
	}
	return url
}

// local is an admin client over Mattermost's local-mode socket.
func local(t *testing.T) *model.Client4 {
	t.Helper()
	sock := env.vars["MM_LOCAL_SOCKET"]
	if sock == "" {
		t.Skip("Mattermost local mode is off (run folder path too long for a socket)")
	}
	return model.NewAPIv4SocketClient(sock)
}

// ensurePlugin installs and enables the bundle unless it already runs (TestPlugin did it).
func ensurePlugin(t *testing.T, ctx context.Context, api *model.Client4) {
	t.Helper()
	// Local mode has no /plugins/statuses; an enabled plugin is listed as active.
	running := func() bool {
		ps, _, err := api.GetPlugins(ctx)
		if err != nil {
			return false
		}
		for _, p := range ps.Active {
			if p.Id == env.pluginID {
				return true
			}
		}
		return false
	}
	if running() {
		return
	}
	f, err := os.Open(env.bundle)
	must(t, err)
	defer f.Close()
	_, _, err = api.UploadPluginForced(ctx, f)
	must(t, err)
	_, err = api.EnablePlugin(ctx, env.pluginID)
	must(t, err)
	for deadline := time.Now().Add(90 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
		if running() {
			return
		}
	}
	t.Fatal("the plugin does not run")
}

// setPluginSettings writes the plugin's settings the way System Console saves them.
func setPluginSettings(t *testing.T, ctx context.Context, api *model.Client4, caldavURL, key string) {
	t.Helper()
	cfg, _, err := api.GetConfig(ctx)
	must(t, err)
	if cfg.PluginSettings.Plugins == nil {
		cfg.PluginSettings.Plugins = map[string]map[string]any{}
	}
	settings := cfg.PluginSettings.Plugins[env.pluginID]
	if settings == nil {
		settings = map[string]any{}
	}
	settings["caldavurl"] = caldavURL
	settings["encryptionkey"] = key
	cfg.PluginSettings.Plugins[env.pluginID] = settings
	_, _, err = api.UpdateConfig(ctx, cfg)
	must(t, err)
}

// person creates a user with a locale and a manual timezone, in the team and channel.
func person(t *testing.T, ctx context.Context, api *model.Client4, name, locale, tz, teamID, channelID string) (*mmclient.Session, string) {
	t.Helper()
	password := "Passw0rd!-" + name + "-long"
	u, _, err := api.CreateUser(ctx, &model.User{
		Username: name, Email: name + "@example.com", Password: password, Locale: locale,
	})
	must(t, err)
	_, _, err = api.AddTeamMember(ctx, teamID, u.Id)
	must(t, err)
	_, _, err = api.AddChannelMember(ctx, channelID, u.Id)
	must(t, err)
	s, err := mmclient.Login(ctx, env.url, name, password)
	must(t, err)
	t.Cleanup(s.Close)
	// As in the web app's settings: the user sets their own language and a manual timezone.
	tzMap := model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": tz, "automaticTimezone": ""}
	_, _, err = s.API.PatchUser(ctx, u.Id, &model.UserPatch{Locale: &locale, Timezone: tzMap})
	must(t, err)
	return s, u.Id
}

// pluginKeys lists the plugin's KV keys from the server's database.
func pluginKeys(t *testing.T) []string {
	t.Helper()
	psql, err := exec.LookPath("psql")
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
		if len(matches) == 0 {
			t.Fatal("no psql to list the plugin's keys")
		}
		psql = matches[0]
	}
	out, err := exec.Command(psql, env.vars["PG_DSN"], "-At", "-c",
		fmt.Sprintf("SELECT pkey FROM pluginkeyvaluestore WHERE pluginid = '%s' ORDER BY pkey", env.pluginID)).CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	return strings.Fields(string(out))
}

func withPrefix(keys []string, prefix string) []string {
	var out []string
	for _, k := range keys {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	return out
}

// place is where a user types commands.
type place struct{ teamID, channelID string }

func (p place) run(t *testing.T, ctx context.Context, s *mmclient.Session, line string) string {
	t.Helper()
	r, err := s.Command(ctx, p.channelID, line)
	must(t, err)
	return r.Text
}

// connect runs the connect command and submits the dialog it opens.
func (p place) connect(t *testing.T, ctx context.Context, s *mmclient.Session, login, password string) *model.SubmitDialogResponse {
	t.Helper()
	if text := p.run(t, ctx, s, "/yandex_calendar connect"); text != "" {
		t.Fatalf("connect answered %q; want the dialog only", text)
	}
	d, err := s.NextDialog(ctx, waitEvent)
	if err != nil {
		t.Fatalf("no open_dialog event after /yandex_calendar connect: %v", err)
	}
	if !strings.HasSuffix(d.URL, "/plugins/"+env.pluginID+"/dialog/connect") {
		t.Fatalf("dialog URL %q", d.URL)
	}
	values := mmclient.Defaults(&d.Dialog)
	values["login"], values["password"] = login, password
	resp, err := s.SubmitDialog(ctx, d, p.channelID, p.teamID, values)
	must(t, err)
	return resp
}

func TestUsersConnectAndSeeTheirMeetings(t *testing.T) {
	noteStamp()
	ctx := context.Background()
	api := local(t)
	ensurePlugin(t, ctx, api)

	msk, err := time.LoadLocation("Europe/Moscow")
	must(t, err)
	day := time.Now().In(msk)
	caldav := radicale(t, day)
	keyBytes := make([]byte, 24)
	_, _ = rand.Read(keyBytes)
	setPluginSettings(t, ctx, api, caldav, hex.EncodeToString(keyBytes))

	suffix := fmt.Sprint(time.Now().UnixNano() % 1_000_000)
	team, _, err := api.CreateTeam(ctx, &model.Team{Name: "cal" + suffix, DisplayName: "Cal " + suffix, Type: model.TeamOpen})
	must(t, err)
	ch, _, err := api.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "standup" + suffix, DisplayName: "Standup", Type: model.ChannelTypeOpen})
	must(t, err)
	here := place{team.Id, ch.Id}
	ivan, ivanID := person(t, ctx, api, "ivan"+suffix, "ru", "Europe/Moscow", team.Id, ch.Id)
	john, johnID := person(t, ctx, api, "john"+suffix, "en", "Asia/Yekaterinburg", team.Id, ch.Id)

	t.Run("BotDescribedByTheComponent", func(t *testing.T) {
		bots, _, err := api.GetBotsIncludeDeleted(ctx, 0, 200, "")
		must(t, err)
		for _, b := range bots {
			if b.Username == "yandex-calendar" {
				if !strings.Contains(b.Description, "Яндекс Календарь") || !strings.Contains(b.Description, "Yandex Calendar") {
					t.Fatalf("bot description %q: want the component's text in both languages", b.Description)
				}
				return
			}
		}
		t.Fatal("no yandex-calendar bot")
	})

	t.Run("WrongPasswordIsRefusedInTheDialog", func(t *testing.T) {
		resp := here.connect(t, ctx, ivan, caldavUser, "not-the-password")
		if !strings.Contains(resp.Errors["password"], "не принял логин или пароль") {
			t.Fatalf("dialog answer %+v; want the wrong-password message on the password field", resp)
		}
		if keys := withPrefix(pluginKeys(t), "v1/u/"+ivanID+"/"); len(keys) != 0 {
			t.Fatalf("a refused connect stored %v", keys)
		}
	})

	t.Run("ConnectAndPickTwoOfThreeCalendars", func(t *testing.T) {
		resp := here.connect(t, ctx, ivan, caldavUser, caldavPassword)
		if resp.Error != "" || len(resp.Errors) != 0 {
			t.Fatalf("connect refused: %+v", resp)
		}
		p, err := ivan.NextPost(ctx, mmclient.Ephemeral, waitEvent)
		if err != nil {
			t.Fatalf("no confirmation: %v", err)
		}
		if !strings.Contains(p.Message, "(3 из 3)") {
			t.Fatalf("confirmation %q", p.Message)
		}
		buttons := mmclient.Buttons(p)
		if len(buttons) != 1 || buttons[0].Name != "Выбрать календари" {
			t.Fatalf("buttons %+v", buttons)
		}
		must(t, ivan.Click(ctx, p, buttons[0]))
		d, err := ivan.NextDialog(ctx, waitEvent)
		if err != nil {
			t.Fatalf("the button opened no dialog: %v", err)
		}
		values := map[string]any{}
		names := []string{}
		for _, e := range d.Dialog.Elements {
			if e.Type != "bool" || e.Default != "true" {
				t.Fatalf("calendar field %+v: want a ticked checkbox", e)
			}
			names = append(names, e.DisplayName)
			values[e.Name] = e.DisplayName != "Праздники"
		}
		if len(names) != 3 {
			t.Fatalf("calendars offered: %v", names)
		}
		resp, err = ivan.SubmitDialog(ctx, d, here.channelID, here.teamID, values)
		must(t, err)
		if resp.Error != "" || len(resp.Errors) != 0 {
			t.Fatalf("calendars refused: %+v", resp)
		}
		saved, err := ivan.NextPost(ctx, mmclient.Ephemeral, waitEvent)
		if err != nil || !strings.Contains(saved.Message, "Календари сохранены") {
			t.Fatalf("after saving calendars: %v %+v", err, saved)
		}
	})

	t.Run("AgendaInRussianFromTheTwoCalendars", func(t *testing.T) {
		text := here.run(t, ctx, ivan, "/yandex_calendar date "+day.Format("02.01.2006"))
		for _, want := range []string{"10:00–11:00 **Планёрка**", "12:00–13:00 **Стоматолог**", "2 встречи", "время — Europe/Moscow"} {
			if !strings.Contains(text, want) {
				t.Errorf("agenda lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "Корпоратив") {
			t.Errorf("agenda shows the deselected calendar:\n%s", text)
		}
	})

	t.Run("AnotherTimezoneSeesItsOwnLocalTimes", func(t *testing.T) {
		resp := here.connect(t, ctx, john, caldavUser, caldavPassword)
		if resp.Error != "" || len(resp.Errors) != 0 {
			t.Fatalf("connect refused: %+v", resp)
		}
		if _, err := john.NextPost(ctx, mmclient.Ephemeral, waitEvent); err != nil {
			t.Fatalf("no confirmation: %v", err)
		}
		text := here.run(t, ctx, john, "/yandex_calendar date "+day.Format("02.01.2006"))
		for _, want := range []string{"12:00–13:00 **Планёрка**", "14:00–15:00 **Стоматолог**", "16:00–17:00 **Корпоратив**", "3 meetings", "times in Asia/Yekaterinburg"} {
			if !strings.Contains(text, want) {
				t.Errorf("agenda lacks %q:\n%s", want, text)
			}
		}
	})

	t.Run("UnreachableServerIsNamed", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		must(t, err)
		closed := "http://" + l.Addr().String() + "/"
		l.Close()
		setPluginSettings(t, ctx, api, closed, hex.EncodeToString(keyBytes))
		defer setPluginSettings(t, ctx, api, caldav, hex.EncodeToString(keyBytes))
		resp := here.connect(t, ctx, john, caldavUser, caldavPassword)
		if !strings.Contains(resp.Error, "cannot be reached") {
			t.Fatalf("dialog answer %+v; want the unreachable-server message", resp)
		}
	})

	t.Run("DisconnectLeavesNothingInKV", func(t *testing.T) {
		before := pluginKeys(t)
		if len(withPrefix(before, "v1/u/"+ivanID+"/")) == 0 || len(withPrefix(before, "v1/u/"+johnID+"/")) == 0 {
			t.Fatalf("both users should have keys before: %v", before)
		}
		text := here.run(t, ctx, ivan, "/yandex_calendar connections disconnect")
		if !strings.Contains(text, "Отключено") {
			t.Fatalf("disconnect answered %q", text)
		}
		after := pluginKeys(t)
		if left := withPrefix(after, "v1/u/"+ivanID+"/"); len(left) != 0 {
			t.Fatalf("keys of the disconnected user left: %v", left)
		}
		if len(withPrefix(after, "v1/u/"+johnID+"/")) == 0 {
			t.Fatalf("the other user's keys went too: %v", after)
		}
		if text := here.run(t, ctx, ivan, "/yandex_calendar today"); !strings.Contains(text, "ещё не подключён") {
			t.Fatalf("after disconnect: %q", text)
		}
	})
}
