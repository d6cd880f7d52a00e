"""Processes, responsibilities and objectives as registers: the permission matrix of their
pages and API, and their own rules."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.system.models import Objective, Process, Responsibility
from pdca.system.permissions import IMPLEMENTERS, OBJECTIVE_SETTERS

pytestmark = pytest.mark.django_db


def make_process(org, index: int = 0, **fields) -> Process:
    values = {"code": f"P-{index:02d}", "name": f"Production {index}", **fields}
    return Process.objects.create(organization=org, **values)


def make_responsibility(org, index: int = 0, **fields) -> Responsibility:
    return Responsibility.objects.create(
        organization=org, activity=f"Approve supplier {index}", **fields
    )


def make_objective(org, index: int = 0, **fields) -> Objective:
    values = {
        "title": f"On-time delivery {index}",
        "kpi": "Orders delivered on time",
        "unit": "%",
        "baseline": 88,
        "target": 95,
        "start_date": dt.date(2026, 1, 1),
        "due_date": dt.date(2026, 12, 31),
        **fields,
    }
    objective = Objective.objects.create(organization=org, **values)
    objective.refresh_from_db()  # decimals as the database gives them back
    return objective


class TestProcessApi(ApiBundle):
    model = Process
    url = "/api/v1/processes/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"purpose": "Turn orders into conforming parts", "status": "draft"}
    invalid_payloads = [
        ({"category": "magic"}, "category"),
        ({"code": ""}, "code"),
        ({"feeds": [999999]}, "feeds"),
    ]

    def make(self, org, index=0):
        return make_process(org, index)

    def create_payload(self, org):
        return {"organization": org.slug, "code": "P-99", "name": "Purchasing"}


class TestProcessPages(ViewBundle):
    model = Process
    list_url = "/processes/"
    create_url = "/processes/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        ({"code": "", "name": "Sales", "category": "core", "status": "active"}, "code"),
    ]

    def make(self, org, index=0):
        return make_process(org, index)

    def list_text(self, obj):
        return obj.name

    def form_data(self, org):
        return {"code": "P-50", "name": "Sales", "category": "core", "status": "active"}

    def edit_data(self, obj):
        return {"code": obj.code, "name": obj.name, "category": "support", "status": "active"}

    def detail_url(self, obj):
        return f"/processes/{obj.pk}/"

    def edit_url(self, obj):
        return f"/processes/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/processes/{obj.pk}/delete/"


class TestResponsibilityApi(ApiBundle):
    model = Responsibility
    url = "/api/v1/responsibilities/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"description": "Before the first order"}
    invalid_payloads = [({"activity": ""}, "activity")]

    def make(self, org, index=0):
        return make_responsibility(org, index)

    def create_payload(self, org):
        return {"organization": org.slug, "activity": "Release the internal audit programme"}


class TestResponsibilityPages(ViewBundle):
    model = Responsibility
    list_url = "/responsibilities/"
    create_url = "/responsibilities/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [({"activity": ""}, "activity")]

    def make(self, org, index=0):
        return make_responsibility(org, index)

    def form_data(self, org):
        return {"activity": "Approve the quality policy"}

    def edit_data(self, obj):
        return {"activity": obj.activity, "description": "Yearly"}

    def detail_url(self, obj):
        return f"/responsibilities/{obj.pk}/"

    def edit_url(self, obj):
        return f"/responsibilities/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/responsibilities/{obj.pk}/delete/"


class TestObjectiveApi(ApiBundle):
    model = Objective
    url = "/api/v1/objectives/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = OBJECTIVE_SETTERS
    update_payload = {"target": "97.5", "plan_what": "Daily dispatch review"}
    invalid_payloads = [
        ({"due_date": "2025-01-01"}, "due_date"),
        ({"target": "NaN"}, "target"),
        ({"direction": "sideways"}, "direction"),
    ]

    def make(self, org, index=0):
        return make_objective(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Fewer customer complaints",
            "kpi": "Complaints per month",
            "direction": "at_most",
            "baseline": "6",
            "target": "2",
            "start_date": "2026-01-01",
            "due_date": "2026-12-31",
        }


class TestObjectivePages(ViewBundle):
    model = Objective
    list_url = "/objectives/"
    create_url = "/objectives/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = OBJECTIVE_SETTERS
    invalid_form_data = [
        (
            {
                "title": "T",
                "kpi": "K",
                "direction": "at_least",
                "target": "5",
                "start_date": "2026-06-01",
                "due_date": "2026-01-01",
                "status": "active",
            },
            "due_date",
        ),
    ]

    def make(self, org, index=0):
        return make_objective(org, index)

    def form_data(self, org):
        return {
            "title": "Scrap rate below 2%",
            "kpi": "Scrap rate",
            "unit": "%",
            "direction": "at_most",
            "baseline": "3.4",
            "target": "2",
            "start_date": "2026-01-01",
            "due_date": "2026-12-31",
            "status": "active",
        }

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "kpi": obj.kpi,
            "direction": obj.direction,
            "baseline": "88",
            "target": "96",
            "start_date": "2026-01-01",
            "due_date": "2026-12-31",
            "status": "active",
        }

    def detail_url(self, obj):
        return f"/objectives/{obj.pk}/"

    def edit_url(self, obj):
        return f"/objectives/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/objectives/{obj.pk}/delete/"


def test_a_process_cannot_hand_its_outputs_to_itself(client, personas):
    process = make_process(personas.org, 1)
    login(client, personas.manager)
    response = client.patch(
        f"/api/v1/processes/{process.pk}/", {"feeds": [process.pk]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "feeds"
    assert not process.feeds.exists()


def test_hand_overs_are_recorded_in_the_history(client, personas):
    sales, production = make_process(personas.org, 1), make_process(personas.org, 2)
    login(client, personas.manager)
    response = client.patch(
        f"/api/v1/processes/{sales.pk}/",
        {"feeds": [production.pk]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["feeds"] == [production.pk]
    history = client.get(f"/api/v1/processes/{sales.pk}/history/").json()["items"]
    assert history[0]["changes"]["feeds"] == [[], [production.pk]]


def test_a_process_owner_edits_own_process_only(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_process(personas.org, 1, owner=owner)
    other = make_process(personas.org, 2)
    login(client, owner)
    assert client.get(f"/processes/{mine.pk}/edit/").status_code == 200
    assert client.get(f"/processes/{other.pk}/edit/").status_code == 403
    response = client.patch(
        f"/api/v1/processes/{mine.pk}/", {"kpis": "Scrap rate"}, content_type="application/json"
    )
    assert response.status_code == 200


def test_process_codes_are_unique_regardless_of_case(client, personas):
    make_process(personas.org, 1, code="P-01")
    login(client, personas.manager)
    response = client.post(
        "/api/v1/processes/",
        {"organization": personas.org.slug, "code": "p-01", "name": "Clash"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "code"
