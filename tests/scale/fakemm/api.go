// Package fakemm is a test double of Mattermost's plugin API for the scale benchmark: the
// real plugin executable talks to it over the real plugin RPC (plugin.NewEnvironment), and
// every call waits as long as a server with its database would (Latency), is counted, and
// is kept (KV values, posts, custom statuses) for the benchmark to check.
//
// Only what the plugin calls is implemented; anything else panics through the nil embedded
// interface, so a new call shows up at once.
package fakemm

import (
	"bytes"
	"compress/flate"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
	"github.com/mattermost/mattermost/server/public/plugin"
)

// Latency is how long each kind of call takes on a real server (its database included).
type Latency struct {
	KVRead, KVWrite, KVList, Post, User, Status, Channel time.Duration
}

// Realistic is what the calls cost on a Mattermost server with PostgreSQL on the same
// machine, with the RPC of a real plugin process on top (measured by the benchmark's
// real-server mode).
var Realistic = Latency{
	KVRead: 400 * time.Microsecond, KVWrite: 1200 * time.Microsecond, KVList: 5 * time.Millisecond,
	Post: 8 * time.Millisecond, User: 500 * time.Microsecond, Status: 3 * time.Millisecond,
	Channel: time.Millisecond,
}

// Counts of calls since the last reset.
type Counts struct {
	KVReads, KVWrites, KVCAS, KVLists, Posts, StatusUpdates int64
	// Writes by the kind of key (the part after the user's folder), and those that went to
	// keys of the users QuietUser says are quiet.
	WritesByKind map[string]int64
	QuietWrites  int64
}

const shards = 64

type shard struct {
	mu sync.Mutex
	kv map[string]entry
}

type entry struct {
	value      []byte // flate-compressed when packed
	packed     bool
	expiresAt  int64 // ms; 0 = never
	uncompSize int
}

// API is the plugin API double.
type API struct {
	plugin.API

	Latency  Latency
	Bundle   string
	Settings map[string]any
	// QuietUser tells which user ids the benchmark expects to cause no writes.
	QuietUser func(id string) bool
	Logf      func(format string, args ...any)

	kv [shards]shard

	mu     sync.Mutex
	users  map[string]*model.User
	posts  []*model.Post
	byID   map[string]*model.Post
	status map[string]*model.CustomStatus
	logs   map[string]int64 // level → count
	pool   string           // the plugin's last "component instances" line
	peak   int

	reads, writes, cas, lists, postCount, statusCount, quietWrites atomic.Int64
	kindMu                                                         sync.Mutex
	byKind                                                         map[string]int64

	listMu   sync.Mutex
	listKeys []string
	listAt   time.Time
}

// New makes an API for the bundle unpacked at bundle.
func New(bundle string, settings map[string]any) *API {
	a := &API{Bundle: bundle, Settings: settings, Latency: Realistic, users: map[string]*model.User{},
		byID: map[string]*model.Post{}, status: map[string]*model.CustomStatus{}, logs: map[string]int64{},
		byKind: map[string]int64{}, QuietUser: func(string) bool { return false }, Logf: func(string, ...any) {}}
	for i := range a.kv {
		a.kv[i].kv = map[string]entry{}
	}
	return a
}

// AddUser registers a Mattermost user.
func (a *API) AddUser(u *model.User) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.users[u.Id] = u
}

func wait(d time.Duration) {
	if d > 0 {
		time.Sleep(d)
	}
}

// --- logging and configuration ---

func (a *API) log(level, msg string, kv ...any) {
	a.mu.Lock()
	a.logs[level]++
	if msg == "component instances" {
		a.pool = fmt.Sprintln(kv...)
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i] == "peak" {
				switch n := kv[i+1].(type) {
				case int:
					a.peak = max(a.peak, n)
				case int64:
					a.peak = max(a.peak, int(n))
				case float64:
					a.peak = max(a.peak, int(n))
				case string: // the plugin RPC sends log values as text
					if v, err := strconv.Atoi(n); err == nil {
						a.peak = max(a.peak, v)
					}
				}
			}
		}
	}
	a.mu.Unlock()
	if level == "error" || level == "warn" {
		a.Logf("plugin %s: %s %v", level, msg, kv)
	}
}
func (a *API) LogError(msg string, kv ...any) { a.log("error", msg, kv...) }
func (a *API) LogWarn(msg string, kv ...any)  { a.log("warn", msg, kv...) }
func (a *API) LogInfo(msg string, kv ...any)  { a.log("info", msg, kv...) }
func (a *API) LogDebug(msg string, kv ...any) { a.log("debug", msg, kv...) }

// Pool is the plugin's last report of its wasm instances, and the most it reported.
func (a *API) Pool() (string, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pool, a.peak
}

// LogCounts is how many lines the plugin logged per level.
func (a *API) LogCounts() map[string]int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]int64{}
	for k, v := range a.logs {
		out[k] = v
	}
	return out
}

func (a *API) GetServerVersion() string       { return "11.4.0" }
func (a *API) GetBundlePath() (string, error) { return a.Bundle, nil }
func (a *API) GetPluginConfig() map[string]any {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := map[string]any{}
	for k, v := range a.Settings {
		out[k] = v
	}
	return out
}
func (a *API) SavePluginConfig(m map[string]any) *model.AppError {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.Settings = m
	return nil
}
func (a *API) GetConfig() *model.Config {
	c := &model.Config{}
	c.SetDefaults()
	*c.FileSettings.Directory = filepath.Join(a.Bundle, "..", "..", "data")
	return c
}
func (a *API) GetLicense() *model.License { return nil }

// --- KV store ---

func (a *API) shard(key string) *shard {
	h := fnv.New32a()
	_, _ = h.Write([]byte(key))
	return &a.kv[h.Sum32()%shards]
}

func pack(v []byte) entry {
	if len(v) < 2048 {
		return entry{value: append([]byte(nil), v...), uncompSize: len(v)}
	}
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestSpeed)
	_, _ = w.Write(v)
	_ = w.Close()
	return entry{value: b.Bytes(), packed: true, uncompSize: len(v)}
}

func (e entry) bytes() []byte {
	if !e.packed {
		return append([]byte(nil), e.value...)
	}
	out, _ := io.ReadAll(flate.NewReader(bytes.NewReader(e.value)))
	return out
}

func (e entry) live(now int64) bool { return e.expiresAt == 0 || e.expiresAt > now }

// userKey finds the user id in a key: the plugin's keys put it after v1/u/, v1/fx/, v1/j/,
// and the backoff record after caldav_backoff:.
var userKey = regexp.MustCompile(`^(v1/u/|v1/fx/|v1/j/|caldav_backoff:)([a-z0-9]{26})(?:/(.*))?$`)

// kindOf names the kind of a key for the counts (the path inside the user's folder without
// ids: u/cal/obj, u/plan, fx/r …; the job scheduler's once_ and mutex_ records by what they
// guard), and the user id in it, if any.
func kindOf(key string) (kind, user string) {
	prefix := ""
	for _, p := range []string{"once_", "mutex_"} {
		if strings.HasPrefix(key, p) {
			prefix, key = p, key[len(p):]
			break
		}
	}
	if m := userKey.FindStringSubmatch(key); m != nil {
		parts := strings.Split(m[3], "/")
		switch m[1] {
		case "v1/u/":
			kind = "u/" + parts[0]
			if len(parts) >= 3 && parts[0] == "cal" {
				kind = "u/cal/" + parts[2]
			}
		case "v1/fx/":
			kind = "fx/" + parts[0]
		case "v1/j/":
			kind = "job"
		default:
			kind = "backoff"
		}
		return prefix + kind, m[2]
	}
	if parts := strings.Split(key, "/"); len(parts) >= 2 && parts[0] == "v1" {
		return prefix + "v1/" + parts[1], ""
	}
	return prefix + key, ""
}

func (a *API) wrote(key string) {
	a.writes.Add(1)
	kind, user := kindOf(key)
	a.kindMu.Lock()
	a.byKind[kind]++
	a.kindMu.Unlock()
	if user != "" && a.QuietUser(user) {
		a.quietWrites.Add(1)
	}
}

func (a *API) KVGet(key string) ([]byte, *model.AppError) {
	wait(a.Latency.KVRead)
	a.reads.Add(1)
	s := a.shard(key)
	s.mu.Lock()
	e, ok := s.kv[key]
	s.mu.Unlock()
	if !ok || !e.live(model.GetMillis()) {
		return nil, nil
	}
	return e.bytes(), nil
}

func (a *API) set(key string, v []byte, expireSecs int64) {
	s := a.shard(key)
	var e entry
	if len(v) > 0 {
		e = pack(v)
		if expireSecs > 0 {
			e.expiresAt = model.GetMillis() + expireSecs*1000
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(v) == 0 {
		delete(s.kv, key)
		return
	}
	s.kv[key] = e
}

// KVSet with an empty value deletes, as on the server (gob turns []byte{} into nil).
func (a *API) KVSet(key string, v []byte) *model.AppError {
	wait(a.Latency.KVWrite)
	a.wrote(key)
	a.set(key, v, 0)
	return nil
}

func (a *API) KVSetWithExpiry(key string, v []byte, secs int64) *model.AppError {
	wait(a.Latency.KVWrite)
	a.wrote(key)
	a.set(key, v, secs)
	return nil
}

func (a *API) KVDelete(key string) *model.AppError {
	wait(a.Latency.KVWrite)
	a.wrote(key)
	a.set(key, nil, 0)
	return nil
}

// KVSetWithOptions: Atomic compares with OldValue (nil: only if absent; an expired value
// counts as absent), as the server's SQL does.
func (a *API) KVSetWithOptions(key string, v []byte, o model.PluginKVSetOptions) (bool, *model.AppError) {
	wait(a.Latency.KVWrite)
	if o.Atomic {
		a.cas.Add(1)
	}
	s := a.shard(key)
	now := model.GetMillis()
	s.mu.Lock()
	cur, exists := s.kv[key]
	if exists && !cur.live(now) {
		delete(s.kv, key)
		exists = false
	}
	if o.Atomic {
		old := o.OldValue
		if len(old) == 0 {
			old = nil
		}
		if exists != (old != nil) || (exists && !bytes.Equal(cur.bytes(), old)) {
			s.mu.Unlock()
			return false, nil
		}
	}
	if len(v) == 0 {
		delete(s.kv, key)
	} else {
		e := pack(v)
		if o.ExpireInSeconds > 0 {
			e.expiresAt = now + o.ExpireInSeconds*1000
		}
		s.kv[key] = e
	}
	s.mu.Unlock()
	a.wrote(key)
	return true, nil
}

// KVList pages through the sorted keys; a listing started within the last seconds goes on
// from the same snapshot (the job-once scheduler pages through everything every 5 minutes).
func (a *API) KVList(page, perPage int) ([]string, *model.AppError) {
	wait(a.Latency.KVList)
	a.lists.Add(1)
	a.listMu.Lock()
	defer a.listMu.Unlock()
	if page == 0 || time.Since(a.listAt) > 10*time.Second {
		now := model.GetMillis()
		a.listKeys = a.listKeys[:0]
		for i := range a.kv {
			s := &a.kv[i]
			s.mu.Lock()
			for k, e := range s.kv {
				if e.live(now) {
					a.listKeys = append(a.listKeys, k)
				}
			}
			s.mu.Unlock()
		}
		sort.Strings(a.listKeys)
		a.listAt = time.Now()
	}
	start := min(page*perPage, len(a.listKeys))
	return append([]string(nil), a.listKeys[start:min(start+perPage, len(a.listKeys))]...), nil
}

// KVSize is how many keys there are and their values' bytes (uncompressed, stored).
func (a *API) KVSize() (keys int, raw, stored int64) {
	for i := range a.kv {
		s := &a.kv[i]
		s.mu.Lock()
		keys += len(s.kv)
		for _, e := range s.kv {
			raw += int64(e.uncompSize)
			stored += int64(len(e.value))
		}
		s.mu.Unlock()
	}
	return keys, raw, stored
}

// KVKeysWithPrefix counts live keys with a prefix.
func (a *API) KVKeysWithPrefix(prefix string) int {
	n := 0
	now := model.GetMillis()
	for i := range a.kv {
		s := &a.kv[i]
		s.mu.Lock()
		for k, e := range s.kv {
			if strings.HasPrefix(k, prefix) && e.live(now) {
				n++
			}
		}
		s.mu.Unlock()
	}
	return n
}

// --- bot, command, users, posts, statuses ---

func (a *API) EnsureBotUser(*model.Bot) (string, error)       { return BotID, nil }
func (a *API) SetProfileImage(string, []byte) *model.AppError { return nil }
func (a *API) RegisterCommand(*model.Command) error           { return nil }

// BotID is the bot's user id.
const BotID = "botbotbotbotbotbotbotbotbo"

func (a *API) GetUser(id string) (*model.User, *model.AppError) {
	wait(a.Latency.User)
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.users[id]
	if !ok {
		return nil, model.NewAppError("GetUser", "app.user.missing.app_error", nil, "", http.StatusNotFound)
	}
	c := *u
	c.Props = model.StringMap{}
	for k, v := range u.Props {
		c.Props[k] = v
	}
	return &c, nil
}

// DMChannel is the id of the direct channel of the bot and user.
func DMChannel(user string) string { return "dm" + user[2:] }

func (a *API) GetDirectChannel(_, user string) (*model.Channel, *model.AppError) {
	wait(a.Latency.Channel)
	return &model.Channel{Id: DMChannel(user), Type: model.ChannelTypeDirect}, nil
}

func (a *API) CreatePost(p *model.Post) (*model.Post, *model.AppError) {
	wait(a.Latency.Post)
	a.postCount.Add(1)
	a.mu.Lock()
	defer a.mu.Unlock()
	p.Id = fmt.Sprintf("p%025d", len(a.posts)+1)
	p.CreateAt = model.GetMillis()
	a.posts = append(a.posts, p)
	a.byID[p.Id] = p
	return p, nil
}

func (a *API) GetPost(id string) (*model.Post, *model.AppError) {
	wait(a.Latency.KVRead)
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, ok := a.byID[id]; ok {
		return p.Clone(), nil
	}
	return nil, model.NewAppError("GetPost", "app.post.get.app_error", nil, "", http.StatusNotFound)
}

func (a *API) UpdatePost(p *model.Post) (*model.Post, *model.AppError) {
	wait(a.Latency.Post)
	a.mu.Lock()
	defer a.mu.Unlock()
	if old, ok := a.byID[p.Id]; ok {
		old.Message, old.EditAt = p.Message, model.GetMillis()
		old.SetProps(p.GetProps())
	}
	return p, nil
}

func (a *API) DeletePost(id string) *model.AppError {
	wait(a.Latency.Post)
	a.mu.Lock()
	defer a.mu.Unlock()
	if p, ok := a.byID[id]; ok {
		p.DeleteAt = model.GetMillis()
	}
	return nil
}

func (a *API) SendEphemeralPost(string, *model.Post) *model.Post { return &model.Post{} }

func (a *API) OpenInteractiveDialog(model.OpenDialogRequest) *model.AppError { return nil }

func (a *API) UpdateUserCustomStatus(user string, cs *model.CustomStatus) *model.AppError {
	wait(a.Latency.Status)
	a.statusCount.Add(1)
	a.mu.Lock()
	defer a.mu.Unlock()
	if u, ok := a.users[user]; ok {
		c := *cs
		a.status[user] = &c
		_ = u.SetCustomStatus(&c)
	}
	return nil
}

func (a *API) RemoveUserCustomStatus(user string) *model.AppError {
	wait(a.Latency.Status)
	a.statusCount.Add(1)
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.status, user)
	if u, ok := a.users[user]; ok {
		u.ClearCustomStatus()
	}
	return nil
}

func (a *API) PublishWebSocketEvent(string, map[string]any, *model.WebsocketBroadcast) {}

// Posts made since ms.
func (a *API) Posts(since int64) []*model.Post {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []*model.Post
	for _, p := range a.posts {
		if p.CreateAt >= since && p.DeleteAt == 0 {
			out = append(out, p)
		}
	}
	return out
}

// Status is the user's custom status now (nil: none).
func (a *API) Status(user string) *model.CustomStatus {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.status[user]
}

// Counts since the last ResetCounts.
func (a *API) Counts() Counts {
	c := Counts{KVReads: a.reads.Load(), KVWrites: a.writes.Load(), KVCAS: a.cas.Load(), KVLists: a.lists.Load(),
		Posts: a.postCount.Load(), StatusUpdates: a.statusCount.Load(), QuietWrites: a.quietWrites.Load(),
		WritesByKind: map[string]int64{}}
	a.kindMu.Lock()
	for k, v := range a.byKind {
		c.WritesByKind[k] = v
	}
	a.kindMu.Unlock()
	return c
}

// ResetCounts zeroes the counts.
func (a *API) ResetCounts() {
	for _, c := range []*atomic.Int64{&a.reads, &a.writes, &a.cas, &a.lists, &a.postCount, &a.statusCount, &a.quietWrites} {
		c.Store(0)
	}
	a.kindMu.Lock()
	a.byKind = map[string]int64{}
	a.kindMu.Unlock()
}
