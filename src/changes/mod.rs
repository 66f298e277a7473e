//! What changed for a person between two snapshots of their meetings.
//!
//! `diff(Baseline::Previous(&old), &new)` gives typed [`Change`]s, one per series change
//! (not one per instance). `diff(Baseline::FirstSync, …)` gives none. A meeting is reported
//! cancelled only on positive evidence; see `diff.rs` and `instances.rs` for the rules.

mod collapse;
mod diff;
mod instances;
mod meeting;
mod model;

pub use diff::diff;
pub use model::{Change, ChangeDetail, Field, FieldChange};
