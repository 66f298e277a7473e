//! The CalDAV client: discovery, credentials check, reports and writes, all through the
//! host's HTTP import.

pub mod auth;
pub mod bodies;
pub mod client;
pub mod discovery;
pub mod error;
pub mod href;
pub mod multistatus;
pub mod retry;
pub mod time;
pub mod write;
pub mod xml;

pub use auth::Credentials;
pub use client::{Client, ClientOptions, Stats};
pub use discovery::{check_credentials, discover, CalendarInfo, Principal};
pub use error::{CalDavError, ErrorCode};
pub use retry::{NoSleep, RetryPolicy, Sleeper, ThreadSleep};
pub use write::{
    get_object, put_if_match, put_object, update_object, ETag, Object, UpdateError, Written,
};

#[cfg(test)]
mod client_test;
#[cfg(test)]
mod fixtures_test;
