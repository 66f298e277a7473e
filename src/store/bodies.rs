//! Where the raw iCalendar bodies of a calendar live: in buckets, one KV record each,
//! chosen by a hash of the object's href. The agenda of any range reads all buckets of the
//! selected calendars (a handful of reads), parses and expands them; a sync rewrites only
//! the buckets its changes fall into. The bucket count grows with the calendar (a power of
//! two, about [`TARGET_PER_BUCKET`] objects each) and is kept in the calendar's marker.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::keys::{self, CalendarId};
use super::record::{self, StoreError};
use super::records::Bucket;
use crate::host::Kv;

/// Objects per bucket the layout aims for: ~100 KB records for Yandex-sized events.
pub const TARGET_PER_BUCKET: usize = 64;

/// The bucket count for `objects` objects: a power of two, at least 1.
pub fn buckets_for(objects: usize) -> u32 {
    let wanted = objects.div_ceil(TARGET_PER_BUCKET).max(1);
    (wanted.next_power_of_two() as u32).min(keys::MAX_BUCKETS)
}

/// The bucket of an object, by its normalised href.
pub fn bucket_of(href_key: &str, buckets: u32) -> u32 {
    let d = Sha256::digest(href_key.as_bytes());
    u32::from_be_bytes([d[0], d[1], d[2], d[3]]) % buckets.max(1)
}

/// Every stored body of the calendar. An unreadable bucket reads as empty (the next full
/// listing rebuilds it).
pub fn read_all(
    kv: &impl Kv,
    user_id: &str,
    calendar: &CalendarId,
    buckets: u32,
) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for b in 0..buckets {
        let key = keys::calendar_bucket(user_id, calendar, b);
        if let Some(bucket) = record::get_or_rebuild::<Bucket>(kv, &key)? {
            out.extend(bucket.objects.into_values());
        }
    }
    Ok(out)
}

/// Every stored body of the calendar by its normalised href (what a snapshot is built
/// from). An unreadable bucket reads as empty.
pub fn read_objects(
    kv: &impl Kv,
    user_id: &str,
    calendar: &CalendarId,
    buckets: u32,
) -> Result<BTreeMap<String, String>, StoreError> {
    let mut out = BTreeMap::new();
    for b in 0..buckets {
        let key = keys::calendar_bucket(user_id, calendar, b);
        if let Some(bucket) = record::get_or_rebuild::<Bucket>(kv, &key)? {
            out.extend(bucket.objects);
        }
    }
    Ok(out)
}

/// The stored bodies of the buckets in `which` (each below `buckets`), by normalised href:
/// what a build that parses only changed objects reads. An unreadable bucket reads as empty.
pub fn read_buckets(
    kv: &impl Kv,
    user_id: &str,
    calendar: &CalendarId,
    buckets: u32,
    which: &std::collections::BTreeSet<u32>,
) -> Result<BTreeMap<String, String>, StoreError> {
    let mut out = BTreeMap::new();
    for b in which.iter().copied().filter(|b| *b < buckets) {
        let key = keys::calendar_bucket(user_id, calendar, b);
        if let Some(bucket) = record::get_or_rebuild::<Bucket>(kv, &key)? {
            out.extend(bucket.objects);
        }
    }
    Ok(out)
}

/// What a sync changed in one calendar: bodies to store (by normalised href) and hrefs
/// that are gone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    pub upserts: Vec<(String, String)>,
    pub removals: Vec<String>,
}

/// Stores new and changed bodies and drops removed ones. `total` is how many objects the
/// calendar holds afterwards (it picks the bucket count); returns the new bucket count.
/// The caller holds the user's lease, so plain writes suffice.
pub fn apply(
    kv: &impl Kv,
    user_id: &str,
    calendar: &CalendarId,
    old_buckets: u32,
    total: usize,
    changes: Changes,
) -> Result<u32, StoreError> {
    let new_buckets = buckets_for(total);
    if new_buckets != old_buckets {
        return rebucket(kv, user_id, calendar, old_buckets, new_buckets, changes);
    }
    let mut touched: BTreeMap<u32, Changes> = BTreeMap::new();
    for (href, ics) in changes.upserts {
        touched
            .entry(bucket_of(&href, new_buckets))
            .or_default()
            .upserts
            .push((href, ics));
    }
    for href in changes.removals {
        touched
            .entry(bucket_of(&href, new_buckets))
            .or_default()
            .removals
            .push(href);
    }
    for (b, part) in touched {
        let key = keys::calendar_bucket(user_id, calendar, b);
        let mut bucket = record::get_or_rebuild::<Bucket>(kv, &key)?.unwrap_or_default();
        for href in part.removals {
            bucket.objects.remove(&href);
        }
        bucket.objects.extend(part.upserts);
        write(kv, &key, &bucket)?;
    }
    Ok(new_buckets)
}

fn rebucket(
    kv: &impl Kv,
    user_id: &str,
    calendar: &CalendarId,
    old_buckets: u32,
    new_buckets: u32,
    changes: Changes,
) -> Result<u32, StoreError> {
    let mut all: BTreeMap<String, String> = BTreeMap::new();
    for b in 0..old_buckets {
        let key = keys::calendar_bucket(user_id, calendar, b);
        if let Some(bucket) = record::get_or_rebuild::<Bucket>(kv, &key)? {
            all.extend(bucket.objects);
        }
    }
    for href in changes.removals {
        all.remove(&href);
    }
    all.extend(changes.upserts);
    let mut split: Vec<Bucket> = vec![Bucket::default(); new_buckets as usize];
    for (href, ics) in all {
        let b = bucket_of(&href, new_buckets) as usize;
        split[b].objects.insert(href, ics);
    }
    for (b, bucket) in split.iter().enumerate() {
        write(
            kv,
            &keys::calendar_bucket(user_id, calendar, b as u32),
            bucket,
        )?;
    }
    for b in new_buckets..old_buckets {
        record::delete(kv, &keys::calendar_bucket(user_id, calendar, b))?;
    }
    Ok(new_buckets)
}

fn write(kv: &impl Kv, key: &str, bucket: &Bucket) -> Result<(), StoreError> {
    if bucket.objects.is_empty() {
        record::delete(kv, key)
    } else {
        record::put(kv, key, bucket)
    }
}

/// Deletes every bucket of the calendar.
pub fn delete_all(
    kv: &impl Kv,
    user_id: &str,
    calendar: &CalendarId,
    buckets: u32,
) -> Result<(), StoreError> {
    for b in 0..buckets.max(1) {
        record::delete(kv, &keys::calendar_bucket(user_id, calendar, b))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    fn body(i: usize) -> (String, String) {
        (format!("/cal/e{i}.ics"), format!("BEGIN:VCALENDAR {i}"))
    }

    #[test]
    fn grows_shrinks_and_keeps_every_body() {
        let host = FakeHost::new();
        let cal = CalendarId::of_url("https://x/cal/");
        let ups = |r: std::ops::Range<usize>| Changes {
            upserts: r.map(body).collect(),
            removals: vec![],
        };
        let mut buckets = apply(&host, "u", &cal, 1, 3, ups(0..3)).unwrap();
        assert_eq!(buckets, 1);
        assert_eq!(read_all(&host, "u", &cal, buckets).unwrap().len(), 3);
        buckets = apply(&host, "u", &cal, buckets, 500, ups(3..500)).unwrap();
        assert_eq!(buckets, 8);
        let mut all = read_all(&host, "u", &cal, buckets).unwrap();
        all.sort();
        let mut want: Vec<String> = (0..500).map(|i| body(i).1).collect();
        want.sort();
        assert_eq!(all, want);
        let biggest = host.kv.borrow().values().map(Vec::len).max().unwrap_or(0);
        assert!(biggest < 100 * 30, "{biggest}");
        // A change rewrites one bucket only.
        host.kv.borrow_mut().insert("marker".into(), vec![]);
        let before = host.kv.borrow().clone();
        let one = Changes {
            upserts: vec![(body(7).0, "changed".into())],
            removals: vec![],
        };
        apply(&host, "u", &cal, buckets, 500, one).unwrap();
        let after = host.kv.borrow().clone();
        let differing = before
            .iter()
            .filter(|(k, v)| after.get(*k) != Some(v))
            .count();
        assert_eq!(differing, 1);
        // Shrinking removes the buckets past the new count.
        let gone = Changes {
            upserts: vec![],
            removals: (1..500).map(|i| body(i).0).collect(),
        };
        buckets = apply(&host, "u", &cal, buckets, 1, gone).unwrap();
        assert_eq!(buckets, 1);
        assert_eq!(
            read_all(&host, "u", &cal, 8).unwrap(),
            vec!["BEGIN:VCALENDAR 0"]
        );
        delete_all(&host, "u", &cal, buckets).unwrap();
        assert_eq!(host.kv.borrow().len(), 1, "only the unrelated key is left");
    }
}
