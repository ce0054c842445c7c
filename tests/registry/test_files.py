"""Issue 11 point 4: files for real, through HTTP - a GraphQL multipart upload stored once by
SHA-256 however often it is sent, checked by size and by its first bytes, listed on its case,
and downloadable (audited) only by callers who may see the case: not by another county, not
without credentials. Plain JSON requests keep their own, small body limit."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from core.access.models import AuditEntry
from core.files.models import Attachment
from tests.registry.helpers import class_pupils, gql, token
from tests.security.helpers import reported_case

UPLOAD = """mutation($f: Upload!, $c: ID, $v: ID) {
  uploadAttachment(input: {file: $f, caseId: $c, homeVisitId: $v}) {
    attachment { id fileName contentType sizeBytes sha256 downloadUrl uploadedBy }
    alreadyStored errors { code field message } } }"""

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


async def _upload(http, bearer, name, data, *, case_id=None, visit_id=None, key=None):
    operations = {"query": UPLOAD, "variables": {"f": None, "c": case_id, "v": visit_id}}
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    if key:
        headers = {"X-API-Key": key}
    response = await http.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.f"]})},
        files={"0": (name, data, "application/octet-stream")},
        headers=headers,
    )
    return response


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


async def test_an_upload_is_stored_once_and_shown_only_to_those_who_see_its_case(
    make_client, counties, tmp_path
) -> None:
    http = make_client(files_dir=str(tmp_path), max_upload_bytes=200_000)
    teacher = await token(http, counties, "HEAD_TEACHER")
    child = (await class_pupils(counties))[0]
    case = await reported_case(http, teacher, child)

    first = await _upload(http, teacher, "转学证明.pdf", PDF, case_id=case["id"])
    assert first.status_code == 200, first.text
    payload = first.json()["data"]["uploadAttachment"]
    assert payload["errors"] == [] and payload["alreadyStored"] is False
    attachment = payload["attachment"]
    assert (attachment["fileName"], attachment["contentType"], attachment["sizeBytes"]) == (
        "转学证明.pdf", "application/pdf", len(PDF)
    )  # fmt: skip
    again = await _upload(http, teacher, "转学证明(再次).pdf", PDF, case_id=case["id"])
    assert again.json()["data"]["uploadAttachment"]["alreadyStored"] is True
    assert len(_stored_files(tmp_path)) == 1
    docx = await _upload(http, teacher, "书面申请.docx", _docx(), case_id=case["id"])
    assert docx.json()["data"]["uploadAttachment"]["attachment"]["contentType"].endswith(
        "wordprocessingml.document"
    )

    listed = await gql(
        http, "query($id: ID!) { node(id: $id) { ... on Case { files { sha256 fileName } } } }",
        {"id": case["id"]}, token=teacher,
    )  # fmt: skip
    files = listed["data"]["node"]["files"]
    assert [f["fileName"] for f in files] == ["转学证明.pdf", "转学证明(再次).pdf", "书面申请.docx"]

    url = attachment["downloadUrl"]
    got = await http.get(url, headers={"Authorization": f"Bearer {teacher}"})
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-type"].startswith("application/pdf")
    assert "attachment" in got.headers["content-disposition"]
    entry = await AuditEntry.filter(action="FILE_DOWNLOAD").first()
    assert entry is not None and entry.object_id == url.rsplit("/", 1)[-1]

    assert (await http.get(url)).status_code == 401
    foreign = await token(http, counties, "COUNTY_ADMIN", county="rongchang")
    assert (await http.get(url, headers={"Authorization": f"Bearer {foreign}"})).status_code == 404
    subject = await token(http, counties, "TOWNSHIP_OFFICIAL", county="rongchang")
    assert (await http.get(url, headers={"Authorization": f"Bearer {subject}"})).status_code == 404
    assert (
        await http.get("/files/not-a-uuid", headers={"Authorization": f"Bearer {teacher}"})
    ).status_code == 404
    assert await AuditEntry.filter(action="FILE_DOWNLOAD").count() == 1


async def test_uploads_are_checked_by_content_size_and_scope(
    make_client, counties, tmp_path
) -> None:
    # a multipart request may carry the larger of the two file limits (attachment, roster)
    http = make_client(files_dir=str(tmp_path), max_upload_bytes=100_000, max_import_bytes=100_000)
    teacher = await token(http, counties, "HEAD_TEACHER")
    case = await reported_case(http, teacher, (await class_pupils(counties))[1])

    fake = await _upload(http, teacher, "证明.pdf", b"just text, not a PDF", case_id=case["id"])
    errors = fake.json()["data"]["uploadAttachment"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", "file")]
    big = b"\x89PNG\r\n\x1a\n" + b"0" * 120_000
    too_big = await _upload(http, teacher, "照片.png", big, case_id=case["id"])
    errors = too_big.json()["data"]["uploadAttachment"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("INVALID", "file")]
    assert "BAOXUE_MAX_UPLOAD_BYTES" in errors[0]["message"]
    huge = await _upload(http, teacher, "照片.png", big * 2, case_id=case["id"])
    assert huge.status_code == 413
    anonymous = await _upload(http, None, "证明.pdf", PDF, case_id=case["id"])
    assert anonymous.status_code == 401

    foreign = await token(http, counties, "COUNTY_ADMIN", county="rongchang")
    outside = await _upload(http, foreign, "证明.pdf", PDF, case_id=case["id"])
    errors = outside.json()["data"]["uploadAttachment"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [("NOT_FOUND", "caseId")]
    nowhere = await _upload(http, teacher, "证明.pdf", PDF)
    assert nowhere.json()["data"]["uploadAttachment"]["errors"][0]["code"] == "REQUIRED"
    assert not await Attachment.all().exists()
    assert _stored_files(tmp_path) == []

    # a plain JSON request keeps the small body limit
    padded = {"query": "{ __typename }", "variables": {"pad": "x" * 200_000}}
    response = await http.post(
        "/graphql", json=padded, headers={"Authorization": f"Bearer {teacher}"}
    )
    assert response.status_code == 413


async def test_a_failed_write_leaves_no_orphan_file(
    make_client, counties, tmp_path, monkeypatch
) -> None:
    """The row's transaction fails after the bytes were stored: bytes this upload stored are
    removed again, bytes another record already uses stay."""
    import core.files.services as file_services

    # a multipart request may carry the larger of the two file limits (attachment, roster)
    http = make_client(files_dir=str(tmp_path), max_upload_bytes=100_000, max_import_bytes=100_000)
    teacher = await token(http, counties, "HEAD_TEACHER")
    case = await reported_case(http, teacher, (await class_pupils(counties))[2])
    kept = await _upload(http, teacher, "已存.pdf", PDF, case_id=case["id"])
    assert kept.json()["data"]["uploadAttachment"]["errors"] == []
    assert len(_stored_files(tmp_path)) == 1

    async def failing(entry) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(file_services, "record_write", failing)
    new = await _upload(http, teacher, "书面申请.docx", _docx(), case_id=case["id"])
    assert "errors" in new.json() and new.json()["data"] is None
    same = await _upload(http, teacher, "已存(再次).pdf", PDF, case_id=case["id"])
    assert "errors" in same.json()
    assert await Attachment.all().count() == 1
    assert len(_stored_files(tmp_path)) == 1  # the new file is gone, the kept one stays


async def test_an_upload_without_operations_is_refused_in_chinese(make_client, counties) -> None:
    """Strawberry's own refusal of a multipart body with no query is coded and in Chinese."""
    http = make_client()
    teacher = await token(http, counties, "HEAD_TEACHER")
    response = await http.post(
        "/graphql",
        files={"operations": (None, "{}"), "map": (None, "{}")},
        headers={
            "Authorization": f"Bearer {teacher}",
            "accept": "application/graphql-response+json",
            "accept-language": "zh-CN",
        },
    )
    assert response.status_code == 400, response.text
    (error,) = response.json()["errors"]
    assert (error["message"], error["extensions"]["code"]) == (
        "请求中没有 GraphQL 查询 (query)",
        "BAD_REQUEST",
    )
