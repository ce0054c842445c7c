"""指标: one definition per indicator — numerator, denominator, Chinese name, formula text —
evaluated for a place, a day and a breakdown by SQL aggregation over
:func:`core.metrics.sql.facts_sql`.

Every figure Baoxue shows (the GraphQL ``metrics`` field, the targets, the reports) comes from
:func:`evaluate`, so a number means the same wherever it appears. The formulas and their
assumptions are written out in ``docs/metrics.md``; each condition below is the SQL of one
sentence there, over one ``facts`` row ``f`` (one child).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.labelled_enum import LabelledEnum
from core.metrics.accounting import IN_SCHOOL_STATES, AccountingState
from core.metrics.sql import (
    HARDSHIP_GROUPS,
    Frame,
    Params,
    facts_sql,
    is_postgres,
    key_groups_sql,
)
from core.metrics.store import fetch_aggregate
from core.people.enums import KeyGroup
from core.rules.enums import Population, SchoolStage

A = AccountingState


class IndicatorCode(LabelledEnum):
    """指标代码. The first six are the metrics county targets name (``core.rules.Metric``)."""

    ENROLMENT_RATE = "ENROLMENT_RATE", "入学率"
    CONSOLIDATION_RATE = "CONSOLIDATION_RATE", "巩固率"
    DROPOUT_RATE = "DROPOUT_RATE", "失学辍学率"
    DROPOUT_COUNT = "DROPOUT_COUNT", "失学辍学人数"
    OUTFLOW_COUNT = "OUTFLOW_COUNT", "流失学生人数"
    ASSISTANCE_COVERAGE = "ASSISTANCE_COVERAGE", "资助覆盖率"
    HOME_VISIT_COVERAGE = "HOME_VISIT_COVERAGE", "重点群体家访覆盖率"
    UNACCOUNTED_COUNT = "UNACCOUNTED_COUNT", "底数不清人数"
    SUSPECTED_COUNT = "SUSPECTED_COUNT", "疑似失学辍学 (核实中) 人数"


class Breakdown(LabelledEnum):
    """分组统计."""

    NONE = "NONE", "不分组"
    STAGE = "STAGE", "按学段"
    TOWN = "TOWN", "按乡镇/街道"
    #: By the school the child is enrolled at (or whose case it is): the summary reports' rows.
    SCHOOL = "SCHOOL", "按学校"
    KEY_GROUP = "KEY_GROUP", "按重点群体"
    KEY_AREA = "KEY_AREA", "按重点地区类别"


@dataclass(frozen=True)
class Options:
    """What a target adds to a definition: case reasons that do not count against it."""

    excluding_reasons: tuple[str, ...] = ()


Condition = Callable[[Options, Params], str]


def _states(*states: AccountingState) -> str:
    return "(" + ", ".join(f"'{s.value}'" for s in states) + ")"


_IN_SCHOOL = _states(*IN_SCHOOL_STATES)
#: Children the county itself must have in school: not dead, not gone with the family.
_RESPONSIBLE = f"f.state NOT IN {_states(A.DECEASED, A.MOVED_AWAY)}"
#: A key-group membership that held on the day (``f.as_of``): begun, not yet ended.
_ACTIVE = "(g.since IS NULL OR g.since <= f.as_of) AND (g.ended_on IS NULL OR g.ended_on > f.as_of)"
#: What ``facts`` (:func:`core.metrics.sql.facts_sql`) holds of each child as it stood on the
#: day: a 家庭经济困难 group, the school year's assistance granted, a home visit in the year, a
#: key group other than 流出.
_HARDSHIP = key_groups_sql(HARDSHIP_GROUPS)
_ASSISTED = "f.assisted = 1"
_VISITED = "f.visited = 1"
_KEY_GROUP_MEMBER = key_groups_sql(g for g in KeyGroup if g is not KeyGroup.MOVED_AWAY)


def _dropout(options: Options, p: Params) -> str:
    sql = f"f.state = '{A.CONFIRMED_OUT.value}'"
    if options.excluding_reasons:
        sql += f" AND COALESCE(f.case_reason, '') NOT IN {p.many(options.excluding_reasons)}"
    return sql


def _excepted(options: Options, p: Params) -> str:
    """Dropouts the options except (shown beside a target)."""
    if not options.excluding_reasons:
        return "1 = 0"
    return (
        f"f.state = '{A.CONFIRMED_OUT.value}' "
        f"AND f.case_reason IN {p.many(options.excluding_reasons)}"
    )


def _const(sql: str) -> Condition:
    return lambda options, p: sql


@dataclass(frozen=True)
class Indicator:
    """One indicator (DHIS2's sense): numerator ÷ denominator, or a count when there is no
    denominator. ``shortfall`` is the condition on the children who make up a gap: those in
    the denominator and not the numerator for a rate that should be high, the numerator's
    children for a count or rate that should be low."""

    code: IndicatorCode
    numerator_text: str
    denominator_text: str | None
    formula: str
    numerator: Condition
    denominator: Condition | None = None
    higher_is_better: bool = True
    notes: tuple[str, ...] = field(default=())

    @property
    def name(self) -> str:
        return self.code.label

    @property
    def is_rate(self) -> bool:
        return self.denominator is not None

    def shortfall(self, options: Options, p: Params) -> str:
        if self.denominator is not None and self.higher_is_better:
            return f"({self.denominator(options, p)}) AND NOT ({self.numerator(options, p)})"
        return self.numerator(options, p)


_IN_SCHOOL_OR_ELSEWHERE = _states(*IN_SCHOOL_STATES, A.STUDYING_ELSEWHERE, A.COMPLETED)
_COHORT_BASE = (
    "f.cohort = 1 AND f.ever_enrolled = 1 "
    f"AND f.state NOT IN {_states(A.STUDYING_ELSEWHERE, A.DECEASED, A.MOVED_AWAY)}"
)

INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        code=IndicatorCode.ENROLMENT_RATE,
        numerator_text="在校的适龄儿童少年 (在本县就读、在外地就读或已完成义务教育; 休学不计)",
        denominator_text="学户册中的适龄儿童少年, 不含死亡和随家庭外出者",
        formula="入学率 = 在校适龄儿童少年数 ÷ (学户册适龄儿童少年数 − 死亡 − 随家庭外出) × 100%",
        numerator=_const(f"f.state IN {_IN_SCHOOL_OR_ELSEWHERE}"),
        denominator=_const(_RESPONSIBLE),
    ),
    Indicator(
        code=IndicatorCode.CONSOLIDATION_RATE,
        numerator_text="本学年应完成九年义务教育的年龄组中在校 (或已毕业) 的学生",
        denominator_text="该年龄组曾在本县入学者 (入学 + 转入), 减去转出 (在外地就读) 和死亡者",
        formula=(
            "巩固率 = 该年龄组在校生数 ÷ (该年龄组入学人数 + 转入人数 − 转出人数 − 死亡人数) × 100%"
        ),
        numerator=_const(
            f"{_COHORT_BASE} AND f.state IN {_states(*IN_SCHOOL_STATES, A.COMPLETED)}"
        ),
        denominator=_const(_COHORT_BASE),
    ),
    Indicator(
        code=IndicatorCode.DROPOUT_RATE,
        numerator_text="已确认失学辍学的适龄儿童少年 (目标所列原因除外)",
        denominator_text="学户册中的适龄儿童少年, 不含死亡和随家庭外出者",
        formula="失学辍学率 = 失学辍学人数 ÷ (学户册适龄儿童少年数 − 死亡 − 随家庭外出) × 100%",
        numerator=_dropout,
        denominator=_const(_RESPONSIBLE),
        higher_is_better=False,
    ),
    Indicator(
        code=IndicatorCode.DROPOUT_COUNT,
        numerator_text="已确认失学辍学的适龄儿童少年 (目标所列原因除外)",
        denominator_text=None,
        formula="失学辍学人数 = 已确认失学辍学 (个案已确认、劝返中、联系不上, 或学籍为辍学) 的人数",
        numerator=_dropout,
        higher_is_better=False,
    ),
    Indicator(
        code=IndicatorCode.OUTFLOW_COUNT,
        numerator_text="曾在本县入学、现已确认失学辍学或去向不明 (未办转学手续) 的学生",
        denominator_text=None,
        formula="流失学生人数 = 曾有学籍且 (已确认失学辍学 或 底数不清) 的人数",
        numerator=_const(
            f"f.ever_enrolled = 1 AND f.state IN {_states(A.CONFIRMED_OUT, A.UNACCOUNTED)}"
        ),
        higher_is_better=False,
    ),
    Indicator(
        code=IndicatorCode.ASSISTANCE_COVERAGE,
        numerator_text="本学年已获资助的家庭经济困难在校生",
        denominator_text="在本县就读的家庭经济困难学生 (含脱贫户、监测户、低保家庭子女)",
        formula="资助覆盖率 = 本学年已获至少一项资助的困难在校生数 ÷ 困难在校生数 × 100%",
        numerator=_const(f"f.state IN {_IN_SCHOOL} AND {_HARDSHIP} AND {_ASSISTED}"),
        denominator=_const(f"f.state IN {_IN_SCHOOL} AND {_HARDSHIP}"),
    ),
    Indicator(
        code=IndicatorCode.HOME_VISIT_COVERAGE,
        numerator_text="近一年内有家访记录的重点群体在校生",
        denominator_text="在本县就读的重点群体学生 (随家庭外出者除外)",
        formula="家访覆盖率 = 近一年内家访过的重点群体在校生数 ÷ 重点群体在校生数 × 100%",
        numerator=_const(f"f.state IN {_IN_SCHOOL} AND {_KEY_GROUP_MEMBER} AND {_VISITED}"),
        denominator=_const(f"f.state IN {_IN_SCHOOL} AND {_KEY_GROUP_MEMBER}"),
    ),
    Indicator(
        code=IndicatorCode.UNACCOUNTED_COUNT,
        numerator_text="底数不清 (无学籍、无个案、无已核实去向) 的适龄儿童少年",
        denominator_text=None,
        formula="底数不清人数 = 学户册中不属于任何已核实状态的适龄儿童少年人数",
        numerator=_const(f"f.state = '{A.UNACCOUNTED.value}'"),
        higher_is_better=False,
    ),
    Indicator(
        code=IndicatorCode.SUSPECTED_COUNT,
        numerator_text="疑似失学辍学、尚在核实中的适龄儿童少年",
        denominator_text=None,
        formula="疑似人数 = 个案处于已上报或核实中状态的人数",
        numerator=_const(f"f.state = '{A.UNDER_VERIFICATION.value}'"),
        higher_is_better=False,
    ),
)

_BY_CODE = {i.code: i for i in INDICATORS}


def indicator(code: IndicatorCode | str) -> Indicator:
    """The definition of ``code`` (a :class:`IndicatorCode` or a ``core.rules.Metric``)."""
    return _BY_CODE[IndicatorCode(getattr(code, "value", code))]


POPULATION_GROUPS: dict[Population, KeyGroup | None] = {
    Population.ALL: None,
    Population.POVERTY_LIFTED: KeyGroup.POVERTY_LIFTED,
    Population.MONITORED: KeyGroup.MONITORED,
    Population.FINANCIAL_HARDSHIP: KeyGroup.FINANCIAL_HARDSHIP,
    Population.LEFT_BEHIND: KeyGroup.LEFT_BEHIND,
    Population.DISABLED: KeyGroup.DISABLED,
    Population.MIGRANT: KeyGroup.MIGRANT,
}


def population_sql(population: Population) -> str:
    group = POPULATION_GROUPS[population]
    if group is None:
        return "1 = 1"
    return key_groups_sql([group])


@dataclass(frozen=True)
class Value:
    """One indicator's figure for one bucket of a breakdown (``bucket`` None: the whole)."""

    indicator: Indicator
    numerator: int
    denominator: int | None
    bucket: str | None = None
    #: Dropouts the options except (荔浦: 身体原因), shown beside the figure.
    excepted: int = 0
    population: Population = Population.ALL

    @property
    def value(self) -> Decimal | None:
        """Per cent to two places for a rate (None when the denominator is 0); the count."""
        if self.denominator is None:
            return Decimal(self.numerator)
        if self.denominator == 0:
            return None
        exact = Decimal(self.numerator * 100) / Decimal(self.denominator)
        return exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def exact(self) -> Decimal | None:
        """The unrounded value (what targets are held against)."""
        if self.denominator is None:
            return Decimal(self.numerator)
        if self.denominator == 0:
            return None
        return Decimal(self.numerator * 100) / Decimal(self.denominator)


def _bucket_sql(breakdown: Breakdown, frame: Frame, p: Params) -> tuple[str, str]:
    """``(bucket expression, extra FROM)`` for a breakdown."""
    if breakdown is Breakdown.NONE:
        return "NULL", ""
    if breakdown is Breakdown.STAGE:
        return "f.stage", ""
    if breakdown is Breakdown.TOWN:
        return "f.town_id", ""
    if breakdown is Breakdown.SCHOOL:
        return "f.school_id", ""
    if breakdown is Breakdown.KEY_GROUP:
        return 'g."group"', f" JOIN child_key_group g ON g.child_id = f.child_id AND {_ACTIVE}"
    # KEY_AREA: the kind of key area each cell's place lies in (:func:`_key_area_cells_sql`)
    return "f.bucket", ""


def _key_area_cells_sql(frame: Frame, p: Params, keys: str) -> str:
    """``cells`` by kind of 重点地区: the children counted by place (village and town) and
    ``keys``; each place with each kind of key area it lies in (a village named by a key
    area, or any village of a town named as a whole), once per kind; those counts summed by
    kind and ``keys``. The counts by place are read once (a CTE read twice is materialised by
    SQLite, and the facts under it with it: 0.6 s at 100,000 pupils)."""
    j = p(frame.place.jurisdiction_id)
    places = f"f.village_id, f.town_id, {keys}"
    return (
        f", places AS (SELECT {places}, COUNT(*) AS n FROM facts f GROUP BY {places})"
        f", placed AS (SELECT DISTINCT ka.kind, {places}, f.n FROM places f JOIN key_area ka"
        f" ON ka.jurisdiction_id = {j} AND (ka.village_id = f.village_id"
        " OR (ka.village_id IS NULL AND ka.town_id = f.town_id)))"
        f", cells AS (SELECT f.kind AS bucket, {keys}, SUM(f.n) AS n FROM placed f"
        f" GROUP BY f.kind, {keys})"
    )


@dataclass(frozen=True)
class Request:
    """One figure to compute: an indicator over a population, with a target's options."""

    indicator: Indicator
    population: Population = Population.ALL
    options: Options = Options()


def _columns(requests: Sequence[Request], p: Params, weight: str) -> list[str]:
    columns = []
    for i, req in enumerate(requests):
        pop = population_sql(req.population)
        num = req.indicator.numerator(req.options, p)
        columns.append(f"SUM(CASE WHEN {pop} AND {num} THEN {weight} ELSE 0 END) AS n{i}")
        if req.indicator.denominator is not None:
            den = req.indicator.denominator(req.options, p)
            columns.append(f"SUM(CASE WHEN {pop} AND {den} THEN {weight} ELSE 0 END) AS d{i}")
        if req.options.excluding_reasons:
            exc = _excepted(req.options, p)
            columns.append(f"SUM(CASE WHEN {pop} AND {exc} THEN {weight} ELSE 0 END) AS e{i}")
    return columns


#: The ``facts`` columns every condition of this module reads: the children are first
#: counted by these (a few hundred combinations for a county), then each figure sums the
#: counts of the combinations it takes, so the conditions run once per combination, not
#: once per child.
_CELL_COLUMNS = (
    "state",
    "case_reason",
    "cohort",
    "ever_enrolled",
    "key_groups",
    "assisted",
    "visited",
)
#: Breakdowns by a column of ``facts`` (one bucket per child), which can be counted so.
_BY_COLUMN = (Breakdown.NONE, Breakdown.STAGE, Breakdown.TOWN, Breakdown.SCHOOL)
#: Breakdowns whose buckets a cell's columns decide (a child may fall in several key-area
#: kinds: the cells carry village and town, and each joins the kinds of its place).
_BY_CELL = (*_BY_COLUMN, Breakdown.KEY_AREA)


def _cell_keys(columns: Sequence[str]) -> tuple[str, ...]:
    """The :data:`_CELL_COLUMNS` that the figures' conditions (``columns``) read: the children
    are counted by these alone, so a report that asks for one figure by school groups them by
    school and state, not by every combination of the seven columns (fewer, larger cells; the
    sums are the same). ``state`` always: every figure reads it."""
    text = " ".join(columns)
    return tuple(c for c in _CELL_COLUMNS if c == "state" or re.search(rf"\bf\.{c}\b", text))


def _values(requests: Sequence[Request], rows: list[dict]) -> list[Value]:
    values = []
    for i, req in enumerate(requests):
        for row in rows:
            bucket_value = row.get("bucket")
            values.append(
                Value(
                    indicator=req.indicator,
                    numerator=int(row.get(f"n{i}") or 0),
                    denominator=int(row.get(f"d{i}") or 0) if req.indicator.is_rate else None,
                    bucket=None if bucket_value is None else str(bucket_value),
                    excepted=int(row.get(f"e{i}") or 0),
                    population=req.population,
                )
            )
    return values


async def evaluate_requests(
    frame: Frame,
    requests: Sequence[Request],
    *,
    breakdown: Breakdown = Breakdown.NONE,
    with_states: bool = False,
) -> tuple[list[Value], dict[str, int]]:
    """Every request for each bucket of ``breakdown`` in one statement; with ``with_states``
    also the children of the whole place by accounting state (``{state: children}``)."""
    rows = await fetch_aggregate(
        lambda stored_only: _statement(frame, requests, breakdown, with_states, stored_only),
        frame.place.jurisdiction_id,
        frame.as_of,
    )
    if breakdown is Breakdown.NONE and not rows:
        rows = [{"bucket": None}]
    states: dict[str, int] = {}
    if with_states and breakdown is Breakdown.NONE:
        from core.metrics.accounting import AccountingState

        states = {s.value: int(rows[0].get(f"s{i}") or 0) for i, s in enumerate(AccountingState)}
    return _values(requests, rows), states


def _statement(
    frame: Frame,
    requests: Sequence[Request],
    breakdown: Breakdown,
    with_states: bool,
    stored_only: bool,
) -> tuple[str, Params]:
    """:func:`evaluate_requests`' statement and its parameters."""
    p = Params(is_postgres())
    prefix = facts_sql(frame, p, aggregate=True, stored_only=stored_only)
    cells = breakdown in _BY_CELL
    columns = _columns(requests, p, "f.n" if cells else "1")
    if with_states:
        from core.metrics.accounting import AccountingState

        # Aliases by position: PostgreSQL folds unquoted aliases to lower case.
        columns += [
            f"SUM(CASE WHEN f.state = '{s.value}' THEN {'f.n' if cells else 1} ELSE 0 END) AS s{i}"
            for i, s in enumerate(AccountingState)
        ]
    bucket, join = _bucket_sql(breakdown, frame, p)
    read = _cell_keys(columns)
    if breakdown is Breakdown.KEY_AREA:
        prefix += _key_area_cells_sql(frame, p, ", ".join(f"f.{c}" for c in read))
        source = "cells f"
    elif cells:
        keys = ", ".join(f"f.{c}" for c in read)
        grouped = keys if breakdown is Breakdown.NONE else f"{bucket}, {keys}"
        prefix += (
            f", cells AS (SELECT {bucket} AS bucket, {keys}, COUNT(*) AS n FROM facts f "
            f"GROUP BY {grouped})"
        )
        source = "cells f"
        if breakdown is not Breakdown.NONE:
            bucket = "f.bucket"
    else:
        source = f"facts f{join}"
    sql = prefix + f"SELECT {bucket} AS bucket, {', '.join(columns)} FROM {source}"
    if breakdown is not Breakdown.NONE:
        sql += f" GROUP BY {bucket} ORDER BY {bucket}"
    return sql, p


async def evaluate(
    frame: Frame,
    indicators: Sequence[Indicator] = INDICATORS,
    *,
    breakdown: Breakdown = Breakdown.NONE,
    population: Population = Population.ALL,
    options: Options = Options(),
) -> list[Value]:
    """Every indicator of ``indicators`` for each bucket of ``breakdown``, in one statement,
    in the order of ``indicators`` (buckets in SQL order within each)."""
    requests = [Request(i, population, options) for i in indicators]
    values, _ = await evaluate_requests(frame, requests, breakdown=breakdown)
    return values


def stage_label(code: str) -> str:
    return SchoolStage(code).label
