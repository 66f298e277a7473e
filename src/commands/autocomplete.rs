//! The slash command definition the host registers: the tree from [`super::tree`], flat.

use super::tree::{Sub, GROUPS, INFO, TRIGGER};
use crate::bindings::types::{AutocompleteArg, AutocompleteItem, SlashCommand};
use crate::i18n::{both, Help, Msg};

/// Autocomplete is registered once for everybody, so its help shows both languages.
fn help(h: Help) -> String {
    both(Msg::Help(h))
}

fn item(parent: &[&str], sub: &Sub) -> AutocompleteItem {
    AutocompleteItem {
        parent: parent.iter().map(|p| p.to_string()).collect(),
        trigger: sub.name.to_string(),
        hint: sub
            .args
            .iter()
            .map(|a| a.hint)
            .collect::<Vec<_>>()
            .join(" "),
        help_text: help(sub.help),
        args: sub
            .args
            .iter()
            .map(|a| AutocompleteArg {
                hint: a.hint.to_string(),
                help_text: help(a.help),
                pattern: a.pattern.to_string(),
            })
            .collect(),
    }
}

pub fn slash_command() -> SlashCommand {
    let mut items = Vec::new();
    for group in GROUPS {
        items.push(AutocompleteItem {
            parent: Vec::new(),
            trigger: group.name.to_string(),
            hint: "[command]".to_string(),
            help_text: help(group.help),
            args: Vec::new(),
        });
        for sub in group.subs {
            items.push(item(&[group.name], sub));
        }
    }
    items.push(item(&[], &INFO));
    SlashCommand {
        trigger: TRIGGER.to_string(),
        display_name: both(Msg::ProductName),
        description: help(Help::Command),
        hint: "[command]".to_string(),
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_node_has_a_known_parent() {
        let cmd = slash_command();
        assert_eq!(cmd.trigger, "yandex_calendar");
        let tops: Vec<&str> = cmd
            .items
            .iter()
            .filter(|i| i.parent.is_empty())
            .map(|i| i.trigger.as_str())
            .collect();
        assert_eq!(
            tops,
            [
                "calendars",
                "connections",
                "notifications",
                "checks",
                "info"
            ]
        );
        for i in cmd.items.iter().filter(|i| !i.parent.is_empty()) {
            assert!(tops.contains(&i.parent[0].as_str()));
        }
        let range = cmd.items.iter().find(|i| i.trigger == "from_to").unwrap();
        assert_eq!(range.hint, "<from> <to>");
        assert_eq!(range.args.len(), 2);
        // Every line of help speaks both languages.
        for i in &cmd.items {
            assert!(i.help_text.contains(" · "), "{}", i.help_text);
            for a in &i.args {
                assert!(a.help_text.contains(" · "), "{}", a.help_text);
            }
        }
        let today = cmd.items.iter().find(|i| i.trigger == "today").unwrap();
        assert_eq!(today.help_text, "Meetings today · Встречи на сегодня");
    }
}
