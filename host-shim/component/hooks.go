package component

import (
	"context"
	"fmt"
	"reflect"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// Typed calls of the hooks in wit/hooks.wit.

func call[T any](ctx context.Context, r *Runtime, e wit.Export, args ...any) (T, error) {
	var zero T
	vals := make([]reflect.Value, len(args))
	for i, a := range args {
		vals[i] = reflect.ValueOf(a)
	}
	out, err := r.Call(ctx, e.Name, vals...)
	if err != nil {
		return zero, fmt.Errorf("%s: %w", e.Name, err)
	}
	if e.Result == nil {
		return zero, nil
	}
	return out.Interface().(T), nil
}

// hookError turns the component's result<_, string> into a Go error.
func hookError[T any](res cabi.Result[T, string], err error) (T, error) {
	if err != nil {
		return res.Ok, err
	}
	if res.IsErr {
		return res.Ok, fmt.Errorf("%s", res.Err)
	}
	return res.Ok, nil
}

func (r *Runtime) Activate(ctx context.Context) error {
	_, err := hookError(call[cabi.Result[cabi.Unit, string]](ctx, r, wit.ExportActivate))
	return err
}

func (r *Runtime) Deactivate(ctx context.Context) error {
	_, err := call[struct{}](ctx, r, wit.ExportDeactivate)
	return err
}

func (r *Runtime) DescribeCommand(ctx context.Context) (wit.SlashCommand, error) {
	return call[wit.SlashCommand](ctx, r, wit.ExportDescribeCommand)
}

// ErrRefused is a settings check the component refused; its text is for the admin.
type ErrRefused struct{ Reason string }

func (e *ErrRefused) Error() string { return e.Reason }

// CheckConfig asks the component to check settings and resolve them. A refusal is an
// *ErrRefused; any other error means the call itself failed.
func (r *Runtime) CheckConfig(ctx context.Context, cfg wit.PluginConfig) (wit.Settings, error) {
	res, err := call[cabi.Result[wit.Settings, string]](ctx, r, wit.ExportCheckConfig, cfg)
	if err != nil {
		return wit.Settings{}, err
	}
	if res.IsErr {
		return wit.Settings{}, &ErrRefused{Reason: res.Err}
	}
	return res.Ok, nil
}

func (r *Runtime) ExecuteCommand(ctx context.Context, args wit.CommandArgs) (wit.CommandResponse, error) {
	return call[wit.CommandResponse](ctx, r, wit.ExportExecuteCommand, args)
}

func (r *Runtime) ServeHTTP(ctx context.Context, req wit.PluginRequest) (wit.PluginResponse, error) {
	return call[wit.PluginResponse](ctx, r, wit.ExportServeHTTP, req)
}

// RunJob runs a background job; a one-off job that came due, and a node's tick, run in
// the timely slots (a backlog of rounds never holds them up).
func (r *Runtime) RunJob(ctx context.Context, job wit.Job) (wit.JobReport, error) {
	if job.Due != nil || job.Tick != nil {
		ctx = WithKind(ctx, Timely)
	}
	return hookError(call[cabi.Result[wit.JobReport, string]](ctx, r, wit.ExportRunJob, job))
}
