package e2e

// Answering invitations in a real Mattermost with a real Radicale: the invitation message
// carries Accept / Maybe / Decline; a click goes through Mattermost's post-action API
// (POST /api/v4/posts/{id}/actions/{action}) to the plugin, which writes my answer into the
// event on Radicale and redraws the message; a recurring meeting first asks "only this one,
// or the whole series?"; a failure leaves the message and says why (ephemeral).
//
// Vera (ru, Moscow) is invited by Olga, who is not a Mattermost user here. The user's
// round is run at once by `checks check_scheduler`, so nothing waits for the minute tick.

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/tests/mmclient"
)

// get is the event as Radicale stores it, unfolded.
func (c *radicaleCalendar) get(t *testing.T, uid string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.cal+uid+".ics", nil)
	must(t, err)
	req.SetBasicAuth(caldavUser, caldavPassword)
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	must(t, err)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", uid, resp.StatusCode)
	}
	return strings.NewReplacer("\r\n ", "", "\r\n", "\n").Replace(string(body))
}

// answerButtons are the button labels of each attachment of a post.
func answerButtons(p *model.Post) [][]string {
	var out [][]string
	for _, a := range p.Attachments() {
		var names []string
		for _, b := range a.Actions {
			names = append(names, b.Name)
		}
		out = append(out, names)
	}
	return out
}

func button(t *testing.T, p *model.Post, name string) *model.PostAction {
	t.Helper()
	for _, b := range mmclient.Buttons(p) {
		if b.Name == name {
			return b
		}
	}
	t.Fatalf("no button %q on the post: %v", name, answerButtons(p))
	return nil
}

// attachmentText is the first attachment's text of the post as the server has it now.
func attachmentText(t *testing.T, ctx context.Context, s *mmclient.Session, postID string) (string, *model.Post) {
	t.Helper()
	p, _, err := s.API.GetPost(ctx, postID, "")
	must(t, err)
	atts := p.Attachments()
	if len(atts) == 0 {
		t.Fatalf("post %s has no attachments: %q", postID, p.Message)
	}
	return atts[0].Text, p
}

// botKinds counts the bot's posts in its direct channel with the user, by ycal_kind, as
// the user sees them (a regular user may not list bots).
func botKinds(t *testing.T, ctx context.Context, s *mmclient.Session, userID, botID string) map[string]int {
	t.Helper()
	ch, _, err := s.API.CreateDirectChannel(ctx, userID, botID)
	must(t, err)
	list, _, err := s.API.GetPostsForChannel(ctx, ch.Id, 0, 200, "", false, false)
	must(t, err)
	out := map[string]int{}
	for _, p := range list.Posts {
		if p.UserId == botID {
			kind, _ := p.GetProp("ycal_kind").(string)
			out[kind]++
		}
	}
	return out
}

func TestAnswerInvitations(t *testing.T) {
	noteStamp()
	ctx := context.Background()
	api := local(t)
	ensurePlugin(t, ctx, api)

	cal := startRadicaleCalendar(t, "radicale-answer")
	notifySettings(t, ctx, api, cal.url)
	suffix := fmt.Sprint(time.Now().UnixNano() % 1_000_000)
	team, _, err := api.CreateTeam(ctx, &model.Team{Name: "answer" + suffix, DisplayName: "Answer " + suffix, Type: model.TeamOpen})
	must(t, err)
	ch, _, err := api.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "invites" + suffix, DisplayName: "Приглашения", Type: model.ChannelTypeOpen})
	must(t, err)
	here := place{team.Id, ch.Id}
	name := "vera" + suffix
	vera, veraID := person(t, ctx, api, name, "ru", "Europe/Moscow", team.Id, ch.Id)
	if resp := here.connect(t, ctx, vera, caldavUser, caldavPassword); resp.Error != "" || len(resp.Errors) != 0 {
		t.Fatalf("connect: %+v", resp)
	}
	if _, err := vera.NextPost(ctx, mmclient.Ephemeral, waitEvent); err != nil {
		t.Fatalf("no connect confirmation: %v", err)
	}
	here.submitNotifications(t, ctx, vera, map[string]any{"digest": "off", "reminder": "10"})
	t.Cleanup(func() { _, _ = vera.Command(ctx, ch.Id, "/yandex_calendar notifications delete") })
	box := &inbox{s: vera}
	mine := "mailto:" + name + "@example.com"
	attendees := []string{
		"ATTENDEE;CN=\"Ольга, руководитель\";PARTSTAT=ACCEPTED:mailto:olga@example.com",
		"ATTENDEE;CN=Вера;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:" + mine,
	}
	msk, _ := time.LoadLocation("Europe/Moscow")
	now := time.Now().In(msk)
	tomorrow := time.Date(now.Year(), now.Month(), now.Day()+1, 12, 0, 0, 0, msk)
	invite := func(uid, summary string, start time.Time, extra ...string) *model.Post {
		cal.put(uid, icsMeeting(uid, summary, start, start.Add(30*time.Minute), "olga@example.com", attendees, extra...))
		here.run(t, ctx, vera, "/yandex_calendar checks check_scheduler")
		return box.next(t, ctx, 90*time.Second, "Приглашение", "**"+summary+"**")
	}

	// A single meeting: accepted from the message.
	p := invite("demo", "Демо", tomorrow)
	if got := answerButtons(p); len(got) != 1 || strings.Join(got[0], "|") != "Принять|Возможно|Отказаться" {
		t.Fatalf("buttons %v", got)
	}
	clicked := time.Now()
	must(t, vera.Click(ctx, p, button(t, p, "Принять")))
	t.Logf("the click took %v (Mattermost → plugin → Radicale GET and PUT → post redrawn)",
		time.Since(clicked).Round(time.Millisecond))
	stored := cal.get(t, "demo")
	if !strings.Contains(stored, "ATTENDEE;CN=Вера;PARTSTAT=ACCEPTED;RSVP=TRUE:"+mine+"\n") {
		t.Fatalf("Radicale has no accepted ATTENDEE line for Vera:\n%s", stored)
	}
	if !strings.Contains(stored, attendees[0]+"\n") || !strings.Contains(stored, "ORGANIZER;CN=Ольга:mailto:olga@example.com") {
		t.Fatalf("the organizer's lines changed:\n%s", stored)
	}
	text, updated := attachmentText(t, ctx, vera, p.Id)
	if text != "✅ Вы приняли приглашение" || strings.Join(answerButtons(updated)[0], "|") != "Возможно|Отказаться" {
		t.Fatalf("message after the answer: %q %v", text, answerButtons(updated))
	}
	if updated.Message != p.Message {
		t.Fatalf("the message text changed: %q → %q", p.Message, updated.Message)
	}

	// A weekly meeting: the question, then the whole series declined.
	weekly := invite("weekly", "Планёрка", tomorrow.Add(24*time.Hour), "RRULE:FREQ=WEEKLY;COUNT=4")
	must(t, vera.Click(ctx, weekly, button(t, weekly, "Отказаться")))
	text, asked := attachmentText(t, ctx, vera, weekly.Id)
	if !strings.HasPrefix(text, "Отказаться только от встречи ") ||
		strings.Join(answerButtons(asked)[0], "|") != "Только эту|Всю серию|Отмена" {
		t.Fatalf("the question: %q %v", text, answerButtons(asked))
	}
	if strings.Contains(cal.get(t, "weekly"), "DECLINED") {
		t.Fatal("the question alone changed the event")
	}
	must(t, vera.Click(ctx, asked, button(t, asked, "Всю серию")))
	if stored := cal.get(t, "weekly"); !strings.Contains(stored, "ATTENDEE;CN=Вера;PARTSTAT=DECLINED;RSVP=TRUE:"+mine+"\n") ||
		strings.Contains(stored, "RECURRENCE-ID") {
		t.Fatalf("Radicale after declining the series:\n%s", stored)
	}
	if text, _ := attachmentText(t, ctx, vera, weekly.Id); text != "❌ Вы отказались от всей серии" {
		t.Fatalf("message after declining the series: %q", text)
	}

	// My own answers are not news: a round after them sends nothing new.
	here.run(t, ctx, vera, "/yandex_calendar checks check_scheduler")
	if kinds := botKinds(t, ctx, vera, veraID, p.UserId); kinds["changes"] != 2 {
		t.Fatalf("the bot's messages by kind: %v; want the two invitations only", kinds)
	}

	// The meeting is deleted on the server: the click says why and the message stays.
	cal.del("demo")
	must(t, vera.Click(ctx, updated, button(t, updated, "Отказаться")))
	for {
		e, err := vera.NextPost(ctx, mmclient.Ephemeral, waitEvent)
		if err != nil {
			t.Fatalf("no ephemeral answer to the failed click: %v", err)
		}
		if strings.Contains(e.Message, "Ответ не сохранён: этой встречи больше нет в вашем календаре.") {
			break
		}
	}
	if text, _ := attachmentText(t, ctx, vera, p.Id); text != "✅ Вы приняли приглашение" {
		t.Fatalf("a failed answer changed the message: %q", text)
	}
}
