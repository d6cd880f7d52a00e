"""Meta-tests of the OpenAPI document: it tells the truth about enumerations and declares a
length limit for every text a client may send."""

from __future__ import annotations

import enum
import typing
from collections import defaultdict
from functools import cache

import pydantic
import pytest

NUL_PATTERN = r"^[^\x00]*$"


@cache
def _document() -> dict:
    from pdca.api import api

    return api.get_openapi_schema()


def _components() -> dict:
    return _document()["components"]["schemas"]


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = _components()[node["$ref"].rsplit("/", 1)[-1]]
    return node


def _unbounded_strings(node: dict, path: str, seen: set[str]) -> list[str]:
    """Paths of the string values under `node` without `maxLength` (enumerations, constants
    and formats such as dates bound themselves)."""
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        seen = seen | {name}
    node = _resolve(node)
    found: list[str] = []
    alternatives = [_resolve(n) for k in ("anyOf", "oneOf", "allOf") for n in node.get(k, [])]
    # A decimal travels as a number or as a string of digits: pydantic parses the string as a
    # number, so it is no free text.
    decimal = any(a.get("type") in {"number", "integer"} for a in alternatives)
    for alternative in alternatives:
        if decimal and alternative.get("type") == "string" and len(alternative) == 1:
            continue
        found += _unbounded_strings(alternative, path, seen)
    if node.get("type") == "string" and not ({"enum", "const", "format", "maxLength"} & set(node)):
        found.append(path)
    for name, sub in node.get("properties", {}).items():
        found += _unbounded_strings(sub, f"{path}.{name}", seen)
    if isinstance(node.get("items"), dict):
        found += _unbounded_strings(node["items"], f"{path}[]", seen)
    if isinstance(node.get("additionalProperties"), dict):
        found += _unbounded_strings(node["additionalProperties"], f"{path}.*", seen)
    return found


def test_every_text_a_client_sends_has_a_length_limit():
    """Request bodies (JSON and multipart) declare `maxLength` on every free-text string, so
    clients know the limit and the API refuses longer text with a 422 naming the field."""
    unbounded = []
    for path, operations in _document()["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if not body:
                continue
            for media_type, content in body["content"].items():
                label = f"{method.upper()} {path} ({media_type})"
                unbounded += _unbounded_strings(content["schema"], label, set())
    assert unbounded == []


def test_the_meta_test_finds_an_unbounded_string():
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string"},
            "b": {"type": "string", "maxLength": 3},
            "c": {"type": "string", "format": "date"},
        },
    }
    assert _unbounded_strings(schema, "x", set()) == ["x.a"]


def _enums_in(annotation) -> set[type[enum.Enum]]:
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return {annotation}
    found: set[type[enum.Enum]] = set()
    for arg in typing.get_args(annotation):
        found |= _enums_in(arg)
    return found


def _api_enums() -> dict[str, set[type[enum.Enum]]]:
    """Component name → the enumerations of pdca's API schemas filed under it."""
    from pdca.core.api import enum_component_name

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    by_name: dict[str, set[type[enum.Enum]]] = defaultdict(set)
    for model in subclasses(pydantic.BaseModel):
        if not model.__module__.startswith("pdca."):
            continue
        for field in getattr(model, "model_fields", {}).values():
            for found in _enums_in(field.annotation):
                by_name[enum_component_name(found)].add(found)
    return by_name


def test_enumeration_component_names_are_unique():
    """Two enumerations of one name (`Status`, `Kind`, `Role` in several models) would be
    documented as one: memberships with audit-team roles, meetings with evidence kinds."""
    _document()
    clashes = {
        name: sorted(e.__module__ + "." + e.__qualname__ for e in found)
        for name, found in _api_enums().items()
        if len(found) > 1
    }
    assert clashes == {}


def test_each_documented_enumeration_is_its_models_choices():
    components = _components()
    by_name = _api_enums()
    documented = {name for name, schema in components.items() if "enum" in schema}
    assert documented, "the document has enumeration components"
    unknown = documented - set(by_name)
    assert unknown == set(), "enumeration components that no API schema's choices explain"
    for name in documented:
        (choices,) = by_name[name]
        assert components[name]["enum"] == [member.value for member in choices], name


def test_register_choice_fields_document_their_models_choices():
    """Registers document a choice field inline (an enumeration of the model field's values)."""
    from pdca.core.registers.spec import all_specs

    components = _components()
    checked = 0
    for spec in all_specs():
        out = components.get(f"{spec.model.__name__}Out")
        if out is None:
            continue
        for name in spec.fields:
            field = spec.model_field(name)
            if not field.choices or field.many_to_one or field.many_to_many:
                continue
            documented = _resolve(out["properties"][name])
            values = [str(v) for v, _label in field.choices]
            if field.blank:  # an optional choice is stored as empty text when not made
                values.append("")
            assert documented.get("enum") == values, f"{spec.slug}.{name}"
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("name", ["GapItemStatus", "AuditTeamMemberRole", "AuditMeetingKind"])
def test_known_former_collisions_have_their_own_component(name):
    assert name in _components()
