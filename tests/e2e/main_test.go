// Package e2e runs the plugin bundle in a real Mattermost server.
//
// TestMain starts PostgreSQL and Mattermost through ../mattermost/mm.sh (which
// builds and caches the server on first use), the tests drive the server over
// /api/v4, and the servers are stopped at the end whatever happened.
//
//	go test -count=1 ./...                     # bundle: newest ../../dist/*.tar.gz
//	YCAL_BUNDLE=/path/to/bundle.tar.gz go test -count=1 ./...
//
// YCAL_E2E_KEEP=1 keeps the run folder (logs, config) after the run.
// MM_SERVER=newest|oldest picks the server (../mattermost/mm.sh); `make e2e` runs both.
// YCAL_PROBE_BUNDLE names the test bundle (`make probe-bundle`) for the host's edges.
//
// A bundle whose min_server_version is newer than the test server fails fast: the
// manifest is never relaxed, min_server_version is the oldest server proven here.
package e2e

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// env is what the tests know about the running server.
var env struct {
	runDir    string
	vars      map[string]string // DIR/env written by mm.sh
	url       string
	logFile   string
	bundle    string
	pluginID  string
	minServer string
	// probeBundle is the test bundle (ABI probes and the /probe route), if given.
	probeBundle string
}

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) (code int) {
	here, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	mmsh := filepath.Join(here, "..", "mattermost", "mm.sh")

	env.bundle, err = findBundle(filepath.Join(here, "..", ".."))
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	env.pluginID, env.minServer, err = bundleManifest(env.bundle)
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: reading plugin.json of %s: %v\n", env.bundle, err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "e2e: bundle %s (plugin %s)\n", env.bundle, env.pluginID)

	env.runDir, err = os.MkdirTemp("", "ycal-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	keep := os.Getenv("YCAL_E2E_KEEP") != ""
	defer func() {
		stop := exec.Command("bash", mmsh, "stop", env.runDir)
		stop.Stdout, stop.Stderr = os.Stderr, os.Stderr
		if err := stop.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "e2e: mm.sh stop:", err)
			if code == 0 {
				code = 1
			}
		}
		if keep || code != 0 {
			fmt.Fprintf(os.Stderr, "e2e: run folder kept: %s\n", env.runDir)
		} else {
			os.RemoveAll(env.runDir)
		}
		markUncacheable()
	}()

	t0 := time.Now()
	start := exec.Command("bash", mmsh, "start", env.runDir)
	start.Stdout, start.Stderr = os.Stderr, os.Stderr
	if err := start.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "e2e: mm.sh start failed:", err)
		printLogs(os.Stderr, "")
		return 1
	}
	env.vars, err = readEnvFile(filepath.Join(env.runDir, "env"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	env.url = env.vars["MM_URL"]
	env.logFile = env.vars["MM_LOG"]
	fmt.Fprintf(os.Stderr, "e2e: Mattermost %s at %s, up in %s\n",
		env.vars["MM_VERSION"], env.url, time.Since(t0).Round(time.Second))

	if sv := env.vars["MM_VERSION"]; env.minServer != "" && versionLess(sv, env.minServer) {
		fmt.Fprintf(os.Stderr, "e2e: the bundle needs Mattermost %s (plugin.json min_server_version) but the "+
			"test server is %s: min_server_version must be the oldest server the suite proves\n", env.minServer, sv)
		return 1
	}
	env.probeBundle = os.Getenv("YCAL_PROBE_BUNDLE")

	code = m.Run()
	if code != 0 {
		printLogs(os.Stderr, env.pluginID)
	}
	return code
}

// findBundle is $YCAL_BUNDLE, else the newest dist/*.tar.gz of the repository.
func findBundle(repoRoot string) (string, error) {
	if b := os.Getenv("YCAL_BUNDLE"); b != "" {
		abs, err := filepath.Abs(b)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("YCAL_BUNDLE: %w", err)
		}
		return abs, nil
	}
	matches, _ := filepath.Glob(filepath.Join(repoRoot, "dist", "*.tar.gz"))
	if len(matches) == 0 {
		return "", fmt.Errorf("no plugin bundle: set YCAL_BUNDLE or build one into %s (make dist)",
			filepath.Join(repoRoot, "dist"))
	}
	sort.Slice(matches, func(i, j int) bool {
		a, _ := os.Stat(matches[i])
		b, _ := os.Stat(matches[j])
		return a.ModTime().After(b.ModTime())
	})
	return filepath.Abs(matches[0])
}

// bundleManifest reads id and min_server_version from <id>/plugin.json in the bundle.
func bundleManifest(bundle string) (id, minServer string, err error) {
	var m manifest
	err = walkBundle(bundle, func(h *tar.Header, r io.Reader) error {
		if isManifest(h.Name) {
			if err := json.NewDecoder(r).Decode(&m); err != nil {
				return err
			}
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		err = nil
	} else if err == nil {
		err = errors.New("no plugin.json in the bundle")
	}
	if err == nil && m.ID == "" {
		err = errors.New("plugin.json has no id")
	}
	return m.ID, m.MinServerVersion, err
}

var errStop = errors.New("stop")

func isManifest(name string) bool {
	parts := strings.Split(strings.TrimPrefix(name, "./"), "/")
	return len(parts) == 2 && parts[1] == "plugin.json"
}

func walkBundle(bundle string, fn func(*tar.Header, io.Reader) error) error {
	f, err := os.Open(bundle)
	if err != nil {
		return err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := fn(h, tr); err != nil {
			return err
		}
	}
}

// versionLess compares dotted numeric versions ("11.4.0" < "11.7.0").
func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) || i < len(pb); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}

func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	vars := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			vars[k] = v
		}
	}
	return vars, sc.Err()
}

// printLogs shows the tail of the server's log and the plugin's own lines.
func printLogs(w io.Writer, pluginID string) {
	logFile := env.logFile
	if logFile == "" {
		logFile = filepath.Join(env.runDir, "mattermost.log")
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		fmt.Fprintf(w, "e2e: no server log: %v\n", err)
		return
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if pluginID != "" {
		var mine []string
		for _, l := range lines {
			if strings.Contains(l, `"plugin_id":"`+pluginID+`"`) {
				mine = append(mine, l)
			}
		}
		fmt.Fprintf(w, "\n===== plugin %s log lines (%d, last 80) =====\n", pluginID, len(mine))
		fmt.Fprintln(w, strings.Join(tail(mine, 80), "\n"))
	}
	fmt.Fprintf(w, "\n===== %s (last 60 lines) =====\n", logFile)
	fmt.Fprintln(w, strings.Join(tail(lines, 60), "\n"))
	if out, err := os.ReadFile(filepath.Join(env.runDir, "mattermost.stdout")); err == nil && len(out) > 0 {
		ol := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
		fmt.Fprintf(w, "\n===== mattermost stdout/stderr (last 30 lines) =====\n%s\n", strings.Join(tail(ol, 30), "\n"))
	}
}

func tail(lines []string, n int) []string {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}

// The suite depends on things outside Go's view (the bundle's build, the
// server), so `go test` must not cache a pass. Go refuses to cache a run that
// opened a file inside the module that was modified in the last seconds: the
// tests open a stamp file (noteStamp; only opens during the tests are
// recorded) and TestMain rewrites it just before the binary exits
// (markUncacheable). The file is git-ignored.
func stampPath() string { return ".e2e-run.stamp" }

func noteStamp() {
	if f, err := os.OpenFile(stampPath(), os.O_RDONLY|os.O_CREATE, 0o644); err == nil {
		f.Close()
	}
}

func markUncacheable() {
	_ = os.WriteFile(stampPath(), []byte(time.Now().String()), 0o644)
}
