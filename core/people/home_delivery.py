"""送教上门 as the county allows it: the one check every way of recording it goes through.

A county's plugin may limit who is taught at home (``baoxue_home_delivery``: 荔浦 四.(三)3,
6 to 16 year olds with a severe disability); a 学籍 changed to 送教上门, a 送教上门 plan and an
expert committee's recommendation of it are refused for anyone else, naming the rule.
"""

from __future__ import annotations

from datetime import date

from core.errors import DomainError, ErrorCode
from core.jurisdictions.models import Jurisdiction
from core.people.models import Child
from core.people.queries import age_on
from core.plugins import rules_for


async def check_home_delivery(child: Child, day: date, field: str) -> None:
    """``INVALID`` on ``field`` unless ``child`` may be taught at home on ``day``."""
    code = await Jurisdiction.filter(id=child.jurisdiction_id).values_list(
        "division_code", flat=True
    )
    rule = rules_for(code[0] if code else "").home_delivery
    if rule is None:
        return
    age = age_on(child.birth_date, day)
    grades = "、".join(str(g) for g in rule.disability_grades)
    source = f"{rule.clause.document} {rule.clause.section}".strip()
    if not rule.min_age <= age <= rule.max_age:
        raise DomainError(
            ErrorCode.INVALID,
            f"本地区送教上门限 {rule.min_age} 至 {rule.max_age} 周岁 (该儿童 {age} 岁; {source})",
            f"home delivery is for ages {rule.min_age} to {rule.max_age} here "
            f"(the child is {age}; {rule.clause.section})",
            field=field,
        )
    if child.disability_grade not in rule.disability_grades:
        raise DomainError(
            ErrorCode.INVALID,
            f"本地区送教上门限残疾等级 {grades} 级 (重度残疾) 的儿童; 该儿童的残疾等级为 "
            f"{child.disability_grade or '未登记'} ({source})",
            f"home delivery is for disability grades {grades} here; the child's is "
            f"{child.disability_grade or 'not recorded'} ({rule.clause.section})",
            field=field,
        )
