//! The wasm entry points: each export forwards to the host-independent logic with the real
//! host, and a panic is logged through the host before the instance aborts.

use crate::bindings::exports::yandex::calendar::hooks;
use crate::bindings::types::*;
use crate::bindings::yandex::calendar::log;
use crate::host::WasmHost;

/// The exported component (also the `abi-probe` exports, in `crate::abi_probe`).
pub(crate) struct Component;

pub(crate) fn install_panic_hook() {
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
    fn check_config(config: PluginConfig) -> Result<Settings, String> {
        install_panic_hook();
        crate::hooks::check_config(&WasmHost, &config)
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

crate::bindings::export!(Component with_types_in crate::bindings);
