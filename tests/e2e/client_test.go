package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// client is a tiny Mattermost REST (api/v4) client on net/http.
type client struct {
	base  string
	token string
	http  *http.Client
}

func newClient(base string) *client {
	return &client{base: strings.TrimRight(base, "/"), http: &http.Client{Timeout: 60 * time.Second}}
}

// apiError is a non-2xx answer, with Mattermost's error body.
type apiError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, e.Body)
}

// do sends in (JSON-encoded unless nil) and decodes the answer into out (unless nil).
func (c *client) do(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+"/api/v4"+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.send(req, out)
}

func (c *client) send(req *http.Request, out any) error {
	req.Header.Set("X-Requested-With", "XMLHttpRequest")
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &apiError{Method: req.Method, Path: req.URL.Path, Status: resp.StatusCode, Body: string(data)}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: decoding %q: %w", req.Method, req.URL.Path, data, err)
		}
	}
	return nil
}

type user struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Email    string `json:"email"`
	Roles    string `json:"roles"`
	Locale   string `json:"locale"`
}

// login signs in and keeps the session token for later calls.
func (c *client) login(loginID, password string) (*user, error) {
	b, _ := json.Marshal(map[string]string{"login_id": loginID, "password": password})
	req, err := http.NewRequest(http.MethodPost, c.base+"/api/v4/users/login", bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return nil, &apiError{Method: "POST", Path: "/api/v4/users/login", Status: resp.StatusCode, Body: string(data)}
	}
	c.token = resp.Header.Get("Token")
	if c.token == "" {
		return nil, fmt.Errorf("login of %s: no Token header", loginID)
	}
	var u user
	if err := json.Unmarshal(data, &u); err != nil {
		return nil, err
	}
	return &u, nil
}

type manifest struct {
	ID               string `json:"id"`
	Name             string `json:"name"`
	Version          string `json:"version"`
	MinServerVersion string `json:"min_server_version"`
}

// uploadPlugin posts a bundle to /api/v4/plugins with force=true.
func (c *client) uploadPlugin(bundle string) (*manifest, error) {
	f, err := os.Open(bundle)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part, err := mw.CreateFormFile("plugin", filepath.Base(bundle))
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(part, f); err != nil {
		return nil, err
	}
	if err := mw.WriteField("force", "true"); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, c.base+"/api/v4/plugins", &buf)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var m manifest
	if err := c.send(req, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Plugin states of /api/v4/plugins/statuses (model.PluginState*).
const (
	pluginStateNotRunning          = 0
	pluginStateStarting            = 1
	pluginStateRunning             = 2
	pluginStateFailedToStart       = 3
	pluginStateFailedToStayRunning = 4
	pluginStateStopping            = 5
)

type pluginStatus struct {
	PluginID string `json:"plugin_id"`
	State    int    `json:"state"`
	Error    string `json:"error"`
	Version  string `json:"version"`
}

type commandResponse struct {
	ResponseType string `json:"response_type"`
	Text         string `json:"text"`
	Username     string `json:"username"`
	Attachments  []struct {
		Text    string `json:"text"`
		Pretext string `json:"pretext"`
		Title   string `json:"title"`
		Fields  []struct {
			Title string `json:"title"`
			Value any    `json:"value"`
		} `json:"fields"`
	} `json:"attachments"`
}

// allText is the response's text plus its attachments' text, for content checks.
func (r *commandResponse) allText() string {
	var sb strings.Builder
	sb.WriteString(r.Text)
	for _, a := range r.Attachments {
		for _, s := range []string{a.Pretext, a.Title, a.Text} {
			if s != "" {
				sb.WriteString("\n" + s)
			}
		}
		for _, f := range a.Fields {
			sb.WriteString(fmt.Sprintf("\n%s: %v", f.Title, f.Value))
		}
	}
	return sb.String()
}

type bot struct {
	UserID      string `json:"user_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	OwnerID     string `json:"owner_id"`
	DeleteAt    int64  `json:"delete_at"`
}
