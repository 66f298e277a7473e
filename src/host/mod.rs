//! What the logic needs from its host, one trait per WIT import interface.
//!
//! Inside the wasm module [`WasmHost`] forwards to the real imports; tests use a fake.

#[cfg(not(target_arch = "wasm32"))]
pub mod fake;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
#[cfg(target_arch = "wasm32")]
mod wasm;
#[cfg(target_arch = "wasm32")]
pub use wasm::WasmHost;

use crate::bindings::types::{
    CustomStatus, Dialog, HttpError, HttpRequest, HttpResponse, KvError, LogLevel, MmError,
    PluginConfig, Post, Prop, User,
};

/// Outbound HTTP (`wit: http`).
pub trait Http {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError>;
}

/// The plugin's key-value store (`wit: kv`).
pub trait Kv {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError>;
    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError>;
    fn set_with_expiry(&self, key: &str, value: &[u8], expire_seconds: u32) -> Result<(), KvError>;
    /// Writes `new` only if the stored value equals `old` (`None` = absent); `Ok(true)` if written.
    fn compare_and_set(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, KvError>;
    /// Like [`Kv::compare_and_set`], writing `new` with a time-to-live; an expired value
    /// counts as absent. What claims an effect exactly once.
    fn compare_and_set_with_expiry(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        expire_seconds: u32,
    ) -> Result<bool, KvError>;
    fn delete(&self, key: &str) -> Result<(), KvError>;
    fn list_keys(&self, prefix: &str, page: u32, per_page: u32) -> Result<Vec<String>, KvError>;
}

/// Wall-clock time (`wit: clock`).
pub trait Clock {
    /// Unix time in milliseconds.
    fn now_ms(&self) -> i64;
}

/// The plugin log (`wit: log`). Never pass secrets.
pub trait Log {
    fn log(&self, level: LogLevel, message: &str);
}

/// Mattermost API calls (`wit: mattermost`).
pub trait Mattermost {
    fn dm_post(&self, user_id: &str, post: &Post) -> Result<String, MmError>;
    fn update_post(&self, post_id: &str, post: &Post) -> Result<(), MmError>;
    fn delete_post(&self, post_id: &str) -> Result<(), MmError>;
    fn ephemeral_post(&self, user_id: &str, channel_id: &str, post: &Post) -> Result<(), MmError>;
    fn open_dialog(&self, trigger_id: &str, url: &str, dialog: &Dialog) -> Result<(), MmError>;
    fn get_user(&self, user_id: &str) -> Result<User, MmError>;
    fn update_custom_status(&self, user_id: &str, status: &CustomStatus) -> Result<(), MmError>;
    fn remove_custom_status(&self, user_id: &str) -> Result<(), MmError>;
    fn get_config(&self) -> PluginConfig;
    /// A websocket event to the user's open apps (`custom_<plugin id>_<event>`).
    fn publish_event(&self, user_id: &str, event: &str, payload: &[Prop]);
}

/// One-off jobs at an exact time (`wit: scheduler`): when one comes due, the host calls
/// `run-job(due(key))`.
pub trait Scheduler {
    /// Arms `key` for `at_ms`; `Ok(false)` if it is armed already.
    fn schedule_once(&self, key: &str, at_ms: i64) -> Result<bool, String>;
    fn cancel(&self, key: &str);
}

/// Everything a hook may use.
pub trait Host: Http + Kv + Clock + Log + Mattermost + Scheduler {}
impl<T: Http + Kv + Clock + Log + Mattermost + Scheduler> Host for T {}
