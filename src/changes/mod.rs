//! What changed for a person between two snapshots of their meetings.

mod collapse;
mod diff;
mod instances;
mod meeting;
mod model;

pub use diff::diff;
pub use model::{Change, ChangeDetail, Field, FieldChange};
