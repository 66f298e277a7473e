package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// mmHost performs the component's imports with the Mattermost plugin API and net/http.
type mmHost struct {
	p      *Plugin
	id     string // plugin id, for action URLs
	botID  string
	egress *egressClient
}

var _ wit.Host = (*mmHost)(nil)

type unit = cabi.Unit

func strp(s string) *string { return &s }

func mmErr(err *model.AppError) wit.MMError {
	return wit.MMError{Status: uint16(err.StatusCode), Message: err.Error()}
}

func mmOK() cabi.Result[unit, wit.MMError] { return cabi.OK[unit, wit.MMError](unit{}) }

func mmResult(err *model.AppError) cabi.Result[unit, wit.MMError] {
	if err != nil {
		return cabi.Err[unit](mmErr(err))
	}
	return mmOK()
}

func kvErr(err *model.AppError) wit.KVError { return wit.KVError{Store: strp(err.Error())} }

func kvResult(err *model.AppError) cabi.Result[unit, wit.KVError] {
	if err != nil {
		return cabi.Err[unit](kvErr(err))
	}
	return cabi.OK[unit, wit.KVError](unit{})
}

func checkKey(key string) *wit.KVError {
	if n := len([]rune(key)); n > model.KeyValueKeyMaxRunes {
		v := uint32(n)
		return &wit.KVError{KeyTooLong: &v}
	}
	return nil
}

// checkValues refuses empty values: Mattermost's plugin RPC (gob) delivers []byte{} as nil,
// and the server reads a nil value as "delete" (set) or "absent" (compare-and-set), so an
// empty value cannot be stored nor compared (wit/host.wit, kv).
func checkValues(values ...*[]byte) *wit.KVError {
	for _, v := range values {
		if v != nil && len(*v) == 0 {
			return &wit.KVError{EmptyValue: &unit{}}
		}
	}
	return nil
}

func (h *mmHost) HTTPSend(ctx context.Context, r wit.HTTPRequest) cabi.Result[wit.HTTPResponse, wit.HTTPError] {
	fail := func(e wit.HTTPError) cabi.Result[wit.HTTPResponse, wit.HTTPError] {
		return cabi.Err[wit.HTTPResponse](e)
	}
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return fail(wit.HTTPError{InvalidURL: strp(r.URL)})
	}
	if r.TimeoutMs > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Duration(r.TimeoutMs)*time.Millisecond)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, r.Method.Verb(), r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return fail(wit.HTTPError{InvalidURL: strp(err.Error())})
	}
	for _, hd := range r.Headers {
		req.Header.Add(hd.Name, hd.Value)
	}
	resp, err := h.egress.do(req)
	if err != nil {
		return fail(classify(err))
	}
	defer resp.Body.Close()
	limit := r.MaxResponseBytes
	if limit == 0 {
		limit = 8 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(min(limit, 1<<40))+1))
	if err != nil {
		return fail(classify(err))
	}
	if uint64(len(body)) > limit {
		return fail(wit.HTTPError{TooLarge: &limit})
	}
	out := wit.HTTPResponse{Status: uint16(resp.StatusCode), Body: body}
	for name, values := range resp.Header {
		for _, v := range values {
			// A server may send any bytes in a header; WIT strings are UTF-8.
			out.Headers = append(out.Headers, wit.Header{Name: validUTF8(name), Value: validUTF8(v)})
		}
	}
	return cabi.OK[wit.HTTPResponse, wit.HTTPError](out)
}

// classify maps a transport failure onto the case a user can act on.
func classify(err error) wit.HTTPError {
	if reason, ok := asBlocked(err); ok {
		return wit.HTTPError{Blocked: &reason}
	}
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var certErr *tls.CertificateVerificationError
	var unknownAuth x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var recordErr tls.RecordHeaderError
	switch {
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return wit.HTTPError{Timeout: &unit{}}
	case errors.As(err, &certErr), errors.As(err, &unknownAuth), errors.As(err, &hostErr), errors.As(err, &recordErr):
		return wit.HTTPError{TLS: strp(err.Error())}
	case errors.As(err, &dnsErr), errors.As(err, &opErr):
		return wit.HTTPError{Unreachable: strp(err.Error())}
	}
	if strings.Contains(err.Error(), "tls:") || strings.Contains(err.Error(), "x509:") {
		return wit.HTTPError{TLS: strp(err.Error())}
	}
	return wit.HTTPError{Other: strp(err.Error())}
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func (h *mmHost) KVGet(_ context.Context, key string) cabi.Result[*[]byte, wit.KVError] {
	if e := checkKey(key); e != nil {
		return cabi.Err[*[]byte](*e)
	}
	v, err := h.p.API.KVGet(key)
	if err != nil {
		return cabi.Err[*[]byte](kvErr(err))
	}
	if v == nil {
		return cabi.OK[*[]byte, wit.KVError](nil)
	}
	return cabi.OK[*[]byte, wit.KVError](&v)
}

func (h *mmHost) KVSet(_ context.Context, key string, value []byte) cabi.Result[unit, wit.KVError] {
	if e := checkKey(key); e != nil {
		return cabi.Err[unit](*e)
	}
	if e := checkValues(&value); e != nil {
		return cabi.Err[unit](*e)
	}
	return kvResult(h.p.API.KVSet(key, value))
}

func (h *mmHost) KVSetWithExpiry(_ context.Context, key string, value []byte, secs uint32) cabi.Result[unit, wit.KVError] {
	if e := checkKey(key); e != nil {
		return cabi.Err[unit](*e)
	}
	if e := checkValues(&value); e != nil {
		return cabi.Err[unit](*e)
	}
	return kvResult(h.p.API.KVSetWithExpiry(key, value, int64(secs)))
}

func (h *mmHost) KVCompareAndSet(_ context.Context, key string, old, new *[]byte) cabi.Result[bool, wit.KVError] {
	if e := checkKey(key); e != nil {
		return cabi.Err[bool](*e)
	}
	if e := checkValues(old, new); e != nil {
		return cabi.Err[bool](*e)
	}
	opts := model.PluginKVSetOptions{Atomic: true}
	if old != nil {
		opts.OldValue = *old
	}
	var value []byte
	if new != nil {
		value = *new
	}
	// Mattermost: Atomic with a nil OldValue means "only if absent"; a nil value deletes.
	ok, err := h.p.API.KVSetWithOptions(key, value, opts)
	if err != nil {
		return cabi.Err[bool](kvErr(err))
	}
	return cabi.OK[bool, wit.KVError](ok)
}

// KVCompareAndSetWithExpiry is compare-and-set whose value expires: Mattermost's
// KVSetWithOptions{Atomic, OldValue, ExpireInSeconds}. An expired value counts as absent
// (the server deletes it before an "only if absent" insert).
func (h *mmHost) KVCompareAndSetWithExpiry(_ context.Context, key string, old *[]byte, new []byte, secs uint32) cabi.Result[bool, wit.KVError] {
	if e := checkKey(key); e != nil {
		return cabi.Err[bool](*e)
	}
	if e := checkValues(old, &new); e != nil {
		return cabi.Err[bool](*e)
	}
	opts := model.PluginKVSetOptions{Atomic: true, ExpireInSeconds: int64(secs)}
	if old != nil {
		opts.OldValue = *old
	}
	ok, err := h.p.API.KVSetWithOptions(key, new, opts)
	if err != nil {
		return cabi.Err[bool](kvErr(err))
	}
	return cabi.OK[bool, wit.KVError](ok)
}

func (h *mmHost) KVDelete(_ context.Context, key string) cabi.Result[unit, wit.KVError] {
	if e := checkKey(key); e != nil {
		return cabi.Err[unit](*e)
	}
	return kvResult(h.p.API.KVDelete(key))
}

// KVListKeys pages through the keys with a prefix; Mattermost lists all keys only, so the
// prefix is applied here.
func (h *mmHost) KVListKeys(_ context.Context, prefix string, page, perPage uint32) cabi.Result[[]string, wit.KVError] {
	const batch = 1000
	var matched []string
	for p := 0; ; p++ {
		keys, err := h.p.API.KVList(p, batch)
		if err != nil {
			return cabi.Err[[]string](kvErr(err))
		}
		for _, k := range keys {
			if strings.HasPrefix(k, prefix) {
				matched = append(matched, k)
			}
		}
		if len(keys) < batch {
			break
		}
	}
	start := min(uint64(page)*uint64(perPage), uint64(len(matched)))
	end := min(start+uint64(perPage), uint64(len(matched)))
	return cabi.OK[[]string, wit.KVError](append([]string{}, matched[start:end]...))
}

func (h *mmHost) NowMs(context.Context) int64 { return h.p.now().UnixMilli() }

func (h *mmHost) Log(_ context.Context, level wit.LogLevel, message string) {
	switch level {
	case wit.LogDebug:
		h.p.API.LogDebug(message)
	case wit.LogInfo:
		h.p.API.LogInfo(message)
	case wit.LogWarn:
		h.p.API.LogWarn(message)
	default:
		h.p.API.LogError(message)
	}
}

// refused is an mm-error the host makes itself, without asking Mattermost.
func refused(status int, format string, args ...any) wit.MMError {
	return wit.MMError{Status: uint16(status), Message: fmt.Sprintf(format, args...)}
}

func (h *mmHost) DMPost(_ context.Context, userID string, post wit.Post) cabi.Result[string, wit.MMError] {
	mp, bad := h.toModelPost(post)
	if bad != nil {
		return cabi.Err[string](*bad)
	}
	ch, err := h.p.API.GetDirectChannel(h.botID, userID)
	if err != nil {
		return cabi.Err[string](mmErr(err))
	}
	mp.UserId = h.botID
	mp.ChannelId = ch.Id
	created, err := h.p.API.CreatePost(mp)
	if err != nil {
		return cabi.Err[string](mmErr(err))
	}
	return cabi.OK[string, wit.MMError](created.Id)
}

// ownPost fetches a post the bot wrote; any other post is refused (403), so the component
// cannot edit or delete what people wrote.
func (h *mmHost) ownPost(postID string) (*model.Post, *wit.MMError) {
	old, err := h.p.API.GetPost(postID)
	if err != nil {
		e := mmErr(err)
		return nil, &e
	}
	if old.UserId != h.botID {
		e := refused(http.StatusForbidden, "post %s is not the plugin bot's", postID)
		return nil, &e
	}
	return old, nil
}

func (h *mmHost) UpdatePost(_ context.Context, postID string, post wit.Post) cabi.Result[unit, wit.MMError] {
	mp, bad := h.toModelPost(post)
	if bad != nil {
		return cabi.Err[unit](*bad)
	}
	old, bad := h.ownPost(postID)
	if bad != nil {
		return cabi.Err[unit](*bad)
	}
	mp.Id, mp.UserId, mp.ChannelId, mp.RootId, mp.CreateAt = old.Id, old.UserId, old.ChannelId, old.RootId, old.CreateAt
	_, err := h.p.API.UpdatePost(mp)
	return mmResult(err)
}

func (h *mmHost) DeletePost(_ context.Context, postID string) cabi.Result[unit, wit.MMError] {
	if _, bad := h.ownPost(postID); bad != nil {
		return cabi.Err[unit](*bad)
	}
	return mmResult(h.p.API.DeletePost(postID))
}

func (h *mmHost) EphemeralPost(_ context.Context, userID, channelID string, post wit.Post) cabi.Result[unit, wit.MMError] {
	mp, bad := h.toModelPost(post)
	if bad != nil {
		return cabi.Err[unit](*bad)
	}
	mp.UserId = h.botID
	mp.ChannelId = channelID
	h.p.API.SendEphemeralPost(userID, mp)
	return mmOK()
}

func (h *mmHost) OpenDialog(_ context.Context, triggerID, path string, d wit.Dialog) cabi.Result[unit, wit.MMError] {
	u, bad := h.actionURL(path)
	if bad != nil {
		return cabi.Err[unit](*bad)
	}
	return mmResult(h.p.API.OpenInteractiveDialog(model.OpenDialogRequest{
		TriggerId: triggerID,
		URL:       u,
		Dialog:    toDialog(d),
	}))
}

func (h *mmHost) GetUser(_ context.Context, userID string) cabi.Result[wit.User, wit.MMError] {
	u, err := h.p.API.GetUser(userID)
	if err != nil {
		return cabi.Err[wit.User](mmErr(err))
	}
	out := wit.User{
		ID:        u.Id,
		Username:  u.Username,
		Email:     u.Email,
		FirstName: u.FirstName,
		LastName:  u.LastName,
		Locale:    u.Locale,
		Timezone:  model.GetPreferredTimezone(u.Timezone),
		IsBot:     u.IsBot,
	}
	if cs := u.GetCustomStatus(); cs != nil && (cs.Emoji != "" || cs.Text != "") {
		s := wit.CustomStatus{Emoji: cs.Emoji, Text: cs.Text, Duration: cs.Duration}
		if !cs.ExpiresAt.IsZero() {
			ms := cs.ExpiresAt.UnixMilli()
			s.ExpiresAtMs = &ms
		}
		out.CustomStatus = &s
	}
	return cabi.OK[wit.User, wit.MMError](out)
}

func (h *mmHost) UpdateCustomStatus(_ context.Context, userID string, s wit.CustomStatus) cabi.Result[unit, wit.MMError] {
	cs := &model.CustomStatus{Emoji: s.Emoji, Text: s.Text, Duration: s.Duration}
	if s.ExpiresAtMs != nil {
		cs.ExpiresAt = time.UnixMilli(*s.ExpiresAtMs).UTC()
	}
	return mmResult(h.p.API.UpdateUserCustomStatus(userID, cs))
}

func (h *mmHost) RemoveCustomStatus(_ context.Context, userID string) cabi.Result[unit, wit.MMError] {
	return mmResult(h.p.API.RemoveUserCustomStatus(userID))
}

// PublishEvent sends a websocket event to the user's sessions; the server names it
// custom_<plugin id>_<event>.
func (h *mmHost) PublishEvent(_ context.Context, userID, event string, payload []wit.Prop) {
	data := make(map[string]any, len(payload))
	for _, p := range payload {
		data[p.Key] = p.Value
	}
	h.p.API.PublishWebSocketEvent(event, data, &model.WebsocketBroadcast{UserId: userID})
}

func (h *mmHost) GetConfig(context.Context) wit.PluginConfig {
	return h.p.configuration().saved
}

// ScheduleOnce arms a one-off job with Mattermost's job-once scheduler (see jobs.go).
func (h *mmHost) ScheduleOnce(_ context.Context, key string, atMs int64) cabi.Result[bool, string] {
	armed, err := h.p.scheduleOnce(key, time.UnixMilli(atMs))
	if err != nil {
		return cabi.Err[bool](err.Error())
	}
	return cabi.OK[bool, string](armed)
}

// ScheduleCancel disarms a one-off job.
func (h *mmHost) ScheduleCancel(_ context.Context, key string) {
	h.p.cancelOnce(key)
}
