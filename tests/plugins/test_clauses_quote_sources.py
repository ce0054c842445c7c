"""Every clause that quotes a document quotes it verbatim.

The source documents live in the project's shared folder (``shared/seeds`` beside the
repository, or ``BAOXUE_SEEDS_DIR``); the tests skip when it is not there. Whitespace is
ignored, since the documents break lines and pad names with spaces.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from core import default_rules
from core.people.enums import KeyGroup
from core.plugins import build_plugin_manager
from core.rules import DeadlineKind, Metric, SchoolStage
from core.testing.plugin_conformance import PluginUnderTest, clauses_in

from .conftest import COUNTY_PLUGINS, REPO

SEEDS = Path(os.environ.get("BAOXUE_SEEDS_DIR", REPO.parent / "shared" / "seeds"))
#: Which seed file each plugin encodes (by its number), and core defaults' county plan.
SEED_NUMBER = {"tiedong": "000", "rongchang": "001", "suining": "002", "lipu": "003"}
CORE_SEED = "004"


def _document(number: str) -> str:
    if not SEEDS.is_dir():
        pytest.skip(f"source documents not found in {SEEDS}")
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return _squash(path.read_text(encoding="utf-8"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", list(COUNTY_PLUGINS))
def test_county_plugin_quotes_are_verbatim(name: str, county_modules) -> None:
    document = _document(SEED_NUMBER[name])
    under_test = PluginUnderTest(county_modules[name], name)
    quotes = [
        c for answer in under_test.answers(under_test.code).values() for c in clauses_in(answer)
    ]
    assert quotes
    for clause in quotes:
        assert _squash(clause.text) in document, f"{clause.section}: {clause.text!r}"
    assert sum(1 for c in quotes if c.text) >= 5, "quote the document, not just cite it"


def test_core_default_quotes_are_verbatim() -> None:
    document = _document(CORE_SEED)
    registry = build_plugin_manager(entrypoints=False).registry
    rules = registry.for_jurisdiction("000000")
    quoted = [
        c
        for c in clauses_in([getattr(rules, f) for f in rules.__dataclass_fields__])
        if c.document == default_rules.CORE_PLAN
    ]
    assert len(quoted) >= 5
    for clause in quoted:
        assert _squash(clause.text) in document, f"{clause.section}: {clause.text!r}"


# -- corrected rules, held against the words of their clauses ---------------------------------


def _rules(registry, code: str):
    return registry.for_jurisdiction(code)


def _quoted(clause, document: str) -> str:
    """The clause's quote, checked to be in ``document``, without whitespace."""
    quote = _squash(clause.text)
    assert quote and quote in document, f"{clause.section}: {clause.text!r}"
    return quote


def test_lipu_week_runs_from_the_notice_and_ends_at_township_and_city(registry) -> None:
    # 四、(一): 法定监护人在接到通知书后一周内仍不送学生复学的，学校要报告乡镇政府和市教育局
    document = _document("003")
    rules = _rules(registry, "450381")
    notice = rules.deadline(DeadlineKind.RETURN_NOTICE_RESPONSE)
    quote = _quoted(notice.clause, document)
    assert "接到通知书后一周内" in quote and notice.days == 7
    for office in notice.notify_on_expiry:
        assert office in quote
    # The school serves the notice (the level's own clause says so), so a notice puts a case
    # there, and on expiry it goes up to the township government and the 市教育局.
    chain = rules.escalation
    serving = chain.level(chain.return_notice_level)
    assert "下达《劝返复学通知书》" in _quoted(serving.clause, document)
    assert serving.name in _quoted(serving.clause, document)
    above = chain.next_level(serving.level)
    assert above.responsible.removesuffix("人民政府") + "政府" in quote
    assert above.notify == ("市教育局",)
    # The clause gives the school no time before the notice: no days of its own, so a case
    # escalated without a notice is on core's step (marked core default), not on the week.
    assert serving.days_allowed is None and serving.deadline is None
    kind, _ = rules.level_clock(serving.level)
    assert kind is DeadlineKind.ESCALATION_STEP
    assert rules.deadline(kind).clause.core_default


def test_rongchang_confirmed_and_unreachable_alike_go_to_the_township(registry) -> None:
    # 四、(四)3: 对确认辍学或者联系不上的，要及时向当地镇街政府汇报，责成村社落实劝学责任
    document = _document("001")
    rules = _rules(registry, "500153")
    chain = rules.escalation
    township = chain.level(chain.unreachable_level)
    quote = _quoted(township.clause, document)
    assert "确认辍学" in quote and "联系不上" in quote
    assert chain.confirmed_level == chain.unreachable_level == township.level
    assert township.name in quote and township.notify == ("村社",)
    # The township sees what is reported to it, from its level on.
    assert chain.township_level == township.level
    # Its clock comes from the plugin; the clause gives no number, so the days are marked as
    # the project's assumption.
    clock = rules.deadline(township.deadline)
    assert township.deadline is DeadlineKind.TOWNSHIP_ACTION
    assert clock.action in _quoted(clock.clause, document)
    assert not any(c.isdigit() for c in clock.clause.text)
    assert clock.clause.assumption and not clock.clause.core_default


@pytest.mark.parametrize("name", list(COUNTY_PLUGINS))
def test_report_recipients_are_the_clauses_or_marked_as_assumed(name: str, registry) -> None:
    # 荣昌 四、(四)1 names no recipient for its 双月报: none is given.
    document = _document(SEED_NUMBER[name])
    for fmt in _rules(registry, COUNTY_PLUGINS[name]).report_formats:
        if fmt.clause.core_default:
            continue
        quote = _quoted(fmt.clause, document) if fmt.clause.text else ""
        for recipient in fmt.submit_to:
            assert recipient in quote or fmt.clause.assumption, (fmt.code, recipient)
    bimonthly = _rules(registry, "500153").report_format("bimonthly-return")
    assert "双月报" in _quoted(bimonthly.clause, _document("001"))
    assert bimonthly.submit_to == ()


#: 铁东 三、6 names its groups in its own words; each word is one key group.
TEACHER_VISIT_GROUPS = {
    "经济困难": KeyGroup.FINANCIAL_HARDSHIP,
    "学习困难": KeyGroup.LEARNING_DIFFICULTY,
    "进城务工随迁子女": KeyGroup.MIGRANT,
    "家庭突发重大变故": KeyGroup.FAMILY_CRISIS,
}


def test_tiedong_teacher_home_visits_reach_every_group_the_clause_names(registry) -> None:
    # 三、6: 对经济困难、学习困难、进城务工随迁子女、家庭突发重大变故学生等群体进行走访
    document = _document("000")
    (focus,) = [
        f for f in _rules(registry, "210302").monitoring_focus if f.code == "teacher-home-visits"
    ]
    quote = _quoted(focus.clause, document)
    for word in TEACHER_VISIT_GROUPS:
        assert word in quote
    assert set(focus.key_groups) == set(TEACHER_VISIT_GROUPS.values())


def test_suining_liudong_are_children_who_moved_away(registry) -> None:
    # 二、(三): 流动 among the groups the 学籍校 watches; the 户籍地 report of the same clause
    # follows families who left (已举家搬迁“户籍未迁出”): outflow, not 进城务工人员随迁子女.
    document = _document("002")
    (focus,) = [
        f for f in _rules(registry, "430527").monitoring_focus if f.code == "key-monitoring"
    ]
    assert "流动" in _quoted(focus.clause, document)
    assert "已举家搬迁“户籍未迁出”" in document
    assert KeyGroup.MOVED_AWAY in focus.key_groups
    assert KeyGroup.MIGRANT not in focus.key_groups


def test_core_default_chain_follows_the_law_and_the_core_plan(registry) -> None:
    # 004 四、(二): 对无正当理由未送适龄儿童少年入学接受义务教育或造成辍学的，由当地乡镇人民政府
    # 责令限期改正; 义务教育法 第五十八条 and 第十三条.
    document = _document(CORE_SEED)
    chain = registry.for_jurisdiction("000000").escalation
    names = [level.name for level in chain.levels]
    assert names == ["班主任", "学校", "乡镇人民政府", "县教育局", "县政府"]
    for level in chain.levels:
        clause = level.clause
        assert clause.core_default, level.name
        if clause.document == default_rules.CORE_PLAN:
            _quoted(clause, document)
        elif clause.document == default_rules.COMPULSORY_EDUCATION_LAW:
            assert clause.text and clause.section.startswith("第")
        else:  # Baoxue's own choice says what it assumed
            assert clause.document == default_rules.BAOXUE and clause.assumption
    township = chain.level(3)
    assert "乡镇人民政府责令限期改正" in _quoted(township.clause, document)
    assert chain.township_level == township.level
    assert "乡镇人民政府" in chain.clause.text and "责令限期改正" in chain.clause.text


@pytest.mark.parametrize("name", list(COUNTY_PLUGINS))
def test_targets_a_county_does_not_set_are_core_defaults_citing_the_law(
    name: str, registry, county_modules
) -> None:
    # 铁东 sets no 入学率: its rules show the core default, cited to 义务教育法, not to the plan
    # of another county.
    own = {
        t.key
        for t in PluginUnderTest(county_modules[name], name)
        .answers(COUNTY_PLUGINS[name])
        .get("baoxue_targets", [])
    }
    for target in _rules(registry, COUNTY_PLUGINS[name]).targets:
        if target.key in own:
            assert not target.clause.core_default
            continue
        assert target.clause.core_default, target.label
        assert target.clause.document == default_rules.COMPULSORY_EDUCATION_LAW
        assert target.clause.label.startswith("核心默认值")
    enrolment = _rules(registry, "210302").target(Metric.ENROLMENT_RATE)
    assert enrolment.clause.core_default and "按时入学" in enrolment.clause.text


def test_tiedong_plan_is_about_its_zhongxue(registry) -> None:
    # The title: 关于加强铁东区中学控辍保学工作实施方案 — a plan for 中学 (compulsory: 初中).
    document = _document("000")
    scope = _rules(registry, "210302").scope
    assert "中学" in _quoted(scope.clause, document)
    assert scope.stages == (SchoolStage.JUNIOR_MIDDLE,) and scope.grades == (7, 8, 9)
    # The other counties' documents are about the whole of compulsory education: core's scope.
    for code in ("500153", "430527", "450381"):
        assert _rules(registry, code).scope.clause.core_default
