"""The incident workflow: anyone reports, employees see their own, an investigation opens
exactly one nonconformity, a closed incident is a frozen record."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from pdca.core.registers.services import update_entry
from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import Nonconformity
from pdca.safety.models import Incident
from pdca.safety.registers import INCIDENTS
from pdca.safety.services.incidents import (
    investigate_incident,
    report_incident,
    transition_incident,
)

pytestmark = pytest.mark.django_db

REPORT = {
    "title": "Forklift reversed close to a pedestrian",
    "kind": "near_miss",
    "occurred_at": "2026-02-10T09:30:00Z",
    "description": "Reversing forklift passed within a metre of a machinist",
    "involved_employees": True,
}


def _report(personas, user=None, **fields):
    values = {
        "title": REPORT["title"],
        "kind": Incident.Kind.NEAR_MISS,
        "occurred_at": timezone.now() - dt.timedelta(days=2),
        "description": REPORT["description"],
        **fields,
    }
    return report_incident(personas.org, actor=user or personas.employee, **values)


def _investigate(personas, incident, action_needed=True):
    return investigate_incident(
        incident,
        actor=personas.manager,
        investigator=personas.manager,
        root_cause="No segregation between the walkway and the forklift route",
        contributing_factors="Reversing alarm muted",
        findings="Marked walkways end at the saw bay",
        action_needed=action_needed,
    )


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_every_member_may_report_through_the_api(client, personas, role):
    user = personas.users[role]
    login(client, user)
    body = {"organization": personas.org.slug, **REPORT}
    response = client.post("/api/v1/incidents/report/", body, content_type="application/json")
    assert response.status_code == 201, response.content
    incident = Incident.objects.get(pk=response.json()["id"])
    assert incident.reported_by == user
    assert incident.status == Incident.Status.REPORTED
    assert incident.reference.startswith("INC-2026-")


def test_others_outside_the_organization_may_not_report(client, personas):
    login(client, personas.outsider)
    body = {"organization": personas.org.slug, **REPORT}
    response = client.post("/api/v1/incidents/report/", body, content_type="application/json")
    assert response.status_code == 404
    login(client, personas.users[Role.CB_MANAGER])
    response = client.post("/api/v1/incidents/report/", body, content_type="application/json")
    assert response.status_code == 404


def test_a_report_naming_the_field_of_a_bad_value(client, personas):
    login(client, personas.employee)
    body = {"organization": personas.org.slug, **REPORT, "severity": "first_aid"}
    response = client.post("/api/v1/incidents/report/", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "severity"
    body = {"organization": personas.org.slug, **REPORT, "hazards": [999999]}
    response = client.post("/api/v1/incidents/report/", body, content_type="application/json")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "hazards"
    assert not Incident.objects.exists()


def test_an_employee_sees_the_incidents_they_reported_only(client, personas):
    mine = _report(personas)
    theirs = _report(personas, user=personas.manager, title="Someone else's")
    login(client, personas.employee)
    assert client.get(f"/api/v1/incidents/{mine.pk}/").status_code == 200
    assert client.get(f"/api/v1/incidents/{theirs.pk}/").status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/incidents/").json()["items"]}
    assert ids == {mine.pk}
    assert client.get(f"/incidents/{mine.pk}/").status_code == 200
    assert client.get(f"/incidents/{theirs.pk}/").status_code == 404
    page = client.get("/incidents/report/")
    assert page.status_code == 200
    assert mine.reference in page.content.decode()
    assert theirs.reference not in page.content.decode()


def test_the_report_page_records_the_reporter(client, personas):
    login(client, personas.employee)
    response = client.post(
        "/incidents/report/",
        {
            "kind": "injury",
            "title": "Cut on a burr",
            "occurred_at": "2026-02-11T10:15",
            "description": "Deburring by hand",
            "severity": "first_aid",
            "days_lost": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1000]
    assert Incident.objects.get().reported_by == personas.employee


def test_investigation_opens_exactly_one_nonconformity(personas):
    incident = _report(personas)
    _investigate(personas, incident)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.INVESTIGATING
    assert incident.nonconformity is not None
    nonconformity = incident.nonconformity
    assert nonconformity.source == Nonconformity.Source.INCIDENT
    assert incident.reference in nonconformity.title
    # Recording the investigation again changes it, and opens nothing more.
    _investigate(personas, incident)
    incident.refresh_from_db()
    assert incident.nonconformity_id == nonconformity.pk
    assert Nonconformity.objects.filter(organization=personas.org).count() == 1
    # A nonconformity is open: the investigation may not say now that none is needed.
    with pytest.raises(ValidationFailed) as caught:
        _investigate(personas, incident, action_needed=False)
    assert caught.value.errors[0].field == "action_needed"


def test_no_nonconformity_when_no_action_is_needed(personas):
    incident = _investigate(personas, _report(personas), action_needed=False)
    assert incident.nonconformity_id is None
    assert not Nonconformity.objects.exists()


def test_only_implementers_investigate_and_close(personas):
    incident = _report(personas)
    for role in (Role.EMPLOYEE, Role.PROCESS_OWNER, Role.TOP_MANAGEMENT):
        with pytest.raises(PermissionDenied):
            investigate_incident(
                incident,
                actor=personas.users[role],
                investigator=personas.manager,
                root_cause="x",
                findings="y",
                action_needed=False,
            )
    assert Incident.objects.get(pk=incident.pk).status == Incident.Status.REPORTED


def test_the_workflow_api(client, personas):
    incident = _report(personas)
    login(client, personas.employee)
    url = f"/api/v1/incidents/{incident.pk}/"
    response = client.post(f"{url}transition/", {"to": "investigating"}, "application/json")
    assert response.status_code == 403
    login(client, personas.manager)
    early = client.post(f"{url}transition/", {"to": "closed"}, "application/json")
    assert early.status_code == 409
    assert early.json()["code"] == "invalid_transition"
    body = {
        "investigator": personas.manager.pk,
        "root_cause": "No walkway",
        "findings": "Walkway markings missing",
        "action_needed": True,
    }
    response = client.post(f"{url}investigation/", body, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["nonconformity"] is not None
    assert response.json()["status"] == "investigating"
    response = client.post(f"{url}transition/", {"to": "closed"}, "application/json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    register = client.get(url).json()
    assert register["nonconformity"] == response.json()["nonconformity"]
    login(client, personas.outsider)
    assert client.post(f"{url}transition/", {"to": "closed"}, "application/json").status_code == 404


def test_closing_needs_the_investigation(personas):
    incident = _report(personas)
    transition_incident(incident, Incident.Status.INVESTIGATING, actor=personas.manager)
    with pytest.raises(ValidationFailed) as caught:
        transition_incident(incident, Incident.Status.CLOSED, actor=personas.manager)
    assert {e.field for e in caught.value.errors} == {"findings", "action_needed"}


def test_a_closed_incident_is_a_frozen_record(client, personas):
    incident = _investigate(personas, _report(personas), action_needed=False)
    transition_incident(incident, Incident.Status.CLOSED, actor=personas.manager)
    incident.refresh_from_db()
    assert incident.record_reason() == "it is closed"
    with pytest.raises(Conflict) as caught:
        update_entry(INCIDENTS, incident, actor=personas.manager, title="Rewritten")
    assert caught.value.code == "closed"
    with pytest.raises(Conflict):
        _investigate(personas, incident)
    with pytest.raises(Conflict):
        transition_incident(incident, Incident.Status.INVESTIGATING, actor=personas.manager)
    login(client, personas.manager)
    assert client.delete(f"/api/v1/incidents/{incident.pk}/").status_code == 409
    response = client.patch(
        f"/api/v1/incidents/{incident.pk}/", {"title": "Again"}, content_type="application/json"
    )
    assert response.status_code == 409
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Close the incident" not in page and "Save the investigation" not in page


def test_the_incident_page_investigates_and_links_the_nonconformity(client, personas):
    incident = _report(personas)
    login(client, personas.manager)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "Record the investigation" in page
    response = client.post(
        f"/incidents/{incident.pk}/investigate/",
        {
            "investigator": personas.manager.pk,
            "root_cause": "Walkway ends at the saw bay",
            "findings": "Extend the walkway",
            "action_needed": "true",
        },
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert f"/nonconformities/{incident.nonconformity_id}/" in page
    response = client.post(f"/incidents/{incident.pk}/transition/", {"to": "closed"})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Incident.Status.CLOSED
    # The reporter reads it, but may not move it.
    other = _report(personas)
    login(client, personas.employee)
    response = client.post(f"/incidents/{other.pk}/transition/", {"to": "investigating"})
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.status == Incident.Status.REPORTED
