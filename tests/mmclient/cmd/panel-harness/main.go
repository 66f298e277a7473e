// Command panel-harness serves the plugin's Today panel in a browser against a running
// Mattermost (see package harness): `make run` starts it and prints its address.
//
//	panel-harness -mm http://127.0.0.1:8065 -bundle dist/<id>-<version>.tar.gz \
//	    -node-modules webapp/node_modules -listen 127.0.0.1:8066
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"syscall"
	"time"

	"github.com/ycal/yandex-calendar/tests/mmclient/harness"
)

func main() {
	mm := flag.String("mm", "", "Mattermost URL")
	bundle := flag.String("bundle", "", "the plugin bundle (.tar.gz) whose webapp/dist/main.js to load")
	nodeModules := flag.String("node-modules", "webapp/node_modules", "folder with react/ and react-dom/")
	listen := flag.String("listen", "127.0.0.1:0", "address to serve the page on (loopback)")
	whilePID := flag.Int("while-pid", 0, "exit when this process is gone (the script that started us)")
	flag.Parse()
	if *mm == "" || *bundle == "" {
		flag.Usage()
		os.Exit(2)
	}
	b, err := harness.ReadBundle(*bundle)
	if err != nil {
		log.Fatal(err)
	}
	h, err := harness.New(harness.Options{MattermostURL: *mm, PluginID: b.PluginID, MainJS: b.MainJS, NodeModules: *nodeModules})
	if err != nil {
		log.Fatal(err)
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("http://%s/\n", l.Addr())
	if *whilePID > 0 {
		go func() {
			for syscall.Kill(*whilePID, 0) == nil {
				time.Sleep(2 * time.Second)
			}
			os.Exit(0)
		}()
	}
	log.Fatal(http.Serve(l, h))
}
