"""Demo credentials: one staff account per role and one partner-agency API key.

Every GraphQL read needs a bearer token or an API key, so a demo county comes with accounts a
newcomer can log in with at once. They share one documented password, :data:`DEMO_PASSWORD`,
and are **for demonstrations only**: anyone who has read this file knows the password.

The accounts are bound to real places of the generated county: the 班主任 and 科任教师 to a
class that has open cases, the 校长 to its school, the 乡镇干部 to its town. The API key's
secret is shown once by ``create_key``; ``baoxue demo`` prints it and keeps it, with the
usernames, in ``demo-credentials.txt`` next to a SQLite database (or in the working
directory), so that ``make serve`` can show them again on the next start.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from core.access.accounts import create_account
from core.access.api_keys import create_key
from core.access.enums import Permission, Role
from core.access.models import StaffAccount
from core.cases.enums import TERMINAL_STATES
from core.cases.models import Case
from core.enrolment.models import Enrolment
from core.jurisdictions.models import Jurisdiction, Town
from core.officials.models import Official
from core.schools.models import School, SchoolClass, SchoolKind

#: The one password of every demo account. Documented, therefore not a secret.
DEMO_PASSWORD = "baoxue-demo-2026"
DEMO_AGENCY = "演示公安局"
DEMO_KEY_PERMISSIONS = (Permission.VERIFY_ENROLMENT, Permission.READ_CASES)
DEMO_KEY_LIFETIME = timedelta(days=90)
CREDENTIALS_FILE = "demo-credentials.txt"

WARNING = (
    "仅供演示: 以下账号共用公开的演示密码, 切勿用于真实数据或生产环境。\n"
    "FOR DEMOS ONLY: these accounts share a published password; "
    "never use them with real data or in production."
)

_USERNAMES: dict[Role, str] = {
    Role.COUNTY_ADMIN: "demo-admin",
    Role.BUREAU_STAFF: "demo-bureau",
    Role.REGISTRAR: "demo-registrar",
    Role.SCHOOL_HEAD: "demo-school-head",
    Role.HEAD_TEACHER: "demo-head-teacher",
    Role.SUBJECT_TEACHER: "demo-teacher",
    Role.TOWNSHIP_OFFICIAL: "demo-township",
}


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    #: Where the account reaches, in words (全县, a school, a class, a town).
    scope: str
    display_name: str


@dataclass(frozen=True)
class DemoCredentials:
    division_code: str
    name: str
    accounts: tuple[DemoAccount, ...]
    password: str
    api_key: str
    api_key_agency: str
    api_key_expires_at: datetime


async def _busiest_class(jurisdiction: Jurisdiction) -> SchoolClass:
    """The class with the most children who have an open case (a useful first view)."""
    open_children = (
        await Case.filter(jurisdiction_id=jurisdiction.id)
        .exclude(state__in=[s.value for s in TERMINAL_STATES])
        .values_list("child_id", flat=True)
    )
    class_ids = await Enrolment.filter(
        child_id__in=list(open_children), is_current=True, school_class_id__isnull=False
    ).values_list("school_class_id", flat=True)
    ordinary = [SchoolKind.PRIMARY, SchoolKind.JUNIOR_MIDDLE, SchoolKind.NINE_YEAR]
    for class_id, _ in Counter(class_ids).most_common():
        found = await SchoolClass.get_or_none(id=class_id, school__kind__in=ordinary)
        if found is not None:
            return found
    return await SchoolClass.filter(school__jurisdiction_id=jurisdiction.id).order_by("id").first()


def _username(base: str, taken: set[str], code: str) -> str:
    return base if base not in taken else f"{base}-{code}"


async def create_demo_credentials(division_code: str, *, now: datetime) -> DemoCredentials:
    """Create the demo accounts and API key of the demo county ``division_code``.

    ``now`` is the real current time (the key must not be born expired), not the demo's
    fixed "today". A username another county's demo already uses gets the division code
    appended (``demo-admin-369901``).
    """
    jurisdiction = await Jurisdiction.get(division_code=division_code)
    school_class = await _busiest_class(jurisdiction)
    school = await School.get(id=school_class.school_id)
    town = (
        await Town.get(id=school.town_id)
        if school.town_id
        else await Town.filter(jurisdiction_id=jurisdiction.id).first()
    )
    officials = Official.filter(jurisdiction_id=jurisdiction.id)
    chief = await officials.filter(title__contains="局长").order_by("id").first()
    registrar = await officials.filter(title="学籍管理员").order_by("id").first()
    basic = await officials.filter(title__contains="基教股").order_by("id").first()
    principal = await officials.filter(school_id=school.id, title="校长").first()
    head = await Official.get_or_none(id=school_class.head_teacher_id)
    teacher = await officials.filter(school_id=school.id, title__startswith="科任").first()
    township = await officials.filter(town_id=town.id, organisation__endswith="政府").first()
    if township is None:
        township = await officials.filter(town_id=town.id, school_id__isnull=True).first()
    class_label = f"{school.name} {school_class.grade}年级{school_class.name}"
    plan: list[tuple[Role, dict, str, Official | None]] = [
        (Role.COUNTY_ADMIN, {}, f"全县 ({jurisdiction.name})", chief),
        (Role.BUREAU_STAFF, {}, f"全县 ({jurisdiction.name})", basic),
        (Role.REGISTRAR, {}, f"全县 ({jurisdiction.name})", registrar),
        (Role.SCHOOL_HEAD, {"school_code": school.code}, school.name, principal),
        (Role.HEAD_TEACHER, {"class_id": school_class.id}, class_label, head),
        (Role.SUBJECT_TEACHER, {"class_id": school_class.id}, class_label, teacher),
        (Role.TOWNSHIP_OFFICIAL, {"town_name": town.name}, town.name, township),
    ]
    taken = set(
        await StaffAccount.filter(username__in=list(_USERNAMES.values())).values_list(
            "username", flat=True
        )
    )
    accounts = []
    for role, place, scope, official in plan:
        username = _username(_USERNAMES[role], taken, division_code)
        display = f"{official.name} ({role.label})" if official else f"演示{role.label}"
        account = await create_account(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            jurisdiction_code=division_code,
            display_name=display,
            **place,
        )
        if official is not None:
            await StaffAccount.filter(id=account.id).update(official_id=official.id)
        accounts.append(DemoAccount(username, role, scope, display))
    expires = now + DEMO_KEY_LIFETIME
    issued = await create_key(
        agency=DEMO_AGENCY,
        jurisdiction_code=division_code,
        permissions=list(DEMO_KEY_PERMISSIONS),
        expires_at=expires,
        now=now,
        created_by="baoxue demo",
    )
    return DemoCredentials(
        division_code=division_code,
        name=jurisdiction.name,
        accounts=tuple(accounts),
        password=DEMO_PASSWORD,
        api_key=issued.secret,
        api_key_agency=DEMO_AGENCY,
        api_key_expires_at=expires,
    )


# -- printing and keeping them -----------------------------------------------------------------

_BEGIN = "=== "


def render(credentials: DemoCredentials) -> str:
    """The credentials as text (what ``baoxue demo`` prints and stores)."""
    lines = [
        f"{_BEGIN}{credentials.name} ({credentials.division_code}) 演示账号 / demo credentials",
        f"密码 / password (every account): {credentials.password}",
    ]
    width = max(len(a.username) for a in credentials.accounts)
    for account in credentials.accounts:
        lines.append(
            f"  {account.username:<{width}}  {account.role.value:<17} "
            f"{account.role.label} · {account.scope}"
        )
    permissions = ", ".join(p.value for p in DEMO_KEY_PERMISSIONS)
    first = credentials.accounts[0].username
    lines += [
        f"API key ({credentials.api_key_agency}; {permissions}; "
        f"expires {credentials.api_key_expires_at:%Y-%m-%d}):",
        f"  {credentials.api_key}",
        f'登录 / log in:  mutation {{ login(username: "{first}", '
        f'password: "{credentials.password}") {{ token }} }}',
        "then send 'Authorization: Bearer <token>'; an agency sends 'X-API-Key: <key>'.",
    ]
    return "\n".join(lines) + "\n"


def credentials_path(database_url: str) -> Path:
    """``demo-credentials.txt`` next to a SQLite database file, else in the working directory."""
    if database_url.startswith("sqlite://"):
        location = database_url[len("sqlite://") :].split("?", 1)[0]
        if location and location != ":memory:":
            return Path(location).expanduser().resolve().parent / CREDENTIALS_FILE
    return Path.cwd() / CREDENTIALS_FILE


def _sections(text: str) -> dict[str, str]:
    """``{division code: section}`` of a credentials file."""
    result: dict[str, str] = {}
    current: list[str] = []
    code = ""
    for line in text.splitlines(keepends=True):
        if line.startswith(_BEGIN):
            if code:
                result[code] = "".join(current)
            code = line.split("(", 1)[1].split(")", 1)[0] if "(" in line else line
            current = []
        if code:
            current.append(line)
    if code:
        result[code] = "".join(current)
    return result


def save(path: Path, credentials: DemoCredentials) -> None:
    """Write the county's section into ``path``, keeping other counties' sections."""
    sections = _sections(path.read_text(encoding="utf-8")) if path.exists() else {}
    sections[credentials.division_code] = render(credentials)
    body = "\n".join(sections[code] for code in sorted(sections))
    path.write_text(WARNING + "\n\n" + body, encoding="utf-8")
    try:
        path.chmod(0o600)
    except OSError:  # pragma: no cover - a file system without permissions
        pass


def forget(path: Path, division_code: str) -> None:
    """Remove a county's section (its accounts were deleted)."""
    if not path.exists():
        return
    sections = _sections(path.read_text(encoding="utf-8"))
    sections.pop(division_code, None)
    if not sections:
        path.unlink()
        return
    body = "\n".join(sections[code] for code in sorted(sections))
    path.write_text(WARNING + "\n\n" + body, encoding="utf-8")


def load(path: Path) -> str | None:
    """The stored credentials text, or None when there is no file."""
    if not path.exists():
        return None
    return path.read_text(encoding="utf-8")
