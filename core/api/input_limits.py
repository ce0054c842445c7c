"""Length and character checks on every string a request brings, before anything runs.

One mechanism for all string inputs, instead of a check in each resolver: before execution,
every string that reaches an argument or an input field — written in the query or passed in a
variable — is checked against its rule, and the first that fails stops the request with a
top-level error ``INVALID`` whose ``field`` is its input path (``username``,
``input.agency``, ``filter.search``). Checked:

* no control characters other than tab, line feed and carriage return (PostgreSQL cannot
  store NUL at all; the others have no place in a name or a note);
* no lone surrogates (``"\\ud800"`` has no UTF-8 form, so no database can store it);
* at most :data:`DEFAULT_MAX_LENGTH` characters, or the rule's own maximum;
* the rule's pattern, where it has one (a division code is 6 digits).

Rules are keyed by schema coordinate: ``Type.field`` for input fields and
``Type.field(argument:)`` for arguments (:data:`RULES`), or by the field's name wherever it
appears (:data:`NAME_RULES`). Their maxima are those of the columns the values end up in, so a
value the database would refuse is refused here first, with the field named.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_named_type,
)
from graphql.type import GraphQLInterfaceType, GraphQLObjectType
from strawberry.extensions import SchemaExtension

from core.api.errors import coded_error

#: Longest string any input may be when no rule says otherwise (a note, a finding).
DEFAULT_MAX_LENGTH = 4000

_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Rule:
    max_length: int = DEFAULT_MAX_LENGTH
    pattern: str | None = None
    #: What the pattern asks for, in Chinese and English.
    shape: tuple[str, str] = ("", "")


DIVISION_CODE = Rule(6, r"\d{6}", ("6 位数字的行政区划代码", "a 6-digit division code"))

#: Rules by schema coordinate; the maxima follow the columns the values are stored in.
RULES: dict[str, Rule] = {
    "Mutation.login(username:)": Rule(64),
    "Mutation.login(password:)": Rule(1024),
    "CreateApiKeyInput.agency": Rule(128),
    "CreateApiKeyInput.jurisdictionCode": DIVISION_CODE,
    "CreateApiKeyInput.towns": Rule(64),
    "Query.verifyEnrolment(idNumber:)": Rule(32),
    "Query.jurisdiction(code:)": Rule(32),
    "ReportCaseInput.reason": Rule(32),
    "ConfirmCaseInput.reason": Rule(32),
}


#: Rules by the name of an input field or argument, wherever it appears (when no coordinate
#: rule applies): people's names and codes stored in columns of these widths.
NAME_RULES: dict[str, Rule] = {
    "actorName": Rule(64),
    "visitorName": Rule(64),
    "uploadedBy": Rule(64),
    "fileName": Rule(255),
    "sha256": Rule(64),
    "programme": Rule(32),
    "funder": Rule(128),
}


def rule_for(key: str) -> Rule:
    """The rule of the input at schema coordinate ``key``."""
    rule = RULES.get(key)
    if rule is not None:
        return rule
    name = key.rpartition(".")[2].split("(")[-1].rstrip(":)")
    return NAME_RULES.get(name, Rule())


class _Refused(Exception):
    def __init__(self, path: str, zh: str, en: str) -> None:
        self.path = path
        self.zh = zh
        self.en = en


def check_string(value: str, path: str, rule: Rule) -> None:
    """Raise :class:`_Refused` when ``value`` breaks ``rule`` or has a forbidden character."""
    bad = _FORBIDDEN.search(value)
    if bad:
        code = f"U+{ord(bad.group()):04X}"
        raise _Refused(
            path, f"含有不允许的字符 {code}", f"contains a character that is not allowed ({code})"
        )
    if len(value) > rule.max_length:
        raise _Refused(
            path,
            f"最多 {rule.max_length} 个字符, 实为 {len(value)} 个",
            f"at most {rule.max_length} characters, got {len(value)}",
        )
    if rule.pattern and not re.fullmatch(rule.pattern, value):
        raise _Refused(path, f"须为{rule.shape[0]}", f"must be {rule.shape[1]}")


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def selections(self, selection_set: SelectionSetNode | None, parent: Any, seen: frozenset):
        if selection_set is None or not isinstance(
            parent, (GraphQLObjectType, GraphQLInterfaceType)
        ):
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                definition = parent.fields.get(selection.name.value)
                if definition is None:
                    continue
                for argument in selection.arguments or ():
                    arg = definition.args.get(argument.name.value)
                    if arg is None:
                        continue
                    key = f"{parent.name}.{selection.name.value}({argument.name.value}:)"
                    self.value(argument.value, arg.type, argument.name.value, key)
                self.selections(selection.selection_set, get_named_type(definition.type), seen)
            elif isinstance(selection, InlineFragmentNode):
                target = parent
                if selection.type_condition is not None:
                    target = self.schema.get_type(selection.type_condition.name.value) or parent
                self.selections(selection.selection_set, target, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue
                target = self.schema.get_type(fragment.type_condition.name.value) or parent
                self.selections(fragment.selection_set, target, seen | {name})

    def value(self, node: Any, type_: Any, path: str, key: str) -> None:
        """A value written in the document (or a variable standing for one)."""
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(node, VariableNode):
            self.raw(self.variables.get(node.name.value), type_, path, key)
        elif isinstance(node, StringValueNode):
            check_string(node.value, path, rule_for(key))
        elif isinstance(node, ListValueNode) and isinstance(type_, GraphQLList):
            for i, item in enumerate(node.values):
                self.value(item, type_.of_type, f"{path}[{i}]", key)
        elif isinstance(node, ObjectValueNode) and isinstance(type_, GraphQLInputObjectType):
            for item in node.fields:
                field = type_.fields.get(item.name.value)
                if field is not None:
                    self.value(
                        item.value,
                        field.type,
                        f"{path}.{item.name.value}",
                        f"{type_.name}.{item.name.value}",
                    )

    def raw(self, value: Any, type_: Any, path: str, key: str) -> None:
        """A value passed in the variables (JSON)."""
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(value, str):
            check_string(value, path, rule_for(key))
        elif isinstance(value, list):
            inner = type_.of_type if isinstance(type_, GraphQLList) else type_
            for i, item in enumerate(value):
                self.raw(item, inner, f"{path}[{i}]", key)
        elif isinstance(value, dict) and isinstance(type_, GraphQLInputObjectType):
            for name, item in value.items():
                field = type_.fields.get(name)
                if field is not None:
                    self.raw(item, field.type, f"{path}.{name}", f"{type_.name}.{name}")


def first_refusal(
    schema: GraphQLSchema,
    document: Any,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> GraphQLError | None:
    """The error for the first string input that breaks its rule, or None."""
    definitions = getattr(document, "definitions", ())
    fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
    operations = [d for d in definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        operations = [o for o in operations if o.name and o.name.value == operation_name]
    if not operations:
        return None
    operation = operations[0]
    walker = _Walker(schema, fragments, variables or {})
    try:
        walker.selections(
            operation.selection_set, schema.get_root_type(operation.operation), frozenset()
        )
    except _Refused as refused:
        return coded_error(
            f"{refused.path}: {refused.zh}",
            f"{refused.path}: {refused.en}",
            code="INVALID",
            field=refused.path,
        )
    return None


class InputLimits(SchemaExtension):
    """Refuse a request whose string inputs break their rules, before it executes."""

    def on_execute(self) -> Iterator[None]:
        ctx = self.execution_context
        if ctx.graphql_document is not None and not ctx.result:
            error = first_refusal(
                ctx.schema._schema, ctx.graphql_document, ctx.operation_name, ctx.variables
            )
            if error is not None:
                ctx.result = ExecutionResult(data=None, errors=[error])
        yield
