package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// The keys of plugin.json's settings_schema. Mattermost keeps plugin settings under their
// keys in lower case; they are looked up without regard to case.
const (
	keyCalDAVURL     = "CalDAVURL"
	keyReminderLead  = "ReminderLeadMinutes"
	keySyncInterval  = "SyncIntervalMinutes"
	keyAllowedHosts  = "AllowedHosts"
	keyEncryptionKey = "EncryptionKey"
)

// configuration is what the admin saved and what the component made of it. Defaults,
// ranges and validation are the component's (src/settings.rs); Go only carries values.
type configuration struct {
	saved    wit.PluginConfig
	settings wit.Settings
}

func lookup(m map[string]any, key string) (any, bool) {
	if v, ok := m[key]; ok {
		return v, true
	}
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// savedConfig reads the plugin's settings map exactly as saved: a missing or null setting is
// nil (the component applies its default), a number is passed as the whole number it is.
func savedConfig(m map[string]any) (wit.PluginConfig, error) {
	var out wit.PluginConfig
	var err error
	if out.CaldavURL, err = text(m, keyCalDAVURL); err != nil {
		return out, err
	}
	if out.AllowedHosts, err = text(m, keyAllowedHosts); err != nil {
		return out, err
	}
	if out.ReminderLeadMinutes, err = whole(m, keyReminderLead); err != nil {
		return out, err
	}
	if out.SyncIntervalMinutes, err = whole(m, keySyncInterval); err != nil {
		return out, err
	}
	key, err := text(m, keyEncryptionKey)
	if err != nil {
		return out, err
	}
	if key != nil {
		out.EncryptionKey = *key
	}
	return out, nil
}

func text(m map[string]any, key string) (*string, error) {
	v, _ := lookup(m, key)
	switch s := v.(type) {
	case nil:
		return nil, nil
	case string:
		return &s, nil
	}
	return nil, fmt.Errorf("setting %s: %v is not text", key, v)
}

func whole(m map[string]any, key string) (*int64, error) {
	v, _ := lookup(m, key)
	var n int64
	switch x := v.(type) {
	case nil:
		return nil, nil
	case float64:
		if x != math.Trunc(x) || x < math.MinInt64 || x >= math.MaxInt64 {
			return nil, fmt.Errorf("setting %s: %v is not a whole number", key, x)
		}
		n = int64(x)
	case int:
		n = int64(x)
	case int64:
		n = x
	case json.Number:
		i, err := x.Int64()
		if err != nil {
			return nil, fmt.Errorf("setting %s: %v is not a whole number", key, x)
		}
		n = i
	case string:
		i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("setting %s: %q is not a whole number", key, x)
		}
		n = i
	default:
		return nil, fmt.Errorf("setting %s: %v is not a number", key, v)
	}
	return &n, nil
}

// sameSaved tells whether two saved configurations are the same settings.
func sameSaved(a, b wit.PluginConfig) bool { return reflect.DeepEqual(a, b) }

// newEncryptionKey is 32 random bytes, base64: as System Console's "generated" settings.
func newEncryptionKey() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// withSetting returns a copy of the settings map with key set, keeping the stored spelling
// of the key if there is one.
func withSetting(m map[string]any, key string, value any) map[string]any {
	out := make(map[string]any, len(m)+1)
	name := strings.ToLower(key)
	for k, v := range m {
		if strings.EqualFold(k, key) {
			name = k
		}
		out[k] = v
	}
	out[name] = value
	return out
}

// masked is the value the server shows instead of a secret setting.
func masked(s string) bool { return s == model.FakeSetting }
