"""The risk register: the permission matrix of its pages and API, scores computed on the
organization's method, variants, and the heat map's links into the list."""

from __future__ import annotations

import pytest

from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.risks.models import Risk
from pdca.risks.permissions import RISK_KEEPERS
from pdca.standards.models import Requirement

pytestmark = pytest.mark.django_db


def make_risk(org, index: int = 0, **fields) -> Risk:
    values = {"code": f"R-{index:03d}", "title": f"Key machinist leaves {index}", **fields}
    return Risk.objects.create(organization=org, **values)


class TestRiskApi(ApiBundle):
    model = Risk
    url = "/api/v1/risks/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = RISK_KEEPERS
    update_payload = {"inherent_likelihood": 3, "inherent_impact": 4}
    invalid_payloads = [
        ({"inherent_likelihood": 7, "inherent_impact": 2}, "inherent_likelihood"),
        ({"kind": "meteor"}, "kind"),
        ({"hazard_type": "chemical"}, "hazard_type"),
    ]

    def make(self, org, index=0):
        return make_risk(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "code": "R-900",
            "title": "Supplier insolvency",
            "inherent_likelihood": 2,
            "inherent_impact": 5,
        }


class TestRiskPages(ViewBundle):
    model = Risk
    list_url = "/risks/"
    create_url = "/risks/new/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = RISK_KEEPERS
    invalid_form_data = [
        ({"kind": "risk", "code": "R-1", "title": "", "status": "identified"}, "title"),
        (
            {
                "kind": "infosec",
                "code": "R-2",
                "title": "Laptop theft",
                "status": "identified",
            },
            "asset",
        ),
    ]

    def make(self, org, index=0):
        return make_risk(org, index)

    def list_text(self, obj):
        return obj.code

    def form_data(self, org):
        return {
            "kind": "risk",
            "code": "R-500",
            "title": "Power cut",
            "status": "identified",
            "inherent_likelihood": "2",
            "inherent_impact": "3",
        }

    def edit_data(self, obj):
        return {
            "kind": "risk",
            "code": obj.code,
            "title": obj.title,
            "status": "identified",
            "inherent_likelihood": "4",
            "inherent_impact": "4",
        }

    def detail_url(self, obj):
        return f"/risks/{obj.pk}/"

    def edit_url(self, obj):
        return f"/risks/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/risks/{obj.pk}/delete/"


def test_scores_are_computed_on_save(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/api/v1/risks/",
        {
            "organization": personas.org.slug,
            "code": "R-1",
            "title": "Late raw material",
            "status": "assessed",
            "inherent_likelihood": 4,
            "inherent_impact": 3,
            "treatment": "reduce",
            "residual_likelihood": 2,
            "residual_impact": 3,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["inherent_score"], body["residual_score"]) == (12, 6)


def test_an_information_security_risk_is_treated_by_annex_a_controls(client, personas, catalog):
    control = Requirement.objects.get(standard__code="iso27001-2022", number="A.8.13")
    clause = Requirement.objects.get(standard__code="iso27001-2022", number="6.1.2")
    login(client, personas.manager)
    base = {
        "organization": personas.org.slug,
        "kind": "infosec",
        "code": "IS-1",
        "title": "Ransomware encrypts CAD files",
        "asset": "CAD/CAM file server",
        "threat": "Ransomware",
        "vulnerability": "Unpatched server",
        "availability": True,
    }
    response = client.post(
        "/api/v1/risks/", {**base, "controls": [clause.pk]}, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "controls"
    response = client.post(
        "/api/v1/risks/", {**base, "controls": [control.pk]}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["controls"] == [control.pk]


def test_the_heat_map_cell_filters_the_list(client, personas):
    make_risk(personas.org, 1, inherent_likelihood=4, inherent_impact=5)
    make_risk(personas.org, 2, inherent_likelihood=1, inherent_impact=1)
    login(client, personas.employee)
    page = client.get("/risks/?inherent_likelihood=4&inherent_impact=5").content.decode()
    assert "R-001" in page
    assert "R-002" not in page


def test_a_process_owner_rates_own_risks(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_risk(personas.org, 1, owner=owner)
    login(client, owner)
    response = client.patch(
        f"/api/v1/risks/{mine.pk}/",
        {"inherent_likelihood": 2, "inherent_impact": 2},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["inherent_score"] == 4
