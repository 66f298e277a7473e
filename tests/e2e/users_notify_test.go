package e2e

// Notifications in a real Mattermost with a real Radicale, in real minutes: the minute tick
// finds new meetings, one-off jobs fire at their minute, and a restart of the plugin in the
// middle loses and doubles nothing (the bot's posts are counted through the API at the end).
//
// Olga (ru, Moscow) organizes; Bob (en, New York) is invited. The newest server runs the
// whole story (about six minutes: the meeting starts three minutes ahead and lasts two);
// the oldest runs a short smoke of the same path (reminder and status).

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/tests/mmclient"
)

// notifySettings points the plugin at the calendar, with every user's round due every
// minute and reminders one minute before.
func notifySettings(t *testing.T, ctx context.Context, api *model.Client4, caldavURL string) {
	t.Helper()
	cfg, _, err := api.GetConfig(ctx)
	must(t, err)
	if cfg.PluginSettings.Plugins == nil {
		cfg.PluginSettings.Plugins = map[string]map[string]any{}
	}
	s := cfg.PluginSettings.Plugins[env.pluginID]
	if s == nil {
		s = map[string]any{}
	}
	key := make([]byte, 24)
	_, _ = rand.Read(key)
	s["caldavurl"] = caldavURL
	s["encryptionkey"] = hex.EncodeToString(key)
	s["syncintervalminutes"] = 1
	s["reminderleadminutes"] = 1
	cfg.PluginSettings.Plugins[env.pluginID] = s
	_, _, err = api.UpdateConfig(ctx, cfg)
	must(t, err)
	time.Sleep(time.Second) // the plugin applies saved settings asynchronously
}

// inbox keeps every direct message a user got from the bot, for waiting on one.
type inbox struct {
	s    *mmclient.Session
	mu   sync.Mutex
	seen []*model.Post
}

// next waits for a direct message whose text contains every one of want.
func (b *inbox) next(t *testing.T, ctx context.Context, timeout time.Duration, want ...string) *model.Post {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		b.mu.Lock()
		for _, p := range b.seen {
			ok := true
			for _, w := range want {
				ok = ok && strings.Contains(p.Message, w)
			}
			if ok {
				b.mu.Unlock()
				return p
			}
		}
		b.mu.Unlock()
		left := time.Until(deadline)
		if left <= 0 {
			b.mu.Lock()
			defer b.mu.Unlock()
			var got []string
			for _, p := range b.seen {
				got = append(got, p.Message)
			}
			t.Fatalf("no direct message with %q within %v; got %q", want, timeout, got)
		}
		p, err := b.s.NextPost(ctx, mmclient.Direct, min(left, 2*time.Second))
		if err == nil {
			b.mu.Lock()
			b.seen = append(b.seen, p)
			b.mu.Unlock()
		}
	}
}

// submitNotifications opens the notifications dialog and submits it with changes.
func (p place) submitNotifications(t *testing.T, ctx context.Context, s *mmclient.Session, changes map[string]any) {
	t.Helper()
	if text := p.run(t, ctx, s, "/yandex_calendar notifications create"); text != "" {
		t.Fatalf("notifications create answered %q", text)
	}
	d, err := s.NextDialog(ctx, waitEvent)
	if err != nil {
		t.Fatalf("no notifications dialog: %v", err)
	}
	values := mmclient.Defaults(&d.Dialog)
	for k, v := range changes {
		values[k] = v
	}
	resp, err := s.SubmitDialog(ctx, d, p.channelID, p.teamID, values)
	must(t, err)
	if resp.Error != "" || len(resp.Errors) != 0 {
		t.Fatalf("notifications refused: %+v", resp)
	}
	if _, err := s.NextPost(ctx, mmclient.Ephemeral, waitEvent); err != nil {
		t.Fatalf("no confirmation: %v", err)
	}
}

func customStatus(t *testing.T, ctx context.Context, api *model.Client4, userID string) *model.CustomStatus {
	t.Helper()
	u, _, err := api.GetUser(ctx, userID, "")
	must(t, err)
	return u.GetCustomStatus()
}

func waitStatus(t *testing.T, ctx context.Context, api *model.Client4, userID, what string, until time.Time, ok func(*model.CustomStatus) bool) {
	t.Helper()
	for {
		cs := customStatus(t, ctx, api, userID)
		if ok(cs) {
			return
		}
		if time.Now().After(until) {
			t.Fatalf("%s: custom status %+v at %s", what, cs, time.Now().Format("15:04:05"))
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// botPostList lists what the bot posted in its direct channel with the user, as the user
// reads it (local mode has no route to a direct channel).
func botPostList(t *testing.T, ctx context.Context, s *mmclient.Session, userID string) []*model.Post {
	t.Helper()
	bot, _, err := s.API.GetUserByUsername(ctx, botUsername, "")
	must(t, err)
	ch, _, err := s.API.CreateDirectChannel(ctx, bot.Id, userID)
	must(t, err)
	list, _, err := s.API.GetPostsForChannel(ctx, ch.Id, 0, 200, "", false, false)
	must(t, err)
	var out []*model.Post
	for _, p := range list.Posts {
		if p.UserId == bot.Id {
			out = append(out, p)
		}
	}
	return out
}

// botPosts is botPostList's texts by ycal_kind.
func botPosts(t *testing.T, ctx context.Context, s *mmclient.Session, userID string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range botPostList(t, ctx, s, userID) {
		kind, _ := p.GetProp("ycal_kind").(string)
		out[kind] = append(out[kind], p.Message)
	}
	return out
}

// restartPlugin disables and enables the plugin through the API and waits for it.
func restartPlugin(t *testing.T, ctx context.Context, api *model.Client4) {
	t.Helper()
	_, err := api.DisablePlugin(ctx, env.pluginID)
	must(t, err)
	_, err = api.EnablePlugin(ctx, env.pluginID)
	must(t, err)
	ensurePlugin(t, ctx, api)
}

func icsMeeting(uid, summary string, start, end time.Time, organizer string, attendees []string, extra ...string) string {
	lines := []string{"ORGANIZER;CN=Ольга:mailto:" + organizer}
	lines = append(lines, attendees...)
	return ics(uid, summary, start, end, append(lines, extra...)...)
}

func TestNotifications(t *testing.T) {
	noteStamp()
	ctx := context.Background()
	api := local(t)
	ensurePlugin(t, ctx, api)
	smoke := os.Getenv("MM_SERVER") == "oldest"
	began := time.Now()

	cal := startRadicaleCalendar(t, "radicale-notify")
	notifySettings(t, ctx, api, cal.url)
	suffix := fmt.Sprint(time.Now().UnixNano() % 1_000_000)
	team, _, err := api.CreateTeam(ctx, &model.Team{Name: "notify" + suffix, DisplayName: "Notify " + suffix, Type: model.TeamOpen})
	must(t, err)
	ch, _, err := api.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "meetings" + suffix, DisplayName: "Встречи", Type: model.ChannelTypeOpen})
	must(t, err)
	here := place{team.Id, ch.Id}
	msk, _ := time.LoadLocation("Europe/Moscow")
	nyc, _ := time.LoadLocation("America/New_York")

	olgaName, bobName := "olga"+suffix, "bob"+suffix
	olga, olgaID := person(t, ctx, api, olgaName, "ru", "Europe/Moscow", team.Id, ch.Id)
	bob, bobID := person(t, ctx, api, bobName, "en", "America/New_York", team.Id, ch.Id)
	olgaMail, bobMail := olgaName+"@example.com", bobName+"@example.com"
	for _, s := range []*mmclient.Session{olga, bob} {
		if resp := here.connect(t, ctx, s, caldavUser, caldavPassword); resp.Error != "" || len(resp.Errors) != 0 {
			t.Fatalf("connect: %+v", resp)
		}
		if _, err := s.NextPost(ctx, mmclient.Ephemeral, waitEvent); err != nil {
			t.Fatalf("no connect confirmation: %v", err)
		}
	}
	t.Cleanup(func() {
		for _, s := range []*mmclient.Session{olga, bob} {
			_, _ = s.Command(ctx, ch.Id, "/yandex_calendar notifications delete")
		}
	})

	// The meeting starts on a minute boundary three minutes ahead (two in the smoke), so
	// the next minute's tick finds it before its reminder is due.
	now := time.Now()
	start := now.Truncate(time.Minute).Add(3 * time.Minute)
	length := 2 * time.Minute
	if smoke {
		start = now.Truncate(time.Minute).Add(2 * time.Minute)
		if time.Until(start) < 90*time.Second {
			start = start.Add(time.Minute)
		}
		length = time.Minute
	}
	remind := start.Add(-time.Minute)
	digestAt := start.Add(time.Minute)

	here.submitNotifications(t, ctx, olga, map[string]any{"digest": "off", "reminder": "1"})
	if !smoke {
		here.submitNotifications(t, ctx, bob, map[string]any{"digest": digestAt.In(nyc).Format("15:04"),
			"digest_days": "every_day", "reminder": "1"})
	}
	// Olga's own status, kept while she is in the meeting and put back after it.
	_, _, err = olga.API.UpdateUserCustomStatus(ctx, olgaID, &model.CustomStatus{Emoji: "palm_tree", Text: "Скоро отпуск"})
	must(t, err)

	attendees := []string{
		"ATTENDEE;CN=Ольга;PARTSTAT=ACCEPTED:mailto:" + olgaMail,
		"ATTENDEE;CN=Bob;PARTSTAT=NEEDS-ACTION:mailto:" + bobMail,
	}
	const join = "https://telemost.yandex.ru/j/e2e-12345"
	cal.put("demo", icsMeeting("demo", "Демо", start, start.Add(length), olgaMail, attendees,
		"X-TELEMOST-CONFERENCE:"+join, "LOCATION:Переговорная 3"))
	tomorrow := time.Date(now.In(msk).Year(), now.In(msk).Month(), now.In(msk).Day()+1, 12, 0, 0, 0, msk)
	if !smoke {
		cal.put("plan", icsMeeting("plan", "Планирование", tomorrow, tomorrow.Add(time.Hour), olgaMail, attendees))
	}
	olgaBox, bobBox := &inbox{s: olga}, &inbox{s: bob}

	if !smoke {
		// The minute tick finds both: Bob is invited to them, in one message; Olga, who
		// organizes them, is told nothing.
		bobBox.next(t, ctx, 100*time.Second, "Invitation: **Демо**")
		bobBox.next(t, ctx, 30*time.Second, "Invitation: **Планирование**")
	}

	// The reminder at its minute, once, with the Join link.
	p := olgaBox.next(t, ctx, time.Until(remind)+40*time.Second, "🔔 Через 1 мин: **Демо**", "[Подключиться]("+join+")")
	late := time.UnixMilli(p.CreateAt).Sub(remind)
	t.Logf("Olga's reminder came %v after its time", late.Round(time.Millisecond))
	if late < 0 || late > 15*time.Second {
		t.Errorf("the reminder came %v after its time", late)
	}
	if !smoke {
		p := bobBox.next(t, ctx, 30*time.Second, "🔔 In 1 min: **Демо**", "[Join]("+join+")", "📍 Переговорная 3", "👥 2 attendees")
		late := time.UnixMilli(p.CreateAt).Sub(remind)
		t.Logf("Bob's reminder came %v after its time", late.Round(time.Millisecond))
		if late < 0 || late > 15*time.Second {
			t.Errorf("Bob's reminder came %v after its time", late)
		}
		// Restart the plugin between the reminder and the start: the status comes all the same.
		restartPlugin(t, ctx, api)

		// Moved, changed, declined, cancelled: one message each (a round runs when Bob asks
		// what is scheduled, or at the minute's tick, whichever comes first).
		moved := tomorrow.Add(time.Hour)
		cal.put("plan", icsMeeting("plan", "Планирование", moved, moved.Add(time.Hour), olgaMail, attendees))
		here.run(t, ctx, bob, "/yandex_calendar checks check_scheduler")
		bobBox.next(t, ctx, 90*time.Second, "🕑 Moved: **Планирование**", moved.In(nyc).Format("15:04"))
		cal.put("plan", icsMeeting("plan", "Планирование", moved, moved.Add(time.Hour), olgaMail, attendees,
			"LOCATION:Переговорная 5"))
		here.run(t, ctx, bob, "/yandex_calendar checks check_scheduler")
		bobBox.next(t, ctx, 90*time.Second, "✏️ Changed: **Планирование**", "place «Переговорная 5» added")
		declined := []string{attendees[0], "ATTENDEE;CN=Bob;PARTSTAT=DECLINED:mailto:" + bobMail}
		cal.put("plan", icsMeeting("plan", "Планирование", moved, moved.Add(time.Hour), olgaMail, declined,
			"LOCATION:Переговорная 5"))
		here.run(t, ctx, olga, "/yandex_calendar checks check_scheduler")
		olgaBox.next(t, ctx, 90*time.Second, "Bob отклонил(а) «Планирование» (")
		cal.del("plan")
		here.run(t, ctx, bob, "/yandex_calendar checks check_scheduler")
		bobBox.next(t, ctx, 90*time.Second, "❌ Cancelled: **Планирование**")
	}

	// The status from the start to the end of the meeting, and Olga's own afterwards.
	waitStatus(t, ctx, api, olgaID, "at the start", start.Add(20*time.Second), func(cs *model.CustomStatus) bool {
		return cs != nil && cs.Emoji == "calendar" && cs.Text == "На встрече"
	})
	if cs := customStatus(t, ctx, api, olgaID); !cs.ExpiresAt.Equal(start.Add(length)) {
		t.Errorf("the status expires at %v, want the meeting's end %v", cs.ExpiresAt, start.Add(length))
	}
	if !smoke {
		waitStatus(t, ctx, api, bobID, "Bob at the start", start.Add(20*time.Second), func(cs *model.CustomStatus) bool {
			return cs != nil && cs.Text == "In a meeting"
		})
		// Bob's digest at his minute, New York time.
		p := bobBox.next(t, ctx, time.Until(digestAt)+40*time.Second, "☀️ Your day", "Демо")
		t.Logf("Bob's digest came %v after its time", time.UnixMilli(p.CreateAt).Sub(digestAt).Round(time.Millisecond))
	}
	waitStatus(t, ctx, api, olgaID, "after the end", start.Add(length).Add(20*time.Second), func(cs *model.CustomStatus) bool {
		return cs != nil && cs.Emoji == "palm_tree" && cs.Text == "Скоро отпуск"
	})
	if !smoke {
		waitStatus(t, ctx, api, bobID, "Bob after the end", start.Add(length).Add(20*time.Second), func(cs *model.CustomStatus) bool {
			return cs == nil || (cs.Emoji == "" && cs.Text == "")
		})
	}

	// Nothing lost, nothing doubled: the bot's posts, counted through the API.
	time.Sleep(5 * time.Second)
	olgaPosts := botPosts(t, ctx, olga, olgaID)
	want := map[string]int{"reminder": 1, "answers": 1}
	if smoke {
		want = map[string]int{"reminder": 1}
	}
	for kind, n := range want {
		if len(olgaPosts[kind]) != n {
			t.Errorf("Olga got %d %s messages, want %d: %q", len(olgaPosts[kind]), kind, n, olgaPosts[kind])
		}
	}
	if len(olgaPosts["changes"]) != 0 || len(olgaPosts["digest"]) != 0 {
		t.Errorf("Olga got messages she should not: %q", olgaPosts)
	}
	if !smoke {
		bobPosts := botPosts(t, ctx, bob, bobID)
		for kind, n := range map[string]int{"reminder": 1, "digest": 1, "answers": 0} {
			if len(bobPosts[kind]) != n {
				t.Errorf("Bob got %d %s messages, want %d: %q", len(bobPosts[kind]), kind, n, bobPosts[kind])
			}
		}
		changes := strings.Join(bobPosts["changes"], "\n")
		for _, line := range []string{"Invitation: **Демо**", "Invitation: **Планирование**", "Moved: **Планирование**",
			"Changed: **Планирование**", "Cancelled: **Планирование**"} {
			if n := strings.Count(changes, line); n != 1 {
				t.Errorf("Bob was told %q %d times:\n%s", line, n, changes)
			}
		}
	}
	t.Logf("the notifications story took %v", time.Since(began).Round(time.Second))
}
