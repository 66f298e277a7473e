//! Splits a calendar text into its top-level components (VEVENT, VTIMEZONE, …).
//!
//! Each block is then parsed on its own, so one malformed VEVENT costs only itself and
//! not the whole calendar (the `icalendar` parser rejects a whole input on one bad line).

/// One top-level component, unfolded, with `\n` line ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// Upper-cased component name, e.g. `VEVENT`.
    pub kind: String,
    pub text: String,
    /// 1-based line (of the unfolded text) where the block begins.
    pub line: usize,
    /// Set when the block did not end properly; the text is then unusable.
    pub unterminated: bool,
}

/// A block's lines end in CRLF: the icalendar parser looks for "\r\n" first and, on bare
/// "\n" lines, searches the rest of the block for it at every property (measured: an eighth
/// of a first sync's CPU).
const CRLF: &str = "\r\n";

/// Normalises line ends and unfolds continuation lines (RFC 5545 §3.1).
pub(crate) fn unfold(ics: &str) -> String {
    let normalized = ics.replace("\r\n", "\n").replace('\r', "\n");
    icalendar::parser::unfold(&normalized)
}

fn begin_end(line: &str) -> Option<(bool, String)> {
    let (name, value) = line.split_once(':')?;
    let name = name.trim();
    let is_begin = name.eq_ignore_ascii_case("BEGIN");
    if !is_begin && !name.eq_ignore_ascii_case("END") {
        return None;
    }
    Some((is_begin, value.trim().to_ascii_uppercase()))
}

/// Returns the components found directly inside VCALENDAR (or at top level when the
/// input has no VCALENDAR wrapper).
pub(crate) fn split_blocks(ics: &str) -> Vec<Block> {
    let text = unfold(ics);
    let mut blocks = Vec::new();
    // Names of the open components *outside* the block being captured.
    let mut outer: Vec<String> = Vec::new();
    let mut current: Option<(Block, Vec<String>)> = None;

    for (idx, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end_matches([' ', '\t']);
        if line.is_empty() {
            continue;
        }
        let marker = begin_end(line);
        if let Some((mut block, mut stack)) = current.take() {
            block.text.push_str(line);
            block.text.push_str(CRLF);
            match marker {
                Some((true, name)) => stack.push(name),
                Some((false, name)) => {
                    let top = stack.pop();
                    if stack.is_empty() {
                        // A mismatched END is left for the parser to reject.
                        block.unterminated = top.as_deref() != Some(name.as_str());
                        blocks.push(block);
                        continue;
                    }
                }
                None => {}
            }
            current = Some((block, stack));
            continue;
        }
        match marker {
            Some((true, name)) if name == "VCALENDAR" => outer.push(name),
            Some((true, name)) => {
                let block = Block {
                    kind: name.clone(),
                    text: format!("{line}{CRLF}"),
                    line: idx + 1,
                    unterminated: false,
                };
                current = Some((block, vec![name]));
            }
            Some((false, _)) => {
                outer.pop();
            }
            None => {}
        }
    }
    if let Some((mut block, _)) = current {
        block.unterminated = true;
        blocks.push(block);
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_events_and_timezones_and_keeps_alarms_inside() {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTIMEZONE\r\nTZID:X\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:long\r\n  title\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nEND:VALARM\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let blocks = split_blocks(ics);
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].kind, "VTIMEZONE");
        assert_eq!(blocks[1].kind, "VEVENT");
        assert!(blocks[1].text.contains("SUMMARY:long title"));
        assert!(blocks[1].text.contains("END:VALARM"));
        assert!(!blocks[1].unterminated);
    }

    #[test]
    fn unterminated_block_is_flagged() {
        let blocks = split_blocks("BEGIN:VEVENT\nUID:a\n");
        assert_eq!(blocks.len(), 1);
        assert!(blocks[0].unterminated);
    }
}
