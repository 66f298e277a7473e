//! `serve-http`: dialog submissions, button clicks and the web app's panel. Who is calling
//! comes only from the `Mattermost-User-Id` header the server sets (`request.user_id`); a
//! request without it is refused. Reads are GET, everything that changes something POST.
//!
//! | route | what |
//! |---|---|
//! | `GET /api/v1/agenda?day=<date>` | the panel: one day of meetings as JSON ([`crate::panel`]) |
//! | `POST /dialog/connect` | connect/update dialog: check the login live, store, offer the calendars |
//! | `POST /dialog/calendars` | calendars dialog: save the selection |
//! | `POST /dialog/notifications` | notifications dialog: save the preferences |
//! | `POST /actions/calendars` | "Choose calendars" button: opens the calendars dialog |
//! | `POST /actions/answer` | Accept / Maybe / Decline on an invitation or reminder ([`crate::rsvp`]) |

pub mod mattermost;

use serde::Serialize;

use crate::account::{self, connect::Refusal};
use crate::bindings::types::{
    Action, Attachment, ButtonStyle, Header, LogLevel, PluginRequest, PluginResponse, Post,
    RequestMethod,
};
use crate::crypto::Secret;
use crate::dialogs::{self, Mode};
use crate::host::Host;
use crate::i18n::{Locale, Msg};
use crate::panel;
use crate::store::{self, Problem};
use mattermost::{ActionAnswer, ActionRequest, DialogAnswer, DialogSubmission};

/// The routes that take a POST (a GET of one is refused with 405).
const POST_ROUTES: [&str; 5] = [
    dialogs::CONNECT_URL,
    dialogs::CALENDARS_URL,
    dialogs::NOTIFY_URL,
    dialogs::CHOOSE_CALENDARS_URL,
    crate::rsvp::ACTION_URL,
];

pub fn serve(host: &impl Host, request: &PluginRequest) -> PluginResponse {
    let path = request.path.as_str();
    if path != panel::AGENDA_PATH && !POST_ROUTES.contains(&path) {
        return plain(404, "not found");
    }
    let Some(user_id) = request.user_id.as_deref().filter(|u| !u.is_empty()) else {
        return plain(401, "not signed in");
    };
    if request.method == RequestMethod::Get {
        return match request.path.as_str() {
            panel::AGENDA_PATH => {
                let day = query_value(&request.query, "day").unwrap_or_default();
                let (status, body) = panel::agenda(host, user_id, &day);
                let mut response = json(&body);
                response.status = status;
                // Per-user and changing every minute: never from a cache.
                response.headers.push(Header {
                    name: "Cache-Control".into(),
                    value: "no-store".into(),
                });
                response
            }
            path if POST_ROUTES.contains(&path) => plain(405, "method not allowed"),
            _ => plain(404, "not found"),
        };
    }
    if request.method != RequestMethod::Post {
        return plain(405, "method not allowed");
    }
    match request.path.as_str() {
        dialogs::CONNECT_URL => match parse::<DialogSubmission>(&request.body) {
            Some(s) => json(&connect_submitted(host, user_id, &s)),
            None => plain(400, "bad request"),
        },
        dialogs::CALENDARS_URL => match parse::<DialogSubmission>(&request.body) {
            Some(s) => json(&calendars_submitted(host, user_id, &s)),
            None => plain(400, "bad request"),
        },
        dialogs::NOTIFY_URL => match parse::<DialogSubmission>(&request.body) {
            Some(s) => json(&notifications_submitted(host, user_id, &s)),
            None => plain(400, "bad request"),
        },
        dialogs::CHOOSE_CALENDARS_URL => match parse::<ActionRequest>(&request.body) {
            Some(a) => json(&choose_calendars_clicked(host, user_id, &a)),
            None => plain(400, "bad request"),
        },
        crate::rsvp::ACTION_URL => match parse::<ActionRequest>(&request.body) {
            Some(a) => json(&crate::rsvp::clicked(host, user_id, &a)),
            None => plain(400, "bad request"),
        },
        panel::AGENDA_PATH => plain(405, "method not allowed"),
        _ => plain(404, "not found"),
    }
}

/// The first value of `name` in a query string (`a=1&day=2026-12-01`).
fn query_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Option<T> {
    serde_json::from_slice(body).ok()
}

fn locale_of(host: &impl Host, user_id: &str) -> Locale {
    account::person(host, user_id, None).locale
}

fn connect_submitted(host: &impl Host, user_id: &str, s: &DialogSubmission) -> DialogAnswer {
    let locale = locale_of(host, user_id);
    let mode = Mode::from_state(&s.state);
    let form = account::connect::Form {
        login: dialogs::text(&s.submission, dialogs::LOGIN).to_string(),
        password: Secret::new(dialogs::text(&s.submission, dialogs::PASSWORD).trim()),
        timezone: dialogs::text(&s.submission, dialogs::TIMEZONE).to_string(),
    };
    if form.login.trim().is_empty() {
        return DialogAnswer::field(
            dialogs::LOGIN,
            locale.t(Msg::Problem(Problem::WrongPassword)),
        );
    }
    if form.password.expose().is_empty() {
        return DialogAnswer::field(
            dialogs::PASSWORD,
            locale.t(Msg::Problem(Problem::WrongPassword)),
        );
    }
    let (account, replaced) = match account::connect::connect(host, user_id, &form) {
        Ok(done) => done,
        Err(Refusal::Credentials) => {
            return DialogAnswer::field(
                dialogs::PASSWORD,
                locale.t(Msg::Problem(Problem::WrongPassword)),
            )
        }
        Err(Refusal::UnknownTimezone(input)) => {
            return DialogAnswer::field(
                dialogs::TIMEZONE,
                locale.t(Msg::UnknownTimezone { input: &input }),
            )
        }
        Err(Refusal::NoCalendars) => return DialogAnswer::general(locale.t(Msg::NoEventCalendars)),
        Err(Refusal::Other(p)) => return DialogAnswer::general(locale.t(Msg::Problem(p))),
    };
    let names = selected_names(&account);
    let shown = account.selected().count();
    let total = account.calendars.len();
    let login = account.login.as_str();
    let mut message = locale.t(if replaced && mode == Mode::Update {
        Msg::Updated {
            login,
            names: &names,
            shown,
            total,
        }
    } else {
        Msg::Connected {
            login,
            names: &names,
            shown,
            total,
        }
    });
    message.push(' ');
    message.push_str(&locale.t(Msg::TryToday));
    let post = Post {
        message,
        attachments: vec![Attachment {
            fallback: String::new(),
            color: String::new(),
            pretext: String::new(),
            title: String::new(),
            title_link: String::new(),
            text: String::new(),
            fields: Vec::new(),
            actions: vec![Action {
                id: dialogs::CHOOSE_CALENDARS_ACTION.into(),
                label: locale.t(Msg::ChooseCalendarsButton),
                style: ButtonStyle::Primary,
                url: dialogs::CHOOSE_CALENDARS_URL.into(),
                context: Vec::new(),
            }],
            footer: String::new(),
        }],
        props: Vec::new(),
    };
    // The dialog closes either way; the next step comes as a message with a button,
    // because a dialog cannot open another one.
    let sent = if s.channel_id.is_empty() {
        host.dm_post(user_id, &post).map(|_| ())
    } else {
        host.ephemeral_post(user_id, &s.channel_id, &post)
    };
    if let Err(e) = sent {
        host.log(
            LogLevel::Warn,
            &format!("connect confirmation not posted: {}", e.message),
        );
    }
    DialogAnswer::close()
}

pub fn selected_names(account: &store::Account) -> String {
    account
        .selected()
        .map(|c| format!("**{}**", crate::agenda::render::markdown_text(&c.name)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn choose_calendars_clicked(host: &impl Host, user_id: &str, a: &ActionRequest) -> ActionAnswer {
    let locale = locale_of(host, user_id);
    let account = match account::load(host, user_id) {
        Ok(Some(acc)) => acc,
        Ok(None) => {
            return ActionAnswer {
                ephemeral_text: Some(locale.t(Msg::NotConnected)),
            }
        }
        Err(p) => {
            return ActionAnswer {
                ephemeral_text: Some(locale.t(Msg::Problem(p))),
            }
        }
    };
    let dialog = dialogs::calendars(locale, &account);
    match host.open_dialog(&a.trigger_id, dialogs::CALENDARS_URL, &dialog) {
        Ok(()) => ActionAnswer::default(),
        Err(e) => {
            host.log(
                LogLevel::Warn,
                &format!("calendars dialog not opened: {}", e.message),
            );
            ActionAnswer {
                ephemeral_text: Some(locale.t(Msg::Internal)),
            }
        }
    }
}

fn calendars_submitted(host: &impl Host, user_id: &str, s: &DialogSubmission) -> DialogAnswer {
    let locale = locale_of(host, user_id);
    let account = match account::load(host, user_id) {
        Ok(Some(a)) => a,
        Ok(None) => return DialogAnswer::general(locale.t(Msg::NotConnected)),
        Err(p) => return DialogAnswer::general(locale.t(Msg::Problem(p))),
    };
    let Some(chosen) = dialogs::chosen_calendars(&account, &s.submission) else {
        return DialogAnswer::general(locale.t(Msg::CalendarsExpired));
    };
    if chosen.is_empty() {
        return DialogAnswer::general(locale.t(Msg::ChooseAtLeastOne));
    }
    let account = match account::connect::choose_calendars(host, user_id, &chosen) {
        Ok(Some(a)) => a,
        Ok(None) => return DialogAnswer::general(locale.t(Msg::CalendarsExpired)),
        Err(p) => return DialogAnswer::general(locale.t(Msg::Problem(p))),
    };
    let mut message = locale.t(Msg::CalendarsSaved {
        names: &selected_names(&account),
    });
    message.push(' ');
    message.push_str(&locale.t(Msg::TryToday));
    notify(host, user_id, &s.channel_id, message);
    DialogAnswer::close()
}

fn notifications_submitted(host: &impl Host, user_id: &str, s: &DialogSubmission) -> DialogAnswer {
    let locale = locale_of(host, user_id);
    let account = match account::load(host, user_id) {
        Ok(Some(a)) => a,
        Ok(None) => return DialogAnswer::general(locale.t(Msg::NotConnected)),
        Err(p) => return DialogAnswer::general(locale.t(Msg::Problem(p))),
    };
    let prefs = match dialogs::notify_prefs(&s.submission, &account, host.now_ms()) {
        Ok(p) => p,
        Err(dialogs::NotifyRefusal::Field(field)) => {
            return DialogAnswer::field(field, locale.t(Msg::BadNotifyValue { field }))
        }
        Err(dialogs::NotifyRefusal::NoCalendar) => {
            return DialogAnswer::general(locale.t(Msg::ChooseAtLeastOneWatched))
        }
    };
    // Saved, then the user's round runs at once: what is due now comes now.
    if let Err(e) = crate::notify::save(host, user_id, &prefs) {
        host.log(
            LogLevel::Error,
            &format!("saving notification settings failed: {e}"),
        );
        return DialogAnswer::general(locale.t(Msg::Problem(Problem::Storage)));
    }
    let summary = dialogs::notify_summary(locale, &prefs);
    notify(
        host,
        user_id,
        &s.channel_id,
        locale.t(Msg::NotifySaved { summary: &summary }),
    );
    DialogAnswer::close()
}

/// A message after a dialog closed: ephemeral where the user is, or a DM.
fn notify(host: &impl Host, user_id: &str, channel_id: &str, message: String) {
    let post = Post {
        message,
        attachments: Vec::new(),
        props: Vec::new(),
    };
    let sent = if channel_id.is_empty() {
        host.dm_post(user_id, &post).map(|_| ())
    } else {
        host.ephemeral_post(user_id, channel_id, &post)
    };
    if let Err(e) = sent {
        host.log(
            LogLevel::Warn,
            &format!("message not posted: {}", e.message),
        );
    }
}

fn json<T: Serialize>(body: &T) -> PluginResponse {
    PluginResponse {
        status: 200,
        headers: vec![Header {
            name: "Content-Type".into(),
            value: "application/json".into(),
        }],
        body: serde_json::to_vec(body).unwrap_or_else(|_| b"{}".to_vec()),
    }
}

fn plain(status: u16, text: &str) -> PluginResponse {
    PluginResponse {
        status,
        headers: vec![Header {
            name: "Content-Type".into(),
            value: "text/plain; charset=utf-8".into(),
        }],
        body: text.as_bytes().to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    fn request(
        method: RequestMethod,
        path: &str,
        user: Option<&str>,
        body: &[u8],
    ) -> PluginRequest {
        PluginRequest {
            method,
            path: path.into(),
            query: String::new(),
            headers: Vec::new(),
            body: body.to_vec(),
            user_id: user.map(str::to_string),
        }
    }

    #[test]
    fn routes_refuse_what_they_do_not_serve() {
        let host = FakeHost::new();
        host.add_user("u", "en", "");
        let status = |r: PluginRequest| serve(&host, &r).status;
        assert_eq!(
            status(request(
                RequestMethod::Post,
                dialogs::CONNECT_URL,
                None,
                b"{}"
            )),
            401
        );
        assert_eq!(
            status(request(
                RequestMethod::Post,
                dialogs::CONNECT_URL,
                Some(""),
                b"{}"
            )),
            401
        );
        assert_eq!(
            status(request(
                RequestMethod::Get,
                dialogs::CONNECT_URL,
                Some("u"),
                b""
            )),
            405
        );
        assert_eq!(
            status(request(RequestMethod::Post, "/nothing", Some("u"), b"{}")),
            404
        );
        assert_eq!(
            status(request(
                RequestMethod::Post,
                dialogs::CONNECT_URL,
                Some("u"),
                b"not json"
            )),
            400
        );
        // The answer buttons' route takes a click, as POST only.
        assert_eq!(
            status(request(
                RequestMethod::Get,
                crate::rsvp::ACTION_URL,
                Some("u"),
                b""
            )),
            405
        );
        assert_eq!(
            status(request(
                RequestMethod::Post,
                crate::rsvp::ACTION_URL,
                Some("u"),
                b"{\"context\": 5"
            )),
            400
        );
        // A calendars submission from someone not connected is answered in the dialog.
        let r = serve(
            &host,
            &request(
                RequestMethod::Post,
                dialogs::CALENDARS_URL,
                Some("u"),
                b"{}",
            ),
        );
        assert_eq!(r.status, 200);
        assert!(String::from_utf8_lossy(&r.body).contains("not connected"));
        assert!(host.kv.borrow().is_empty());
    }
}
