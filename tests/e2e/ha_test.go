package e2e

// Two Mattermost nodes on one PostgreSQL (`make e2e-ha`, about fourteen minutes; not part
// of `make test`): 50 users with reminders, a digest, the "In a meeting" status and
// changes over ten minutes, while the second node is killed with SIGKILL in the middle and
// started again. Every bot post is counted through the API at the end: each expected
// message exactly once; every user's own status back after each meeting.
//
// Without a cluster licence the nodes share the database (the plugin's state is there)
// but not their caches: a licensed cluster tells every node to drop a user it changed. The
// test stands in for those messages by asking both nodes to drop their caches every
// second, and reads statuses from the database itself.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/tests/mmclient"
)

const (
	haUsers    = 50
	haPassword = "secret-ha"
)

// haCalendar is a Radicale with one account and one calendar per user.
type haCalendar struct {
	url  string
	dir  string
	http *http.Client
}

func startHACalendar(t *testing.T, n int) *haCalendar {
	t.Helper()
	here, _ := os.Getwd()
	script := filepath.Join(here, "..", "servers", "radicale.sh")
	dir := filepath.Join(env.runDir, "radicale-ha")
	out, err := exec.Command("bash", script, "start", dir).Output()
	if err != nil {
		t.Fatalf("radicale.sh start: %v", err)
	}
	t.Cleanup(func() { _ = exec.Command("bash", script, "stop", dir).Run() })
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	c := &haCalendar{url: lines[len(lines)-1], dir: dir, http: &http.Client{Timeout: 30 * time.Second}}
	// More accounts in its htpasswd file (Radicale reads it at every login).
	f, err := os.OpenFile(filepath.Join(dir, "users"), os.O_APPEND|os.O_WRONLY, 0)
	must(t, err)
	for i := range n {
		fmt.Fprintf(f, "%s:%s\n", haLogin(i), haPassword)
	}
	must(t, f.Close())
	for i := range n {
		body := `<?xml version="1.0" encoding="utf-8"?><C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">` +
			`<D:set><D:prop><D:displayname>Работа</D:displayname><C:supported-calendar-component-set><C:comp name="VEVENT"/>` +
			`</C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>`
		c.do(t, i, "MKCALENDAR", "", body, "application/xml", 201)
	}
	return c
}

func haLogin(i int) string { return fmt.Sprintf("ha%02d", i) }

func (c *haCalendar) do(t *testing.T, user int, method, object, body, ctype string, want ...int) {
	t.Helper()
	url := c.url + haLogin(user) + "/work/" + object
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	must(t, err)
	req.SetBasicAuth(haLogin(user), haPassword)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := c.http.Do(req)
	must(t, err)
	resp.Body.Close()
	for _, w := range want {
		if resp.StatusCode == w {
			return
		}
	}
	if len(want) > 0 {
		t.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

func (c *haCalendar) put(t *testing.T, user int, uid, text string) {
	c.do(t, user, http.MethodPut, uid+".ics", text, "text/calendar", 201, 204)
}

func (c *haCalendar) del(t *testing.T, user int, uid string) {
	c.do(t, user, http.MethodDelete, uid+".ics", "", "", 200, 204)
}

// node is a Mattermost server of the test: its run folder and local-mode admin client.
type node struct {
	name string
	dir  string
	api  *model.Client4
}

func mmsh(t *testing.T, args ...string) {
	t.Helper()
	here, _ := os.Getwd()
	cmd := exec.Command("bash", append([]string{filepath.Join(here, "..", "mattermost", "mm.sh")}, args...)...)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("mm.sh %v: %v", args, err)
	}
}

// startNodeB starts (or starts again) the second node on the first node's database.
func startNodeB(t *testing.T, dir string) *node {
	t.Helper()
	mmsh(t, "node", dir, env.runDir)
	vars, err := readEnvFile(filepath.Join(dir, "env"))
	must(t, err)
	return &node{name: "B", dir: dir, api: model.NewAPIv4SocketClient(vars["MM_LOCAL_SOCKET"])}
}

// pluginRunning waits until the plugin is active on a node.
func pluginRunning(t *testing.T, ctx context.Context, n *node) {
	t.Helper()
	for deadline := time.Now().Add(120 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		ps, _, err := n.api.GetPlugins(ctx)
		if err == nil {
			for _, p := range ps.Active {
				if p.Id == env.pluginID {
					return
				}
			}
		}
	}
	t.Fatalf("the plugin does not run on node %s", n.name)
}

// dmsFrom lists, as the user sees them, what the bot posted in their direct channel, by
// ycal_kind.
func dmsFrom(t *testing.T, ctx context.Context, s *mmclient.Session, botID string) map[string][]*model.Post {
	t.Helper()
	ch, _, err := s.API.CreateDirectChannel(ctx, s.Me.Id, botID)
	must(t, err)
	list, _, err := s.API.GetPostsForChannel(ctx, ch.Id, 0, 200, "", false, false)
	must(t, err)
	out := map[string][]*model.Post{}
	for _, p := range list.Posts {
		if p.UserId == botID {
			kind, _ := p.GetProp("ycal_kind").(string)
			out[kind] = append(out[kind], p)
		}
	}
	return out
}

// statuses reads the users' custom statuses from the database (no node's cache).
func statuses(t *testing.T, ids []string) map[string]*model.CustomStatus {
	t.Helper()
	psql, err := exec.LookPath("psql")
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
		if len(matches) == 0 {
			t.Fatal("no psql to read the statuses")
		}
		psql = matches[0]
	}
	out, err := exec.Command(psql, env.vars["PG_DSN"], "-At", "-F", "|", "-c",
		"SELECT id, COALESCE(props->>'customStatus', '') FROM users WHERE id IN ('"+strings.Join(ids, "','")+"')").CombinedOutput()
	if err != nil {
		t.Fatalf("psql: %v\n%s", err, out)
	}
	st := map[string]*model.CustomStatus{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		id, raw, _ := strings.Cut(line, "|")
		var cs model.CustomStatus
		if raw != "" && json.Unmarshal([]byte(raw), &cs) == nil && (cs.Emoji != "" || cs.Text != "") {
			st[id] = &cs
		} else {
			st[id] = nil
		}
	}
	return st
}

func TestHATwoNodesOneDatabase(t *testing.T) {
	if os.Getenv("YCAL_E2E_HA") == "" {
		t.Skip("the two-node test runs with make e2e-ha (YCAL_E2E_HA=1)")
	}
	noteStamp()
	ctx := context.Background()
	began := time.Now()
	a := &node{name: "A", dir: env.runDir, api: local(t)}
	ensurePlugin(t, ctx, a.api)
	cal := startHACalendar(t, haUsers)
	notifySettings(t, ctx, a.api, cal.url)
	suffix := fmt.Sprint(time.Now().UnixNano() % 1_000_000)
	team, _, err := a.api.CreateTeam(ctx, &model.Team{Name: "ha" + suffix, DisplayName: "HA " + suffix, Type: model.TeamOpen})
	must(t, err)
	ch, _, err := a.api.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "ha" + suffix, DisplayName: "HA", Type: model.ChannelTypeOpen})
	must(t, err)
	here := place{team.Id, ch.Id}

	// 50 people, each with their own calendar and a status of their own; everything on.
	sessions := make([]*mmclient.Session, haUsers)
	ids := make([]string, haUsers)
	mails := make([]string, haUsers)
	own := &model.CustomStatus{Emoji: "palm_tree", Text: "On holiday soon"}
	var wg sync.WaitGroup
	var mu sync.Mutex
	work := make(chan int)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				name := fmt.Sprintf("ha%s%02d", suffix, i)
				s, id := person(t, ctx, a.api, name, "en", "Europe/Moscow", team.Id, ch.Id)
				if resp := here.connect(t, ctx, s, haLogin(i), haPassword); resp.Error != "" || len(resp.Errors) != 0 {
					t.Errorf("connect %s: %+v", name, resp)
					return
				}
				if _, err := s.NextPost(ctx, mmclient.Ephemeral, waitEvent); err != nil {
					t.Errorf("no connect confirmation for %s: %v", name, err)
					return
				}
				_, _, err := s.API.UpdateUserCustomStatus(ctx, id, own)
				must(t, err)
				mu.Lock()
				sessions[i], ids[i], mails[i] = s, id, name+"@example.com"
				mu.Unlock()
			}
		}()
	}
	for i := range haUsers {
		work <- i
	}
	close(work)
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	t.Logf("%d users connected in %v", haUsers, time.Since(began).Round(time.Second))

	// The second node, on the same database and file store, with the same settings.
	bDir := filepath.Join(env.runDir, "node-b")
	b := startNodeB(t, bDir)
	t.Cleanup(func() { mmsh(t, "stop", bDir) })
	pluginRunning(t, ctx, b)
	// A system admin's session (valid on both nodes: sessions are in the database) drops
	// both nodes' caches every second.
	adminName, adminPassword := "haadmin"+suffix, "Passw0rd!-ha-admin-long"
	admin, _, err := a.api.CreateUser(ctx, &model.User{Username: adminName, Email: adminName + "@example.com", Password: adminPassword})
	must(t, err)
	_, err = a.api.UpdateUserRoles(ctx, admin.Id, model.SystemUserRoleId+" "+model.SystemAdminRoleId)
	must(t, err)
	onA := model.NewAPIv4Client(env.url)
	_, _, err = onA.Login(ctx, adminName, adminPassword)
	must(t, err)
	bVars, err := readEnvFile(filepath.Join(bDir, "env"))
	must(t, err)
	onB := model.NewAPIv4Client(bVars["MM_URL"])
	onB.SetToken(onA.AuthToken)
	if _, err := onA.InvalidateCaches(ctx); err != nil {
		t.Fatalf("invalidating caches: %v", err)
	}
	stopCaches := make(chan struct{})
	defer close(stopCaches)
	go func() {
		for {
			select {
			case <-stopCaches:
				return
			case <-time.After(time.Second):
			}
			_, _ = onA.InvalidateCaches(ctx)
			_, _ = onB.InvalidateCaches(ctx) // fails while node B is down
		}
	}()

	// The story, in minutes from t0 (all users alike): invited to Sync (t0+4, 2 min),
	// Review (t0+8, 2 min) and Planning (tomorrow); Planning renamed at t0+2 and cancelled
	// at t0+5.5; the digest at t0+5; node B killed at t0+4.5 and back at t0+6.5.
	t0 := time.Now().Truncate(time.Minute).Add(2 * time.Minute)
	at := func(m float64) time.Time { return t0.Add(time.Duration(m * float64(time.Minute))) }
	msk, _ := time.LoadLocation("Europe/Moscow")
	todo := make(chan *mmclient.Session)
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range todo {
				here.submitNotifications(t, ctx, s, map[string]any{"digest": at(5).In(msk).Format("15:04"),
					"digest_days": "every_day", "reminder": "1"})
			}
		}()
	}
	for _, s := range sessions {
		todo <- s
	}
	close(todo)
	wg.Wait()
	if time.Now().After(t0) {
		t.Fatalf("setting up took too long: the story was to begin at %s", t0.Format("15:04:05"))
	}
	tomorrow := t0.Add(24 * time.Hour).Truncate(time.Hour)
	meeting := func(i int, uid, summary string, start, end time.Time) string {
		return icsMeeting(uid, summary, start, end, "olga@example.com",
			[]string{"ATTENDEE;CN=Olga;PARTSTAT=ACCEPTED:mailto:olga@example.com",
				"ATTENDEE;CN=Me;PARTSTAT=ACCEPTED:mailto:" + mails[i]})
	}
	each := func(what string, f func(i int)) {
		t.Logf("%s: %s", time.Now().Format("15:04:05"), what)
		for i := range haUsers {
			f(i)
		}
	}
	time.Sleep(time.Until(t0))
	each("invitations", func(i int) {
		cal.put(t, i, "sync", meeting(i, "sync", "Sync", at(4), at(6)))
		cal.put(t, i, "review", meeting(i, "review", "Review", at(8), at(10)))
		cal.put(t, i, "planning", meeting(i, "planning", "Planning", tomorrow, tomorrow.Add(time.Hour)))
	})
	time.Sleep(time.Until(at(2)))
	each("Planning renamed", func(i int) {
		cal.put(t, i, "planning", meeting(i, "planning", "Planning v2", tomorrow, tomorrow.Add(time.Hour)))
	})
	inMeeting := func(what string, m float64) {
		time.Sleep(time.Until(at(m)))
		st := statuses(t, ids)
		bad := 0
		for _, id := range ids {
			if cs := st[id]; cs == nil || cs.Text != "In a meeting" {
				bad++
			}
		}
		t.Logf("%s: %s: %d of %d users not \"In a meeting\"", time.Now().Format("15:04:05"), what, bad, haUsers)
		if bad > 0 {
			t.Errorf("%s: %d users without the meeting status", what, bad)
		}
	}
	restored := func(what string, m float64) {
		time.Sleep(time.Until(at(m)))
		st := statuses(t, ids)
		var bad []string
		for i, id := range ids {
			if cs := st[id]; cs == nil || cs.Emoji != own.Emoji || cs.Text != own.Text {
				bad = append(bad, fmt.Sprintf("%s: %+v", haLogin(i), cs))
			}
		}
		t.Logf("%s: %s: %d of %d users without their own status back", time.Now().Format("15:04:05"), what, len(bad), haUsers)
		if len(bad) > 0 {
			t.Errorf("%s: own status not restored for %d users: %v", what, len(bad), bad)
		}
	}
	inMeeting("in Sync", 4.4)
	time.Sleep(time.Until(at(4.5)))
	t.Logf("%s: node B killed", time.Now().Format("15:04:05"))
	mmsh(t, "kill", bDir)
	time.Sleep(time.Until(at(5.5)))
	cancelledAt := make([]time.Time, haUsers)
	each("Planning cancelled", func(i int) {
		cal.del(t, i, "planning")
		cancelledAt[i] = time.Now()
	})
	// A job of the dead node's is done by the next round of its user: within a minute.
	restored("after Sync", 7.2)
	time.Sleep(time.Until(at(6.5)))
	b = startNodeB(t, bDir)
	pluginRunning(t, ctx, b)
	t.Logf("%s: node B back", time.Now().Format("15:04:05"))
	inMeeting("in Review", 8.4)
	restored("after Review", 11.2)

	// Every bot post, counted through the API: each expected message exactly once.
	time.Sleep(time.Until(at(11.5)))
	bots, _, err := a.api.GetBotsIncludeDeleted(ctx, 0, 200, "")
	must(t, err)
	botID := ""
	for _, bot := range bots {
		if bot.Username == "yandex-calendar" {
			botID = bot.UserId
		}
	}
	want := map[string]int{"reminder": 2, "digest": 1}
	lines := []string{"Invitation: **Sync**", "Invitation: **Review**", "Invitation: **Planning**",
		"title «Planning» → «Planning v2»", "Cancelled: **Planning v2**"}
	problems := map[string]int{}
	var cancelLate []time.Duration
	for i, s := range sessions {
		posts := dmsFrom(t, ctx, s, botID)
		for kind, n := range want {
			if got := len(posts[kind]); got != n {
				problems[fmt.Sprintf("%s: %d %s, want %d", haLogin(i), got, kind, n)]++
			}
		}
		var texts []string
		for _, p := range posts["changes"] {
			texts = append(texts, p.Message)
			// Node B was dead when Planning was cancelled: its users' rounds were taken
			// over, so the news came within one sync interval all the same.
			if strings.Contains(p.Message, "Cancelled: **Planning v2**") {
				late := time.UnixMilli(p.CreateAt).Sub(cancelledAt[i])
				cancelLate = append(cancelLate, late)
				if late > time.Minute+20*time.Second {
					problems[fmt.Sprintf("%s: the cancellation told %v after it was made", haLogin(i), late.Round(time.Second))]++
				}
			}
		}
		changes := strings.Join(texts, "\n")
		for _, l := range lines {
			if n := strings.Count(changes, l); n != 1 {
				problems[fmt.Sprintf("%s: %q told %d times", haLogin(i), l, n)]++
			}
		}
		for kind := range posts {
			if _, ok := want[kind]; !ok && kind != "changes" {
				for _, p := range posts[kind] {
					problems[fmt.Sprintf("%s: unexpected %s: %q", haLogin(i), kind, p.Message)]++
				}
			}
		}
	}
	totals := map[string]int{}
	for _, s := range sessions {
		for kind, msgs := range dmsFrom(t, ctx, s, botID) {
			totals[kind] += len(msgs)
		}
	}
	t.Logf("the bot's posts to %d users: %v", haUsers, totals)
	sort.Slice(cancelLate, func(a, b int) bool { return cancelLate[a] < cancelLate[b] })
	if len(cancelLate) > 0 {
		t.Logf("the cancellation made while node B was dead, told after: median %v, max %v (%d users)",
			cancelLate[len(cancelLate)/2].Round(time.Second), cancelLate[len(cancelLate)-1].Round(time.Second), len(cancelLate))
	}
	// The work was spread: both nodes changed statuses (the plugin logs each change).
	for _, n := range []struct{ name, log string }{{"A", env.logFile}, {"B", filepath.Join(bDir, "mattermost.log")}} {
		data, err := os.ReadFile(n.log)
		must(t, err)
		done := strings.Count(string(data), `"msg":"status of `)
		t.Logf("node %s changed %d statuses", n.name, done)
		if done == 0 {
			t.Errorf("node %s did no status change: the users are not split between the nodes", n.name)
		}
	}
	var list []string
	for p := range problems {
		list = append(list, p)
	}
	sort.Strings(list)
	t.Logf("counted the bot's posts of %d users: %d problems", haUsers, len(list))
	for _, p := range list {
		t.Error(p)
	}
	t.Logf("the two-node story took %v", time.Since(began).Round(time.Second))
}
