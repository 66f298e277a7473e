//! The `abi-probe` exports (wit/hooks.wit): test-only, compiled only with the cargo feature
//! `abi-probe`, so the shipped module carries none of them.

use crate::bindings::exports::yandex::calendar::abi_probe::{
    self, ImportCall, ProbeFlags, ProbeOptions, ProbeValue,
};
use crate::bindings::types::*;
use crate::bindings::yandex::calendar::{clock, http, kv, log, mattermost, scheduler};
use crate::guest::{install_panic_hook, Component};

impl abi_probe::Guest for Component {
    fn echo_string(s: String) -> String {
        s
    }
    fn echo_bytes(b: Vec<u8>) -> Vec<u8> {
        b
    }
    fn echo_numbers(
        a: u8,
        b: u16,
        c: u32,
        d: u64,
        e: i32,
        f: i64,
        g: bool,
    ) -> (u8, u16, u32, u64, i32, i64, bool) {
        (a, b, c, d, e, f, g)
    }
    fn echo_strings(s: Vec<Vec<String>>) -> Vec<Vec<String>> {
        s
    }
    #[allow(clippy::too_many_arguments)]
    fn echo_spilled(
        a: String,
        b: String,
        c: String,
        d: String,
        e: String,
        f: String,
        g: String,
        h: String,
        i: String,
    ) -> (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
    ) {
        (a, b, c, d, e, f, g, h, i)
    }
    fn echo_http_request(r: HttpRequest) -> HttpRequest {
        r
    }
    fn echo_http_result(r: Result<HttpResponse, HttpError>) -> Result<HttpResponse, HttpError> {
        r
    }
    fn echo_kv_result(r: Result<Option<Vec<u8>>, KvError>) -> Result<Option<Vec<u8>>, KvError> {
        r
    }
    fn echo_log_levels(l: Vec<LogLevel>) -> Vec<LogLevel> {
        l
    }
    fn echo_user(u: Option<User>) -> Option<User> {
        u
    }
    fn echo_post(p: Post) -> Post {
        p
    }
    fn echo_dialog(d: Dialog) -> Dialog {
        d
    }
    fn echo_plugin_request(r: PluginRequest) -> PluginRequest {
        r
    }
    fn echo_command_response(r: CommandResponse) -> CommandResponse {
        r
    }
    fn echo_slash_command(c: SlashCommand) -> SlashCommand {
        c
    }
    fn echo_job(k: Job, r: Result<JobReport, String>) -> (Job, Result<JobReport, String>) {
        (k, r)
    }
    fn echo_scalars(
        a: f32,
        b: f64,
        c: char,
        d: i8,
        e: i16,
        f: ProbeFlags,
    ) -> (f32, f64, char, i8, i16, ProbeFlags) {
        (a, b, c, d, e, f)
    }
    fn echo_options(o: ProbeOptions) -> ProbeOptions {
        o
    }
    fn render(v: ProbeValue) -> String {
        format!("{v:?}")
    }
    fn call_imports(text: String) -> Vec<String> {
        install_panic_hook();
        probe_imports(&text)
    }
    fn call_import(call: ImportCall) -> String {
        install_panic_hook();
        call_one(call)
    }
    fn sleep(ms: u32) {
        install_panic_hook();
        std::thread::sleep(std::time::Duration::from_millis(u64::from(ms)));
    }
}

/// One import, as `call-import` asks; the answer rendered with `Debug`.
fn call_one(call: ImportCall) -> String {
    match call {
        ImportCall::HttpSend(r) => format!("{:?}", http::send(&r)),
        ImportCall::KvGet(k) => format!("{:?}", kv::get(&k)),
        ImportCall::KvSet((k, v)) => format!("{:?}", kv::set(&k, &v)),
        ImportCall::KvSetWithExpiry((k, v, s)) => format!("{:?}", kv::set_with_expiry(&k, &v, s)),
        ImportCall::KvCompareAndSet((k, old, new)) => format!(
            "{:?}",
            kv::compare_and_set(&k, old.as_deref(), new.as_deref())
        ),
        ImportCall::KvCompareAndSetWithExpiry((k, old, new, s)) => format!(
            "{:?}",
            kv::compare_and_set_with_expiry(&k, old.as_deref(), &new, s)
        ),
        ImportCall::KvDelete(k) => format!("{:?}", kv::delete(&k)),
        ImportCall::KvListKeys((p, page, per)) => format!("{:?}", kv::list_keys(&p, page, per)),
        ImportCall::DmPost((u, p)) => format!("{:?}", mattermost::dm_post(&u, &p)),
        ImportCall::UpdatePost((id, p)) => format!("{:?}", mattermost::update_post(&id, &p)),
        ImportCall::DeletePost(id) => format!("{:?}", mattermost::delete_post(&id)),
        ImportCall::EphemeralPost((u, c, p)) => {
            format!("{:?}", mattermost::ephemeral_post(&u, &c, &p))
        }
        ImportCall::GetUser(u) => format!("{:?}", mattermost::get_user(&u)),
        ImportCall::UpdateCustomStatus((u, s)) => {
            format!("{:?}", mattermost::update_custom_status(&u, &s))
        }
        ImportCall::RemoveCustomStatus(u) => format!("{:?}", mattermost::remove_custom_status(&u)),
        ImportCall::GetConfig => format!("{:?}", mattermost::get_config()),
        ImportCall::PublishEvent((u, e, p)) => {
            mattermost::publish_event(&u, &e, &p);
            "()".to_string()
        }
        ImportCall::ScheduleOnce((k, at)) => format!("{:?}", scheduler::schedule_once(&k, at)),
        ImportCall::CancelJob(k) => {
            scheduler::cancel(&k);
            "()".to_string()
        }
    }
}

/// Calls every import once, with arguments built from `text`, and reports each answer.
fn probe_imports(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let post = Post {
        message: text.into(),
        attachments: vec![Attachment {
            fallback: text.into(),
            color: "#ffcc00".into(),
            pretext: String::new(),
            title: text.into(),
            title_link: "https://calendar.yandex.ru/".into(),
            text: text.into(),
            fields: vec![Field {
                title: "t".into(),
                value: text.into(),
                short: true,
            }],
            actions: vec![Action {
                id: "join".into(),
                label: text.into(),
                style: ButtonStyle::Primary,
                url: "/actions/join".into(),
                context: vec![Prop {
                    key: "k".into(),
                    value: text.into(),
                }],
            }],
            footer: String::new(),
        }],
        props: vec![Prop {
            key: "meeting".into(),
            value: text.into(),
        }],
    };
    let dialog = Dialog {
        callback_id: text.into(),
        title: text.into(),
        introduction_text: String::new(),
        elements: [
            ElementKind::Text(TextSubtype::Password),
            ElementKind::Textarea,
            ElementKind::Select(vec![SelectOption {
                text: text.into(),
                value: "v".into(),
            }]),
            ElementKind::SelectSource("channels".into()),
            ElementKind::Checkbox,
            ElementKind::Radio(vec![]),
        ]
        .into_iter()
        .enumerate()
        .map(|(i, kind)| DialogElement {
            name: format!("e{i}"),
            display_name: text.into(),
            kind,
            default_value: String::new(),
            placeholder: text.into(),
            help_text: String::new(),
            optional: i % 2 == 0,
            min_length: 0,
            max_length: 150,
        })
        .collect(),
        submit_label: "OK".into(),
        notify_on_cancel: true,
        state: text.into(),
    };
    let mut out = Vec::new();
    let request = HttpRequest {
        method: HttpMethod::Report,
        url: format!("https://caldav.example/{text}"),
        headers: vec![Header {
            name: "Depth".into(),
            value: "1".into(),
        }],
        body: bytes.to_vec(),
        timeout_ms: 30_000,
        max_response_bytes: 4 << 20,
    };
    out.push(format!("http.send {:?}", http::send(&request)));
    out.push(format!("kv.get {:?}", kv::get(text)));
    out.push(format!("kv.set {:?}", kv::set(text, bytes)));
    out.push(format!(
        "kv.set-with-expiry {:?}",
        kv::set_with_expiry(text, bytes, 60)
    ));
    out.push(format!(
        "kv.cas {:?}",
        kv::compare_and_set(text, None, Some(bytes))
    ));
    out.push(format!(
        "kv.cas {:?}",
        kv::compare_and_set(text, Some(bytes), None)
    ));
    out.push(format!(
        "kv.cas-expiry {:?}",
        kv::compare_and_set_with_expiry(text, None, bytes, 90)
    ));
    out.push(format!("kv.delete {:?}", kv::delete(text)));
    out.push(format!("kv.list-keys {:?}", kv::list_keys(text, 1, 50)));
    out.push(format!("clock.now-ms {:?}", clock::now_ms()));
    for level in [
        LogLevel::Debug,
        LogLevel::Info,
        LogLevel::Warn,
        LogLevel::Error,
    ] {
        log::write(level, text);
    }
    out.push(format!("mm.dm-post {:?}", mattermost::dm_post(text, &post)));
    out.push(format!(
        "mm.update-post {:?}",
        mattermost::update_post(text, &post)
    ));
    out.push(format!(
        "mm.delete-post {:?}",
        mattermost::delete_post(text)
    ));
    out.push(format!(
        "mm.ephemeral-post {:?}",
        mattermost::ephemeral_post(text, text, &post)
    ));
    out.push(format!(
        "mm.open-dialog {:?}",
        mattermost::open_dialog(text, "/dialog", &dialog)
    ));
    out.push(format!("mm.get-user {:?}", mattermost::get_user(text)));
    let status = CustomStatus {
        emoji: "calendar".into(),
        text: text.into(),
        duration: "date_and_time".into(),
        expires_at_ms: Some(1_764_000_000_000),
    };
    out.push(format!(
        "mm.update-custom-status {:?}",
        mattermost::update_custom_status(text, &status)
    ));
    out.push(format!(
        "mm.remove-custom-status {:?}",
        mattermost::remove_custom_status(text)
    ));
    out.push(format!("mm.get-config {:?}", mattermost::get_config()));
    let payload = [Prop {
        key: "text".into(),
        value: text.into(),
    }];
    mattermost::publish_event(text, text, &payload);
    out.push(format!(
        "scheduler.schedule-once {:?}",
        scheduler::schedule_once(text, 1_764_000_060_000)
    ));
    scheduler::cancel(text);
    out
}
