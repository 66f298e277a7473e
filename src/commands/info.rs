//! `/yandex_calendar info`: what the plugin does and the whole command tree.

use super::parse::usage;
use super::tree::{self, GROUPS, INFO, SHORTCUTS, TRIGGER};
use crate::i18n::{Locale, Msg};

pub fn render(locale: Locale) -> String {
    let mut out = String::new();
    out.push_str(&locale.t(Msg::InfoTitle));
    out.push('\n');
    out.push_str(&locale.t(Msg::InfoAbout));
    out.push_str("\n\n");
    out.push_str(&locale.t(Msg::InfoStart));
    out.push('\n');
    for group in GROUPS {
        out.push_str(&format!(
            "\n**{}** — {}\n",
            group.name,
            locale.t(Msg::Help(group.help))
        ));
        for sub in group.subs {
            out.push_str(&format!(
                "- `{}` — {}\n",
                usage(group.name, sub),
                locale.t(Msg::Help(sub.help))
            ));
        }
    }
    out.push_str(&format!(
        "\n`{}` — {}\n",
        usage("", &INFO),
        locale.t(Msg::Help(INFO.help))
    ));
    let shortcuts: Vec<String> = SHORTCUTS
        .iter()
        .map(|(short, group, sub)| {
            let hints: Vec<&str> = tree::group(group)
                .and_then(|g| g.subs.iter().find(|s| s.name == *sub))
                .map(|s| s.args.iter().map(|a| a.hint).collect())
                .unwrap_or_default();
            let mut text = format!("/{TRIGGER} {short}");
            for h in hints {
                text.push(' ');
                text.push_str(h);
            }
            format!("`{text}`")
        })
        .collect();
    out.push_str(&format!(
        "\n{} {}\n",
        locale.t(Msg::InfoShortcuts),
        shortcuts.join(", ")
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_command_in_both_languages() {
        for locale in [Locale::En, Locale::Ru] {
            let text = render(locale);
            for group in GROUPS {
                for sub in group.subs {
                    assert!(
                        text.contains(&usage(group.name, sub)),
                        "{locale:?} {}",
                        sub.name
                    );
                    assert!(text.contains(&locale.t(Msg::Help(sub.help))));
                }
            }
        }
        assert!(render(Locale::Ru).contains("Встречи на сегодня"));
        assert!(render(Locale::En).contains("`/yandex_calendar range <from> <to>`"));
        assert!(!render(Locale::En).contains("Встречи"));
    }
}
