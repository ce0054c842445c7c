"""The stored scope keys (范围键), checked: each derived again from the rows it stands for and
compared with what is stored.

The row scopes (core/access/scope.py) filter on four stored keys instead of deriving them in
every statement: ``child.town_id`` (the town of the village of the child's household, 户籍地),
``child.ever_enrolled`` (the child has an enrolment, current or ended),
``child.school_town_id`` (the town of the school of the child's current enrolment) and
``enrolment.town_id`` (the town of the enrolment's school). The database keeps them, by the
triggers of migrations ``0015_town_key`` and ``0018_school_town_key``, whoever writes the
rows; :func:`stale_scope_keys`
is how a test, or an operator after a manual repair, proves that they are right.
"""

from __future__ import annotations

from tortoise import connections

#: For each key, the rows whose stored value differs from the derived one.
_STALE: dict[str, str] = {
    "child.town_id": (
        "SELECT COUNT(*) AS n FROM child c"
        " LEFT JOIN household h ON h.id = c.household_id"
        " LEFT JOIN village v ON v.id = h.village_id"
        " WHERE c.town_id IS DISTINCT FROM v.town_id"
    ),
    "child.ever_enrolled": (
        "SELECT COUNT(*) AS n FROM child c WHERE c.ever_enrolled"
        " IS DISTINCT FROM EXISTS (SELECT 1 FROM enrolment e WHERE e.child_id = c.id)"
    ),
    "child.school_town_id": (
        "SELECT COUNT(*) AS n FROM child c"
        " WHERE c.school_town_id IS DISTINCT FROM (SELECT s.town_id FROM enrolment e"
        " JOIN school s ON s.id = e.school_id WHERE e.child_id = c.id AND e.is_current"
        " AND s.town_id IS NOT NULL ORDER BY s.town_id LIMIT 1)"
    ),
    "enrolment.town_id": (
        "SELECT COUNT(*) AS n FROM enrolment e"
        " LEFT JOIN school s ON s.id = e.school_id"
        " WHERE e.town_id IS DISTINCT FROM s.town_id"
    ),
}


async def stale_scope_keys() -> dict[str, int]:
    """How many rows hold a wrong stored key, per key (``{"child.town_id": 0, …}``): all
    zeros when the keys are right."""
    conn = connections.get("default")
    stale = {}
    for key, sql in _STALE.items():
        _, rows = await conn.execute_query(sql)
        stale[key] = int(rows[0]["n"])
    return stale
