//! The wasm entry points: each export forwards to the host-independent logic with the real
//! host, and a panic is logged through the host before the instance aborts.

use crate::bindings::exports::yandex::calendar::{abi_probe, hooks};
use crate::bindings::types::*;
use crate::bindings::yandex::calendar::{clock, http, kv, log, mattermost};
use crate::host::WasmHost;

struct Component;

fn install_panic_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            log::write(LogLevel::Error, &format!("component panic: {info}"));
        }));
    });
}

impl hooks::Guest for Component {
    fn activate() -> Result<(), String> {
        install_panic_hook();
        crate::hooks::activate(&WasmHost)
    }
    fn deactivate() {
        install_panic_hook();
        crate::hooks::deactivate(&WasmHost)
    }
    fn describe_command() -> SlashCommand {
        install_panic_hook();
        crate::hooks::slash_command()
    }
    fn configuration_changed(config: PluginConfig) -> Result<(), String> {
        install_panic_hook();
        crate::hooks::configuration_changed(&WasmHost, &config)
    }
    fn execute_command(args: CommandArgs) -> CommandResponse {
        install_panic_hook();
        crate::hooks::execute_command(&WasmHost, &args)
    }
    fn serve_http(request: PluginRequest) -> PluginResponse {
        install_panic_hook();
        crate::hooks::serve_http(&WasmHost, &request)
    }
    fn run_job(kind: JobKind) -> Result<JobReport, String> {
        install_panic_hook();
        crate::hooks::run_job(&WasmHost, kind)
    }
}

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
    fn echo_job(k: JobKind, r: Result<JobReport, String>) -> (JobKind, Result<JobReport, String>) {
        (k, r)
    }
    fn call_imports(text: String) -> Vec<String> {
        install_panic_hook();
        probe_imports(&text)
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
    out
}

crate::bindings::export!(Component with_types_in crate::bindings);
