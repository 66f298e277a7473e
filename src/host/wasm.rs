//! The real host: each trait method is one WIT import call.

use super::{Clock, Http, Kv, Log, Mattermost, Scheduler};
use crate::bindings::types::{
    CustomStatus, Dialog, HttpError, HttpRequest, HttpResponse, KvError, LogLevel, MmError,
    PluginConfig, Post, Prop, User,
};
use crate::bindings::yandex::calendar::{clock, http, kv, log, mattermost, scheduler};

/// Zero-sized: the imports are global functions of the module.
pub struct WasmHost;

impl Http for WasmHost {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        http::send(request)
    }
}

impl Kv for WasmHost {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        kv::get(key)
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        kv::set(key, value)
    }
    fn set_with_expiry(&self, key: &str, value: &[u8], expire_seconds: u32) -> Result<(), KvError> {
        kv::set_with_expiry(key, value, expire_seconds)
    }
    fn compare_and_set(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, KvError> {
        kv::compare_and_set(key, old, new)
    }
    fn compare_and_set_with_expiry(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        expire_seconds: u32,
    ) -> Result<bool, KvError> {
        kv::compare_and_set_with_expiry(key, old, new, expire_seconds)
    }
    fn delete(&self, key: &str) -> Result<(), KvError> {
        kv::delete(key)
    }
    fn list_keys(&self, prefix: &str, page: u32, per_page: u32) -> Result<Vec<String>, KvError> {
        kv::list_keys(prefix, page, per_page)
    }
}

impl Clock for WasmHost {
    fn now_ms(&self) -> i64 {
        clock::now_ms()
    }
}

impl Log for WasmHost {
    fn log(&self, level: LogLevel, message: &str) {
        log::write(level, message)
    }
}

impl Mattermost for WasmHost {
    fn dm_post(&self, user_id: &str, post: &Post) -> Result<String, MmError> {
        mattermost::dm_post(user_id, post)
    }
    fn update_post(&self, post_id: &str, post: &Post) -> Result<(), MmError> {
        mattermost::update_post(post_id, post)
    }
    fn delete_post(&self, post_id: &str) -> Result<(), MmError> {
        mattermost::delete_post(post_id)
    }
    fn ephemeral_post(&self, user_id: &str, channel_id: &str, post: &Post) -> Result<(), MmError> {
        mattermost::ephemeral_post(user_id, channel_id, post)
    }
    fn open_dialog(&self, trigger_id: &str, url: &str, dialog: &Dialog) -> Result<(), MmError> {
        mattermost::open_dialog(trigger_id, url, dialog)
    }
    fn get_user(&self, user_id: &str) -> Result<User, MmError> {
        mattermost::get_user(user_id)
    }
    fn update_custom_status(&self, user_id: &str, status: &CustomStatus) -> Result<(), MmError> {
        mattermost::update_custom_status(user_id, status)
    }
    fn remove_custom_status(&self, user_id: &str) -> Result<(), MmError> {
        mattermost::remove_custom_status(user_id)
    }
    fn get_config(&self) -> PluginConfig {
        mattermost::get_config()
    }
    fn publish_event(&self, user_id: &str, event: &str, payload: &[Prop]) {
        mattermost::publish_event(user_id, event, payload)
    }
}

impl Scheduler for WasmHost {
    fn schedule_once(&self, key: &str, at_ms: i64) -> Result<bool, String> {
        scheduler::schedule_once(key, at_ms)
    }
    fn cancel(&self, key: &str) {
        scheduler::cancel(key)
    }
}
