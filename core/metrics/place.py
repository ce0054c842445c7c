"""Where and when a metric is measured: the place (county, town, 学区, 督导责任区, school),
the day, and the county's compulsory school age on that day."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from core.labelled_enum import LabelledEnum
from core.rules.county import CountyRules


class PlaceKind(LabelledEnum):
    """统计范围."""

    COUNTY = "COUNTY", "县 (区、市)"
    TOWN = "TOWN", "乡镇/街道"
    SCHOOL_DISTRICT = "SCHOOL_DISTRICT", "学区"
    SUPERVISION_ZONE = "SUPERVISION_ZONE", "督导责任区"
    SCHOOL = "SCHOOL", "学校"


@dataclass(frozen=True)
class Place:
    """A county, or a town, school group or school inside it.

    ``id`` is the row id of the town, group or school (the jurisdiction's own for a county).
    """

    kind: PlaceKind
    id: uuid.UUID
    jurisdiction_id: uuid.UUID
    jurisdiction_code: str
    name: str

    @classmethod
    def county(cls, jurisdiction_id: uuid.UUID, code: str, name: str) -> Place:
        return cls(PlaceKind.COUNTY, jurisdiction_id, jurisdiction_id, code, name)


def school_year_of(day: date) -> int:
    """The school year a day falls in (2026 = 2026—2027: 1 September 2026 to 31 August 2027)."""
    return day.year if day.month >= 9 else day.year - 1


@dataclass(frozen=True)
class SchoolAge:
    """适龄: who is of compulsory-school age in a school year, by the county's rules.

    A child is of the age of grade ``g`` in school year ``Y`` when born from 1 September of
    ``Y − g − 6`` to 31 August of ``Y − g − 5`` (six by 31 August of the year of entry, the
    national rule). The county's :class:`~core.rules.specs.Scope` says which grades its
    documents cover (a plan for 中学: 7–9), and so which cohorts its registry counts.
    """

    school_year: int
    grades: tuple[int, ...]

    @classmethod
    def for_county(cls, rules: CountyRules, day: date) -> SchoolAge:
        return cls(school_year=school_year_of(day), grades=rules.scope.grades)

    def grade_birth_range(self, grade: int) -> tuple[date, date]:
        entry = self.school_year - grade + 1  # the autumn the cohort entered grade 1
        return date(entry - 7, 9, 1), date(entry - 6, 8, 31)

    def birth_ranges(self) -> list[tuple[date, date]]:
        """Birth-date ranges of the covered grades, merged where they touch."""
        ranges: list[tuple[date, date]] = []
        for grade in sorted(self.grades, reverse=True):  # oldest cohort first
            first, last = self.grade_birth_range(grade)
            if ranges and ranges[-1][1] + timedelta(days=1) == first:
                ranges[-1] = (ranges[-1][0], last)
            else:
                ranges.append((first, last))
        return ranges

    def stage_birth_first(self, stage: str) -> date:
        """The earliest birth date of 小学 age (grade 6); older children are of 初中 age."""
        return self.grade_birth_range(6)[0]

    def cohort_birth_range(self) -> tuple[date, date]:
        """The 9-year cohort finishing this school year: of grade-9 age."""
        return self.grade_birth_range(9)

    @staticmethod
    def visit_window_start(day: date) -> date:
        """Home visits count for coverage when made in the year up to ``day`` (exclusive
        start: the same day a year before)."""
        try:
            return day.replace(year=day.year - 1)
        except ValueError:  # 29 February
            return day.replace(year=day.year - 1, day=28)
