package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/ycal/yandex-calendar/tests/scale/davstub"
)

// runStub serves the CalDAV stub until killed, after printing its URL.
func runStub(args []string) {
	fs := flag.NewFlagSet("stub", flag.ExitOnError)
	users := fs.Int("users", 1000, "users")
	epochMs := fs.Int64("epoch-ms", time.Now().UnixMilli(), "the world's epoch")
	password := fs.String("password", "bench-app-password", "every user's app password")
	latency := fs.Duration("latency", 0, "how long each DAV answer takes")
	maxEvents := fs.Int("max-events", 500, "events per calendar: 50 to this")
	_ = fs.Parse(args)
	w := davstub.World{Users: *users, Epoch: time.UnixMilli(*epochMs), Password: *password, MaxEvents: *maxEvents}
	srv := davstub.New(w)
	srv.Latency = *latency
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail(err)
	}
	fmt.Printf("URL http://%s/\n", ln.Addr())
	hs := &http.Server{Handler: srv, IdleTimeout: 5 * time.Minute, ReadHeaderTimeout: 10 * time.Second}
	fail(hs.Serve(ln))
}

// stub is the CalDAV stub's process, seen from the benchmark.
type stub struct {
	cmd *exec.Cmd
	url string
}

func startStub(w davstub.World, latency time.Duration) (*stub, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "stub", "-users", strconv.Itoa(w.Users), "-epoch-ms", strconv.FormatInt(w.Epoch.UnixMilli(), 10),
		"-password", w.Password, "-latency", latency.String(), "-max-events", strconv.Itoa(w.MaxEvents))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "URL ") {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("the stub did not start: %q %v", line, err)
	}
	return &stub{cmd: cmd, url: strings.TrimSpace(strings.TrimPrefix(line, "URL "))}, nil
}

func (s *stub) stop() {
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
}

func (s *stub) call(method, path string, out any) error {
	req, _ := http.NewRequest(method, strings.TrimSuffix(s.url, "/")+path, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func (s *stub) reset() error { return s.call(http.MethodPost, "/_stub/reset", nil) }

func (s *stub) connected(n int) error {
	return s.call(http.MethodPost, fmt.Sprintf("/_stub/connected?n=%d", n), nil)
}

func (s *stub) stats() (davstub.Stats, error) {
	var st davstub.Stats
	err := s.call(http.MethodGet, "/_stub/stats", &st)
	return st, err
}

func (s *stub) startChanges(rate float64, interval time.Duration) error {
	return s.call(http.MethodPost, fmt.Sprintf("/_stub/changes/start?rate=%g&interval=%s", rate, interval), nil)
}

func (s *stub) stopChanges() error { return s.call(http.MethodPost, "/_stub/changes/stop", nil) }

func (s *stub) changes(since int64) ([]davstub.Change, error) {
	var out []davstub.Change
	err := s.call(http.MethodGet, fmt.Sprintf("/_stub/changes?since=%d", since), &out)
	return out, err
}
