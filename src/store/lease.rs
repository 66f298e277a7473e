//! A per-user lease: one instance at a time syncs a user's calendars. It is a record taken
//! with compare-and-set and given back the same way; a holder that dies loses it when
//! `until_ms` passes (a hook call cannot outlive its host's call timeout).

use super::keys;
use super::record::{self, Change, StoreError};
use super::records::Lease;
use crate::host::Kv;

/// A lease held; give it back with [`release`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    key: String,
    lease: Lease,
}

/// Takes the lease unless someone else holds an unexpired one (`Ok(None)`).
pub fn acquire(
    kv: &impl Kv,
    user_id: &str,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<Option<Held>, StoreError> {
    acquire_key(kv, keys::lease(user_id), holder, now_ms, ttl_ms)
}

/// The same for the user's notification round ([`keys::round_lease`]).
pub fn acquire_round(
    kv: &impl Kv,
    user_id: &str,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<Option<Held>, StoreError> {
    acquire_key(kv, keys::round_lease(user_id), holder, now_ms, ttl_ms)
}

fn acquire_key(
    kv: &impl Kv,
    key: String,
    holder: &str,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<Option<Held>, StoreError> {
    let mine = Lease {
        holder: holder.to_string(),
        until_ms: now_ms + ttl_ms,
    };
    record::update(kv, &key, |cur: Result<Option<Lease>, _>| match cur {
        Ok(Some(other)) if other.until_ms > now_ms => (Change::Keep, None),
        _ => (
            Change::Put(mine.clone()),
            Some(Held {
                key: key.clone(),
                lease: mine.clone(),
            }),
        ),
    })
}

/// Gives the lease back if it is still ours.
pub fn release(kv: &impl Kv, held: &Held) -> Result<(), StoreError> {
    record::update(kv, &held.key, |cur: Result<Option<Lease>, _>| match cur {
        Ok(Some(l)) if l == held.lease => (Change::Delete, ()),
        _ => (Change::Keep, ()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    #[test]
    fn one_holder_at_a_time_and_expiry() {
        let host = FakeHost::new();
        let a = acquire(&host, "u", "a", 0, 1000).unwrap().unwrap();
        assert_eq!(acquire(&host, "u", "b", 500, 1000).unwrap(), None);
        assert!(acquire(&host, "v", "b", 500, 1000).unwrap().is_some());
        // Expired: b takes it over; a's release then leaves b's lease alone.
        let b = acquire(&host, "u", "b", 1000, 1000).unwrap().unwrap();
        release(&host, &a).unwrap();
        assert_eq!(acquire(&host, "u", "c", 1500, 1000).unwrap(), None);
        release(&host, &b).unwrap();
        assert!(acquire(&host, "u", "c", 1500, 1000).unwrap().is_some());
    }
}
