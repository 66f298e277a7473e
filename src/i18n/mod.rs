//! The user's language. Every text a user reads is chosen by their Mattermost locale.

/// Languages the plugin speaks. Anything that is not Russian gets English.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Ru,
}

impl Locale {
    /// Maps a Mattermost locale ("ru", "en", "en-AU", "" …) to ours.
    pub fn from_mattermost(locale: &str) -> Self {
        let lang = locale.split(['-', '_']).next().unwrap_or_default();
        if lang.eq_ignore_ascii_case("ru") {
            Locale::Ru
        } else {
            Locale::En
        }
    }

    /// Picks the text for this locale.
    pub fn pick<'a>(self, en: &'a str, ru: &'a str) -> &'a str {
        match self {
            Locale::En => en,
            Locale::Ru => ru,
        }
    }
}

/// A text in both languages, for tables built at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Text {
    pub en: &'static str,
    pub ru: &'static str,
}

impl Text {
    pub const fn new(en: &'static str, ru: &'static str) -> Self {
        Text { en, ru }
    }

    pub fn get(self, locale: Locale) -> &'static str {
        locale.pick(self.en, self.ru)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_only_for_ru_locales() {
        assert_eq!(Locale::from_mattermost("ru"), Locale::Ru);
        assert_eq!(Locale::from_mattermost("RU-ru"), Locale::Ru);
        assert_eq!(Locale::from_mattermost("en"), Locale::En);
        assert_eq!(Locale::from_mattermost(""), Locale::En);
        assert_eq!(Locale::from_mattermost("de"), Locale::En);
        assert_eq!(Locale::from_mattermost("rus"), Locale::En);
    }
}
