"""Errors in the reader's language: ``Accept-Language`` chooses the message (Chinese by default),
both texts travel beside it, code and field do not change."""

from __future__ import annotations

import pytest

from core.api.graphql_messages import translate
from core.language import preferred_language
from tests.conftest import graphql

ENGLISH = {"Accept-Language": "en-US,en;q=0.9,zh-CN;q=0.5"}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        (None, "zh"),
        ("", "zh"),
        ("*", "zh"),
        ("fr-FR,fr;q=0.9", "zh"),
        ("en", "en"),
        ("en-GB", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9,zh-CN;q=0.5", "en"),
        ("zh;q=0.4, en;q=0.6", "en"),
        ("en;q=0, zh", "zh"),
        ("zh-Hant-TW", "zh"),
        ("en;q=abc", "zh"),
        ("de, en;q=0.5", "en"),
    ],
)
def test_the_language_follows_accept_language(header, language) -> None:
    assert preferred_language(header) == language


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("Value 'BOY' does not exist in 'Gender' enum.", "枚举 'Gender' 中没有取值 'BOY'。"),
        ("Validation aborted.", "校验错误过多, 校验已中止。"),
        (
            "Cannot query field 'chilren' on type 'Query'. Did you mean 'children'?",
            "类型 'Query' 上没有字段 'chilren'。是否要找 'children'?",
        ),
        (
            "Variable '$g' has invalid value at [0]: Value 'BOY' does not exist in 'Gender' enum.",
            "变量 '$g' 的取值无效 (位置 [0]): 枚举 'Gender' 中没有取值 'BOY'。",
        ),
        (
            "Argument 'Query.jurisdiction(code:)' of type 'String!' is required, but it was not "
            "provided.",
            "参数 'Query.jurisdiction(code:)' (类型 'String!') 为必填, 但未提供。",
        ),
        ("Syntax Error: Expected Name, found <EOF>.", "语法错误: 应为 Name, 实为 <EOF>。"),
        (
            "Expected value of type 'ChildFilter' not to include unknown field 'nope', found: "
            "{ nope: 1 }.",
            "输入类型 'ChildFilter' 没有字段 'nope', 实际为: { nope: 1 }。",
        ),
        ("Int cannot represent non-integer value: 1.5", "Int 不能表示非整数值: 1.5。"),
        ("Variable '$n' is never used.", "变量 '$n' 未被使用。"),
    ],
)
def test_graphql_core_messages_are_translated(english, chinese) -> None:
    assert translate(english) == chinese


def test_an_unknown_message_is_left_to_english() -> None:
    assert translate("Something graphql-core says in a future version.") is None


BAD_ENUM = "query($g: [Gender!]) { children(filter: {genders: $g}) { totalCount } }"


async def test_a_coercion_error_speaks_chinese_by_default_and_english_on_request(client) -> None:
    chinese = await graphql(client, BAD_ENUM, {"g": ["BOY"]})
    english = await graphql(client, BAD_ENUM, {"g": ["BOY"]}, headers=ENGLISH)
    zh, en = chinese["errors"][0], english["errors"][0]
    assert zh["message"] == "变量 '$g' 的取值无效 (位置 [0]): 枚举 'Gender' 中没有取值 'BOY'。"
    assert en["message"] == (
        "Variable '$g' has invalid value at [0]: Value 'BOY' does not exist in 'Gender' enum."
    )
    assert zh["extensions"] == en["extensions"]
    assert zh["extensions"]["messages"] == {"zh": zh["message"], "en": en["message"]}
    assert zh["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


async def test_a_validation_error_in_both_languages(client) -> None:
    query = "{ chilren { totalCount } }"
    zh = (await graphql(client, query))["errors"][0]
    en = (await graphql(client, query, headers={"Accept-Language": "en"}))["errors"][0]
    assert zh["message"].startswith("类型 'Query' 上没有字段 'chilren'")
    assert en["message"].startswith("Cannot query field 'chilren'")
    assert zh["locations"] == en["locations"]


async def test_a_coded_error_has_one_language_per_message_and_both_beside_it(client) -> None:
    query = "{ children(first: 1000) { totalCount } }"
    zh = (await graphql(client, query))["errors"][0]
    en = (await graphql(client, query, headers=ENGLISH))["errors"][0]
    assert " / " not in zh["message"] and " / " not in en["message"]
    assert zh["extensions"]["code"] == en["extensions"]["code"] == "PAGE_SIZE"
    assert zh["extensions"]["field"] == en["extensions"]["field"] == "first"
    assert zh["extensions"]["messages"] == en["extensions"]["messages"]
    assert zh["message"] == zh["extensions"]["messages"]["zh"]
    assert en["message"] == en["extensions"]["messages"]["en"]
    assert any("\u4e00" <= c <= "\u9fff" for c in zh["message"])
    assert not any("\u4e00" <= c <= "\u9fff" for c in en["message"])


LOGIN = """mutation { login(username: "nobody", password: "wrong-password") {
  token errors { code field message messages { zh en } } } }"""


async def test_a_typed_mutation_error_follows_the_language_too(client) -> None:
    zh = (await graphql(client, LOGIN))["data"]["login"]["errors"][0]
    en = (await graphql(client, LOGIN, headers=ENGLISH))["data"]["login"]["errors"][0]
    assert zh["message"] == "用户名或密码错误" == zh["messages"]["zh"]
    assert en["message"] == "wrong username or password" == en["messages"]["en"]
    assert (zh["code"], zh["field"]) == (en["code"], en["field"]) == ("UNAUTHENTICATED", "password")


async def test_a_refused_http_request_follows_the_language(client) -> None:
    for headers, expected in (({}, "请求格式错误"), (ENGLISH, "malformed request")):
        response = await client.post(
            "/graphql",
            content=b"[1]",
            headers={"content-type": "application/json", **headers},
        )
        assert response.status_code == 400
        error = response.json()["errors"][0]
        assert error["message"].startswith(expected)
        assert set(error["extensions"]["messages"]) == {"zh", "en"}


async def test_the_id_number_filter_checks_the_number_as_verify_enrolment_does(client) -> None:
    wrong = "450381201603010022"  # the check character should be 1
    verify = await graphql(
        client, "query($n: String!) { verifyEnrolment(idNumber: $n) { found } }", {"n": wrong}
    )
    listed = await graphql(
        client,
        "query($n: String) { children(filter: {idNumber: $n}) { totalCount } }",
        {"n": wrong},
    )
    a, b = verify["errors"][0], listed["errors"][0]
    assert a["extensions"]["code"] == b["extensions"]["code"] == "INVALID"
    assert (a["extensions"]["field"], b["extensions"]["field"]) == ("idNumber", "filter.idNumber")
    assert "校验码错误" in a["message"] and "校验码错误" in b["message"]
    assert b["extensions"]["messages"]["en"].endswith(a["extensions"]["messages"]["en"])
