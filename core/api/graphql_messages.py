"""Chinese for graphql-core's own messages (syntax, validation, variable coercion).

graphql-core writes its errors in English ("Value 'BOY' does not exist in 'Gender' enum.").
:func:`translate` matches a message against :data:`TEMPLATES` - a table of regular expressions
and Chinese templates, the one place these translations live - and returns the Chinese text,
or None for a message the table does not know (the client then reads the English one). Names,
types and values quoted in the message are kept as they are; the common wrappers ("Syntax
Error: …", "Variable '$x' has invalid value: …") and tails ("Did you mean …?", "found: …")
are translated around the inner message.
"""

from __future__ import annotations

import re

_Q = r"'(?P<{}>[^']*)'"  # a quoted name


def _p(pattern: str) -> re.Pattern[str]:
    """``pattern`` with ``{name}`` standing for a quoted name captured as ``name``."""
    return re.compile(re.sub(r"\{(\w+)\}", lambda m: _Q.format(m.group(1)), pattern) + r"\.?$")


#: (pattern, Chinese template): the first pattern that matches the whole message wins.
TEMPLATES: list[tuple[re.Pattern[str], str]] = [
    (_p(r"Cannot query field {field} on type {type}"), "类型 '{type}' 上没有字段 '{field}'"),
    (_p(r"Unknown argument {arg} on field {field}"), "字段 '{field}' 没有参数 '{arg}'"),
    (_p(r"Unknown argument {arg} on directive {dir}"), "指令 '{dir}' 没有参数 '{arg}'"),
    (
        _p(r"Field {field} must not have a selection since type {type} has no subfields"),
        "字段 '{field}' 的类型 '{type}' 没有子字段, 不能再选择字段",
    ),
    (
        _p(r"Field {field} of type {type} must have a selection of subfields"),
        "字段 '{field}' 的类型为 '{type}', 须选择其子字段",
    ),
    (
        _p(r"Argument {arg} of type {type} is required, but it was not provided"),
        "参数 '{arg}' (类型 '{type}') 为必填, 但未提供",
    ),
    (
        _p(r"Argument {arg} of non-null type {type} must not be null"),
        "参数 '{arg}' (非空类型 '{type}') 不能为 null",
    ),
    (
        _p(r"Expected value of type {type} not to include unknown field {field}"),
        "输入类型 '{type}' 没有字段 '{field}'",
    ),
    (
        _p(r"Expected value of type {type} to include required field {field}"),
        "输入类型 '{type}' 缺少必填字段 '{field}'",
    ),
    (_p(r"Expected value of type {type} to be an object"), "输入类型 '{type}' 的值须为对象"),
    (
        _p(r"Expected a value of non-null type {type} to be provided"),
        "须提供非空类型 '{type}' 的值",
    ),
    (
        _p(r"Expected value of non-null type {type} not to be None"),
        "非空类型 '{type}' 的值不能为 null",
    ),
    (
        _p(r"Expected value of type {type}(?:, but encountered error .*)?"),
        "不是 '{type}' 类型的有效值",
    ),
    (_p(r"Value {value} does not exist in {type} enum"), "枚举 '{type}' 中没有取值 '{value}'"),
    (
        re.compile(r"Enum '(?P<type>[^']*)' cannot represent non-enum value: (?P<value>.+?)\.?$"),
        "枚举 '{type}' 不能表示非枚举值: {value}",
    ),
    (
        re.compile(r"Enum '(?P<type>[^']*)' cannot represent non-string value: (?P<value>.+?)\.?$"),
        "枚举 '{type}' 不能表示非字符串值: {value}",
    ),
    (
        re.compile(r"Int cannot represent non 32-bit signed integer value: (?P<value>.+)$"),
        "Int 只能表示 32 位有符号整数, 实为: {value}",
    ),
    (
        re.compile(r"Int cannot represent non-integer value: (?P<value>.+)$"),
        "Int 不能表示非整数值: {value}",
    ),
    (
        re.compile(r"Float cannot represent non numeric value: (?P<value>.+)$"),
        "Float 不能表示非数值: {value}",
    ),
    (
        re.compile(r"String cannot represent a non string value: (?P<value>.+)$"),
        "String 不能表示非字符串值: {value}",
    ),
    (
        re.compile(r"Boolean cannot represent a non boolean value: (?P<value>.+)$"),
        "Boolean 不能表示非布尔值: {value}",
    ),
    (re.compile(r"ID cannot represent value: (?P<value>.+)$"), "ID 不能表示此值: {value}"),
    (
        _p(r"Variable {var} is never used(?: in (?:operation|fragment) '[^']*')?"),
        "变量 '{var}' 未被使用",
    ),
    (_p(r"Variable {var} is not defined(?: by operation '[^']*')?"), "变量 '{var}' 未定义"),
    (
        _p(r"Variable {var} of type {type} used in position expecting type {expected}"),
        "变量 '{var}' 的类型 '{type}' 与此处要求的类型 '{expected}' 不符",
    ),
    (
        _p(r"Variable {var} cannot be non-input type {type}"),
        "变量 '{var}' 不能是非输入类型 '{type}'",
    ),
    (
        _p(r"Variable {var} of required type {type} was not provided"),
        "未提供必填变量 '{var}' (类型 '{type}')",
    ),
    (
        _p(r"Variable {var} of non-null type {type} must not be null"),
        "变量 '{var}' (非空类型 '{type}') 不能为 null",
    ),
    (_p(r"Unknown type {type}"), "未知类型 '{type}'"),
    (_p(r"Unknown directive {dir}"), "未知指令 '{dir}'"),
    (
        re.compile(r"Directive '(?P<dir>[^']*)' may not be used on (?P<where>\w+)\.?$"),
        "指令 '{dir}' 不能用于 {where}",
    ),
    (_p(r"Unknown fragment {name}"), "未知片段 '{name}'"),
    (_p(r"Fragment {name} is never used"), "片段 '{name}' 未被使用"),
    (
        _p(
            r"Fragment(?: '[^']*')? cannot be spread here as objects of type {type}"
            r" can never be of type {other}"
        ),
        "片段不能用于此处: '{type}' 类型的对象不可能是 '{other}' 类型",
    ),
    (_p(r"Cannot spread fragment {name} within itself(?: via .*)?"), "片段 '{name}' 不能引用自身"),
    (_p(r"There can be only one operation named {name}"), "只能有一个名为 '{name}' 的操作"),
    (
        _p(r"There can be only one (?:argument|fragment|variable|input field) named {name}"),
        "名称 '{name}' 重复",
    ),
    (
        _p(r"This anonymous operation must be the only defined operation"),
        "匿名操作必须是文档中唯一的操作",
    ),
    (
        re.compile(
            r"Fields '(?P<name>[^']*)' conflict because (?P<reason>.+)\. Use different aliases"
            r" on the fields to fetch both if this was intentional\.$"
        ),
        "字段 '{name}' 冲突 ({reason}); 如需同时获取, 请使用不同的别名",
    ),
    (
        re.compile(
            r"The (?P<op>query|mutation|subscription) operation is not supported by the schema\.$"
        ),
        "本接口不支持 {op} 操作",
    ),
    (
        re.compile(r"Must provide operation name if query contains multiple operations\.$"),
        "文档含多个操作时须提供操作名 (operationName)",
    ),
    (_p(r"Unknown operation named {name}"), "未找到名为 '{name}' 的操作"),
    (
        re.compile(r"(?:Too many validation errors, error limit reached\. )?Validation aborted\.$"),
        "校验错误过多, 校验已中止",
    ),
    (
        re.compile(r"'(?P<name>[^']*)' exceeds maximum operation depth of (?P<depth>\d+)$"),
        "'{name}' 超过最大查询深度 {depth}",
    ),
    # the inner messages of "Syntax Error: …"
    (re.compile(r"Expected (?P<want>.+), found (?P<got>.+?)\.$"), "应为 {want}, 实为 {got}"),
    (re.compile(r"Unexpected (?P<got>.+?)\.$"), "意外的 {got}"),
    (re.compile(r"Unterminated string\.$"), "字符串未结束"),
    (re.compile(r"Unexpected character: (?P<got>.+?)\.$"), "意外的字符: {got}"),
]

_SYNTAX = re.compile(r"Syntax Error: (?P<inner>.+)$", re.S)
_VARIABLE = re.compile(
    r"Variable '(?P<var>\$[^']*)' has invalid (?P<default>default )?value"
    r"(?: at (?P<at>\S+?))?: (?P<inner>.+)$",
    re.S,
)
_ARGUMENT = re.compile(r"Argument '(?P<arg>[^']*)' has invalid value (?P<value>.+?)\.$", re.S)
_FOUND = re.compile(r"[,.;]?\s*[Ff]ound: (?P<found>.+?)\.?$", re.S)
_DID_YOU_MEAN = re.compile(
    r"\.? Did you mean (?:the enum value |to use an inline fragment on )?(?P<options>.+?)\?$",
    re.S,
)


def _options(text: str) -> str:
    return re.sub(r",? or ", " 或 ", text)


def _tails(message: str) -> tuple[str, str, str]:
    """``message`` without its "found: …" and "Did you mean …?" tails, and their Chinese."""
    found_zh = suggestion_zh = ""
    found = _FOUND.search(message)
    if found:
        found_zh = f", 实际为: {found.group('found')}"
        message = message[: found.start()]
    suggestion = _DID_YOU_MEAN.search(message)
    if suggestion:
        suggestion_zh = f"是否要找 {_options(suggestion.group('options'))}?"
        message = message[: suggestion.start()]
    return message, found_zh, suggestion_zh


#: The reasons graphql-core gives for two fields that cannot be merged.
_CONFLICTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"'([^']*)' and '([^']*)' are different fields"), r"'\1' 与 '\2' 是不同的字段"),
    (
        re.compile(r"they return conflicting types '([^']*)' and '([^']*)'"),
        r"返回类型 '\1' 与 '\2' 冲突",
    ),
    (re.compile(r"they have differing arguments"), "参数不同"),
]


def _match(message: str) -> str | None:
    for pattern, template in TEMPLATES:
        matched = pattern.match(message)
        if matched:
            values = matched.groupdict()
            if "reason" in values:
                for conflict, zh in _CONFLICTS:
                    values["reason"] = conflict.sub(zh, values["reason"])
            return template.format(**values)
    return None


def translate(message: str) -> str | None:
    """The Chinese for one of graphql-core's messages, or None when the table lacks it."""
    message = message.strip()
    syntax = _SYNTAX.match(message)
    if syntax:
        inner = syntax.group("inner")
        translated = _match(inner)
        return f"语法错误: {translated}。" if translated else f"语法错误: {inner}"
    variable = _VARIABLE.match(message)
    if variable:
        inner = translate(variable.group("inner"))
        at = f" (位置 {variable.group('at')})" if variable.group("at") else ""
        which = "默认值" if variable.group("default") else "取值"
        inner = inner or variable.group("inner")
        return f"变量 '{variable.group('var')}' 的{which}无效{at}: {inner}"
    argument = _ARGUMENT.match(message)
    if argument:
        return f"参数 '{argument.group('arg')}' 的取值 {argument.group('value')} 无效"
    body, found, suggestion = _tails(message)
    translated = _match(body)
    if translated is None:
        return None
    return f"{translated}{found}。{suggestion}"


#: Strawberry's own plain-text refusals of an HTTP request (raised before graphql-core runs):
#: (pattern, error code, Chinese template). Answered as GraphQL-shaped errors like every other
#: refusal, in the caller's language, by :func:`http_refusal`.
HTTP_REASONS: list[tuple[re.Pattern[str], str, str]] = [
    (
        re.compile(r"No GraphQL query found in the request$"),
        "BAD_REQUEST",
        "请求中没有 GraphQL 查询 (query)",
    ),
    (
        re.compile(r'Unknown operation named "(?P<name>.*)"\.$'),
        "GRAPHQL_VALIDATION_FAILED",
        "文档中没有名为 '{name}' 的操作",
    ),
    (
        re.compile(
            r"(?P<kind>queries|mutations|subscriptions) are not allowed when using (?P<method>\w+)$"
        ),
        "METHOD_NOT_ALLOWED",
        "{method} 请求不能执行{kind}",
    ),
    (
        re.compile(r"Unable to parse the multipart body$"),
        "BAD_REQUEST",
        "无法解析 multipart 请求体",
    ),
    (
        re.compile(r"File\(s\) missing in form data$"),
        "BAD_REQUEST",
        "表单中缺少 map 所列的文件",
    ),
]
_KINDS = {"queries": "查询", "mutations": "变更 (mutation)", "subscriptions": "订阅"}


def http_refusal(reason: str) -> tuple[str, str, str]:
    """(code, Chinese, English) for one of strawberry's HTTP refusals; an unknown one keeps
    its English text in both and the code ``BAD_REQUEST``."""
    for pattern, code, template in HTTP_REASONS:
        found = pattern.match(reason.strip())
        if found:
            values = found.groupdict()
            if "kind" in values:
                values["kind"] = _KINDS[values["kind"]]
            return code, template.format(**values), reason
    return "BAD_REQUEST", reason, reason
