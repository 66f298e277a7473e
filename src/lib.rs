//! Yandex Calendar for Mattermost: all calendar logic, built as one WebAssembly component.
//!
//! The host (the Go shim in `host-shim/`, or the wasmtime reference host in `tests/refhost/`)
//! calls the hooks exported in `wit/hooks.wit`; every effect goes back out through the host
//! imports of `wit/host.wit`. The logic is written against the [`host::Host`] traits so it
//! runs natively in `cargo test` with a fake host.

pub mod account;
pub mod agenda;
pub mod bindings;
pub mod caldav;
pub mod changes;
pub mod commands;
pub mod crypto;
pub mod dialogs;
pub mod hooks;
pub mod host;
pub mod http;
pub mod i18n;
pub mod ical;
pub mod notify;
pub mod panel;
pub mod rsvp;
pub mod settings;
pub mod snapshot;
pub mod store;
pub mod sync;

#[cfg(all(target_arch = "wasm32", feature = "abi-probe"))]
mod abi_probe;
#[cfg(target_arch = "wasm32")]
mod guest;
