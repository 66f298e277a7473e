//go:build !probe

package main

import "net/http"

// serveProbe exists only in the test build (probe_route.go, build tag "probe").
func (p *Plugin) serveProbe(http.ResponseWriter, *http.Request) bool { return false }
