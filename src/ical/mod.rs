//! iCalendar semantics: from the objects CalDAV sync brings to the meetings a person sees.
//!
//! Pure and I/O-free. Parsing never panics on outside input: a malformed object is
//! returned as a [`Skipped`] reason so the caller can log it through the host.

mod answer;
mod blocks;
mod event;
mod expand;
mod lines;
mod links;
mod me;
mod model;
mod props;
mod rule;
mod time;
mod windows_zones;
mod zones;

pub use answer::{partstat_token, set_my_answer, AnswerError, Target};
pub use event::{parse_calendar, ParsedCalendar};
pub use expand::{
    expand, expand_all, expand_series, ExpandOptions, SeriesExpansion, Window,
    DEFAULT_MAX_INSTANCES, NEXT_HORIZON_DAYS,
};
pub use links::video_link;
pub use me::Me;
pub use model::{
    Attendee, Event, Occurrence, Organizer, PartStat, PeriodEnd, RDate, Role, Series, Skipped,
    Span, Status,
};
pub use time::{localize, Time};

/// Parses a whole calendar (one or several VCALENDAR objects) and expands it in `window`
/// for a user in `user_tz`. This is the entry point timed by the benchmarks.
pub fn parse_and_expand(
    ics: &str,
    window: Window,
    user_tz: chrono_tz::Tz,
    me: &Me,
) -> (Vec<Occurrence>, Vec<Skipped>) {
    let parsed = parse_calendar(ics);
    let opts = ExpandOptions::new(window, user_tz);
    let (occurrences, mut skipped) = expand_all(&parsed.series, &opts, me);
    let mut all_skipped = parsed.skipped;
    all_skipped.append(&mut skipped);
    (occurrences, all_skipped)
}
