package main

import (
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// configuration mirrors settings_schema in plugin.json (keys are the settings' keys).
type configuration struct {
	CalDAVURL           string
	ReminderLeadMinutes int
	SyncIntervalMinutes int
	EncryptionKey       string
}

// toWIT fills defaults for settings the admin never saved, so the component always sees
// a complete configuration.
func (c *configuration) toWIT() wit.PluginConfig {
	out := wit.PluginConfig{
		CaldavURL:           c.CalDAVURL,
		ReminderLeadMinutes: 10,
		SyncIntervalMinutes: 5,
		EncryptionKey:       c.EncryptionKey,
	}
	if out.CaldavURL == "" {
		out.CaldavURL = "https://caldav.yandex.ru"
	}
	if c.ReminderLeadMinutes > 0 {
		out.ReminderLeadMinutes = uint32(c.ReminderLeadMinutes)
	}
	if c.SyncIntervalMinutes > 0 {
		out.SyncIntervalMinutes = uint32(c.SyncIntervalMinutes)
	}
	return out
}
