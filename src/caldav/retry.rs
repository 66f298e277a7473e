//! When to try a request again, and how long to wait first.
//!
//! Waiting is done through [`Sleeper`] so that tests run instantly and the plugin can
//! choose not to block at all (then the per-user backoff in KV takes over).

use super::time::parse_http_date;

/// How the client waits between attempts.
pub trait Sleeper {
    fn sleep_ms(&self, ms: u64);
}

/// Never waits: a failed attempt is retried only when no wait is needed, which in practice
/// means not at all. For callers that must not block.
pub struct NoSleep;

impl Sleeper for NoSleep {
    fn sleep_ms(&self, _ms: u64) {}
}

/// Blocks the thread (natively, or via WASI `poll_oneoff` in the wasm module).
pub struct ThreadSleep;

impl Sleeper for ThreadSleep {
    fn sleep_ms(&self, ms: u64) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
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
