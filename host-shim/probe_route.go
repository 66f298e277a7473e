//go:build probe

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"reflect"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// The test build's route: POST /probe/call-import with an import-call in its JSON form
// (tests/conformance/README.md) makes the component call that import on the real server
// and answers the component's rendering of the result. The end-to-end suite drives the
// host's edges with it (KV on the real store, posts, outbound HTTP). Built only with
// `-tags probe` into the test bundle, whose module has the abi-probe exports.
func (p *Plugin) serveProbe(w http.ResponseWriter, r *http.Request) bool {
	if r.URL.Path != "/probe/call-import" {
		return false
	}
	a := p.active.Load()
	if a == nil || !a.runtime.HasProbes() || r.Header.Get("Mattermost-User-Id") == "" {
		http.Error(w, "no probes here", http.StatusNotFound)
		return true
	}
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var data any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&data); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return true
	}
	call, err := cabi.FromJSON(data, reflect.TypeOf(wit.ImportCall{}))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return true
	}
	out, err := a.runtime.Call(context.Background(), "yandex:calendar/abi-probe@0.1.0#call-import", call)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return true
	}
	_, _ = w.Write([]byte(out.String()))
	return true
}
