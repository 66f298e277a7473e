//! What changed between two versions of one meeting: time, title, place, links, answers.

use chrono_tz::Tz;

use super::diff::{change, Ctx};
use super::model::{Change, ChangeDetail, Field, FieldChange};
use crate::ical::Span;
use crate::snapshot::{Meeting, SeriesView};

impl Ctx {
    pub(super) fn compare_meetings(
        &self,
        o: &Meeting,
        n: &Meeting,
        ov: &SeriesView,
        nv: &SeriesView,
    ) -> Vec<Change> {
        let mut out = Vec::new();
        // A floating meeting is at the same wall-clock time in whatever zone the user is:
        // a change of the user's zone does not move it.
        let same_clock = ov.floating
            && nv.floating
            && self.old_tz != self.tz
            && wall_clock(&o.span, self.old_tz) == wall_clock(&n.span, self.tz);
        if o.span != n.span && !same_clock {
            out.push(change(
                n,
                ChangeDetail::Moved {
                    old: o.span,
                    new: n.span,
                },
            ));
        }
        let mut fields = Vec::new();
        let mut field = |field, old: Option<&String>, new: Option<&String>| {
            if old != new {
                fields.push(FieldChange {
                    field,
                    old: old.cloned(),
                    new: new.cloned(),
                });
            }
        };
        field(Field::Summary, Some(&o.summary), Some(&n.summary));
        field(Field::Location, o.location.as_ref(), n.location.as_ref());
        field(Field::Telemost, o.telemost.as_ref(), n.telemost.as_ref());
        if o.description_hash != n.description_hash {
            fields.push(FieldChange {
                field: Field::Description,
                old: None,
                new: None,
            });
        }
        if !fields.is_empty() {
            out.push(change(n, ChangeDetail::Updated { fields }));
        }
        if o.my_partstat != n.my_partstat {
            out.push(change(
                n,
                ChangeDetail::MyAnswerChanged {
                    old: o.my_partstat,
                    new: n.my_partstat,
                },
            ));
        }
        if n.i_organize {
            for a in n.attendees.iter().filter(|a| !a.me) {
                let before = o
                    .attendees
                    .iter()
                    .find(|b| b.email == a.email)
                    .map(|b| b.partstat);
                // A newly invited attendee who has not answered is not an answer.
                let unanswered_newcomer =
                    before.is_none() && a.partstat == crate::ical::PartStat::NeedsAction;
                if before != Some(a.partstat) && !unanswered_newcomer {
                    out.push(change(
                        n,
                        ChangeDetail::AttendeeAnswered {
                            email: a.email.clone(),
                            name: a.name.clone(),
                            old: before,
                            new: a.partstat,
                        },
                    ));
                }
            }
        }
        out
    }
}

fn wall_clock(span: &Span, tz: Tz) -> (chrono::NaiveDateTime, chrono::NaiveDateTime) {
    let (s, e) = span.instants(tz);
    (
        s.with_timezone(&tz).naive_local(),
        e.with_timezone(&tz).naive_local(),
    )
}
