package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// radicaleCalendar is a Radicale with one empty calendar of the test user; put and del
// change it, get reads an event back.
type radicaleCalendar struct {
	url, cal string
	dav      func(stdin string, args ...string)
}

// startRadicaleCalendar starts a Radicale in the run folder's name (stopped at cleanup).
func startRadicaleCalendar(t *testing.T, name string) *radicaleCalendar {
	t.Helper()
	here, _ := os.Getwd()
	servers := filepath.Join(here, "..", "servers")
	dir := filepath.Join(env.runDir, name)
	out, err := exec.Command("bash", filepath.Join(servers, "radicale.sh"), "start", dir).Output()
	if err != nil {
		t.Fatalf("radicale.sh start: %v", err)
	}
	t.Cleanup(func() { _ = exec.Command("bash", filepath.Join(servers, "radicale.sh"), "stop", dir).Run() })
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	c := &radicaleCalendar{url: lines[len(lines)-1]}
	c.cal = c.url + caldavUser + "/work/"
	c.dav = func(stdin string, args ...string) {
		cmd := exec.Command("python3", append([]string{filepath.Join(servers, "dav.py")}, args...)...)
		cmd.Env = append(os.Environ(), "YCAL_TEST_USER="+caldavUser, "YCAL_TEST_PASSWORD="+caldavPassword)
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("dav.py %v: %v\n%s", args, err, out)
		}
	}
	c.dav("", "mkcal", c.cal, "Работа")
	return c
}

func (c *radicaleCalendar) put(uid, body string) { c.dav(body, "put", c.cal+uid+".ics", "-") }
func (c *radicaleCalendar) del(uid string)       { c.dav("", "delete", c.cal+uid+".ics") }
