//! Answering invitations from Mattermost: **Accept**, **Maybe** and **Decline** on the
//! invitation and reminder messages of meetings I am invited to (not those I organize).
//!
//! - **Offering** ([`post_with_offers`]): the message gets one attachment per meeting it
//!   offers to answer, with my current answer and the buttons to give or change it. The
//!   host cannot read a post back and `update-post` replaces it whole, so what the message
//!   says and offers is kept as an [`AnswerCard`] under the post's id (with an expiry).
//! - **A click** ([`clicked`], `POST /actions/answer`, the user from the header the server
//!   sets): for a recurring meeting the message first asks "only this one, or the whole
//!   series?" (the same post, redrawn); then the answer is saved ([`save`]) and the message
//!   redrawn with it. Any failure leaves the message as it was and says why, in the user's
//!   language, as an ephemeral answer to the click.
//! - **Saving** ([`save::answer`]): the object is found by the meeting's UID (through the
//!   snapshot, else the stored bodies), read fresh, edited ([`crate::ical::set_my_answer`])
//!   and written back with `If-Match` ([`crate::caldav::update_object`]). The answer is
//!   then written into the user's stored snapshot and plan, so the change engine sees it
//!   as known (no message about my own answer; a declined meeting that Yandex then hides
//!   from my calendar is not "cancelled") and a declined meeting is not reminded.

pub mod card;
pub mod save;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::account::{self, Person};
use crate::agenda::render::markdown_text;
use crate::bindings::types::{LogLevel, MmError, Post};
use crate::host::Host;
use crate::http::mattermost::{ActionAnswer, ActionRequest};
use crate::i18n::Msg;
use crate::ical::{PartStat, Span, Target};
use crate::notify::Upcoming;
use crate::snapshot::Meeting;
use crate::store::{AnswerCard, Problem};

/// Where the buttons post their clicks (below the plugin's HTTP root).
pub const ACTION_URL: &str = "/actions/answer";

/// What an answer given from a message covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Covered {
    /// A single meeting, or an answer known from the server (its reach unknown).
    Meeting,
    /// One meeting of a series.
    Instance,
    /// The whole series.
    Series,
}

/// One meeting a message offers to answer, and where the answer stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Offer {
    pub uid: String,
    /// The meeting the message is about, within its series.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rid: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub recurring: bool,
    pub span: Span,
    /// Markdown-safe.
    pub title: String,
    /// My answer as last known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answer: Option<PartStat>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub covered: Option<Covered>,
    /// An answer waiting for "only this one, or the whole series?".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asking: Option<PartStat>,
}

impl Offer {
    /// The reminded meeting, if I am invited to it (and do not organize it).
    pub fn from_upcoming(m: &Upcoming) -> Option<Offer> {
        (!m.i_organize && m.my_answer.is_some()).then(|| Offer {
            uid: m.uid.clone(),
            rid: m.rid.clone(),
            recurring: m.rid.is_some(),
            span: m.span,
            title: markdown_text(&m.summary),
            answer: m.my_answer,
            covered: None,
            asking: None,
        })
    }

    /// The first meeting of an invitation.
    pub fn from_meeting(m: &Meeting) -> Option<Offer> {
        (!m.i_organize && m.my_partstat.is_some()).then(|| Offer {
            uid: m.uid.clone(),
            rid: m.recurrence_id.clone(),
            recurring: m.recurring,
            span: m.span,
            title: markdown_text(&m.summary),
            answer: m.my_partstat,
            covered: None,
            asking: None,
        })
    }
}

/// Why an answer was not saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The message's record is gone (expired) or the click does not fit it.
    Expired,
    /// The meeting is not in the user's calendar any more.
    Gone,
    NotInvited,
    Organizer,
    /// Changed on the server twice while saving.
    Conflict,
    /// The stored object cannot be read or edited.
    Unreadable,
    Problem(Problem),
}

/// Posts `post` to the user with answer buttons for `offers` (none: a plain message), and
/// keeps what redraws it. Returns the post id.
pub fn post_with_offers(
    host: &impl Host,
    person: &Person,
    mut post: Post,
    offers: Vec<Offer>,
    now_ms: i64,
) -> Result<String, MmError> {
    if offers.is_empty() {
        return host.dm_post(&person.user_id, &post);
    }
    let card = AnswerCard {
        message: post.message.clone(),
        props: post
            .props
            .iter()
            .map(|p| (p.key.clone(), p.value.clone()))
            .collect(),
        offers,
    };
    post.attachments = card::attachments(person.locale, person.tz, &card);
    let id = host.dm_post(&person.user_id, &post)?;
    if let Err(e) = card::keep(host, &person.user_id, &id, &card, now_ms) {
        // The buttons then answer "too old": the message itself is there.
        host.log(
            LogLevel::Warn,
            &format!("answer card of post {id} not stored: {e}"),
        );
    }
    Ok(id)
}

/// A click on an answer button.
pub fn clicked(host: &impl Host, user_id: &str, request: &ActionRequest) -> ActionAnswer {
    let (account, person) = match account::connected(host, user_id) {
        Ok(found) => found,
        Err(text) => return say(text),
    };
    let failed = |f: Failure| say(person.locale.t(Msg::AnswerFailed(f)));
    let Some(click) = card::Click::from_context(&request.context) else {
        return failed(Failure::Expired);
    };
    let mut card = match card::load(host, user_id, &request.post_id) {
        Ok(Some(c)) => c,
        Ok(None) => return failed(Failure::Expired),
        Err(e) => {
            host.log(LogLevel::Error, &format!("answer card: {e}"));
            return failed(Failure::Problem(Problem::Storage));
        }
    };
    let Some(offer) = card.offers.get_mut(click.offer()) else {
        return failed(Failure::Expired);
    };
    match click {
        card::Click::Back { .. } => offer.asking = None,
        card::Click::Answer {
            answer,
            which: None,
            ..
        } if offer.recurring => offer.asking = Some(answer),
        card::Click::Answer { answer, which, .. } => {
            let one = which == Some(card::Which::One) && offer.recurring;
            let target = match (&offer.rid, one) {
                (Some(rid), true) => Target::Instance(rid),
                _ => Target::Series,
            };
            if let Err(f) = save::answer(host, &account, &person, &offer.uid, target, answer) {
                return failed(f);
            }
            offer.answer = Some(answer);
            offer.asking = None;
            offer.covered = Some(match (offer.recurring, target) {
                (false, _) => Covered::Meeting,
                (true, Target::Instance(_)) => Covered::Instance,
                (true, Target::Series) => Covered::Series,
            });
        }
    }
    if let Err(e) = card::keep(host, user_id, &request.post_id, &card, host.now_ms()) {
        host.log(LogLevel::Warn, &format!("answer card not updated: {e}"));
    }
    let post = card::post(person.locale, person.tz, &card);
    if let Err(e) = host.update_post(&request.post_id, &post) {
        host.log(
            LogLevel::Warn,
            &format!(
                "post {} not redrawn ({}): {}",
                request.post_id, e.status, e.message
            ),
        );
    }
    ActionAnswer::default()
}

fn say(text: String) -> ActionAnswer {
    ActionAnswer {
        ephemeral_text: Some(text),
    }
}
