"""Importing OSCAL catalogs and profiles as custom standards: the round trip of our own
exports, a profile's selection, and every refusal leaving no standard or requirement behind."""

from __future__ import annotations

import copy
import json

import pytest

from pdca.core.exceptions import PermissionDenied, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.interop.oscal.catalog import catalog_document, catalog_uuid
from pdca.interop.oscal.services import MAX_BYTES, import_oscal_catalog
from pdca.standards.models import Requirement, RequirementGroup, Standard
from tests.interop.oscal_data import ISMS, QMS

pytestmark = pytest.mark.usefixtures("catalog")


def _bytes(doc: dict) -> bytes:
    return json.dumps(doc).encode()


def _outline(standard: Standard) -> list[tuple]:
    return [
        (
            r.number,
            r.title,
            r.summary,
            r.parent.number if r.parent_id else None,
            r.group.code if r.group_id else None,
            r.kind,
            r.core.number if r.core_id else None,
        )
        for r in Requirement.objects.filter(standard=standard, retired=False)
        .select_related("parent", "group", "core")
        .order_by("sort_key")
    ]


def _counts() -> tuple[int, int, int]:
    return Standard.objects.count(), Requirement.objects.count(), RequirementGroup.objects.count()


@pytest.mark.parametrize("code", [ISMS, QMS])
def test_an_exported_catalog_imports_back_as_the_same_outline(code):
    original = Standard.objects.get(code=code)
    result = import_oscal_catalog(
        _bytes(catalog_document(original)), name=f"{code}.json", actor=None, code=f"copy-{code}"
    )
    copied = result.standard
    assert (copied.code, copied.name, copied.title) == (
        f"copy-{code}",
        original.name,
        original.title,
    )
    assert copied.discipline == Standard.Discipline.OTHER
    assert _outline(copied) == _outline(original)
    groups = list(copied.groups.values_list("code", "title", "summary"))
    assert groups == list(original.groups.values_list("code", "title", "summary"))
    assert result.requirements == original.requirements.filter(retired=False).count()
    assert result.warnings == []
    entry = ActivityEntry.objects.get(action="import", object_id=str(copied.pk))
    assert entry.via == "system" or entry.via


def test_the_default_code_is_oscal_and_the_titles_slug():
    doc = catalog_document(Standard.objects.get(code=QMS))
    doc["catalog"]["metadata"]["title"] = "Our Quality Framework"
    result = import_oscal_catalog(_bytes(doc), name="q.json", actor=None)
    assert result.standard.code == "oscal-our-quality-framework"


def test_a_foreign_catalog_takes_numbers_from_ids_and_summaries_from_statements():
    doc = {
        "catalog": {
            "uuid": "0b6bbe8e-3cd2-4b0e-9a6a-2f1b7e1f1a10",
            "metadata": {
                "title": "Mini controls",
                "last-modified": "2026-01-01T00:00:00+00:00",
                "version": "1.0",
                "oscal-version": "1.1.2",
            },
            "groups": [
                {
                    "id": "ac",
                    "title": "Access control",
                    "controls": [
                        {
                            "id": "ac-1",
                            "title": "Policy and procedures",
                            "parts": [
                                {
                                    "id": "ac-1_smt",
                                    "name": "statement",
                                    "prose": "Have an access policy.",
                                    "parts": [
                                        {"id": "ac-1_smt.a", "name": "item", "prose": "Review it."}
                                    ],
                                }
                            ],
                            "controls": [{"id": "ac-1.1", "title": "Enhancement"}],
                        }
                    ],
                }
            ],
        }
    }
    standard = import_oscal_catalog(_bytes(doc), name="mini.json", actor=None).standard
    rows = _outline(standard)
    assert rows == [
        (
            "ac.1",
            "Policy and procedures",
            "Have an access policy.\nReview it.",
            None,
            "ac",
            "control",
            None,
        ),
        ("ac.1.1", "Enhancement", "", "ac.1", "ac", "control", None),
    ]
    assert standard.code == "oscal-mini-controls"


def _profile(href: str, **spec) -> dict:
    return {
        "profile": {
            "uuid": "a1f0d5c4-3f57-4a0e-8e5f-7a0c6d6f0b21",
            "metadata": {
                "title": "Cloud baseline",
                "last-modified": "2026-01-01T00:00:00+00:00",
                "version": "2026",
                "oscal-version": "1.1.2",
            },
            "imports": [{"href": href, **spec}],
            "modify": {"alters": [{"control-id": "a.5.1", "adds": [{"position": "ending"}]}]},
        }
    }


def test_a_profile_selects_controls_of_a_given_catalog_and_warns_of_alterations():
    catalog = catalog_document(Standard.objects.get(code=ISMS))
    profile = _profile(
        "catalog.json",
        **{"include-controls": [{"with-ids": ["a.5.1", "a.5.2", "a.8.1", "c.6.1.2"]}]},
    )
    result = import_oscal_catalog(
        _bytes(profile), name="p.json", actor=None, catalog=_bytes(catalog), code="cloud-base"
    )
    standard = result.standard
    assert result.kind == "profile"
    assert (standard.title, standard.edition) == ("Cloud baseline", "2026")
    rows = [(r[0], r[3], r[4]) for r in _outline(standard)]
    assert rows == [
        ("6.1.2", None, None),
        ("A.5.1", None, "A.5"),
        ("A.5.2", None, "A.5"),
        ("A.8.1", None, "A.8"),
    ]
    assert list(standard.groups.values_list("code", flat=True)) == ["A.5", "A.8"]
    assert result.warnings == ["The profile's 1 alteration(s) (modify.alters) were ignored."]


def test_a_profile_resolves_a_stored_standard_by_its_catalog_uuid_or_api_path():
    isms = Standard.objects.get(code=ISMS)
    for n, href in enumerate([f"#{catalog_uuid(isms)}", f"/api/v1/oscal/catalogs/{ISMS}/"]):
        profile = _profile(href, **{"include-all": {}})
        standard = import_oscal_catalog(
            _bytes(profile), name="p.json", actor=None, code=f"all-of-it-{n}"
        ).standard
        assert standard.requirements.count() == isms.requirements.filter(retired=False).count()


def test_with_child_controls_brings_the_sub_clauses():
    profile = _profile(
        QMS, **{"include-controls": [{"with-ids": ["c.4"], "with-child-controls": "yes"}]}
    )
    standard = import_oscal_catalog(
        _bytes(profile), name="p.json", actor=None, code="qms-4"
    ).standard
    numbers = [r[0] for r in _outline(standard)]
    assert numbers[:5] == ["4", "4.1", "4.2", "4.3", "4.4"]
    assert {n.split(".")[0] for n in numbers} == {"4"}


def _valid() -> dict:
    return catalog_document(Standard.objects.get(code=QMS))


def _duplicate_ids() -> dict:
    doc = _valid()
    doc["catalog"]["controls"][1]["id"] = doc["catalog"]["controls"][0]["id"]
    return doc


def _long_title() -> dict:
    doc = _valid()
    doc["catalog"]["controls"][0]["title"] = "x" * 301
    return doc


def _no_controls() -> dict:
    doc = _valid()
    doc["catalog"].pop("controls")
    return doc


@pytest.mark.parametrize(
    ("content", "field", "says"),
    [
        (b"{not json", "file", "Not valid JSON"),
        (b"", "file", "empty"),
        (b"\xff\xfe", "file", "UTF-8"),
        (_bytes({"component-definition": {}}), "file", "Not an OSCAL catalog or profile"),
        (
            _bytes({"catalog": {"uuid": "nope", "metadata": {}}}),
            "file",
            "Not a valid OSCAL catalog",
        ),
        (lambda: _bytes(_duplicate_ids()), "file", "Duplicate control id"),
        (lambda: _bytes(_long_title()), "file", "requirement 4: title"),
        (lambda: _bytes(_no_controls()), "file", "nothing to import"),
        (
            _bytes(_profile("elsewhere.json", **{"include-all": {}})),
            "catalog",
            "not a stored standard",
        ),
        (_bytes(_profile(QMS, **{"include-controls": [{"with-ids": ["z.9"]}]})), "file", "'z.9'"),
        (b" " * (MAX_BYTES + 1), "file", "larger than 5 MB"),
    ],
    ids=[
        "invalid-json",
        "empty",
        "not-utf8",
        "not-oscal",
        "invalid-oscal",
        "duplicate-ids",
        "title-too-long",
        "no-controls",
        "unresolved-profile",
        "unknown-selection",
        "too-large",
    ],
)
def test_bad_input_is_refused_naming_the_problem_and_writes_nothing(content, field, says):
    content = content() if callable(content) else content
    before = _counts()
    with pytest.raises(ValidationFailed) as refused:
        import_oscal_catalog(content, name="bad.json", actor=None, code="bad-input")
    assert refused.value.errors[0].field == field
    assert says in str(refused.value)
    assert _counts() == before


def test_a_code_in_use_is_refused():
    before = _counts()
    with pytest.raises(ValidationFailed) as refused:
        import_oscal_catalog(_bytes(_valid()), name="q.json", actor=None, code=ISMS)
    assert refused.value.errors[0].field == "code"
    assert "already in use" in str(refused.value)
    assert _counts() == before


def test_a_bad_code_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        import_oscal_catalog(_bytes(_valid()), name="q.json", actor=None, code="Not OK")
    assert refused.value.errors[0].field == "code"


def test_only_platform_administrators_import(personas):
    before = _counts()
    with pytest.raises(PermissionDenied):
        import_oscal_catalog(_bytes(_valid()), name="q.json", actor=personas.manager, code="x-y-z")
    assert _counts() == before


def test_yaml_is_read_when_the_file_name_says_so():
    import yaml

    doc = copy.deepcopy(_valid())
    result = import_oscal_catalog(
        yaml.safe_dump(doc).encode(), name="q.yaml", actor=None, code="qms-yaml"
    )
    assert (
        result.requirements
        == Standard.objects.get(code=QMS).requirements.filter(retired=False).count()
    )
