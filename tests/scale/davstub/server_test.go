package davstub

import (
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

func stub(t *testing.T) (*Server, *httptest.Server) {
	t.Helper()
	s := New(World{Users: 200, Epoch: time.Now().Truncate(time.Minute), Password: "pw"})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv
}

func dav(t *testing.T, srv *httptest.Server, u int, method, path, depth, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.SetBasicAuth(Login(u), "pw")
	if depth != "" {
		req.Header.Set("Depth", depth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestTheWorldIsTheSameForEveryoneWhoAsks(t *testing.T) {
	w := World{Users: 10, Epoch: time.Unix(1_764_000_000, 0)}
	for u := range w.Users {
		if c := w.Calendars(u); c < 1 || c > 3 {
			t.Fatalf("calendars %d", c)
		}
		for c := 1; c <= w.Calendars(u); c++ {
			if n := w.Events(u, c); n < 50 || n > 500 {
				t.Fatalf("events %d", n)
			}
		}
		if got, ok := UserOf(Login(u)); !ok || got != u {
			t.Fatalf("login %s", Login(u))
		}
	}
	if w.Event(3, 1, 7) != w.Event(3, 1, 7) || w.ICS(w.Event(3, 1, 7), 0, w.Epoch) == "" {
		t.Fatal("not deterministic")
	}
	if u, c, i, ok := ParseUID(UID(12, 2, 345)); !ok || u != 12 || c != 2 || i != 345 {
		t.Fatal("uid")
	}
}

// One PROPFIND of the home gives every calendar's markers; a change moves them and shows
// in sync-collection; an unknown token is refused like Yandex does; requests are counted.
func TestTheStubAnswersLikeYandexAndCounts(t *testing.T) {
	s, srv := stub(t)
	u := 5
	home := "/calendars/" + quoted(Login(u)) + "/"
	code, body := dav(t, srv, u, "PROPFIND", home, "1", "<getctag/><sync-token/>")
	if code != 207 || strings.Count(body, "<getctag") != s.W.Calendars(u)+1 {
		t.Fatalf("%d %s", code, body)
	}
	if code, _ := dav(t, srv, u+1, "PROPFIND", home, "1", ""); code != http.StatusNotFound {
		t.Fatalf("another user's home: %d", code)
	}
	before := s.ctag(u, 1)
	ch, ok := s.Change(u, 1, rand.New(rand.NewPCG(1, 2)))
	if !ok || s.ctag(u, 1) == before {
		t.Fatalf("no change: %+v", ch)
	}
	cal := s.calHref(u, 1)
	code, body = dav(t, srv, u, "REPORT", cal, "0", "<sync-collection><sync-token>data:,"+strconv.FormatInt(before, 10)+"</sync-token></sync-collection>")
	_, _, i, _ := ParseUID(ch.UID)
	if code != 207 || !strings.Contains(body, objectName(u, 1, i)) || strings.Count(body, "<D:response>") != 1 {
		t.Fatalf("sync-collection: %d %s", code, body)
	}
	if code, _ := dav(t, srv, u, "REPORT", cal, "0", "<sync-collection><sync-token>data:,5</sync-token></sync-collection>"); code != 403 {
		t.Fatalf("stale token: %d", code)
	}
	code, body = dav(t, srv, u, "REPORT", cal, "1", "<calendar-multiget><href>"+cal+objectName(u, 1, i)+"</href></calendar-multiget>")
	if code != 207 || !strings.Contains(body, "SUMMARY:"+ch.Summary) {
		t.Fatalf("multiget: %d %s", code, body)
	}
	st := s.Stats()
	if st.Kinds[KindHome].Requests != 1 || st.Kinds[KindOther].Requests != 1 || st.Kinds[KindSync].Requests != 2 || st.Changes != 1 || st.Idle.Users != s.W.Users-1 {
		t.Fatalf("stats %+v", st)
	}
}

// A run that grows in stages changes and counts only the users connected so far.
func TestOnlyConnectedUsersChangeAndCount(t *testing.T) {
	s := New(World{Users: 300, Epoch: time.Now().Truncate(time.Minute), Password: "pw", MaxEvents: 50})
	s.SetConnected(20)
	s.StartChanges(1, time.Second) // every connected calendar once a second
	time.Sleep(400 * time.Millisecond)
	s.StopChanges()
	changes := s.Changes(0)
	if len(changes) == 0 {
		t.Fatal("no changes made")
	}
	for _, c := range changes {
		if c.User >= 20 {
			t.Fatalf("user %d is not connected yet but changed: %+v", c.User, c)
		}
	}
	if st := s.Stats(); st.Idle.Users > 20 || st.Quiet.Users != 0 {
		t.Fatalf("cohorts count users not connected: %+v", st)
	}
	s.SetConnected(0)
	if st := s.Stats(); st.Quiet.Users != 3 {
		t.Fatalf("all 300 users: quiet cohort %d, want 3", st.Quiet.Users)
	}
}
