//! Where a user's [`Snapshot`] is kept, and how a new one replaces it: compare-and-set
//! against the exact bytes read, so of two rounds that built from the same snapshot only
//! one swaps its own in — and only that one sends the change messages.
//!
//! The snapshot is JSON with its own version (`crate::snapshot::SNAPSHOT_VERSION`); one
//! that cannot be read counts as absent (the next build is a first sync: it reports
//! nothing). Nothing reads it on an idle round: the plan's fingerprint says whether
//! anything changed.

use super::keys;
use super::record::StoreError;
use crate::host::Kv;
use crate::snapshot::Snapshot;

/// The stored snapshot: its bytes (for the swap) and, if readable, the snapshot.
pub struct Stored {
    pub raw: Option<Vec<u8>>,
    pub snapshot: Option<Snapshot>,
}

pub fn read(kv: &impl Kv, user_id: &str) -> Result<Stored, StoreError> {
    let raw = kv.get(&keys::snapshot(user_id))?;
    let snapshot = raw
        .as_deref()
        .and_then(|b| std::str::from_utf8(b).ok())
        .and_then(|text| Snapshot::from_json(text).ok());
    Ok(Stored { raw, snapshot })
}

/// Replaces the snapshot read as `old` with `new`; `false` if another writer came first.
pub fn swap(
    kv: &impl Kv,
    user_id: &str,
    old: Option<&[u8]>,
    new: &Snapshot,
) -> Result<bool, StoreError> {
    let json = new
        .to_json()
        .map_err(|e| StoreError::Kv(format!("snapshot not serialisable: {e}")))?;
    Ok(kv.compare_and_set(&keys::snapshot(user_id), old, Some(json.as_bytes()))?)
}

pub fn delete(kv: &impl Kv, user_id: &str) -> Result<(), StoreError> {
    Ok(kv.delete(&keys::snapshot(user_id))?)
}
