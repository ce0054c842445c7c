"""Keeping the 学户册 by hand: children, households and guardians created, corrected, moved and
merged.

Every service takes the :class:`~core.access.caller.Caller` and

1. checks ``WRITE_ROSTER`` (:func:`~core.access.authorise.require_permission`);
2. looks every id it is given up in the caller's scope and in the record's county
   (:func:`~core.access.authorise.find_in_scope`: anything outside is ``NOT_FOUND``);
3. checks what users expect of a registry entry - a resident ID number whose checksum holds
   and whose birth date and gender digit agree with the ones given (an error naming both
   fields), a 学籍号 or ID number no other child carries (``DUPLICATE``, naming that child when
   the caller may see it);
4. writes in one transaction with a compare-and-set on ``version``
   (``UPDATE … SET version = v + 1 WHERE id = ? AND version = v``): a stale edit is
   ``CONFLICT`` and writes nothing; the request's audit entry is written in the same
   transaction.

The services are plain async functions so that the roster import (and the command line) call
them with their own caller, as GraphQL does. Fields of an update default to :data:`KEEP`
(leave unchanged); ``None`` clears a field that may be empty.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.models import Model
from tortoise.transactions import in_transaction

from core.access.audit import WriteAudit, record_write
from core.access.authorise import find_in_scope, require_permission
from core.access.caller import Caller
from core.access.enums import Permission
from core.access.scope import scoped
from core.assistance.models import Assistance
from core.cases.enums import TERMINAL_STATES
from core.cases.models import Case
from core.china_time import local_date
from core.enrolment.models import Enrolment, EnrolmentChange
from core.errors import DomainError, ErrorCode
from core.idempotency import check_key, create_once, reused_for_another
from core.jurisdictions.models import Jurisdiction, Village
from core.officials.models import ResponsibilityAssignment
from core.people.enums import (
    DisabilityCategory,
    Gender,
    GuardianRelation,
    KeyGroup,
    MigrationStatus,
    PovertyStatus,
)
from core.people.models import Child, ChildKeyGroup, ChildMerge, Guardian, Household
from core.people.queries import age_on
from core.people.resident_id import ResidentIdError, parse_resident_id
from core.visits.models import HomeVisit, SupportPlan


class _Keep:
    """The value of an update's field that was not given: leave it as it is."""

    def __repr__(self) -> str:
        return "KEEP"

    def __bool__(self) -> bool:
        return False


#: Leave the field unchanged (the default of every field of an update).
KEEP: Any = _Keep()

#: Oldest a child entered in the 学户册 may be (the register runs to 18, with room for late
#: completion of 义务教育).
MAX_AGE = 25
_STUDENT_NUMBER = re.compile(r"[A-Z0-9]{6,24}")
_PHONE = re.compile(r"\+?[0-9][0-9-]{5,19}")

CREATE_CHILD = "createChild"
CREATE_HOUSEHOLD = "createHousehold"
CREATE_GUARDIAN = "createGuardian"


def _given(value: Any) -> bool:
    return value is not KEEP


# -- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyGroupClaim:
    """A child's membership of a 重点群体 as someone stated it: who said so, from when."""

    group: KeyGroup
    source: str = ""
    since: date | None = None


class _Particulars:
    """The particulars a write names; fields left at ``KEEP`` are not given."""

    def given(self) -> dict[str, Any]:
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)  # type: ignore[arg-type]
            if _given(getattr(self, f.name))
        }


@dataclass(frozen=True)
class ChildFields(_Particulars):
    """A child's particulars. For a create, ``name``, ``gender`` and ``birth_date`` are
    required and anything not given takes its default; for an update only given fields change."""

    name: Any = KEEP
    gender: Any = KEEP
    birth_date: Any = KEEP
    id_number: Any = KEEP
    student_number: Any = KEEP
    ethnicity: Any = KEEP
    disability_category: Any = KEEP
    disability_grade: Any = KEEP
    household_id: Any = KEEP


@dataclass(frozen=True)
class HouseholdFields(_Particulars):
    """A household's particulars (only given fields change on an update)."""

    head_name: Any = KEEP
    registered_address: Any = KEEP
    current_address: Any = KEEP
    village_id: Any = KEEP
    poverty_status: Any = KEEP
    is_low_income: Any = KEEP
    migration_status: Any = KEEP


@dataclass(frozen=True)
class GuardianFields(_Particulars):
    """A guardian's particulars (only given fields change on an update)."""

    name: Any = KEEP
    relation: Any = KEEP
    phone: Any = KEEP
    id_number: Any = KEEP
    works_away: Any = KEEP
    is_primary: Any = KEEP


@dataclass(frozen=True)
class Write:
    """What every registry write carries besides its data."""

    caller: Caller
    now: datetime
    #: The audit entry of the request, written in the write's transaction.
    audit: WriteAudit | None = None


# -- shared checks -----------------------------------------------------------------------------


def _required_text(value: Any, field_name: str, zh: str, en: str, max_length: int) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if not text:
        raise DomainError(
            ErrorCode.REQUIRED, f"{zh}不能为空", f"{en} is required", field=field_name
        )
    return _within(text, field_name, zh, en, max_length)


def _within(text: str, field_name: str, zh: str, en: str, max_length: int) -> str:
    if len(text) > max_length:
        raise DomainError(
            ErrorCode.INVALID,
            f"{zh}不能超过 {max_length} 个字符",
            f"{en} cannot be longer than {max_length} characters",
            field=field_name,
        )
    return text


def _text(value: Any, field_name: str, zh: str, en: str, max_length: int) -> str:
    return _within((value or "").strip(), field_name, zh, en, max_length)


def conflict(what: tuple[str, str], expected: int, current: int | None) -> DomainError:
    """Someone else changed the record since the client read it."""
    zh, en = what
    return DomainError(
        ErrorCode.CONFLICT,
        f"{zh}已被他人修改 (提交的版本 {expected}, 当前版本 {current}), 请刷新后重试",
        f"the {en} was changed by someone else (expected version {expected}, current "
        f"{current}); reload and retry",
        field="expectedVersion",
        current_version=current,
    )


async def compare_and_set(
    model: type[Model],
    row: Any,
    expected_version: int,
    updates: dict[str, Any],
    what: tuple[str, str],
) -> None:
    """Write ``updates`` to ``row`` if its version is still ``expected_version`` (and raise
    ``version``); ``CONFLICT`` otherwise. Call inside the write's transaction."""
    if row.version != expected_version:
        raise conflict(what, expected_version, row.version)
    updates = {**updates, "version": expected_version + 1}
    changed = await model.filter(id=row.id, version=expected_version).update(**updates)
    # at most the one row; on SQLite Tortoise also counts the rows the database's triggers
    # wrote (a household moved: its children's stored town, migration 0015_town_key)
    if not changed:
        current = await model.filter(id=row.id).values_list("version", flat=True)
        raise conflict(what, expected_version, current[0] if current else None)
    for name, value in updates.items():
        setattr(row, name, value)


async def must_see(model: type[Model], caller: Caller, row_id: Any, zh: str, en: str) -> None:
    """Refuse (``FORBIDDEN``, nothing kept) a write whose result the caller could not see: a
    record made outside one's own reach could not be found again or corrected."""
    if not await scoped(model, caller).filter(id=row_id).exists():
        raise DomainError(
            ErrorCode.FORBIDDEN,
            f"{zh}不在您的工作范围内, 无法登记 (请由乡镇或县级登记)",
            f"the {en} would lie outside your scope; it must be registered by the township "
            "or the county",
        )


def normalise_id_number(value: str | None) -> str | None:
    """An ID number as stored: stripped, upper-case ``X``; empty is None."""
    text = (value or "").strip().upper()
    return text or None


def check_resident_id(
    value: str | None,
    *,
    today: date,
    birth_date: date | None = None,
    gender: Gender | None = None,
    field_name: str = "idNumber",
) -> str | None:
    """``value`` normalised, if it is a valid resident ID number agreeing with ``birth_date``
    and ``gender`` (when given); ``INVALID`` naming the fields that disagree otherwise."""
    number = normalise_id_number(value)
    if number is None:
        return None
    try:
        parsed = parse_resident_id(number, today=today)
    except ResidentIdError as exc:
        raise DomainError(
            ErrorCode.INVALID,
            f"身份证号无效: {exc.message_zh}",
            f"invalid resident ID number: {exc.message_en}",
            field=field_name,
        ) from None
    if birth_date is not None and parsed.birth_date != birth_date:
        raise DomainError(
            ErrorCode.INVALID,
            f"身份证号 (idNumber) 中的出生日期 {parsed.birth_date.isoformat()} 与填写的出生日期 "
            f"(birthDate) {birth_date.isoformat()} 不一致",
            f"the birth date in idNumber ({parsed.birth_date.isoformat()}) does not agree "
            f"with birthDate ({birth_date.isoformat()})",
            field=field_name,
        )
    if gender is not None and parsed.gender is not gender:
        raise DomainError(
            ErrorCode.INVALID,
            f"身份证号 (idNumber) 第 17 位表示{parsed.gender.label}性, 与填写的性别 (gender) "
            f"{gender.label} 不一致",
            f"the gender digit of idNumber says {parsed.gender.value}, which does not agree "
            f"with gender ({gender.value})",
            field=field_name,
        )
    return number


def check_student_number(value: str | None) -> str | None:
    """A 学籍号 in its stored form (trimmed, upper case), or None when empty; ``INVALID``
    otherwise. The registry's writes and the roster import both check with it."""
    number = (value or "").strip().upper()
    if not number:
        return None
    if not _STUDENT_NUMBER.fullmatch(number):
        raise DomainError(
            ErrorCode.INVALID,
            "学籍号须为 6 到 24 位字母或数字 (如 G + 身份证号)",
            "studentNumber must be 6 to 24 letters or digits (such as G and the ID number)",
            field="studentNumber",
        )
    return number


def check_birth_date(born: date, today: date) -> date:
    """A birth date the registry accepts (not in the future, at most ``MAX_AGE`` years ago);
    ``INVALID`` on ``birthDate`` otherwise."""
    if born > today:
        raise DomainError(
            ErrorCode.INVALID,
            "出生日期不能晚于今天",
            "birthDate cannot lie in the future",
            field="birthDate",
        )
    if age_on(born, today) > MAX_AGE:
        raise DomainError(
            ErrorCode.INVALID,
            f"学户册登记的是适龄儿童少年: 出生日期须在 {MAX_AGE} 年以内",
            f"the register holds children: birthDate must lie within {MAX_AGE} years",
            field="birthDate",
        )
    return born


async def _no_other_child_with(
    caller: Caller, column: str, value: str | None, field_name: str, exclude: Any = None
) -> None:
    """``DUPLICATE`` when another child carries ``value`` in ``column``: naming that child only
    when the caller may see it (a number is no way to learn of a child out of one's reach)."""
    if value is None:
        return
    query = Child.filter(**{column: value})
    if exclude is not None:
        query = query.exclude(id=exclude)
    other = await query.first()
    if other is None:
        return
    label = {"id_number": ("身份证号", "ID number"), "student_number": ("学籍号", "student number")}
    zh, en = label[column]
    if await scoped(Child, caller).filter(id=other.id).exists():
        raise DomainError(
            ErrorCode.DUPLICATE,
            f"{zh}已登记在另一名儿童名下: {other.name} (出生日期 {other.birth_date.isoformat()})",
            f"another child is registered with this {en}: {other.name}",
            field=field_name,
            existing_id=other.id,
            current_version=other.version,
        )
    raise DomainError(
        ErrorCode.DUPLICATE,
        f"{zh}已登记在另一名儿童名下 (不在您的工作范围内, 请联系县教育局核查)",
        f"another child is registered with this {en} (outside your scope: ask the county "
        "bureau to check)",
        field=field_name,
    )


def _duplicate_from_integrity(exc: IntegrityError) -> DomainError:
    """A unique number taken by a write that raced this one."""
    text = str(exc).lower()
    field_name = "studentNumber" if "student_number" in text else "idNumber"
    return DomainError(
        ErrorCode.DUPLICATE,
        "该号码刚被另一请求登记到另一名儿童名下",
        "the number was just registered to another child by another request",
        field=field_name,
    )


def _jurisdiction_of(caller: Caller, given: uuid.UUID | None) -> uuid.UUID:
    scope = caller.scope
    own = scope.jurisdiction_id if scope is not None else None
    if own is not None:
        if given is not None and given != own:
            raise DomainError(
                ErrorCode.NOT_FOUND,
                "县级行政区不存在或不在您的工作范围内",
                "no such jurisdiction within your scope",
                field="jurisdictionId",
            )
        return own
    if given is None:
        raise DomainError(
            ErrorCode.REQUIRED,
            "须指明县级行政区",
            "jurisdictionId is required",
            field="jurisdictionId",
        )
    return given


async def _jurisdiction_exists(jurisdiction_id: uuid.UUID) -> None:
    if not await Jurisdiction.filter(id=jurisdiction_id).exists():
        raise DomainError(
            ErrorCode.NOT_FOUND,
            "县级行政区不存在或不在您的工作范围内",
            "no such jurisdiction within your scope",
            field="jurisdictionId",
        )


# -- children ----------------------------------------------------------------------------------


async def _child_values(
    caller: Caller,
    data: dict[str, Any],
    current: Child | None,
    jurisdiction_id: uuid.UUID,
    today: date,
) -> dict[str, Any]:
    """The columns a create or update writes, checked together with what is not changing."""
    values: dict[str, Any] = {}
    if "name" in data or current is None:
        values["name"] = _required_text(data.get("name"), "name", "姓名", "name", 32)
    if "gender" in data or current is None:
        if data.get("gender") is None:
            raise DomainError(
                ErrorCode.REQUIRED, "性别不能为空", "gender is required", field="gender"
            )
        values["gender"] = Gender(data["gender"])
    if "birth_date" in data or current is None:
        if data.get("birth_date") is None:
            raise DomainError(
                ErrorCode.REQUIRED, "出生日期不能为空", "birthDate is required", field="birthDate"
            )
        values["birth_date"] = check_birth_date(data["birth_date"], today)
    if "ethnicity" in data:
        values["ethnicity"] = _text(data["ethnicity"], "ethnicity", "民族", "ethnicity", 16) or (
            "汉族"
        )
    if "student_number" in data:
        values["student_number"] = check_student_number(data["student_number"])
    gender = values.get("gender", current.gender if current else None)
    born = values.get("birth_date", current.birth_date if current else None)
    id_number = data["id_number"] if "id_number" in data else (current and current.id_number)
    if "id_number" in data or "gender" in values or "birth_date" in values:
        checked = check_resident_id(
            id_number, today=today, birth_date=born, gender=Gender(gender) if gender else None
        )
        if "id_number" in data:
            values["id_number"] = checked
    if "disability_category" in data:
        values["disability_category"] = (
            DisabilityCategory(data["disability_category"])
            if data["disability_category"] is not None
            else None
        )
    if "disability_grade" in data:
        grade = data["disability_grade"]
        if grade is not None and not 1 <= grade <= 4:
            raise DomainError(
                ErrorCode.INVALID,
                "残疾等级须为 1 到 4 级",
                "disabilityGrade must be 1 to 4",
                field="disabilityGrade",
            )
        values["disability_grade"] = grade
    category = values.get("disability_category", current.disability_category if current else None)
    grade = values.get("disability_grade", current.disability_grade if current else None)
    if grade is not None and category is None:
        raise DomainError(
            ErrorCode.REQUIRED,
            "填写残疾等级时须填写残疾类别",
            "disabilityCategory is required with a disabilityGrade",
            field="disabilityCategory",
        )
    if "household_id" in data:
        household_id = data["household_id"]
        if household_id is not None:
            household = await find_in_scope(
                Household,
                caller,
                household_id,
                "householdId",
                ("户", "household"),
                jurisdiction_id=jurisdiction_id,
            )
            household_id = household.id
        values["household_id"] = household_id
    exclude = current.id if current else None
    if values.get("id_number"):
        await _no_other_child_with(caller, "id_number", values["id_number"], "idNumber", exclude)
    if values.get("student_number"):
        await _no_other_child_with(
            caller, "student_number", values["student_number"], "studentNumber", exclude
        )
    return values


def _check_claims(claims: Sequence[KeyGroupClaim], born: date, today: date) -> None:
    seen: set[KeyGroup] = set()
    for i, claim in enumerate(claims):
        if claim.group in seen:
            raise DomainError(
                ErrorCode.DUPLICATE,
                f"重点群体 {claim.group.label} 重复",
                f"key group {claim.group.value} is given twice",
                field=f"keyGroups.{i}.group",
            )
        seen.add(claim.group)
        _text(claim.source, f"keyGroups.{i}.source", "认定来源", "source", 128)
        if claim.since is not None and not born <= claim.since <= today:
            raise DomainError(
                ErrorCode.INVALID,
                "认定日期须在儿童出生之后、今天之前",
                "since must lie between the child's birth and today",
                field=f"keyGroups.{i}.since",
            )


async def _add_claims(child_id: uuid.UUID, claims: Iterable[KeyGroupClaim], today: date) -> None:
    await claim_key_groups([(child_id, claim) for claim in claims], today)


async def claim_key_groups(
    claims: Sequence[tuple[uuid.UUID, KeyGroupClaim]], today: date, batch: int = 1000
) -> None:
    """Put children in key groups (重点群体), many at once: a group the child had before and
    lost is in force again from the new statement (one row per child and group), a new one is
    added. What a registry entry and a roster import both use."""
    from core.bulk import insert_rows, select_in, update_rows

    for i in range(0, len(claims), batch):
        part = claims[i : i + batch]
        existing = {
            (row["child_id"], KeyGroup(row["group"])): row["id"]
            for row in await select_in(
                ChildKeyGroup, ("id", "child_id", "group"), "child_id", {c for c, _ in part}
            )
        }
        again, fresh = [], []
        for child_id, claim in part:
            values = {
                "source": claim.source.strip(),
                "since": claim.since or today,
                "ended_on": None,
            }
            row_id = existing.get((child_id, claim.group))
            if row_id is None:
                fresh.append({"child_id": child_id, "group": claim.group, **values})
            else:  # stated again: in force again, from the new statement
                again.append({"id": row_id, **values})
        await update_rows(ChildKeyGroup, ("source", "since", "ended_on"), again)
        await insert_rows(ChildKeyGroup, fresh)


async def end_key_groups(
    memberships: Sequence[tuple[uuid.UUID, KeyGroup]], today: date, batch: int = 1000
) -> None:
    """End children's memberships of key groups (``ended_on`` today), many at once."""
    by_group: dict[KeyGroup, list[uuid.UUID]] = {}
    for child_id, group in memberships:
        by_group.setdefault(group, []).append(child_id)
    for group, child_ids in by_group.items():
        for i in range(0, len(child_ids), batch):
            await ChildKeyGroup.filter(
                child_id__in=child_ids[i : i + batch], group=group, ended_on__isnull=True
            ).update(ended_on=today)


def new_child_row(jurisdiction_id: uuid.UUID, values: dict[str, Any]) -> dict[str, Any]:
    """A new registry entry's columns from its checked values (民族 defaults to 汉族)."""
    return {
        "id": uuid.uuid4(),
        "jurisdiction_id": jurisdiction_id,
        **values,
        "ethnicity": values.get("ethnicity") or "汉族",
    }


async def register_children(rows: Sequence[dict[str, Any]]) -> int:
    """Enter many checked children (rows of :func:`new_child_row`) at once, inside the
    caller's transaction; the caller has checked the permission and that no other child
    carries their 学籍号 or ID number (the unique columns refuse a duplicate regardless)."""
    from core.bulk import insert_rows

    return await insert_rows(Child, rows)


async def correct_children(corrections: Sequence[tuple[uuid.UUID, dict[str, Any]]]) -> None:
    """Correct many children's particulars at once (each: its id and the checked columns that
    change), ``version`` up by one as :func:`update_child` does; one statement per set of
    columns."""
    from core.bulk import update_rows

    by_columns: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for child_id, values in corrections:
        by_columns.setdefault(tuple(sorted(values)), []).append({"id": child_id, **values})
    for columns, rows in by_columns.items():
        await update_rows(Child, columns, rows)


@dataclass(frozen=True)
class NewChild:
    """A child to enter in the 学户册."""

    write: Write
    fields: ChildFields
    key_groups: tuple[KeyGroupClaim, ...] = ()
    #: The county, for the system caller (everyone else registers in their own).
    jurisdiction_id: uuid.UUID | None = None
    idempotency_key: str | None = None


async def create_child(data: NewChild) -> tuple[Child, bool]:
    """Enter a child in the register; ``(child, replayed)``. The caller must be able to see
    the new child (a township registers the children of its households; a school enrols
    the child with :func:`core.enrolment.services.record_change` in its own request)."""
    caller = require_permission(data.write.caller, Permission.WRITE_ROSTER)
    jurisdiction_id = _jurisdiction_of(caller, data.jurisdiction_id)
    await _jurisdiction_exists(jurisdiction_id)
    today = local_date(data.write.now)

    async def create() -> Child:
        given = {"id_number": None, "student_number": None, **data.fields.given()}
        values = await _child_values(caller, given, None, jurisdiction_id, today)
        _check_claims(data.key_groups, values["birth_date"], today)
        child = await Child.create(**new_child_row(jurisdiction_id, values))
        await _add_claims(child.id, data.key_groups, today)
        await must_see(Child, caller, child.id, "新登记的儿童", "new child")
        await record_write(data.write.audit)
        return child

    async def replayed(child_id: uuid.UUID) -> Child:
        child = await Child.get(id=child_id)
        if child.jurisdiction_id != jurisdiction_id:
            raise reused_for_another("另一县的儿童", "a child of another county")
        return child

    try:
        return await create_once(check_key(data.idempotency_key), CREATE_CHILD, create, replayed)
    except IntegrityError as exc:
        raise _duplicate_from_integrity(exc) from None


async def _writable_child(caller: Caller, child_id: uuid.UUID | None, field_name: str) -> Child:
    child = await find_in_scope(Child, caller, child_id, field_name, ("儿童", "child"))
    if child.merged_into_id is not None:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "该记录已作为重复登记并入另一记录, 请修改保留的记录",
            "this entry was merged into another as a duplicate; change the surviving entry",
            field=field_name,
            current_version=child.version,
        )
    return child


async def update_child(
    write: Write, child_id: uuid.UUID, expected_version: int, changes: ChildFields
) -> Child:
    """Correct a child's particulars (only the fields given change)."""
    caller = require_permission(write.caller, Permission.WRITE_ROSTER)
    today = local_date(write.now)
    try:
        async with in_transaction():
            child = await _writable_child(caller, child_id, "id")
            if child.version != expected_version:
                raise conflict(("儿童信息", "child"), expected_version, child.version)
            values = await _child_values(
                caller, changes.given(), child, child.jurisdiction_id, today
            )
            await compare_and_set(
                Child,
                child,
                expected_version,
                {**values, "updated_at": write.now},
                ("儿童信息", "child"),
            )
            await record_write(write.audit)
    except IntegrityError as exc:
        raise _duplicate_from_integrity(exc) from None
    return child


async def move_child(
    write: Write, child_id: uuid.UUID, expected_version: int, household_id: uuid.UUID | None
) -> Child:
    """Move a child to another household (or out of any, with ``None``)."""
    return await update_child(
        write, child_id, expected_version, ChildFields(household_id=household_id)
    )


async def set_key_groups(
    write: Write,
    child_id: uuid.UUID,
    expected_version: int,
    *,
    add: Sequence[KeyGroupClaim] = (),
    end: Sequence[KeyGroup] = (),
    ended_on: date | None = None,
) -> Child:
    """State memberships of 重点群体 (with their source and date) and expire others (from
    ``ended_on``, default today): a later roster comparison adds and expires them the same way."""
    caller = require_permission(write.caller, Permission.WRITE_ROSTER)
    today = local_date(write.now)
    async with in_transaction():
        child = await _writable_child(caller, child_id, "id")
        if child.version != expected_version:
            raise conflict(("儿童信息", "child"), expected_version, child.version)
        _check_claims(add, child.birth_date, today)
        both = {c.group for c in add} & set(end)
        if both:
            raise DomainError(
                ErrorCode.INVALID,
                "同一重点群体不能同时新增和失效",
                "a key group cannot be both added and ended",
                field="end",
            )
        until = ended_on or today
        if not child.birth_date <= until <= today:
            raise DomainError(
                ErrorCode.INVALID,
                "失效日期须在儿童出生之后、今天之前",
                "endedOn must lie between the child's birth and today",
                field="endedOn",
            )
        await compare_and_set(
            Child, child, expected_version, {"updated_at": write.now}, ("儿童信息", "child")
        )
        await _add_claims(child.id, add, today)
        if end:
            await ChildKeyGroup.filter(
                child_id=child.id, group__in=[g.value for g in end], ended_on__isnull=True
            ).update(ended_on=until)
        await record_write(write.audit)
    return child


# -- merging duplicates ------------------------------------------------------------------------

#: What follows the surviving record when two entries are merged: model and its child column.
_FOLLOWING: tuple[tuple[type[Model], str], ...] = (
    (Enrolment, "enrolments"),
    (EnrolmentChange, "enrolmentChanges"),
    (HomeVisit, "homeVisits"),
    (Assistance, "assistance"),
    (SupportPlan, "supportPlans"),
    (ResponsibilityAssignment, "responsibilities"),
)

_SNAPSHOT_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "student_number",
    "ethnicity",
    "disability_category",
    "disability_grade",
    "household_id",
    "version",
)


def _snapshot(child: Child, key_groups: list[ChildKeyGroup]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in _SNAPSHOT_FIELDS:
        value = getattr(child, name)
        out[name] = value.value if hasattr(value, "value") else value
        if isinstance(value, (date, uuid.UUID)):
            out[name] = str(value)
    out["key_groups"] = [
        {
            "group": KeyGroup(g.group).value,
            "source": g.source,
            "since": g.since.isoformat() if g.since else None,
            "ended_on": g.ended_on.isoformat() if g.ended_on else None,
        }
        for g in key_groups
    ]
    return out


async def merge_children(
    write: Write,
    *,
    survivor_id: uuid.UUID,
    survivor_version: int,
    duplicate_id: uuid.UUID,
    duplicate_version: int,
    reason: str = "",
) -> tuple[Child, Child]:
    """Mark ``duplicate_id`` as a duplicate registration of ``survivor_id`` and merge it in.

    The duplicate's cases, enrolments and their history, visits, assistance, plans,
    responsibilities and key groups follow the survivor; the survivor takes the duplicate's
    ID number, student number, household and disability where it has none. The duplicate stays
    (``mergedInto`` names the survivor) with a :class:`ChildMerge` keeping its particulars as
    they were. Refused when both have a current enrolment or an open case of the same kind:
    which one is right is for a person to settle first. ``(survivor, duplicate)``.
    """
    caller = require_permission(write.caller, Permission.WRITE_ROSTER)
    reason = _text(reason, "reason", "合并原因", "reason", 255)
    if survivor_id == duplicate_id:
        raise DomainError(
            ErrorCode.INVALID,
            "不能把记录与其自身合并",
            "a record cannot be merged with itself",
            field="duplicateId",
        )
    try:
        async with in_transaction():
            survivor = await _writable_child(caller, survivor_id, "survivorId")
            duplicate = await find_in_scope(
                Child,
                caller,
                duplicate_id,
                "duplicateId",
                ("重复登记的儿童", "duplicate child"),
                jurisdiction_id=survivor.jurisdiction_id,
            )
            if duplicate.merged_into_id is not None:
                raise DomainError(
                    ErrorCode.INVALID_TRANSITION,
                    "该记录已并入另一记录",
                    "the duplicate was merged already",
                    field="duplicateId",
                    current_version=duplicate.version,
                )
            if survivor.version != survivor_version:
                raise conflict(
                    ("保留的记录", "surviving child"), survivor_version, survivor.version
                )
            if duplicate.version != duplicate_version:
                raise conflict(
                    ("重复的记录", "duplicate child"), duplicate_version, duplicate.version
                )
            await _check_mergeable(survivor, duplicate)
            key_groups = list(await ChildKeyGroup.filter(child_id=duplicate.id))
            snapshot = _snapshot(duplicate, key_groups)
            moved = await _move_records(survivor, duplicate, key_groups)
            taken = {
                name: getattr(duplicate, name)
                for name in ("id_number", "student_number", "household_id", "disability_category")
                if getattr(survivor, name) is None and getattr(duplicate, name) is not None
            }
            if "disability_category" in taken and survivor.disability_grade is None:
                taken["disability_grade"] = duplicate.disability_grade
            await compare_and_set(
                Child,
                duplicate,
                duplicate_version,
                {
                    "id_number": None,
                    "student_number": None,
                    "merged_into_id": survivor.id,
                    "updated_at": write.now,
                },
                ("重复的记录", "duplicate child"),
            )
            await compare_and_set(
                Child,
                survivor,
                survivor_version,
                {**taken, "updated_at": write.now},
                ("保留的记录", "surviving child"),
            )
            await ChildMerge.create(
                survivor_id=survivor.id,
                duplicate_id=duplicate.id,
                reason=reason,
                merged_by=caller.label[:64],
                merged_at=write.now,
                snapshot=snapshot,
                moved=moved,
            )
            await record_write(write.audit)
    except IntegrityError as exc:
        raise _duplicate_from_integrity(exc) from None
    return survivor, duplicate


async def _check_mergeable(survivor: Child, duplicate: Child) -> None:
    current = await Enrolment.filter(
        child_id__in=[survivor.id, duplicate.id], is_current=True
    ).values_list("child_id", flat=True)
    if len(set(current)) == 2:
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "两条记录都有当前学籍: 请先核实并办理其中一条的转出或更正, 再合并",
            "both entries have a current enrolment: settle which one holds (transfer one out) "
            "before merging",
            field="duplicateId",
        )
    open_states = [s.value for s in TERMINAL_STATES]
    kinds = await Case.filter(
        child_id__in=[survivor.id, duplicate.id], state__not_in=open_states
    ).values_list("child_id", "kind")
    by_kind: dict[str, set[Any]] = {}
    for child_id, kind in kinds:
        by_kind.setdefault(str(kind), set()).add(child_id)
    if any(len(ids) == 2 for ids in by_kind.values()):
        raise DomainError(
            ErrorCode.INVALID_TRANSITION,
            "两条记录都有未结的同类个案: 请先排除或结束其中一个, 再合并",
            "both entries have an open case of the same kind: dismiss or close one before merging",
            field="duplicateId",
        )


async def _move_records(
    survivor: Child, duplicate: Child, key_groups: list[ChildKeyGroup]
) -> dict[str, int]:
    moved: dict[str, int] = {}
    cases = await Case.filter(child_id=duplicate.id)
    for case in cases:
        updates: dict[str, Any] = {"child_id": survivor.id}
        if case.open_key is not None:
            updates["open_key"] = f"{survivor.id}:{case.kind.value}"
        await Case.filter(id=case.id).update(**updates)
    moved["cases"] = len(cases)
    for model, label in _FOLLOWING:
        rows = model.filter(child_id=duplicate.id)
        # counted first: on SQLite the update's count includes the rows the database's
        # triggers wrote (an enrolment moved: both children's ever_enrolled)
        moved[label] = await rows.count()
        await rows.update(child_id=survivor.id)
    held = set(await ChildKeyGroup.filter(child_id=survivor.id).values_list("group", flat=True))
    count = 0
    for row in key_groups:
        if row.group not in held:
            await ChildKeyGroup.filter(id=row.id).update(child_id=survivor.id)
            count += 1
    moved["keyGroups"] = count
    return moved


# -- households and guardians ------------------------------------------------------------------


async def _household_values(
    caller: Caller, data: dict[str, Any], jurisdiction_id: uuid.UUID, creating: bool
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "head_name" in data or creating:
        values["head_name"] = _required_text(
            data.get("head_name"), "headName", "户主姓名", "headName", 32
        )
    for name, api, zh in (
        ("registered_address", "registeredAddress", "户籍地址"),
        ("current_address", "currentAddress", "现住址"),
    ):
        if name in data:
            values[name] = _text(data[name], api, zh, api, 255)
    if "village_id" in data:
        village_id = data["village_id"]
        if village_id is not None:
            village = await find_in_scope(
                Village,
                caller,
                village_id,
                "villageId",
                ("村/社区", "village"),
                jurisdiction_id=jurisdiction_id,
            )
            village_id = village.id
        values["village_id"] = village_id
    if data.get("poverty_status") is not None:
        values["poverty_status"] = PovertyStatus(data["poverty_status"])
    if data.get("is_low_income") is not None:
        values["is_low_income"] = bool(data["is_low_income"])
    if data.get("migration_status") is not None:
        values["migration_status"] = MigrationStatus(data["migration_status"])
    return values


@dataclass(frozen=True)
class NewHousehold:
    write: Write
    fields: HouseholdFields
    jurisdiction_id: uuid.UUID | None = None
    idempotency_key: str | None = None


async def create_household(data: NewHousehold) -> tuple[Household, bool]:
    """Register a household (户); ``(household, replayed)``."""
    caller = require_permission(data.write.caller, Permission.WRITE_ROSTER)
    jurisdiction_id = _jurisdiction_of(caller, data.jurisdiction_id)
    await _jurisdiction_exists(jurisdiction_id)

    async def create() -> Household:
        values = await _household_values(caller, data.fields.given(), jurisdiction_id, True)
        household = await Household.create(jurisdiction_id=jurisdiction_id, **values)
        await must_see(Household, caller, household.id, "新登记的户", "new household")
        await record_write(data.write.audit)
        return household

    async def replayed(household_id: uuid.UUID) -> Household:
        household = await Household.get(id=household_id)
        if household.jurisdiction_id != jurisdiction_id:
            raise reused_for_another("另一县的户", "a household of another county")
        return household

    return await create_once(check_key(data.idempotency_key), CREATE_HOUSEHOLD, create, replayed)


async def update_household(
    write: Write, household_id: uuid.UUID, expected_version: int, changes: HouseholdFields
) -> Household:
    """Correct a household (addresses, village, poverty and migration status, 低保)."""
    caller = require_permission(write.caller, Permission.WRITE_ROSTER)
    async with in_transaction():
        household = await find_in_scope(Household, caller, household_id, "id", ("户", "household"))
        if household.version != expected_version:
            raise conflict(("户信息", "household"), expected_version, household.version)
        values = await _household_values(caller, changes.given(), household.jurisdiction_id, False)
        await compare_and_set(
            Household,
            household,
            expected_version,
            {**values, "updated_at": write.now},
            ("户信息", "household"),
        )
        await must_see(Household, caller, household.id, "修改后的户", "household")
        await record_write(write.audit)
    return household


def _guardian_values(data: dict[str, Any], today: date, creating: bool) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "name" in data or creating:
        values["name"] = _required_text(data.get("name"), "name", "监护人姓名", "name", 32)
    if "relation" in data or creating:
        if data.get("relation") is None:
            raise DomainError(
                ErrorCode.REQUIRED, "须填写与儿童的关系", "relation is required", field="relation"
            )
        values["relation"] = GuardianRelation(data["relation"])
    if "phone" in data:
        phone = (data["phone"] or "").strip().replace(" ", "")
        if phone and not _PHONE.fullmatch(phone):
            raise DomainError(
                ErrorCode.INVALID,
                "联系电话须为 6 到 20 位数字",
                "phone must be 6 to 20 digits",
                field="phone",
            )
        values["phone"] = phone
    if "id_number" in data:
        values["id_number"] = check_resident_id(data["id_number"], today=today)
    for name in ("works_away", "is_primary"):
        if data.get(name) is not None:
            values[name] = bool(data[name])
    return values


async def _only_primary(guardian: Guardian) -> None:
    """One primary guardian per household: naming one makes the others secondary."""
    if guardian.is_primary:
        await (
            Guardian.filter(household_id=guardian.household_id, is_primary=True)
            .exclude(id=guardian.id)
            .update(is_primary=False)
        )


@dataclass(frozen=True)
class NewGuardian:
    write: Write
    household_id: uuid.UUID | None
    fields: GuardianFields
    idempotency_key: str | None = None


async def create_guardian(data: NewGuardian) -> tuple[Guardian, bool]:
    """Add a guardian (监护人) to a household; ``(guardian, replayed)``."""
    caller = require_permission(data.write.caller, Permission.WRITE_ROSTER)
    household = await find_in_scope(
        Household, caller, data.household_id, "householdId", ("户", "household")
    )
    today = local_date(data.write.now)

    async def create() -> Guardian:
        values = _guardian_values(data.fields.given(), today, True)
        guardian = await Guardian.create(household_id=household.id, **values)
        await _only_primary(guardian)
        await record_write(data.write.audit)
        return guardian

    async def replayed(guardian_id: uuid.UUID) -> Guardian:
        guardian = await Guardian.get(id=guardian_id)
        if guardian.household_id != household.id:
            raise reused_for_another("另一户的监护人", "a guardian of another household")
        return guardian

    return await create_once(check_key(data.idempotency_key), CREATE_GUARDIAN, create, replayed)


async def update_guardian(
    write: Write, guardian_id: uuid.UUID, expected_version: int, changes: GuardianFields
) -> Guardian:
    """Correct a guardian's particulars."""
    caller = require_permission(write.caller, Permission.WRITE_ROSTER)
    async with in_transaction():
        guardian = await find_in_scope(Guardian, caller, guardian_id, "id", ("监护人", "guardian"))
        if guardian.version != expected_version:
            raise conflict(("监护人信息", "guardian"), expected_version, guardian.version)
        values = _guardian_values(changes.given(), local_date(write.now), False)
        await compare_and_set(
            Guardian, guardian, expected_version, values, ("监护人信息", "guardian")
        )
        await _only_primary(guardian)
        await record_write(write.audit)
    return guardian


__all__ = [
    "KEEP",
    "ChildFields",
    "GuardianFields",
    "HouseholdFields",
    "KeyGroupClaim",
    "NewChild",
    "NewGuardian",
    "NewHousehold",
    "Write",
    "check_resident_id",
    "compare_and_set",
    "conflict",
    "create_child",
    "create_guardian",
    "create_household",
    "merge_children",
    "move_child",
    "set_key_groups",
    "update_child",
    "update_guardian",
    "update_household",
]
