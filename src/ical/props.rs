//! Small accessors over the `icalendar` parser's generic component tree.

use icalendar::parser::{Component, Property};

pub(crate) fn all<'c, 'a>(
    comp: &'c Component<'a>,
    name: &'c str,
) -> impl Iterator<Item = &'c Property<'a>> + 'c {
    comp.properties
        .iter()
        .filter(move |p| p.name.as_str().eq_ignore_ascii_case(name))
}

pub(crate) fn first<'c, 'a>(comp: &'c Component<'a>, name: &str) -> Option<&'c Property<'a>> {
    comp.properties
        .iter()
        .find(|p| p.name.as_str().eq_ignore_ascii_case(name))
}

/// The raw value of the first `name` property, trimmed.
pub(crate) fn value(comp: &Component<'_>, name: &str) -> Option<String> {
    first(comp, name).map(|p| p.val.as_str().trim().to_string())
}

/// A TEXT value, unescaped (`\n`, `\,` …); empty values count as absent.
pub(crate) fn text(comp: &Component<'_>, name: &str) -> Option<String> {
    let p = first(comp, name)?;
    let s = p.val.clone().unescape_text().as_str().trim().to_string();
    (!s.is_empty()).then_some(s)
}

pub(crate) fn param(prop: &Property<'_>, key: &str) -> Option<String> {
    prop.params
        .iter()
        .find(|p| p.key.as_str().eq_ignore_ascii_case(key))
        .and_then(|p| p.val.as_ref())
        .map(|v| v.as_str().trim().trim_matches('"').to_string())
        .filter(|v| !v.is_empty())
}

/// A calendar address (`mailto:x@y`) as a lower-cased e-mail.
pub(crate) fn email(value: &str) -> String {
    let v = value.trim();
    let v = match v.get(..7) {
        Some(prefix) if prefix.eq_ignore_ascii_case("mailto:") => v.get(7..).unwrap_or(""),
        _ => v,
    };
    v.trim().to_lowercase()
}
