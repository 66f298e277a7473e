package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// TestReminderLateness is `make bench`'s reminder measurement (tests/bench/reminders.sh):
// YCAL_BENCH_REMINDERS users (default 1,000), each connected through the connect dialog
// to one Radicale calendar with reminders one minute before, all get a reminder in the
// same minute. The plugin is the real shim with the real component.wasm; Mattermost is
// the plugin-API test double, and the scheduler is Mattermost's job-once scheduler on it.
// It prints how late each reminder's post was made after its time (p50, p99, max), and
// fails if one is missing or doubled.
func TestReminderLateness(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("YCAL_BENCH_REMINDERS"))
	if n <= 0 {
		t.Skip("set YCAL_BENCH_REMINDERS=<users> (make bench)")
	}
	caldav := startRadicale(t)
	cal := caldav + "user/work/"
	dav(t, "mkcal", cal, "Работа")

	api := newFakeAPI(t)
	api.config["caldavurl"] = caldav
	api.config["reminderleadminutes"] = float64(1)
	api.config["syncintervalminutes"] = float64(1)
	users := make([]string, n)
	for i := range users {
		users[i] = fmt.Sprintf("u%025d", i)
		api.users[users[i]] = &model.User{Id: users[i], Username: users[i], Email: users[i] + "@example.com",
			Locale: "ru", Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "Europe/Moscow"}}
	}
	p := activatedWith(t, api)

	// Everyone connects and turns reminders on, eight at a time (as people would, roughly).
	t0 := time.Now()
	var wg sync.WaitGroup
	work := make(chan string)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for u := range work {
				submit(t, p, u, "/dialog/connect", map[string]any{"login": "user", "password": "secret", "timezone": ""})
				submit(t, p, u, "/dialog/notifications", map[string]any{"digest": "off", "digest_days": "weekdays",
					"digest_empty": false, "reminder": "1", "status": false, "changes": false, "answers": false})
			}
		}()
	}
	for _, u := range users {
		work <- u
	}
	close(work)
	wg.Wait()
	t.Logf("%d users connected, reminders on, in %v", n, time.Since(t0).Round(time.Second))

	// One meeting for all, starting on a minute boundary at least two minutes ahead; the
	// minute ticks find it (every user's round is due every minute) and arm the reminders.
	start := time.Now().Add(150 * time.Second).Truncate(time.Minute).Add(time.Minute)
	remindAt := start.Add(-time.Minute)
	ics := strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//bench//EN", "BEGIN:VEVENT",
		"UID:bench-1", "DTSTAMP:20250101T000000Z",
		"DTSTART:" + start.UTC().Format("20060102T150405Z"),
		"DTEND:" + start.Add(30*time.Minute).UTC().Format("20060102T150405Z"),
		"SUMMARY:Планёрка", "X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/1", "END:VEVENT", "END:VCALENDAR", ""}, "\r\n")
	file := filepath.Join(t.TempDir(), "bench.ics")
	if err := os.WriteFile(file, []byte(ics), 0o644); err != nil {
		t.Fatal(err)
	}
	dav(t, "put", cal+"bench-1.ics", file)
	t1 := time.Now()
	a := p.active.Load()
	for time.Now().Before(remindAt.Add(-5 * time.Second)) {
		if armed(api) >= n {
			break
		}
		p.runTick(a, time.Now().Add(-time.Minute))
		time.Sleep(2 * time.Second)
	}
	t.Logf("%d of %d reminders armed %v after the meeting was created (reminders due %v later)",
		armed(api), n, time.Since(t1).Round(time.Second), time.Until(remindAt).Round(time.Second))

	deadline := remindAt.Add(60 * time.Second)
	var late []float64
	doubled := 0
	for time.Now().Before(deadline) {
		late, doubled = reminders(api, remindAt)
		if len(late)+doubled >= n && time.Now().After(remindAt.Add(5*time.Second)) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	sort.Float64s(late)
	q := func(f float64) float64 {
		if len(late) == 0 {
			return -1
		}
		return late[min(len(late)-1, int(f*float64(len(late))))]
	}
	fmt.Printf("reminder lateness, %d reminders due in the same minute (Go host + component.wasm, job-once scheduler on the plugin-API double): p50 %.0f ms, p99 %.0f ms, max %.0f ms; missing %d, doubled %d\n",
		n, q(0.5), q(0.99), q(1), n-len(late), doubled)
	if len(late) != n || doubled != 0 {
		t.Fatalf("%d of %d reminders posted, %d doubled", len(late), n, doubled)
	}
}

// armed counts the one-off jobs kept in KV.
func armed(api *fakeAPI) int {
	api.mu.Lock()
	defer api.mu.Unlock()
	c := 0
	for k := range api.kv {
		if strings.HasPrefix(k, oncePrefix) {
			c++
		}
	}
	return c
}

// reminders: how late each user's first reminder post came (ms), and how many users got
// more than one.
func reminders(api *fakeAPI, at time.Time) ([]float64, int) {
	api.mu.Lock()
	defer api.mu.Unlock()
	first := map[string]int64{}
	doubled := 0
	for _, p := range api.posts {
		if p.GetProp("ycal_kind") != "reminder" {
			continue
		}
		if _, seen := first[p.ChannelId]; seen {
			doubled++
			continue
		}
		first[p.ChannelId] = p.CreateAt
	}
	out := make([]float64, 0, len(first))
	for _, created := range first {
		out = append(out, float64(created-at.UnixMilli()))
	}
	return out, doubled
}

func submit(t *testing.T, p *Plugin, user, path string, submission map[string]any) {
	body, _ := json.Marshal(map[string]any{"callback_id": "x", "state": strings.TrimPrefix(path, "/dialog/"),
		"channel_id": "", "submission": submission})
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
	r.Header.Set("Mattermost-User-Id", user)
	p.ServeHTTP(&plugin.Context{}, w, r)
	if w.Code != http.StatusOK || strings.Contains(w.Body.String(), "error") {
		t.Errorf("%s for %s: %d %s", path, user, w.Code, w.Body.String())
	}
}

func startRadicale(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	out, err := exec.Command("bash", "../tests/servers/radicale.sh", "start", dir).Output()
	if err != nil {
		t.Fatalf("radicale.sh start: %v", err)
	}
	t.Cleanup(func() { _ = exec.Command("bash", "../tests/servers/radicale.sh", "stop", dir).Run() })
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return lines[len(lines)-1]
}

func dav(t *testing.T, args ...string) {
	t.Helper()
	if out, err := exec.Command("python3", append([]string{"../tests/servers/dav.py"}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("dav.py %v: %v\n%s", args, err, out)
	}
}
