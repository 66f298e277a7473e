//! When to try a request again, and how long to wait first.
//!
//! Waiting is done through [`Sleeper`] so that tests run instantly and the plugin can
//! choose not to wait at all: a hook call must never sleep against a throttling server, so
//! it gives up for this round and the per-user backoff in KV schedules the next try.

use super::time::parse_http_date;

/// How the client waits between attempts.
pub trait Sleeper {
    /// Waits `ms` milliseconds and returns true, or returns false at once when this caller
    /// cannot wait: the failed attempt then ends the request.
    fn sleep_ms(&self, ms: u64) -> bool;
}

/// Never waits, so a retryable failure is not retried: the request fails at once with the
/// server's answer (and its `Retry-After`) for the backoff to act on. For hook calls.
pub struct NoSleep;

impl Sleeper for NoSleep {
    fn sleep_ms(&self, _ms: u64) -> bool {
        false
    }
}

/// Blocks the thread; for the `ycal` tool and tests that talk to real servers.
pub struct ThreadSleep;

impl Sleeper for ThreadSleep {
    fn sleep_ms(&self, ms: u64) -> bool {
        std::thread::sleep(std::time::Duration::from_millis(ms));
        true
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request, the first one included.
    pub max_attempts: u32,
    pub base_delay_ms: u64,
    pub max_delay_ms: u64,
    /// Total time one request may spend across attempts and waits.
    pub budget_ms: u64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay_ms: 500,
            max_delay_ms: 8_000,
            budget_ms: 20_000,
        }
    }
}

impl RetryPolicy {
    /// Wait before attempt `attempt + 1` (attempt counts from 0): exponential, capped, with
    /// "equal jitter" so that many users failing together do not retry together.
    pub fn delay_ms(&self, attempt: u32, seed: u64) -> u64 {
        let exp = self
            .base_delay_ms
            .saturating_mul(1u64 << attempt.min(20))
            .min(self.max_delay_ms);
        let half = exp / 2;
        half + splitmix64(seed ^ u64::from(attempt)) % (half + 1)
    }
}

/// Statuses worth another attempt. 507 is deliberately absent: Yandex uses it to say
/// "sync-collection too big", which retrying does not fix.
pub fn retryable_status(status: u16) -> bool {
    matches!(status, 429 | 500 | 502 | 503 | 504)
}

/// `Retry-After` as a delay from `now_ms`: delta-seconds or an HTTP-date.
pub fn parse_retry_after(value: &str, now_ms: i64) -> Option<u64> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(secs.saturating_mul(1000));
    }
    let at = parse_http_date(value)?;
    Some(at.saturating_sub(now_ms).max(0) as u64)
}

/// FNV-1a of a text: a stable seed (same on every build and platform) for per-user jitter.
pub fn stable_hash(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A well-mixed 64-bit hash; enough randomness for jitter.
pub fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_are_capped_and_jittered() {
        let p = RetryPolicy::default();
        for attempt in 0..10 {
            for seed in 0..50 {
                let d = p.delay_ms(attempt, seed);
                let exp = (500u64 << attempt).min(8_000);
                assert!(d >= exp / 2 && d <= exp, "{attempt} {d}");
            }
        }
        let distinct: std::collections::BTreeSet<u64> = (0..20).map(|s| p.delay_ms(3, s)).collect();
        assert!(distinct.len() > 5);
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("3", 0), Some(3_000));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:40 GMT", 784_111_777_000),
            Some(3_000)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:30 GMT", 784_111_777_000),
            Some(0)
        );
        assert_eq!(parse_retry_after("later", 0), None);
    }
}
