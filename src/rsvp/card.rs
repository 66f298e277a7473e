//! The answer part of a message: one attachment per meeting offered, its buttons, what a
//! click carries, and the stored [`AnswerCard`] the message is redrawn from.

use chrono::{Duration, Utc};
use chrono_tz::Tz;
use serde_json::{Map, Value};

use super::{Covered, Offer, ACTION_URL};
use crate::bindings::types::{Action, Attachment, ButtonStyle, Post, Prop};
use crate::host::Host;
use crate::i18n::{Locale, Msg, Scope};
use crate::ical::PartStat;
use crate::notify::text::starts;
use crate::store::{keys, record, AnswerCard, StoreError};

/// The answers a message offers, in button order.
const ANSWERS: [PartStat; 3] = [PartStat::Accepted, PartStat::Tentative, PartStat::Declined];

/// Which part of a series an answer is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    One,
    All,
}

/// What a button does, as its context carries it (strings: Mattermost keeps the context
/// with the post and posts it back with the click).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Click {
    /// `which: None` on a recurring meeting asks first.
    Answer {
        offer: usize,
        answer: PartStat,
        which: Option<Which>,
    },
    /// Leave the question unanswered.
    Back { offer: usize },
}

fn word(a: PartStat) -> Option<&'static str> {
    match a {
        PartStat::Accepted => Some("accept"),
        PartStat::Tentative => Some("maybe"),
        PartStat::Declined => Some("decline"),
        PartStat::NeedsAction | PartStat::Delegated => None,
    }
}

fn from_word(w: &str) -> Option<PartStat> {
    ANSWERS.into_iter().find(|a| word(*a) == Some(w))
}

impl Click {
    pub fn offer(&self) -> usize {
        match *self {
            Click::Answer { offer, .. } | Click::Back { offer } => offer,
        }
    }

    /// The button's id: letters and digits only (Mattermost's route for clicks takes no
    /// other), unique within the post.
    fn id(&self) -> String {
        match *self {
            Click::Answer {
                offer,
                answer,
                which,
            } => format!(
                "{}{}{offer}",
                word(answer).unwrap_or("answer"),
                match which {
                    None => "",
                    Some(Which::One) => "one",
                    Some(Which::All) => "all",
                }
            ),
            Click::Back { offer } => format!("back{offer}"),
        }
    }

    fn context(&self) -> Vec<Prop> {
        let prop = |k: &str, v: &str| Prop {
            key: k.into(),
            value: v.into(),
        };
        match *self {
            Click::Answer {
                offer,
                answer,
                which,
            } => {
                let mut c = vec![
                    prop("offer", &offer.to_string()),
                    prop("answer", word(answer).unwrap_or("")),
                ];
                if let Some(w) = which {
                    c.push(prop(
                        "which",
                        match w {
                            Which::One => "one",
                            Which::All => "all",
                        },
                    ));
                }
                c
            }
            Click::Back { offer } => vec![prop("offer", &offer.to_string()), prop("back", "1")],
        }
    }

    /// The click a button's context describes; `None` for anything else.
    pub fn from_context(context: &Map<String, Value>) -> Option<Click> {
        let text = |k: &str| context.get(k).and_then(Value::as_str);
        let offer: usize = text("offer")?.parse().ok()?;
        if text("back").is_some() {
            return Some(Click::Back { offer });
        }
        let answer = from_word(text("answer")?)?;
        let which = match text("which") {
            None => None,
            Some("one") => Some(Which::One),
            Some("all") => Some(Which::All),
            Some(_) => return None,
        };
        Some(Click::Answer {
            offer,
            answer,
            which,
        })
    }

    fn button(&self, label: String, style: ButtonStyle) -> Action {
        Action {
            id: self.id(),
            label,
            style,
            url: ACTION_URL.into(),
            context: self.context(),
        }
    }
}

fn style(a: PartStat) -> ButtonStyle {
    match a {
        PartStat::Accepted => ButtonStyle::Success,
        PartStat::Declined => ButtonStyle::Danger,
        _ => ButtonStyle::Default,
    }
}

/// One attachment per offer: my answer (or the question) and the buttons.
pub fn attachments(locale: Locale, tz: Tz, card: &AnswerCard) -> Vec<Attachment> {
    let titled = card.offers.len() > 1;
    card.offers
        .iter()
        .enumerate()
        .map(|(i, o)| attachment(locale, tz, i, o, titled))
        .collect()
}

fn attachment(locale: Locale, tz: Tz, i: usize, o: &Offer, titled: bool) -> Attachment {
    let title = titled.then_some(o.title.as_str());
    let when = starts(locale, &o.span, tz);
    let answer_button = |a: PartStat, which| {
        Click::Answer {
            offer: i,
            answer: a,
            which,
        }
        .button(locale.t(Msg::AnswerButton(a)), style(a))
    };
    let (text, actions) = match (o.asking, o.answer) {
        (Some(a), _) => (
            locale.t(Msg::AnswerWhich {
                title,
                answer: a,
                when: &when,
            }),
            vec![
                Click::Answer {
                    offer: i,
                    answer: a,
                    which: Some(Which::One),
                }
                .button(locale.t(Msg::AnswerOnlyThis), ButtonStyle::Primary),
                Click::Answer {
                    offer: i,
                    answer: a,
                    which: Some(Which::All),
                }
                .button(locale.t(Msg::AnswerWholeSeries), ButtonStyle::Primary),
                Click::Back { offer: i }.button(locale.t(Msg::AnswerBack), ButtonStyle::Default),
            ],
        ),
        (None, Some(a)) if word(a).is_some() => (
            locale.t(Msg::AnswerMine {
                title,
                answer: a,
                scope: match o.covered {
                    Some(Covered::Instance) => Scope::Instance,
                    Some(Covered::Series) => Scope::Series,
                    Some(Covered::Meeting) | None => Scope::Meeting,
                },
                when: &when,
            }),
            ANSWERS
                .into_iter()
                .filter(|x| *x != a)
                .map(|x| answer_button(x, None))
                .collect(),
        ),
        _ => (
            locale.t(Msg::AnswerAsk { title }),
            ANSWERS
                .into_iter()
                .map(|x| answer_button(x, None))
                .collect(),
        ),
    };
    Attachment {
        fallback: text.clone(),
        color: String::new(),
        pretext: String::new(),
        title: String::new(),
        title_link: String::new(),
        text,
        fields: Vec::new(),
        actions,
        footer: String::new(),
    }
}

/// The whole message drawn from its card.
pub fn post(locale: Locale, tz: Tz, card: &AnswerCard) -> Post {
    Post {
        message: card.message.clone(),
        attachments: attachments(locale, tz, card),
        props: card
            .props
            .iter()
            .map(|(k, v)| Prop {
                key: k.clone(),
                value: v.clone(),
            })
            .collect(),
    }
}

/// How long a card answers clicks: a week after its last meeting ends (two months for a
/// series, which is answered for the meetings after it too), within a year.
fn ttl_seconds(card: &AnswerCard, tz: Tz, now_ms: i64) -> u32 {
    let now = chrono::DateTime::<Utc>::from_timestamp_millis(now_ms).unwrap_or_default();
    let until = card
        .offers
        .iter()
        .map(|o| {
            let grace = if o.recurring {
                Duration::days(60)
            } else {
                Duration::days(7)
            };
            o.span.instants(tz).1 + grace
        })
        .max()
        .unwrap_or(now);
    (until - now).num_seconds().clamp(
        Duration::days(1).num_seconds(),
        Duration::days(366).num_seconds(),
    ) as u32
}

/// Stores (or replaces) the card of post `post_id`.
pub fn keep(
    host: &impl Host,
    user_id: &str,
    post_id: &str,
    card: &AnswerCard,
    now_ms: i64,
) -> Result<(), StoreError> {
    let key = keys::answer_card(user_id, post_id);
    // Spans of all-day meetings are read in UTC here: a day either way is within the grace.
    let ttl = ttl_seconds(card, Tz::UTC, now_ms);
    Ok(host.set_with_expiry(&key, &record::encode(card), ttl)?)
}

/// The card of post `post_id`, if it is still kept (one that cannot be read is gone).
pub fn load(
    host: &impl Host,
    user_id: &str,
    post_id: &str,
) -> Result<Option<AnswerCard>, StoreError> {
    if post_id.is_empty() {
        return Ok(None);
    }
    record::get_or_rebuild(host, &keys::answer_card(user_id, post_id))
}
