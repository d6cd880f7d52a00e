"""The history and activity tables show every recorded change as a person would write it:
field labels, names and titles instead of field names and ids, whatever the field is called,
in one query per kind of object named on the page."""

import pytest
from django.template.loader import render_to_string

from pdca.core.activity_display import describe, type_label
from pdca.core.models import ActivityEntry
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.standards.models import Requirement
from pdca.system.models import Process


def _entry(object_type: str, changes: dict, **fields) -> ActivityEntry:
    return ActivityEntry(object_type=object_type, changes=changes, **fields)


def test_a_field_called_items_is_shown_like_any_other():
    ((_, changes),) = describe(
        [_entry("x.unknown", {"items": [["a"], ["a", "b"]], "name": [None, "X"]})]
    )
    html = render_to_string("web/_changes.html", {"changes": changes})
    assert html.count("<tr>") == 2
    assert "Items" in html and "<ins>X</ins>" in html


@pytest.mark.django_db
def test_ids_become_names_and_codes_become_labels(personas, catalog):
    process = Process.objects.create(organization=personas.org, code="P-01", name="Machining")
    reqs = list(
        Requirement.objects.filter(
            standard__code="iso9001-2015", number__in=["8.7", "7.5"]
        ).order_by("number")
    )
    entry = _entry(
        "improvement.nonconformity",
        {
            "owner": [None, personas.manager.pk],
            "requirements": [[], [r.pk for r in reqs]],
            "severity": ["minor", "major"],
            "process": [process.pk, None],
        },
    )
    ((_, changes),) = describe([entry])
    shown = {c.label: (c.before, c.after) for c in changes}
    assert shown["Owner"] == (None, personas.manager.full_name)
    assert shown["Requirements"] == (None, "ISO 9001 7.5, ISO 9001 8.7")
    assert shown["Severity"] == ("Minor", "Major")
    assert shown["Process"] == (str(process), None)
    html = render_to_string("web/_changes.html", {"changes": changes})
    assert "requirements" not in html and "[360" not in html
    assert "(cleared)" in html


@pytest.mark.django_db
def test_a_page_of_entries_costs_one_query_per_kind_of_object(personas, catalog):
    process = Process.objects.create(organization=personas.org, code="P-01", name="Machining")

    def entries(n):
        return [
            _entry(
                "risks.risk",
                {"owner": [None, personas.manager.pk], "processes": [[], [process.pk]]},
            )
            for _ in range(n)
        ]

    small, _ = count_queries(lambda: describe(entries(2)))
    large, _ = count_queries(lambda: describe(entries(40)))
    assert small == large == 2


def test_object_types_read_as_names():
    assert type_label("audits.finding") == "Finding"
    assert type_label("gone.model") == "gone.model"


@pytest.mark.django_db
def test_the_type_filter_offers_each_type_once(client, personas):
    from pdca.core.activity import record_activity
    from pdca.tenancy.models import Site

    site = Site.objects.create(organization=personas.org, name="Leeds")
    for i in range(30):
        record_activity(
            actor=personas.manager, action="update", obj=site, changes={"name": [str(i), "Leeds"]}
        )
    login(client, personas.manager)
    html = client.get("/activity/").content.decode()
    select = html.split('name="object_type"', 1)[1].split("</select>", 1)[0]
    assert select.count('value="tenancy.site"') == 1
    assert ">Site</option>" in select
