"""底数清: every child of compulsory-school age in the 学户册 in exactly one state.

The state of each child is decided in SQL (:func:`core.metrics.sql.facts_sql`), first match
wins, from the enrolment history and the case timeline as they stood on the day:

1. 死亡 — the latest 学籍异动 up to the day is a death;
2. 已确认失学辍学 — a dropout or never-enrolled case confirmed, under persuasion or handed on as
   unreachable on the day (the case at its level);
3. 疑似, 核实中 — such a case reported or under verification on the day;
4. 缓学/免学/休学 (已批准) — a case ended as exempted, or the enrolment suspended (休学);
5. 在本县就读 — enrolled: 普通 (incl. boarding), 随班就读, 送教上门, or at a 特殊教育学校;
6. 已确认失学辍学 — the enrolment itself says 辍学 (no case yet);
7. 在外地就读 — transferred out with the receiving school named (转学手续), or a case closed as
   transferred;
8. 已完成义务教育 — graduated early (a child of the age range who finished grade 9);
9. 随家庭外出 (去向已核实) — never on a roll here, the whole family away, its address known;
10. 底数不清 (unaccounted for) — anything else: no enrolment, no case, no recorded move (or a
    transfer out that names no receiving school).

The states add up to the registry (:func:`core.metrics.service.accounting`), and each
state's children are listed by :func:`core.metrics.service.state_condition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.labelled_enum import LabelledEnum
from core.metrics.place import Place


class AccountingState(LabelledEnum):
    """底数清 accounting state of one child on one day."""

    IN_SCHOOL_REGULAR = "IN_SCHOOL_REGULAR", "在本县就读: 普通 (含寄宿)"
    IN_SCHOOL_INCLUSIVE = "IN_SCHOOL_INCLUSIVE", "在本县就读: 随班就读"
    IN_SCHOOL_HOME_DELIVERED = "IN_SCHOOL_HOME_DELIVERED", "在本县就读: 送教上门"
    IN_SCHOOL_SPECIAL = "IN_SCHOOL_SPECIAL", "在本县就读: 特殊教育学校"
    STUDYING_ELSEWHERE = "STUDYING_ELSEWHERE", "在外地就读 (已办转学手续)"
    EXEMPTED_OR_DEFERRED = "EXEMPTED_OR_DEFERRED", "缓学/免学/休学 (已批准)"
    MOVED_AWAY = "MOVED_AWAY", "随家庭外出 (去向已核实)"
    COMPLETED = "COMPLETED", "已完成义务教育"
    DECEASED = "DECEASED", "死亡"
    UNDER_VERIFICATION = "UNDER_VERIFICATION", "疑似失学辍学, 核实中"
    CONFIRMED_OUT = "CONFIRMED_OUT", "已确认失学辍学"
    UNACCOUNTED = "UNACCOUNTED", "底数不清 (去向不明)"

    @property
    def in_school_here(self) -> bool:
        return self.value.startswith("IN_SCHOOL_")


IN_SCHOOL_STATES = tuple(s for s in AccountingState if s.in_school_here)


@dataclass(frozen=True)
class StateCount:
    state: AccountingState
    children: int


@dataclass(frozen=True)
class Accounting:
    """The ledger of one place on one day: registry = sum of the states."""

    place: Place
    as_of: date
    registry: int
    states: tuple[StateCount, ...]

    @property
    def unaccounted(self) -> int:
        return self.count(AccountingState.UNACCOUNTED)

    def count(self, state: AccountingState) -> int:
        return next((s.children for s in self.states if s.state is state), 0)
