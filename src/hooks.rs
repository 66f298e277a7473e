//! The hooks of `wit/hooks.wit`, written against [`Host`] so they run natively in tests.

use crate::bindings::types::{
    CommandArgs, CommandResponse, JobKind, JobReport, LogLevel, PluginConfig, PluginRequest,
    PluginResponse, SlashCommand,
};
use crate::commands;
use crate::host::Host;

pub fn activate(host: &impl Host) -> Result<(), String> {
    let config = host.get_config();
    if let Err(reason) = check_config(&config) {
        host.log(LogLevel::Error, &format!("activation refused: {reason}"));
        return Err(reason);
    }
    host.log(LogLevel::Info, "Yandex Calendar activated");
    Ok(())
}

pub fn deactivate(host: &impl Host) {
    host.log(LogLevel::Info, "Yandex Calendar deactivated");
}

pub fn slash_command() -> SlashCommand {
    commands::autocomplete::slash_command()
}

pub fn configuration_changed(host: &impl Host, config: &PluginConfig) -> Result<(), String> {
    check_config(config)?;
    host.log(LogLevel::Info, "configuration accepted");
    Ok(())
}

/// Admin settings that would break the plugin are refused with a reason the admin can act on.
pub fn check_config(config: &PluginConfig) -> Result<(), String> {
    let url = config.caldav_url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(format!(
            "CalDAV server URL must start with https:// (http:// only for a local test server), got {url:?}"
        ));
    }
    if config.reminder_lead_minutes > 24 * 60 {
        return Err("Reminder lead time must be at most 1440 minutes".into());
    }
    if !(1..=24 * 60).contains(&config.sync_interval_minutes) {
        return Err("Sync interval must be between 1 and 1440 minutes".into());
    }
    Ok(())
}

pub fn execute_command(host: &impl Host, args: &CommandArgs) -> CommandResponse {
    commands::execute(host, args)
}

pub fn serve_http(host: &impl Host, request: &PluginRequest) -> PluginResponse {
    crate::http::serve(host, request)
}

pub fn run_job(_host: &impl Host, kind: JobKind) -> Result<JobReport, String> {
    match kind {
        JobKind::Tick => Ok(JobReport {
            users_seen: 0,
            effects: 0,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::types::ResponseType;
    use crate::host::fake::FakeHost;
    use crate::host::Mattermost;

    fn run(host: &FakeHost, user: &str, line: &str) -> CommandResponse {
        execute_command(
            host,
            &CommandArgs {
                user_id: user.into(),
                channel_id: "c1".into(),
                team_id: "t1".into(),
                root_id: String::new(),
                trigger_id: "tr".into(),
                command: line.into(),
                site_url: "http://localhost:8065".into(),
            },
        )
    }

    #[test]
    fn info_in_the_users_language() {
        let host = FakeHost::new();
        host.add_user("en", "en", "Europe/London");
        host.add_user("ru", "ru", "Europe/Moscow");
        let en = run(&host, "en", "/yandex_calendar info");
        assert_eq!(en.response_type, ResponseType::Ephemeral);
        assert!(en.text.contains("Meetings today"), "{}", en.text);
        let ru = run(&host, "ru", "/yandex_calendar info");
        assert!(ru.text.contains("Встречи на сегодня"), "{}", ru.text);
    }

    #[test]
    fn unknown_user_gets_english_and_a_log_line() {
        let host = FakeHost::new();
        let r = run(&host, "ghost", "/yandex_calendar info");
        assert!(r.text.contains("Meetings today"));
        assert!(host
            .logs
            .borrow()
            .iter()
            .any(|(l, m)| *l == LogLevel::Warn && m.contains("404")));
    }

    #[test]
    fn unknown_subcommand_is_explained_with_a_hint() {
        let host = FakeHost::new();
        host.add_user("ru", "ru", "Europe/Moscow");
        let r = run(&host, "ru", "/yandex_calendar calendars todya");
        assert!(r.text.contains("нет подкоманды `todya`"), "{}", r.text);
        assert!(r.text.contains("`today`"), "{}", r.text);
        assert!(r.text.contains("/yandex_calendar info"));
        host.add_user("en", "en", "");
        let r = run(&host, "en", "/yandex_calendar frobnicate");
        assert!(
            r.text.starts_with("Unknown command `frobnicate`."),
            "{}",
            r.text
        );
    }

    #[test]
    fn bad_settings_are_refused() {
        let host = FakeHost::new();
        let mut c = host.get_config();
        assert!(configuration_changed(&host, &c).is_ok());
        c.caldav_url = "caldav.yandex.ru".into();
        assert!(configuration_changed(&host, &c)
            .unwrap_err()
            .contains("https://"));
        let mut c = host.get_config();
        c.sync_interval_minutes = 0;
        assert!(check_config(&c).is_err());
    }
}
