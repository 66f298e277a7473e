// Command scalebench is `make bench-scale`: many users on one node, measured.
//
//	scalebench -users 10000 -minutes 10            the real plugin process on the plugin-API double
//	scalebench -users 10000,20000,40000            one plugin process growing: a window at each count
//	scalebench -mode real -users 300 -minutes 5    the same through a real Mattermost + PostgreSQL
//	scalebench stub -users N -epoch-ms MS          the CalDAV stub alone (what the runs start)
//
// Both modes start the CalDAV stub (package davstub) in a process of its own, connect every
// user through the plugin's own dialogs (connect, then notifications: digest, reminders,
// status, changes, answers), let every user's first sync finish, then measure a window of
// -minutes during which the stub changes -rate of all calendars per sync interval. What it
// prints (and appends as JSON to -out): polls per second, staleness of change messages,
// reminder and digest lateness, the plugin process's CPU and RSS, CalDAV requests and bytes
// per poll (all users, idle users, quiet users), KV reads and writes per poll, and what
// was missing or doubled.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ycal/yandex-calendar/tests/scale/davstub"
)

type options struct {
	users        int   // the most users: the last stage
	stages       []int // connected users at each measured window, growing
	minutes      float64
	mode         string
	bundle       string
	workers      int
	rate         float64
	lead         int
	latency      string
	out          string
	keep         bool
	mmServer     string
	settleRounds int
	windowAt     time.Time // time of day (UTC) of the first window; zero: after -settle
	davLatency   time.Duration
	maxEvents    int
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "stub" {
		runStub(os.Args[2:])
		return
	}
	var o options
	users := flag.String("users", "1000", "connected users; a growing list (10000,20000,40000) measures a window at each count, connecting only the users added")
	flag.Float64Var(&o.minutes, "minutes", 5, "length of the measured window")
	flag.StringVar(&o.mode, "mode", "double", "double (plugin-API test double) or real (Mattermost + PostgreSQL)")
	flag.StringVar(&o.bundle, "bundle", "", "the plugin bundle (.tar.gz); default: the newest in dist/")
	flag.IntVar(&o.workers, "workers", 8, "users connecting at once during setup")
	flag.Float64Var(&o.rate, "rate", 0.01, "share of calendars changed per sync interval")
	flag.IntVar(&o.lead, "lead", 10, "reminder lead, minutes")
	flag.StringVar(&o.latency, "latency", "realistic", "plugin-API latency of the double: realistic or zero")
	flag.StringVar(&o.out, "out", "", "append the result as a JSON line to this file")
	flag.BoolVar(&o.keep, "keep", false, "keep the run folder")
	flag.StringVar(&o.mmServer, "mm-server", "newest", "Mattermost of the real mode (tests/mattermost/mm.sh)")
	flag.IntVar(&o.settleRounds, "settle", 2, "minutes to let pass after setup before measuring")
	windowAt := flag.String("window-at", "", "HH:MM:SS UTC: start the (first) window then instead, if setup and -settle are over by then (to hold a half hour, when reminders, statuses and digests crowd)")
	flag.DurationVar(&o.davLatency, "dav-latency", 50*time.Millisecond, "how long each answer of the CalDAV stub takes")
	flag.IntVar(&o.maxEvents, "max-events", 500, "events per calendar: 50 to this (the issue's scenario: 500)")
	flag.Parse()
	stages, err := parseStages(*users)
	if err != nil {
		fail(err)
	}
	o.stages, o.users = stages, stages[len(stages)-1]
	if *windowAt != "" {
		if o.windowAt, err = time.Parse("15:04:05", *windowAt); err != nil {
			fail(fmt.Errorf("-window-at %q: HH:MM:SS, UTC", *windowAt))
		}
	}
	if o.bundle == "" {
		b, err := newestBundle()
		if err != nil {
			fail(err)
		}
		o.bundle = b
	}
	problems := false
	err = run(o, func(res *Result) {
		res.print(os.Stdout)
		if o.out != "" {
			f, err := os.OpenFile(o.out, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err != nil {
				fail(err)
			}
			if err := json.NewEncoder(f).Encode(res); err != nil {
				logf("result not written to %s: %v", o.out, err)
			}
			_ = f.Close()
		}
		if res.Problems != "" {
			fmt.Fprintf(os.Stderr, "scalebench: %d users: %s\n", res.Users, res.Problems)
			problems = true
		}
	})
	if err != nil {
		fail(err)
	}
	if problems {
		os.Exit(1)
	}
}

// parseStages reads "10000" or "10000,20000,40000": positive and growing.
func parseStages(s string) ([]int, error) {
	var out []int
	for _, part := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || n <= 0 || (len(out) > 0 && n <= out[len(out)-1]) {
			return nil, fmt.Errorf("-users %q: positive counts, each larger than the one before", s)
		}
		out = append(out, n)
	}
	return out, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "scalebench:", err)
	os.Exit(2)
}

func logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s scalebench: %s\n", time.Now().Format("15:04:05"), fmt.Sprintf(format, args...))
}

func repoRoot() string {
	wd, _ := os.Getwd()
	for d := wd; d != "/"; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "plugin.json")); err == nil {
			return d
		}
	}
	return wd
}

func newestBundle() (string, error) {
	matches, _ := filepath.Glob(filepath.Join(repoRoot(), "dist", "*.tar.gz"))
	var best string
	var bestAt time.Time
	for _, m := range matches {
		if st, err := os.Stat(m); err == nil && st.ModTime().After(bestAt) {
			best, bestAt = m, st.ModTime()
		}
	}
	if best == "" {
		return "", fmt.Errorf("no bundle in dist/ (make bundle), or give -bundle")
	}
	return best, nil
}

// userID is user u's Mattermost id: 26 lower-case letters and digits.
func userID(u int) string { return fmt.Sprintf("u%025d", u) }

func userOf(id string) (int, bool) {
	var u int
	if len(id) != 26 || !strings.HasPrefix(id, "u") {
		return 0, false
	}
	_, err := fmt.Sscanf(id[1:], "%d", &u)
	return u, err == nil
}

func world(o options, epoch time.Time) davstub.World {
	return davstub.World{Users: o.users, Epoch: epoch, Password: "bench-app-password", MaxEvents: o.maxEvents}
}
