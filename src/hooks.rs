//! The hooks of `wit/hooks.wit`, written against [`Host`] so they run natively in tests.

use crate::bindings::types::{
    CommandArgs, CommandResponse, Job, JobReport, LogLevel, PluginConfig, PluginRequest,
    PluginResponse, Settings, SlashCommand,
};
use crate::commands;
use crate::host::Host;
use crate::settings;

pub fn activate(host: &impl Host) -> Result<(), String> {
    if let Err(reason) = settings::resolve(&host.get_config()) {
        host.log(LogLevel::Error, &format!("activation refused: {reason}"));
        return Err(reason.to_string());
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

/// Settings about to be saved (or changed outside System Console): refused with the reason,
/// or resolved for the host.
pub fn check_config(host: &impl Host, config: &PluginConfig) -> Result<Settings, String> {
    let resolved = settings::resolve(config).map_err(|e| e.to_string())?;
    host.log(LogLevel::Info, "configuration accepted");
    Ok(resolved.to_wit())
}

pub fn execute_command(host: &impl Host, args: &CommandArgs) -> CommandResponse {
    commands::execute(host, args)
}

pub fn serve_http(host: &impl Host, request: &PluginRequest) -> PluginResponse {
    crate::http::serve(host, request)
}

/// Background work: the minute tick, a user's round, a one-off job ([`crate::notify`]).
pub fn run_job(host: &impl Host, job: &Job) -> Result<JobReport, String> {
    crate::notify::run_job(host, job)
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
        assert_eq!(check_config(&host, &c).unwrap().reminder_lead_minutes, 10);
        c.caldav_url = Some("caldav.yandex.ru".into());
        assert!(check_config(&host, &c).unwrap_err().contains("https://"));
        host.config.borrow_mut().sync_interval_minutes = Some(0);
        assert!(activate(&host).unwrap_err().contains("1 to 1440"));
    }
}
