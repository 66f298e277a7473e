// Command host-shim is the Mattermost plugin executable: it hosts the Rust component
// (server/dist/component.wasm in the bundle, read at activation) on wazero and connects it
// to the Mattermost plugin API. It holds no calendar knowledge; see wit/ for the contract
// and src/ for the logic.
package main

import (
	"github.com/mattermost/mattermost/server/public/plugin"
)

func main() {
	plugin.ClientMain(&Plugin{})
}
