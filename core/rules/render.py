"""Write a report format out as a table of strings.

:func:`render_report` is a pure function on plain ``dict`` rows keyed by report-field keys
(``"child.name"``, ``"stats.arrived"`` …); the database-backed builders and the Excel writer
sit on top of it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from enum import Enum
from typing import Any

from core.access import masking
from core.labelled_enum import LabelledEnum
from core.rules.enums import FieldKind
from core.rules.report_fields import REPORT_FIELDS, ReportField
from core.rules.specs import ReportFormat

NUMBER_HEADER = "序号"
TOTAL_LABEL = "合计"
_NUMERIC = (FieldKind.INTEGER, FieldKind.DECIMAL)


def render_report(fmt: ReportFormat, rows: Iterable[Mapping[str, Any]]) -> list[list[str]]:
    """The header row followed by one row of strings per input row (and a 合计 row).

    Missing or None values are written as ``""``; rows are stably sorted by the ``group_by``
    columns; with ``fmt.privacy`` personal values are masked.
    """
    fields = [REPORT_FIELDS[col.source] for col in fmt.columns]
    header = [col.header for col in fmt.columns]
    if fmt.numbered:
        header.insert(0, NUMBER_HEADER)
    ordered = sorted_rows(fmt, rows)
    table = [header]
    for number, row in enumerate(ordered, start=1):
        cells = [format_value(f, row.get(f.key), mask=fmt.privacy) for f in fields]
        if fmt.numbered:
            cells.insert(0, str(number))
        table.append(cells)
    if fmt.totals:
        table.append(totals_row(fmt, fields, ordered))
    return table


def sorted_rows(fmt: ReportFormat, rows: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """``rows`` stably sorted by the format's ``group_by`` columns (as written out)."""
    ordered = list(rows)
    if fmt.group_by:
        keys = [
            (s, formatter(REPORT_FIELDS[s])) for s in (fmt.column(k).source for k in fmt.group_by)
        ]
        ordered.sort(key=lambda row: tuple(text(row.get(s)) for s, text in keys))
    return ordered


def formatter(field: ReportField) -> Callable[[Any], str]:
    """:func:`format_value` of ``field`` unmasked, as one function for a whole column: a
    county-wide ledger writes a million cells, most of them text that is written as it is."""
    as_is = writes_strings_as_is(field)

    def text(value: Any) -> str:
        if value is None:
            return ""
        if as_is and type(value) is str:
            return value
        return format_value(field, value, mask=False)

    return text


def writes_strings_as_is(field: ReportField) -> bool:
    """Whether :func:`formatter` writes a string value of ``field`` as it is: every kind but
    the numbers, which are written to two places."""
    return field.kind not in (FieldKind.PERCENT, FieldKind.DECIMAL)


def render_sign_off(fmt: ReportFormat) -> list[str]:
    """One line per signatory under the table, e.g. ``单位主要负责同志 (审核、签字、盖章)：``."""
    return [f"{s.role} ({'、'.join(a.label for a in s.actions)})：" for s in fmt.sign_off]


def totals_row(
    fmt: ReportFormat, fields: list[ReportField], rows: list[Mapping[str, Any]]
) -> list[str]:
    """The 合计 row: the sum of each numeric column, 合计 in the first cell."""
    cells: list[str] = []
    for f in fields:
        if f.kind in _NUMERIC:
            total = sum((Decimal(str(row.get(f.key) or 0)) for row in rows), Decimal(0))
            cells.append(format_value(f, total, mask=False))
        else:
            cells.append("")
    if fmt.numbered:
        cells.insert(0, TOTAL_LABEL)
    elif cells and cells[0] == "":
        cells[0] = TOTAL_LABEL
    return cells


def format_value(field: ReportField, value: Any, *, mask: bool) -> str:
    """One cell: labels for enums, ``是``/``否``, ``97.30%``, ISO dates, ``、`` between items."""
    if value is None or value == "":
        return ""
    if field.kind is FieldKind.LIST and isinstance(value, (list, tuple, set, frozenset)):
        return "、".join(_scalar(FieldKind.TEXT, v) for v in value)
    text = _scalar(field.kind, value)
    if mask and field.mask:
        text = mask_value(text, field.mask)
    return text


def _scalar(kind: FieldKind, value: Any) -> str:
    if isinstance(value, LabelledEnum):
        return value.label
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if kind is FieldKind.PERCENT:
        return f"{_quantize(value)}%"
    if kind is FieldKind.DECIMAL:
        return str(_quantize(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _quantize(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def mask_value(text: str, how: str) -> str:
    """Hide a personal value on a published list, with the masks of :mod:`core.access.masking`:
    a name keeps its first and last character (张*三), an ID number or 学籍号 its division code
    only, a phone its first 3 and last 4 digits, an address its first 6 characters."""
    if how == "name":
        return masking.mask_name_for_publication(text) or ""
    if how == "id":
        return masking.mask_student_number(text) or ""
    if how == "phone":
        return masking.mask_phone(text) or ""
    if how == "address":
        return masking.mask_address(text) or ""
    return "*" * len(text)
