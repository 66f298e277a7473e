module github.com/ycal/yandex-calendar/host-shim

go 1.25.9

require github.com/tetratelabs/wazero v1.12.0

require golang.org/x/sys v0.44.0 // indirect
