package main

import (
	"strings"
	"testing"

	"github.com/ycal/yandex-calendar/host-shim/cabi"
	"github.com/ycal/yandex-calendar/host-shim/wit"
)

func TestPostConversion(t *testing.T) {
	h := &mmHost{id: "com.example.plugin"}
	post, bad := h.toModelPost(wit.Post{
		Message: "Через 10 минут",
		Props:   []wit.Prop{{Key: "meeting", Value: "uid-1"}},
		Attachments: []wit.Attachment{{
			Title:  "Планёрка",
			Fields: []wit.Field{{Title: "Когда", Value: "пн, 1 дек, 10:00–10:30", Short: true}},
			Actions: []wit.Action{
				{ID: "rsvp", Label: "Приду", Style: 2, URL: "/actions/rsvp", Context: []wit.Prop{{Key: "answer", Value: "accepted"}}},
				{ID: "later", Label: "Позже", Style: 1, URL: "/actions/snooze?m=10"},
			},
		}},
	})
	if bad != nil {
		t.Fatal(bad)
	}
	if post.Message != "Через 10 минут" || post.GetProp("meeting") != "uid-1" {
		t.Fatalf("post: %+v", post)
	}
	atts := post.Attachments()
	if len(atts) != 1 || atts[0].Title != "Планёрка" || len(atts[0].Fields) != 1 || !bool(atts[0].Fields[0].Short) {
		t.Fatalf("attachments: %+v", atts)
	}
	a := atts[0].Actions
	if len(a) != 2 || a[0].Style != "success" || a[0].Integration.URL != "/plugins/com.example.plugin/actions/rsvp" ||
		a[0].Integration.Context["answer"] != "accepted" || a[1].Integration.URL != "/plugins/com.example.plugin/actions/snooze?m=10" {
		t.Fatalf("actions: %+v %+v", a[0], a[1])
	}
}

func TestDialogConversion(t *testing.T) {
	pw := wit.TextSubtype(3)
	opts := []wit.SelectOption{{Text: "Работа", Value: "events-1"}}
	d := toDialog(wit.Dialog{CallbackID: "connect", Title: "Подключение", Elements: []wit.DialogElement{
		{Name: "password", DisplayName: "Пароль приложения", Kind: wit.ElementKind{Text: &pw}, MaxLength: 64},
		{Name: "calendars", Kind: wit.ElementKind{Select: &opts}, Optional: true},
		{Name: "channel", Kind: wit.ElementKind{SelectSource: func() *string { s := "channels"; return &s }()}},
		{Name: "status", Kind: wit.ElementKind{Checkbox: &cabi.Unit{}}},
		{Name: "answer", Kind: wit.ElementKind{Radio: &opts}},
		{Name: "note", Kind: wit.ElementKind{Textarea: &cabi.Unit{}}},
	}})
	want := []struct{ typ, sub, source string }{
		{"text", "password", ""}, {"select", "", ""}, {"select", "", "channels"}, {"bool", "", ""}, {"radio", "", ""}, {"textarea", "", ""},
	}
	for i, w := range want {
		e := d.Elements[i]
		if e.Type != w.typ || e.SubType != w.sub || e.DataSource != w.source {
			t.Errorf("element %d: %+v", i, e)
		}
	}
	if len(d.Elements[1].Options) != 1 || d.Elements[1].Options[0].Value != "events-1" || !d.Elements[1].Optional {
		t.Errorf("select: %+v", d.Elements[1])
	}
	if d.Elements[0].MaxLength != 64 || d.CallbackId != "connect" {
		t.Errorf("dialog: %+v", d)
	}
}

// A button posts its click to its URL: only paths below the plugin are allowed, so a
// Telemost "Join" button can never send the click to telemost.yandex.ru.
func TestButtonsOnlyPostToThePlugin(t *testing.T) {
	h := &mmHost{id: "com.example.plugin"}
	for _, url := range []string{
		"https://telemost.yandex.ru/j/1", "http://127.0.0.1:8065/api/v4/users", "//evil.example/x",
		"actions/rsvp", "", "/actions/../../../api/v4/users", "/a/..", "/x\\y", "javascript://x",
	} {
		_, bad := h.toModelPost(wit.Post{Attachments: []wit.Attachment{{Actions: []wit.Action{{ID: "b", URL: url}}}}})
		if bad == nil || bad.Status != 400 || !strings.Contains(bad.Message, "below the plugin") {
			t.Errorf("%q: %+v", url, bad)
		}
		if _, bad := h.actionURL(url); bad == nil {
			t.Errorf("dialog URL %q accepted", url)
		}
	}
}
