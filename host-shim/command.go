package main

import (
	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// toModelCommand builds the slash command and its autocomplete tree from the component's
// flat description (WIT has no recursive types).
func toModelCommand(c wit.SlashCommand) *model.Command {
	root := model.NewAutocompleteData(c.Trigger, c.Hint, c.Description)
	nodes := map[string]*model.AutocompleteData{"": root}
	for _, item := range c.Items {
		parentKey := joinPath(item.Parent)
		parent, ok := nodes[parentKey]
		if !ok {
			continue // the component lists parents first; an orphan is a bug there, not fatal here
		}
		node := model.NewAutocompleteData(item.Trigger, item.Hint, item.HelpText)
		for _, a := range item.Args {
			pattern := a.Pattern
			if pattern == "" {
				pattern = ".*"
			}
			node.AddTextArgument(a.HelpText, a.Hint, pattern)
		}
		parent.AddCommand(node)
		nodes[joinPath(append(append([]string{}, item.Parent...), item.Trigger))] = node
	}
	return &model.Command{
		Trigger:          c.Trigger,
		DisplayName:      c.DisplayName,
		Description:      c.Description,
		AutoComplete:     true,
		AutoCompleteDesc: c.Description,
		AutoCompleteHint: c.Hint,
		AutocompleteData: root,
	}
}

func joinPath(p []string) string {
	out := ""
	for i, s := range p {
		if i > 0 {
			out += " "
		}
		out += s
	}
	return out
}
