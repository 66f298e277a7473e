//! Indexes of users, each split into [`keys::INDEX_SHARDS`] records so the scheduler can
//! list everyone with a few reads (no scan of all keys) and users signing up at the same
//! time seldom contend for one record: the connected users, and the users with
//! notifications on (what the minute tick reads).

use super::keys;
use super::record::{self, Change, StoreError};
use super::records::IndexShard;
use crate::host::Kv;

/// Which index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Index {
    /// Users with a connected account.
    Connected,
    /// Users with notifications on.
    Notified,
}

impl Index {
    fn shard(self, shard: u32) -> String {
        match self {
            Index::Connected => keys::index_shard(shard),
            Index::Notified => keys::notify_shard(shard),
        }
    }
}

pub fn add(kv: &impl Kv, user_id: &str) -> Result<(), StoreError> {
    edit(kv, Index::Connected, user_id, true)
}

pub fn remove(kv: &impl Kv, user_id: &str) -> Result<(), StoreError> {
    edit(kv, Index::Connected, user_id, false)
}

pub fn add_to(kv: &impl Kv, index: Index, user_id: &str) -> Result<(), StoreError> {
    edit(kv, index, user_id, true)
}

pub fn remove_from(kv: &impl Kv, index: Index, user_id: &str) -> Result<(), StoreError> {
    edit(kv, index, user_id, false)
}

fn edit(kv: &impl Kv, index: Index, user_id: &str, present: bool) -> Result<(), StoreError> {
    let key = index.shard(keys::index_shard_of(user_id));
    record::update(kv, &key, |cur: Result<Option<IndexShard>, _>| {
        // An unreadable shard is rebuilt from what we know: better than losing the write.
        let mut shard = cur.ok().flatten().unwrap_or_default();
        let changed = if present {
            shard.users.insert(user_id.to_string())
        } else {
            shard.users.remove(user_id)
        };
        let decision = match (changed, shard.users.is_empty()) {
            (false, _) => Change::Keep,
            (true, true) => Change::Delete,
            (true, false) => Change::Put(shard),
        };
        (decision, ())
    })
}

/// Every connected user, shard by shard.
pub fn all(kv: &impl Kv) -> Result<Vec<String>, StoreError> {
    all_in(kv, Index::Connected)
}

/// The users of one shard of `index`.
pub fn shard_users(kv: &impl Kv, index: Index, shard: u32) -> Result<Vec<String>, StoreError> {
    Ok(
        record::get_or_rebuild::<IndexShard>(kv, &index.shard(shard))?
            .map(|s| s.users.into_iter().collect())
            .unwrap_or_default(),
    )
}

/// Every user in `index`, shard by shard.
pub fn all_in(kv: &impl Kv, index: Index) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for shard in 0..keys::INDEX_SHARDS {
        if let Some(s) = record::get_or_rebuild::<IndexShard>(kv, &index.shard(shard))? {
            out.extend(s.users);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    #[test]
    fn add_list_remove_without_scanning() {
        let host = FakeHost::new();
        let users: Vec<String> = (0..300).map(|i| format!("user{i:03}")).collect();
        for u in &users {
            add(&host, u).unwrap();
        }
        add(&host, "user000").unwrap();
        let mut listed = all(&host).unwrap();
        listed.sort();
        assert_eq!(listed, users);
        let shards = host.kv.borrow().len();
        assert!(
            shards > 50 && shards <= keys::INDEX_SHARDS as usize,
            "{shards}"
        );
        for u in &users {
            remove(&host, u).unwrap();
        }
        assert!(host.kv.borrow().is_empty(), "empty shards are deleted");
        assert!(all(&host).unwrap().is_empty());
    }
}
