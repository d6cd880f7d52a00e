"""`load_catalog_data`: a standard given as parsed data (an import from another format) is
checked like a catalog file, loaded whole, and refused whole."""

import pytest

from pdca.core.models import ActivityEntry
from pdca.standards.models import Requirement, Standard
from pdca.standards.services import CatalogInvalid, load_catalog_data

pytestmark = pytest.mark.usefixtures("catalog")


def _data(code="own-framework", **requirement):
    return {
        "format": 1,
        "standard": {
            "code": code,
            "name": "Own",
            "title": "Our own framework",
            "edition": "1",
            "discipline": "other",
            "structure": "other",
        },
        "groups": [{"id": "G.1", "title": "Group one"}],
        "requirements": [
            {"number": "1", "title": "One", "kind": "clause", "summary": "Do one."},
            {"number": "1.1", "parent": "1", "title": "One one", "kind": "clause", "summary": "x"},
            {"number": "G.1.1", "group": "G.1", "title": "C", "kind": "control", "summary": "y"},
            *([requirement] if requirement else []),
        ],
    }


def test_parsed_data_loads_as_a_standard_with_its_activity_entry():
    standard = load_catalog_data(_data(), source="own.json", actor=None)
    rows = Requirement.objects.filter(standard=standard).order_by("sort_key")
    assert [(r.number, r.parent.number if r.parent else None) for r in rows] == [
        ("1", None),
        ("1.1", "1"),
        ("G.1.1", None),
    ]
    assert ActivityEntry.objects.filter(action="import", object_id=str(standard.pk)).count() == 1


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_data(number="1", title="Again", kind="clause", summary="z"), "duplicate number 1"),
        (_data(number="2", title="x" * 301, kind="clause", summary="z"), "requirement 2: title"),
        (_data(code="iso9001-2015"), "already in use"),
    ],
)
def test_bad_data_is_refused_whole(data, says):
    before = Standard.objects.count(), Requirement.objects.count()
    with pytest.raises(CatalogInvalid) as refused:
        load_catalog_data(data, source="own.json", actor=None)
    assert says in str([p.message for p in refused.value.problems])
    assert (Standard.objects.count(), Requirement.objects.count()) == before
