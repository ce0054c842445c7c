"""Demo cases (一人一档): which cases a county has, and each one's timeline.

:func:`plan_cases` decides the cases up front: every :class:`CaseState`, :class:`CaseKind`
and :class:`CaseSource` appears, the rest follow rough proportions. :class:`CaseWriter` then
plays each case through the workflow table (:mod:`core.cases.workflow`), step by step, the way
the services in ``core.cases.services`` would have: each step's event carries the details
those services write, the 学籍异动 the step implies is recorded against the child's
enrolment, a home visit is logged for each 家访, the case's version counts its events and its
``next_deadline_at`` follows the county's clocks (so some open cases are overdue on
:data:`~core.demo.calendar.DEMO_TODAY`).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from core.cases import events
from core.cases.deadlines import Due, clock_for
from core.cases.enums import (
    TERMINAL_STATES,
    CaseEventKind,
    CaseKind,
    CaseSource,
    CaseState,
    ContactKind,
    ContactOutcome,
    DismissalGrounds,
    ExemptionKind,
)
from core.cases.models import Case, CaseEvent
from core.cases.policy import from_county_rules
from core.cases.workflow import CaseAction, next_state
from core.china_time import end_of_day, local_date
from core.demo import names, texts
from core.demo.calendar import DEMO_TODAY, moment, new_id
from core.enrolment.models import EnrolmentChangeKind, EnrolmentStatus
from core.people.enums import KeyGroup
from core.rules.county import CountyRules
from core.visits.models import HomeVisit, HomeVisitKind

if TYPE_CHECKING:
    from core.demo.organisation_builder import ClassRec, Organisation, SchoolRec, TownRec
    from core.enrolment.models import Enrolment
    from core.people.models import Child, Guardian

S = CaseState
A = CaseAction
EK = CaseEventKind
K = EnrolmentChangeKind

#: The earliest a demo case opens: the start of the previous school year's autumn term.
EARLIEST_OPENING = date(2025, 9, 10)

# -- planning ----------------------------------------------------------------------------------

_KIND_WEIGHTS = {CaseKind.DROPOUT: 62, CaseKind.NEVER_ENROLLED: 18, CaseKind.AT_RISK: 20}
_STATE_WEIGHTS: dict[CaseKind, dict[CaseState, float]] = {
    CaseKind.DROPOUT: {
        S.REPORTED: 6, S.VERIFYING: 6, S.DISMISSED: 9, S.CONFIRMED: 4, S.PERSUADING: 12,
        S.RETURNED: 6, S.MONITORING: 12, S.CLOSED: 28, S.EXEMPTED: 4, S.UNREACHABLE: 5,
        S.TRANSFERRED: 8,
    },
    CaseKind.NEVER_ENROLLED: {
        S.REPORTED: 8, S.VERIFYING: 8, S.DISMISSED: 14, S.CONFIRMED: 6, S.PERSUADING: 10,
        S.RETURNED: 6, S.MONITORING: 10, S.CLOSED: 16, S.EXEMPTED: 12, S.UNREACHABLE: 5,
        S.TRANSFERRED: 5,
    },
    CaseKind.AT_RISK: {
        S.REPORTED: 20, S.VERIFYING: 15, S.DISMISSED: 20, S.CONFIRMED: 15, S.PERSUADING: 25,
        S.TRANSFERRED: 5,
    },
}  # fmt: skip
_SOURCE_WEIGHTS: dict[CaseKind, dict[CaseSource, float]] = {
    CaseKind.DROPOUT: {
        CaseSource.HEAD_TEACHER_REPORT: 55, CaseSource.NATIONAL_PLATFORM: 20,
        CaseSource.ROSTER_COMPARISON: 8, CaseSource.HOUSEHOLD_SURVEY: 6,
        CaseSource.REGISTRY_TRACKING: 8, CaseSource.OTHER: 3,
    },
    CaseKind.NEVER_ENROLLED: {
        CaseSource.ROSTER_COMPARISON: 40, CaseSource.HOUSEHOLD_SURVEY: 30,
        CaseSource.NATIONAL_PLATFORM: 10, CaseSource.REGISTRY_TRACKING: 15, CaseSource.OTHER: 5,
    },
    CaseKind.AT_RISK: {
        CaseSource.HEAD_TEACHER_REPORT: 80, CaseSource.HOUSEHOLD_SURVEY: 10,
        CaseSource.OTHER: 10,
    },
}  # fmt: skip
_REASON_WEIGHTS: dict[CaseKind, dict[str, float]] = {
    CaseKind.DROPOUT: {
        "LEARNING_DIFFICULTY": 30, "FINANCIAL": 8, "WORK": 10, "MIGRATION": 10,
        "FAMILY_CHANGE": 8, "ILLNESS": 8, "EARLY_MARRIAGE": 3, "GUARDIAN_REFUSAL": 5,
        "UNKNOWN": 8, "OTHER": 3, "DISABILITY": 3, "TEACHER_MISCONDUCT": 1,
        "NO_GUARDIANSHIP": 2,
    },
    CaseKind.NEVER_ENROLLED: {
        "DISABILITY": 25, "ILLNESS": 12, "MIGRATION": 20, "GUARDIAN_REFUSAL": 10,
        "UNKNOWN": 10, "FINANCIAL": 5, "NO_HOUSEHOLD_REGISTRATION": 6, "NO_GUARDIANSHIP": 3,
    },
    CaseKind.AT_RISK: {
        "LEARNING_DIFFICULTY": 40, "FAMILY_CHANGE": 15, "FINANCIAL": 15, "MIGRATION": 10,
        "ILLNESS": 5, "UNKNOWN": 5,
    },
}  # fmt: skip

#: States whose case leaves the child on the roll (在读), by kind; the others are listed below.
_ENROLLED_STATES = {
    CaseKind.DROPOUT: {S.REPORTED, S.VERIFYING, S.DISMISSED, S.RETURNED, S.MONITORING, S.CLOSED},
    CaseKind.NEVER_ENROLLED: {S.RETURNED, S.MONITORING, S.CLOSED},
    CaseKind.AT_RISK: {S.REPORTED, S.VERIFYING, S.DISMISSED, S.CONFIRMED, S.PERSUADING},
}


def category_of(kind: CaseKind, state: CaseState) -> str:
    """The child's roll status when the case is in ``state``: E 在读, D 辍学, S 休学,
    T 转出, NE never enrolled."""
    if state in _ENROLLED_STATES[kind]:
        return "E"
    if kind is CaseKind.NEVER_ENROLLED:
        return "NE"
    if state is S.EXEMPTED:
        return "S"
    if state is S.TRANSFERRED:
        return "T"
    return "D"


@dataclass(eq=False)
class CasePlan:
    """One case to build: what it is and how its story goes."""

    kind: CaseKind
    state: CaseState
    source: CaseSource
    reason: str
    category: str
    #: A never-enrolled child who is on the roll now: the case's return is the 入学.
    new_enrolment: bool
    #: Grades (or the grade of the age, for a child never enrolled) to pick the child from.
    grades: tuple[int, ...]
    #: What the household should look like (POOR, LEFT_BEHIND, FAMILY, AWAY, LEARNING, DISABLED).
    hints: frozenset[str] = frozenset()
    needs_girl: bool = False
    variant: dict[str, Any] = field(default_factory=dict)


def _pick(rng: random.Random, weights: dict[Any, float], allowed: set[Any] | None = None) -> Any:
    items = [(k, w) for k, w in weights.items() if allowed is None or k in allowed]
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def case_count(students: int) -> int:
    """How many cases a county of ``students`` pupils gets (166 for 3,000; 5,556 for 100,000)."""
    return max(66, round(students / 18))


def plan_cases(rng: random.Random, *, students: int, rules: CountyRules) -> list[CasePlan]:
    """The county's cases: one DROPOUT case in every state (each source among the first
    six), a never-enrolled and an at-risk case, then the rest by weight."""
    reasons = set(rules.case_reasons())
    sources = list(CaseSource)
    wanted: list[tuple[CaseKind, CaseState, CaseSource | None]] = [
        (CaseKind.DROPOUT, state, sources[i] if i < len(sources) else None)
        for i, state in enumerate(CaseState)
    ]
    wanted += [
        (CaseKind.NEVER_ENROLLED, S.CONFIRMED, CaseSource.ROSTER_COMPARISON),
        (CaseKind.NEVER_ENROLLED, S.CLOSED, CaseSource.HOUSEHOLD_SURVEY),
        (CaseKind.AT_RISK, S.PERSUADING, CaseSource.HEAD_TEACHER_REPORT),
    ]
    while len(wanted) < case_count(students):
        kind = _pick(rng, _KIND_WEIGHTS)
        wanted.append((kind, _pick(rng, _STATE_WEIGHTS[kind]), None))
    plans = []
    for kind, state, source in wanted:
        source = source or _pick(rng, _SOURCE_WEIGHTS[kind])
        if state is S.EXEMPTED:
            reason = _pick(rng, {"ILLNESS": 1, "DISABILITY": 1}, reasons)
        elif state is S.TRANSFERRED:
            reason = _pick(rng, {"MIGRATION": 3, "WORK": 1}, reasons)
        else:
            reason = _pick(rng, _REASON_WEIGHTS[kind], reasons)
        plans.append(_plan(rng, kind, state, source, reason))
    rng.shuffle(plans)
    return plans


def _plan(
    rng: random.Random, kind: CaseKind, state: CaseState, source: CaseSource, reason: str
) -> CasePlan:
    category = category_of(kind, state)
    hints: set[str] = set()
    if reason == "FINANCIAL":
        hints.add("POOR")
    elif reason == "LEARNING_DIFFICULTY":
        hints.add("LEARNING")
    elif reason in ("FAMILY_CHANGE", "NO_GUARDIANSHIP"):
        hints.add("FAMILY")
    elif reason == "DISABILITY":
        hints.add("DISABLED")
    elif reason in ("WORK", "MIGRATION"):
        away = source is CaseSource.REGISTRY_TRACKING or state is S.TRANSFERRED
        hints.add("AWAY" if away and category != "E" else "LEFT_BEHIND")
    if kind is CaseKind.DROPOUT:
        grades: tuple[int, ...] = (5, 6, 8, 8, 9, 9, 4)
    elif kind is CaseKind.AT_RISK:
        grades = (4, 5, 6, 8, 8, 9)
    else:
        grades = (2, 3, 4, 5, 6, 8, 9)
    needs_girl = reason == "EARLY_MARRIAGE"
    if needs_girl:
        grades = (8, 9)
    variant = {
        "contact_first": rng.random() < 0.6,
        "notice": rng.random() < 0.45,
        "escalations": rng.choice((0, 0, 1, 1, 2)),
        "relapse": rng.random() < 0.12,
        "via_unreachable": rng.random() < 0.12,
        "confirm_first": rng.random() < 0.5,
        "follow_ups": rng.randint(1, 3),
        "extra_contacts": rng.randint(0, 2),
        "slack": rng.random(),
    }
    if kind is CaseKind.NEVER_ENROLLED and state is S.DISMISSED:
        variant["grounds"] = rng.choice(("STUDYING_ELSEWHERE", "NOT_OF_SCHOOL_AGE", "DATA_ERROR"))
    else:
        variant["grounds"] = rng.choice(("DATA_ERROR", "DATA_ERROR", "OTHER"))
    return CasePlan(
        kind=kind,
        state=state,
        source=source,
        reason=reason,
        category=category,
        new_enrolment=kind is CaseKind.NEVER_ENROLLED and category == "E",
        grades=grades,
        hints=frozenset(hints),
        needs_girl=needs_girl,
        variant=variant,
    )


# -- writing one case ------------------------------------------------------------------------------


@dataclass(eq=False)
class ChildContext:
    """What a case needs to know about its child."""

    child: Child
    town: TownRec
    village: Any
    school: SchoolRec | None
    klass: ClassRec | None
    enrolment: Enrolment | None
    guardian: Guardian
    groups: set[KeyGroup]


@dataclass
class _Move:
    action: CaseAction
    gap: int
    params: dict[str, Any] = field(default_factory=dict)
    #: A gap the fitting may not shorten (the follow-up window before 销号).
    fixed: bool = False


ChangeWriter = Callable[..., Any]


class CaseWriter:
    """Turns :class:`CasePlan` s into rows (cases, events, enrolment changes, home visits)."""

    def __init__(
        self,
        org: Organisation,
        rules: CountyRules,
        rng: random.Random,
        *,
        ids: random.Random,
        change: ChangeWriter,
    ) -> None:
        self.org = org
        #: The county's chain and clocks, as the workflow's services read them.
        self.rules = from_county_rules(rules)
        self.rng = rng
        self.ids = ids
        self.change = change
        self.serial = 0
        self.short = org.spec.name[:2]

    # -- the story -------------------------------------------------------------------------------

    def _moves(self, plan: CasePlan) -> list[_Move]:
        rng, v, state = self.rng, plan.variant, plan.state
        rules = self.rules
        moves = [_Move(A.REPORT, 0)]

        def contact(kind: str, outcome: str, gap: tuple[int, int] = (1, 4)) -> None:
            moves.append(
                _Move(A.RECORD_CONTACT, rng.randint(*gap), {"kind": kind, "outcome": outcome})
            )

        if state is S.REPORTED:
            if v["contact_first"]:
                contact("PHONE_CALL", "REACHED", (0, 2))
            return moves
        moves.append(_Move(A.VERIFY, rng.randint(1, 5)))
        if state is S.VERIFYING:
            if v["contact_first"]:
                contact("HOME_VISIT", "REACHED")
            return moves
        if state is S.DISMISSED:
            if v["contact_first"]:
                contact(rng.choice(("PHONE_CALL", "HOME_VISIT")), "REACHED")
            moves.append(_Move(A.DISMISS, rng.randint(1, 6)))
            return moves
        if state in (S.EXEMPTED, S.TRANSFERRED) and not v["confirm_first"]:
            contact("HOME_VISIT", "REACHED")
            if state is S.EXEMPTED:
                moves.append(_Move(A.REQUEST_EXEMPTION, rng.randint(2, 10)))
                moves.append(_Move(A.APPROVE_EXEMPTION, rng.randint(3, 15)))
            else:
                moves.append(_Move(A.RECORD_TRANSFER, rng.randint(3, 15)))
            return moves
        if v["contact_first"]:
            contact("HOME_VISIT", "REACHED")
        moves.append(_Move(A.CONFIRM, rng.randint(1, 6)))
        if state is S.CONFIRMED:
            return moves
        if state is S.EXEMPTED:
            contact("PERSUASION", "REACHED")
            moves.append(_Move(A.REQUEST_EXEMPTION, rng.randint(2, 10)))
            moves.append(_Move(A.APPROVE_EXEMPTION, rng.randint(3, 15)))
            return moves
        if state is S.TRANSFERRED:
            contact("PHONE_CALL", "REACHED")
            moves.append(_Move(A.RECORD_TRANSFER, rng.randint(3, 20)))
            return moves
        if state is S.UNREACHABLE:
            contact("PHONE_CALL", "NOT_REACHED")
            contact("HOME_VISIT", "NOT_REACHED", (2, 6))
            moves.append(_Move(A.MARK_UNREACHABLE, rng.randint(1, 4)))
            if v["extra_contacts"]:
                contact("PHONE_CALL", "NOT_REACHED", (5, 15))
            if v["escalations"]:
                moves.append(_Move(A.ESCALATE, rng.randint(7, 15)))
            return moves
        # 劝返: contacts, perhaps a 劝返复学通知书 and escalation, then (perhaps) the return.
        if v["via_unreachable"]:
            contact("PHONE_CALL", "NOT_REACHED")
            moves.append(_Move(A.MARK_UNREACHABLE, rng.randint(2, 6)))
            moves.append(
                _Move(
                    A.RESUME_CONTACT,
                    rng.randint(5, 20),
                    {"kind": "HOME_VISIT", "outcome": "REACHED"},
                )
            )
        else:
            contact("PERSUASION", rng.choice(("REACHED", "REFUSED")))
        for _ in range(v["extra_contacts"]):
            contact(
                rng.choice(("PERSUASION", "HOME_VISIT", "PHONE_CALL")),
                rng.choice(("REACHED", "REFUSED")),
                (2, 8),
            )
        if v["notice"] or v["escalations"]:
            moves.append(_Move(A.ISSUE_RETURN_NOTICE, rng.randint(1, 5)))
        notice_days = rules.return_notice_days
        for i in range(v["escalations"]):
            gap = notice_days + rng.randint(1, 3) if i == 0 else rng.randint(5, 12)
            moves.append(_Move(A.ESCALATE, gap))
            contact("PERSUASION", "REFUSED" if i + 1 < v["escalations"] else "REACHED", (1, 5))
        if state is S.PERSUADING:
            return moves
        contact("PERSUASION", "AGREED_TO_RETURN", (1, 6))
        moves.append(_Move(A.RECORD_RETURN, rng.randint(1, 5)))
        if state is S.RETURNED:
            return moves
        window = rules.follow_up_window_days
        if v["relapse"]:
            moves.append(_Move(A.RECORD_RELAPSE, rng.randint(10, 25), fixed=True))
            contact("PERSUASION", "AGREED_TO_RETURN", (2, 8))
            moves.append(_Move(A.RECORD_RETURN, rng.randint(1, 5)))
        since_return = 0
        for _ in range(v["follow_ups"]):
            gap = rng.randint(7, 15)
            since_return += gap
            moves.append(_Move(A.RECORD_FOLLOW_UP, gap, fixed=True))
        if state is S.MONITORING:
            return moves
        close_gap = max(rng.randint(1, 10), window + 1 - since_return)
        moves.append(_Move(A.CLOSE, close_gap, fixed=True))
        return moves

    def _slack(self, plan: CasePlan) -> int:
        """Days between the last event and DEMO_TODAY."""
        ranges = {
            S.REPORTED: 12, S.VERIFYING: 14, S.CONFIRMED: 14, S.PERSUADING: 20,
            S.UNREACHABLE: 30, S.RETURNED: 24, S.MONITORING: 25,
        }  # fmt: skip
        top = ranges.get(plan.state, 330)
        return int(plan.variant["slack"] * (top + 1))

    def _days(self, plan: CasePlan, moves: list[_Move], earliest: date) -> list[date]:
        """A day for every move, ending ``slack`` days before DEMO_TODAY and starting no
        earlier than ``earliest`` (gaps shrink when they must)."""
        total = sum(m.gap for m in moves)
        end = DEMO_TODAY - timedelta(days=self._slack(plan))
        if end - timedelta(days=total) < earliest:
            end = min(DEMO_TODAY, earliest + timedelta(days=total))
        room = (end - earliest).days
        if total > room:
            fixed = sum(m.gap for m in moves if m.fixed)
            loose = total - fixed
            scale = max(0.0, (room - fixed) / loose) if loose else 0.0
            for m in moves:
                if not m.fixed:
                    m.gap = int(m.gap * scale)
            total = sum(m.gap for m in moves)
        day = end - timedelta(days=total)
        result = []
        for m in moves:
            day += timedelta(days=m.gap)
            result.append(day)
        return result

    # -- playing it through ----------------------------------------------------------------------

    def write(self, plan: CasePlan, ctx: ChildContext, out: Any) -> Case:
        """Build the case, its timeline and its effects into ``out`` (the chunk's rows)."""
        rng, ids = self.rng, self.ids
        moves = self._moves(plan)
        earliest = EARLIEST_OPENING
        enrolment = ctx.enrolment
        on_roll = enrolment is not None and not plan.new_enrolment
        if on_roll:
            earliest = max(earliest, enrolment.started_on + timedelta(days=10))
        days = self._days(plan, moves, earliest)
        moments: list[datetime] = []
        for day in days:
            at = moment(day, rng)
            if moments and at <= moments[-1]:
                at = moments[-1] + timedelta(minutes=rng.randint(5, 90))
            moments.append(at)
        case = Case(
            id=new_id(ids),
            jurisdiction_id=self.org.jurisdiction.id,
            child_id=ctx.child.id,
            school_id=ctx.school.model.id if ctx.school and on_roll else None,
            kind=plan.kind,
            state=S.REPORTED,
            source=plan.source,
            reason=plan.reason,
            reason_detail="",
            escalation_level=0,
            opened_at=moments[0],
            closed_at=None,
            next_deadline_at=None,
            open_key=None,
            version=0,
        )
        out.cases.append(case)
        story = _Story(self, plan, ctx, case, out)
        for move, at in zip(moves, moments, strict=True):
            story.play(move, at)
        previous = story.last_at
        state = CaseState(case.state)
        if state is not plan.state:  # pragma: no cover - a bug in _moves
            raise AssertionError(f"planned {plan.state}, the story ended {state}")
        if state in TERMINAL_STATES:
            case.open_key = None
            case.closed_at = previous
            case.next_deadline_at = None
        else:
            case.open_key = f"{ctx.child.id}:{plan.kind.value}"
        return case

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial


class _Story:
    """One case being played through the workflow, step by step."""

    def __init__(
        self, writer: CaseWriter, plan: CasePlan, ctx: ChildContext, case: Case, out: Any
    ) -> None:
        self.w = writer
        self.plan = plan
        self.ctx = ctx
        self.case = case
        self.out = out
        self.state: CaseState | None = None
        self.level = 0
        self.enrolled = ctx.enrolment is not None and not plan.new_enrolment
        self.request: events.ExemptionRequest | None = None
        self.request_event_id: str | None = None
        self.last_at: datetime | None = None
        self.rng = writer.rng
        org = writer.org
        school = ctx.school
        self.head = ctx.klass.head if ctx.klass else None
        self.principal = school.principal if school else None
        self.registrar = org.registrars[ctx.child.id.int % len(org.registrars)]
        self.township = ctx.town.officials
        self.cadre = ctx.town.cadres.get(ctx.village.id)
        self.teacher = self.head or self.cadre or self.township[-1]

    # -- helpers ---------------------------------------------------------------------------------

    def _event(
        self,
        kind: CaseEventKind,
        action: CaseAction,
        at: datetime,
        actor: Any,
        payload: events.Payload,
        to_state: CaseState,
        note: str = "",
    ) -> CaseEvent:
        event = CaseEvent(
            id=new_id(self.w.ids),
            case_id=self.case.id,
            kind=kind,
            from_state=self.state,
            to_state=to_state,
            occurred_at=at,
            actor_id=actor.id if actor else None,
            actor_name=(actor.name if actor else "")[:64],
            details=events.event_details(action, payload, note),
        )
        self.out.events.append(event)
        return event

    def _changed(
        self, kind: EnrolmentChangeKind, day: date, reason: str, **kw: Any
    ) -> events.EnrolmentStep:
        enrolment = self.ctx.enrolment
        change = self.w.change(
            self.out, enrolment, kind, day, reason=reason, case_id=self.case.id, **kw
        )
        return events.EnrolmentStep(str(change.id), kind)

    def _status(self) -> EnrolmentStatus | None:
        if not self.enrolled or self.ctx.enrolment is None:
            return None
        return EnrolmentStatus(self.ctx.enrolment.status)

    def _fmt(self, text: str) -> str:
        return text.format(
            child=self.ctx.child.name,
            guardian=self.ctx.guardian.name,
            school=self.ctx.school.name if self.ctx.school else "",
            town=self.ctx.town.name,
            village=self.ctx.village.name,
            place=self.rng.choice(names.WORK_DESTINATIONS),
            teacher=self.teacher.name if self.teacher else "",
        )

    # -- one step --------------------------------------------------------------------------------

    def play(self, move: _Move, at: datetime) -> None:
        """One step, as the service of its action writes it: the same payload builder
        (:mod:`core.cases.events`) and the same clock (:func:`~core.cases.deadlines.clock_for`)."""
        action = move.action
        case, plan, rng, rules = self.case, self.plan, self.rng, self.w.rules
        params = move.params
        if (
            action is A.RECORD_CONTACT
            and self.state is S.UNREACHABLE
            and params.get("outcome") != "NOT_REACHED"
        ):
            action = A.RESUME_CONTACT
        to = next_state(action, self.state)
        day = local_date(at)
        note = ""
        #: The clock the step starts (None: the case keeps its deadline).
        clock: Due | None = None
        payload: events.Payload
        if action is A.REPORT:
            actor, kind = self._reporter(), EK.REPORT
            details = rng.choice(
                texts.REASON_DETAILS.get(plan.reason, texts.REASON_DETAILS["OTHER"])
            )
            payload = events.Report(
                source=plan.source,
                reason=plan.reason,
                reason_detail=self._fmt(details),
                whereabouts=self._fmt(rng.choice(texts.WHEREABOUTS)),
            )
            case.reason_detail = payload.reason_detail
            case.whereabouts = payload.whereabouts
            case.opened_at = at
            clock = clock_for(to, rules=rules, level=0, since=at)
        elif action is A.VERIFY:
            actor, kind = self.registrar, EK.VERIFICATION
            payload = events.Verification(stage="STARTED")
            clock = clock_for(to, rules=rules, level=self.level, since=at)
        elif action is A.CONFIRM:
            actor, kind = self.principal or self.registrar, EK.CONFIRMATION
            payload = events.Confirmation(
                findings=self._fmt(rng.choice(texts.VERIFICATION_FINDINGS)),
                reason=plan.reason,
                whereabouts=self._fmt(rng.choice(texts.WHEREABOUTS)),
            )
            case.whereabouts = payload.whereabouts
            if plan.kind is CaseKind.DROPOUT:
                if self._status() in (EnrolmentStatus.ENROLLED, EnrolmentStatus.SUSPENDED):
                    step = self._changed(K.DROP_OUT, day, f"辍学: {plan.reason}")
                else:
                    step = events.NO_ENROLMENT_CHANGE
                payload = replace(payload, enrolment=step)
            self.level = rules.confirmed_level or 0
            case.escalation_level = self.level
            clock = clock_for(to, rules=rules, level=self.level, since=at)
        elif action is A.DISMISS:
            actor, kind = self.principal or self.registrar, EK.DISMISSAL
            grounds = DismissalGrounds(plan.variant["grounds"])
            elsewhere = ""
            if grounds is DismissalGrounds.STUDYING_ELSEWHERE:
                elsewhere = names.school_elsewhere(rng, True)
            payload = events.Dismissal(
                grounds=grounds,
                evidence=self._fmt(rng.choice(texts.DISMISSAL_EVIDENCE[grounds.value])),
                school_elsewhere=elsewhere,
            )
        elif action in (A.RECORD_CONTACT, A.RESUME_CONTACT):
            contact = ContactKind(params["kind"])
            outcome = ContactOutcome(params["outcome"])
            kind = contact.event_kind
            actor = (
                self.principal
                if contact is ContactKind.PERSUASION and self.principal and rng.random() < 0.5
                else self.teacher
            )
            participants = [p.name for p in (actor, self.cadre) if p is not None]
            participants.append(self.ctx.guardian.name)
            note = self._fmt(rng.choice(texts.CONTACT_NOTES[outcome.value]))
            payload = events.Contact(
                outcome=outcome,
                method=rng.choice(texts.CONTACT_METHODS[contact.value]),
                participants=tuple(participants),
            )
            if contact is ContactKind.HOME_VISIT:
                visit = HomeVisit(
                    id=new_id(self.w.ids),
                    child_id=self.ctx.child.id,
                    case_id=case.id,
                    visitor_id=actor.id if actor else None,
                    visitor_name=actor.name if actor else "",
                    kind=HomeVisitKind.HOME_VISIT,
                    visited_on=day,
                    findings=note,
                    follow_up_needed=outcome is not ContactOutcome.AGREED_TO_RETURN,
                )
                self.out.visits.append(visit)
                payload = replace(payload, home_visit_id=str(visit.id))
            if action is A.RESUME_CONTACT:
                clock = clock_for(to, rules=rules, level=self.level, since=at)
        elif action is A.ISSUE_RETURN_NOTICE:
            actor, kind = self.principal or self.registrar, EK.RETURN_NOTICE
            deadline = day + timedelta(days=rules.return_notice_days)
            payload = events.ReturnNotice(
                number=f"{self.w.short}教劝〔{day.year}〕{self.w.next_serial()}号",
                issued_on=day,
                deadline=deadline,
                deadline_at=end_of_day(deadline),
            )
            self.level = max(self.level, rules.return_notice_level or 0)
            case.escalation_level = self.level
            clock = clock_for(
                to, rules=rules, level=self.level, since=at, notice_deadline=payload.deadline_at
            )
        elif action is A.ESCALATE:
            if self.level >= rules.top_level:
                return  # at the top of the chain already: the story skips this step
            actor, kind = self.principal or self.registrar, EK.ESCALATION
            source, target = rules.level(self.level), rules.level(self.level + 1)
            payload = events.Escalation(
                from_level=self.level,
                to_level=self.level + 1,
                from_level_name=source.name,
                to_level_name=target.name,
                to_office=target.office,
                to_whom=target.office,
                notify=target.notify,
                reason="劝返无效, 上报上一级",
            )
            self.level += 1
            case.escalation_level = self.level
            clock = clock_for(to, rules=rules, level=self.level, since=at)
        elif action is A.MARK_UNREACHABLE:
            actor, kind = self.principal or self.registrar, EK.UNREACHABLE
            if rules.unreachable_level is not None:
                self.level = max(self.level, rules.unreachable_level)
            payload = events.Unreachable(
                handed_to=self.township[0].organisation,
                village=self.ctx.village.name,
                attempts="电话多次无人接听, 入户家中无人",
                level=self.level,
            )
            case.escalation_level = self.level
            clock = clock_for(to, rules=rules, level=self.level, since=at)
        elif action is A.RECORD_RETURN:
            actor, kind = self.teacher, EK.RETURN
            klass = self.ctx.klass
            if self.enrolled:
                step = self._changed(K.RESUME, day, "劝返复学", klass=klass)
            else:
                enrolment = self.ctx.enrolment
                enrolment.started_on = day
                self.enrolled = True
                step = self._changed(K.ENROL, day, "劝返复学", klass=klass)
                case.school_id = klass.school.model.id if klass else None
            payload = events.Return(
                returned_on=day,
                school_class_id=str(klass.model.id) if klass else None,
                school_name=klass.school.name if klass else "",
                grade=klass.grade if klass else None,
                class_name=klass.model.name if klass else "",
                enrolment=step,
            )
            clock = clock_for(to, rules=rules, level=self.level, since=at)
        elif action is A.RECORD_FOLLOW_UP:
            actor, kind = self.teacher, EK.FOLLOW_UP
            payload = events.FollowUp(attending=True)
        elif action is A.RECORD_RELAPSE:
            actor, kind = self.teacher, EK.FOLLOW_UP
            if self._status() in (EnrolmentStatus.ENROLLED, EnrolmentStatus.SUSPENDED):
                step = self._changed(K.DROP_OUT, day, "复学后再次辍学")
            else:
                step = events.NO_ENROLMENT_CHANGE
            payload = events.FollowUp(attending=False, enrolment=step)
            clock = clock_for(to, rules=rules, level=self.level, since=at)
        elif action is A.CLOSE:
            actor, kind = self.registrar, EK.CLOSURE
            payload = events.Closure(follow_up_window_days=rules.follow_up_window_days)
        elif action is A.REQUEST_EXEMPTION:
            actor, kind = self.registrar, EK.EXEMPTION_REQUEST
            illness = plan.reason == "ILLNESS"
            payload = self.request = events.ExemptionRequest(
                applicant_name=self.ctx.guardian.name,
                applicant_relation=self.ctx.guardian.relation.label,
                exemption_kind=ExemptionKind.DEFERRAL if illness else ExemptionKind.EXEMPTION,
                reason=plan.reason,
                application_reference=f"缓学申请-{day.year}-{self.w.next_serial():04d}",
                applied_on=day,
                until=date(day.year + 1, 8, 31) if illness else None,
            )
        elif action is A.APPROVE_EXEMPTION:
            official = self.township[0]
            actor, kind = official, EK.EXEMPTION_APPROVAL
            number = f"{self.ctx.town.short}政缓〔{day.year}〕{self.w.next_serial()}号"
            if self._status() in (EnrolmentStatus.ENROLLED, EnrolmentStatus.DROPPED_OUT):
                step = self._changed(K.SUSPEND, day, f"缓学/免学: {plan.reason}")
            else:
                step = events.NO_ENROLMENT_CHANGE
            payload = events.ExemptionApproval(
                approving_authority=official.organisation,
                approver_name=official.name,
                document_number=number,
                filed_with=f"{self.w.org.bureau_name}基教股",
                approved_on=day,
                request_event_id=self.request_event_id,
                exemption_kind=self.request.exemption_kind if self.request else None,
                enrolment=step,
            )
        elif action is A.RECORD_TRANSFER:
            actor, kind = self.registrar, EK.TRANSFER
            to_school = names.school_elsewhere(
                rng, (self.ctx.klass.grade if self.ctx.klass else 5) <= 6
            )
            status = self._status()
            if status is not None and status is not EnrolmentStatus.TRANSFERRED_OUT:
                step = self._changed(K.TRANSFER_OUT, day, "转学 (人籍一致)", counterpart=to_school)
            else:
                step = events.NO_ENROLMENT_CHANGE
            payload = events.Transfer(
                to_school=to_school,
                transfer_document=f"转学联系函 {day.year}-{self.w.next_serial():04d}",
                transferred_on=day,
                enrolment=step,
            )
        else:  # pragma: no cover
            raise AssertionError(action)
        if clock is not None:
            case.next_deadline_at = clock.at
        event = self._event(kind, action, at, actor, payload, to, note)
        if action is A.REQUEST_EXEMPTION:
            self.request_event_id = str(event.id)
        self.state = to
        self.last_at = at
        case.state = to
        case.version += 1

    def _reporter(self) -> Any:
        source = self.plan.source
        if source is CaseSource.HEAD_TEACHER_REPORT:
            return self.head or self.principal or self.registrar
        if source in (CaseSource.NATIONAL_PLATFORM, CaseSource.ROSTER_COMPARISON):
            return self.registrar
        if source is CaseSource.HOUSEHOLD_SURVEY:
            return self.cadre or self.township[-1]
        if source is CaseSource.REGISTRY_TRACKING:
            return self.township[-1]
        return self.principal or self.registrar
