"""The access suite's fixtures (demo counties, clients with setting overrides, a clock)."""

from tests.access.conftest import (  # noqa: F401 - fixtures re-exported for this directory
    clock,
    counties,
    fast_argon2,
    make_client,
)
