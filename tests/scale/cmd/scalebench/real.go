package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/tests/scale/davstub"
)

// real: the same users through a real Mattermost server and PostgreSQL
// (tests/mattermost/mm.sh), to show the plugin-API double does not flatter: the bundle
// uploaded and enabled through the API, every user created and set up through the
// server's dialog endpoint, posts and KV traffic read from the database.
type real struct {
	o      options
	w      davstub.World
	dir    string
	vars   map[string]string
	admin  *model.Client4
	team   string
	ch     string // a channel every user is in (dialogs are submitted from it)
	id     string // plugin id
	bot    string
	pid    int
	mu     sync.Mutex
	users  map[int]*model.Client4 // each user's own client (a session)
	byID   map[string]int
	kvBase [3]int64
}

// mmsh runs tests/mattermost/mm.sh on server (newest or oldest).
func mmsh(server string, args ...string) error {
	cmd := exec.Command("bash", append([]string{filepath.Join(repoRoot(), "tests", "mattermost", "mm.sh")}, args...)...)
	cmd.Env = append(os.Environ(), "MM_SERVER="+server)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	return cmd.Run()
}

func readVars(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			out[k] = v
		}
	}
	return out, sc.Err()
}

func newReal(o options, caldav string, w davstub.World) (target, error) {
	dir, err := os.MkdirTemp("", "ycal-scale-mm-")
	if err != nil {
		return nil, err
	}
	r := &real{o: o, w: w, dir: dir, users: map[int]*model.Client4{}, byID: map[string]int{}}
	if err := mmsh(r.o.mmServer, "start", dir); err != nil {
		return nil, fmt.Errorf("mm.sh start: %w", err)
	}
	if r.vars, err = readVars(filepath.Join(dir, "env")); err != nil {
		r.close()
		return nil, err
	}
	fail := func(err error) (target, error) { r.close(); return nil, err }
	ctx := context.Background()
	r.admin = model.NewAPIv4SocketClient(r.vars["MM_LOCAL_SOCKET"])
	f, err := os.Open(o.bundle)
	if err != nil {
		return fail(err)
	}
	m, _, err := r.admin.UploadPluginForced(ctx, f)
	f.Close()
	if err != nil {
		return fail(fmt.Errorf("upload: %w", err))
	}
	r.id = m.Id
	cfg, _, err := r.admin.GetConfig(ctx)
	if err != nil {
		return fail(err)
	}
	if cfg.PluginSettings.Plugins == nil {
		cfg.PluginSettings.Plugins = map[string]map[string]any{}
	}
	*cfg.TeamSettings.MaxUsersPerTeam = 100_000
	cfg.PluginSettings.Plugins[r.id] = map[string]any{"caldavurl": caldav, "syncintervalminutes": 1,
		"reminderleadminutes": o.lead, "allowedhosts": "", "encryptionkey": "YmVuY2gtc2NhbGUta2V5LTAxMjM0NTY3ODk="}
	if _, _, err := r.admin.UpdateConfig(ctx, cfg); err != nil {
		return fail(err)
	}
	if _, err := r.admin.EnablePlugin(ctx, r.id); err != nil {
		return fail(fmt.Errorf("enable: %w", err))
	}
	team, _, err := r.admin.CreateTeam(ctx, &model.Team{Name: "bench", DisplayName: "Bench", Type: model.TeamOpen})
	if err != nil {
		return fail(err)
	}
	r.team = team.Id
	ch, _, err := r.admin.CreateChannel(ctx, &model.Channel{TeamId: team.Id, Name: "bench", DisplayName: "Bench", Type: model.ChannelTypeOpen})
	if err != nil {
		return fail(err)
	}
	r.ch = ch.Id
	mm, _ := strconv.Atoi(r.vars["MM_PID"])
	if r.pid, err = waitProcess("plugin-linux-amd64", mm); err != nil {
		return fail(err)
	}
	bots, _, err := r.admin.GetBotsIncludeDeleted(ctx, 0, 100, "")
	if err != nil {
		return fail(err)
	}
	for _, b := range bots {
		if b.Username == "yandex-calendar" {
			r.bot = b.UserId
		}
	}
	if r.bot == "" {
		return fail(fmt.Errorf("no bot"))
	}
	return r, nil
}

func waitProcess(name string, parent int) (int, error) {
	var err error
	for range 120 {
		var pid int
		if pid, err = findProcess(name, parent); err == nil {
			return pid, nil
		}
		sleepSeconds(1)
	}
	return 0, err
}

// setupUser: a Mattermost user like benchUser (created by the admin, signed in), then
// the two dialogs submitted through the server, as the web app does.
func (r *real) setupUser(u int) error {
	ctx := context.Background()
	want := benchUser(r.w, u)
	password := "Bench-Passw0rd-" + strconv.Itoa(u)
	created, _, err := r.admin.CreateUser(ctx, &model.User{Username: want.Username, Email: fmt.Sprintf("user%06d@mm.bench", u),
		Password: password, Locale: want.Locale})
	if err != nil {
		return fmt.Errorf("create user %d: %w", u, err)
	}
	if _, _, err := r.admin.AddTeamMember(ctx, r.team, created.Id); err != nil {
		return err
	}
	if _, _, err := r.admin.AddChannelMember(ctx, r.ch, created.Id); err != nil {
		return err
	}
	c := model.NewAPIv4Client(r.vars["MM_URL"])
	if _, _, err := c.Login(ctx, want.Username, password); err != nil {
		return err
	}
	if _, _, err := c.PatchUser(ctx, created.Id, &model.UserPatch{Timezone: want.Timezone}); err != nil {
		return err
	}
	r.mu.Lock()
	r.users[u] = c
	r.byID[created.Id] = u
	r.mu.Unlock()
	subs := dialogs(r.w, r.o, u)
	for i, path := range []string{"connect", "notifications"} {
		resp, _, err := c.SubmitInteractiveDialog(ctx, model.SubmitDialogRequest{URL: "/plugins/" + r.id + "/dialog/" + path,
			CallbackId: "x", State: path, UserId: created.Id, TeamId: r.team, ChannelId: r.ch, Submission: subs[i]})
		if err != nil {
			return fmt.Errorf("%s for user %d: %w", path, u, err)
		}
		if resp.Error != "" || len(resp.Errors) > 0 {
			return fmt.Errorf("%s for user %d: %+v", path, u, resp)
		}
	}
	return nil
}

func (r *real) pluginPID() int { return r.pid }

func (r *real) psql(query string) (string, error) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/psql")
		if len(matches) == 0 {
			return "", fmt.Errorf("no psql")
		}
		psql = matches[0]
	}
	out, err := exec.Command(psql, r.vars["PG_DSN"], "-At", "-F", "\x1f", "-R", "\x1e", "-c", query).Output()
	return string(out), err
}

func (r *real) posts(since int64) ([]post, error) {
	out, err := r.psql(fmt.Sprintf(`SELECT c.name, p.createat, p.message, p.props FROM posts p JOIN channels c ON c.id = p.channelid
		WHERE p.userid = '%s' AND p.createat >= %d AND p.deleteat = 0`, r.bot, since))
	if err != nil {
		return nil, err
	}
	var list []post
	for _, rec := range strings.Split(out, "\x1e") {
		f := strings.Split(rec, "\x1f")
		if len(f) != 4 {
			continue
		}
		a, b, _ := strings.Cut(f[0], "__")
		other := a
		if a == r.bot {
			other = b
		}
		r.mu.Lock()
		u, ok := r.byID[other]
		r.mu.Unlock()
		if !ok {
			continue
		}
		at, _ := strconv.ParseInt(f[1], 10, 64)
		var props map[string]any
		_ = json.Unmarshal([]byte(f[3]), &props)
		list = append(list, post{user: u, kind: fmt.Sprint(props["ycal_kind"]), meeting: fmt.Sprint(props["ycal_meeting"]),
			message: f[2], at: at})
	}
	return list, nil
}

// kvStats: rows inserted, updated and deleted in the plugin KV table, and its index scans
// (reads), from PostgreSQL's statistics.
func (r *real) kvStats() [3]int64 {
	out, err := r.psql(`SELECT n_tup_ins + n_tup_upd + n_tup_del, idx_scan, seq_scan FROM pg_stat_user_tables WHERE relname = 'pluginkeyvaluestore'`)
	var s [3]int64
	if err != nil {
		return s
	}
	f := strings.Split(strings.TrimRight(out, "\x1e"), "\x1f")
	for i := range min(3, len(f)) {
		s[i], _ = strconv.ParseInt(strings.TrimSpace(f[i]), 10, 64)
	}
	return s
}

func (r *real) resetKV() { r.kvBase = r.kvStats() }

func (r *real) kv() (kvCounts, bool) {
	now := r.kvStats()
	return kvCounts{writes: now[0] - r.kvBase[0], reads: now[1] - r.kvBase[1] + now[2] - r.kvBase[2],
		byKind: map[string]int64{"(all, from PostgreSQL's counts)": now[0] - r.kvBase[0]}}, true
}

func (r *real) serverPIDs() map[string][]int {
	mm, _ := strconv.Atoi(r.vars["MM_PID"])
	out := map[string][]int{"mattermost": {mm}, "harness": {os.Getpid()}}
	b, err := os.ReadFile(filepath.Join(r.vars["PG_DATA"], "data", "postmaster.pid"))
	if err == nil {
		pm, _ := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
		pids := []int{pm}
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, d := range dirs {
			st, err := os.ReadFile(filepath.Join(d, "stat"))
			if err != nil {
				continue
			}
			s := string(st)
			f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
			if pp, _ := strconv.Atoi(f[1]); pp == pm {
				pid, _ := strconv.Atoi(filepath.Base(d))
				pids = append(pids, pid)
			}
		}
		out["postgres"] = pids
	}
	return out
}

// instances: the plugin's last "component instances" line in the server log.
func (r *real) instances() string {
	b, err := os.ReadFile(r.vars["MM_LOG"])
	if err != nil {
		return "?"
	}
	last := ""
	for _, l := range strings.Split(string(b), "\n") {
		if strings.Contains(l, "component instances") {
			last = l
		}
	}
	var line map[string]any
	if json.Unmarshal([]byte(last), &line) != nil {
		return "?"
	}
	delete(line, "timestamp")
	delete(line, "caller")
	delete(line, "msg")
	delete(line, "level")
	delete(line, "plugin_id")
	return fmt.Sprintf("wasm instances (last report): %v", line)
}

func (r *real) close() {
	if err := mmsh(r.o.mmServer, "stop", r.dir); err != nil {
		logf("mm.sh stop: %v", err)
	}
	if !r.o.keep {
		_ = os.RemoveAll(r.dir)
	}
}
