package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ycal/yandex-calendar/host-shim/component"
)

// envOption is one YCAL_WASM_* variable an operator may set in the server's environment.
type envOption struct {
	name     string
	min, max int
	set      func(*component.Options, int)
}

var envOptions = []envOption{
	{"YCAL_WASM_MEMORY_MIB", component.MinMemoryMiB, component.MaxMemoryMiB,
		func(o *component.Options, v int) { o.MemoryLimitMiB = uint32(v) }},
	{"YCAL_WASM_CALL_TIMEOUT_SECONDS", 1, 3600,
		func(o *component.Options, v int) { o.Background = time.Duration(v) * time.Second }},
	{"YCAL_WASM_INSTANCES", 1, component.MaxInstances,
		func(o *component.Options, v int) { o.MaxInstances = v }},
	{"YCAL_WASM_BACKGROUND_INSTANCES", 1, component.MaxInstances,
		func(o *component.Options, v int) { o.BackgroundInstances = v }},
	{"YCAL_WASM_TIMELY_INSTANCES", 1, component.MaxInstances,
		func(o *component.Options, v int) { o.TimelyInstances = v }},
	{"YCAL_WASM_INTERRUPTIBLE", 0, 1,
		func(o *component.Options, v int) { o.Interruptible = v == 1 }},
}

// runtimeOptions reads the wasm limits from the environment (getenv), so an operator can
// tune them without a rebuild. A value that is not a number in range is ignored with a
// warning naming the variable, the range and the default used instead.
func runtimeOptions(getenv func(string) string) (component.Options, []string) {
	var o component.Options
	var warnings []string
	for _, e := range envOptions {
		raw := strings.TrimSpace(getenv(e.name))
		if raw == "" {
			continue
		}
		v, err := strconv.Atoi(raw)
		if err != nil || v < e.min || v > e.max {
			warnings = append(warnings, fmt.Sprintf("%s=%q is not a whole number from %d to %d; using the default",
				e.name, raw, e.min, e.max))
			continue
		}
		e.set(&o, v)
	}
	return o, warnings
}
