package component

import (
	"context"
	"fmt"
	"sync"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// fakeHost answers every import from memory and records what it was asked.
type fakeHost struct {
	mu    sync.Mutex
	calls []string
	users map[string]wit.User
	kv    map[string][]byte
	now   int64
	http  func(ctx context.Context, r wit.HTTPRequest) cabi.Result[wit.HTTPResponse, wit.HTTPError]
	posts []wit.Post
	dlgs  []wit.Dialog
	stats []wit.CustomStatus
	logs  []string
}

func newFakeHost() *fakeHost {
	return &fakeHost{users: map[string]wit.User{}, kv: map[string][]byte{}, now: 1764000000000}
}

func (f *fakeHost) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

func str(s string) *string { return &s }

func (f *fakeHost) HTTPSend(ctx context.Context, r wit.HTTPRequest) cabi.Result[wit.HTTPResponse, wit.HTTPError] {
	f.record("http.send %s %s %d", r.Method.Verb(), r.URL, len(r.Body))
	if f.http != nil {
		return f.http(ctx, r)
	}
	return cabi.Err[wit.HTTPResponse](wit.HTTPError{Unreachable: str("no network in tests")})
}

func (f *fakeHost) KVGet(_ context.Context, key string) cabi.Result[*[]byte, wit.KVError] {
	f.record("kv.get %s", key)
	f.mu.Lock()
	defer f.mu.Unlock()
	v, ok := f.kv[key]
	if !ok {
		return cabi.OK[*[]byte, wit.KVError](nil)
	}
	return cabi.OK[*[]byte, wit.KVError](&v)
}

func (f *fakeHost) KVSet(_ context.Context, key string, value []byte) cabi.Result[cabi.Unit, wit.KVError] {
	f.record("kv.set %s %q", key, value)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.kv[key] = value
	return cabi.OK[cabi.Unit, wit.KVError](cabi.Unit{})
}

func (f *fakeHost) KVSetWithExpiry(ctx context.Context, key string, value []byte, secs uint32) cabi.Result[cabi.Unit, wit.KVError] {
	f.record("kv.set-with-expiry %s %d", key, secs)
	return f.KVSet(ctx, key, value)
}

func (f *fakeHost) KVCompareAndSet(_ context.Context, key string, old, new *[]byte) cabi.Result[bool, wit.KVError] {
	f.record("kv.cas %s old=%v new=%v", key, old != nil, new != nil)
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.kv[key]
	if ok != (old != nil) || (ok && string(cur) != string(*old)) {
		return cabi.OK[bool, wit.KVError](false)
	}
	if new == nil {
		delete(f.kv, key)
	} else {
		f.kv[key] = *new
	}
	return cabi.OK[bool, wit.KVError](true)
}

func (f *fakeHost) KVCompareAndSetWithExpiry(ctx context.Context, key string, old *[]byte, new []byte, secs uint32) cabi.Result[bool, wit.KVError] {
	f.record("kv.cas-expiry %s old=%v %d", key, old != nil, secs)
	return f.KVCompareAndSet(ctx, key, old, &new)
}

func (f *fakeHost) KVDelete(_ context.Context, key string) cabi.Result[cabi.Unit, wit.KVError] {
	f.record("kv.delete %s", key)
	n := uint32(len(key))
	return cabi.Err[cabi.Unit](wit.KVError{KeyTooLong: &n})
}

func (f *fakeHost) KVListKeys(_ context.Context, prefix string, page, perPage uint32) cabi.Result[[]string, wit.KVError] {
	f.record("kv.list-keys %s %d %d", prefix, page, perPage)
	return cabi.OK[[]string, wit.KVError]([]string{prefix + "a", prefix + "b"})
}

func (f *fakeHost) NowMs(context.Context) int64 {
	f.record("clock.now-ms")
	return f.now
}

func (f *fakeHost) Log(_ context.Context, level wit.LogLevel, msg string) {
	f.record("log %s", level.WITEnum()[level])
	f.mu.Lock()
	defer f.mu.Unlock()
	f.logs = append(f.logs, msg)
}

func (f *fakeHost) DMPost(_ context.Context, userID string, p wit.Post) cabi.Result[string, wit.MMError] {
	f.record("mm.dm-post %s", userID)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.posts = append(f.posts, p)
	return cabi.OK[string, wit.MMError]("post-1")
}

func (f *fakeHost) UpdatePost(_ context.Context, id string, p wit.Post) cabi.Result[cabi.Unit, wit.MMError] {
	f.record("mm.update-post %s", id)
	return cabi.OK[cabi.Unit, wit.MMError](cabi.Unit{})
}

func (f *fakeHost) DeletePost(_ context.Context, id string) cabi.Result[cabi.Unit, wit.MMError] {
	f.record("mm.delete-post %s", id)
	return cabi.Err[cabi.Unit](wit.MMError{Status: 404, Message: "no such post"})
}

func (f *fakeHost) EphemeralPost(_ context.Context, userID, channelID string, p wit.Post) cabi.Result[cabi.Unit, wit.MMError] {
	f.record("mm.ephemeral-post %s %s", userID, channelID)
	return cabi.OK[cabi.Unit, wit.MMError](cabi.Unit{})
}

func (f *fakeHost) OpenDialog(_ context.Context, triggerID, url string, d wit.Dialog) cabi.Result[cabi.Unit, wit.MMError] {
	f.record("mm.open-dialog %s %s", triggerID, url)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dlgs = append(f.dlgs, d)
	return cabi.OK[cabi.Unit, wit.MMError](cabi.Unit{})
}

func (f *fakeHost) GetUser(_ context.Context, id string) cabi.Result[wit.User, wit.MMError] {
	f.record("mm.get-user %s", id)
	f.mu.Lock()
	defer f.mu.Unlock()
	u, ok := f.users[id]
	if !ok {
		return cabi.Err[wit.User](wit.MMError{Status: 404, Message: "user not found"})
	}
	return cabi.OK[wit.User, wit.MMError](u)
}

func (f *fakeHost) UpdateCustomStatus(_ context.Context, id string, s wit.CustomStatus) cabi.Result[cabi.Unit, wit.MMError] {
	f.record("mm.update-custom-status %s", id)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stats = append(f.stats, s)
	return cabi.OK[cabi.Unit, wit.MMError](cabi.Unit{})
}

func (f *fakeHost) RemoveCustomStatus(_ context.Context, id string) cabi.Result[cabi.Unit, wit.MMError] {
	f.record("mm.remove-custom-status %s", id)
	return cabi.OK[cabi.Unit, wit.MMError](cabi.Unit{})
}

func (f *fakeHost) PublishEvent(_ context.Context, userID, event string, payload []wit.Prop) {
	f.record("mm.publish-event %s %s %v", userID, event, payload)
}

func (f *fakeHost) ScheduleOnce(_ context.Context, key string, at int64) cabi.Result[bool, string] {
	f.record("scheduler.schedule-once %s %d", key, at)
	if key == "" {
		return cabi.Err[bool]("empty key")
	}
	return cabi.OK[bool, string](true)
}

func (f *fakeHost) ScheduleCancel(_ context.Context, key string) {
	f.record("scheduler.cancel %s", key)
}

func (f *fakeHost) GetConfig(context.Context) wit.PluginConfig {
	f.record("mm.get-config")
	url, lead, interval, hosts := "https://caldav.yandex.ru", int64(10), int64(5), ""
	return wit.PluginConfig{CaldavURL: &url, ReminderLeadMinutes: &lead, SyncIntervalMinutes: &interval, EncryptionKey: "k", AllowedHosts: &hosts}
}
