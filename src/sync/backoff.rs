//! Per-user backoff kept in KV, so that a broken account (wrong password, server down)
//! is not hammered every tick, and any cluster node or instance sees the same state.

use serde::{Deserialize, Serialize};

use crate::caldav::retry::splitmix64;
use crate::caldav::CalDavError;
use crate::host::Kv;

const MINUTE: i64 = 60_000;
/// The first wait after a transient failure; doubles per failure.
const FIRST_WAIT: i64 = MINUTE;
/// A wrong password will not fix itself quickly; the user is told and may reconnect.
const FIRST_WAIT_AUTH: i64 = 30 * MINUTE;
const MAX_WAIT: i64 = 6 * 60 * MINUTE;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Backoff {
    pub failures: u32,
    /// No request for this user before this Unix time in milliseconds.
    pub next_attempt_ms: i64,
    /// The last error as text, for "check account".
    pub last_error: String,
}

pub fn key(user_id: &str) -> String {
    format!("caldav_backoff:{user_id}")
}

pub fn load(kv: &impl Kv, user_id: &str) -> Result<Option<Backoff>, CalDavError> {
    let raw = kv.get(&key(user_id)).map_err(kv_err)?;
    // An unreadable record is as good as none: it must not block the user forever.
    Ok(raw.and_then(|b| serde_json::from_slice(&b).ok()))
}

/// Whether the user's calendars may be polled now.
pub fn may_attempt(kv: &impl Kv, user_id: &str, now_ms: i64) -> Result<bool, CalDavError> {
    Ok(load(kv, user_id)?.is_none_or(|b| now_ms >= b.next_attempt_ms))
}

/// Records a failure and returns the new backoff. The wait doubles per failure, up to six
/// hours, jittered so that users who failed together do not return together.
pub fn record_failure(
    kv: &impl Kv,
    user_id: &str,
    now_ms: i64,
    error: &CalDavError,
) -> Result<Backoff, CalDavError> {
    let failures = load(kv, user_id)?.map_or(0, |b| b.failures) + 1;
    let first = match error {
        CalDavError::Unauthorized => FIRST_WAIT_AUTH,
        _ => FIRST_WAIT,
    };
    let exp = first
        .saturating_mul(1i64 << (failures - 1).min(20))
        .min(MAX_WAIT);
    let jitter = (splitmix64(now_ms as u64 ^ failures as u64) % (exp as u64 / 4 + 1)) as i64;
    let mut wait = exp - exp / 8 + jitter;
    if let CalDavError::ServerBusy {
        retry_after_ms: Some(ra),
        ..
    } = error
    {
        wait = wait.max((*ra).min(MAX_WAIT as u64) as i64);
    }
    let b = Backoff {
        failures,
        next_attempt_ms: now_ms + wait,
        last_error: error.to_string(),
    };
    let bytes = serde_json::to_vec(&b).map_err(|e| CalDavError::Storage(e.to_string()))?;
    kv.set(&key(user_id), &bytes).map_err(kv_err)?;
    Ok(b)
}

pub fn record_success(kv: &impl Kv, user_id: &str) -> Result<(), CalDavError> {
    kv.delete(&key(user_id)).map_err(kv_err)
}

fn kv_err(e: crate::bindings::types::KvError) -> CalDavError {
    CalDavError::Storage(format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    #[test]
    fn backs_off_growing_and_resets() {
        let host = FakeHost::new();
        assert!(may_attempt(&host, "u1", 0).unwrap());
        let b1 = record_failure(&host, "u1", 0, &CalDavError::Timeout).unwrap();
        assert!(b1.next_attempt_ms >= 52_000 && b1.next_attempt_ms <= 76_000);
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
}
