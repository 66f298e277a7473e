//! The reference host of the conformance test (tests/conformance/README.md): the
//! component run by wasmtime, which implements the Component Model fully, so that the Go
//! shim's hand-written Canonical ABI can be compared with it transcript for transcript.

pub mod host;
pub mod json;
pub mod scenario;
pub mod wasm;

pub use host::{bench, run_scenario, BenchReport, RefHost};
pub use scenario::Scenario;
