"""The plain, frozen data a county plugin's hooks return.

Everything here is data: no database rows, no callables. Each rule carries the
:class:`Clause` of the document it comes from, so an operator can always answer "says who?".
Collections are tuples, so every value is hashable and safe to cache and share.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from core.jurisdictions.models import KeyAreaKind
from core.officials.models import Duty, ResponsibilityLine
from core.people.enums import KeyGroup
from core.rules.enums import (
    AbsenceRuleKind,
    ApprovalKind,
    ApprovingAuthority,
    Comparison,
    DeadlineKind,
    ImportKind,
    LeadershipRole,
    Metric,
    NoticeKind,
    PeriodAnchor,
    PeriodKind,
    Population,
    RiskSignal,
    RowKind,
    RowSelection,
    SchoolStage,
    SignOffAction,
    TargetPeriod,
    TermSeason,
    ValueKind,
    VocabularyKind,
)


@dataclass(frozen=True, kw_only=True)
class Clause:
    """Where a rule comes from.

    ``document`` is one of the plugin's :attr:`JurisdictionSpec.sources` (core defaults cite a
    national document or say that Baoxue chose the value); ``section`` is the heading or item
    number inside it; ``text`` a verbatim excerpt, when one is short enough to quote.

    ``assumption`` says what the rule adds to the clause where the document is silent (a number
    of days for "及时", a recipient the clause does not name): the project's assumption, not the
    document's rule. ``core_default`` marks the clauses of core's defaults (a rule no county
    document set), so a county's rules can show which of them are its own.
    """

    document: str
    section: str
    text: str = ""
    assumption: str = ""
    core_default: bool = False

    @property
    def label(self) -> str:
        """The document and the section, e.g. ``《……》 三、2`` (core's defaults say so first)."""
        label = f"{self.document} {self.section}".strip()
        return f"核心默认值 · {label}" if self.core_default else label

    def __str__(self) -> str:
        return self.label


# -- scope -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Scope:
    """适用范围: the school stages the county's documents are about (a plan for 中学 covers
    the junior middle grades only); core's default is the whole of 九年义务教育."""

    stages: tuple[SchoolStage, ...]
    clause: Clause
    description: str = ""

    @property
    def grades(self) -> tuple[int, ...]:
        """The grades (1–9) of the stages, in order."""
        return tuple(sorted({g for stage in self.stages for g in stage.grades}))


# -- targets -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Target:
    """目标: ``metric`` ``comparison`` ``threshold`` over ``population``, e.g. 巩固率 ≥ 97.3 %.

    ``threshold`` is a :class:`~decimal.Decimal` in per cent for rates and in children for
    counts. ``excluding_reasons`` names case reasons that do not count against the target
    (除身体原因不具备学习条件外: ``("ILLNESS",)``).
    """

    metric: Metric
    comparison: Comparison
    threshold: Decimal
    clause: Clause
    population: Population = Population.ALL
    period: TargetPeriod = TargetPeriod.SCHOOL_YEAR
    #: The year the target is due in (到2025年: 2025), or None for every year.
    year: int | None = None
    excluding_reasons: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[Metric, Population]:
        """Targets with the same key replace one another (a county's replaces the default)."""
        return (self.metric, self.population)

    @property
    def label(self) -> str:
        """e.g. ``巩固率 ≥ 97.3%`` or ``失学辍学人数 = 0人 (脱贫户 …)``."""
        text = f"{self.metric.label} {self.comparison.symbol} {self.threshold}{self.metric.unit}"
        if self.population is not Population.ALL:
            text += f" ({self.population.label})"
        return text

    def is_met(self, value: Decimal | int) -> bool:
        """Whether a measured value meets the target."""
        return self.comparison.holds(Decimal(value), self.threshold)


# -- escalation and deadlines ------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class EscalationLevel:
    """One level of the escalation chain (e.g. 五级联控's 学校).

    ``days_allowed`` is how long this level has before the case goes up to the next one; None
    means the document sets no time (the ``ESCALATION_STEP`` deadline applies) and is required
    on the last level, which has nowhere to go.

    ``deadline`` names the kind of deadline this level runs on instead (``TOWNSHIP_ACTION`` for
    the township government's level): its days are the county's deadline of that kind. It may
    sit on the last level too: the case cannot go up from there, but is overdue when the time
    runs out.
    """

    level: int
    name: str
    responsible: str
    action: str
    clause: Clause
    days_allowed: int | None = None
    #: Who is told when the case reaches this level, besides ``responsible``.
    notify: tuple[str, ...] = ()
    deadline: DeadlineKind | None = None


@dataclass(frozen=True, kw_only=True)
class EscalationChain:
    """劝返 escalation: levels 1..n, each acting when the one below has failed."""

    name: str
    levels: tuple[EscalationLevel, ...]
    clause: Clause
    #: The level a case goes to at once when the child or guardian cannot be reached
    #: (联系不上的 → 镇街政府), or None when the document says nothing.
    unreachable_level: int | None = None
    #: 移交乡镇: the level from which a case counts as handed to the township. From there up,
    #: callers who may read escalated cases only (READ_ESCALATED_CASES: township officials,
    #: agencies) see it; below it they see only the cases whose family cannot be reached. None:
    #: no level hands a case to the township.
    township_level: int | None = None
    #: The level a case goes to as soon as it is confirmed (a document that reports every
    #: confirmed dropout to a level above the school at once), or None: it starts at level 1.
    confirmed_level: int | None = None
    #: The level that serves the 劝返复学通知书: issuing one puts a case at this level if it is
    #: lower, so that when the notice's time runs out the case goes up from there. None: the
    #: notice leaves the case where it is.
    return_notice_level: int | None = None

    @property
    def final_level(self) -> EscalationLevel:
        return self.levels[-1]

    def level(self, number: int) -> EscalationLevel:
        """The level numbered ``number`` (1-based); ``KeyError`` if there is none."""
        for item in self.levels:
            if item.level == number:
                return item
        raise KeyError(number)

    def next_level(self, number: int) -> EscalationLevel | None:
        """The level above ``number``, or None at the top of the chain."""
        return self.level(number + 1) if number < len(self.levels) else None


@dataclass(frozen=True, kw_only=True)
class Deadline:
    """A clock: ``responsible`` must ``action`` within ``days`` calendar days.

    ``notify_on_expiry`` lists who is told when the time runs out (e.g. 乡镇政府和市教育局).
    """

    kind: DeadlineKind
    days: int
    responsible: str
    action: str
    clause: Clause
    notify_on_expiry: tuple[str, ...] = ()


# -- periods and focus -------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class KeyPeriod:
    """重点时段: ``days`` days from ``anchor`` get closer watching.

    ``days`` is None when the document gives no length (for a holiday: the whole holiday).
    """

    code: str
    name: str
    anchor: PeriodAnchor
    purpose: str
    clause: Clause
    days: int | None = None


@dataclass(frozen=True, kw_only=True)
class SchoolTerm:
    """学期: its first and last school day (both included)."""

    code: str
    name: str
    season: TermSeason
    first_day: date
    last_day: date


@dataclass(frozen=True, kw_only=True)
class Holiday:
    """节假日: days inside a term with no school (both ends included)."""

    name: str
    first_day: date
    last_day: date


@dataclass(frozen=True, kw_only=True)
class TermCalendar:
    """校历: the county's terms, its holidays, and the weekend days made school days (调休).

    A school day is a day inside a term that is a weekday or a make-up day and not a holiday.
    A school adds its own closures (停课) in the database, not here.
    """

    terms: tuple[SchoolTerm, ...]
    clause: Clause
    holidays: tuple[Holiday, ...] = ()
    make_up_days: tuple[date, ...] = ()

    def term_of(self, day: date) -> SchoolTerm | None:
        """The term ``day`` falls in, or None (a summer or winter holiday)."""
        for term in self.terms:
            if term.first_day <= day <= term.last_day:
                return term
        return None

    def is_school_day(self, day: date) -> bool:
        if self.term_of(day) is None:
            return False
        if any(h.first_day <= day <= h.last_day for h in self.holidays):
            return False
        return day.weekday() < 5 or day in self.make_up_days


@dataclass(frozen=True, kw_only=True)
class AbsenceRule:
    """考勤预警规则: ``days`` unexplained absences (counted as ``kind`` says) make a child a
    suspected dropout.

    ``key_period`` names one of the county's key periods (:class:`KeyPeriod` code): the rule then
    applies only on the school days inside that period, so a county makes a period stricter by
    declaring a rule with a smaller ``days`` for it. None: the rule applies all term.
    """

    code: str
    name: str
    kind: AbsenceRuleKind
    days: int
    clause: Clause
    key_period: str | None = None


@dataclass(frozen=True, kw_only=True)
class MonitoringFocus:
    """重点监测: the stages, groups and areas a county watches most closely."""

    code: str
    name: str
    clause: Clause
    stages: tuple[SchoolStage, ...] = ()
    key_groups: tuple[KeyGroup, ...] = ()
    #: Kinds of area in the document's words (农村, 边远, 贫困, 民族 …).
    areas: tuple[str, ...] = ()
    #: The same as core's kinds of 重点地区, which towns and villages are marked with.
    area_kinds: tuple[KeyAreaKind, ...] = ()
    description: str = ""


# -- people ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LeadershipMember:
    """One seat of a 领导小组, with the person's name and title as the document gives them."""

    role: LeadershipRole
    name: str
    title: str = ""


@dataclass(frozen=True, kw_only=True)
class LeadershipOffice:
    """领导小组办公室: the office that runs the day-to-day work."""

    name: str
    #: Where the office sits, e.g. 教育局基教股.
    location: str
    director: str
    duties: str
    members: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class LeadershipGroup:
    """控辍保学工作领导小组 of the county."""

    name: str
    members: tuple[LeadershipMember, ...]
    clause: Clause
    office: LeadershipOffice | None = None
    #: Seats held by whoever holds a post (各乡镇中心学校校长 …), not by a named person.
    ex_officio: tuple[str, ...] = ()
    #: Who leads each school's own group (e.g. 校长), or "" when schools have none.
    school_groups_led_by: str = ""

    def with_role(self, role: LeadershipRole) -> tuple[LeadershipMember, ...]:
        return tuple(m for m in self.members if m.role is role)

    @property
    def leader(self) -> LeadershipMember | None:
        """The 组长, or None when the document names none."""
        found = self.with_role(LeadershipRole.LEADER)
        return found[0] if found else None


@dataclass(frozen=True, kw_only=True)
class ResponsibilitySpec:
    """One line of a responsibility table: who covers what, and to whom they answer.

    A spec with ``person`` names one official (a 包乡镇人员 table); one without describes a
    role everywhere (双线四包: 班主任包班). ``towns`` and ``schools`` are names from the
    plugin's organisation; empty means "each one" for a role. ``reports_to`` is the ``key`` of
    another spec in the same table.
    """

    key: str
    line: ResponsibilityLine
    duty: Duty
    role: str
    clause: Clause
    person: str = ""
    title: str = ""
    towns: tuple[str, ...] = ()
    schools: tuple[str, ...] = ()
    grades: tuple[int, ...] = ()
    reports_to: str | None = None
    description: str = ""


# -- reports -----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Column:
    """One column: ``key`` inside the format, the Chinese ``header``, and the core field
    (a key of :data:`core.rules.report_fields.REPORT_FIELDS`) that fills it."""

    key: str
    header: str
    source: str


def columns(*pairs: tuple[str, str]) -> tuple[Column, ...]:
    """Columns from ``(source, header)`` pairs; each key is its source with ``.`` → ``_``
    (``"town.name"`` → ``"town_name"``), which is what ``group_by`` names."""
    return tuple(Column(key=s.replace(".", "_"), header=h, source=s) for s, h in pairs)


@dataclass(frozen=True, kw_only=True)
class HeaderGroup:
    """A heading over adjacent columns, as a printed form has it (未按时到校: 转学, 疑似辍学):
    the spreadsheet merges it across ``columns`` (column keys, adjacent and in table order)."""

    label: str
    columns: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class SignOff:
    """Who signs a report and how (e.g. 单位主要负责同志 审核、签字、盖章)."""

    role: str
    actions: tuple[SignOffAction, ...]


@dataclass(frozen=True, kw_only=True)
class ReportFormat:
    """A report or ledger (台账) a county files, as rows of ``columns``.

    Rows are sorted by the ``group_by`` columns; ``numbered`` adds a 序号 column; ``totals``
    adds a 合计 row over the numeric columns; ``privacy`` masks names, ID numbers, phones and
    addresses (for lists that are published).
    """

    code: str
    title: str
    period_kinds: tuple[PeriodKind, ...]
    row_kind: RowKind
    columns: tuple[Column, ...]
    clause: Clause
    group_by: tuple[str, ...] = ()
    numbered: bool = True
    totals: bool = False
    privacy: bool = False
    sign_off: tuple[SignOff, ...] = ()
    submit_to: tuple[str, ...] = ()
    description: str = ""
    #: Headings merged over adjacent columns (a second header row in the spreadsheet).
    header_groups: tuple[HeaderGroup, ...] = ()
    #: Which children or cases the ledger lists (all, suspected, confirmed, key groups …).
    selection: RowSelection = RowSelection.ALL

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


# -- vocabulary and exemptions -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VocabularyTerm:
    """A case reason or assistance programme a county adds to core's (code ≤ 32 characters)."""

    kind: VocabularyKind
    code: str
    label: str
    clause: Clause


@dataclass(frozen=True, kw_only=True)
class ProcedureStep:
    """One step of a procedure: ``actor`` does ``action``."""

    actor: str
    action: str


@dataclass(frozen=True, kw_only=True)
class ExemptionRule:
    """缓学/免学: when a child may be excused, and the steps that make it so.

    ``reasons`` are case-reason codes; a case with one of them ends EXEMPTED once every step is
    done. ``counts_as_dropout`` says whether such a child still counts against targets.
    ``approved_by`` names the authorities that may approve (any one of them; 义务教育法 第十一条:
    the township or the county's education department), ``filed_with`` the office an approval
    is filed with (备案), if any. ``also_approves`` names the other approvals the same
    authorities decide (休学, a placement taking effect); the first rule naming a kind is the
    one that counts, and with none, :data:`LAW_APPROVERS` decide.
    """

    code: str
    name: str
    reasons: tuple[str, ...]
    steps: tuple[ProcedureStep, ...]
    clause: Clause
    counts_as_dropout: bool = False
    approved_by: tuple[ApprovingAuthority, ...] = (
        ApprovingAuthority.TOWNSHIP,
        ApprovingAuthority.COUNTY_EDUCATION_BUREAU,
    )
    filed_with: str = ""
    also_approves: tuple[ApprovalKind, ...] = (ApprovalKind.SUSPENSION, ApprovalKind.PLACEMENT)


#: 义务教育法 第十一条: who approves when no county rule names an authority (乡镇人民政府或者县级
#: 人民政府教育行政部门).
LAW_APPROVERS: tuple[ApprovingAuthority, ...] = (
    ApprovingAuthority.TOWNSHIP,
    ApprovingAuthority.COUNTY_EDUCATION_BUREAU,
)


# -- import formats ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ImportColumn:
    """One column: the header it is exported with, the other headers it is known by, the field
    it fills and, for coded values, the vocabulary (:data:`VOCABULARIES`) that reads them."""

    field: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    kind: ValueKind = ValueKind.TEXT
    vocabulary: str = ""
    max_length: int = 255
    sample: str = ""

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.header, *self.synonyms)


@dataclass(frozen=True, kw_only=True)
class ImportFormat:
    """A roster layout: ``code`` (UPPER_SNAKE), what it is (``kind``), who exports it, its
    columns. ``key_group`` is the 重点群体 a key-group list states (one list, one group)."""

    code: str
    label: str
    kind: ImportKind
    source: str
    columns: tuple[ImportColumn, ...]
    key_group: KeyGroup | None = None

    def column(self, field: str) -> ImportColumn | None:
        return next((c for c in self.columns if c.field == field), None)


# -- 送教上门 ------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class HomeDeliveryRule:
    """送教上门: who may be taught at home instead of at school.

    A child qualifies when their age on the day is between ``min_age`` and ``max_age``
    (inclusive) and their 残疾等级 is one of ``disability_grades`` (重度: 一级、二级).
    """

    min_age: int
    max_age: int
    disability_grades: tuple[int, ...]
    clause: Clause


# -- notices -----------------------------------------------------------------------------------


#: The values a notice template may name in braces (``{child_name}``), and what each holds.
NOTICE_FIELDS: dict[str, str] = {
    "county": "县 (区、市) 名称",
    "town": "乡镇/街道",
    "school": "学校",
    "child_name": "学生姓名",
    "child_gender": "性别",
    "birth_date": "出生日期",
    "grade": "年级 (如 七年级)",
    "guardian_name": "监护人姓名",
    "number": "文书编号",
    "issued_on": "下达/发放日期 (如 2026年9月15日)",
    "deadline": "限期 (如 2026年9月22日)",
    "school_year": "学年 (如 2026—2027)",
    "issuer": "发文单位",
}


@dataclass(frozen=True, kw_only=True)
class NoticeTemplate:
    """A printable notice (文书) as text with blanks: the title, the salutation, paragraphs
    and the closing, each of which may name :data:`NOTICE_FIELDS` in braces
    (``{guardian_name}``). ``issuer`` is who signs it (``{school}`` or a named office);
    ``receipt`` adds a tear-off 回执 the guardian signs and returns."""

    kind: NoticeKind
    title: str
    salutation: str
    paragraphs: tuple[str, ...]
    clause: Clause
    closing: str = ""
    issuer: str = "{school}"
    receipt: str = ""


# -- risk --------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RiskRule:
    """One transparent risk rule: it fires when the child's ``signal`` ``comparison``
    ``threshold`` (本学期无故缺勤 4 天 ≥ 3) and adds ``weight`` points to the child's score.

    ``code`` is UPPER_SNAKE and names the rule in every explanation; ``label`` is how the
    value is named there (default: the signal's name). ``key_groups`` are the 重点群体 a
    ``KEY_GROUPS`` rule counts.
    """

    code: str
    signal: RiskSignal
    comparison: Comparison
    threshold: Decimal
    weight: int
    clause: Clause
    label: str = ""
    key_groups: tuple[KeyGroup, ...] = ()

    @property
    def name(self) -> str:
        """The value's name in an explanation: ``label``, else the signal's."""
        return self.label or self.signal.label

    def fires(self, value: Decimal | int | None) -> bool:
        """Whether a child's value makes the rule fire (no value: never)."""
        return value is not None and self.comparison.holds(Decimal(value), self.threshold)


@dataclass(frozen=True, kw_only=True)
class RiskRuleSet:
    """The county's risk rules (辍学风险预警规则), versioned: a child's score is the sum of the
    weights of the rules that fire; ``high_at`` points or more is HIGH, ``watch_at`` or more
    WATCH, less NONE. ``visit_days``: a HIGH-risk child with no open case and no home visit in
    that many days goes on the list of children nobody is looking after.

    ``version`` names the rules as they are (every explanation carries it); a plugin that
    changes a threshold or weight gives a new one, most simply with :meth:`adjusted`.
    """

    version: str
    rules: tuple[RiskRule, ...]
    watch_at: int
    high_at: int
    visit_days: int
    clause: Clause
    description: str = ""

    def rule(self, code: str) -> RiskRule:
        for item in self.rules:
            if item.code == code:
                return item
        raise KeyError(code)

    def adjusted(
        self,
        *,
        version: str,
        thresholds: dict[str, Decimal | int] | None = None,
        weights: dict[str, int] | None = None,
        clause: Clause | None = None,
        **changes: object,
    ) -> RiskRuleSet:
        """These rules with some thresholds and weights changed (by rule code), under a new
        ``version``; ``changes`` replace other fields (``high_at``, ``visit_days`` …).
        ``KeyError`` for a code the set has not."""
        thresholds, weights = thresholds or {}, weights or {}
        for code in (*thresholds, *weights):
            self.rule(code)
        rules = tuple(
            replace(
                r,
                threshold=Decimal(thresholds.get(r.code, r.threshold)),
                weight=weights.get(r.code, r.weight),
                **(
                    {"clause": clause}
                    if clause and (r.code in thresholds or r.code in weights)
                    else {}
                ),
            )
            for r in self.rules
        )
        return replace(self, version=version, rules=rules, clause=clause or self.clause, **changes)


# -- event channels ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ChannelMessage:
    """What a channel is told of one event (no personal details: as the inbox shows it)."""

    event_id: str
    kind: str
    jurisdiction_code: str
    summary: str
    #: The office the event is addressed to: its kind (CLASS, SCHOOL, TOWN, COUNTY) and name.
    office_kind: str
    office: str
    responsible_name: str
    object_type: str
    #: The object's global id.
    object_id: str
    occurred_at: str
    payload: dict


@dataclass(frozen=True, kw_only=True)
class ChannelRequest:
    """The HTTP request a channel wants sent for one message; core sends it (POST)."""

    url: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class EventChannel:
    """通知渠道: a way a county tells people of events besides the inbox (an SMS gateway, a
    workplace messaging robot). ``render`` is a plain function from a message to the request
    to send, or None to send nothing for it; it must not do I/O (core sends the request)."""

    name: str
    label: str
    #: Event kinds (``core.events.enums.EventKind`` values) the channel hears.
    event_kinds: tuple[str, ...]
    render: Callable[[ChannelMessage], ChannelRequest | None]
