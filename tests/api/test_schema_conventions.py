"""Conventions every part of the schema keeps: Chinese descriptions, English identifiers,
UPPER_SNAKE enum values, and the Relay Node interface on every entity."""

from __future__ import annotations

import re

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
)

from core.api.schema import NODE_TYPES, build_schema
from core.api.sdl import export_sdl
from core.settings import Settings

CJK = re.compile(r"[\u4e00-\u9fff]")
BUILT_IN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}
TYPE_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")
FIELD_NAME = re.compile(r"^[a-z][A-Za-z0-9]*$")
ENUM_VALUE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$")


@pytest.fixture(scope="module")
def schema() -> GraphQLSchema:
    return build_schema(Settings())._schema


def _named_types(schema: GraphQLSchema):
    for name, named in sorted(schema.type_map.items()):
        if name.startswith("__") or name in BUILT_IN_SCALARS:
            continue
        yield name, named


def _chinese(text: str | None) -> bool:
    return bool(text and CJK.search(text))


def test_every_type_field_argument_and_enum_value_has_a_chinese_description(schema) -> None:
    missing: list[str] = []
    for name, named in _named_types(schema):
        if not _chinese(named.description) and name not in {"Query", "Mutation"}:
            missing.append(name)
        if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in named.fields.items():
                if not _chinese(field.description):
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in field.args.items():
                    # arguments of the read API; a mutation's single ``input`` explains itself
                    if name != "Mutation" and not _chinese(arg.description):
                        missing.append(f"{name}.{field_name}({arg_name}:)")
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, field in named.fields.items():
                if not _chinese(field.description):
                    missing.append(f"{name}.{field_name}")
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                if not _chinese(value.description):
                    missing.append(f"{name}.{value_name}")
    assert missing == [], "no Chinese description: " + ", ".join(missing)


def test_identifiers_are_english_and_enum_values_upper_snake(schema) -> None:
    wrong: list[str] = []
    for name, named in _named_types(schema):
        if not TYPE_NAME.match(name):
            wrong.append(name)
        if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType, GraphQLInputObjectType)):
            wrong += [f"{name}.{f}" for f in named.fields if not FIELD_NAME.match(f)]
        if isinstance(named, (GraphQLObjectType, GraphQLInterfaceType)):
            for field_name, field in named.fields.items():
                wrong += [
                    f"{name}.{field_name}({a}:)" for a in field.args if not FIELD_NAME.match(a)
                ]
        if isinstance(named, GraphQLEnumType):
            wrong += [f"{name}.{v}" for v in named.values if not ENUM_VALUE.match(v)]
        if isinstance(named, GraphQLScalarType):
            assert named.name.isascii()
    assert wrong == []


def test_every_entity_is_a_node_and_the_interface_is_in_the_sdl(schema) -> None:
    sdl = export_sdl()
    assert "interface Node {" in sdl
    for node_type in NODE_TYPES:
        name = node_type.__strawberry_definition__.name
        graphql_type = schema.type_map[name]
        assert [i.name for i in graphql_type.interfaces] == ["Node"], name
        assert f"type {name} implements Node {{" in sdl
    query = schema.query_type
    assert query is not None and {"node", "nodes"} <= set(query.fields)


def test_connections_have_edges_page_info_and_total_count(schema) -> None:
    connections = [t for n, t in _named_types(schema) if n.endswith("Connection")]
    assert {"ChildConnection", "CaseConnection", "SchoolConnection"} <= {
        c.name for c in connections
    }
    for connection in connections:
        assert {"edges", "pageInfo", "totalCount"} <= set(connection.fields), connection.name
