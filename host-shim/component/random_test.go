package component

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// A CalDAV server that answers every PROPFIND with one multistatus holding what discovery
// asks for: the principal, the calendar home and one event calendar.
const discoveryAnswer = `<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
 <d:response><d:href>/calendars/u/</d:href><d:propstat><d:prop>
  <d:current-user-principal><d:href>/principals/u/</d:href></d:current-user-principal>
  <c:calendar-home-set><d:href>/calendars/u/</d:href></c:calendar-home-set>
  <d:resourcetype><d:collection/></d:resourcetype>
 </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
 <d:response><d:href>/calendars/u/events-1/</d:href><d:propstat><d:prop>
  <d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Work</d:displayname>
  <c:supported-calendar-component-set><c:comp name="VEVENT"/></c:supported-calendar-component-set>
 </d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
</d:multistatus>`

// connectOnce runs the connect dialog's submission in a fresh runtime (a fresh wasm
// instance) and returns the sealed password the component stored.
func connectOnce(t *testing.T, password string) (nonce, ciphertext string) {
	t.Helper()
	h := newFakeHost()
	h.users["u1"] = wit.User{ID: "u1", Locale: "en", Timezone: "Europe/Moscow"}
	h.http = func(_ context.Context, r wit.HTTPRequest) cabi.Result[wit.HTTPResponse, wit.HTTPError] {
		return cabi.OK[wit.HTTPResponse, wit.HTTPError](wit.HTTPResponse{Status: 207, Body: []byte(discoveryAnswer)})
	}
	r := newRuntime(t, h, Options{})
	body, _ := json.Marshal(map[string]any{
		"callback_id": "connect", "state": "connect", "channel_id": "c1",
		"submission": map[string]any{"login": "ivan@yandex.ru", "password": password, "timezone": ""},
	})
	uid := "u1"
	resp, err := r.ServeHTTP(context.Background(), wit.PluginRequest{
		Method: wit.RequestPost, Path: "/dialog/connect", Body: body, UserID: &uid,
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != 200 || strings.TrimSpace(string(resp.Body)) != "{}" {
		t.Fatalf("connect answered %d %s; logs %v", resp.Status, resp.Body, h.logs)
	}
	var rec struct {
		D struct {
			Password struct{ Nonce, Ct string }
		}
	}
	if err := json.Unmarshal(h.kv["v1/u/u1/account"], &rec); err != nil {
		t.Fatalf("account record: %v (kv %v)", err, h.kv)
	}
	return rec.D.Password.Nonce, rec.D.Password.Ct
}

// The component draws nonces from WASI random_get, which must be backed by crypto/rand:
// wazero's default source is deterministic, so two fresh instances would draw the same
// bytes and seal the same password identically.
func TestFreshInstancesDrawDifferentRandomBytes(t *testing.T) {
	const password = "abcd-efgh-ijkl-mnop"
	n1, c1 := connectOnce(t, password)
	n2, c2 := connectOnce(t, password)
	if n1 == "" || len(n1) != 24 {
		t.Fatalf("nonce %q: want 12 bytes in hex", n1)
	}
	if n1 == n2 || c1 == c2 {
		t.Errorf("two instances sealed the same password identically (nonce %s): the random source is not cryptographic", n1)
	}
	if strings.Contains(c1, password) {
		t.Error("the password is stored in the clear")
	}
}
