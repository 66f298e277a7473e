//! Telling a user's open Mattermost apps that their agenda changed, so the panel reloads at
//! once instead of at its next minute. The server delivers the event over the websocket as
//! `custom_<plugin id>_agenda_changed` to that user's sessions only.

use crate::host::Host;

/// The event name, without the server's `custom_<plugin id>_` prefix.
pub const AGENDA_CHANGED: &str = "agenda_changed";

/// The account changed (connected, calendars chosen, paused, resumed, disconnected) or a
/// sync stored new meetings.
pub fn agenda_changed(host: &impl Host, user_id: &str) {
    host.publish_event(user_id, AGENDA_CHANGED, &[]);
}
