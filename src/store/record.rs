//! Versioned records and compare-and-set updates.
//!
//! Every value is JSON `{"v": <version>, "d": <record>}`. A record of another version reads
//! as [`StoreError::Version`]; each caller decides what that means (a cache is rebuilt, an
//! account asks the user to connect again). Updates go through [`update`]: read, change,
//! compare-and-set, and again from the start if another writer came first.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::bindings::types::KvError;
use crate::host::Kv;

/// A type stored under a key, with the version of its shape.
pub trait Record: Serialize + DeserializeOwned {
    const VERSION: u32;
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("the key-value store failed: {0}")]
    Kv(String),
    #[error("record {key} is version {found}, expected {expected}")]
    Version {
        key: String,
        found: u32,
        expected: u32,
    },
    #[error("record {key} cannot be read: {reason}")]
    Corrupt { key: String, reason: String },
    #[error("record {key} kept changing under us; gave up after {attempts} attempts")]
    Contended { key: String, attempts: u32 },
}

impl From<KvError> for StoreError {
    fn from(e: KvError) -> Self {
        StoreError::Kv(match e {
            KvError::KeyTooLong(n) => format!("key of {n} characters is too long"),
            KvError::EmptyValue => "an empty value cannot be stored".to_string(),
            KvError::Store(m) => m,
        })
    }
}

#[derive(Serialize)]
struct EnvelopeOut<'a, T> {
    v: u32,
    d: &'a T,
}

#[derive(Deserialize)]
struct Version {
    v: u32,
}

#[derive(Deserialize)]
struct EnvelopeIn<T> {
    d: T,
}

pub fn encode<T: Record>(record: &T) -> Vec<u8> {
    // Serialising plain data structs to JSON cannot fail (no maps with non-string keys).
    serde_json::to_vec(&EnvelopeOut {
        v: T::VERSION,
        d: record,
    })
    .unwrap_or_default()
}

pub fn decode<T: Record>(key: &str, bytes: &[u8]) -> Result<T, StoreError> {
    let corrupt = |e: serde_json::Error| StoreError::Corrupt {
        key: key.to_string(),
        reason: e.to_string(),
    };
    // What `encode` writes starts with the version: read it from there and parse the
    // record once (a poll reads several records; parsing each twice showed in profiles).
    let version = match leading_version(bytes) {
        Some(v) => v,
        None => serde_json::from_slice::<Version>(bytes).map_err(corrupt)?.v,
    };
    if version != T::VERSION {
        return Err(StoreError::Version {
            key: key.to_string(),
            found: version,
            expected: T::VERSION,
        });
    }
    let e: EnvelopeIn<T> = serde_json::from_slice(bytes).map_err(corrupt)?;
    Ok(e.d)
}

/// The version of a value that starts `{"v":<digits>,` as [`encode`] writes it.
fn leading_version(bytes: &[u8]) -> Option<u32> {
    let rest = bytes.strip_prefix(br#"{"v":"#)?;
    let end = rest.iter().position(|b| !b.is_ascii_digit())?;
    if end == 0 || end > 9 || rest[end] != b',' {
        return None;
    }
    std::str::from_utf8(&rest[..end]).ok()?.parse().ok()
}

pub fn get<T: Record>(kv: &impl Kv, key: &str) -> Result<Option<T>, StoreError> {
    match kv.get(key)? {
        Some(bytes) => decode(key, &bytes).map(Some),
        None => Ok(None),
    }
}

/// Like [`get`], but a record that cannot be read counts as absent: for data that can be
/// rebuilt from the server (sync state, bodies, markers).
pub fn get_or_rebuild<T: Record>(kv: &impl Kv, key: &str) -> Result<Option<T>, StoreError> {
    match get(kv, key) {
        Err(StoreError::Version { .. } | StoreError::Corrupt { .. }) => Ok(None),
        other => other,
    }
}

pub fn put<T: Record>(kv: &impl Kv, key: &str, record: &T) -> Result<(), StoreError> {
    Ok(kv.set(key, &encode(record))?)
}

pub fn delete(kv: &impl Kv, key: &str) -> Result<(), StoreError> {
    Ok(kv.delete(key)?)
}

/// What an update decided.
pub enum Change<T> {
    Put(T),
    Delete,
    /// Leave the record as it is.
    Keep,
}

/// How many times [`update`] re-reads after losing a race.
const CAS_ATTEMPTS: u32 = 8;

/// Read-change-write with compare-and-set. `change` sees the current record (`None` when
/// absent) and may run more than once; it returns the decision and a value for the caller.
/// A record that cannot be decoded is passed as an error to `change`, which decides.
pub fn update<T: Record, R>(
    kv: &impl Kv,
    key: &str,
    mut change: impl FnMut(Result<Option<T>, StoreError>) -> (Change<T>, R),
) -> Result<R, StoreError> {
    for _ in 0..CAS_ATTEMPTS {
        let old = kv.get(key)?;
        let current = match &old {
            Some(bytes) => decode(key, bytes).map(Some),
            None => Ok(None),
        };
        let (decision, out) = change(current);
        let new = match decision {
            Change::Keep => return Ok(out),
            Change::Put(record) => Some(encode(&record)),
            Change::Delete => None,
        };
        if old.is_none() && new.is_none() {
            return Ok(out);
        }
        if kv.compare_and_set(key, old.as_deref(), new.as_deref())? {
            return Ok(out);
        }
    }
    Err(StoreError::Contended {
        key: key.to_string(),
        attempts: CAS_ATTEMPTS,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::fake::FakeHost;

    #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
    struct Counter {
        n: u32,
    }
    impl Record for Counter {
        const VERSION: u32 = 3;
    }

    #[test]
    fn round_trip_and_versions() {
        let host = FakeHost::new();
        put(&host, "k", &Counter { n: 7 }).unwrap();
        assert_eq!(host.kv.borrow()["k"], br#"{"v":3,"d":{"n":7}}"#.to_vec());
        assert_eq!(get::<Counter>(&host, "k").unwrap(), Some(Counter { n: 7 }));
        host.kv
            .borrow_mut()
            .insert("k".into(), br#"{"v":2,"d":{"n":7}}"#.to_vec());
        assert!(matches!(
            get::<Counter>(&host, "k"),
            Err(StoreError::Version { found: 2, .. })
        ));
        assert_eq!(get_or_rebuild::<Counter>(&host, "k").unwrap(), None);
        host.kv.borrow_mut().insert("k".into(), b"\xff".to_vec());
        assert!(matches!(
            get::<Counter>(&host, "k"),
            Err(StoreError::Corrupt { .. })
        ));
        assert_eq!(get::<Counter>(&host, "absent").unwrap(), None);
        // Written another way (spaces, another order): still read, version checked.
        for (raw, want) in [
            (&br#"{ "d": {"n": 5}, "v": 3 }"#[..], Some(5)),
            (br#"{"d":{"n":5},"v":2}"#, None),
            (br#"{"v":3 ,"d":{"n":6}}"#, Some(6)),
            (br#"{"v":30,"d":{"n":6}}"#, None),
        ] {
            host.kv.borrow_mut().insert("k".into(), raw.to_vec());
            assert_eq!(get::<Counter>(&host, "k").ok().flatten().map(|c| c.n), want);
        }
    }

    #[test]
    fn update_retries_when_another_writer_comes_first() {
        let host = FakeHost::new();
        put(&host, "c", &Counter { n: 1 }).unwrap();
        let mut calls = 0;
        let seen = update(&host, "c", |cur: Result<Option<Counter>, _>| {
            calls += 1;
            let n = cur.unwrap().unwrap().n;
            if calls == 1 {
                // Someone else writes between our read and our compare-and-set.
                put(&host, "c", &Counter { n: 10 }).unwrap();
            }
            (Change::Put(Counter { n: n + 1 }), n)
        })
        .unwrap();
        assert_eq!(calls, 2);
        assert_eq!(seen, 10);
        assert_eq!(get::<Counter>(&host, "c").unwrap(), Some(Counter { n: 11 }));
        update(&host, "c", |_: Result<Option<Counter>, _>| {
            (Change::Delete, ())
        })
        .unwrap();
        assert!(host.kv.borrow().is_empty());
        // Deleting what is absent is fine.
        update(&host, "c", |_: Result<Option<Counter>, _>| {
            (Change::Delete, ())
        })
        .unwrap();
    }
}
