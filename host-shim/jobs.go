package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
	"github.com/mattermost/mattermost/server/public/pluginapi/cluster"

	"github.com/ycal/yandex-calendar/host-shim/component"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// Background work (wit/types.wit, job): the component decides, the host runs it.
//
//   - Every node ticks every ten seconds (tickPeriod, on the period's boundaries): the
//     component renews the node's share of the users (leases in KV, so the nodes split the
//     users and a dead node's share is taken over) and names the users of the share whose
//     round fell due since the node's last tick; they are queued, spread over the tick
//     when there are many (paceFor). A few workers run
//     `run-job(user(id))` at once, each in a background slot of the runtime (never an
//     interactive one). A user already queued or running is not queued twice. When the
//     plugin stops, a last tick gives the node's share back.
//   - One-off jobs (`scheduler.schedule-once`) are Mattermost's job-once scheduler: kept in
//     KV as `once_<key>`, armed in memory on the node that scheduled them (other nodes pick
//     them up by polling every five minutes, and every node at start fires those whose time
//     passed). The scheduler calls back one job at a time, so the callback only queues the
//     key; workers run `run-job(due(key))` in the runtime's timely slots, apart from the
//     rounds, so a reminder never waits for a backlog of syncs.

const (
	// maxJobKey: the scheduler stores `once_<key>` and `mutex_<key>`, within Mattermost's
	// 150 characters (wit/host.wit, scheduler).
	maxJobKey = 100
	// oncePrefix is the job-once scheduler's own KV prefix for a job's metadata.
	oncePrefix = "once_"
	// queueSize bounds the users and fired jobs waiting for a worker.
	queueSize = 100_000
	// drainTimeout bounds how long deactivation waits for the background calls in flight.
	// A round cut short keeps its user's round lease until it expires (two minutes in which
	// that user's changes are not told), and Mattermost kills the plugin process right
	// after OnDeactivate; at server shutdown it gives OnDeactivate 10 s in all.
	drainTimeout = 5 * time.Second
	// tickPeriod is how often a node ticks (wit/types.wit, job.tick).
	tickPeriod = 10 * time.Second
)

// minRoundWorkers is how many rounds run at once however few are due.
const minRoundWorkers = 2

// background runs users' rounds and fired one-off jobs for one activation.
type background struct {
	p      *Plugin
	rt     *component.Runtime
	rounds chan string
	due    chan string
	stop   chan struct{}
	halt   sync.Once
	done   sync.WaitGroup

	mu       sync.Mutex
	queued   map[string]bool // users whose round is queued or running
	stopping bool            // set by close, under mu: no one-off job is queued after it

	// Round workers follow the load (scale): enough to run a tick's rounds within half a
	// tick at their average duration — rounds mostly wait on the CalDAV server — up to the
	// runtime's background slots.
	maxRounds    int
	roundWorkers atomic.Int32
	wantRounds   atomic.Int32
	roundNanos   atomic.Int64 // moving average of a round's duration
}

func newBackground(p *Plugin, rt *component.Runtime, maxRounds, dueWorkers int) *background {
	b := &background{p: p, rt: rt, rounds: make(chan string, queueSize), due: make(chan string, queueSize),
		stop: make(chan struct{}), queued: map[string]bool{}, maxRounds: max(maxRounds, 1)}
	b.scale(0)
	for range dueWorkers {
		b.done.Add(1)
		go b.work(b.due, func(key string) wit.Job { return wit.JobDue(key) }, nil, true)
	}
	return b
}

// scale sizes the round workers for `due` rounds per tick.
func (b *background) scale(due int) {
	avg := time.Duration(b.roundNanos.Load())
	if avg <= 0 {
		avg = 100 * time.Millisecond
	}
	want := int(math.Ceil(float64(due) * avg.Seconds() / (tickPeriod.Seconds() / 2)))
	want = min(max(want, minRoundWorkers), b.maxRounds)
	b.wantRounds.Store(int32(want))
	for {
		cur := b.roundWorkers.Load()
		if int(cur) >= want {
			return
		}
		if b.roundWorkers.CompareAndSwap(cur, cur+1) {
			b.done.Add(1)
			go b.roundWorker()
		}
	}
}

func (b *background) roundWorker() {
	defer b.done.Done()
	for {
		select {
		case <-b.stop:
			b.roundWorkers.Add(-1)
			return
		case user := <-b.rounds:
			start := time.Now()
			b.run(wit.JobUser(user))
			b.roundDone(user)
			// A moving average over about the last eight rounds.
			took := int64(time.Since(start))
			old := b.roundNanos.Load()
			if old == 0 {
				old = took
			}
			b.roundNanos.Store(old - old/8 + took/8)
			// Fewer wanted and nothing waiting: this one stops.
			if cur := b.roundWorkers.Load(); cur > b.wantRounds.Load() && len(b.rounds) == 0 &&
				b.roundWorkers.CompareAndSwap(cur, cur-1) {
				return
			}
		}
	}
}

// work runs the items of queue until stopped. Stopped, a rounds worker takes nothing more
// (a queued round comes again at the next tick); a due-jobs worker, with finish, first runs
// what is queued: the scheduler forgets a job once it has handed it over, so a reminder
// queued at a restart would otherwise wait for the user's next round.
func (b *background) work(queue chan string, job func(string) wit.Job, after func(string), finish bool) {
	defer b.done.Done()
	do := func(item string) {
		b.run(job(item))
		if after != nil {
			after(item)
		}
	}
	for {
		select {
		case <-b.stop:
			for finish {
				select {
				case item := <-queue:
					do(item)
				default:
					return
				}
			}
			return
		default:
		}
		select {
		case <-b.stop:
			// Back to the top: finish, or leave.
		case item := <-queue:
			do(item)
		}
	}
}

func (b *background) run(job wit.Job) {
	defer b.p.recovered("run-job")
	if _, err := b.rt.RunJob(context.Background(), job); err != nil {
		what := "round of " + deref(job.User)
		if job.Due != nil {
			what = "job " + *job.Due
		}
		b.p.API.LogError("background job failed", "job", what, "error", err.Error())
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func (b *background) roundDone(user string) {
	b.mu.Lock()
	delete(b.queued, user)
	b.mu.Unlock()
}

// queueRound queues a user's round unless it is queued or running already; false if not.
func (b *background) queueRound(user string) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.queued[user] {
		return false
	}
	select {
	case b.rounds <- user:
		b.queued[user] = true
		return true
	default:
		return false // full: the user's next round comes at the next interval
	}
}

// fired queues a one-off job that came due, waiting while the queue is full; false once
// this activation stops (the job is for the next one). Nothing is queued after close, so
// the due workers, which finish the queue when stopped, run everything queued.
func (b *background) fired(key string) bool {
	for {
		b.mu.Lock()
		if b.stopping {
			b.mu.Unlock()
			return false
		}
		select {
		case b.due <- key:
			b.mu.Unlock()
			return true
		default:
		}
		b.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
	}
}

// close stops the workers from taking more work (once; again does nothing).
func (b *background) close() {
	b.halt.Do(func() {
		b.mu.Lock()
		b.stopping = true
		b.mu.Unlock()
		close(b.stop)
	})
}

// drain waits up to d for the calls in flight to end; false if some still run (they end
// with the runtime).
func (b *background) drain(d time.Duration) bool {
	done := make(chan struct{})
	go func() {
		b.done.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

// The job-once scheduler is a process-wide singleton in pluginapi/cluster: it is created and
// started once, talks to the plugin API through onceAPI (the active plugin's), and hands
// fired jobs to whichever activation is current.
var onceJobs struct {
	start sync.Once
	err   error
	sched atomic.Pointer[cluster.JobOnceScheduler] // set once started
	api   atomic.Pointer[apiRef]
	fire  atomic.Pointer[func(string) bool]
}

type apiRef struct{ api plugin.API }

// onceAPI is the plugin API of the current activation, for the scheduler.
type onceAPI struct{}

func (onceAPI) api() plugin.API { return onceJobs.api.Load().api }

func (o onceAPI) KVGet(key string) ([]byte, *model.AppError) { return o.api().KVGet(key) }
func (o onceAPI) KVDelete(key string) *model.AppError        { return o.api().KVDelete(key) }
func (o onceAPI) KVList(page, count int) ([]string, *model.AppError) {
	return o.api().KVList(page, count)
}
func (o onceAPI) KVSetWithOptions(key string, value []byte, opts model.PluginKVSetOptions) (bool, *model.AppError) {
	return o.api().KVSetWithOptions(key, value, opts)
}
func (o onceAPI) LogError(msg string, kv ...any) { o.api().LogError(msg, kv...) }

// startOnceJobs points the scheduler at this activation and starts it the first time. Jobs
// whose time passed while no node ran them fire at once.
func (p *Plugin) startOnceJobs(fire func(key string) bool) error {
	onceJobs.api.Store(&apiRef{p.API})
	onceJobs.fire.Store(&fire)
	onceJobs.start.Do(func() {
		s := cluster.GetJobOnceScheduler(onceAPI{})
		if err := s.SetCallback(func(key string, _ any) {
			// Between activations (a restart) a job waits for the next one: the scheduler
			// removes it from KV only once this returns, so if the process ends first, the
			// next process runs it.
			for {
				if f := onceJobs.fire.Load(); f != nil && (*f)(key) {
					return
				}
				time.Sleep(50 * time.Millisecond)
			}
		}); err != nil {
			onceJobs.err = err
			return
		}
		if onceJobs.err = s.Start(); onceJobs.err == nil {
			onceJobs.sched.Store(s)
		}
	})
	return onceJobs.err
}

var errNoScheduler = errors.New("the job scheduler is not running")

// scheduleOnce arms job key for at; false if it is armed already.
func (p *Plugin) scheduleOnce(key string, at time.Time) (bool, error) {
	if n := len([]rune(key)); n == 0 || n > maxJobKey {
		return false, fmt.Errorf("job key of %d characters (1 to %d)", n, maxJobKey)
	}
	s := onceJobs.sched.Load()
	if s == nil {
		return false, errNoScheduler
	}
	if _, err := s.ScheduleOnce(key, at, nil); err != nil {
		// The scheduler refuses a key that exists; tell that apart from a failure.
		if v, appErr := p.API.KVGet(oncePrefix + key); appErr == nil && v != nil {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// cancelOnce disarms job key (on this node, and in KV for the others).
func (p *Plugin) cancelOnce(key string) {
	if s := onceJobs.sched.Load(); s != nil && len([]rune(key)) <= maxJobKey && key != "" {
		s.Cancel(key)
	}
}

// ticker runs the node's ticks until stop is closed; a tick that failed is covered by the
// next one (its since stays).
func (p *Plugin) ticker(a *active, stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	since := p.now().Add(-tickPeriod)
	for n := 0; ; n++ {
		next := time.Now().Truncate(tickPeriod).Add(tickPeriod)
		select {
		case <-stop:
			return
		case <-time.After(time.Until(next)):
		}
		now := p.now()
		if p.runTick(a, since) {
			since = now
		}
		if n%6 == 0 {
			live, peak := a.runtime.Pool().Instances()
			p.API.LogDebug("component instances", "live", live, "peak", peak, "round workers", int(a.bg.roundWorkers.Load()),
				"rounds queued", len(a.bg.rounds), "jobs queued", len(a.bg.due),
				"round ms", float64(a.bg.roundNanos.Load())/1e6)
		}
	}
}

// runTick runs one tick of this node covering the rounds due since `since`, and queues
// them; false if the tick failed.
func (p *Plugin) runTick(a *active, since time.Time) bool {
	defer p.recovered("tick")
	if p.active.Load() != a {
		return false // deactivated meanwhile
	}
	report, err := a.runtime.RunJob(context.Background(), wit.JobTick(wit.TickInfo{Node: a.node, SinceMs: since.UnixMilli()}))
	if err != nil {
		p.API.LogError("tick failed", "error", err.Error())
		return false
	}
	a.bg.scale(len(report.DueUsers))
	go func() {
		if skipped := a.bg.feed(report.DueUsers); skipped > 0 {
			p.API.LogDebug("tick: rounds already queued or running", "users", fmt.Sprint(skipped))
		}
	}()
	return true
}

// maxPace is the most a tick's rounds are queued apart: a handful go at once.
const maxPace = 5 * time.Millisecond

// paceFor is how far apart a tick's n rounds are queued. Many are spread over most of the
// tick: queued at once, 1,650 rounds (10,000 users) held both cores for seconds at every
// ten-second mark — where reminders, statuses and digests fall due — and reminders came
// p99 7 s late (make bench-scale).
func paceFor(n int) time.Duration {
	if n <= 1 {
		return 0
	}
	return min(tickPeriod*8/10/time.Duration(n), maxPace)
}

// feed queues a tick's rounds paced by paceFor, until the activation stops; it returns how
// many were queued or running already.
func (b *background) feed(users []string) (skipped int) {
	pace := paceFor(len(users))
	next := time.Now()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for i, u := range users {
		if i > 0 && pace > 0 {
			next = next.Add(pace)
			timer.Reset(time.Until(next))
			select {
			case <-b.stop:
				return skipped
			case <-timer.C:
			}
		}
		if !b.queueRound(u) {
			skipped++
		}
	}
	return skipped
}

// leave gives the node's share of the users back, so the other nodes take it at once.
func (p *Plugin) leave(a *active) {
	defer p.recovered("leave")
	if _, err := a.runtime.RunJob(context.Background(), wit.JobTick(wit.TickInfo{Node: a.node,
		SinceMs: p.now().UnixMilli(), Leaving: true})); err != nil {
		p.API.LogWarn("giving the node's users back failed; the others take them when its lease runs out", "error", err.Error())
	}
}
