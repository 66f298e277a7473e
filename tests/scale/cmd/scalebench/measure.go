package main

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ycal/yandex-calendar/tests/scale/davstub"
)

// Dist is a distribution in seconds.
type Dist struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_s"`
	P99 float64 `json:"p99_s"`
	Max float64 `json:"max_s"`
}

func dist(ms []int64) Dist {
	if len(ms) == 0 {
		return Dist{}
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i] < ms[j] })
	q := func(f float64) float64 {
		return float64(ms[min(len(ms)-1, int(math.Ceil(f*float64(len(ms))))-1)]) / 1000
	}
	return Dist{N: len(ms), P50: q(0.5), P99: q(0.99), Max: float64(ms[len(ms)-1]) / 1000}
}

func (d Dist) String() string {
	if d.N == 0 {
		return "none"
	}
	return fmt.Sprintf("p50 %.1f s, p99 %.1f s, max %.1f s (n=%d)", d.P50, d.P99, d.Max, d.N)
}

// Result is one run.
type Result struct {
	Mode      string  `json:"mode"`
	Users     int     `json:"users"`
	MaxEvents int     `json:"max_events_per_calendar"`
	Minutes   float64 `json:"minutes"`
	When      string  `json:"when"`

	SetupUsers int `json:"setup_users"` // connected during this stage's setup
	// Window is the measured window, UTC: reminders, statuses and digests crowd at the
	// half hours, so whether it holds one matters to the lateness.
	Window          string  `json:"window_utc"`
	SetupSeconds    float64 `json:"setup_s"`
	SetupCPUSeconds float64 `json:"setup_plugin_cpu_s"`

	PollsPerSecond float64 `json:"polls_per_s"`
	PollsExpected  float64 `json:"polls_expected_per_s"`
	Staleness      Dist    `json:"staleness"`
	ChangesMade    int     `json:"changes_made"`
	ChangesTold    int     `json:"changes_told"`
	ChangesLost    int     `json:"changes_not_told"`
	Superseded     int     `json:"changes_superseded"`

	Reminders        Dist `json:"reminder_lateness"`
	RemindersMissing int  `json:"reminders_missing"`
	RemindersDoubled int  `json:"reminders_doubled"`
	Digests          Dist `json:"digest_lateness"`
	DigestsMissing   int  `json:"digests_missing"`
	DigestsDoubled   int  `json:"digests_doubled"`
	ChangePosts      int  `json:"change_posts"`

	PluginCores float64            `json:"plugin_cores"`
	OtherCores  map[string]float64 `json:"other_cores"`
	RSSMaxMB    float64            `json:"plugin_rss_max_mb"`
	RSSEndMB    float64            `json:"plugin_rss_end_mb"`

	RequestsPerPoll     float64            `json:"requests_per_poll"`
	BytesPerPoll        float64            `json:"bytes_per_poll"`
	IdleRequestsPerPoll float64            `json:"idle_requests_per_poll"`
	IdleBytesPerPoll    float64            `json:"idle_bytes_per_poll"`
	QuietRequests       float64            `json:"quiet_requests_per_poll"`
	QuietKVWrites       float64            `json:"quiet_kv_writes_per_poll"`
	QuietPolls          int64              `json:"quiet_polls"`
	KVReadsPerPoll      float64            `json:"kv_reads_per_poll"`
	KVWritesPerPoll     float64            `json:"kv_writes_per_poll"`
	KVWritesByKind      map[string]float64 `json:"kv_writes_per_poll_by_kind"`
	Requests            map[string]int64   `json:"requests_by_kind"`
	Instances           string             `json:"instances"`
	Notes               string             `json:"notes"`
	Problems            string             `json:"problems,omitempty"`
}

func run(o options, emit func(*Result)) error {
	epoch := time.Now().Truncate(time.Minute)
	w := world(o, epoch)
	st, err := startStub(w, o.davLatency)
	if err != nil {
		return err
	}
	defer st.stop()
	logf("CalDAV stub at %s (%d users)", st.url, o.users)
	var t target
	switch o.mode {
	case "double":
		t, err = newDouble(o, st.url, w)
	case "real":
		t, err = newReal(o, st.url, w)
	default:
		err = fmt.Errorf("mode %q: double or real", o.mode)
	}
	if err != nil {
		return err
	}
	defer t.close()
	logf("plugin process %d", t.pluginPID())
	from := 0
	for _, n := range o.stages {
		res, err := measureStage(o, w, st, t, from, n)
		if err != nil {
			return err
		}
		emit(res)
		from = n
	}
	return nil
}

// measureStage connects users [from, n), lets their rounds settle, and measures a window
// with n users connected.
func measureStage(o options, w davstub.World, st *stub, t target, from, n int) (*Result, error) {
	res := &Result{Mode: o.mode, Users: n, SetupUsers: n - from, MaxEvents: max(min(o.maxEvents, 500), 50), Minutes: o.minutes,
		When: time.Now().UTC().Format(time.RFC3339), OtherCores: map[string]float64{}}
	if from > 0 {
		res.Notes = fmt.Sprintf("grown from %d users in the same plugin process", from)
	}
	pid := t.pluginPID()
	logf("connecting users %d to %d, %d at a time", from, n-1, o.workers)

	// Setup: every user connects and turns notifications on (their first sync runs then).
	t0 := time.Now()
	cpu0, _ := cpuTime(pid)
	if err := setup(o, t, from, n); err != nil {
		return nil, err
	}
	cpu1, _ := cpuTime(pid)
	res.SetupSeconds = time.Since(t0).Seconds()
	res.SetupCPUSeconds = (cpu1 - cpu0).Seconds()
	logf("setup done in %.0f s (plugin CPU %.0f s); %s", res.SetupSeconds, res.SetupCPUSeconds, t.instances())
	if err := st.connected(n); err != nil {
		return nil, err
	}
	w.Users = n // what the checks below expect: the connected users' meetings

	// Let the background rounds of every user run a few times.
	settle := time.Now().Truncate(time.Minute).Add(time.Duration(o.settleRounds)*time.Minute + 5*time.Second)
	if !o.windowAt.IsZero() && from == 0 {
		now := time.Now().UTC()
		at := time.Date(now.Year(), now.Month(), now.Day(), o.windowAt.Hour(), o.windowAt.Minute(), o.windowAt.Second(), 0, time.UTC)
		if at.Before(now.Add(-12 * time.Hour)) {
			at = at.Add(24 * time.Hour)
		}
		if at.After(settle) {
			settle = at
		} else {
			logf("-window-at %s passed before setup and settling were over", o.windowAt.Format("15:04:05"))
		}
	}
	logf("settling until %s", settle.Format("15:04:05"))
	time.Sleep(time.Until(settle))

	// The measured window.
	w0 := time.Now()
	if err := st.reset(); err != nil {
		return nil, err
	}
	t.resetKV()
	others := t.serverPIDs()
	otherCPU := map[string]time.Duration{}
	for name, pids := range others {
		for _, p := range pids {
			c, _ := cpuTime(p)
			otherCPU[name] -= c
		}
	}
	stubCPU0, _ := cpuTime(st.cmd.Process.Pid)
	c0, _ := cpuTime(pid)
	smp := sample(pid)
	if err := st.startChanges(o.rate, time.Minute); err != nil {
		return nil, err
	}
	logf("measuring for %.1f min", o.minutes)
	time.Sleep(time.Duration(o.minutes * float64(time.Minute)))
	_ = st.stopChanges()
	w1 := time.Now()
	c1, _ := cpuTime(pid)
	stubCPU1, _ := cpuTime(st.cmd.Process.Pid)
	for name, pids := range others {
		for _, p := range pids {
			c, _ := cpuTime(p)
			otherCPU[name] += c
		}
	}
	stats, err := st.stats()
	if err != nil {
		return nil, err
	}
	kv, kvKnown := t.kv()
	maxRSS, endRSS := smp.end()
	secs := w1.Sub(w0).Seconds()
	res.Window = w0.UTC().Format("15:04:05") + "–" + w1.UTC().Format("15:04:05")
	res.PluginCores = (c1 - c0).Seconds() / secs
	res.OtherCores["caldav-stub"] = (stubCPU1 - stubCPU0).Seconds() / secs
	for name, c := range otherCPU {
		res.OtherCores[name] = c.Seconds() / secs
	}
	res.RSSMaxMB, res.RSSEndMB = float64(maxRSS)/1e6, float64(endRSS)/1e6
	res.Instances = t.instances()

	polls := float64(stats.Kinds[davstub.KindHome].Requests)
	res.PollsPerSecond = polls / secs
	res.PollsExpected = float64(n) / 60
	var reqs, bytes int64
	res.Requests = map[string]int64{}
	for k, v := range stats.Kinds {
		reqs += v.Requests
		bytes += v.BytesIn + v.BytesOut
		if v.Requests > 0 {
			res.Requests[k] = v.Requests
		}
	}
	per := func(n, d float64) float64 {
		if d == 0 {
			return 0 // none of that cohort polled (the counts beside say so); JSON has no NaN
		}
		return n / d
	}
	res.RequestsPerPoll = per(float64(reqs), polls)
	res.BytesPerPoll = per(float64(bytes), polls)
	res.IdleRequestsPerPoll = per(float64(stats.Idle.Requests), float64(stats.Idle.Polls))
	res.IdleBytesPerPoll = per(float64(stats.Idle.BytesOut), float64(stats.Idle.Polls))
	res.QuietRequests = per(float64(stats.Quiet.Requests), float64(stats.Quiet.Polls))
	res.QuietPolls = stats.Quiet.Polls
	if kvKnown {
		res.KVReadsPerPoll = per(float64(kv.reads), polls)
		res.KVWritesPerPoll = per(float64(kv.writes), polls)
		res.QuietKVWrites = per(float64(kv.quietWrites), float64(stats.Quiet.Polls))
		res.KVWritesByKind = map[string]float64{}
		for k, v := range kv.byKind {
			res.KVWritesByKind[k] = math.Round(per(float64(v), polls)*1000) / 1000
		}
	}

	// Messages about the last changes come within an interval.
	logf("window over; waiting 75 s for the last changes' messages")
	time.Sleep(75 * time.Second)
	posts, err := t.posts(w0.UnixMilli())
	if err != nil {
		return nil, err
	}
	changes, err := st.changes(w0.UnixMilli())
	if err != nil {
		return nil, err
	}
	staleness(res, changes, posts)
	reminders(res, w, o, posts, w0, w1)
	digests(res, w, posts, w0, w1)
	var problems []string
	if res.RemindersMissing+res.RemindersDoubled+res.DigestsDoubled > 0 {
		problems = append(problems, fmt.Sprintf("reminders missing %d, doubled %d; digests doubled %d",
			res.RemindersMissing, res.RemindersDoubled, res.DigestsDoubled))
	}
	res.Problems = strings.Join(problems, "; ")
	return res, nil
}

func setup(o options, t target, from, to int) error {
	var next atomic.Int64
	next.Store(int64(from))
	var done atomic.Int64
	var firstErr error
	var retried atomic.Int64
	defer func() {
		if n := retried.Load(); n > 0 {
			logf("setup: %d users needed a second try", n)
		}
	}()
	var mu sync.Mutex
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() {
		tk := time.NewTicker(30 * time.Second)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
				logf("setup: %d of %d users", done.Load(), to-from)
			}
		}
	}()
	for range o.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				u := int(next.Add(1) - 1)
				if u >= to {
					return
				}
				err := t.setupUser(u)
				if err != nil {
					// As a person would: save again a little later (the dialogs are
					// idempotent). A second refusal ends the run.
					logf("setup of user %d failed, trying again in 5 s: %v", u, err)
					retried.Add(1)
					time.Sleep(5 * time.Second)
					err = t.setupUser(u)
				}
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stop)
	return firstErr
}

// staleness: from each change on the stub to the change message that names its new title.
func staleness(res *Result, changes []davstub.Change, posts []post) {
	told := map[int][]post{}
	for _, p := range posts {
		if p.kind == "changes" {
			told[p.user] = append(told[p.user], p)
			res.ChangePosts++
		}
	}
	last := map[string]int64{}
	for _, c := range changes {
		last[c.UID] = max(last[c.UID], c.AtMs)
	}
	var ms []int64
	for _, c := range changes {
		res.ChangesMade++
		found := false
		for _, p := range told[c.User] {
			if p.at >= c.AtMs && strings.Contains(p.message, c.Summary) {
				ms = append(ms, p.at-c.AtMs)
				found = true
				break
			}
		}
		switch {
		case found:
			res.ChangesTold++
		case last[c.UID] > c.AtMs:
			res.Superseded++ // changed again before a round saw it
		default:
			res.ChangesLost++
			var said []string
			for _, p := range told[c.User] {
				if p.at >= c.AtMs {
					said = append(said, p.message)
				}
			}
			logf("not told: user %d, %s %q at %s; change posts since: %q", c.User, c.UID, c.Summary,
				time.UnixMilli(c.AtMs).Format("15:04:05.000"), said)
		}
	}
	res.Staleness = dist(ms)
}

// reminders: every meeting not declined whose reminder time fell in the window must have
// exactly one reminder; lateness from that time to the post.
func reminders(res *Result, w davstub.World, o options, posts []post, w0, w1 time.Time) {
	lead := time.Duration(o.lead) * time.Minute
	type key struct {
		user int
		uid  string
	}
	got := map[key][]int64{}
	for _, p := range posts {
		if p.kind == "reminder" {
			uid, _, _ := strings.Cut(p.meeting, "|")
			got[key{p.user, uid}] = append(got[key{p.user, uid}], p.at)
		}
	}
	var ms []int64
	for u := range w.Users {
		if w.Quiet(u) {
			continue
		}
		for c := 1; c <= w.Calendars(u); c++ {
			for i := range w.Events(u, c) {
				e := w.Event(u, c, i)
				if e.Declined {
					continue
				}
				for _, s := range e.Starts() {
					due := s.Add(-lead)
					if due.Before(w0) || due.After(w1) {
						continue
					}
					k := key{u, davstub.UID(u, c, i)}
					n := 0
					for _, at := range got[k] {
						if d := at - due.UnixMilli(); d > -60_000 && d < 30*60_000 {
							if n == 0 {
								ms = append(ms, d)
							}
							n++
						}
					}
					switch {
					case n == 0:
						res.RemindersMissing++
					case n > 1:
						res.RemindersDoubled += n - 1
					}
				}
			}
		}
	}
	res.Reminders = dist(ms)
}

// digests: users whose digest time fell in the window get one, at that time.
func digests(res *Result, w davstub.World, posts []post, w0, w1 time.Time) {
	got := map[int][]int64{}
	for _, p := range posts {
		if p.kind == "digest" {
			got[p.user] = append(got[p.user], p.at)
		}
	}
	var ms []int64
	for u := range w.Users {
		if w.Quiet(u) {
			continue
		}
		loc, err := time.LoadLocation(w.TZ(u))
		if err != nil {
			continue
		}
		var hh, mm int
		_, _ = fmt.Sscanf(w.Digest(u), "%d:%d", &hh, &mm)
		seen := map[int64]bool{}
		for _, day := range []time.Time{w0.In(loc), w1.In(loc)} {
			at := time.Date(day.Year(), day.Month(), day.Day(), hh, mm, 0, 0, loc)
			if at.Before(w0) || at.After(w1) || seen[at.UnixMilli()] {
				continue
			}
			seen[at.UnixMilli()] = true
			n := 0
			for _, p := range got[u] {
				if d := p - at.UnixMilli(); d > -60_000 && d < 30*60_000 {
					if n == 0 {
						ms = append(ms, d)
					}
					n++
				}
			}
			switch {
			case n == 0:
				res.DigestsMissing++
			case n > 1:
				res.DigestsDoubled += n - 1
			}
		}
	}
	res.Digests = dist(ms)
}

func (r *Result) print(out io.Writer) {
	p := func(format string, args ...any) { fmt.Fprintf(out, format+"\n", args...) }
	p("== bench-scale: %d users (1-3 calendars, 50-%d events each), %s, %.1f-minute window (sync interval 1 min, %s of calendars changed per minute)",
		r.Users, r.MaxEvents, map[string]string{"double": "real plugin process on the plugin-API double", "real": "real Mattermost + PostgreSQL"}[r.Mode],
		r.Minutes, "1%")
	p("window (UTC):             %s", r.Window)
	p("setup (connect + notifications, first sync) of %d users: %.0f s, plugin CPU %.0f s", r.SetupUsers, r.SetupSeconds, r.SetupCPUSeconds)
	p("polls/s sustained:        %.1f (one per user per minute would be %.1f)", r.PollsPerSecond, r.PollsExpected)
	p("staleness (change→message): %s; changes %d, told %d, superseded %d, not told %d; change posts %d",
		r.Staleness, r.ChangesMade, r.ChangesTold, r.Superseded, r.ChangesLost, r.ChangePosts)
	p("reminder lateness:        %s; missing %d, doubled %d", r.Reminders, r.RemindersMissing, r.RemindersDoubled)
	p("digest lateness:          %s; missing %d, doubled %d", r.Digests, r.DigestsMissing, r.DigestsDoubled)
	p("plugin CPU:               %.2f cores; RSS max %.0f MB, end %.0f MB", r.PluginCores, r.RSSMaxMB, r.RSSEndMB)
	var others []string
	for k, v := range r.OtherCores {
		others = append(others, fmt.Sprintf("%s %.2f", k, v))
	}
	sort.Strings(others)
	p("other processes' CPU:     %s cores", strings.Join(others, ", "))
	p("CalDAV per poll:          %.2f requests, %.0f bytes (all users); idle users %.2f requests, %.0f bytes; quiet users %.2f",
		r.RequestsPerPoll, r.BytesPerPoll, r.IdleRequestsPerPoll, r.IdleBytesPerPoll, r.QuietRequests)
	p("requests by kind:         %v", r.Requests)
	if r.KVWritesByKind != nil {
		p("KV per poll:              %.1f reads, %.2f writes; quiet users' writes per poll %.3f (%d polls)",
			r.KVReadsPerPoll, r.KVWritesPerPoll, r.QuietKVWrites, r.QuietPolls)
		var kinds []string
		for k, v := range r.KVWritesByKind {
			kinds = append(kinds, fmt.Sprintf("%s %.3f", k, v))
		}
		sort.Strings(kinds)
		p("KV writes per poll by key: %s", strings.Join(kinds, ", "))
	}
	p("instances:                %s", r.Instances)
	if r.Notes != "" {
		p("notes: %s", r.Notes)
	}
}
