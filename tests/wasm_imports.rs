//! The core module imports only the WIT host interface and WASI preview 1, never
//! wasm-bindgen. Reads the release module if it was built
//! (`cargo build --target wasm32-wasip1 --release --lib`); skips otherwise.

fn leb(bytes: &[u8], pos: &mut usize) -> Option<u64> {
    let mut result = 0u64;
    let mut shift = 0;
    loop {
        let b = *bytes.get(*pos)?;
        *pos += 1;
        result |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Some(result);
        }
        shift += 7;
        if shift > 63 {
            return None;
        }
    }
}

fn name(bytes: &[u8], pos: &mut usize) -> Option<String> {
    let len = usize::try_from(leb(bytes, pos)?).ok()?;
    let s = bytes.get(*pos..*pos + len)?;
    *pos += len;
    Some(String::from_utf8_lossy(s).into_owned())
}

/// Module names of the import section.
fn import_modules(wasm: &[u8]) -> Option<Vec<String>> {
    let mut pos = 8;
    while pos < wasm.len() {
        let id = *wasm.get(pos)?;
        pos += 1;
        let size = usize::try_from(leb(wasm, &mut pos)?).ok()?;
        let end = pos + size;
        if id == 2 {
            let mut p = pos;
            let count = leb(wasm, &mut p)?;
            let mut out = Vec::new();
            for _ in 0..count {
                out.push(name(wasm, &mut p)?);
                let _field = name(wasm, &mut p)?;
                match *wasm.get(p)? {
                    0 => {
                        p += 1;
                        leb(wasm, &mut p)?;
                    }
                    1 => {
                        p += 2;
                        let flags = leb(wasm, &mut p)?;
                        leb(wasm, &mut p)?;
                        if flags & 1 == 1 {
                            leb(wasm, &mut p)?;
                        }
                    }
                    2 => {
                        p += 1;
                        let flags = leb(wasm, &mut p)?;
                        leb(wasm, &mut p)?;
                        if flags & 1 == 1 {
                            leb(wasm, &mut p)?;
                        }
                    }
                    3 => p += 3,
                    _ => return None,
                }
            }
            out.sort();
            out.dedup();
            return Some(out);
        }
        pos = end;
    }
    Some(Vec::new())
}

#[test]
fn release_module_imports_no_wasm_bindgen() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/target/wasm32-wasip1/release/yandex_calendar.wasm"
    );
    let Ok(wasm) = std::fs::read(path) else {
        eprintln!("{path} not built; skipping");
        return;
    };
    let modules = import_modules(&wasm).expect("a well-formed module");
    eprintln!("import modules: {modules:?}");
    assert!(
        modules.iter().all(|m| !m.contains("wbindgen")),
        "{modules:?}"
    );
    assert!(
        modules
            .iter()
            .all(|m| m.starts_with("wasi_snapshot_preview1")
                || m.starts_with("yandex")
                || m.contains(':')),
        "{modules:?}"
    );
}
