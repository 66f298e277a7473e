// Package wit mirrors the types of wit/types.wit in Go, in the form package cabi reads:
// field order and `wit` tags follow the WIT file exactly (the conformance test against the
// wasmtime reference host catches any drift).
package wit

import "github.com/ycal/yandex-calendar/host-shim/cabi"

type Header struct {
	Name  string `wit:"name"`
	Value string `wit:"value"`
}

type HTTPMethod uint8

const (
	MethodGet HTTPMethod = iota
	MethodHead
	MethodPost
	MethodPut
	MethodDelete
	MethodOptions
	MethodPropfind
	MethodProppatch
	MethodReport
	MethodMkcalendar
)

var httpMethodNames = []string{"get", "head", "post", "put", "delete", "options", "propfind", "proppatch", "report", "mkcalendar"}

func (HTTPMethod) WITEnum() []string { return httpMethodNames }

// Verb is the method as HTTP spells it.
func (m HTTPMethod) Verb() string {
	verbs := []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PROPFIND", "PROPPATCH", "REPORT", "MKCALENDAR"}
	if int(m) < len(verbs) {
		return verbs[m]
	}
	return "GET"
}

type HTTPRequest struct {
	Method           HTTPMethod `wit:"method"`
	URL              string     `wit:"url"`
	Headers          []Header   `wit:"headers"`
	Body             []byte     `wit:"body"`
	TimeoutMs        uint32     `wit:"timeout-ms"`
	MaxResponseBytes uint64     `wit:"max-response-bytes"`
}

type HTTPResponse struct {
	Status  uint16   `wit:"status"`
	Headers []Header `wit:"headers"`
	Body    []byte   `wit:"body"`
}

type HTTPError struct {
	InvalidURL  *string    `wit:"invalid-url"`
	Unreachable *string    `wit:"unreachable"`
	TLS         *string    `wit:"tls"`
	Timeout     *cabi.Unit `wit:"timeout"`
	TooLarge    *uint64    `wit:"too-large"`
	Blocked     *string    `wit:"blocked"`
	Other       *string    `wit:"other"`
}

func (HTTPError) WITVariant() {}

type KVError struct {
	KeyTooLong *uint32    `wit:"key-too-long"`
	EmptyValue *cabi.Unit `wit:"empty-value"`
	Store      *string    `wit:"store"`
}

func (KVError) WITVariant() {}

type LogLevel uint8

const (
	LogDebug LogLevel = iota
	LogInfo
	LogWarn
	LogError
)

func (LogLevel) WITEnum() []string { return []string{"debug", "info", "warn", "error"} }

type MMError struct {
	Status  uint16 `wit:"status"`
	Message string `wit:"message"`
}

type CustomStatus struct {
	Emoji       string `wit:"emoji"`
	Text        string `wit:"text"`
	Duration    string `wit:"duration"`
	ExpiresAtMs *int64 `wit:"expires-at-ms"`
}

type User struct {
	ID           string        `wit:"id"`
	Username     string        `wit:"username"`
	Email        string        `wit:"email"`
	FirstName    string        `wit:"first-name"`
	LastName     string        `wit:"last-name"`
	Locale       string        `wit:"locale"`
	Timezone     string        `wit:"timezone"`
	CustomStatus *CustomStatus `wit:"custom-status"`
	IsBot        bool          `wit:"is-bot"`
}

type ButtonStyle uint8

func (ButtonStyle) WITEnum() []string {
	return []string{"default", "primary", "success", "good", "warning", "danger"}
}

type Prop struct {
	Key   string `wit:"key"`
	Value string `wit:"value"`
}

type Action struct {
	ID      string      `wit:"id"`
	Label   string      `wit:"label"`
	Style   ButtonStyle `wit:"style"`
	URL     string      `wit:"url"`
	Context []Prop      `wit:"context"`
}

type Field struct {
	Title string `wit:"title"`
	Value string `wit:"value"`
	Short bool   `wit:"short"`
}

type Attachment struct {
	Fallback  string   `wit:"fallback"`
	Color     string   `wit:"color"`
	Pretext   string   `wit:"pretext"`
	Title     string   `wit:"title"`
	TitleLink string   `wit:"title-link"`
	Text      string   `wit:"text"`
	Fields    []Field  `wit:"fields"`
	Actions   []Action `wit:"actions"`
	Footer    string   `wit:"footer"`
}

type Post struct {
	Message     string       `wit:"message"`
	Attachments []Attachment `wit:"attachments"`
	Props       []Prop       `wit:"props"`
}

type TextSubtype uint8

func (TextSubtype) WITEnum() []string {
	return []string{"text", "email", "number", "password", "tel", "url"}
}

type SelectOption struct {
	Text  string `wit:"text"`
	Value string `wit:"value"`
}

type ElementKind struct {
	Text         *TextSubtype    `wit:"text"`
	Textarea     *cabi.Unit      `wit:"textarea"`
	Select       *[]SelectOption `wit:"select"`
	SelectSource *string         `wit:"select-source"`
	Checkbox     *cabi.Unit      `wit:"checkbox"`
	Radio        *[]SelectOption `wit:"radio"`
}

func (ElementKind) WITVariant() {}

type DialogElement struct {
	Name         string      `wit:"name"`
	DisplayName  string      `wit:"display-name"`
	Kind         ElementKind `wit:"kind"`
	DefaultValue string      `wit:"default-value"`
	Placeholder  string      `wit:"placeholder"`
	HelpText     string      `wit:"help-text"`
	Optional     bool        `wit:"optional"`
	MinLength    uint32      `wit:"min-length"`
	MaxLength    uint32      `wit:"max-length"`
}

type Dialog struct {
	CallbackID       string          `wit:"callback-id"`
	Title            string          `wit:"title"`
	IntroductionText string          `wit:"introduction-text"`
	Elements         []DialogElement `wit:"elements"`
	SubmitLabel      string          `wit:"submit-label"`
	NotifyOnCancel   bool            `wit:"notify-on-cancel"`
	State            string          `wit:"state"`
}

// PluginConfig is what the admin saved; nil for a setting without a value.
type PluginConfig struct {
	CaldavURL           *string `wit:"caldav-url"`
	ReminderLeadMinutes *int64  `wit:"reminder-lead-minutes"`
	SyncIntervalMinutes *int64  `wit:"sync-interval-minutes"`
	EncryptionKey       string  `wit:"encryption-key"`
	AllowedHosts        *string `wit:"allowed-hosts"`
}

// Settings are the settings resolved by the component (defaults applied, ranges checked).
type Settings struct {
	CaldavURL           string   `wit:"caldav-url"`
	ReminderLeadMinutes uint32   `wit:"reminder-lead-minutes"`
	SyncIntervalMinutes uint32   `wit:"sync-interval-minutes"`
	AllowedHosts        []string `wit:"allowed-hosts"`
}

type CommandArgs struct {
	UserID    string `wit:"user-id"`
	ChannelID string `wit:"channel-id"`
	TeamID    string `wit:"team-id"`
	RootID    string `wit:"root-id"`
	TriggerID string `wit:"trigger-id"`
	Command   string `wit:"command"`
	SiteURL   string `wit:"site-url"`
}

type ResponseType uint8

const (
	ResponseEphemeral ResponseType = iota
	ResponseInChannel
)

func (ResponseType) WITEnum() []string { return []string{"ephemeral", "in-channel"} }

type CommandResponse struct {
	ResponseType ResponseType `wit:"response-type"`
	Text         string       `wit:"text"`
	Attachments  []Attachment `wit:"attachments"`
}

type RequestMethod uint8

const (
	RequestGet RequestMethod = iota
	RequestPost
	RequestPut
	RequestDelete
)

func (RequestMethod) WITEnum() []string { return []string{"get", "post", "put", "delete"} }

type PluginRequest struct {
	Method  RequestMethod `wit:"method"`
	Path    string        `wit:"path"`
	Query   string        `wit:"query"`
	Headers []Header      `wit:"headers"`
	Body    []byte        `wit:"body"`
	UserID  *string       `wit:"user-id"`
}

type PluginResponse struct {
	Status  uint16   `wit:"status"`
	Headers []Header `wit:"headers"`
	Body    []byte   `wit:"body"`
}

// Job is variant job: a node's tick, one user's round, or a one-off job that came due.
type Job struct {
	Tick *TickInfo `wit:"tick"`
	User *string   `wit:"user"`
	Due  *string   `wit:"due"`
}

func (Job) WITVariant() {}

// TickInfo is record tick-info: the node that ticks, when it last ticked, whether it leaves.
type TickInfo struct {
	Node    string `wit:"node"`
	SinceMs int64  `wit:"since-ms"`
	Leaving bool   `wit:"leaving"`
}

// JobTick, JobUser and JobDue build the three jobs.
func JobTick(t TickInfo) Job { return Job{Tick: &t} }
func JobUser(id string) Job  { return Job{User: &id} }
func JobDue(key string) Job  { return Job{Due: &key} }

type AutocompleteArg struct {
	Hint     string `wit:"hint"`
	HelpText string `wit:"help-text"`
	Pattern  string `wit:"pattern"`
}

type AutocompleteItem struct {
	Parent   []string          `wit:"parent"`
	Trigger  string            `wit:"trigger"`
	Hint     string            `wit:"hint"`
	HelpText string            `wit:"help-text"`
	Args     []AutocompleteArg `wit:"args"`
}

type SlashCommand struct {
	Trigger     string             `wit:"trigger"`
	DisplayName string             `wit:"display-name"`
	Description string             `wit:"description"`
	Hint        string             `wit:"hint"`
	Items       []AutocompleteItem `wit:"items"`
}

type JobReport struct {
	UsersSeen uint32 `wit:"users-seen"`
	Effects   uint32 `wit:"effects"`
	// DueUsers: for the tick, the users whose round the host runs now.
	DueUsers []string `wit:"due-users"`
}
