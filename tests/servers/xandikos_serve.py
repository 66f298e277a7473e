"""Runs Xandikos with Basic auth over plain HTTP, for loopback tests only.

Xandikos refuses --htpasswd without --autocert (a self-signed HTTPS certificate our
clients would rightly reject). On 127.0.0.1 cleartext is harmless, so this launcher lets
exactly that one refusal pass and otherwise runs Xandikos unchanged.
"""
import argparse
import asyncio
import sys

_error = argparse.ArgumentParser.error


def _error_but_allow_plain_http_auth(self, message):
    if "--htpasswd requires --autocert" in message:
        return None
    return _error(self, message)


argparse.ArgumentParser.error = _error_but_allow_plain_http_auth

from xandikos.__main__ import main  # noqa: E402

sys.exit(asyncio.run(main(sys.argv[1:])))
