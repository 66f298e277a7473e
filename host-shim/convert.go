package main

import (
	"net/http"
	"slices"
	"strings"

	"github.com/mattermost/mattermost/server/public/model"

	"github.com/ycal/yandex-calendar/host-shim/wit"
)

// Conversions from the contract's records to Mattermost's model types.

// actionURL makes a component path ("/actions/rsvp") the plugin-relative URL Mattermost
// posts button clicks and dialog submissions to. Only such paths: Mattermost POSTs a click
// to whatever URL a button has, so an absolute one (a Telemost link) would send the click
// to that site instead of opening it; links belong in the text.
func (h *mmHost) actionURL(path string) (string, *wit.MMError) {
	if !strings.HasPrefix(path, "/") || strings.HasPrefix(path, "//") || strings.Contains(path, "\\") ||
		strings.Contains(path, "://") || slices.Contains(strings.Split(strings.SplitN(path, "?", 2)[0], "/"), "..") {
		e := refused(http.StatusBadRequest, "action URL %q must be a path below the plugin (\"/actions/…\"); put links in the text", path)
		return "", &e
	}
	return "/plugins/" + h.id + path, nil
}

func (h *mmHost) toModelPost(in wit.Post) (*model.Post, *wit.MMError) {
	post := &model.Post{Message: in.Message}
	for _, prop := range in.Props {
		post.AddProp(prop.Key, prop.Value)
	}
	if len(in.Attachments) > 0 {
		atts := make([]*model.SlackAttachment, 0, len(in.Attachments))
		for _, a := range in.Attachments {
			att, bad := h.toAttachment(a)
			if bad != nil {
				return nil, bad
			}
			atts = append(atts, att)
		}
		model.ParseSlackAttachment(post, atts)
	}
	return post, nil
}

func (h *mmHost) toAttachment(a wit.Attachment) (*model.SlackAttachment, *wit.MMError) {
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
		u, bad := h.actionURL(act.URL)
		if bad != nil {
			return nil, bad
		}
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
				URL:     u,
				Context: ctx,
			},
		})
	}
	return out, nil
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
