package main

import (
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// Conversions from the contract's records to Mattermost's model types.

// actionURL makes a component path ("/actions/rsvp") a URL Mattermost posts button clicks
// to; absolute URLs pass through.
func (p *Plugin) actionURL(path string) string {
	if strings.HasPrefix(path, "http://") || strings.HasPrefix(path, "https://") {
		return path
	}
	return "/plugins/" + p.pluginID() + path
}

func (p *Plugin) toModelPost(in wit.Post) *model.Post {
	post := &model.Post{Message: in.Message}
	for _, prop := range in.Props {
		post.AddProp(prop.Key, prop.Value)
	}
	if len(in.Attachments) > 0 {
		atts := make([]*model.SlackAttachment, 0, len(in.Attachments))
		for _, a := range in.Attachments {
			atts = append(atts, p.toAttachment(a))
		}
		model.ParseSlackAttachment(post, atts)
	}
	return post
}

func (p *Plugin) toAttachment(a wit.Attachment) *model.SlackAttachment {
	out := &model.SlackAttachment{
		Fallback:  a.Fallback,
		Color:     a.Color,
		Pretext:   a.Pretext,
		Title:     a.Title,
		TitleLink: a.TitleLink,
		Text:      a.Text,
		Footer:    a.Footer,
	}
	for _, f := range a.Fields {
		out.Fields = append(out.Fields, &model.SlackAttachmentField{Title: f.Title, Value: f.Value, Short: model.SlackCompatibleBool(f.Short)})
	}
	for _, act := range a.Actions {
		ctx := map[string]any{}
		for _, c := range act.Context {
			ctx[c.Key] = c.Value
		}
		out.Actions = append(out.Actions, &model.PostAction{
			Id:    act.ID,
			Name:  act.Label,
			Type:  model.PostActionTypeButton,
			Style: act.Style.WITEnum()[act.Style],
			Integration: &model.PostActionIntegration{
				URL:     p.actionURL(act.URL),
				Context: ctx,
			},
		})
	}
	return out
}

func toOptions(opts []wit.SelectOption) []*model.PostActionOptions {
	out := make([]*model.PostActionOptions, 0, len(opts))
	for _, o := range opts {
		out = append(out, &model.PostActionOptions{Text: o.Text, Value: o.Value})
	}
	return out
}

func toDialog(d wit.Dialog) model.Dialog {
	out := model.Dialog{
		CallbackId:       d.CallbackID,
		Title:            d.Title,
		IntroductionText: d.IntroductionText,
		SubmitLabel:      d.SubmitLabel,
		NotifyOnCancel:   d.NotifyOnCancel,
		State:            d.State,
	}
	for _, e := range d.Elements {
		el := model.DialogElement{
			DisplayName: e.DisplayName,
			Name:        e.Name,
			Default:     e.DefaultValue,
			Placeholder: e.Placeholder,
			HelpText:    e.HelpText,
			Optional:    e.Optional,
			MinLength:   int(e.MinLength),
			MaxLength:   int(e.MaxLength),
		}
		switch k := e.Kind; {
		case k.Text != nil:
			el.Type = "text"
			el.SubType = k.Text.WITEnum()[*k.Text]
		case k.Textarea != nil:
			el.Type = "textarea"
		case k.Select != nil:
			el.Type = "select"
			el.Options = toOptions(*k.Select)
		case k.SelectSource != nil:
			el.Type = "select"
			el.DataSource = *k.SelectSource
		case k.Checkbox != nil:
			el.Type = "bool"
		case k.Radio != nil:
			el.Type = "radio"
			el.Options = toOptions(*k.Radio)
		}
		out.Elements = append(out.Elements, el)
	}
	return out
}
