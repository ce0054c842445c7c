"""Notices as DOCX: the 劝返复学通知书 issueReturnNotice prints and attaches to the case, the
autumn 入学通知书, and the hook through which a county replaces a template."""

from __future__ import annotations

import dataclasses
import hashlib
import io
from datetime import date

import pytest
from click.testing import CliRunner
from docx import Document

from core.access.caller import Caller
from core.access.enums import Role
from core.hookspecs import check_notice_templates
from core.jurisdictions.models import Jurisdiction
from core.notices.admission import admission_notices, cohort
from core.notices.docx import BLANK, fill, render_notices
from core.people.models import Guardian
from core.plugins import get_registry
from core.plugins.validation import Invalid
from core.rules.enums import NoticeKind
from tests.cases.conftest import Clock, County, Workflow, sign_in


def _text(data: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(data)).paragraphs if p.text.strip()]


def test_hook_baoxue_notice_templates() -> None:
    registry = get_registry()
    rongchang = registry.for_jurisdiction("500153")
    admission = rongchang.notice_template(NoticeKind.ADMISSION_NOTICE)
    # 荣昌 四、(五): its admission notice carries the law and what breaking it costs
    assert admission.title == "义务教育入学通知书" and admission.clause.section == "四、(五)"
    assert any(p.startswith("违法追责说明") for p in admission.paragraphs)
    # its return notice, and every template of a county that gives none, are core's
    assert rongchang.notice_template(NoticeKind.RETURN_NOTICE).clause.core_default
    lipu = registry.for_jurisdiction("450381")
    assert lipu.notice_template(NoticeKind.ADMISSION_NOTICE).clause.core_default
    bad = dataclasses.replace(admission, paragraphs=("请 {parent} 送学生入学",))
    with pytest.raises(Invalid, match=r"unknown blank \{parent\}"):
        check_notice_templates([bad], None)
    with pytest.raises(Invalid, match="notice template kind"):
        check_notice_templates([admission, admission], None)


def test_blanks_left_empty_print_as_a_line_and_notices_go_one_to_a_page() -> None:
    template = get_registry().for_jurisdiction("450381").notice_template(NoticeKind.RETURN_NOTICE)
    assert fill("{guardian_name}：", {"guardian_name": ""}) == f"{BLANK}："
    data = render_notices(template, [{"child_name": "甲"}, {"child_name": "乙"}])
    document = Document(io.BytesIO(data))
    breaks = [r for p in document.paragraphs for r in p.runs if 'w:br w:type="page"' in r._r.xml]
    assert len(breaks) == 1
    assert sum(1 for p in document.paragraphs if p.text == "劝返复学通知书") == 2


async def test_issuing_a_return_notice_prints_and_attaches_it(
    http, county: County, clock: Clock
) -> None:
    await Guardian.create(household_id=county.children[0].household_id, name="黄大明",
                          relation="FATHER", is_primary=True)  # fmt: skip
    workflow = Workflow(http, county)
    cid = (await workflow.report(county.children[0], whereabouts="在家"))["case"]["id"]
    await workflow.ok("verifyCase", cid)
    await workflow.ok("confirmCase", cid, findings="在家, 厌学")
    noticed = await workflow.ok(
        "issueReturnNotice", cid, number="荔教劝〔2026〕7号", deadline="2026-03-09"
    )
    attachments = noticed["events"][-1]["attachments"]
    assert [a["fileName"] for a in attachments] == ["劝返复学通知书_荔教劝〔2026〕7号.docx"]
    body = await workflow.query(
        """query($id: ID!) { node(id: $id) { ... on Case { events { kind attachments {
            fileName sha256 sizeBytes uploadedBy downloadUrl } } } } }""",
        {"id": cid},
    )
    event = next(e for e in body["data"]["node"]["events"] if e["kind"] == "RETURN_NOTICE")
    attachment = event["attachments"][0]
    assert attachment["uploadedBy"] == "系统生成" and attachment["downloadUrl"]
    response = await http.get(attachment["downloadUrl"], headers=workflow.headers)
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == attachment["sha256"]
    assert len(response.content) == attachment["sizeBytes"]
    text = "\n".join(_text(response.content))
    assert text.startswith("劝返复学通知书\n荔教劝〔2026〕7号\n黄大明（家长/监护人）：")
    child = county.children[0]
    assert f"您的子女{child.name}（" in text and "青山镇中心小学四年级学生" in text
    assert "请于2026年3月9日前送" in text and "回执" in text
    # nobody else may fetch it; without credentials neither
    assert (await http.get(attachment["downloadUrl"])).status_code == 401
    other = await sign_in(http, county, Role.HEAD_TEACHER)
    # the 班主任 of the child's class sees the case and so the notice
    assert (await http.get(attachment["downloadUrl"], headers=other)).status_code == 200


async def test_admission_notices_cover_the_two_entry_cohorts(db) -> None:
    from core.demo.generator import generate_demo

    spec = {s.division_code: s for s in get_registry().jurisdictions()}["500153"]
    await generate_demo(spec, students=120, seed=3)
    county = await Jurisdiction.get(division_code="500153")
    data, count = await admission_notices(
        Caller.system(), county, 2026, issued_on=date(2026, 8, 20)
    )
    assert cohort(2026, 1) == (date(2019, 9, 1), date(2020, 8, 31))
    assert count > 0
    text = _text(data)
    assert text.count("义务教育入学通知书") == count  # 荣昌's own template
    assert any("就读2026—2027学年一年级" in t for t in text)
    assert any("就读2026—2027学年七年级" in t for t in text)
    assert sum(1 for t in text if t.startswith("违法追责说明")) == count


def test_admission_notices_command(tmp_path, monkeypatch) -> None:
    from core.cli import main

    result = CliRunner().invoke(
        main, ["notices", "admission", "-j", "450381", "--year", "2026", "-o", "x.txt"]
    )
    assert result.exit_code != 0 and ".docx" in result.output
