//! Change and answer messages from a snapshot diff: which changes a user is told about,
//! and their text.
//!
//! - Nothing about my own answers (`MyAnswerChanged`), nor about meetings I organize
//!   (I made those changes myself) — except the answers of their attendees.
//! - Nothing about a meeting already over (a series change is about what is ahead).
//! - Each item has a fingerprint — the stored snapshot it was found against and the change
//!   itself — that its claim is keyed by, so a change is told once even if two rounds
//!   found it; a later change that happens to look the same (moved back and forth) is told
//!   again.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::text::{starts, when};
use crate::agenda::render::markdown_text;
use crate::changes::{Change, ChangeDetail, Field, FieldChange};
use crate::i18n::{Changed, Locale, Msg, Scope};
use crate::ical::PartStat;
use crate::rsvp::Offer;
use crate::snapshot::{Meeting, SeriesState, Snapshot};
use crate::store::NotifyPrefs;

/// One line of a message, with the fingerprint its claim is keyed by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub fingerprint: String,
    pub line: String,
    /// An invitation: the meeting to offer Accept / Maybe / Decline for.
    pub offer: Option<Offer>,
}

/// What one round tells a user.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Told {
    /// Added, moved, changed, cancelled, series ended.
    pub changes: Vec<Item>,
    /// Answers of attendees to meetings I organize, grouped per meeting.
    pub answers: Vec<AnswerGroup>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnswerGroup {
    pub title: String,
    pub when: String,
    /// (who, answer, fingerprint)
    pub answers: Vec<(String, PartStat, String)>,
}

/// The meeting a change is about, as the new snapshot (or the last state of a deleted
/// series) has it.
fn meeting_of<'a>(snapshot: &'a Snapshot, c: &Change) -> Option<&'a Meeting> {
    let entry = snapshot.series.get(&c.uid)?;
    let view = match &entry.state {
        SeriesState::Active(v) => v,
        SeriesState::Gone { last } => last,
    };
    let all = || {
        view.previous
            .iter()
            .chain(view.meetings.iter())
            .chain(view.next.iter())
    };
    all()
        .find(|m| c.recurrence_id.is_some() && m.recurrence_id == c.recurrence_id)
        .or_else(|| all().find(|m| m.span == c.span))
        .or_else(|| all().next())
}

fn scope(c: &Change) -> Scope {
    if c.series {
        Scope::Series
    } else if c.recurrence_id.is_some() {
        Scope::Instance
    } else {
        Scope::Meeting
    }
}

fn over(c: &Change, tz: Tz, now: DateTime<Utc>) -> bool {
    !c.series && c.span.instants(tz).1 <= now
}

/// Sorts the changes of one round into what the user is told, per their settings.
pub fn tell(
    changes: &[Change],
    snapshot: &Snapshot,
    against: &str,
    prefs: &NotifyPrefs,
    locale: Locale,
    tz: Tz,
    now: DateTime<Utc>,
) -> Told {
    let mut told = Told::default();
    for c in changes {
        if over(c, tz, now) {
            continue;
        }
        let fingerprint = format!(
            "{against}|{}",
            serde_json::to_string(c).unwrap_or_else(|_| format!("{c:?}"))
        );
        let meeting = meeting_of(snapshot, c);
        let i_organize = meeting.is_some_and(|m| m.i_organize);
        let title = markdown_text(&c.summary);
        match &c.detail {
            ChangeDetail::MyAnswerChanged { .. } => {}
            ChangeDetail::AttendeeAnswered {
                email, name, new, ..
            } => {
                if !prefs.answers {
                    continue;
                }
                let who = markdown_text(name.as_deref().unwrap_or(email));
                let when = starts(locale, &c.span, tz);
                match told
                    .answers
                    .iter_mut()
                    .find(|g| g.title == title && g.when == when)
                {
                    Some(g) => g.answers.push((who, *new, fingerprint)),
                    None => told.answers.push(AnswerGroup {
                        title,
                        when,
                        answers: vec![(who, *new, fingerprint)],
                    }),
                }
            }
            detail => {
                if !prefs.changes || i_organize {
                    continue;
                }
                let line = change_line(locale, tz, c, detail, &title, meeting);
                let offer = match detail {
                    ChangeDetail::Added => meeting.and_then(Offer::from_meeting),
                    _ => None,
                };
                told.changes.push(Item {
                    fingerprint,
                    line,
                    offer,
                });
            }
        }
    }
    told
}

fn change_line(
    locale: Locale,
    tz: Tz,
    c: &Change,
    detail: &ChangeDetail,
    title: &str,
    meeting: Option<&Meeting>,
) -> String {
    let at = when(locale, &c.span, tz);
    let line = match detail {
        ChangeDetail::Added => {
            // Someone else organizes it and I am among the attendees.
            let invitation = meeting.is_some_and(|m| !m.i_organize && m.my_partstat.is_some());
            locale.t(Msg::ChangeAdded {
                title,
                when: &at,
                invitation,
                series: c.series,
            })
        }
        ChangeDetail::Cancelled => locale.t(Msg::ChangeCancelled {
            title,
            when: &at,
            scope: scope(c),
        }),
        ChangeDetail::Moved { old, new } => locale.t(Msg::ChangeMoved {
            title,
            old: &when(locale, old, tz),
            new: &when(locale, new, tz),
            scope: scope(c),
        }),
        ChangeDetail::Updated { fields } => {
            let texts: Vec<(Option<String>, Option<String>)> = fields
                .iter()
                .map(|f| {
                    (
                        f.old.as_deref().map(markdown_text),
                        f.new.as_deref().map(markdown_text),
                    )
                })
                .collect();
            let changed: Vec<Changed<'_>> = fields
                .iter()
                .zip(&texts)
                .map(|(f, (old, new))| field(f, old.as_deref(), new.as_deref()))
                .collect();
            locale.t(Msg::ChangeUpdated {
                title,
                when: &at,
                fields: &changed,
                scope: scope(c),
            })
        }
        ChangeDetail::SeriesEnded { last } => {
            let last = last.map(|l| locale.t(Msg::DayTime(l.with_timezone(&tz).naive_local())));
            locale.t(Msg::ChangeSeriesEnded {
                title,
                last: last.as_deref(),
            })
        }
        ChangeDetail::AttendeeAnswered { .. } | ChangeDetail::MyAnswerChanged { .. } => {
            String::new()
        }
    };
    format!("- {line}")
}

fn field<'a>(f: &FieldChange, old: Option<&'a str>, new: Option<&'a str>) -> Changed<'a> {
    match f.field {
        Field::Summary => Changed::Title {
            old: old.unwrap_or(""),
            new: new.unwrap_or(""),
        },
        Field::Location => Changed::Location { old, new },
        Field::Telemost => Changed::Telemost {
            removed: new.is_none(),
        },
        Field::Description => Changed::Description,
    }
}

/// The message of the changes told (one message for all of one round).
pub fn changes_message(locale: Locale, items: &[&Item]) -> String {
    let mut out = locale.t(Msg::ChangesHeading);
    for i in items {
        out.push('\n');
        out.push_str(&i.line);
    }
    out
}

/// The message of the answers told: one line for a meeting with one answer, a heading and
/// a line per answer for a meeting with several.
pub fn answers_message(locale: Locale, groups: &[(&AnswerGroup, Vec<usize>)]) -> String {
    let mut lines = Vec::new();
    for (g, which) in groups {
        match which.as_slice() {
            [one] => {
                let (who, answer, _) = &g.answers[*one];
                lines.push(locale.t(Msg::AnswerLine {
                    who,
                    answer: *answer,
                    title: &g.title,
                    when: &g.when,
                }));
            }
            many => {
                lines.push(locale.t(Msg::AnswersHeading {
                    title: &g.title,
                    when: &g.when,
                }));
                for i in many {
                    let (who, answer, _) = &g.answers[*i];
                    lines.push(locale.t(Msg::AnswerItem {
                        who,
                        answer: *answer,
                    }));
                }
            }
        }
    }
    lines.join("\n")
}
