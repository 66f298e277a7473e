// Command mattermost runs a Mattermost server built from its Go module, the
// same way the server's own cmd/mattermost does. It exists only so the
// end-to-end tests have a real server; see ../README.md.
//
// The real main also imports .../server/v8/enterprise, which is empty unless
// built with the "enterprise" or "sourceavailable" tags (whose code is not in
// the public module proxy), so it is left out here.
package main

import (
	"os"

	"github.com/mattermost/mattermost/server/v8/cmd/mattermost/commands"
	// Built-in slash commands, registered by import like the real binary.
	_ "github.com/mattermost/mattermost/server/v8/channels/app/slashcommands"
	// OAuth providers.
	_ "github.com/mattermost/mattermost/server/v8/channels/app/oauthproviders/gitlab"
)

func main() {
	if err := commands.Run(os.Args[1:]); err != nil {
		os.Exit(1)
	}
}
