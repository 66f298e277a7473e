package component

import (
	"context"
	"reflect"
	"sync"
)

// Pool lends instances to calls so concurrent hooks don't wait for each other. An instance
// whose call failed (trap, timeout, ABI error) is closed and replaced by a fresh one later:
// a broken instance is never reused, and the plugin never stops for good.
type Pool struct {
	rt    *Runtime
	slots chan struct{}
	mu    sync.Mutex
	idle  []*Instance
}

func newPool(rt *Runtime, size int) *Pool {
	return &Pool{rt: rt, slots: make(chan struct{}, size)}
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

// Call runs one export on a pooled instance within the configured deadline.
func (r *Runtime) Call(ctx context.Context, name string, args ...reflect.Value) (reflect.Value, error) {
	select {
	case r.pool.slots <- struct{}{}:
	case <-ctx.Done():
		return reflect.Value{}, ctx.Err()
	}
	defer func() { <-r.pool.slots }()
	callCtx, cancel := context.WithTimeout(ctx, r.opts.CallTimeout)
	defer cancel()
	inst, err := r.pool.get(callCtx)
	if err != nil {
		return reflect.Value{}, err
	}
	out, err := inst.Call(callCtx, name, args...)
	if err != nil {
		// Close with a fresh context: callCtx may be the reason it failed.
		inst.close(context.Background())
		return reflect.Value{}, err
	}
	r.pool.put(inst)
	return out, nil
}

// Pool exposes the instance pool.
func (r *Runtime) Pool() *Pool { return r.pool }
