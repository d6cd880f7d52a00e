"""The measurements API (list, record, correct, delete, history) with the permission matrix,
and `/objectives/{id}/tracking/`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.utils import timezone

from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES, Role
from pdca.core.testing import ApiBundle
from pdca.core.testing.api_bundle import login
from pdca.system.models import Measurement, Objective
from pdca.system.permissions import OBJECTIVE_SETTERS
from tests.system.test_objective_tracking import host_objective, make_measurement, make_objective

API = "/api/v1"


def today() -> dt.date:
    return timezone.localdate()


class TestMeasurementApi(ApiBundle):
    model = Measurement
    url = f"{API}/measurements/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = OBJECTIVE_SETTERS
    update_payload = {"value": 42.5, "note": "Recounted"}
    invalid_payloads = [
        ({"value": "NaN"}, "value"),
        ({"value": "Infinity"}, "value"),
        ({"value": "1.23456"}, "value"),
        ({"value": None}, "value"),
        ({"measured_on": None}, "measured_on"),
        (lambda org: {"measured_on": (today() + dt.timedelta(days=1)).isoformat()}, "measured_on"),
        ({"measured_on": "2001-01-01"}, "measured_on"),
        ({"note": "x" * 301}, "note"),
        ({"note": "a\x00b"}, "note"),
        ({"objective": 1}, "objective"),
    ]

    def make(self, org, index: int = 0) -> Measurement:
        return make_measurement(org, index)

    def create_payload(self, org) -> dict:
        return {
            "objective": host_objective(org).pk,
            "measured_on": today().isoformat(),
            "value": 91.25,
            "note": "Monthly report",
        }


# --- recording --------------------------------------------------------------------------------


def post(client, body):
    return client.post(f"{API}/measurements/", body, content_type="application/json")


def test_create_returns_the_measurement(client, personas):
    objective = make_objective(personas.org)
    login(client, personas.manager)
    response = post(
        client,
        {"objective": objective.pk, "measured_on": today().isoformat(), "value": "88.5"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    m = Measurement.objects.get()
    assert body == {
        "id": m.pk,
        "organization": "org-a",
        "objective": objective.pk,
        "measured_on": today().isoformat(),
        "value": 88.5,
        "note": "",
        "recorded_by": personas.manager.email,
        "created_at": body["created_at"],
        "updated_at": body["updated_at"],
    }


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"value": "NaN"}, "value", 422),
        ({"value": float("nan")}, "value", 422),  # JSON's non-standard NaN literal
        ({"value": "-Infinity"}, "value", 422),
        ({"value": "abc"}, "value", 422),
        ({"measured_on": "2026-02-30"}, "measured_on", 422),
        ({"measured_on": "1999-12-31"}, "measured_on", 422),  # before the objective starts
        ({"objective": None}, "objective", 422),
        ({"objective": 0}, "objective", 422),
        ({"surprise": 1}, "surprise", 422),
    ],
)
def test_create_refuses_bad_input_naming_the_field(client, personas, body, field, status):
    objective = make_objective(personas.org)
    login(client, personas.manager)
    payload = {"objective": objective.pk, "measured_on": today().isoformat(), "value": 1}
    payload.update(body)
    response = post(client, payload)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Measurement.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="system.measurement").exists()


def test_a_second_measurement_on_the_same_day_is_refused(client, personas):
    m = make_measurement(personas.org)
    login(client, personas.manager)
    response = post(
        client,
        {"objective": m.objective_id, "measured_on": m.measured_on.isoformat(), "value": 1},
    )
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert (error["field"], error["code"]) == ("measured_on", "duplicate")
    assert Measurement.objects.count() == 1


def test_a_cancelled_objective_is_a_conflict(client, personas):
    objective = make_objective(personas.org, status=Objective.Status.CANCELLED)
    login(client, personas.manager)
    response = post(
        client, {"objective": objective.pk, "measured_on": today().isoformat(), "value": 1}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "objective_closed"
    assert not Measurement.objects.exists()


def test_the_owning_process_owner_records_through_the_api(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_objective(personas.org, 0, owner=owner)
    theirs = make_objective(personas.org, 1, owner=personas.manager)
    login(client, owner)
    body = {"measured_on": today().isoformat(), "value": 90}
    response = post(client, {**body, "objective": mine.pk})
    assert response.status_code == 201, response.content
    m = Measurement.objects.get()
    assert (
        client.patch(
            f"{API}/measurements/{m.pk}/", {"value": 91}, content_type="application/json"
        ).json()["value"]
        == 91.0
    )
    response = post(client, {**body, "objective": theirs.pk})
    assert response.status_code == 403
    assert Measurement.objects.count() == 1


def test_an_objective_of_another_organization_is_404(client, personas):
    objective = make_objective(personas.other)
    login(client, personas.manager)
    response = post(
        client, {"objective": objective.pk, "measured_on": today().isoformat(), "value": 1}
    )
    assert response.status_code == 404
    assert not Measurement.objects.exists()


def test_list_filters_by_objective(client, personas):
    first = make_objective(personas.org, 0)
    second = make_objective(personas.org, 1)
    a = make_measurement(personas.org, 0, objective=first)
    b = make_measurement(personas.org, 1, objective=first)
    make_measurement(personas.org, 0, objective=second)
    login(client, personas.employee)
    response = client.get(f"{API}/measurements/", {"objective": first.pk})
    assert [row["id"] for row in response.json()["items"]] == [b.pk, a.pk]
    assert response.json()["count"] == 2


# --- tracking ---------------------------------------------------------------------------------


def tracking_url(objective) -> str:
    return f"{API}/objectives/{objective.pk}/tracking/"


def test_tracking_reports_status_expected_and_gap(client, personas):
    start = today() - dt.timedelta(days=100)
    objective = make_objective(
        personas.org,
        baseline=D("0"),
        target=D("100"),
        start_date=start,
        due_date=start + dt.timedelta(days=200),
    )
    Measurement.objects.create(
        organization=personas.org,
        objective=objective,
        measured_on=start + dt.timedelta(days=50),
        value=D("20"),
    )
    login(client, personas.employee)
    response = client.get(tracking_url(objective))
    assert response.status_code == 200, response.content
    assert response.json() == {
        "objective": objective.pk,
        "status": "at_risk",
        "label": "At risk",
        "closed": False,
        "expected": 25.0,
        "gap": -5.0,
        "latest": 20.0,
        "latest_on": (start + dt.timedelta(days=50)).isoformat(),
        "stale": False,
        "target": 100.0,
        "due_date": (start + dt.timedelta(days=200)).isoformat(),
        "unit": "%",
    }


def test_tracking_without_data_and_when_closed(client, personas):
    fresh = make_objective(personas.org, 0)
    closed = make_objective(personas.org, 1, status=Objective.Status.NOT_ACHIEVED)
    login(client, personas.manager)
    body = client.get(tracking_url(fresh)).json()
    assert (body["status"], body["latest"], body["gap"]) == ("no_data", None, None)
    body = client.get(tracking_url(closed)).json()
    assert (body["status"], body["closed"], body["label"]) == (
        "not_achieved",
        True,
        "Not achieved",
    )


@pytest.mark.parametrize("role", sorted(ALL_ROLES))
def test_tracking_by_role(client, personas, role):
    objective = make_objective(personas.org_for(role))
    login(client, personas.users[role])
    expected = 200 if role in ORGANIZATION_ROLES else 404
    assert client.get(tracking_url(objective)).status_code == expected


def test_tracking_of_another_organization_is_404(client, personas):
    objective = make_objective(personas.org)
    login(client, personas.outsider)
    assert client.get(tracking_url(objective)).status_code == 404
    client.logout()
    assert client.get(tracking_url(objective)).status_code == 401
