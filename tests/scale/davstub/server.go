package davstub

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Kinds of request the stub counts.
const (
	KindRoot      = "propfind-root"      // discovery: current-user-principal
	KindPrincipal = "propfind-principal" // discovery: calendar-home-set
	KindHome      = "propfind-home"      // Depth 1 of the home: every calendar's ctag and token (a poll)
	KindCalendar  = "propfind-calendar"  // Depth 0 of one calendar
	KindSync      = "sync-collection"
	KindQuery     = "calendar-query"
	KindMultiget  = "calendar-multiget"
	KindOther     = "other"
)

var kinds = []string{KindRoot, KindPrincipal, KindHome, KindCalendar, KindSync, KindQuery, KindMultiget, KindOther}

type counter struct{ requests, in, out atomic.Int64 }

// calendar is what changed in one calendar; an untouched calendar has none.
type calendar struct {
	ctag    int64
	log     []change       // in order of time
	version map[int]uint32 // event index → version
	etag    map[int]int64
}

type change struct {
	at int64
	i  int
}

// Change is a change the stub made, for the benchmark to find in the messages.
type Change struct {
	User    int    `json:"user"`
	UID     string `json:"uid"`
	Summary string `json:"summary"`
	AtMs    int64  `json:"at_ms"`
}

// Server answers CalDAV for every user of its World.
type Server struct {
	W World
	// Latency delays every DAV answer (the round trip to a real server).
	Latency time.Duration
	epochMs int64

	mu        sync.Mutex
	calendars map[int]*calendar // key: u*4 + c
	changes   []Change
	lastStamp int64

	byKind map[string]*counter
	// Per user since the last reset: requests, polls (home PROPFINDs), bytes out; and
	// whether a change touched the user.
	reqs, polls, bytes []atomic.Int64
	changed            []atomic.Bool
	// connected is how many users (the first ones) the benchmark has connected so far: only
	// their calendars change and only they are counted in the cohorts; 0 means all. A run
	// that grows in stages (10,000, then 20,000 …) raises it after each stage's setup.
	connected atomic.Int64

	changer struct {
		sync.Mutex
		stop chan struct{}
	}
}

// New makes a server for w.
func New(w World) *Server {
	s := &Server{W: w, epochMs: w.Epoch.UnixMilli(), calendars: map[int]*calendar{}, byKind: map[string]*counter{},
		reqs: make([]atomic.Int64, w.Users), polls: make([]atomic.Int64, w.Users),
		bytes: make([]atomic.Int64, w.Users), changed: make([]atomic.Bool, w.Users)}
	for _, k := range kinds {
		s.byKind[k] = &counter{}
	}
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_stub/") {
		s.control(w, r)
		return
	}
	body, _ := io.ReadAll(r.Body)
	if s.Latency > 0 {
		time.Sleep(s.Latency)
	}
	cw := &countingWriter{ResponseWriter: w}
	kind, user := s.dav(cw, r, string(body))
	c := s.byKind[kind]
	c.requests.Add(1)
	c.in.Add(int64(len(body)))
	c.out.Add(cw.n)
	if user >= 0 {
		s.reqs[user].Add(1)
		s.bytes[user].Add(cw.n)
		if kind == KindHome {
			s.polls[user].Add(1)
		}
	}
}

type countingWriter struct {
	http.ResponseWriter
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.ResponseWriter.Write(b)
	c.n += int64(n)
	return n, err
}

func (s *Server) user(r *http.Request) (int, bool) {
	auth := r.Header.Get("Authorization")
	raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(auth, "Basic "))
	if err != nil || !strings.HasPrefix(auth, "Basic ") {
		return -1, false
	}
	login, pw, _ := strings.Cut(string(raw), ":")
	u, ok := UserOf(login)
	if !ok || u >= s.W.Users || pw != s.W.Password {
		return -1, false
	}
	return u, true
}

func send(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
}

func quoted(login string) string { return strings.ReplaceAll(login, "@", "%40") }

const msHead = "<?xml version='1.0' encoding='utf-8'?>\n<D:multistatus xmlns:D=\"DAV:\">"
const msTail = "</D:multistatus>"

func okProps(b *strings.Builder, props string) {
	b.WriteString("<D:propstat><D:prop>")
	b.WriteString(props)
	b.WriteString(`</D:prop><status xmlns="DAV:">HTTP/1.1 200 OK</status></D:propstat>`)
}

func response(b *strings.Builder, href string, inner func()) {
	b.WriteString(`<D:response><href xmlns="DAV:">`)
	b.WriteString(href)
	b.WriteString("</href>")
	inner()
	b.WriteString("</D:response>")
}

// dav answers one DAV request; it returns the kind and the user (-1 if unknown).
func (s *Server) dav(w http.ResponseWriter, r *http.Request, body string) (string, int) {
	u, ok := s.user(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="Yandex"`)
		send(w, http.StatusUnauthorized, "")
		return KindOther, -1
	}
	path, _ := url.PathUnescape(r.URL.Path)
	login := Login(u)
	principal := "/principals/users/" + login + "/"
	home := "/calendars/" + login + "/"
	switch {
	case r.Method == "PROPFIND" && path == "/":
		var b strings.Builder
		b.WriteString(msHead)
		response(&b, "/", func() {
			okProps(&b, "<D:current-user-principal><D:href>/principals/users/"+quoted(login)+"/</D:href></D:current-user-principal>")
		})
		b.WriteString(msTail)
		send(w, 207, b.String())
		return KindRoot, u
	case r.Method == "PROPFIND" && path == principal:
		var b strings.Builder
		b.WriteString(msHead)
		response(&b, "/principals/users/"+quoted(login)+"/", func() {
			okProps(&b, `<C:calendar-home-set xmlns:C="urn:ietf:params:xml:ns:caldav"><D:href>/calendars/`+quoted(login)+
				`/</D:href></C:calendar-home-set><email-address-set xmlns="http://calendarserver.org/ns/"><D:href>mailto:`+
				login+`</D:href></email-address-set>`)
		})
		b.WriteString(msTail)
		send(w, 207, b.String())
		return KindPrincipal, u
	case r.Method == "PROPFIND" && path == home:
		s.home(w, u, body)
		return KindHome, u
	}
	c, object, ok := s.calendarOf(u, strings.TrimPrefix(path, home), strings.HasPrefix(path, home))
	if !ok {
		send(w, http.StatusNotFound, "")
		return KindOther, u
	}
	switch {
	case r.Method == "PROPFIND" && object == "":
		ctag := s.ctag(u, c)
		var b strings.Builder
		b.WriteString(msHead)
		response(&b, s.calHref(u, c), func() { okProps(&b, markers(ctag)) })
		b.WriteString(msTail)
		send(w, 207, b.String())
		return KindCalendar, u
	case r.Method == "REPORT" && strings.Contains(body, "sync-collection"):
		s.syncCollection(w, r, u, c, body)
		return KindSync, u
	case r.Method == "REPORT" && strings.Contains(body, "calendar-multiget"):
		s.multiget(w, u, c, body)
		return KindMultiget, u
	case r.Method == "REPORT" && strings.Contains(body, "calendar-query"):
		s.query(w, u, c, body)
		return KindQuery, u
	}
	send(w, http.StatusMethodNotAllowed, "")
	return KindOther, u
}

func (s *Server) calHref(u, c int) string {
	return "/calendars/" + quoted(Login(u)) + "/events-" + strconv.Itoa(10000+c) + "/"
}

// calendarOf parses "events-NNNNN/[object]" below the user's home.
func (s *Server) calendarOf(u int, rest string, under bool) (c int, object string, ok bool) {
	if !under {
		return 0, "", false
	}
	name, object, _ := strings.Cut(rest, "/")
	num, found := strings.CutPrefix(name, "events-")
	if !found {
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	c = n - 10000
	if err != nil || c < 1 || c > s.W.Calendars(u) {
		return 0, "", false
	}
	return c, object, true
}

func markers(ctag int64) string {
	t := strconv.FormatInt(ctag, 10)
	return "<D:sync-token>data:," + t + `</D:sync-token><getctag xmlns="http://calendarserver.org/ns/">` + t + "</getctag>"
}

func (s *Server) ctag(u, c int) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cal := s.calendars[u*4+c]; cal != nil {
		return cal.ctag
	}
	return s.epochMs
}

// home: Depth 1 of the calendar home, with what was asked of every collection.
func (s *Server) home(w http.ResponseWriter, u int, body string) {
	full := strings.Contains(body, "displayname")
	var b strings.Builder
	b.WriteString(msHead)
	login := quoted(Login(u))
	response(&b, "/calendars/"+login+"/", func() {
		okProps(&b, "<D:resourcetype><D:collection /></D:resourcetype>")
	})
	for _, box := range []string{"inbox", "outbox"} {
		response(&b, "/calendars/"+login+"/"+box+"/", func() {
			okProps(&b, `<D:resourcetype><D:collection /><C:schedule-`+box+` xmlns:C="urn:ietf:params:xml:ns:caldav" /></D:resourcetype>`)
		})
	}
	comp := func(c string) string {
		return `<C:supported-calendar-component-set xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp name="` + c +
			`" /></C:supported-calendar-component-set><D:resourcetype><C:calendar xmlns:C="urn:ietf:params:xml:ns:caldav" /><D:collection /></D:resourcetype>`
	}
	for c := 1; c <= s.W.Calendars(u); c++ {
		props := markers(s.ctag(u, c)) + comp("VEVENT")
		if full {
			props += "<D:displayname>Календарь " + strconv.Itoa(c) + `</D:displayname><calendar-color xmlns="http://apple.com/ns/ical/">#49c0a8ff</calendar-color>`
		}
		response(&b, s.calHref(u, c), func() { okProps(&b, props) })
	}
	// Yandex lists the to-do list beside the calendars.
	response(&b, "/calendars/"+login+"/todos-20001/", func() {
		props := markers(s.epochMs) + comp("VTODO")
		if full {
			props += "<D:displayname>Не забыть</D:displayname>"
		}
		okProps(&b, props)
	})
	b.WriteString(msTail)
	send(w, 207, b.String())
}

func objectName(u, c, i int) string {
	return "b" + strconv.Itoa(u) + "-" + strconv.Itoa(c) + "-" + strconv.Itoa(i) + ".ics"
}

func objectIndex(u, c int, name string) (int, bool) {
	prefix := "b" + strconv.Itoa(u) + "-" + strconv.Itoa(c) + "-"
	rest, ok := strings.CutPrefix(name, prefix)
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(strings.TrimSuffix(rest, ".ics"))
	return n, err == nil
}

// state of event i: version and ETag.
func (s *Server) state(u, c, i int) (uint32, int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cal := s.calendars[u*4+c]; cal != nil {
		if v, ok := cal.version[i]; ok {
			return v, cal.etag[i]
		}
	}
	return 0, s.epochMs
}

func (s *Server) query(w http.ResponseWriter, u, c int, _ string) {
	// Like Yandex: the time range is ignored, every object comes back.
	var b strings.Builder
	b.WriteString(msHead)
	for i := range s.W.Events(u, c) {
		_, etag := s.state(u, c, i)
		response(&b, s.calHref(u, c)+objectName(u, c, i), func() {
			okProps(&b, "<D:getetag>"+strconv.FormatInt(etag, 10)+"</D:getetag>")
		})
	}
	b.WriteString(msTail)
	send(w, 207, b.String())
}

var hrefRe = regexp.MustCompile(`<[^>/]*href>([^<]*)<`)

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func (s *Server) multiget(w http.ResponseWriter, u, c int, body string) {
	var b strings.Builder
	b.WriteString(msHead)
	for _, m := range hrefRe.FindAllStringSubmatch(body, -1) {
		href := strings.TrimSpace(m[1])
		plain, _ := url.PathUnescape(href)
		name := plain[strings.LastIndex(plain, "/")+1:]
		i, ok := objectIndex(u, c, name)
		if !ok || i >= s.W.Events(u, c) {
			response(&b, href, func() { b.WriteString(`<status xmlns="DAV:">HTTP/1.1 404 Not Found</status>`) })
			continue
		}
		v, etag := s.state(u, c, i)
		ics := s.W.ICS(s.W.Event(u, c, i), v, time.UnixMilli(etag))
		response(&b, s.calHref(u, c)+objectName(u, c, i), func() {
			okProps(&b, "<D:getetag>"+strconv.FormatInt(etag, 10)+`</D:getetag><C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav">`+
				xmlEscape(ics)+"</C:calendar-data>")
		})
	}
	b.WriteString(msTail)
	send(w, 207, b.String())
}

var tokenRe = regexp.MustCompile(`<[^>]*sync-token>([^<]*)<`)

func (s *Server) syncCollection(w http.ResponseWriter, r *http.Request, u, c int, body string) {
	if strings.TrimSpace(r.Header.Get("Depth")) != "0" {
		send(w, http.StatusBadRequest, "sync-collection needs Depth: 0")
		return
	}
	m := tokenRe.FindStringSubmatch(body)
	if m == nil || strings.TrimSpace(m[1]) == "" {
		send(w, 507, "")
		return
	}
	_, num, _ := strings.Cut(strings.TrimSpace(m[1]), ",")
	since, err := strconv.ParseInt(num, 10, 64)
	if err != nil || since < s.epochMs {
		send(w, http.StatusForbidden, `<?xml version="1.0" encoding="utf-8"?>`+"\n"+`<D:error xmlns:D="DAV:"><D:valid-sync-token/></D:error>`)
		return
	}
	s.mu.Lock()
	latest := map[int]int64{}
	ctag := s.epochMs
	if cal := s.calendars[u*4+c]; cal != nil {
		ctag = cal.ctag
		for _, ch := range cal.log {
			if ch.at > since {
				latest[ch.i] = cal.etag[ch.i]
			}
		}
	}
	s.mu.Unlock()
	var b strings.Builder
	b.WriteString(msHead)
	for i, etag := range latest {
		// Yandex: hrefs of a sync delta come without percent-encoding.
		response(&b, "/calendars/"+Login(u)+"/events-"+strconv.Itoa(10000+c)+"/"+objectName(u, c, i), func() {
			okProps(&b, "<D:getetag>"+strconv.FormatInt(etag, 10)+"</D:getetag>")
		})
	}
	b.WriteString("<D:sync-token>data:," + strconv.FormatInt(ctag, 10) + "</D:sync-token>")
	b.WriteString(msTail)
	send(w, 207, b.String())
}

// stamp is a millisecond time later than any given before (ETags and tokens must move).
func (s *Server) stamp() int64 {
	now := time.Now().UnixMilli()
	if now <= s.lastStamp {
		now = s.lastStamp + 1
	}
	s.lastStamp = now
	return now
}

// Change retitles one meeting of calendar c of user u that someone else organizes, with a
// meeting in the next 2.5 days (inside the plugin's snapshot window, which is at least
// three days however full the calendars are, so the change is told at once); false if the
// calendar has none.
func (s *Server) Change(u, c int, rng *rand.Rand) (Change, bool) {
	now := time.Now()
	var candidates []int
	for i := range s.W.Events(u, c) {
		e := s.W.Event(u, c, i)
		if e.Organizer || e.Declined {
			continue
		}
		for _, st := range e.Starts() {
			if st.After(now.Add(15*time.Minute)) && st.Before(now.Add(60*time.Hour)) {
				candidates = append(candidates, i)
				break
			}
		}
	}
	if len(candidates) == 0 {
		return Change{}, false
	}
	i := candidates[rng.IntN(len(candidates))]
	s.mu.Lock()
	defer s.mu.Unlock()
	cal := s.calendars[u*4+c]
	if cal == nil {
		cal = &calendar{version: map[int]uint32{}, etag: map[int]int64{}}
		s.calendars[u*4+c] = cal
	}
	at := s.stamp()
	cal.version[i]++
	cal.etag[i] = at
	cal.ctag = at
	cal.log = append(cal.log, change{at: at, i: i})
	ch := Change{User: u, UID: UID(u, c, i), Summary: Summary(i, cal.version[i]), AtMs: at}
	s.changes = append(s.changes, ch)
	s.changed[u].Store(true)
	return ch, true
}

// StartChanges changes `rate` of the connected users' calendars (quiet users' excepted) per `interval`, at
// random moments, until StopChanges.
func (s *Server) StartChanges(rate float64, interval time.Duration) {
	s.changer.Lock()
	defer s.changer.Unlock()
	if s.changer.stop != nil {
		return
	}
	stop := make(chan struct{})
	s.changer.stop = stop
	var cals [][2]int
	for u := range s.connectedUsers() {
		if s.W.Quiet(u) {
			continue
		}
		for c := 1; c <= s.W.Calendars(u); c++ {
			cals = append(cals, [2]int{u, c})
		}
	}
	perSecond := rate * float64(len(cals)) / interval.Seconds()
	go func() {
		rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
		t := time.NewTicker(100 * time.Millisecond)
		defer t.Stop()
		owed := 0.0
		for {
			select {
			case <-stop:
				return
			case <-t.C:
			}
			owed += perSecond / 10
			for ; owed >= 1; owed-- {
				pick := cals[rng.IntN(len(cals))]
				s.Change(pick[0], pick[1], rng)
			}
		}
	}()
}

// SetConnected says the first n users are connected (0: all of them).
func (s *Server) SetConnected(n int) { s.connected.Store(int64(min(max(n, 0), s.W.Users))) }

func (s *Server) connectedUsers() int {
	if n := int(s.connected.Load()); n > 0 {
		return n
	}
	return s.W.Users
}

// StopChanges stops the changes.
func (s *Server) StopChanges() {
	s.changer.Lock()
	defer s.changer.Unlock()
	if s.changer.stop != nil {
		close(s.changer.stop)
		s.changer.stop = nil
	}
}

// KindStats are the counts of one kind of request.
type KindStats struct {
	Requests int64 `json:"requests"`
	BytesIn  int64 `json:"bytes_in"`
	BytesOut int64 `json:"bytes_out"`
}

// Cohort sums the requests of a group of users.
type Cohort struct {
	Users    int   `json:"users"`
	Polls    int64 `json:"polls"`
	Requests int64 `json:"requests"`
	BytesOut int64 `json:"bytes_out"`
}

// Stats since the last reset.
type Stats struct {
	Kinds map[string]KindStats `json:"kinds"`
	// Idle: users none of whose calendars changed; Quiet: users with nothing ahead.
	Idle    Cohort `json:"idle"`
	Quiet   Cohort `json:"quiet"`
	Changes int    `json:"changes"`
}

// Stats reads the counters.
func (s *Server) Stats() Stats {
	st := Stats{Kinds: map[string]KindStats{}}
	for k, c := range s.byKind {
		st.Kinds[k] = KindStats{c.requests.Load(), c.in.Load(), c.out.Load()}
	}
	add := func(co *Cohort, u int) {
		co.Users++
		co.Polls += s.polls[u].Load()
		co.Requests += s.reqs[u].Load()
		co.BytesOut += s.bytes[u].Load()
	}
	for u := range s.connectedUsers() {
		if !s.changed[u].Load() {
			add(&st.Idle, u)
		}
		if s.W.Quiet(u) {
			add(&st.Quiet, u)
		}
	}
	s.mu.Lock()
	st.Changes = len(s.changes)
	s.mu.Unlock()
	return st
}

// Reset zeroes the counters (not the calendars).
func (s *Server) Reset() {
	for _, c := range s.byKind {
		c.requests.Store(0)
		c.in.Store(0)
		c.out.Store(0)
	}
	for u := range s.W.Users {
		s.reqs[u].Store(0)
		s.polls[u].Store(0)
		s.bytes[u].Store(0)
		s.changed[u].Store(false)
	}
}

// Changes made since msSince.
func (s *Server) Changes(since int64) []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Change
	for _, c := range s.changes {
		if c.AtMs >= since {
			out = append(out, c)
		}
	}
	return out
}

// control: the benchmark's endpoints (no auth, loopback only).
//
//	POST /_stub/reset                       zero the counters
//	POST /_stub/connected?n=N               only the first N users change and are counted
//	GET  /_stub/stats                       Stats as JSON
//	POST /_stub/changes/start?rate=0.01&interval=60s
//	POST /_stub/changes/stop
//	GET  /_stub/changes?since=MS            the changes made, as JSON
func (s *Server) control(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(v)
	}
	switch r.URL.Path {
	case "/_stub/reset":
		s.Reset()
		reply("ok")
	case "/_stub/connected":
		n, err := strconv.Atoi(q.Get("n"))
		if err != nil || n < 0 {
			http.Error(w, "n", http.StatusBadRequest)
			return
		}
		s.SetConnected(n)
		reply("ok")
	case "/_stub/stats":
		reply(s.Stats())
	case "/_stub/changes/start":
		rate, _ := strconv.ParseFloat(q.Get("rate"), 64)
		interval, err := time.ParseDuration(q.Get("interval"))
		if rate <= 0 || err != nil || interval <= 0 {
			http.Error(w, "rate and interval", http.StatusBadRequest)
			return
		}
		s.StartChanges(rate, interval)
		reply("ok")
	case "/_stub/changes/stop":
		s.StopChanges()
		reply("ok")
	case "/_stub/changes":
		since, _ := strconv.ParseInt(q.Get("since"), 10, 64)
		reply(s.Changes(since))
	default:
		http.NotFound(w, r)
	}
}
