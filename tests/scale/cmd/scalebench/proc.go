package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// clockTicks is Linux's USER_HZ, what /proc/<pid>/stat counts CPU time in.
const clockTicks = 100

// cpuTime is the process's user+system CPU time, with that of its children it has waited
// for (PostgreSQL's backends come and go: the postmaster collects their time).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: fields start after the last ')'.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	if len(f) < 15 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	var ticks int64
	for _, i := range []int{11, 12, 13, 14} { // utime, stime, cutime, cstime
		n, _ := strconv.ParseInt(f[i], 10, 64)
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// rss is the process's resident memory in bytes.
func rss(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no VmRSS for %d", pid)
}

// findProcess is the pid of a process whose executable's name is name and whose parent
// is parent (0: any parent).
func findProcess(name string, parent int) (int, error) {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	for _, d := range dirs {
		pid, _ := strconv.Atoi(filepath.Base(d))
		exe, err := os.Readlink(filepath.Join(d, "exe"))
		if err != nil || filepath.Base(exe) != name {
			continue
		}
		if parent == 0 {
			return pid, nil
		}
		b, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		s := string(b)
		f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
		if pp, _ := strconv.Atoi(f[1]); pp == parent {
			return pid, nil
		}
	}
	return 0, fmt.Errorf("no process %s (parent %d)", name, parent)
}

// sampler reads a process's CPU and RSS every few seconds.
type sampler struct {
	pid  int
	stop chan struct{}
	done sync.WaitGroup

	mu      sync.Mutex
	maxRSS  int64
	lastRSS int64
}

func sample(pid int) *sampler {
	s := &sampler{pid: pid, stop: make(chan struct{})}
	s.done.Add(1)
	go func() {
		defer s.done.Done()
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			if r, err := rss(pid); err == nil {
				s.mu.Lock()
				s.lastRSS = r
				s.maxRSS = max(s.maxRSS, r)
				s.mu.Unlock()
			}
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) end() (maxRSS, lastRSS int64) {
	close(s.stop)
	s.done.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.maxRSS, s.lastRSS
}

func sleepSeconds(n int) { time.Sleep(time.Duration(n) * time.Second) }
