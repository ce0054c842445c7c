"""No password, token, key, ID number, phone or variable value reaches the log, and an expected
error is one line without a traceback (issue 10, point 18). The log is captured the way a
deployment writes it: every logger, formatted with tracebacks."""

from __future__ import annotations

import logging

import pytest

from core.people.models import Child, Guardian
from core.request_log import JsonFormatter
from tests.security.conftest import LIPU, gql, login, username


class _Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []
        self.plain = logging.Formatter("%(name)s %(levelname)s %(message)s")
        self.json = JsonFormatter()

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        formatter = self.json if record.name.startswith("baoxue") else self.plain
        self.lines.append(formatter.format(record))


@pytest.fixture
def captured():
    handler = _Everything()
    loggers = [logging.getLogger(), logging.getLogger("baoxue")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield handler
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


async def test_requests_that_carry_secrets_leave_none_in_the_log(http, counties, captured) -> None:
    password = counties.lipu.password
    admin_name = username(counties.lipu, "COUNTY_ADMIN")
    # a login with a mistyped field: strawberry used to log the whole query, password included
    await http.post(
        "/graphql",
        json={
            "query": f'mutation {{ login(username: "{admin_name}", password: "{password}") '
            "{ tokn } }"
        },
    )
    await http.post(
        "/graphql",
        json={
            "query": "mutation($u: String!, $p: String!) { login(username: $u, password: $p) "
            "{ token nope } }",
            "variables": {"u": admin_name, "p": password},
        },
    )
    token = await login(http, admin_name, password)
    child = await Child.filter(jurisdiction__division_code=LIPU, id_number__not_isnull=True).first()
    guardian = await Guardian.exclude(phone="").first()
    # an agency's ID-number check with a wrong field, and one with a value of the wrong type
    await gql(
        http,
        f'{{ verifyEnrolment(idNumber: "{child.id_number}") {{ found wrongField }} }}',
        key=counties.lipu.api_key,
    )
    await gql(
        http,
        "query($n: Int!) { verifyEnrolment(idNumber: $n) { found } }",
        {"n": child.id_number},
        key=counties.lipu.api_key,
    )
    # a phone and a token in a failing request, a refused key, a rejected filter
    await gql(
        http,
        "query($p: String!) { children(filter: {search: $p}) { totalCount nothing } }",
        {"p": guardian.phone},
        token=token,
    )
    await http.post(
        "/graphql",
        json={"query": "{ me { label } }"},
        headers={"X-API-Key": counties.lipu.api_key + "x"},
    )
    await http.post(
        "/graphql",
        json={"query": "{ me { label } }"},
        headers={"Authorization": f"Bearer {token}x"},
    )
    teacher = await login(http, username(counties.lipu, "SUBJECT_TEACHER"), password)
    await gql(
        http,
        "query($n: String!) { children(filter: {idNumber: $n}) { totalCount } }",
        {"n": child.id_number},
        token=teacher,
    )
    log = "\n".join(captured.lines)
    assert captured.lines, "the requests must have logged something"
    for secret in (
        password,
        token,
        teacher,
        counties.lipu.api_key,
        child.id_number,
        guardian.phone,
    ):
        assert secret not in log, f"{secret[:6]}… reached the log"
    assert "Traceback" not in log
    assert not any(r.exc_info for r in captured.records), "expected errors log no traceback"
    # each failed request says what went wrong in one line, with its code
    errors = [r for r in captured.records if r.name == "baoxue.errors"]
    assert errors and all(getattr(r, "codes", "") for r in errors)
    assert not [r for r in captured.records if r.name.startswith("strawberry")]


async def test_an_internal_error_keeps_its_traceback_without_the_values(
    http, counties, captured, monkeypatch
) -> None:
    from core.people import resident_id

    child = await Child.filter(jurisdiction__division_code=LIPU, id_number__not_isnull=True).first()

    def broken(raw: str, *, today=None):
        raise RuntimeError(f"could not parse {raw} for 13800001234")

    monkeypatch.setattr(resident_id, "parse_resident_id", broken)  # as checked_resident_id calls it
    body = await gql(
        http,
        "query($n: String!) { verifyEnrolment(idNumber: $n) { found } }",
        {"n": child.id_number},
        key=counties.lipu.api_key,
    )
    assert body["errors"][0]["extensions"]["code"] == "INTERNAL"
    log = "\n".join(captured.lines)
    assert "RuntimeError" in log and "Traceback" in log  # the administrator can debug it
    assert child.id_number not in log
    assert "13800001234" not in log
    assert username(counties.lipu, "COUNTY_ADMIN")  # fixture in use
