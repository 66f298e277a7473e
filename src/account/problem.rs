//! Errors of the layers below, folded into the [`Problem`] codes users read.

use crate::caldav::CalDavError;
use crate::crypto::CryptoError;
use crate::store::{Problem, StoreError};

pub fn of_caldav(e: &CalDavError) -> Problem {
    match e {
        CalDavError::InvalidUrl(_) => Problem::BadServerUrl,
        CalDavError::Unreachable(_) | CalDavError::Transport(_) => Problem::Unreachable,
        CalDavError::Tls(_) => Problem::Tls,
        CalDavError::Timeout => Problem::Timeout,
        CalDavError::TooLarge { .. } | CalDavError::BadResponse(_) => Problem::BadAnswer,
        CalDavError::Unauthorized => Problem::WrongPassword,
        CalDavError::Forbidden { .. } => Problem::Forbidden,
        CalDavError::NotCalDav(_) => Problem::NotCalDav,
        CalDavError::NotFound { .. } => Problem::CalendarGone,
        CalDavError::ServerBusy { .. } => Problem::Throttled,
        CalDavError::Conflict { .. } | CalDavError::UnexpectedStatus { .. } => Problem::BadAnswer,
        CalDavError::Storage(_) => Problem::Storage,
    }
}

pub fn of_crypto(e: CryptoError) -> Problem {
    match e {
        CryptoError::NoKey => Problem::NoKey,
        // A damaged secret cannot be told from one sealed under another key by a user:
        // both are fixed by connecting again.
        CryptoError::KeyChanged | CryptoError::Corrupt => Problem::KeyChanged,
        CryptoError::NoRandomness => Problem::Storage,
    }
}

pub fn of_store(_: &StoreError) -> Problem {
    Problem::Storage
}
