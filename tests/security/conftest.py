"""The attacker's fixtures: the two demo counties of the access suite, their accounts and keys,
clients with no default caller and a clock tests can move (see ``tests/access/conftest.py``).

Every test here probes one hole found against the running API, through HTTP, as the attacker
would; each was run against the code before its fix and failed there.
"""

from tests.access.conftest import (  # noqa: F401 - fixtures re-exported for this directory
    LIPU,
    LOGIN,
    RONGCHANG,
    Clock,
    Counties,
    clock,
    code_of,
    counties,
    fast_argon2,
    gql,
    http,
    login,
    make_client,
    username,
)
