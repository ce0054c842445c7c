"""The registry suite: the two demo counties of the access suite, their accounts and clients
with no default caller (see ``tests/access/conftest.py``); every request authenticates as a
township official, a head teacher or a county administrator would."""

from tests.access.conftest import (  # noqa: F401 - fixtures re-exported for this directory
    Clock,
    Counties,
    clock,
    counties,
    fast_argon2,
    http,
    make_client,
)
