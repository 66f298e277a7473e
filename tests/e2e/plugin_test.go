package e2e

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
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

func setup(t *testing.T) *world {
	t.Helper()
	noteStamp()
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
	m, err := w.admin.uploadPlugin(env.bundle)
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

	t.Run("NormalUserCannotManagePlugins", func(t *testing.T) {
		// Sanity of the harness: a normal user may not manage plugins.
		err := w.user.do("POST", "/plugins/"+env.pluginID+"/disable", nil, nil)
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != http.StatusForbidden {
			t.Fatalf("normal user disabling the plugin: %v; want HTTP 403", err)
		}
	})
}
