//! Slash commands: parse, dispatch, answer in the user's language.

pub mod autocomplete;
pub mod info;
pub mod parse;
pub mod tree;

use crate::bindings::types::{CommandArgs, CommandResponse, LogLevel, ResponseType};
use crate::host::Host;
use crate::i18n::Locale;
use parse::ParseError;
use tree::Action;

pub fn execute(host: &impl Host, args: &CommandArgs) -> CommandResponse {
    let locale = user_locale(host, &args.user_id);
    let text = match parse::parse(&args.command) {
        Ok(invocation) => run(invocation.action, locale),
        Err(err) => explain(&err, locale),
    };
    ephemeral(text)
}

/// The caller's language; English when Mattermost cannot tell us.
pub fn user_locale(host: &impl Host, user_id: &str) -> Locale {
    match host.get_user(user_id) {
        Ok(user) => Locale::from_mattermost(&user.locale),
        Err(err) => {
            host.log(
                LogLevel::Warn,
                &format!("get-user failed ({}): {}", err.status, err.message),
            );
            Locale::En
        }
    }
}

fn run(action: Action, locale: Locale) -> String {
    match action {
        Action::Info => info::render(locale),
        _ => locale
            .pick(
                "This command is not available in this version of the plugin yet. \
                 See `/yandex_calendar info` for what works now.",
                "Эта команда пока недоступна в этой версии плагина. \
                 Что уже работает — в `/yandex_calendar info`.",
            )
            .to_string(),
    }
}

fn explain(err: &ParseError, locale: Locale) -> String {
    let hint = locale.pick(
        "See `/yandex_calendar info` for all commands.",
        "Все команды — в `/yandex_calendar info`.",
    );
    let suggest = |s: &Option<String>| match s {
        Some(s) => format!(
            " {}",
            locale
                .pick("Did you mean `{}`?", "Может быть, `{}`?")
                .replace("{}", s)
        ),
        None => String::new(),
    };
    let first = match err {
        ParseError::UnknownCommand { word, suggestion } => format!(
            "{}{}",
            locale
                .pick("Unknown command `{}`.", "Неизвестная команда `{}`.")
                .replace("{}", word),
            suggest(suggestion)
        ),
        ParseError::UnknownSubcommand {
            group,
            word,
            suggestion,
        } => format!(
            "{}{}",
            locale
                .pick(
                    "`{group}` has no subcommand `{word}`.",
                    "У `{group}` нет подкоманды `{word}`.",
                )
                .replace("{group}", group)
                .replace("{word}", word),
            suggest(suggestion)
        ),
        ParseError::MissingSubcommand { group } => locale
            .pick("`{}` needs a subcommand.", "После `{}` нужна подкоманда.")
            .replace("{}", group),
        ParseError::WrongArguments { usage, .. } => locale
            .pick("Usage: `{}`.", "Формат: `{}`.")
            .replace("{}", usage),
    };
    format!("{first} {hint}")
}

fn ephemeral(text: String) -> CommandResponse {
    CommandResponse {
        response_type: ResponseType::Ephemeral,
        text,
        attachments: Vec::new(),
    }
}
