//! The scenario file of tests/conformance/README.md.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("scenario {at}: {message}")]
    Shape { at: String, message: String },
}

fn shape(at: impl Into<String>, message: impl Into<String>) -> ScenarioError {
    ScenarioError::Shape {
        at: at.into(),
        message: message.into(),
    }
}

/// One export call: `<interface>#<function>` and its arguments as JSON.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub name: String,
    pub args: Vec<Value>,
    /// The call must trap (the instance is then replaced).
    pub trap: bool,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Scenario {
    /// Per import `<interface>#<function>`, the answers in order (the last repeats).
    pub answers: BTreeMap<String, Vec<Value>>,
    pub calls: Vec<Call>,
}

impl Scenario {
    pub fn load(path: &Path) -> Result<Self, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let json: Value = serde_json::from_str(&text).map_err(|source| ScenarioError::Json {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&json)
    }

    pub fn from_json(json: &Value) -> Result<Self, ScenarioError> {
        let top = json
            .as_object()
            .ok_or_else(|| shape("$", "must be an object with `answers` and `calls`"))?;
        if let Some(k) = top.keys().find(|k| *k != "answers" && *k != "calls") {
            return Err(shape("$", format!("unknown key `{k}`")));
        }
        let mut answers = BTreeMap::new();
        if let Some(a) = top.get("answers") {
            let a = a
                .as_object()
                .ok_or_else(|| shape("$.answers", "must be an object"))?;
            for (name, list) in a {
                check_name(name, &format!("$.answers[{name:?}]"))?;
                let list = list.as_array().ok_or_else(|| {
                    shape(
                        format!("$.answers[{name:?}]"),
                        "must be an array of answers",
                    )
                })?;
                answers.insert(name.clone(), list.clone());
            }
        }
        let calls = top
            .get("calls")
            .and_then(Value::as_array)
            .ok_or_else(|| shape("$.calls", "must be an array"))?
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let at = format!("$.calls[{i}]");
                let name = c
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| shape(&at, "needs a string `name`"))?;
                check_name(name, &at)?;
                let args = c
                    .get("args")
                    .and_then(Value::as_array)
                    .ok_or_else(|| shape(&at, "needs an array `args`"))?;
                if let Some(k) = c.as_object().and_then(|o| {
                    o.keys()
                        .find(|k| !["name", "args", "trap"].contains(&k.as_str()))
                }) {
                    return Err(shape(&at, format!("unknown key `{k}`")));
                }
                let trap = match c.get("trap") {
                    None => false,
                    Some(t) => t
                        .as_bool()
                        .ok_or_else(|| shape(&at, "`trap` must be true or false"))?,
                };
                Ok(Call {
                    name: name.to_string(),
                    args: args.clone(),
                    trap,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Scenario { answers, calls })
    }
}

fn check_name(name: &str, at: &str) -> Result<(), ScenarioError> {
    match name.split_once('#') {
        Some((i, f)) if !i.is_empty() && !f.is_empty() => Ok(()),
        _ => Err(shape(
            at,
            format!("{name:?} is not of the form <interface>#<function>"),
        )),
    }
}
