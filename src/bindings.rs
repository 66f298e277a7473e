//! Rust types and import stubs generated from `wit/`. The types are used on every target;
//! the imports only work inside a wasm host (natively they are never called: the logic
//! goes through [`crate::host::Host`]). With the `abi-probe` feature the world also exports
//! the hosts' test probes.

#[cfg(not(feature = "abi-probe"))]
wit_bindgen::generate!({
    world: "plugin",
    path: "wit",
    pub_export_macro: true,
    generate_all,
    additional_derives: [PartialEq],
});

#[cfg(feature = "abi-probe")]
wit_bindgen::generate!({
    world: "plugin-probe",
    path: "wit",
    pub_export_macro: true,
    generate_all,
    additional_derives: [PartialEq],
});

pub use yandex::calendar::types;
