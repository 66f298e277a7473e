package wit

import (
	"context"
	"reflect"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
)

// Host is what the component imports (wit/host.wit), one method per WIT function, with the
// same parameters after the context.
type Host interface {
	HTTPSend(ctx context.Context, request HTTPRequest) cabi.Result[HTTPResponse, HTTPError]

	KVGet(ctx context.Context, key string) cabi.Result[*[]byte, KVError]
	KVSet(ctx context.Context, key string, value []byte) cabi.Result[cabi.Unit, KVError]
	KVSetWithExpiry(ctx context.Context, key string, value []byte, expireSeconds uint32) cabi.Result[cabi.Unit, KVError]
	KVCompareAndSet(ctx context.Context, key string, old, new *[]byte) cabi.Result[bool, KVError]
	KVCompareAndSetWithExpiry(ctx context.Context, key string, old *[]byte, new []byte, expireSeconds uint32) cabi.Result[bool, KVError]
	KVDelete(ctx context.Context, key string) cabi.Result[cabi.Unit, KVError]
	KVListKeys(ctx context.Context, prefix string, page, perPage uint32) cabi.Result[[]string, KVError]

	NowMs(ctx context.Context) int64

	Log(ctx context.Context, level LogLevel, message string)

	DMPost(ctx context.Context, userID string, post Post) cabi.Result[string, MMError]
	UpdatePost(ctx context.Context, postID string, post Post) cabi.Result[cabi.Unit, MMError]
	DeletePost(ctx context.Context, postID string) cabi.Result[cabi.Unit, MMError]
	EphemeralPost(ctx context.Context, userID, channelID string, post Post) cabi.Result[cabi.Unit, MMError]
	OpenDialog(ctx context.Context, triggerID, url string, dialog Dialog) cabi.Result[cabi.Unit, MMError]
	GetUser(ctx context.Context, userID string) cabi.Result[User, MMError]
	UpdateCustomStatus(ctx context.Context, userID string, status CustomStatus) cabi.Result[cabi.Unit, MMError]
	RemoveCustomStatus(ctx context.Context, userID string) cabi.Result[cabi.Unit, MMError]
	GetConfig(ctx context.Context) PluginConfig
	PublishEvent(ctx context.Context, userID, event string, payload []Prop)

	ScheduleOnce(ctx context.Context, key string, atMs int64) cabi.Result[bool, string]
	ScheduleCancel(ctx context.Context, key string)
}

const pkg = "yandex:calendar/"
const version = "@0.1.0"

// Import names one WIT import function and the Host method that performs it.
type Import struct {
	Module string // core module name, e.g. "yandex:calendar/kv@0.1.0"
	Name   string // function name, e.g. "get"
	Method string // Host method
}

// QualifiedName is "<interface>#<function>", as in conformance scenarios.
func (i Import) QualifiedName() string { return i.Module + "#" + i.Name }

func imp(iface, name, method string) Import {
	return Import{Module: pkg + iface + version, Name: name, Method: method}
}

// Imports lists every function of wit/host.wit.
var Imports = []Import{
	imp("http", "send", "HTTPSend"),
	imp("kv", "get", "KVGet"),
	imp("kv", "set", "KVSet"),
	imp("kv", "set-with-expiry", "KVSetWithExpiry"),
	imp("kv", "compare-and-set", "KVCompareAndSet"),
	imp("kv", "compare-and-set-with-expiry", "KVCompareAndSetWithExpiry"),
	imp("kv", "delete", "KVDelete"),
	imp("kv", "list-keys", "KVListKeys"),
	imp("clock", "now-ms", "NowMs"),
	imp("log", "write", "Log"),
	imp("mattermost", "dm-post", "DMPost"),
	imp("mattermost", "update-post", "UpdatePost"),
	imp("mattermost", "delete-post", "DeletePost"),
	imp("mattermost", "ephemeral-post", "EphemeralPost"),
	imp("mattermost", "open-dialog", "OpenDialog"),
	imp("mattermost", "get-user", "GetUser"),
	imp("mattermost", "update-custom-status", "UpdateCustomStatus"),
	imp("mattermost", "remove-custom-status", "RemoveCustomStatus"),
	imp("mattermost", "get-config", "GetConfig"),
	imp("mattermost", "publish-event", "PublishEvent"),
	imp("scheduler", "schedule-once", "ScheduleOnce"),
	imp("scheduler", "cancel", "ScheduleCancel"),
}

// Signature returns the WIT parameter and result types of an import, read off the Host
// method (the context parameter left out).
func (i Import) Signature() (params []reflect.Type, result reflect.Type) {
	m, ok := reflect.TypeOf((*Host)(nil)).Elem().MethodByName(i.Method)
	if !ok {
		panic("wit: Host has no method " + i.Method)
	}
	for j := 1; j < m.Type.NumIn(); j++ {
		params = append(params, m.Type.In(j))
	}
	if m.Type.NumOut() == 1 {
		result = m.Type.Out(0)
	}
	return params, result
}

// Export names one function the component exports, with its WIT types.
type Export struct {
	Name   string // "<interface>#<function>", the core export name
	Params []reflect.Type
	Result reflect.Type // nil: no result
}

func tof[T any]() reflect.Type { return reflect.TypeOf((*T)(nil)).Elem() }

func exp(iface, name string, result reflect.Type, params ...reflect.Type) Export {
	return Export{Name: pkg + iface + version + "#" + name, Params: params, Result: result}
}

// Numbers is the tuple echo-numbers returns.
type Numbers struct {
	A uint8
	B uint16
	C uint32
	D uint64
	E int32
	F int64
	G bool
}

func (Numbers) WITTuple() {}

// Nine is the tuple echo-spilled returns.
type Nine struct{ A, B, C, D, E, F, G, H, I string }

func (Nine) WITTuple() {}

// JobEcho is the tuple echo-job returns.
type JobEcho struct {
	Kind   Job
	Report cabi.Result[JobReport, string]
}

func (JobEcho) WITTuple() {}

// Hook export names.
var (
	ExportActivate        = exp("hooks", "activate", tof[cabi.Result[cabi.Unit, string]]())
	ExportDeactivate      = exp("hooks", "deactivate", nil)
	ExportDescribeCommand = exp("hooks", "describe-command", tof[SlashCommand]())
	ExportCheckConfig     = exp("hooks", "check-config", tof[cabi.Result[Settings, string]](), tof[PluginConfig]())
	ExportExecuteCommand  = exp("hooks", "execute-command", tof[CommandResponse](), tof[CommandArgs]())
	ExportServeHTTP       = exp("hooks", "serve-http", tof[PluginResponse](), tof[PluginRequest]())
	ExportRunJob          = exp("hooks", "run-job", tof[cabi.Result[JobReport, string]](), tof[Job]())
)

// Hooks lists every function of the hooks interface: the shipped module exports them all.
var Hooks = []Export{
	ExportActivate,
	ExportDeactivate,
	ExportDescribeCommand,
	ExportCheckConfig,
	ExportExecuteCommand,
	ExportServeHTTP,
	ExportRunJob,
}

func probe(name string, result reflect.Type, params ...reflect.Type) Export {
	return exp("abi-probe", name, result, params...)
}

// Probes lists the abi-probe functions, exported only by the module built for tests
// (cargo feature `abi-probe`).
var Probes = []Export{
	probe("echo-string", tof[string](), tof[string]()),
	probe("echo-bytes", tof[[]byte](), tof[[]byte]()),
	probe("echo-numbers", tof[Numbers](), tof[uint8](), tof[uint16](), tof[uint32](), tof[uint64](), tof[int32](), tof[int64](), tof[bool]()),
	probe("echo-scalars", tof[Scalars](), tof[float32](), tof[float64](), tof[cabi.Char](), tof[int8](), tof[int16](), tof[ProbeFlags]()),
	probe("echo-strings", tof[[][]string](), tof[[][]string]()),
	probe("echo-spilled", tof[Nine](), tof[string](), tof[string](), tof[string](), tof[string](), tof[string](), tof[string](), tof[string](), tof[string](), tof[string]()),
	probe("echo-http-request", tof[HTTPRequest](), tof[HTTPRequest]()),
	probe("echo-http-result", tof[cabi.Result[HTTPResponse, HTTPError]](), tof[cabi.Result[HTTPResponse, HTTPError]]()),
	probe("echo-kv-result", tof[cabi.Result[*[]byte, KVError]](), tof[cabi.Result[*[]byte, KVError]]()),
	probe("echo-log-levels", tof[[]LogLevel](), tof[[]LogLevel]()),
	probe("echo-user", tof[*User](), tof[*User]()),
	probe("echo-post", tof[Post](), tof[Post]()),
	probe("echo-dialog", tof[Dialog](), tof[Dialog]()),
	probe("echo-plugin-request", tof[PluginRequest](), tof[PluginRequest]()),
	probe("echo-command-response", tof[CommandResponse](), tof[CommandResponse]()),
	probe("echo-slash-command", tof[SlashCommand](), tof[SlashCommand]()),
	probe("echo-job", tof[JobEcho](), tof[Job](), tof[cabi.Result[JobReport, string]]()),
	probe("echo-options", tof[ProbeOptions](), tof[ProbeOptions]()),
	probe("render", tof[string](), tof[ProbeValue]()),
	probe("call-imports", tof[[]string](), tof[string]()),
	probe("call-import", tof[string](), tof[ImportCall]()),
	probe("sleep", nil, tof[uint32]()),
}

// Exports lists every function either module may export: the hooks, then the probes.
var Exports = append(append([]Export{}, Hooks...), Probes...)
