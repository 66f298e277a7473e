// Package harness serves a page that loads the plugin's web bundle (webapp/dist/main.js)
// the way the Mattermost web app does — React and ReactDOM on window, window.registerPlugin,
// a plugin registry with the App Bar, channel-header buttons and the right-hand panel, a
// Redux-like store, the websocket with the plugin's event handlers, Mattermost's theme
// colours as CSS variables — and proxies everything else (/plugins/…, /api/v4/…, the
// websocket) to a real Mattermost server, so the panel talks to the real plugin with the
// signed-in user's session cookie. The Mattermost test server is built without its web app;
// this page stands in for it in the browser test (tests/browser) and in `make run`.
package harness

import (
	"archive/tar"
	"compress/gzip"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

//go:embed page
var page embed.FS

// Options say which server, which bundle and where React comes from.
type Options struct {
	// MattermostURL is the server the page's requests go to, e.g. http://127.0.0.1:8065.
	MattermostURL string
	// PluginID and MainJS come from the bundle (ReadBundle).
	PluginID string
	MainJS   []byte
	// NodeModules holds react/ and react-dom/ (their UMD builds): webapp/node_modules.
	NodeModules string
}

// Bundle is what the page needs from a plugin bundle.
type Bundle struct {
	PluginID string
	MainJS   []byte
}

// ReadBundle takes the plugin id and webapp/dist/main.js out of a bundle (.tar.gz).
func ReadBundle(path string) (Bundle, error) {
	var b Bundle
	f, err := os.Open(path)
	if err != nil {
		return b, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return b, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return b, err
		}
		parts := strings.Split(strings.TrimPrefix(h.Name, "./"), "/")
		switch {
		case len(parts) == 2 && parts[1] == "plugin.json":
			var m struct {
				ID     string `json:"id"`
				Webapp struct {
					BundlePath string `json:"bundle_path"`
				} `json:"webapp"`
			}
			if err := json.NewDecoder(tr).Decode(&m); err != nil {
				return b, fmt.Errorf("plugin.json: %w", err)
			}
			b.PluginID = m.ID
		case len(parts) == 4 && parts[1] == "webapp" && parts[2] == "dist" && parts[3] == "main.js":
			if b.MainJS, err = io.ReadAll(tr); err != nil {
				return b, err
			}
		}
	}
	if b.PluginID == "" || len(b.MainJS) == 0 {
		return b, fmt.Errorf("%s: no plugin.json id or webapp/dist/main.js", path)
	}
	return b, nil
}

// New returns the page and the proxy as one handler.
func New(o Options) (http.Handler, error) {
	target, err := url.Parse(strings.TrimRight(o.MattermostURL, "/"))
	if err != nil || target.Host == "" {
		return nil, fmt.Errorf("mattermost URL %q: %v", o.MattermostURL, err)
	}
	react := map[string]string{
		"/harness/react.js":     filepath.Join(o.NodeModules, "react", "umd", "react.production.min.js"),
		"/harness/react-dom.js": filepath.Join(o.NodeModules, "react-dom", "umd", "react-dom.production.min.js"),
	}
	for _, p := range react {
		if _, err := os.Stat(p); err != nil {
			return nil, fmt.Errorf("React for the page: %w (run npm ci in webapp/)", err)
		}
	}
	static, err := fs.Sub(page, "page")
	if err != nil {
		return nil, err
	}
	config, err := json.Marshal(map[string]string{"plugin_id": o.PluginID})
	if err != nil {
		return nil, err
	}

	// The page stands where the site is: to Mattermost, requests come from its own origin.
	proxy := httputil.NewSingleHostReverseProxy(target)
	direct := proxy.Director
	proxy.Director = func(r *http.Request) {
		direct(r)
		r.Host = target.Host
		if r.Header.Get("Origin") != "" {
			r.Header.Set("Origin", target.Scheme+"://"+target.Host)
		}
		r.Header.Del("Referer")
	}

	mux := http.NewServeMux()
	mux.Handle("GET /{$}", noStore(http.FileServerFS(static)))
	mux.Handle("GET /harness/page/", noStore(http.StripPrefix("/harness/page/", http.FileServerFS(static))))
	mux.HandleFunc("GET /harness/config.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(config)
	})
	// Where the web app would load the plugin's bundle from (/static/plugins/<id>/…).
	mux.HandleFunc("GET /harness/plugin/main.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(o.MainJS)
	})
	for route, file := range react {
		mux.HandleFunc("GET "+route, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
			http.ServeFile(w, r, file)
		})
	}
	// The test server has no web app, hence no icon: the browser asks all the same.
	mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	})
	mux.Handle("/", proxy)
	return mux, nil
}

func noStore(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
