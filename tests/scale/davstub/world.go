// Package davstub is a fast in-memory CalDAV server shaped like caldav.yandex.ru, for the
// scale benchmark (`make bench-scale`): thousands of accounts whose calendars are generated
// from the user's number (nothing is stored but what changed), changes made at a set rate,
// and every request and byte counted.
//
// The shapes follow tests/servers/yandex_replay.py (itself from recorded Yandex answers):
// discovery from `/`, hrefs with `%40`, unquoted millisecond ETags, `data:,NNN` sync tokens,
// objects with an inline VTIMEZONE and TZID=Europe/Moscow, calendar-query ignoring its time
// range, sync-collection with Depth 0 and 403 on a token it does not know.
package davstub

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// World is the generated content: who the users are and what their calendars hold. Two
// processes with the same World (the stub and the benchmark that checks what arrived)
// agree on every event.
type World struct {
	Users    int
	Epoch    time.Time // events lie around it; ETags of unchanged objects are its milliseconds
	Password string
	// MaxEvents caps the events per calendar (default and at most 500; at least 50).
	MaxEvents int
}

// Login of user u.
func Login(u int) string { return fmt.Sprintf("u%06d@bench.test", u) }

// UserOf parses a login back to its number.
func UserOf(login string) (int, bool) {
	rest, ok := strings.CutPrefix(login, "u")
	if !ok {
		return 0, false
	}
	num, ok := strings.CutSuffix(rest, "@bench.test")
	if !ok || len(num) != 6 {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func h(parts ...int) uint64 {
	x := uint64(0x5ca1e)
	for _, p := range parts {
		x = splitmix(x ^ uint64(p))
	}
	return x
}

// Calendars of user u: 1 to 3.
func (w *World) Calendars(u int) int { return 1 + int(h(u, 1)%3) }

// Events in calendar c (1-based) of user u: 50 to 500 (or to MaxEvents).
func (w *World) Events(u, c int) int {
	top := 500
	if w.MaxEvents >= 50 && w.MaxEvents < 500 {
		top = w.MaxEvents
	}
	return 50 + int(h(u, c, 2)%uint64(top-49))
}

// Quiet users (one in a hundred) have meetings only in the past and never a change: each of
// their rounds is an idle poll, which is what the benchmark checks for KV writes.
func (w *World) Quiet(u int) bool { return u%100 == 99 }

// TZ is the timezone user u sets in the connect dialog: offsets around the clock, so that
// some users' morning is always now.
func (w *World) TZ(u int) string { return zones[h(u, 3)%uint64(len(zones))] }

var zones = []string{
	"Europe/Moscow", "Europe/Kaliningrad", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
	"Asia/Novosibirsk", "Asia/Irkutsk", "Asia/Yakutsk", "Asia/Vladivostok", "Asia/Magadan",
	"Asia/Kamchatka", "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
	"Asia/Kolkata", "Asia/Tokyo", "America/Sao_Paulo", "Pacific/Honolulu", "Asia/Dubai",
}

// Digest is the local time of user u's morning digest: 07:00 to 10:45 in 15-minute steps.
func (w *World) Digest(u int) string {
	q := int(h(u, 4) % 16)
	return fmt.Sprintf("%02d:%02d", 7+q/4, 15*(q%4))
}

// Event is one generated event (version 0; changes only retitle it).
type Event struct {
	U, C, I   int
	Start     time.Time
	Dur       time.Duration
	Weekly    bool // a weekly series of WeeklyCount meetings
	Organizer bool // the user organizes it (changes by others never touch these)
	Declined  bool
	Telemost  bool
	Attendees int // besides the user
}

// WeeklyCount is how many meetings a weekly series has.
const WeeklyCount = 8

const (
	halfHour = 30 * time.Minute
	slot     = 5 * time.Minute
)

// Event i (0-based) of calendar c of user u.
func (w *World) Event(u, c, i int) Event {
	r := h(u, c, i, 5)
	e := Event{U: u, C: c, I: i}
	e.Weekly = r%10 == 0
	// Meetings start on 5-minute marks, half of them on the hour or half hour.
	span := int64(60 * 24 * 12) // 5-minute slots in 60 days
	from := w.Epoch.Truncate(halfHour).Add(-30 * 24 * time.Hour)
	if e.Weekly {
		// Series began up to five weeks ago and run eight weeks.
		span = 37 * 24 * 12
		from = w.Epoch.Truncate(halfHour).Add(-35 * 24 * time.Hour)
	}
	if w.Quiet(u) {
		span = 20 * 24 * 12
		from = w.Epoch.Truncate(halfHour).Add(-58 * 24 * time.Hour)
		e.Weekly = false
	}
	n := int64(r>>8) % span
	if (r>>36)%2 == 0 {
		n -= n % 6
	}
	e.Start = from.Add(time.Duration(n) * slot)
	e.Dur = halfHour * time.Duration(1+(r>>40)%2)
	e.Organizer = (r>>44)%5 == 0
	e.Declined = !e.Organizer && (r>>48)%20 == 0
	e.Telemost = (r>>52)%2 == 0
	e.Attendees = 1 + int((r>>56)%6)
	return e
}

// Starts of the event's meetings.
func (e Event) Starts() []time.Time {
	if !e.Weekly {
		return []time.Time{e.Start}
	}
	out := make([]time.Time, WeeklyCount)
	for k := range out {
		out[k] = e.Start.Add(time.Duration(k) * 7 * 24 * time.Hour)
	}
	return out
}

// UID of event i of calendar c of user u.
func UID(u, c, i int) string { return fmt.Sprintf("b%d-%d-%d@bench.test", u, c, i) }

// ParseUID is the inverse of UID.
func ParseUID(uid string) (u, c, i int, ok bool) {
	rest, found := strings.CutPrefix(uid, "b")
	if !found {
		return 0, 0, 0, false
	}
	rest, found = strings.CutSuffix(rest, "@bench.test")
	if !found {
		return 0, 0, 0, false
	}
	parts := strings.Split(rest, "-")
	if len(parts) != 3 {
		return 0, 0, 0, false
	}
	var err [3]error
	u, err[0] = strconv.Atoi(parts[0])
	c, err[1] = strconv.Atoi(parts[1])
	i, err[2] = strconv.Atoi(parts[2])
	return u, c, i, err[0] == nil && err[1] == nil && err[2] == nil
}

// Summary of an event at a version: a change retitles it, so the change message names the
// new title and the benchmark finds it.
func Summary(i int, version uint32) string {
	if version == 0 {
		return fmt.Sprintf("Встреча %d", i)
	}
	return fmt.Sprintf("Встреча %d ред%d", i, version)
}

var moscow = time.FixedZone("MSK", 3*3600)

const vtimezone = "BEGIN:VTIMEZONE\r\nTZID:Europe/Moscow\r\nTZURL:http://tzurl.org/zoneinfo/Europe/Moscow\r\n" +
	"X-LIC-LOCATION:Europe/Moscow\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0300\r\nTZOFFSETTO:+0300\r\n" +
	"TZNAME:MSK\r\nDTSTART:20110327T020000\r\nRDATE:20110327T020000\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"

// ICS is the object's body, as Yandex would serve it.
func (w *World) ICS(e Event, version uint32, modified time.Time) string {
	var b strings.Builder
	b.Grow(1400)
	local := func(t time.Time) string { return t.In(moscow).Format("20060102T150405") }
	login := Login(e.U)
	b.WriteString("BEGIN:VCALENDAR\r\nPRODID:-//Yandex LLC//Yandex Calendar//EN\r\nVERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n")
	b.WriteString(vtimezone)
	b.WriteString("BEGIN:VEVENT\r\n")
	fmt.Fprintf(&b, "DTSTART;TZID=Europe/Moscow:%s\r\nDTEND;TZID=Europe/Moscow:%s\r\n", local(e.Start), local(e.Start.Add(e.Dur)))
	fmt.Fprintf(&b, "SUMMARY:%s\r\n", Summary(e.I, version))
	fmt.Fprintf(&b, "UID:%s\r\nSEQUENCE:%d\r\n", UID(e.U, e.C, e.I), version)
	fmt.Fprintf(&b, "DTSTAMP:%s\r\n", time.Now().UTC().Format("20060102T150405Z"))
	fmt.Fprintf(&b, "CREATED:%s\r\nLAST-MODIFIED:%s\r\n", w.Epoch.UTC().Add(-90*24*time.Hour).Format("20060102T150405Z"),
		modified.UTC().Format("20060102T150405Z"))
	fmt.Fprintf(&b, "URL:https://calendar.yandex.ru/event?event_id=%d\r\n", h(e.U, e.C, e.I)%1_000_000_000)
	if e.Telemost {
		fmt.Fprintf(&b, "X-TELEMOST-CONFERENCE:https://telemost.yandex.ru/j/%d\r\n", h(e.U, e.C, e.I, 6)%100_000_000_000)
	}
	fmt.Fprintf(&b, "LOCATION:Переговорная %d\r\nDESCRIPTION:Повестка встречи %d\\nВопросы по проекту\r\n", e.I%17, e.I)
	if e.Weekly {
		fmt.Fprintf(&b, "RRULE:FREQ=WEEKLY;COUNT=%d\r\n", WeeklyCount)
	}
	organizer := fmt.Sprintf("p%d@bench.test", h(e.U, e.C, e.I, 7)%50)
	if e.Organizer {
		organizer = login
	}
	fmt.Fprintf(&b, "ORGANIZER;CN=Организатор:mailto:%s\r\n", organizer)
	my := "ACCEPTED"
	if e.Declined {
		my = "DECLINED"
	}
	fmt.Fprintf(&b, "ATTENDEE;PARTSTAT=%s;CN=Я;ROLE=REQ-PARTICIPANT:mailto:%s\r\n", my, login)
	for k := range e.Attendees {
		fmt.Fprintf(&b, "ATTENDEE;PARTSTAT=ACCEPTED;CN=Коллега %d;ROLE=REQ-PARTICIPANT:mailto:p%d@bench.test\r\n", k, (int(h(e.U, e.C, e.I, 8))+k)%50)
	}
	b.WriteString("TRANSP:OPAQUE\r\nCATEGORIES:Мои события\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
	return b.String()
}
