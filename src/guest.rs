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
    fn run_job(job: Job) -> Result<JobReport, String> {
        install_panic_hook();
        crate::hooks::run_job(&WasmHost, &job)
    }
}

crate::bindings::export!(Component with_types_in crate::bindings);

/// Batch allocation for the Go host: lowering one value with N strings would otherwise cost
/// N calls of `cabi_realloc`, and each call from wazero costs more than the allocation
/// itself. The host writes up to [`BATCH`] (align, size) pairs into the scratch area,
/// calls `ycal_alloc_many(n)` once and reads the N pointers back from its second half.
/// The blocks come from the same allocator as `cabi_realloc`'s, so the generated bindings
/// free them as usual. The wasmtime host does not use it.
mod batch {
    use std::alloc::{alloc, handle_alloc_error, Layout};
    use std::cell::UnsafeCell;

    pub const BATCH: usize = 256;

    struct Scratch(UnsafeCell<[u32; 3 * BATCH]>);
    // SAFETY: a wasm instance runs one thread; only the host's calls below touch it.
    unsafe impl Sync for Scratch {}

    static SCRATCH: Scratch = Scratch(UnsafeCell::new([0; 3 * BATCH]));

    /// Where the host writes the pairs (words 0‥2·BATCH) and reads the pointers (after).
    #[no_mangle]
    pub extern "C" fn ycal_alloc_scratch() -> *mut u32 {
        SCRATCH.0.get().cast()
    }

    /// Allocates the `n` blocks described in the scratch area.
    #[no_mangle]
    pub extern "C" fn ycal_alloc_many(n: u32) {
        // SAFETY: the host called us with no other access to the scratch area under way.
        let s = unsafe { &mut *SCRATCH.0.get() };
        for i in 0..(n as usize).min(BATCH) {
            let (align, size) = (s[2 * i] as usize, s[2 * i + 1] as usize);
            let Ok(layout) = Layout::from_size_align(size, align) else {
                std::process::abort();
            };
            if size == 0 {
                s[2 * BATCH + i] = align as u32; // dangling, as an empty Vec's
                continue;
            }
            // SAFETY: the layout has a non-zero size.
            let p = unsafe { alloc(layout) };
            if p.is_null() {
                handle_alloc_error(layout);
            }
            s[2 * BATCH + i] = p as u32;
        }
    }
}
