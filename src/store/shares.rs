//! How the nodes of a cluster split the users: by the shards of the notification index
//! ([`keys::INDEX_SHARDS`]), each held by one node at a time. One record ([`Shares`]) says
//! which nodes are alive (until when) and who holds each shard; every node updates it with
//! compare-and-set at its tick.
//!
//! - A node is alive while its entry has not expired; it renews the entry at its ticks,
//!   well before [`NODE_TTL_MS`] runs out. A node that stops cleanly leaves ([`leave`]).
//! - Each node holds about its part of the shards (64 / live nodes, rounded up): it takes
//!   free shards up to that many and gives back what it holds above it, so a node that
//!   joins gets its part within a tick or two, and the shards of a node that died (its
//!   entry expired) are taken over by the others within [`NODE_TTL_MS`] and a tick.
//! - A shard taken over from a dead node is marked, so all of its users' rounds run at once
//!   (their jobs armed in the dead node's memory are caught up by those rounds).
//!
//! Steady state costs one read per tick and a write per renewal (every ~15 s per node),
//! whatever the number of users. Correctness never rests on a shard being held by one node
//! only: effects are claimed with compare-and-set, syncs and plan writes take per-user
//! leases; the shares only keep two nodes from doing the same work.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::keys::{self, INDEX_SHARDS};
use super::record::{self, Change, Record, StoreError};
use crate::host::Kv;

/// A node that has not renewed its entry for this long is gone.
pub const NODE_TTL_MS: i64 = 30_000;
/// A node renews its entry when less than this is left (so every ~15 s at 10 s ticks).
const RENEW_BELOW_MS: i64 = 20_000;

/// Which nodes are alive and which node holds each shard.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shares {
    /// Node → alive until (Unix ms).
    pub nodes: BTreeMap<String, i64>,
    /// Shard → its holder, for the shards held.
    pub shards: BTreeMap<u32, String>,
}

impl Record for Shares {
    const VERSION: u32 = 1;
}

/// What a node holds after its tick.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Share {
    pub shards: Vec<u32>,
    /// Shards this tick took over from a node that died: all their users are due now.
    pub taken_over: Vec<u32>,
}

/// Renews `node`'s entry and share at `now_ms` and returns what it holds.
pub fn renew(kv: &impl Kv, node: &str, now_ms: i64) -> Result<Share, StoreError> {
    record::update(kv, &keys::shares(), |cur: Result<Option<Shares>, _>| {
        // An unreadable record is started again: the nodes fill it in at their next ticks.
        let before = cur.ok().flatten().unwrap_or_default();
        let mut s = before.clone();
        let share = step(&mut s, node, now_ms);
        let decision = if s == before {
            Change::Keep
        } else {
            Change::Put(s)
        };
        (decision, share)
    })
}

/// Gives `node`'s shards back and removes its entry (a clean stop).
pub fn leave(kv: &impl Kv, node: &str) -> Result<(), StoreError> {
    record::update(kv, &keys::shares(), |cur: Result<Option<Shares>, _>| {
        let Ok(Some(mut s)) = cur else {
            return (Change::Keep, ());
        };
        let had = s.nodes.remove(node).is_some();
        let before = s.shards.len();
        s.shards.retain(|_, holder| holder != node);
        if !had && s.shards.len() == before {
            return (Change::Keep, ());
        }
        (Change::Put(s), ())
    })
}

/// One node's tick on the record: forget dead nodes, renew `node`, free what dead nodes
/// held, give back what `node` holds above its part, take free shards up to it.
fn step(s: &mut Shares, node: &str, now_ms: i64) -> Share {
    s.nodes.retain(|_, until| *until > now_ms);
    if s.nodes
        .get(node)
        .is_none_or(|until| until - now_ms < RENEW_BELOW_MS)
    {
        s.nodes.insert(node.to_string(), now_ms + NODE_TTL_MS);
    }
    // Shards whose holder is gone: free, and taken over if claimed below.
    let orphaned: Vec<u32> = s
        .shards
        .iter()
        .filter(|(_, holder)| !s.nodes.contains_key(*holder))
        .map(|(shard, _)| *shard)
        .collect();
    for shard in &orphaned {
        s.shards.remove(shard);
    }
    let part = INDEX_SHARDS.div_ceil(s.nodes.len().max(1) as u32) as usize;
    let mut mine: Vec<u32> = s
        .shards
        .iter()
        .filter(|(_, holder)| *holder == node)
        .map(|(shard, _)| *shard)
        .collect();
    // Above its part: the highest shards go back (another node takes them at its tick).
    while mine.len() > part {
        if let Some(shard) = mine.pop() {
            s.shards.remove(&shard);
        }
    }
    let mut taken_over = Vec::new();
    for shard in 0..INDEX_SHARDS {
        if mine.len() >= part {
            break;
        }
        if s.shards.contains_key(&shard) {
            continue;
        }
        s.shards.insert(shard, node.to_string());
        mine.push(shard);
        if orphaned.contains(&shard) {
            taken_over.push(shard);
        }
    }
    mine.sort_unstable();
    Share {
        shards: mine,
        taken_over,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    fn held(host: &FakeHost) -> Shares {
        record::get(host, &keys::shares())
            .unwrap()
            .unwrap_or_default()
    }

    #[test]
    fn one_node_holds_everything_and_writes_only_to_renew() {
        let host = FakeHost::new();
        let share = renew(&host, "a", 0).unwrap();
        assert_eq!(share.shards, (0..INDEX_SHARDS).collect::<Vec<_>>());
        assert!(share.taken_over.is_empty());
        let stored = host.kv.borrow().get(&keys::shares()).cloned();
        // A tick 10 s later finds nothing to change.
        renew(&host, "a", 10_000).unwrap();
        assert_eq!(host.kv.borrow().get(&keys::shares()).cloned(), stored);
        // Past the renewal point the entry is pushed out again.
        renew(&host, "a", 11_000).unwrap();
        assert_eq!(held(&host).nodes["a"], 11_000 + NODE_TTL_MS);
    }

    #[test]
    fn a_second_node_gets_half_and_nobody_holds_a_shard_twice() {
        let host = FakeHost::new();
        renew(&host, "a", 0).unwrap();
        // b joins: nothing is free yet.
        assert!(renew(&host, "b", 1_000).unwrap().shards.is_empty());
        // a's next tick gives back its upper half; b takes it at its next tick.
        let a = renew(&host, "a", 10_000).unwrap();
        assert_eq!(a.shards, (0..32).collect::<Vec<_>>());
        let b = renew(&host, "b", 11_000).unwrap();
        assert_eq!(b.shards, (32..64).collect::<Vec<_>>());
        assert!(b.taken_over.is_empty(), "given back, not taken over");
        let s = held(&host);
        assert_eq!(s.shards.len(), INDEX_SHARDS as usize);
        // Three nodes: parts of 22.
        renew(&host, "c", 12_000).unwrap();
        for t in [20_000, 21_000, 22_000, 30_000, 31_000, 32_000] {
            for n in ["a", "b", "c"] {
                renew(&host, n, t).unwrap();
            }
        }
        let s = held(&host);
        let count = |n: &str| s.shards.values().filter(|h| *h == n).count();
        assert_eq!(s.shards.len(), INDEX_SHARDS as usize);
        assert!(count("a") <= 22 && count("b") <= 22 && count("c") >= 20);
    }

    #[test]
    fn a_dead_nodes_shards_are_taken_over_after_its_ttl() {
        let host = FakeHost::new();
        renew(&host, "a", 0).unwrap();
        renew(&host, "b", 1_000).unwrap();
        renew(&host, "a", 10_000).unwrap();
        renew(&host, "b", 11_000).unwrap();
        // a dies after its tick at 10 s: its entry (renewed at 0 s) runs out at 30 s.
        let b = renew(&host, "b", 29_000).unwrap();
        assert_eq!(
            b.shards,
            (32..64).collect::<Vec<_>>(),
            "not before a's entry expires"
        );
        let b = renew(&host, "b", 31_000).unwrap();
        assert_eq!(b.shards, (0..64).collect::<Vec<_>>());
        assert_eq!(b.taken_over, (0..32).collect::<Vec<_>>());
        // Taken over once: the next tick is ordinary.
        assert!(renew(&host, "b", 41_000).unwrap().taken_over.is_empty());
    }

    #[test]
    fn a_node_that_leaves_gives_its_shards_back_at_once() {
        let host = FakeHost::new();
        renew(&host, "a", 0).unwrap();
        renew(&host, "b", 1_000).unwrap();
        renew(&host, "a", 10_000).unwrap();
        renew(&host, "b", 11_000).unwrap();
        leave(&host, "a").unwrap();
        let b = renew(&host, "b", 12_000).unwrap();
        assert_eq!(b.shards, (0..64).collect::<Vec<_>>());
        assert!(b.taken_over.is_empty());
        // An unreadable record is started again.
        host.kv
            .borrow_mut()
            .insert(keys::shares(), b"garbage".to_vec());
        assert_eq!(renew(&host, "b", 13_000).unwrap().shards.len(), 64);
    }
}
