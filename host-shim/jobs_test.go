package main

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// observed records the run-job calls the component answered.
type observed struct {
	mu   sync.Mutex
	jobs []wit.Job
}

func (o *observed) see(kind, name string, args []reflect.Value, _ reflect.Value) {
	if kind != "export" || name != wit.ExportRunJob.Name {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.jobs = append(o.jobs, args[0].Interface().(wit.Job))
}

func (o *observed) has(match func(wit.Job) bool) bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, j := range o.jobs {
		if match(j) {
			return true
		}
	}
	return false
}

func activatedObserved(t *testing.T, api *fakeAPI) (*Plugin, *observed) {
	t.Helper()
	o := &observed{}
	p := &Plugin{getenv: func(string) string { return "" }, observe: o.see}
	p.SetAPI(api)
	if err := p.OnActivate(); err != nil {
		t.Fatalf("OnActivate: %v\nlogs: %v", err, api.allLogs())
	}
	t.Cleanup(func() { _ = p.OnDeactivate() })
	return p, o
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// notifyShard is the index record the component keeps of users with notifications
// (src/store/keys.rs notify_shard, index_shard_of).
func notifyShard(users ...string) map[string][]byte {
	shards := map[string][]string{}
	for _, u := range users {
		sum := sha256.Sum256([]byte(u))
		key := fmt.Sprintf("v1/notify/%02x", sum[0]%64)
		shards[key] = append(shards[key], u)
	}
	out := map[string][]byte{}
	for k, us := range shards {
		b, _ := json.Marshal(map[string]any{"v": 1, "d": map[string]any{"users": us}})
		out[k] = b
	}
	return out
}

// The tick asks the component which users' rounds are due and runs each in the
// background (every user every minute here); a round of a user whose notifications are
// gone takes them out of the index.
func TestTickRunsTheDueUsersRounds(t *testing.T) {
	api := newFakeAPI(t)
	api.config["syncintervalminutes"] = float64(1)
	users := []string{"aaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbb"}
	for k, v := range notifyShard(users...) {
		api.kv[k] = v
	}
	p, o := activatedObserved(t, api)
	p.runTick(p.active.Load(), time.Now().Add(-time.Minute))
	for _, u := range users {
		eventually(t, "the round of "+u, func() bool {
			return o.has(func(j wit.Job) bool { return j.User != nil && *j.User == u })
		})
	}
	eventually(t, "the index emptied by the rounds", func() bool {
		for k := range notifyShard(users...) {
			if api.stored(k) != nil {
				return false
			}
		}
		return true
	})
	for _, l := range api.allLogs() {
		if strings.HasPrefix(l, "error") {
			t.Errorf("logged: %s", l)
		}
	}
}

// A one-off job fires at its time through Mattermost's job-once scheduler (kept in KV
// meanwhile) and reaches the component as due(key); a key armed twice is armed once; a
// cancelled job never fires.
func TestOneOffJobsFireOnceAtTheirTime(t *testing.T) {
	api := newFakeAPI(t)
	p, o := activatedObserved(t, api)
	key := "v1/j/cccccccccccccccccccccccccc/1"
	at := time.Now().Add(300 * time.Millisecond)
	armed, err := p.scheduleOnce(key, at)
	if err != nil || !armed {
		t.Fatalf("schedule: %v %v", armed, err)
	}
	if api.stored(oncePrefix+key) == nil {
		t.Fatal("the job is not kept in KV")
	}
	if again, err := p.scheduleOnce(key, at); err != nil || again {
		t.Fatalf("armed twice: %v %v", again, err)
	}
	gone := "v1/j/cccccccccccccccccccccccccc/2"
	if ok, err := p.scheduleOnce(gone, at); err != nil || !ok {
		t.Fatalf("schedule: %v %v", ok, err)
	}
	p.cancelOnce(gone)
	if api.stored(oncePrefix+gone) != nil {
		t.Fatal("a cancelled job stays in KV")
	}
	eventually(t, "the job to fire", func() bool {
		return o.has(func(j wit.Job) bool { return j.Due != nil && *j.Due == key })
	})
	if time.Now().Before(at) {
		t.Fatal("fired early")
	}
	eventually(t, "the job to leave KV", func() bool { return api.stored(oncePrefix+key) == nil })
	time.Sleep(500 * time.Millisecond)
	if o.has(func(j wit.Job) bool { return j.Due != nil && *j.Due == gone }) {
		t.Fatal("a cancelled job fired")
	}
	if _, err := p.scheduleOnce(strings.Repeat("k", maxJobKey+1), at); err == nil {
		t.Fatal("a key too long for KV was armed")
	}
}

// A job armed before a restart (deactivate, activate) still fires, into the new
// activation, even when its time comes while no activation runs.
func TestOneOffJobsSurviveARestart(t *testing.T) {
	api := newFakeAPI(t)
	first := &Plugin{getenv: func(string) string { return "" }}
	first.SetAPI(api)
	if err := first.OnActivate(); err != nil {
		t.Fatal(err)
	}
	key := "v1/j/dddddddddddddddddddddddddd/1"
	if ok, err := first.scheduleOnce(key, time.Now().Add(700*time.Millisecond)); err != nil || !ok {
		t.Fatalf("schedule: %v %v", ok, err)
	}
	_ = first.OnDeactivate()
	// Its time passes between the activations.
	time.Sleep(2200 * time.Millisecond)
	if api.stored(oncePrefix+key) == nil {
		t.Fatal("a job that fell due between activations left KV: a process ending now would lose it")
	}
	_, o := activatedObserved(t, api)
	eventually(t, "the job to fire after the restart", func() bool {
		return o.has(func(j wit.Job) bool { return j.Due != nil && *j.Due == key })
	})
}

// Deactivation (a restart, an upgrade, a disable) lets the rounds in flight end, so they
// give their users' leases back: a round cut short while syncing would keep its user's
// sync lease (and one storing, its round lease) until it expires, a time in which that
// user's changes are not told.
func TestDeactivationLetsTheRoundsInFlightEnd(t *testing.T) {
	caldav := startRadicale(t)
	dav(t, "mkcal", caldav+"user/work/", "Работа")
	// The CalDAV server, behind a proxy that turns slow on demand.
	target, err := url.Parse(caldav)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	var slow atomic.Bool
	var held atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if slow.Load() {
			held.Add(1)
			time.Sleep(1500 * time.Millisecond)
		}
		proxy.ServeHTTP(w, r)
	}))
	defer srv.Close()

	api := newFakeAPI(t)
	api.config["caldavurl"] = srv.URL + "/"
	user := "eeeeeeeeeeeeeeeeeeeeeeeeee"
	api.users[user] = &model.User{Id: user, Username: "ivan", Email: "ivan@example.com", Locale: "ru",
		Timezone: model.StringMap{"useAutomaticTimezone": "false", "manualTimezone": "Europe/Moscow"}}
	p := &Plugin{getenv: func(string) string { return "" }}
	p.SetAPI(api)
	if err := p.OnActivate(); err != nil {
		t.Fatalf("OnActivate: %v", err)
	}
	submit(t, p, user, "/dialog/connect", map[string]any{"login": "user", "password": "secret", "timezone": ""})
	submit(t, p, user, "/dialog/notifications", map[string]any{"digest": "off", "digest_days": "weekdays",
		"digest_empty": false, "reminder": "10", "status": true, "changes": true, "answers": true})

	// A new meeting: the round's probe sees the calendar changed and syncs it under the
	// user's sync lease, fetching from the (now slow) server.
	ics := strings.Join([]string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", "BEGIN:VEVENT",
		"UID:drain-1", "DTSTAMP:20250101T000000Z",
		"DTSTART:" + time.Now().Add(2*time.Hour).UTC().Format("20060102T150405Z"),
		"DTEND:" + time.Now().Add(3*time.Hour).UTC().Format("20060102T150405Z"),
		"SUMMARY:Планёрка", "END:VEVENT", "END:VCALENDAR", ""}, "\r\n")
	file := filepath.Join(t.TempDir(), "drain.ics")
	if err := os.WriteFile(file, []byte(ics), 0o644); err != nil {
		t.Fatal(err)
	}
	dav(t, "put", caldav+"user/work/drain-1.ics", file)
	leases := []string{"v1/u/" + user + "/lease", "v1/u/" + user + "/round"}
	slow.Store(true)
	if !p.active.Load().bg.queueRound(user) {
		t.Fatal("the round was not queued")
	}
	eventually(t, "the round to wait on the server under the lease", func() bool {
		return held.Load() > 1 && api.stored(leases[0]) != nil
	})
	if err := p.OnDeactivate(); err != nil {
		t.Fatalf("OnDeactivate: %v", err)
	}
	for _, lease := range leases {
		if api.stored(lease) != nil {
			t.Fatalf("%s is still held after deactivation; logs: %v", lease, api.allLogs())
		}
	}
}

// One-off jobs already handed over by the scheduler (it forgets them then) still run when
// the plugin deactivates: a reminder queued at a restart is not left to the next round.
func TestStoppingRunsTheQueuedOneOffJobs(t *testing.T) {
	api := newFakeAPI(t)
	p, o := activatedObserved(t, api)
	bg := p.active.Load().bg
	const n = 100
	// Mattermost is slow: the workers hold their first jobs while the plugin stops.
	api.mu.Lock()
	for i := range n {
		bg.fired(fmt.Sprintf("v1/j/ffffffffffffffffffffffffff/%d", i))
	}
	time.Sleep(100 * time.Millisecond)
	bg.close()
	api.mu.Unlock()
	if !bg.drain(drainTimeout) {
		t.Fatal("the queued jobs did not end within the drain")
	}
	ran := 0
	o.mu.Lock()
	for _, j := range o.jobs {
		if j.Due != nil {
			ran++
		}
	}
	o.mu.Unlock()
	if ran != n {
		t.Fatalf("%d of %d queued one-off jobs ran", ran, n)
	}
}

// A tick's rounds go to the workers at once when few, and spread over most of the tick
// when many, so they do not all run at the mark where reminders fall due; a stop ends the
// feeding.
func TestATicksRoundsAreSpreadOverTheTick(t *testing.T) {
	if paceFor(0) != 0 || paceFor(1) != 0 || paceFor(10) != maxPace {
		t.Fatalf("few rounds: %v %v %v", paceFor(0), paceFor(1), paceFor(10))
	}
	if p := paceFor(10_000); p != tickPeriod*8/10/10_000 {
		t.Fatalf("10,000 rounds %v apart", p)
	}
	users := make([]string, 1000)
	for i := range users {
		users[i] = fmt.Sprintf("u%025d", i)
	}
	b := &background{rounds: make(chan string, len(users)), stop: make(chan struct{}), queued: map[string]bool{}}
	b.queued[users[1]] = true // already queued: counted, not queued again
	start := time.Now()
	done := make(chan int)
	go func() { done <- b.feed(users) }()
	first := <-b.rounds
	if first != users[0] || time.Since(start) > time.Second {
		t.Fatalf("first round %q after %v", first, time.Since(start))
	}
	var skipped int
	select {
	case skipped = <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("feeding never ended")
	}
	spread := time.Since(start)
	if want := time.Duration(len(users)-2) * maxPace; spread < want || len(b.rounds) != len(users)-2 || skipped != 1 {
		t.Fatalf("%d rounds queued over %v (want at least %v), %d skipped", len(b.rounds)+1, spread, want, skipped)
	}

	stopped := &background{rounds: make(chan string, len(users)), stop: make(chan struct{}), queued: map[string]bool{}}
	close(stopped.stop)
	if stopped.feed(users); len(stopped.rounds) > 1 {
		t.Fatalf("%d rounds queued after the stop", len(stopped.rounds))
	}
}
