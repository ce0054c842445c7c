"""What each staff role may do. The one place that maps roles to permissions."""

from __future__ import annotations

from core.access.enums import Permission as P
from core.access.enums import Role, ScopeKind

ROLE_PERMISSIONS: dict[Role, frozenset[P]] = {
    Role.COUNTY_ADMIN: frozenset(P),
    Role.BUREAU_STAFF: frozenset(
        {P.READ_ROSTER, P.READ_PERSONAL_DETAILS, P.READ_CASES, P.WRITE_CASES, P.READ_REPORTS,
         P.VERIFY_ENROLMENT, P.SUBMIT_ROSTER, P.WRITE_ROSTER, P.WRITE_ENROLMENT, P.SIGN_REPORTS,
         P.REVIEW_REPORTS, P.RECORD_ATTENDANCE}
    ),
    Role.REGISTRAR: frozenset(
        {P.READ_ROSTER, P.READ_PERSONAL_DETAILS, P.READ_CASES, P.WRITE_CASES, P.VERIFY_ENROLMENT,
         P.SUBMIT_ROSTER, P.WRITE_ROSTER, P.WRITE_ENROLMENT}
    ),
    Role.SCHOOL_HEAD: frozenset(
        {P.READ_ROSTER, P.READ_PERSONAL_DETAILS, P.READ_CASES, P.WRITE_CASES, P.READ_REPORTS,
         P.WRITE_ROSTER, P.WRITE_ENROLMENT, P.SIGN_REPORTS, P.RECORD_ATTENDANCE}
    ),
    Role.HEAD_TEACHER: frozenset(
        {P.READ_ROSTER, P.READ_PERSONAL_DETAILS, P.READ_CASES, P.WRITE_CASES, P.WRITE_ROSTER,
         P.WRITE_ENROLMENT, P.RECORD_ATTENDANCE}
    ),
    Role.SUBJECT_TEACHER: frozenset({P.READ_ROSTER, P.READ_CASES}),
    Role.TOWNSHIP_OFFICIAL: frozenset(
        # 户籍 and households are the township's to keep; 学籍 is the schools' (read only here);
        # the town's targets, figures, 学户册 and returns are the township's to read and hand in
        {P.READ_ROSTER, P.READ_CASES, P.READ_ESCALATED_CASES, P.WRITE_CASES, P.WRITE_ROSTER,
         P.READ_REPORTS}
    ),
}  # fmt: skip

#: The scope each role must have (a head teacher is bound to a class, and so on).
ROLE_SCOPES: dict[Role, frozenset[ScopeKind]] = {
    Role.COUNTY_ADMIN: frozenset({ScopeKind.COUNTY}),
    Role.BUREAU_STAFF: frozenset({ScopeKind.COUNTY}),
    Role.REGISTRAR: frozenset({ScopeKind.COUNTY, ScopeKind.SCHOOL}),
    Role.SCHOOL_HEAD: frozenset({ScopeKind.SCHOOL}),
    Role.HEAD_TEACHER: frozenset({ScopeKind.CLASS}),
    Role.SUBJECT_TEACHER: frozenset({ScopeKind.CLASS, ScopeKind.SCHOOL}),
    Role.TOWNSHIP_OFFICIAL: frozenset({ScopeKind.TOWN}),
}
