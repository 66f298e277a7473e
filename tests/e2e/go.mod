module yandex-calendar/tests/e2e

go 1.24
