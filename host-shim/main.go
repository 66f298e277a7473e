// Command host-shim is the Mattermost plugin executable: it hosts the Rust component
// (component.wasm, embedded) on wazero and connects it to the Mattermost plugin API.
// It holds no calendar knowledge; see wit/ for the contract and src/ for the logic.
package main

import (
	_ "embed"

	"github.com/mattermost/mattermost/server/public/plugin"
)

// componentWasm is the core module built by `./build.sh wasm` from src/.
//
//go:embed component.wasm
var componentWasm []byte

func main() {
	plugin.ClientMain(&Plugin{wasm: componentWasm})
}
