"""Reporting a nonconformity through POST /api/v1/nonconformities/report/: any member may,
and the reporter then sees it, even an employee."""

from __future__ import annotations

import pytest

from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.documents.evidence.services import store_evidence
from pdca.improvement.models import Nonconformity
from pdca.system.models import Process
from pdca.tenancy.models import Site
from tests.improvement.test_workflow_api import entries

pytestmark = pytest.mark.django_db

URL = "/api/v1/nonconformities/report/"
ROLES = sorted(ORGANIZATION_ROLES)


def report_body(org, **fields) -> dict:
    return {
        "organization": org.slug,
        "title": "Forklift near miss",
        "description": "Pedestrian walkway blocked by pallets at gate 3.",
        **fields,
    }


def send(client, body: dict):
    return client.post(URL, body, content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
def test_every_member_may_report_a_nonconformity(client, personas, role):
    user = personas.users[role]
    login(client, user)
    response = send(client, report_body(personas.org, source="incident"))
    assert response.status_code == 201, response.content
    nc = Nonconformity.objects.get(organization=personas.org)
    data = response.json()
    assert (data["id"], data["reference"], data["status"]) == (nc.pk, "NC-0001", "reported")
    assert (data["source"], data["reported_by"], data["owner"]) == ("incident", user.pk, None)
    assert (nc.title, nc.reported_by) == ("Forklift near miss", user)
    entry = entries(nc, "report", user).get()
    assert entry.via == "api"
    assert entry.organization_id == personas.org.pk


def test_the_employee_who_reported_it_reads_it_in_the_register_and_its_workflow(client, personas):
    employee = personas.employee
    someone_elses = Nonconformity.objects.create(
        organization=personas.org, title="Other", description="x", source="employee"
    )
    login(client, employee)
    nc_id = send(client, report_body(personas.org)).json()["id"]
    detail = client.get(f"/api/v1/nonconformities/{nc_id}/")
    assert detail.status_code == 200, detail.content
    assert (detail.json()["id"], detail.json()["title"]) == (nc_id, "Forklift near miss")
    listed = client.get("/api/v1/nonconformities/").json()
    assert [row["id"] for row in listed["items"]] == [nc_id]
    workflow = client.get(f"/api/v1/nonconformities/{nc_id}/workflow/")
    assert workflow.status_code == 200
    assert workflow.json()["steps"] == [
        {
            "name": "triage",
            "label": "Triage",
            "allowed": False,
            "reason": "Your role may not take this step on this nonconformity.",
        },
        {
            "name": "dismiss",
            "label": "Dismiss",
            "allowed": False,
            "reason": "Your role may not take this step on this nonconformity.",
        },
    ]
    assert client.get(f"/api/v1/nonconformities/{someone_elses.pk}/").status_code == 404


def test_a_report_keeps_its_process_site_and_evidence(client, personas):
    org, manager = personas.org, personas.manager
    process = Process.objects.create(organization=org, name="Stores", code="P-02")
    site = Site.objects.create(organization=org, name="Main plant")
    photo = store_evidence(org, ("walkway.txt", b"pallets"), actor=manager)
    login(client, personas.employee)
    body = report_body(
        org, source="deviation", process=process.pk, site=site.pk, evidence=[photo.pk]
    )
    data = send(client, body).json()
    assert (data["process"], data["site"], data["attachments"]) == (
        process.pk,
        site.pk,
        [photo.pk],
    )
    nc = Nonconformity.objects.get(pk=data["id"])
    assert list(nc.attachments.all()) == [photo]
    assert entries(nc, "report").get().changes["attachments"] == [[], [photo.pk]]


def test_the_outsider_gets_404_and_anonymous_401(client, personas):
    response = send(client, report_body(personas.org))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    login(client, personas.outsider)
    assert send(client, report_body(personas.org)).status_code == 404
    login(client, personas.users[Role.LEAD_AUDITOR])
    assert send(client, report_body(personas.org)).status_code == 404
    assert not Nonconformity.objects.exists()
    assert not ActivityEntry.objects.filter(action="report").exists()


def _foreign(personas, name: str):
    other = personas.other
    if name == "process":
        return Process.objects.create(organization=other, name="B", code="B").pk
    if name == "site":
        return Site.objects.create(organization=other, name="Depot B").pk
    return [store_evidence(other, ("b.txt", b"b"), actor=personas.outsider).pk]


BAD = [
    ({"organization": None}, "organization"),
    ({"title": ""}, "title"),
    ({"title": "x" * 201}, "title"),
    ({"description": "   "}, "description"),
    ({"description": "a\x00b"}, "description"),
    ({"source": "internal_audit"}, "source"),
    ({"source": "rumour"}, "source"),
    ({"process": "foreign"}, "process"),
    ({"process": 0}, "process"),
    ({"site": "foreign"}, "site"),
    ({"evidence": "foreign"}, "evidence"),
    ({"evidence": [999_999]}, "evidence"),
    ({"severity": "major"}, "severity"),
]


@pytest.mark.parametrize(("change", "field"), BAD)
def test_a_bad_report_is_a_422_naming_the_field_and_writes_nothing(client, personas, change, field):
    body = report_body(personas.org)
    for name, value in change.items():
        body[name] = _foreign(personas, name) if value == "foreign" else value
    body = {k: v for k, v in body.items() if v is not None}
    count = ActivityEntry.objects.count()
    login(client, personas.employee)
    response = send(client, body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}, response.json()
    assert not Nonconformity.objects.exists()
    assert ActivityEntry.objects.count() == count
