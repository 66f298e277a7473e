//! From a command line to an [`Action`] with its arguments, or a reason it is not one.

use super::tree::{self, Action, Sub, GROUPS, INFO, SHORTCUTS, TRIGGER};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    pub action: Action,
    pub args: Vec<String>,
}

/// What was wrong with a command line; each case becomes a localised message with a hint.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("unknown command {word:?}")]
    UnknownCommand {
        word: String,
        suggestion: Option<String>,
    },
    #[error("unknown subcommand {word:?} of {group}")]
    UnknownSubcommand {
        group: &'static str,
        word: String,
        suggestion: Option<String>,
    },
    #[error("{group} needs a subcommand")]
    MissingSubcommand { group: &'static str },
    #[error("wrong number of arguments, usage: {usage}")]
    WrongArguments { usage: String, given: usize },
}

/// Parses "/yandex_calendar calendars today", "/yandex_calendar today", "/yandex_calendar".
pub fn parse(command_line: &str) -> Result<Invocation, ParseError> {
    let mut words = command_line.split_whitespace().peekable();
    if words
        .peek()
        .is_some_and(|w| w.trim_start_matches('/') == TRIGGER)
    {
        words.next();
    }
    let words: Vec<&str> = words.collect();
    let Some((first, rest)) = words.split_first() else {
        return Ok(Invocation {
            action: Action::Info,
            args: Vec::new(),
        });
    };
    let first = first.to_lowercase();
    if INFO.matches(&first) {
        return finish("", &INFO, rest);
    }
    if let Some(group) = tree::group(&first) {
        let Some((sub_word, args)) = rest.split_first() else {
            return Err(ParseError::MissingSubcommand { group: group.name });
        };
        let sub_word = sub_word.to_lowercase();
        return match group.subs.iter().find(|s| s.matches(&sub_word)) {
            Some(sub) => finish(group.name, sub, args),
            None => Err(ParseError::UnknownSubcommand {
                group: group.name,
                suggestion: closest(&sub_word, group.subs.iter().flat_map(sub_words)),
                word: sub_word,
            }),
        };
    }
    if let Some((_, group_name, sub_name)) = SHORTCUTS.iter().find(|(short, _, _)| *short == first)
    {
        let sub = tree::group(group_name).and_then(|g| g.subs.iter().find(|s| s.name == *sub_name));
        if let Some(sub) = sub {
            return finish(group_name, sub, rest);
        }
    }
    Err(ParseError::UnknownCommand {
        suggestion: closest(&first, top_level_words()),
        word: first,
    })
}

fn finish(group: &str, sub: &Sub, args: &[&str]) -> Result<Invocation, ParseError> {
    if args.len() != sub.args.len() {
        return Err(ParseError::WrongArguments {
            usage: usage(group, sub),
            given: args.len(),
        });
    }
    Ok(Invocation {
        action: sub.action,
        args: args.iter().map(|a| a.to_string()).collect(),
    })
}

/// "/yandex_calendar calendars from_to <from> <to>"
pub fn usage(group: &str, sub: &Sub) -> String {
    let mut out = format!("/{TRIGGER}");
    for part in [group, sub.name] {
        if !part.is_empty() {
            out.push(' ');
            out.push_str(part);
        }
    }
    for arg in sub.args {
        out.push(' ');
        out.push_str(arg.hint);
    }
    out
}

fn sub_words(sub: &'static Sub) -> impl Iterator<Item = &'static str> {
    std::iter::once(sub.name).chain(sub.aliases.iter().copied())
}

fn top_level_words() -> impl Iterator<Item = &'static str> {
    GROUPS
        .iter()
        .map(|g| g.name)
        .chain(SHORTCUTS.iter().map(|(s, _, _)| *s))
        .chain(sub_words(&INFO))
}

/// The known word nearest to a typo, if it is near enough to be what was meant.
fn closest(word: &str, candidates: impl Iterator<Item = &'static str>) -> Option<String> {
    let limit = (word.chars().count() / 3).clamp(1, 3);
    candidates
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Optimal-string-alignment distance: a swapped pair of letters ("todya") counts as one typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn action(line: &str) -> Action {
        parse(line).expect(line).action
    }

    #[test]
    fn full_tree_and_shortcuts() {
        assert_eq!(action("/yandex_calendar"), Action::Info);
        assert_eq!(action("/yandex_calendar info"), Action::Info);
        assert_eq!(action("/yandex_calendar help"), Action::Info);
        assert_eq!(
            action("/yandex_calendar calendars today"),
            Action::AgendaToday
        );
        assert_eq!(action("/yandex_calendar today"), Action::AgendaToday);
        assert_eq!(
            action("/yandex_calendar  Calendars   TODAY "),
            Action::AgendaToday
        );
        assert_eq!(action("/yandex_calendar cal week"), Action::AgendaWeek);
        assert_eq!(
            action("/yandex_calendar checks check_scheduler"),
            Action::CheckScheduler
        );
        assert_eq!(
            action("/yandex_calendar connections profile"),
            Action::Profile
        );
        assert_eq!(
            action("/yandex_calendar notifications delete"),
            Action::NotificationsDelete
        );
        let inv = parse("/yandex_calendar calendars from_to 2026-12-01 2026-12-05").unwrap();
        assert_eq!(inv.action, Action::AgendaRange);
        assert_eq!(inv.args, vec!["2026-12-01", "2026-12-05"]);
    }

    #[test]
    fn every_subcommand_parses_by_name_and_alias() {
        for group in GROUPS {
            for sub in group.subs {
                let args = vec!["x"; sub.args.len()].join(" ");
                for word in sub_words(sub) {
                    let line = format!("/yandex_calendar {} {word} {args}", group.name);
                    assert_eq!(action(&line), sub.action, "{line}");
                }
            }
        }
    }

    #[test]
    fn typos_get_a_suggestion() {
        match parse("/yandex_calendar todya") {
            Err(ParseError::UnknownCommand { word, suggestion }) => {
                assert_eq!(word, "todya");
                assert_eq!(suggestion.as_deref(), Some("today"));
            }
            other => panic!("{other:?}"),
        }
        match parse("/yandex_calendar calendars get_a_wek") {
            Err(ParseError::UnknownSubcommand { suggestion, .. }) => {
                assert_eq!(suggestion.as_deref(), Some("get_a_week"))
            }
            other => panic!("{other:?}"),
        }
        match parse("/yandex_calendar zzzzzzzz") {
            Err(ParseError::UnknownCommand { suggestion, .. }) => assert_eq!(suggestion, None),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn missing_pieces_are_reported() {
        assert_eq!(
            parse("/yandex_calendar checks"),
            Err(ParseError::MissingSubcommand { group: "checks" })
        );
        match parse("/yandex_calendar calendars from_to 2026-12-01") {
            Err(ParseError::WrongArguments { usage, given }) => {
                assert_eq!(usage, "/yandex_calendar calendars from_to <from> <to>");
                assert_eq!(given, 1);
            }
            other => panic!("{other:?}"),
        }
    }
}
