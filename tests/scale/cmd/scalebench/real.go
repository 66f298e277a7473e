package main

import (
	"errors"

	"github.com/ycal/yandex-calendar/tests/scale/davstub"
)

func newReal(options, string, davstub.World) (target, error) {
	return nil, errors.New("the real mode is not built yet")
}
