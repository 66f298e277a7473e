//! Claims: how each effect (a digest, a reminder, a status change, a message) happens at
//! most once across instances, restarts and cluster nodes.
//!
//! Before an effect, its claim key ([`super::keys`]) is written with compare-and-set from
//! "absent", with a time-to-live: whoever writes it does the effect, everyone else skips
//! it. After the post, its id is recorded in the claim. An effect that fails with an answer
//! (Mattermost refused the post) gives its claim back, so a later try may do it; one cut
//! short by a crash between the claim and the post is lost rather than doubled.

use super::record::{self, StoreError};
use super::records::Claim;
use crate::host::Kv;

/// How a claim went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// Ours: do the effect, then [`record`] (or [`release`] if it failed).
    Won(Vec<u8>),
    /// Someone did it, or is doing it.
    Taken,
}

/// Claims `key` for `ttl_seconds` (at least a minute).
pub fn claim(
    kv: &impl Kv,
    key: &str,
    now_ms: i64,
    ttl_seconds: u32,
) -> Result<Claimed, StoreError> {
    let value = record::encode(&Claim {
        at_ms: now_ms,
        post: None,
    });
    if kv.compare_and_set_with_expiry(key, None, &value, ttl_seconds.max(60))? {
        Ok(Claimed::Won(value))
    } else {
        Ok(Claimed::Taken)
    }
}

/// Records the post that carried a claimed effect (best effort: the claim holds either way).
pub fn record(
    kv: &impl Kv,
    key: &str,
    claimed: &[u8],
    now_ms: i64,
    post_id: &str,
    ttl_seconds: u32,
) -> Result<(), StoreError> {
    let value = record::encode(&Claim {
        at_ms: now_ms,
        post: Some(post_id.to_string()),
    });
    kv.compare_and_set_with_expiry(key, Some(claimed), &value, ttl_seconds.max(60))?;
    Ok(())
}

/// Gives a claim back after its effect failed for a known reason (nothing was posted).
pub fn release(kv: &impl Kv, key: &str, claimed: &[u8]) -> Result<(), StoreError> {
    kv.compare_and_set(key, Some(claimed), None)?;
    Ok(())
}

/// The claim stored under `key`, if any (for tests and checks).
pub fn read(kv: &impl Kv, key: &str) -> Result<Option<Claim>, StoreError> {
    record::get_or_rebuild(kv, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    #[test]
    fn one_winner_then_expiry() {
        let host = FakeHost::new();
        let Claimed::Won(mine) = claim(&host, "k", 0, 120).unwrap() else {
            panic!("the first claim wins");
        };
        assert_eq!(claim(&host, "k", 1, 120).unwrap(), Claimed::Taken);
        record(&host, "k", &mine, 2, "post-1", 120).unwrap();
        assert_eq!(
            read(&host, "k").unwrap().and_then(|c| c.post).as_deref(),
            Some("post-1")
        );
        // Recording again with the old value does nothing (compare-and-set).
        record(&host, "k", &mine, 3, "post-2", 120).unwrap();
        assert_eq!(
            read(&host, "k").unwrap().and_then(|c| c.post).as_deref(),
            Some("post-1")
        );
        host.now_ms.set(121_000);
        assert!(matches!(
            claim(&host, "k", 121_000, 120).unwrap(),
            Claimed::Won(_)
        ));
    }

    #[test]
    fn a_released_claim_can_be_won_again() {
        let host = FakeHost::new();
        let Claimed::Won(mine) = claim(&host, "k", 0, 600).unwrap() else {
            panic!("the first claim wins");
        };
        release(&host, "k", &mine).unwrap();
        assert!(matches!(
            claim(&host, "k", 1, 600).unwrap(),
            Claimed::Won(_)
        ));
    }
}
