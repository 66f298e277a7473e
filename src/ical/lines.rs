//! A calendar text as content lines that keep their exact bytes, for edits that must leave
//! everything they do not touch as it was (an answer to an invitation changes one
//! parameter of one line; the organizer's fields, other attendees and unknown properties
//! go back to the server byte for byte).
//!
//! The `icalendar` parser reads values but forgets the bytes (folding, quoting, line
//! ends), and its writer drops the quotes of quoted parameters (`CN="Petrov, Ivan"`), so
//! edits are made here on the text, and the parser only reads what a block means.

/// One content line: its physical lines as they were, and the line unfolded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// The exact bytes, folds and line ends included.
    pub raw: &'a str,
    /// Unfolded, without the line end.
    pub text: String,
}

impl Line<'_> {
    /// The property name, upper-cased (`ATTENDEE`, `BEGIN` …).
    pub fn name(&self) -> String {
        let end = self.text.find([';', ':']).unwrap_or(self.text.len());
        self.text[..end].trim().to_ascii_uppercase()
    }

    /// The value after the first unquoted colon.
    pub fn value(&self) -> Option<&str> {
        split(&self.text).map(|s| &self.text[s.colon + 1..])
    }

    /// For `BEGIN:X` / `END:X`: whether it begins, and the component name upper-cased.
    pub fn begin_end(&self) -> Option<(bool, String)> {
        let name = self.name();
        let begin = name == "BEGIN";
        if !begin && name != "END" {
            return None;
        }
        Some((begin, self.value()?.trim().to_ascii_uppercase()))
    }
}

/// Splits a calendar text into content lines. Line ends (`\r\n` or `\n`) stay in `raw`.
pub(crate) fn lines(ics: &str) -> Vec<Line<'_>> {
    let mut out: Vec<Line<'_>> = Vec::new();
    let mut start = 0;
    for physical in ics.split_inclusive('\n') {
        let end = start + physical.len();
        let content = physical.trim_end_matches(['\r', '\n']);
        match (content.strip_prefix([' ', '\t']), out.last_mut()) {
            (Some(rest), Some(last)) => {
                last.raw = &ics[start - last.raw.len()..end];
                last.text.push_str(rest);
            }
            _ => out.push(Line {
                raw: &ics[start..end],
                text: content.to_string(),
            }),
        }
        start = end;
    }
    out
}

/// The line end the text uses (`\r\n` as RFC 5545 says, unless it uses bare `\n`).
pub(crate) fn line_end(ics: &str) -> &'static str {
    if ics.contains("\r\n") || !ics.contains('\n') {
        "\r\n"
    } else {
        "\n"
    }
}

/// A content line folded at 75 octets (RFC 5545 §3.1), never inside a character, ended.
pub(crate) fn fold(text: &str, eol: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 70 * 3 + 2);
    let mut rest = text;
    let mut limit = 75;
    while rest.len() > limit {
        let mut cut = limit;
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        out.push_str(&rest[..cut]);
        out.push_str(eol);
        out.push(' ');
        rest = &rest[cut..];
        // The leading space counts.
        limit = 74;
    }
    out.push_str(rest);
    out.push_str(eol);
    out
}

/// Where the parts of a content line are: each parameter's name and value, and the colon
/// before the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parts {
    /// (name, value) byte ranges of each parameter; the value includes its quotes.
    pub params: Vec<(std::ops::Range<usize>, std::ops::Range<usize>)>,
    pub colon: usize,
}

/// Finds the parameters and the value of an unfolded line, honouring quoted parameter
/// values (which may hold `;`, `:` and `,`). `None` when the line is malformed.
pub(crate) fn split(text: &str) -> Option<Parts> {
    let bytes = text.as_bytes();
    let mut i = text.find([';', ':'])?;
    let mut params = Vec::new();
    loop {
        match bytes.get(i)? {
            b':' => return Some(Parts { params, colon: i }),
            b';' => {
                let key_start = i + 1;
                let eq = key_start + text[key_start..].find(['=', ':', ';'])?;
                if bytes[eq] != b'=' {
                    return None;
                }
                let value_start = eq + 1;
                let mut j = value_start;
                // value *("," value), each quoted or bare.
                loop {
                    if bytes.get(j) == Some(&b'"') {
                        j += 1 + text[j + 1..].find('"')? + 1;
                    } else {
                        j += text[j..].find([',', ';', ':']).unwrap_or(text.len() - j);
                    }
                    if bytes.get(j) == Some(&b',') {
                        j += 1;
                        continue;
                    }
                    break;
                }
                params.push((key_start..eq, value_start..j));
                i = j;
            }
            _ => return None,
        }
    }
}

/// The first value of parameter `key`, without quotes.
pub(crate) fn param<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let parts = split(text)?;
    parts
        .params
        .iter()
        .find(|(k, _)| text[k.clone()].trim().eq_ignore_ascii_case(key))
        .map(|(_, v)| text[v.clone()].trim_matches('"'))
}

/// The line with parameter `key` set to `value` (replaced where it is, else added last);
/// `None` when the line is malformed.
pub(crate) fn with_param(text: &str, key: &str, value: &str) -> Option<String> {
    let parts = split(text)?;
    let found = parts
        .params
        .iter()
        .find(|(k, _)| text[k.clone()].trim().eq_ignore_ascii_case(key));
    Some(match found {
        Some((_, v)) => format!("{}{value}{}", &text[..v.start], &text[v.end..]),
        None => format!(
            "{};{key}={value}{}",
            &text[..parts.colon],
            &text[parts.colon..]
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_keep_their_bytes_and_unfold() {
        let ics = "BEGIN:VEVENT\r\nSUMMARY:a long\r\n  title\r\nUID:x\nEND:VEVENT";
        let l = lines(ics);
        assert_eq!(l.len(), 4);
        assert_eq!(l[1].raw, "SUMMARY:a long\r\n  title\r\n");
        assert_eq!(l[1].text, "SUMMARY:a long title");
        assert_eq!(l[2].raw, "UID:x\n");
        assert_eq!(l[3].raw, "END:VEVENT");
        assert_eq!(l.iter().map(|l| l.raw).collect::<String>(), ics);
        assert_eq!(l[0].begin_end(), Some((true, "VEVENT".into())));
    }

    #[test]
    fn quoted_parameters_are_one_value() {
        let t =
            r#"ATTENDEE;CN="Petrov, Ivan: CTO";PARTSTAT=NEEDS-ACTION;X-A="a","b":mailto:i@x.ru"#;
        let p = split(t).unwrap();
        assert_eq!(p.params.len(), 3);
        assert_eq!(&t[p.params[0].1.clone()], "\"Petrov, Ivan: CTO\"");
        assert_eq!(&t[p.colon + 1..], "mailto:i@x.ru");
        assert_eq!(param(t, "partstat"), Some("NEEDS-ACTION"));
        assert_eq!(
            with_param(t, "PARTSTAT", "ACCEPTED").unwrap(),
            r#"ATTENDEE;CN="Petrov, Ivan: CTO";PARTSTAT=ACCEPTED;X-A="a","b":mailto:i@x.ru"#
        );
        assert_eq!(
            with_param("ATTENDEE;CN=Ivan:mailto:i@x.ru", "PARTSTAT", "DECLINED").unwrap(),
            "ATTENDEE;CN=Ivan;PARTSTAT=DECLINED:mailto:i@x.ru"
        );
        assert_eq!(split("ATTENDEE;CN=\"open:mailto:x"), None);
        assert_eq!(split("ATTENDEE;CN:mailto:x"), None);
    }

    #[test]
    fn folding_counts_octets_and_keeps_characters_whole() {
        let text = format!("SUMMARY:{}", "Планёрка ".repeat(20));
        let folded = fold(&text, "\r\n");
        for l in folded.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(l.len() <= 75, "{l:?}");
        }
        assert_eq!(lines(&folded)[0].text, text);
        assert_eq!(fold("UID:x", "\n"), "UID:x\n");
    }
}
