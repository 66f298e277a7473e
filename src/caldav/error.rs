//! Every way talking to a CalDAV server can fail, one case per thing a user or the
//! scheduler can act on. Messages never contain the password.

use crate::bindings::types::HttpError;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalDavError {
    #[error("the server URL is not valid: {0}")]
    InvalidUrl(String),
    #[error("the server cannot be reached: {0}")]
    Unreachable(String),
    #[error("secure connection failed (TLS): {0}")]
    Tls(String),
    #[error("the server did not answer in time")]
    Timeout,
    #[error("the server's answer is larger than the limit of {limit} bytes")]
    TooLarge { limit: u64 },
    #[error("connection failed: {0}")]
    Transport(String),
    #[error("wrong login or app password (the server answered 401)")]
    Unauthorized,
    #[error("access denied to {url} (403)")]
    Forbidden { url: String },
    #[error("this does not look like a CalDAV server: {0}")]
    NotCalDav(String),
    #[error("not found on the server: {url}")]
    NotFound { url: String },
    #[error("the object changed on the server since it was read (412 on {url})")]
    Conflict { url: String },
    #[error("the server is overloaded or failing (HTTP {status}); try again later")]
    ServerBusy {
        status: u16,
        /// What the server asked for in `Retry-After`, if anything.
        retry_after_ms: Option<u64>,
    },
    #[error("unexpected HTTP {status} from {url}{}", condition.as_ref().map(|c| format!(" ({c})")).unwrap_or_default())]
    UnexpectedStatus {
        status: u16,
        url: String,
        /// The precondition a DAV:error body named, e.g. `valid-sync-token`.
        condition: Option<String>,
    },
    #[error("the server's answer could not be read: {0}")]
    BadResponse(String),
    #[error("storage failed: {0}")]
    Storage(String),
}

/// What went wrong, as a stable code: stored (e.g. as a user's last sync error) instead of
/// English text, and turned into words in the user's language when shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    InvalidUrl,
    Unreachable,
    Tls,
    Timeout,
    TooLarge,
    Transport,
    Unauthorized,
    Forbidden,
    NotCalDav,
    NotFound,
    Conflict,
    ServerBusy,
    UnexpectedStatus,
    BadResponse,
    Storage,
}

impl CalDavError {
    pub fn code(&self) -> ErrorCode {
        match self {
            CalDavError::InvalidUrl(_) => ErrorCode::InvalidUrl,
            CalDavError::Unreachable(_) => ErrorCode::Unreachable,
            CalDavError::Tls(_) => ErrorCode::Tls,
            CalDavError::Timeout => ErrorCode::Timeout,
            CalDavError::TooLarge { .. } => ErrorCode::TooLarge,
            CalDavError::Transport(_) => ErrorCode::Transport,
            CalDavError::Unauthorized => ErrorCode::Unauthorized,
            CalDavError::Forbidden { .. } => ErrorCode::Forbidden,
            CalDavError::NotCalDav(_) => ErrorCode::NotCalDav,
            CalDavError::NotFound { .. } => ErrorCode::NotFound,
            CalDavError::Conflict { .. } => ErrorCode::Conflict,
            CalDavError::ServerBusy { .. } => ErrorCode::ServerBusy,
            CalDavError::UnexpectedStatus { .. } => ErrorCode::UnexpectedStatus,
            CalDavError::BadResponse(_) => ErrorCode::BadResponse,
            CalDavError::Storage(_) => ErrorCode::Storage,
        }
    }

    /// Whether waiting and trying again may help (as opposed to a user having to act).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            CalDavError::Timeout
                | CalDavError::Unreachable(_)
                | CalDavError::Transport(_)
                | CalDavError::ServerBusy { .. }
        )
    }
}

impl From<HttpError> for CalDavError {
    fn from(e: HttpError) -> Self {
        match e {
            HttpError::InvalidUrl(m) => CalDavError::InvalidUrl(m),
            HttpError::Unreachable(m) => CalDavError::Unreachable(m),
            HttpError::Tls(m) => CalDavError::Tls(m),
            HttpError::Timeout => CalDavError::Timeout,
            HttpError::TooLarge(limit) => CalDavError::TooLarge { limit },
            HttpError::Other(m) => CalDavError::Transport(m),
            // The host refused the destination (not the configured server): an admin's fix.
            HttpError::Blocked(m) => CalDavError::InvalidUrl(m),
        }
    }
}

impl From<super::xml::XmlError> for CalDavError {
    fn from(e: super::xml::XmlError) -> Self {
        CalDavError::BadResponse(e.0)
    }
}
