"""The typed table a report is: what GraphQL returns, what the CSV and XLSX writers write out
and what a snapshot stores.

:func:`build_table` takes a county's :class:`~core.rules.specs.ReportFormat`, the rows a row
source produced (plain ``dict`` rows keyed by report-field keys, ``"child.name"`` …) and where
and when the report is for, and gives a :class:`ReportTable`: title, header groups, columns
with their kinds, rows of display strings (sorted, numbered, masked as asked), the 合计 row,
the sign-off lines and the clause it implements. Cells are strings as the county reads them
(``97.30%``, ``是``, ``2025-09-01``); each column's ``kind`` lets a spreadsheet writer turn them
back into numbers and dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core.labelled_enum import LabelledEnum
from core.rules.enums import FieldKind
from core.rules.render import (
    NUMBER_HEADER,
    TOTAL_LABEL,
    format_value,
    formatter,
    mask_value,
    render_sign_off,
    sorted_rows,
    totals_row,
    writes_strings_as_is,
)
from core.rules.report_fields import REPORT_FIELDS, ReportField
from core.rules.specs import ReportFormat


class Masking(LabelledEnum):
    """How much of the personal values a table shows (报表打码)."""

    #: Everything, for callers who may read personal details.
    NONE = "NONE", "不打码"
    #: ID numbers, phones, addresses and guardians' names hidden, as the API hides them from
    #: callers without READ_PERSONAL_DETAILS; the children's names stay.
    PERSONAL = "PERSONAL", "敏感信息打码 (身份证号、电话、住址、监护人)"
    #: The published variant (公示): names too (张*三), as a list posted in public needs.
    PUBLIC = "PUBLIC", "公示版 (姓名、身份证号等均打码)"


#: Fields hidden under :attr:`Masking.PERSONAL` besides every ID number, phone and address.
_PERSONAL_NAMES = frozenset({"guardian.name"})


def _masks(f: ReportField, masking: Masking) -> bool:
    if masking is Masking.PUBLIC:
        return f.mask is not None
    if masking is Masking.PERSONAL:
        return f.mask in ("id", "phone", "address") or f.key in _PERSONAL_NAMES
    return False


@dataclass(frozen=True)
class TableColumn:
    """One column: its key in the format, the header the form prints and the kind of value."""

    key: str
    header: str
    kind: FieldKind
    source: str = ""


@dataclass(frozen=True)
class HeaderSpan:
    """A heading over ``span`` columns starting at column ``first`` (0-based, 序号 counted)."""

    label: str
    first: int
    span: int


@dataclass(frozen=True)
class ReportTable:
    """A report as a table of strings, with what a printed form has around it."""

    code: str
    title: str
    #: Where and when: e.g. ``示范县 · 2026-09-01 (开学报表)``.
    subtitle: str
    columns: tuple[TableColumn, ...]
    rows: tuple[tuple[str, ...], ...]
    totals: tuple[str, ...] | None
    header_groups: tuple[HeaderSpan, ...] = ()
    sign_off: tuple[str, ...] = ()
    submit_to: tuple[str, ...] = ()
    clause: str = ""
    masking: Masking = Masking.NONE
    notes: tuple[str, ...] = field(default=())

    @property
    def header(self) -> list[str]:
        return [c.header for c in self.columns]

    def grid(self) -> list[list[str]]:
        """Header, rows and the 合计 row as one list of lists (the CSV body)."""
        lines = [self.header, *(list(r) for r in self.rows)]
        if self.totals is not None:
            lines.append(list(self.totals))
        return lines

    def to_json(self) -> dict[str, Any]:
        """Plain data for a snapshot (every value a string, list or null)."""
        return {
            "code": self.code,
            "title": self.title,
            "subtitle": self.subtitle,
            "columns": [[c.key, c.header, c.kind.value, c.source] for c in self.columns],
            "rows": [list(r) for r in self.rows],
            "totals": list(self.totals) if self.totals is not None else None,
            "headerGroups": [[g.label, g.first, g.span] for g in self.header_groups],
            "signOff": list(self.sign_off),
            "submitTo": list(self.submit_to),
            "clause": self.clause,
            "masking": self.masking.value,
            "notes": list(self.notes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReportTable:
        return cls(
            code=data["code"],
            title=data["title"],
            subtitle=data["subtitle"],
            columns=tuple(
                TableColumn(key=k, header=h, kind=FieldKind(kind), source=s)
                for k, h, kind, s in data["columns"]
            ),
            rows=tuple(tuple(r) for r in data["rows"]),
            totals=tuple(data["totals"]) if data["totals"] is not None else None,
            header_groups=tuple(HeaderSpan(label, a, n) for label, a, n in data["headerGroups"]),
            sign_off=tuple(data["signOff"]),
            submit_to=tuple(data["submitTo"]),
            clause=data["clause"],
            masking=Masking(data["masking"]),
            notes=tuple(data.get("notes", ())),
        )


def table_frame(
    fmt: ReportFormat,
    *,
    subtitle: str = "",
    masking: Masking = Masking.NONE,
    notes: tuple[str, ...] = (),
) -> ReportTable:
    """The table of ``fmt`` without rows: title, columns (序号 first when numbered), header
    groups, sign-off lines and the clause, as :func:`build_table` gives them and as a table
    streamed a chunk of rows at a time (:mod:`core.reports.register`) is framed."""
    if fmt.privacy:
        masking = Masking.PUBLIC
    columns = [
        TableColumn(key=c.key, header=c.header, kind=REPORT_FIELDS[c.source].kind, source=c.source)
        for c in fmt.columns
    ]
    offset = 0
    if fmt.numbered:
        columns.insert(0, TableColumn(key="number", header=NUMBER_HEADER, kind=FieldKind.INTEGER))
        offset = 1
    positions = {c.key: i + offset for i, c in enumerate(fmt.columns)}
    groups = tuple(
        HeaderSpan(g.label, positions[g.columns[0]], len(g.columns)) for g in fmt.header_groups
    )
    return ReportTable(
        code=fmt.code,
        title=fmt.title,
        subtitle=subtitle,
        columns=tuple(columns),
        rows=(),
        totals=None,
        header_groups=groups,
        sign_off=tuple(render_sign_off(fmt)),
        submit_to=tuple(fmt.submit_to),
        clause=fmt.clause.label,
        masking=masking,
        notes=notes,
    )


def row_writer(
    fmt: ReportFormat, masking: Masking
) -> Callable[[Mapping[str, Any]], tuple[str, ...]]:
    """The cells of one row of ``fmt`` (without the 序号), written out and masked as
    ``masking`` asks: the one author of a report row's cells, for a whole table, a page of the
    学户册 and a streamed file alike."""
    if fmt.privacy:
        masking = Masking.PUBLIC
    fields = [REPORT_FIELDS[c.source] for c in fmt.columns]
    keys = [f.key for f in fields]
    # a column whose text is written as it is (not masked, not a number) takes a value that is
    # a string without a call: most of a ledger's cells, a million at a county
    columns = [(_cell_writer(f, masking), _written_as_is(f, masking)) for f in fields]

    def cells(row: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(
            [
                value if as_is and type(value) is str else write(value)
                for value, (write, as_is) in zip(map(row.get, keys), columns, strict=True)
            ]
        )

    return cells


def _written_as_is(f: ReportField, masking: Masking) -> bool:
    """Whether a string in column ``f`` is its cell as it is: written so, and not masked."""
    return writes_strings_as_is(f) and not _masked(f, masking)


def _masked(f: ReportField, masking: Masking) -> bool:
    """Whether ``masking`` hides the cells of column ``f`` (a list's items are labels, never
    masked)."""
    return _masks(f, masking) and f.kind is not FieldKind.LIST


def build_table(
    fmt: ReportFormat,
    rows: Iterable[Mapping[str, Any]],
    *,
    subtitle: str = "",
    masking: Masking = Masking.NONE,
    notes: tuple[str, ...] = (),
    total_values: Mapping[str, Any] | None = None,
) -> ReportTable:
    """The table of ``fmt`` over ``rows``: sorted by ``group_by``, numbered, masked, totalled.

    A format with ``privacy`` is always the published variant, whatever ``masking`` asks.
    The 合计 row sums the numeric columns; ``total_values`` gives the cells that are not sums
    (a rate of the whole place), by field.
    """
    frame = table_frame(fmt, subtitle=subtitle, masking=masking, notes=notes)
    fields = [REPORT_FIELDS[col.source] for col in fmt.columns]
    ordered = sorted_rows(fmt, rows)
    write = row_writer(fmt, frame.masking)
    if fmt.numbered:
        body = [(str(number), *write(row)) for number, row in enumerate(ordered, start=1)]
    else:
        body = [write(row) for row in ordered]
    totals = None
    if fmt.totals:
        cells = totals_row(fmt, fields, ordered)
        for index, f in enumerate(fields):
            if total_values and f.key in total_values:
                cells[index + (1 if fmt.numbered else 0)] = format_value(
                    f, total_values[f.key], mask=False
                )
        if fmt.numbered:
            cells[0] = TOTAL_LABEL
        totals = tuple(cells)
    return replace(frame, rows=tuple(body), totals=totals)


def _cell_writer(f: ReportField, masking: Masking) -> Callable[[Any], str]:
    """The cell of column ``f`` for a value: written out, and masked as ``masking`` asks (a
    list's items are labels, never masked)."""
    text = formatter(f)
    if not _masked(f, masking):
        return text
    how = f.mask or ""

    def masked(value: Any) -> str:
        written = text(value)
        return mask_value(written, how) if written else written

    return masked


__all__ = [
    "TOTAL_LABEL",
    "HeaderSpan",
    "Masking",
    "ReportTable",
    "TableColumn",
    "build_table",
    "row_writer",
    "table_frame",
]
