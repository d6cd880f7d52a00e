"""Significant aspects: the assessment endpoint and page by role, the list of significant
aspects with those lacking an objective or an operational control, the selector other apps
read, and the XLSX round trip of the aspect register."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from pdca.core.exceptions import ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.registers.services import create_entry
from pdca.core.registers.spreadsheet import export_entries, import_entries
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.documents.models import Document
from pdca.environment.models import Aspect
from pdca.environment.registers import ASPECTS, OBLIGATIONS
from pdca.environment.selectors import significant_aspects, unaddressed_aspects
from pdca.system.models import Objective
from pdca.system.permissions import IMPLEMENTERS
from tests.environment.factories import make_aspect

pytestmark = pytest.mark.django_db

ROLES = sorted(ALL_ROLES)
HIGH = {"severity": 4, "probability": 4, "scale": 3, "legal": 2, "stakeholder": 3}
LOW = {"severity": 1, "probability": 2, "scale": 1, "legal": 1, "stakeholder": 1}


def significant(org, index=0, **fields) -> Aspect:
    return make_aspect(org, index, **{"significant": True, "score": 16, **fields})


@pytest.mark.parametrize("role", ROLES)
def test_assessment_api_by_role(client, personas, role):
    aspect = make_aspect(personas.org_for(role))
    login(client, personas.users[role])
    url = f"/api/v1/aspects/{aspect.pk}/assessment/"
    read = client.get(url)
    response = client.post(url, {"scores": HIGH}, content_type="application/json")
    aspect.refresh_from_db()
    if role in IMPLEMENTERS:
        assert read.status_code == 200
        assert response.status_code == 200, response.content
        data = response.json()
        assert (data["score"], data["significant"], data["method_changed"]) == (16, True, False)
        assert aspect.significant
    else:
        expected = 403 if role in ORGANIZATION_ROLES else 404
        assert read.status_code == (200 if role in ORGANIZATION_ROLES else 404)
        assert response.status_code == expected, response.content
        assert aspect.assessed_on is None


def test_the_owner_process_owner_assesses_their_aspect(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_aspect(personas.org, 1, owner=owner)
    theirs = make_aspect(personas.org, 2)
    login(client, owner)
    body = {"scores": LOW}
    ok = client.post(
        f"/api/v1/aspects/{mine.pk}/assessment/", body, content_type="application/json"
    )
    assert ok.status_code == 200
    assert ok.json()["significant"] is False
    refused = client.post(
        f"/api/v1/aspects/{theirs.pk}/assessment/", body, content_type="application/json"
    )
    assert refused.status_code == 403


def test_assessment_api_names_the_bad_score(client, personas):
    aspect = make_aspect(personas.org)
    login(client, personas.manager)
    response = client.post(
        f"/api/v1/aspects/{aspect.pk}/assessment/",
        {"scores": {**HIGH, "severity": 9}},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"scores.severity"}
    login(client, personas.outsider)
    response = client.post(
        f"/api/v1/aspects/{aspect.pk}/assessment/",
        {"scores": HIGH},
        content_type="application/json",
    )
    assert response.status_code == 404


def test_the_assess_page(client, personas):
    aspect = make_aspect(personas.org)
    login(client, personas.manager)
    url = f"/aspects/{aspect.pk}/assess/"
    assert "Legal concern" in client.get(url).content.decode()
    bad = client.post(url, {**HIGH, "severity": 8})
    assert bad.status_code == 422
    assert client.post(url, HIGH).status_code == 302
    aspect.refresh_from_db()
    assert aspect.significant
    page = client.get(f"/aspects/{aspect.pk}/").content.decode()
    assert 'id="significant-gaps"' in page
    login(client, personas.employee)
    assert client.get(url).status_code == 403
    login(client, personas.outsider)
    assert client.get(url).status_code == 404


def test_significant_aspects_selector_flags_what_is_missing(personas):
    org = personas.org
    covered = significant(org, 1)
    objective = Objective.objects.create(
        organization=org,
        title="Cut coolant use",
        kpi="litres",
        target=100,
        start_date="2026-01-01",
        due_date="2026-12-31",
    )
    document = Document.objects.create(organization=org, title="Coolant handling instruction")
    covered.objectives.add(objective)
    covered.documents.add(document)
    bare = significant(org, 2, score=20)
    make_aspect(org, 3)  # not significant
    significant(org, 4, archived_at="2026-01-01T00:00:00Z")
    significant(org, 5, status="retired")
    significant(personas.other, 6)
    rows = list(significant_aspects(org))
    assert rows == [bare, covered]
    assert [(a.has_objective, a.has_control) for a in rows] == [(False, False), (True, True)]
    assert list(unaddressed_aspects(org)) == [bare]


@pytest.mark.parametrize("role", ROLES)
def test_significant_list_api_and_page_by_role(client, personas, role):
    aspect = significant(personas.org_for(role))
    significant(personas.other, 9)
    login(client, personas.users[role])
    response = client.get("/api/v1/aspects/significant/?unaddressed=true")
    page = client.get("/aspects/significant/")
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200
        [row] = response.json()["items"]
        assert (row["id"], row["has_objective"], row["has_operational_control"]) == (
            aspect.pk,
            False,
            False,
        )
        assert page.status_code == 200
        assert 'id="unaddressed-warning"' in page.content.decode()
    else:
        assert response.status_code == 404
        assert page.status_code == 403


def test_the_significant_filter_of_the_register(client, personas):
    yes, no = significant(personas.org, 1), make_aspect(personas.org, 2)
    login(client, personas.manager)
    ids = {r["id"] for r in client.get("/api/v1/aspects/?significant=true").json()["items"]}
    assert ids == {yes.pk}
    assert no.pk not in ids


def test_significant_list_query_counts_do_not_grow(client, personas):
    login(client, personas.manager)
    for i in range(2):
        significant(personas.org, i)
    small = [
        count_queries(lambda u=u: client.get(u))[0]
        for u in ("/api/v1/aspects/significant/", "/aspects/significant/")
    ]
    for i in range(2, 12):
        significant(personas.org, i)
    large = [
        count_queries(lambda u=u: client.get(u))[0]
        for u in ("/api/v1/aspects/significant/", "/aspects/significant/")
    ]
    assert large == small


def _workbook(spec, org) -> bytes:
    return export_entries(spec, spec.model.objects.filter(organization=org), organization=org)


def test_the_aspect_register_round_trips_through_xlsx(personas):
    org = personas.org
    obligation = create_entry(
        OBLIGATIONS, org, actor=personas.manager, title="Duty of care", requires="Notes"
    )
    aspect = make_aspect(org, 1, condition="emergency")
    aspect.obligations.add(obligation)
    summary = import_entries(ASPECTS, org, _workbook(ASPECTS, org), actor=personas.manager)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)
    summary = import_entries(OBLIGATIONS, org, _workbook(OBLIGATIONS, org), actor=personas.manager)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 1)


def test_a_bad_aspect_import_writes_nothing(personas):
    org = personas.org
    make_aspect(org, 1)
    book = load_workbook(io.BytesIO(_workbook(ASPECTS, org)))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    good = list(next(sheet.iter_rows(min_row=2, values_only=True)))
    good[0], good[headers.index("Code")] = None, "EA-NEW"
    bad = list(good)
    bad[headers.index("Code")] = "EA-BAD"
    bad[headers.index("Condition")] = "Now and then"
    sheet.append(good)
    sheet.append(bad)
    buffer = io.BytesIO()
    book.save(buffer)
    entries = ActivityEntry.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        import_entries(ASPECTS, org, buffer.getvalue(), actor=personas.manager)
    assert any("!" in e.field for e in caught.value.errors)
    assert Aspect.objects.filter(organization=org).count() == 1
    assert ActivityEntry.objects.count() == entries
