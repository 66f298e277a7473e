//! Slash commands: parse, dispatch, answer in the user's language.

pub mod autocomplete;
pub mod info;
pub mod parse;
pub mod profile;
pub mod tree;

use crate::account;
use crate::bindings::types::{CommandArgs, CommandResponse, LogLevel, ResponseType};
use crate::dialogs::{self, Mode};
use crate::host::Host;
use crate::i18n::{Locale, Msg};
use crate::store::{keys, record, NotifyPrefs, Problem};
use parse::ParseError;
use tree::Action;

pub fn execute(host: &impl Host, args: &CommandArgs) -> CommandResponse {
    let text = match parse::parse(&args.command) {
        Ok(invocation) => run(host, args, invocation.action, &invocation.args),
        Err(err) => explain(&err, user_locale(host, &args.user_id)),
    };
    ephemeral(text)
}

/// The caller's language; English when Mattermost cannot tell us.
pub fn user_locale(host: &impl Host, user_id: &str) -> Locale {
    account::person(host, user_id, None).locale
}

fn run(host: &impl Host, args: &CommandArgs, action: Action, words: &[String]) -> String {
    let user_id = args.user_id.as_str();
    match action {
        Action::Info => info::render(user_locale(host, user_id)),
        Action::AgendaToday
        | Action::AgendaTomorrow
        | Action::AgendaDate
        | Action::AgendaRange
        | Action::AgendaWeek
        | Action::AgendaMonth => crate::agenda::answer(host, user_id, action, words),
        Action::Connect | Action::UpdateConnection => open_connect(host, args),
        Action::Disconnect => {
            let locale = user_locale(host, user_id);
            match account::connect::disconnect(host, user_id) {
                Ok(true) => locale.t(Msg::Disconnected),
                Ok(false) => locale.t(Msg::NotConnected),
                Err(p) => locale.t(Msg::Problem(p)),
            }
        }
        Action::Profile => profile::render(host, user_id),
        Action::CheckAccount => profile::check_account(host, user_id),
        Action::CheckScheduler => profile::check_scheduler(host, user_id),
        Action::NotificationsCreate | Action::NotificationsUpdate => open_notifications(host, args),
        Action::NotificationsDelete => {
            let locale = user_locale(host, user_id);
            match crate::notify::stop(host, user_id) {
                Ok(true) => locale.t(Msg::NotifyDeleted),
                Ok(false) => locale.t(Msg::NotifyNothingToDelete),
                Err(_) => locale.t(Msg::Problem(Problem::Storage)),
            }
        }
    }
}

/// Opens the connect dialog: for an update when an account exists (login filled in).
fn open_connect(host: &impl Host, args: &CommandArgs) -> String {
    let user_id = args.user_id.as_str();
    let existing = account::load(host, user_id).ok().flatten();
    let person = account::person(host, user_id, None);
    let mode = if existing.is_some() {
        Mode::Update
    } else {
        Mode::Connect
    };
    let (profile_tz, _) = account::timezone(None, host.get_user(user_id).ok().as_ref());
    let dialog = dialogs::connect(
        person.locale,
        mode,
        &crate::settings::current(host).caldav_url,
        existing.as_ref().map_or("", |a| a.login.as_str()),
        existing
            .as_ref()
            .and_then(|a| a.timezone.as_deref())
            .unwrap_or(""),
        profile_tz.name(),
    );
    opened(
        host,
        person.locale,
        host.open_dialog(&args.trigger_id, dialogs::CONNECT_URL, &dialog),
    )
}

fn open_notifications(host: &impl Host, args: &CommandArgs) -> String {
    let user_id = args.user_id.as_str();
    let locale = user_locale(host, user_id);
    let account = match account::load(host, user_id) {
        Ok(Some(a)) => a,
        Ok(None) => return locale.t(Msg::NotConnected),
        Err(p) => return locale.t(Msg::Problem(p)),
    };
    let prefs = record::get_or_rebuild::<NotifyPrefs>(host, &keys::notify(user_id))
        .ok()
        .flatten();
    let dialog = dialogs::notifications(
        locale,
        &account,
        prefs.as_ref(),
        crate::settings::current(host).reminder_lead_minutes,
    );
    opened(
        host,
        locale,
        host.open_dialog(&args.trigger_id, dialogs::NOTIFY_URL, &dialog),
    )
}

/// A dialog that opened needs no answer text; one that did not gets an apology.
fn opened(
    host: &impl Host,
    locale: Locale,
    result: Result<(), crate::bindings::types::MmError>,
) -> String {
    match result {
        Ok(()) => String::new(),
        Err(e) => {
            host.log(
                LogLevel::Warn,
                &format!("open-dialog failed ({}): {}", e.status, e.message),
            );
            locale.t(Msg::Internal)
        }
    }
}

fn explain(err: &ParseError, locale: Locale) -> String {
    let suggest = |s: &Option<String>| match s {
        Some(word) => format!(" {}", locale.t(Msg::DidYouMean { word })),
        None => String::new(),
    };
    let first = match err {
        ParseError::UnknownCommand { word, suggestion } => {
            format!(
                "{}{}",
                locale.t(Msg::UnknownCommand { word }),
                suggest(suggestion)
            )
        }
        ParseError::UnknownSubcommand {
            group,
            word,
            suggestion,
        } => format!(
            "{}{}",
            locale.t(Msg::UnknownSubcommand { group, word }),
            suggest(suggestion)
        ),
        ParseError::MissingSubcommand { group } => locale.t(Msg::MissingSubcommand { group }),
        ParseError::WrongArguments { usage, .. } => locale.t(Msg::Usage { usage }),
    };
    format!("{first} {}", locale.t(Msg::SeeInfo))
}

fn ephemeral(text: String) -> CommandResponse {
    CommandResponse {
        response_type: ResponseType::Ephemeral,
        text,
        attachments: Vec::new(),
    }
}
