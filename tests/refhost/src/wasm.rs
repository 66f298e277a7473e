//! What the core module imports and exports, read with `wasmparser`.

use anyhow::{Context, Result};
use wasmparser::{Parser, Payload};

/// `(module, name)` of every import of a core module.
pub fn core_imports(core: &[u8]) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(core) {
        if let Payload::ImportSection(reader) = payload.context("parsing the core module")? {
            for import in reader.into_imports() {
                let import = import.context("reading an import")?;
                out.push((import.module.to_string(), import.name.to_string()));
            }
        }
    }
    Ok(out)
}

/// Names of every export of a core module.
pub fn core_exports(core: &[u8]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(core) {
        if let Payload::ExportSection(reader) = payload.context("parsing the core module")? {
            for export in reader {
                out.push(export.context("reading an export")?.name.to_string());
            }
        }
    }
    Ok(out)
}
