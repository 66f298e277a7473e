package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/net/publicsuffix"

	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// Outbound HTTP goes only where the admin sent it. A CalDAV answer names URLs (hrefs,
// redirects) that the component follows; without a policy they could point the server at
// its own network (server-side request forgery). Allowed:
//   - the origin of the configured CalDAV URL, whatever its address (a company's own
//     server on a private network is the admin's choice);
//   - hosts the admin listed in "Other allowed hosts", whatever their address;
//   - other hosts of the CalDAV server's registrable domain (caldav.yandex.ru → *.yandex.ru),
//     on public addresses only, checked on the address actually dialled, so a DNS answer
//     cannot swap in a private one.
// Anything else fails with http-error::blocked before a connection is made.

type egressPolicy struct {
	scheme, host, port string // the CalDAV origin
	domain             string // its registrable domain; empty for an IP address
	hosts              map[string]bool
}

func newEgressPolicy(s wit.Settings) (*egressPolicy, error) {
	u, err := url.Parse(s.CaldavURL)
	if err != nil || u.Hostname() == "" {
		return nil, fmt.Errorf("CalDAV URL %q: %v", s.CaldavURL, err)
	}
	p := &egressPolicy{scheme: u.Scheme, host: strings.ToLower(u.Hostname()), port: portOf(u), hosts: map[string]bool{}}
	if _, err := netip.ParseAddr(p.host); err != nil {
		p.domain, _ = publicsuffix.EffectiveTLDPlusOne(p.host)
	}
	for _, h := range s.AllowedHosts {
		p.hosts[strings.ToLower(h)] = true
	}
	return p, nil
}

func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "http" {
		return "80"
	}
	return "443"
}

// decide tells whether u may be reached and whether only public addresses may be dialled.
func (p *egressPolicy) decide(u *url.URL) (publicOnly bool, err error) {
	host, port := strings.ToLower(u.Hostname()), portOf(u)
	if u.Scheme == p.scheme && host == p.host && port == p.port {
		return false, nil
	}
	key := host
	if strings.Contains(host, ":") {
		key = "[" + host + "]"
	}
	if p.hosts[key] || p.hosts[key+":"+port] {
		return false, nil
	}
	if p.domain != "" {
		if d, err := publicsuffix.EffectiveTLDPlusOne(host); err == nil && d == p.domain {
			return true, nil
		}
	}
	return false, &blockedError{fmt.Sprintf("%s is neither the CalDAV server %s nor a host the admin allowed", u.Host, p.host)}
}

// blockedError is a destination the policy refused.
type blockedError struct{ reason string }

func (e *blockedError) Error() string { return e.reason }

type dialRuleKey struct{}

// dialRule travels with a request's context to the dialler.
type dialRule struct {
	publicOnly bool
	host       string
}

// publicAddr tells whether an address is on the public internet: not loopback, private,
// link-local, carrier-grade NAT, multicast, unspecified or reserved.
func publicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("2001:db8::/32"),
}

// egressClient is the HTTP client of the component's requests. It never follows redirects
// (the component does, through the policy again).
type egressClient struct {
	policy atomic.Pointer[egressPolicy]
	client *http.Client
}

func newEgressClient() *egressClient {
	e := &egressClient{}
	dialer := &net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		rule, _ := ctx.Value(dialRuleKey{}).(dialRule)
		host, _, _ := net.SplitHostPort(addr)
		// Through a proxy the address is the proxy's, which the operator chose.
		if !rule.publicOnly || !strings.EqualFold(host, rule.host) {
			return dialer.DialContext(ctx, network, addr)
		}
		d := *dialer
		d.Control = func(_, address string, _ syscall.RawConn) error {
			h, _, _ := net.SplitHostPort(address)
			ip, err := netip.ParseAddr(h)
			if err != nil || !publicAddr(ip) {
				return &blockedError{fmt.Sprintf("%s resolves to %s, which is not a public address", rule.host, h)}
			}
			return nil
		}
		return d.DialContext(ctx, network, addr)
	}
	e.client = &http.Client{
		Transport:     tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return e
}

// setSettings installs the policy of newly resolved settings.
func (e *egressClient) setSettings(s wit.Settings) error {
	p, err := newEgressPolicy(s)
	if err != nil {
		return err
	}
	e.policy.Store(p)
	return nil
}

// do sends req if the policy allows its URL.
func (e *egressClient) do(req *http.Request) (*http.Response, error) {
	p := e.policy.Load()
	if p == nil {
		return nil, &blockedError{"the plugin's settings are not loaded yet"}
	}
	publicOnly, err := p.decide(req.URL)
	if err != nil {
		return nil, err
	}
	ctx := context.WithValue(req.Context(), dialRuleKey{}, dialRule{publicOnly: publicOnly, host: req.URL.Hostname()})
	return e.client.Do(req.WithContext(ctx))
}

func asBlocked(err error) (string, bool) {
	var b *blockedError
	if errors.As(err, &b) {
		return b.reason, true
	}
	return "", false
}
