//! Per-user backoff kept in KV, so that a broken account (wrong password, server down,
//! throttling) is not hammered every tick, and any cluster node or instance sees the same
//! state. A hook never sleeps against a throttling server: it gives up for the round and
//! this backoff schedules the next try.
//!
//! [`key`] is the only place that builds this record's KV key (it moves to `store` later).
//! Writes are compare-and-set, so two instances failing at once count two failures.

use serde::{Deserialize, Serialize};

use crate::caldav::retry::{splitmix64, stable_hash};
use crate::caldav::{CalDavError, ErrorCode};
use crate::host::Kv;

const MINUTE: i64 = 60_000;
/// The first wait after a transient failure; doubles per failure.
const FIRST_WAIT: i64 = MINUTE;
/// A wrong password will not fix itself quickly; the user is told and may reconnect.
const FIRST_WAIT_AUTH: i64 = 30 * MINUTE;
const MAX_WAIT: i64 = 6 * 60 * MINUTE;
/// Compare-and-set attempts before giving up on a record others keep changing.
const CAS_ATTEMPTS: usize = 5;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    pub failures: u32,
    /// No request for this user before this Unix time in milliseconds.
    pub next_attempt_ms: i64,
    /// What failed last, as a code: shown to the user in their language ("check account").
    pub last_error: ErrorCode,
}

/// The KV key of a user's backoff record. The only function that builds it.
pub fn key(user_id: &str) -> String {
    format!("caldav_backoff:{user_id}")
}

fn parse(raw: Option<&[u8]>) -> Option<Backoff> {
    // An unreadable record (or one in an older shape) is as good as none: it must not
    // block the user forever.
    raw.and_then(|b| serde_json::from_slice(b).ok())
}

pub fn load(kv: &impl Kv, user_id: &str) -> Result<Option<Backoff>, CalDavError> {
    let raw = kv.get(&key(user_id)).map_err(kv_err)?;
    Ok(parse(raw.as_deref()))
}

/// Whether the user's calendars may be polled now.
pub fn may_attempt(kv: &impl Kv, user_id: &str, now_ms: i64) -> Result<bool, CalDavError> {
    Ok(load(kv, user_id)?.is_none_or(|b| now_ms >= b.next_attempt_ms))
}

/// Records a failure and returns the new backoff. The wait doubles per failure, up to six
/// hours, jittered per user so that users who failed together do not return together, and
/// never shorter than the server's `Retry-After`.
pub fn record_failure(
    kv: &impl Kv,
    user_id: &str,
    now_ms: i64,
    error: &CalDavError,
) -> Result<Backoff, CalDavError> {
    let key = key(user_id);
    for _ in 0..CAS_ATTEMPTS {
        let raw = kv.get(&key).map_err(kv_err)?;
        let failures = parse(raw.as_deref()).map_or(0, |b| b.failures) + 1;
        let b = next_backoff(user_id, failures, now_ms, error);
        let bytes = serde_json::to_vec(&b).map_err(|e| CalDavError::Storage(e.to_string()))?;
        if kv
            .compare_and_set(&key, raw.as_deref(), Some(&bytes))
            .map_err(kv_err)?
        {
            return Ok(b);
        }
    }
    Err(CalDavError::Storage(format!(
        "{key} kept changing under {CAS_ATTEMPTS} compare-and-set attempts"
    )))
}

fn next_backoff(user_id: &str, failures: u32, now_ms: i64, error: &CalDavError) -> Backoff {
    let first = match error {
        CalDavError::Unauthorized => FIRST_WAIT_AUTH,
        _ => FIRST_WAIT,
    };
    let exp = first
        .saturating_mul(1i64 << (failures - 1).min(20))
        .min(MAX_WAIT);
    let seed = stable_hash(user_id) ^ now_ms as u64 ^ u64::from(failures);
    let jitter = (splitmix64(seed) % (exp as u64 / 4 + 1)) as i64;
    let mut wait = exp - exp / 8 + jitter;
    if let CalDavError::ServerBusy {
        retry_after_ms: Some(ra),
        ..
    } = error
    {
        wait = wait.max((*ra).min(MAX_WAIT as u64) as i64);
    }
    Backoff {
        failures,
        next_attempt_ms: now_ms + wait,
        last_error: error.code(),
    }
}

/// Clears the backoff after a successful poll (compare-and-set: a failure recorded by
/// another instance in between is not wiped by a stale read).
pub fn record_success(kv: &impl Kv, user_id: &str) -> Result<(), CalDavError> {
    let key = key(user_id);
    for _ in 0..CAS_ATTEMPTS {
        let Some(raw) = kv.get(&key).map_err(kv_err)? else {
            return Ok(());
        };
        if kv.compare_and_set(&key, Some(&raw), None).map_err(kv_err)? {
            return Ok(());
        }
    }
    Err(CalDavError::Storage(format!(
        "{key} kept changing under {CAS_ATTEMPTS} compare-and-set attempts"
    )))
}

fn kv_err(e: crate::bindings::types::KvError) -> CalDavError {
    CalDavError::Storage(format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::bindings::types::KvError;
    use crate::host::fake::FakeHost;

    #[test]
    fn backs_off_growing_and_resets() {
        let host = FakeHost::new();
        assert!(may_attempt(&host, "u1", 0).unwrap());
        let b1 = record_failure(&host, "u1", 0, &CalDavError::Timeout).unwrap();
        assert!(b1.next_attempt_ms >= 52_000 && b1.next_attempt_ms <= 76_000);
        assert_eq!(b1.last_error, ErrorCode::Timeout);
        assert!(!may_attempt(&host, "u1", 1_000).unwrap());
        assert!(may_attempt(&host, "u1", b1.next_attempt_ms).unwrap());
        let b2 = record_failure(&host, "u1", 0, &CalDavError::Timeout).unwrap();
        assert!(b2.next_attempt_ms > b1.next_attempt_ms);
        for _ in 0..30 {
            let b = record_failure(&host, "u1", 0, &CalDavError::Timeout).unwrap();
            assert!(b.next_attempt_ms <= MAX_WAIT + MAX_WAIT / 4);
        }
        assert!(may_attempt(&host, "u2", 0).unwrap());
        record_success(&host, "u1").unwrap();
        assert!(may_attempt(&host, "u1", 0).unwrap());
        record_success(&host, "u1").unwrap();
    }

    #[test]
    fn wrong_password_waits_longer_and_retry_after_is_honoured() {
        let host = FakeHost::new();
        let b = record_failure(&host, "u", 0, &CalDavError::Unauthorized).unwrap();
        assert!(b.next_attempt_ms >= 25 * MINUTE);
        let busy = CalDavError::ServerBusy {
            status: 503,
            retry_after_ms: Some(3 * 60 * MINUTE as u64),
        };
        let b = record_failure(&host, "v", 0, &busy).unwrap();
        assert!(b.next_attempt_ms >= 3 * 60 * MINUTE);
        host.kv.borrow_mut().insert(key("w"), b"garbage".to_vec());
        assert!(may_attempt(&host, "w", 0).unwrap());
    }

    #[test]
    fn the_error_is_stored_as_a_code_not_text() {
        let host = FakeHost::new();
        record_failure(&host, "u", 0, &CalDavError::Unauthorized).unwrap();
        let raw = host.kv.borrow().get(&key("u")).cloned().unwrap_or_default();
        let text = String::from_utf8_lossy(&raw);
        // Before: "wrong login or app password (the server answered 401)", in English.
        assert!(text.contains(r#""last_error":"unauthorized""#), "{text}");
    }

    #[test]
    fn users_failing_together_come_back_at_different_times() {
        let host = FakeHost::new();
        let times: std::collections::BTreeSet<i64> = (0..10)
            .map(|i| {
                record_failure(&host, &format!("user{i}"), 0, &CalDavError::Timeout)
                    .unwrap()
                    .next_attempt_ms
            })
            .collect();
        // Before: jitter seeded by the clock and the failure count only: one time for all.
        assert!(times.len() > 5, "{times:?}");
    }

    /// A KV whose record changes behind our back once, as when another instance records a
    /// failure between our read and our write.
    struct Racing {
        inner: FakeHost,
        raced: Cell<bool>,
    }

    impl Kv for Racing {
        fn get(&self, key: &str) -> Result<Option<Vec<u8>>, KvError> {
            let v = self.inner.get(key);
            if !self.raced.replace(true) {
                let other = next_backoff("u", 1, 0, &CalDavError::Timeout);
                let bytes = serde_json::to_vec(&other).unwrap_or_default();
                self.inner.set(key, &bytes)?;
            }
            v
        }
        fn set(&self, key: &str, value: &[u8]) -> Result<(), KvError> {
            self.inner.set(key, value)
        }
        fn set_with_expiry(&self, key: &str, value: &[u8], s: u32) -> Result<(), KvError> {
            self.inner.set_with_expiry(key, value, s)
        }
        fn compare_and_set(
            &self,
            key: &str,
            old: Option<&[u8]>,
            new: Option<&[u8]>,
        ) -> Result<bool, KvError> {
            self.inner.compare_and_set(key, old, new)
        }
        fn compare_and_set_with_expiry(
            &self,
            key: &str,
            old: Option<&[u8]>,
            new: &[u8],
            s: u32,
        ) -> Result<bool, KvError> {
            self.inner.compare_and_set_with_expiry(key, old, new, s)
        }
        fn delete(&self, key: &str) -> Result<(), KvError> {
            self.inner.delete(key)
        }
        fn list_keys(&self, prefix: &str, page: u32, per: u32) -> Result<Vec<String>, KvError> {
            self.inner.list_keys(prefix, page, per)
        }
    }

    #[test]
    fn a_concurrent_failure_is_counted_not_overwritten() {
        let kv = Racing {
            inner: FakeHost::new(),
            raced: Cell::new(false),
        };
        // Our read sees nothing; meanwhile another instance records failure #1. A blind
        // write (before) stored failures = 1 again; compare-and-set re-reads and stores 2.
        let b = record_failure(&kv, "u", 0, &CalDavError::Timeout).unwrap();
        assert_eq!(b.failures, 2);
        assert_eq!(load(&kv.inner, "u").unwrap().map(|b| b.failures), Some(2));
    }
}
