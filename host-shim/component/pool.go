package component

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"sync/atomic"
	"time"
)

// Pool lends instances to calls so concurrent hooks don't wait for each other. An instance
// whose call failed (trap, timeout, ABI error) is closed and replaced by a fresh one later:
// a broken instance is never reused, and the plugin never stops for good.
//
// Interactive and lifecycle calls share one set of slots; background calls (rounds) and
// timely ones (jobs that came due) have their own each, so a long job never makes a person
// wait for a free instance, and a backlog of rounds never makes a reminder late.
type Pool struct {
	rt         *Runtime
	slots      chan struct{}
	background chan struct{}
	timely     chan struct{}
	mu         sync.Mutex
	idle       []*Instance
	// live counts the instances in use or idle; peak is the most there were at once.
	live, peak atomic.Int64
}

func newPool(rt *Runtime, size, background, timely int) *Pool {
	return &Pool{rt: rt, slots: make(chan struct{}, size), background: make(chan struct{}, background),
		timely: make(chan struct{}, timely)}
}

// kindKey overrides, in a call's context, the kind its export name gives.
type kindKey struct{}

// WithKind makes the calls made with ctx count as kind (their slots and deadline).
func WithKind(ctx context.Context, k Kind) context.Context {
	return context.WithValue(ctx, kindKey{}, k)
}

func (p *Pool) get(ctx context.Context) (*Instance, error) {
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		inst := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return inst, nil
	}
	p.mu.Unlock()
	inst, err := p.rt.instantiate(ctx)
	if err == nil {
		n := p.live.Add(1)
		for old := p.peak.Load(); n > old && !p.peak.CompareAndSwap(old, n); old = p.peak.Load() {
		}
	}
	return inst, err
}

// discard closes an instance that is not given back.
func (p *Pool) discard(ctx context.Context, inst *Instance) {
	inst.close(ctx)
	p.live.Add(-1)
}

// recycleAbove: an instance whose memory grew past this (a big first sync) is closed
// rather than kept, so idle instances stay small whatever the past calls needed.
const recycleAbove = 64 << 20

func (p *Pool) put(inst *Instance) {
	if inst.mod.Memory() != nil && inst.mod.Memory().Size() > recycleAbove {
		p.discard(context.Background(), inst)
		return
	}
	p.mu.Lock()
	p.idle = append(p.idle, inst)
	p.mu.Unlock()
}

func (p *Pool) close(ctx context.Context) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, inst := range p.idle {
		inst.close(ctx)
	}
	p.live.Add(-int64(len(p.idle)))
	p.idle = nil
}

// Instances is how many instances exist now (in use or idle) and the most there were.
func (p *Pool) Instances() (live, peak int) {
	return int(p.live.Load()), int(p.peak.Load())
}

// Idle is how many instances wait in the pool (for tests and health checks).
func (p *Pool) Idle() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.idle)
}

// ErrBusy means no instance became free before the call's deadline.
var ErrBusy = errors.New("component: every instance is busy")

// Call runs one export on a pooled instance. Its deadline (per kind of export) covers the
// wait for a free slot as well as the call.
func (r *Runtime) Call(ctx context.Context, name string, args ...reflect.Value) (reflect.Value, error) {
	kind := r.kinds[name]
	if k, ok := ctx.Value(kindKey{}).(Kind); ok {
		kind = k
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w := r.watch.add(time.Now().Add(r.opts.deadline(kind)), cancel)
	defer r.watch.remove(w)
	slots := r.pool.slots
	switch kind {
	case Background:
		slots = r.pool.background
	case Timely:
		slots = r.pool.timely
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return reflect.Value{}, fmt.Errorf("%w: %s waited %v: %w", ErrBusy, name, r.opts.deadline(kind), context.Cause(ctx))
	}
	defer func() { <-slots }()
	inst, err := r.pool.get(ctx)
	if err != nil {
		return reflect.Value{}, err
	}
	if !r.opts.Interruptible {
		// Past the deadline the instance is closed: its next host call or memory growth
		// fails, and it is replaced.
		r.watch.onDeadline(w, func() { _ = inst.mod.CloseWithExitCode(context.Background(), 1) })
	}
	out, err := inst.Call(ctx, name, args...)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w (%w)", err, cause)
		}
		// Close with a fresh context: ctx may be the reason it failed.
		r.pool.discard(context.Background(), inst)
		return reflect.Value{}, err
	}
	r.pool.put(inst)
	return out, nil
}

// watchdog ends calls past their deadline. One goroutine checks every call in flight a few
// times a second, instead of a timer per call (a timer costs more than a short hook).
type watchdog struct {
	mu      sync.Mutex
	calls   map[*watched]struct{}
	running bool
	stop    chan struct{}
}

type watched struct {
	deadline time.Time
	cancel   context.CancelCauseFunc
	close    func() // closes the instance, when the runtime is not interruptible
}

// tick is how late past its deadline a call may end.
const tick = 50 * time.Millisecond

func (d *watchdog) add(deadline time.Time, cancel context.CancelCauseFunc) *watched {
	w := &watched{deadline: deadline, cancel: cancel}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.calls == nil {
		d.calls = map[*watched]struct{}{}
	}
	d.calls[w] = struct{}{}
	if !d.running {
		d.running = true
		d.stop = make(chan struct{})
		go d.run(d.stop)
	}
	return w
}

// onDeadline sets what else to do when w's deadline passes.
func (d *watchdog) onDeadline(w *watched, f func()) {
	d.mu.Lock()
	w.close = f
	d.mu.Unlock()
}

func (d *watchdog) remove(w *watched) {
	d.mu.Lock()
	delete(d.calls, w)
	d.mu.Unlock()
}

func (d *watchdog) run(stop chan struct{}) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			d.mu.Lock()
			for w := range d.calls {
				if now.After(w.deadline) {
					w.cancel(context.DeadlineExceeded)
					if w.close != nil {
						w.close()
					}
					delete(d.calls, w)
				}
			}
			d.mu.Unlock()
		}
	}
}

func (d *watchdog) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.running {
		close(d.stop)
		d.running = false
	}
}

// Pool exposes the instance pool.
func (r *Runtime) Pool() *Pool { return r.pool }
