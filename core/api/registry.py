"""Superseded by :mod:`core.api.enums`, which registers every GraphQL enum and is where types
import them from. Kept only while modules of other branches still import this one for its
side effect (``from core.api import registry``); delete it when none does."""

from __future__ import annotations

import core.api.enums  # noqa: F401  (the registrations)
