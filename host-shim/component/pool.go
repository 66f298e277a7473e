package component

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
)

// Pool lends instances to calls so concurrent hooks don't wait for each other. An instance
// whose call failed (trap, timeout, ABI error) is closed and replaced by a fresh one later:
// a broken instance is never reused, and the plugin never stops for good.
//
// Interactive and lifecycle calls share one set of slots and background calls have their
// own, so a long job never makes a person wait for a free instance.
type Pool struct {
	rt         *Runtime
	slots      chan struct{}
	background chan struct{}
	mu         sync.Mutex
	idle       []*Instance
}

func newPool(rt *Runtime, size, background int) *Pool {
	return &Pool{rt: rt, slots: make(chan struct{}, size), background: make(chan struct{}, background)}
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
	return p.rt.instantiate(ctx)
}

func (p *Pool) put(inst *Instance) {
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
	p.idle = nil
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
	ctx, cancel := context.WithTimeout(ctx, r.opts.deadline(kind))
	defer cancel()
	slots := r.pool.slots
	if kind == Background {
		slots = r.pool.background
	}
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return reflect.Value{}, fmt.Errorf("%w: %s waited %v: %w", ErrBusy, name, r.opts.deadline(kind), ctx.Err())
	}
	defer func() { <-slots }()
	inst, err := r.pool.get(ctx)
	if err != nil {
		return reflect.Value{}, err
	}
	if !r.opts.Interruptible {
		// Past the deadline the instance is closed: its next host call or memory growth
		// fails, and it is replaced.
		stop := context.AfterFunc(ctx, func() { _ = inst.mod.CloseWithExitCode(context.Background(), 1) })
		defer stop()
	}
	out, err := inst.Call(ctx, name, args...)
	if err != nil {
		// Close with a fresh context: ctx may be the reason it failed.
		inst.close(context.Background())
		return reflect.Value{}, err
	}
	r.pool.put(inst)
	return out, nil
}

// Pool exposes the instance pool.
func (r *Runtime) Pool() *Pool { return r.pool }
