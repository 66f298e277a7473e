package wit

import "github.com/ycal/yandex-calendar/host-shim/cabi"

// Types of the abi-probe interface (wit/hooks.wit), exported only by the test module.

// ProbeFlags is flags probe-flags { a … i }.
type ProbeFlags uint16

func (ProbeFlags) WITFlags() []string {
	return []string{"a", "b", "c", "d", "e", "f", "g", "h", "i"}
}

// U8String is tuple<u8, string>.
type U8String struct {
	A uint8
	B string
}

func (U8String) WITTuple() {}

type ProbeOptions struct {
	Level   *LogLevel                    `wit:"level"`
	Error   *HTTPError                   `wit:"error"`
	Pair    *U8String                    `wit:"pair"`
	Outcome *cabi.Result[uint32, string] `wit:"outcome"`
	Nested  **string                     `wit:"nested"`
	Numbers *[]*uint16                   `wit:"numbers"`
	Ratio   *float64                     `wit:"ratio"`
	Letter  *cabi.Char                   `wit:"letter"`
	Bits    *ProbeFlags                  `wit:"bits"`
}

// Scalars is the tuple echo-scalars returns.
type Scalars struct {
	A float32
	B float64
	C cabi.Char
	D int8
	E int16
	F ProbeFlags
}

func (Scalars) WITTuple() {}

type ProbeValue struct {
	CommandArgs     *CommandArgs                          `wit:"command-args"`
	PluginRequest   *PluginRequest                        `wit:"plugin-request"`
	PluginConfig    *PluginConfig                         `wit:"plugin-config"`
	Settings        *Settings                             `wit:"settings"`
	User            **User                                `wit:"user"`
	Post            *Post                                 `wit:"post"`
	Dialog          *Dialog                               `wit:"dialog"`
	HTTPRequest     *HTTPRequest                          `wit:"http-request"`
	HTTPResult      *cabi.Result[HTTPResponse, HTTPError] `wit:"http-result"`
	KVResult        *cabi.Result[*[]byte, KVError]        `wit:"kv-result"`
	CommandResponse *CommandResponse                      `wit:"command-response"`
	SlashCommand    *SlashCommand                         `wit:"slash-command"`
	Job             *JobEcho                              `wit:"job"`
	Options         *ProbeOptions                         `wit:"options"`
}

func (ProbeValue) WITVariant() {}

type KeyValue struct {
	Key   string
	Value []byte
}

func (KeyValue) WITTuple() {}

type KeyValueExpiry struct {
	Key    string
	Value  []byte
	Expiry uint32
}

func (KeyValueExpiry) WITTuple() {}

type KeyOldNew struct {
	Key string
	Old *[]byte
	New *[]byte
}

func (KeyOldNew) WITTuple() {}

type KeyOldNewExpiry struct {
	Key    string
	Old    *[]byte
	New    []byte
	Expiry uint32
}

func (KeyOldNewExpiry) WITTuple() {}

type KeyTime struct {
	Key  string
	AtMs int64
}

func (KeyTime) WITTuple() {}

type PrefixPage struct {
	Prefix  string
	Page    uint32
	PerPage uint32
}

func (PrefixPage) WITTuple() {}

type IDPost struct {
	ID   string
	Post Post
}

func (IDPost) WITTuple() {}

type UserChannelPost struct {
	User    string
	Channel string
	Post    Post
}

func (UserChannelPost) WITTuple() {}

type UserStatus struct {
	User   string
	Status CustomStatus
}

func (UserStatus) WITTuple() {}

type UserEventPayload struct {
	User    string
	Event   string
	Payload []Prop
}

func (UserEventPayload) WITTuple() {}

// ImportCall is variant import-call: one import with its arguments.
type ImportCall struct {
	HTTPSend           *HTTPRequest      `wit:"http-send"`
	KVGet              *string           `wit:"kv-get"`
	KVSet              *KeyValue         `wit:"kv-set"`
	KVSetWithExpiry    *KeyValueExpiry   `wit:"kv-set-with-expiry"`
	KVCompareAndSet    *KeyOldNew        `wit:"kv-compare-and-set"`
	KVCASWithExpiry    *KeyOldNewExpiry  `wit:"kv-compare-and-set-with-expiry"`
	KVDelete           *string           `wit:"kv-delete"`
	KVListKeys         *PrefixPage       `wit:"kv-list-keys"`
	DMPost             *IDPost           `wit:"dm-post"`
	UpdatePost         *IDPost           `wit:"update-post"`
	DeletePost         *string           `wit:"delete-post"`
	EphemeralPost      *UserChannelPost  `wit:"ephemeral-post"`
	GetUser            *string           `wit:"get-user"`
	UpdateCustomStatus *UserStatus       `wit:"update-custom-status"`
	RemoveCustomStatus *string           `wit:"remove-custom-status"`
	GetConfig          *cabi.Unit        `wit:"get-config"`
	PublishEvent       *UserEventPayload `wit:"publish-event"`
	ScheduleOnce       *KeyTime          `wit:"schedule-once"`
	CancelJob          *string           `wit:"cancel-job"`
}

func (ImportCall) WITVariant() {}
