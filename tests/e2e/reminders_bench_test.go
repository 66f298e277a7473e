package e2e

// Reminder lateness on the real server, for `make bench` (tests/bench/reminders-mm.sh), not
// `make test`: YCAL_E2E_REMINDER_USERS users, each connected to one Radicale calendar with
// reminders one minute before, get a reminder for the same meeting in the same minute;
// prints p50/p99/max of how late the posts were made (their CreateAt) and fails if one is
// missing or doubled.

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/tests/mmclient"
)

func TestReminderLatenessOnTheRealServer(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("YCAL_E2E_REMINDER_USERS"))
	if n <= 0 {
		t.Skip("set YCAL_E2E_REMINDER_USERS=<users> to measure")
	}
	noteStamp()
	ctx := context.Background()
	api := local(t)
	ensurePlugin(t, ctx, api)
	cal := startRadicaleCalendar(t, "radicale-notify")
	notifySettings(t, ctx, api, cal.url)
	cfg, _, err := api.GetConfig(ctx)
	must(t, err)
	cfg.TeamSettings.MaxUsersPerTeam = model.NewPointer(n + 10)
	_, _, err = api.UpdateConfig(ctx, cfg)
	must(t, err)
	suffix := fmt.Sprint(time.Now().UnixNano() % 1_000_000)
	team, _, err := api.CreateTeam(ctx, &model.Team{Name: "bench" + suffix, DisplayName: "Bench " + suffix, Type: model.TeamOpen})
	must(t, err)
	ch, _, err := api.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "bench" + suffix, DisplayName: "Bench", Type: model.ChannelTypeOpen})
	must(t, err)
	here := place{team.Id, ch.Id}

	t0 := time.Now()
	sessions := make([]*mmclient.Session, n)
	ids := make([]string, n)
	for i := range n {
		sessions[i], ids[i] = person(t, ctx, api, fmt.Sprintf("r%s-%d", suffix, i), "ru", "Europe/Moscow", team.Id, ch.Id)
		if resp := here.connect(t, ctx, sessions[i], caldavUser, caldavPassword); resp.Error != "" || len(resp.Errors) != 0 {
			t.Fatalf("connect: %+v", resp)
		}
		if _, err := sessions[i].NextPost(ctx, mmclient.Ephemeral, waitEvent); err != nil {
			t.Fatalf("no connect confirmation: %v", err)
		}
		here.submitNotifications(t, ctx, sessions[i], map[string]any{"digest": "off", "reminder": "1",
			"status": false, "changes": false, "answers": false})
		// As for anyone who got a message from the bot before: their direct channel exists.
		botPostList(t, ctx, sessions[i], ids[i])
	}
	t.Logf("%d users connected with reminders on in %v", n, time.Since(t0).Round(time.Second))

	// One meeting for all, at a minute boundary at least two minutes ahead: the minute
	// ticks find it and arm the reminders.
	start := time.Now().Add(150 * time.Second).Truncate(time.Minute).Add(time.Minute)
	remind := start.Add(-time.Minute)
	cal.put("bench", ics("bench", "Планёрка", start, start.Add(30*time.Minute),
		"X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/bench"))
	time.Sleep(time.Until(remind.Add(60 * time.Second)))

	// Each user's reminders, from their direct channel with the bot.
	var late []float64
	missing, doubled := 0, 0
	for i := range n {
		var first int64
		count := 0
		for _, p := range botPostList(t, ctx, sessions[i], ids[i]) {
			if kind, _ := p.GetProp("ycal_kind").(string); kind == "reminder" {
				count++
				if first == 0 || p.CreateAt < first {
					first = p.CreateAt
				}
			}
		}
		switch {
		case count == 0:
			missing++
			continue
		case count > 1:
			doubled += count - 1
		}
		late = append(late, float64(first-remind.UnixMilli()))
	}
	sort.Float64s(late)
	q := func(f float64) float64 {
		if len(late) == 0 {
			return -1
		}
		return late[min(len(late)-1, int(f*float64(len(late))))]
	}
	fmt.Printf("reminder lateness on Mattermost %s, %d reminders due in the same minute: p50 %.0f ms, p99 %.0f ms, max %.0f ms; missing %d, doubled %d\n",
		env.vars["MM_VERSION"], n, q(0.5), q(0.99), q(1), missing, doubled)
	if missing != 0 || doubled != 0 {
		t.Fatalf("%d reminders missing, %d doubled", missing, doubled)
	}
}
