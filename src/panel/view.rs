//! What the web app's panel shows, as JSON: every text ready to show (rendered by the
//! same catalog, timezone and agenda code as `/yandex_calendar today`) plus the raw
//! instants behind it. The shapes are the contract with `webapp/src/api.ts`.

use chrono::NaiveDate;
use serde::Serialize;

/// The answer of `GET /api/v1/agenda`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Panel {
    /// No account yet: a sentence and the command that connects.
    NotConnected {
        locale: &'static str,
        message: String,
        command: String,
    },
    /// Nothing can be shown (the store failed, the first sync has not finished or failed,
    /// the day asked for is not one we can show); `message` says why in the user's words.
    Problem {
        locale: &'static str,
        message: String,
    },
    Day(Box<DayView>),
}

/// One day of meetings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DayView {
    /// `en` or `ru`: the language of every text here.
    pub locale: &'static str,
    /// The IANA zone the times are in.
    pub timezone: String,
    /// The server's clock when the answer was made, Unix ms.
    pub now_ms: i64,
    /// Today and the day shown, in the user's zone (`YYYY-MM-DD`).
    pub today: NaiveDate,
    pub day: NaiveDate,
    /// The days that can be asked for (the synced window).
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// `Today, Tue, Dec 1` / `Сегодня, вт, 1 дек`.
    pub title: String,
    /// `2 meetings · times in Europe/Moscow`.
    pub summary: String,
    /// Plain sentences about the data (a failed sync, a paused account).
    pub notes: Vec<String>,
    /// `Nothing planned.` when there are no meetings.
    pub empty: Option<String>,
    pub meetings: Vec<Meeting>,
}

/// One meeting on the day shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Meeting {
    /// Stable across refreshes: UID and the instance's recurrence id.
    pub id: String,
    /// `10:00–10:30`, `All day`, `Dec 1 22:00 – Dec 2 01:00`.
    pub when: String,
    pub start_ms: i64,
    pub end_ms: i64,
    pub title: String,
    pub location: Option<String>,
    /// The Telemost (video call) link.
    pub join_url: Option<String>,
    /// The event in Yandex Calendar's web interface.
    pub web_url: Option<String>,
    /// The calendar's name, when several calendars are shown.
    pub calendar: Option<String>,
    pub answer: Option<AnswerCode>,
    /// `declined` / `вы отказались`.
    pub answer_text: Option<String>,
    pub state: MeetingState,
    /// `in 12 min` for the next meeting, `now · 20 min left` for one in progress.
    pub relative: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerCode {
    Declined,
    Tentative,
    NotAnswered,
}

/// Where a meeting stands relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingState {
    /// All-day or a day or longer: never "in progress".
    AllDay,
    Past,
    /// In progress: highlighted, with the Join button.
    Now,
    /// The first meeting still to start (not declined): gets "in 12 min".
    Next,
    Later,
}
