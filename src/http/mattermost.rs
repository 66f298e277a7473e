//! The JSON Mattermost posts to the plugin (dialog submissions, button clicks) and what
//! it expects back (model.SubmitDialogRequest/Response, model.PostActionIntegrationRequest/
//! Response in Mattermost's server/public).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A dialog submission. The user is taken from the `Mattermost-User-Id` header, never
/// from the body.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DialogSubmission {
    #[serde(default)]
    pub callback_id: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub channel_id: String,
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub submission: Map<String, Value>,
    #[serde(default)]
    pub cancelled: bool,
}

/// An empty answer closes the dialog; errors keep it open and show them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DialogAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub errors: BTreeMap<String, String>,
}

impl DialogAnswer {
    pub fn close() -> Self {
        DialogAnswer::default()
    }

    pub fn general(text: String) -> Self {
        DialogAnswer {
            error: Some(text),
            errors: BTreeMap::new(),
        }
    }

    pub fn field(name: &str, text: String) -> Self {
        DialogAnswer {
            error: None,
            errors: BTreeMap::from([(name.to_string(), text)]),
        }
    }
}

/// A button click on a post.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ActionRequest {
    #[serde(default)]
    pub channel_id: String,
    #[serde(default)]
    pub team_id: String,
    #[serde(default)]
    pub post_id: String,
    /// Lets the plugin open a dialog (valid for a few seconds).
    #[serde(default)]
    pub trigger_id: String,
    #[serde(default)]
    pub context: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionAnswer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ephemeral_text: Option<String>,
}
