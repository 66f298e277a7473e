//! An in-memory host for native tests: KV in a map (values with a time-to-live expire by
//! the fake clock), a settable clock, recorded posts and logs, users you add, armed one-off
//! jobs, and HTTP answered by a closure you give.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;

use super::{Clock, Http, Kv, Log, Mattermost, Scheduler};
use crate::bindings::types::{
    CustomStatus, Dialog, HttpError, HttpRequest, HttpResponse, KvError, LogLevel, MmError,
    PluginConfig, Post, Prop, User,
};

type Responder = Box<dyn Fn(&HttpRequest) -> Result<HttpResponse, HttpError>>;

/// Something the fake host was asked to do to Mattermost.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    DmPost {
        user_id: String,
        post: Post,
    },
    UpdatePost {
        post_id: String,
        post: Post,
    },
    DeletePost {
        post_id: String,
    },
    Ephemeral {
        user_id: String,
        channel_id: String,
        post: Post,
    },
    OpenDialog {
        trigger_id: String,
        url: String,
        dialog: Dialog,
    },
    UpdateStatus {
        user_id: String,
        status: CustomStatus,
    },
    RemoveStatus {
        user_id: String,
    },
    Publish {
        user_id: String,
        event: String,
        payload: Vec<Prop>,
    },
}

pub struct FakeHost {
    pub kv: RefCell<BTreeMap<String, Vec<u8>>>,
    /// When a key written with a time-to-live expires (Unix ms of the fake clock).
    pub expires: RefCell<BTreeMap<String, i64>>,
    /// Armed one-off jobs: key → time.
    pub jobs: RefCell<BTreeMap<String, i64>>,
    pub now_ms: Cell<i64>,
    pub logs: RefCell<Vec<(LogLevel, String)>>,
    pub users: RefCell<BTreeMap<String, User>>,
    pub effects: RefCell<Vec<Effect>>,
    pub requests: RefCell<Vec<HttpRequest>>,
    pub config: RefCell<PluginConfig>,
    responder: RefCell<Responder>,
    next_post: Cell<u32>,
    /// While set, direct messages fail as Mattermost would refuse them.
    pub refuse_dms: Cell<bool>,
    /// Every key read, in order (what an idle path must not touch).
    pub reads: RefCell<Vec<String>>,
    /// Every key written or deleted (compare-and-set only when it wrote), in order: an idle
    /// poll must leave this empty.
    pub writes: RefCell<Vec<String>>,
    /// Another writer: the next compare-and-set of a key listed here finds this value
    /// stored just before it (and fails, as it would after losing the race).
    pub race: RefCell<BTreeMap<String, Vec<u8>>>,
}

impl Default for FakeHost {
    fn default() -> Self {
        FakeHost {
            kv: RefCell::default(),
            expires: RefCell::default(),
            jobs: RefCell::default(),
            now_ms: Cell::new(0),
            logs: RefCell::default(),
            users: RefCell::default(),
            effects: RefCell::default(),
            requests: RefCell::default(),
            config: RefCell::new(PluginConfig {
                caldav_url: Some("https://caldav.yandex.ru".into()),
                reminder_lead_minutes: Some(10),
                sync_interval_minutes: Some(5),
                encryption_key: "test-key".into(),
                allowed_hosts: Some(String::new()),
            }),
            responder: RefCell::new(Box::new(|_| {
                Err(HttpError::Unreachable("no network".into()))
            })),
            next_post: Cell::new(0),
            refuse_dms: Cell::new(false),
            reads: RefCell::default(),
            writes: RefCell::default(),
            race: RefCell::default(),
        }
    }
}

impl FakeHost {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a user with the given Mattermost locale and timezone.
    pub fn add_user(&self, id: &str, locale: &str, timezone: &str) {
        self.users.borrow_mut().insert(
            id.to_string(),
            User {
                id: id.into(),
                username: format!("user-{id}"),
                email: format!("{id}@example.com"),
                first_name: String::new(),
                last_name: String::new(),
                locale: locale.into(),
                timezone: timezone.into(),
                custom_status: None,
                is_bot: false,
            },
        );
    }

    pub fn respond_with(
        &self,
        f: impl Fn(&HttpRequest) -> Result<HttpResponse, HttpError> + 'static,
    ) {
        *self.responder.borrow_mut() = Box::new(f);
    }

    fn effect(&self, e: Effect) {
        self.effects.borrow_mut().push(e);
    }

    /// Forgets keys whose time-to-live ran out by the fake clock.
    fn expire(&self) {
        let now = self.now_ms.get();
        let gone: Vec<String> = self
            .expires
            .borrow()
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(k, _)| k.clone())
            .collect();
        for k in gone {
            self.expires.borrow_mut().remove(&k);
            self.kv.borrow_mut().remove(&k);
        }
    }

    /// The direct messages posted so far, in order: (user, text).
    pub fn dms(&self) -> Vec<(String, String)> {
        self.effects
            .borrow()
            .iter()
            .filter_map(|e| match e {
                Effect::DmPost { user_id, post } => Some((user_id.clone(), post.message.clone())),
                _ => None,
            })
            .collect()
    }
}

fn key_ok(key: &str) -> Result<(), KvError> {
    let len = key.chars().count();
    if len > 150 {
        return Err(KvError::KeyTooLong(len as u32));
    }
    Ok(())
}

/// As the real host: Mattermost cannot store an empty value (wit/host.wit, `kv`).
fn value_ok(value: Option<&[u8]>) -> Result<(), KvError> {
    match value {
        Some([]) => Err(KvError::EmptyValue),
        _ => Ok(()),
    }
}

impl Http for FakeHost {
    fn send(&self, request: &HttpRequest) -> Result<HttpResponse, HttpError> {
        self.requests.borrow_mut().push(request.clone());
        (self.responder.borrow())(request)
    }
}

impl Kv for FakeHost {
    fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
        key_ok(key)?;
        self.expire();
        self.reads.borrow_mut().push(key.to_string());
        Ok(self.kv.borrow().get(key).cloned())
    }
    fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
        key_ok(key)?;
        value_ok(Some(value))?;
        self.expires.borrow_mut().remove(key);
        self.kv.borrow_mut().insert(key.into(), value.to_vec());
        self.writes.borrow_mut().push(key.to_string());
        Ok(())
    }
    fn set_with_expiry(&self, key: &str, value: &[u8], expire_seconds: u32) -> Result<(), KvError> {
        self.set(key, value)?;
        self.expires.borrow_mut().insert(
            key.into(),
            self.now_ms.get() + i64::from(expire_seconds) * 1000,
        );
        Ok(())
    }
    fn compare_and_set_with_expiry(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: &[u8],
        expire_seconds: u32,
    ) -> Result<bool, KvError> {
        if !self.compare_and_set(key, old, Some(new))? {
            return Ok(false);
        }
        self.expires.borrow_mut().insert(
            key.into(),
            self.now_ms.get() + i64::from(expire_seconds) * 1000,
        );
        Ok(true)
    }
    fn compare_and_set(
        &self,
        key: &str,
        old: Option<&[u8]>,
        new: Option<&[u8]>,
    ) -> Result<bool, KvError> {
        key_ok(key)?;
        value_ok(old)?;
        value_ok(new)?;
        self.expire();
        if let Some(theirs) = self.race.borrow_mut().remove(key) {
            self.kv.borrow_mut().insert(key.into(), theirs);
        }
        let mut kv = self.kv.borrow_mut();
        if kv.get(key).map(Vec::as_slice) != old {
            return Ok(false);
        }
        self.expires.borrow_mut().remove(key);
        match new {
            Some(v) => kv.insert(key.into(), v.to_vec()),
            None => kv.remove(key),
        };
        self.writes.borrow_mut().push(key.to_string());
        Ok(true)
    }
    fn delete(&self, key: &str) -> Result<(), KvError> {
        key_ok(key)?;
        self.expires.borrow_mut().remove(key);
        self.kv.borrow_mut().remove(key);
        self.writes.borrow_mut().push(key.to_string());
        Ok(())
    }
    fn list_keys(&self, prefix: &str, page: u32, per_page: u32) -> Result<Vec<String>, KvError> {
        Ok(self
            .kv
            .borrow()
            .keys()
            .filter(|k| k.starts_with(prefix))
            .skip(page as usize * per_page as usize)
            .take(per_page as usize)
            .cloned()
            .collect())
    }
}

impl Clock for FakeHost {
    fn now_ms(&self) -> i64 {
        self.now_ms.get()
    }
}

impl Log for FakeHost {
    fn log(&self, level: LogLevel, message: &str) {
        self.logs.borrow_mut().push((level, message.into()));
    }
}

impl Mattermost for FakeHost {
    fn dm_post(&self, user_id: &str, post: &Post) -> Result<String, MmError> {
        if self.refuse_dms.get() {
            return Err(MmError {
                status: 500,
                message: "the database is down".into(),
            });
        }
        self.effect(Effect::DmPost {
            user_id: user_id.into(),
            post: post.clone(),
        });
        self.next_post.set(self.next_post.get() + 1);
        Ok(format!("post{}", self.next_post.get()))
    }
    fn update_post(&self, post_id: &str, post: &Post) -> Result<(), MmError> {
        self.effect(Effect::UpdatePost {
            post_id: post_id.into(),
            post: post.clone(),
        });
        Ok(())
    }
    fn delete_post(&self, post_id: &str) -> Result<(), MmError> {
        self.effect(Effect::DeletePost {
            post_id: post_id.into(),
        });
        Ok(())
    }
    fn ephemeral_post(&self, user_id: &str, channel_id: &str, post: &Post) -> Result<(), MmError> {
        self.effect(Effect::Ephemeral {
            user_id: user_id.into(),
            channel_id: channel_id.into(),
            post: post.clone(),
        });
        Ok(())
    }
    fn open_dialog(&self, trigger_id: &str, url: &str, dialog: &Dialog) -> Result<(), MmError> {
        self.effect(Effect::OpenDialog {
            trigger_id: trigger_id.into(),
            url: url.into(),
            dialog: dialog.clone(),
        });
        Ok(())
    }
    fn get_user(&self, user_id: &str) -> Result<User, MmError> {
        self.users.borrow().get(user_id).cloned().ok_or(MmError {
            status: 404,
            message: format!("no user {user_id}"),
        })
    }
    fn update_custom_status(&self, user_id: &str, status: &CustomStatus) -> Result<(), MmError> {
        if let Some(u) = self.users.borrow_mut().get_mut(user_id) {
            u.custom_status = Some(status.clone());
        }
        self.effect(Effect::UpdateStatus {
            user_id: user_id.into(),
            status: status.clone(),
        });
        Ok(())
    }
    fn remove_custom_status(&self, user_id: &str) -> Result<(), MmError> {
        if let Some(u) = self.users.borrow_mut().get_mut(user_id) {
            u.custom_status = None;
        }
        self.effect(Effect::RemoveStatus {
            user_id: user_id.into(),
        });
        Ok(())
    }
    fn get_config(&self) -> PluginConfig {
        self.config.borrow().clone()
    }
    fn publish_event(&self, user_id: &str, event: &str, payload: &[Prop]) {
        self.effect(Effect::Publish {
            user_id: user_id.into(),
            event: event.into(),
            payload: payload.to_vec(),
        });
    }
}

impl Scheduler for FakeHost {
    fn schedule_once(&self, key: &str, at_ms: i64) -> Result<bool, String> {
        if key.chars().count() > 100 {
            return Err(format!("job key of {} characters", key.chars().count()));
        }
        let mut jobs = self.jobs.borrow_mut();
        if jobs.contains_key(key) {
            return Ok(false);
        }
        jobs.insert(key.to_string(), at_ms);
        Ok(true)
    }
    fn cancel(&self, key: &str) {
        self.jobs.borrow_mut().remove(key);
    }
}
