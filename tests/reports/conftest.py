"""The case workflow's small county, clock and clients (tests/cases/conftest.py), for the notice
tests; the report tests build demo counties of their own."""

from tests.access.conftest import fast_argon2  # noqa: F401
from tests.cases.conftest import api, clock, county, http  # noqa: F401
