// Package mmclient acts as a Mattermost user the way the web app does, over the REST API
// (model.Client4) and the websocket: it runs slash commands, sees ephemeral answers, the
// bot's direct messages and dialogs the server opens, submits dialogs through
// /api/v4/actions/dialogs/submit and clicks message buttons. The end-to-end tests and the
// terminal client (cmd/ycal-client) are built on it.
package mmclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/mattermost/mattermost/server/public/model"
)

// Session is one signed-in user with a live websocket.
type Session struct {
	API *model.Client4
	Me  *model.User

	ws      *model.WebSocketClient
	mu      sync.Mutex
	wake    chan struct{}
	dialogs []*model.OpenDialogRequest
	posts   []Post
	closed  bool
}

// Kind tells where a post came from.
type Kind int

const (
	// Ephemeral: a message only this user sees (a command's later answer).
	Ephemeral Kind = iota
	// Direct: a post in a direct channel, from someone else (the bot).
	Direct
)

// Post is a message the user received.
type Post struct {
	Kind Kind
	*model.Post
}

// Login signs in with a password and opens the websocket.
func Login(ctx context.Context, baseURL, login, password string) (*Session, error) {
	api := model.NewAPIv4Client(strings.TrimRight(baseURL, "/"))
	me, _, err := api.Login(ctx, login, password)
	if err != nil {
		return nil, fmt.Errorf("login as %s: %w", login, err)
	}
	return open(api, me)
}

// WithToken uses a session or personal access token.
func WithToken(ctx context.Context, baseURL, token string) (*Session, error) {
	api := model.NewAPIv4Client(strings.TrimRight(baseURL, "/"))
	api.SetToken(token)
	me, _, err := api.GetMe(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("token: %w", err)
	}
	return open(api, me)
}

func open(api *model.Client4, me *model.User) (*Session, error) {
	wsURL := "ws" + strings.TrimPrefix(api.URL, "http")
	ws, err := model.NewWebSocketClient4(wsURL, api.AuthToken)
	if err != nil {
		return nil, fmt.Errorf("websocket: %w", err)
	}
	s := &Session{API: api, Me: me, ws: ws, wake: make(chan struct{}, 1)}
	ws.Listen()
	go s.read()
	return s, nil
}

// Close ends the websocket.
func (s *Session) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.ws.Close()
}

func (s *Session) read() {
	for ev := range s.ws.EventChannel {
		s.handle(ev)
	}
}

func (s *Session) handle(ev *model.WebSocketEvent) {
	data := ev.GetData()
	switch ev.EventType() {
	case model.WebsocketEventOpenDialog:
		raw, _ := data["dialog"].(string)
		var d model.OpenDialogRequest
		if json.Unmarshal([]byte(raw), &d) == nil {
			s.push(func() { s.dialogs = append(s.dialogs, &d) })
		}
	case model.WebsocketEventEphemeralMessage:
		if p := decodePost(data["post"]); p != nil {
			s.push(func() { s.posts = append(s.posts, Post{Ephemeral, p}) })
		}
	case model.WebsocketEventPosted:
		p := decodePost(data["post"])
		if p != nil && data["channel_type"] == string(model.ChannelTypeDirect) && p.UserId != s.Me.Id {
			s.push(func() { s.posts = append(s.posts, Post{Direct, p}) })
		}
	}
}

func decodePost(v any) *model.Post {
	raw, _ := v.(string)
	var p model.Post
	if raw == "" || json.Unmarshal([]byte(raw), &p) != nil {
		return nil
	}
	return &p
}

func (s *Session) push(f func()) {
	s.mu.Lock()
	f()
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// ErrTimeout: nothing arrived in time.
var ErrTimeout = errors.New("mmclient: timed out waiting")

// wait calls take until it finds something or the time is up.
func (s *Session) wait(ctx context.Context, timeout time.Duration, take func() bool) error {
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	for {
		s.mu.Lock()
		ok := take()
		s.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-s.wake:
		case <-deadline.C:
			return ErrTimeout
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// NextDialog returns the next dialog the server opened for this user.
func (s *Session) NextDialog(ctx context.Context, timeout time.Duration) (*model.OpenDialogRequest, error) {
	var d *model.OpenDialogRequest
	err := s.wait(ctx, timeout, func() bool {
		if len(s.dialogs) == 0 {
			return false
		}
		d, s.dialogs = s.dialogs[0], s.dialogs[1:]
		return true
	})
	return d, err
}

// NextPost returns the next received post of the given kind.
func (s *Session) NextPost(ctx context.Context, kind Kind, timeout time.Duration) (*model.Post, error) {
	var p *model.Post
	err := s.wait(ctx, timeout, func() bool {
		for i, q := range s.posts {
			if q.Kind == kind {
				p = q.Post
				s.posts = append(s.posts[:i:i], s.posts[i+1:]...)
				return true
			}
		}
		return false
	})
	return p, err
}

// Pending hands over everything received and not yet taken, in order of arrival.
func (s *Session) Pending() ([]*model.OpenDialogRequest, []Post) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, p := s.dialogs, s.posts
	s.dialogs, s.posts = nil, nil
	return d, p
}

// Wake is signalled when something arrives (for a client that waits on several things).
func (s *Session) Wake() <-chan struct{} { return s.wake }

// Command runs a slash command in a channel, as the web app does.
func (s *Session) Command(ctx context.Context, channelID, line string) (*model.CommandResponse, error) {
	resp, _, err := s.API.ExecuteCommand(ctx, channelID, line)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", line, err)
	}
	return resp, nil
}

// SubmitDialog submits a dialog the way the web app does, with its callback URL and state.
// values hold strings for text and select fields and booleans for checkboxes.
func (s *Session) SubmitDialog(ctx context.Context, d *model.OpenDialogRequest, channelID, teamID string, values map[string]any) (*model.SubmitDialogResponse, error) {
	resp, _, err := s.API.SubmitInteractiveDialog(ctx, model.SubmitDialogRequest{
		URL:        d.URL,
		CallbackId: d.Dialog.CallbackId,
		State:      d.Dialog.State,
		ChannelId:  channelID,
		TeamId:     teamID,
		Submission: values,
	})
	if err != nil {
		return nil, fmt.Errorf("submit %q: %w", d.Dialog.Title, err)
	}
	return resp, nil
}

// Buttons lists the buttons of a post's attachments.
func Buttons(p *model.Post) []*model.PostAction {
	var out []*model.PostAction
	for _, a := range p.Attachments() {
		for _, act := range a.Actions {
			if act != nil && (act.Type == "" || act.Type == model.PostActionTypeButton) {
				out = append(out, act)
			}
		}
	}
	return out
}

// Click presses a button of a post (ephemeral posts carry the server's cookie).
func (s *Session) Click(ctx context.Context, p *model.Post, action *model.PostAction) error {
	resp, err := s.API.DoPostActionWithCookie(ctx, p.Id, action.Id, "", action.Cookie)
	if err != nil {
		return fmt.Errorf("click %q: %w", action.Name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("click %q: HTTP %d", action.Name, resp.StatusCode)
	}
	return nil
}

// Defaults are a dialog's default values, as the web app pre-fills them.
func Defaults(d *model.Dialog) map[string]any {
	out := map[string]any{}
	for _, e := range d.Elements {
		switch {
		case e.Type == "bool":
			out[e.Name] = e.Default == "true"
		case e.Default != "":
			out[e.Name] = e.Default
		}
	}
	return out
}
