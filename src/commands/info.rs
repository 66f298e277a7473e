//! `/yandex_calendar info`: what the plugin does and the whole command tree.

use super::parse::usage;
use super::tree::{self, GROUPS, INFO, SHORTCUTS, TRIGGER};
use crate::i18n::Locale;

pub fn render(locale: Locale) -> String {
    let mut out = String::new();
    out.push_str(locale.pick(
        "#### Yandex Calendar for Mattermost\n\
         Your Yandex Calendar in Mattermost: the agenda on demand, a morning digest, \
         reminders before meetings with the Telemost link, news when meetings are added, \
         moved or cancelled and when attendees answer, and the status \
         \u{1F4C6} In a meeting while a meeting runs.\n",
        "#### Яндекс Календарь для Mattermost\n\
         Ваш Яндекс Календарь в Mattermost: расписание по запросу, утренняя сводка, \
         напоминания перед встречами со ссылкой на Телемост, сообщения о новых, \
         перенесённых и отменённых встречах и об ответах участников, и статус \
         \u{1F4C6} На встрече, пока идёт встреча.\n",
    ));
    out.push_str(locale.pick(
        "\nTo start, create an app password of type **Calendar** at id.yandex.ru → Security → \
         App passwords, then run `/yandex_calendar connections connect`.\n",
        "\nДля начала создайте пароль приложения типа **Календарь** на id.yandex.ru → \
         Безопасность → Пароли приложений и выполните `/yandex_calendar connections connect`.\n",
    ));
    for group in GROUPS {
        out.push_str(&format!(
            "\n**{}** — {}\n",
            group.name,
            group.help.get(locale)
        ));
        for sub in group.subs {
            out.push_str(&format!(
                "- `{}` — {}\n",
                usage(group.name, sub),
                sub.help.get(locale)
            ));
        }
    }
    out.push_str(&format!(
        "\n`{}` — {}\n",
        usage("", &INFO),
        INFO.help.get(locale)
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
        locale.pick("Shortcuts:", "Короткие формы:"),
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
                    assert!(text.contains(sub.help.get(locale)));
                }
            }
        }
        assert!(render(Locale::Ru).contains("Встречи на сегодня"));
        assert!(render(Locale::En).contains("`/yandex_calendar range <from> <to>`"));
        assert!(!render(Locale::En).contains("Встречи"));
    }
}
