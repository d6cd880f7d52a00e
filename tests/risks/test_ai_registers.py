"""The AI system inventory and AI system impact assessments (ISO/IEC 42001): the permission
matrix of their pages and API, and their rules."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.risks.models import AISystem, ImpactAssessment
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db


def make_system(org, index: int = 0, **fields) -> AISystem:
    values = {
        "name": f"Visual inspection model {index}",
        "purpose": "Flags surface defects on machined parts",
        "role": "developer",
        **fields,
    }
    return AISystem.objects.create(organization=org, **values)


def make_assessment(org, index: int = 0, **fields) -> ImpactAssessment:
    system = fields.pop("ai_system", None) or make_system(org, 1000 + index)
    values = {
        "title": f"Impact of automated rejection {index}",
        "assessed_on": dt.date(2026, 10, 1),
        **fields,
    }
    return ImpactAssessment.objects.create(organization=org, ai_system=system, **values)


class TestAISystemApi(ApiBundle):
    model = AISystem
    url = "/api/v1/ai-systems/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"stage": "operation", "people_affected": "Inspectors, customers"}
    invalid_payloads = [
        ({"stage": "hibernation"}, "stage"),
        (lambda org: {"organization": org.slug, "name": "Chatbot", "role": "user"}, "purpose"),
    ]

    def make(self, org, index=0):
        return make_system(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "name": "Quote assistant",
            "purpose": "Drafts quotations from customer drawings",
            "role": "user",
            "provider_name": "A cloud LLM provider",
        }


class TestAISystemPages(ViewBundle):
    model = AISystem
    list_url = "/ai-systems/"
    create_url = "/ai-systems/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [({"name": "X", "purpose": "", "role": "user"}, "purpose")]

    def make(self, org, index=0):
        return make_system(org, index)

    def form_data(self, org):
        return {
            "name": "Demand forecast",
            "purpose": "Forecasts orders",
            "role": "user",
            "stage": "deployment",
        }

    def edit_data(self, obj):
        return {"name": obj.name, "purpose": obj.purpose, "role": obj.role, "stage": "retirement"}

    def detail_url(self, obj):
        return f"/ai-systems/{obj.pk}/"

    def edit_url(self, obj):
        return f"/ai-systems/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/ai-systems/{obj.pk}/delete/"


class TestImpactAssessmentApi(ApiBundle):
    model = ImpactAssessment
    url = "/api/v1/impact-assessments/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"status": "completed", "measures": "Human review of every rejection"}
    invalid_payloads = [
        ({"likelihood": 9, "severity": 2}, "likelihood"),
        ({"assessed_on": "yesterday"}, "assessed_on"),
    ]

    def make(self, org, index=0):
        return make_assessment(org, index)

    def create_payload(self, org):
        system = make_system(org, 77)
        return {
            "organization": org.slug,
            "ai_system": system.pk,
            "title": "Bias in defect detection",
            "assessed_on": "2026-11-01",
            "likelihood": 2,
            "severity": 4,
        }


class TestImpactAssessmentPages(ViewBundle):
    model = ImpactAssessment
    list_url = "/impact-assessments/"
    create_url = "/impact-assessments/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            lambda org: {
                "ai_system": make_system(org, 55).pk,
                "title": "",
                "assessed_on": "2026-11-01",
                "status": "draft",
            },
            "title",
        ),
    ]

    def make(self, org, index=0):
        return make_assessment(org, index)

    def form_data(self, org):
        return {
            "ai_system": make_system(org, 66).pk,
            "title": "Effects on inspectors' jobs",
            "assessed_on": "2026-11-02",
            "status": "draft",
        }

    def edit_data(self, obj):
        return {
            "ai_system": obj.ai_system_id,
            "title": obj.title,
            "assessed_on": "2026-11-03",
            "status": "completed",
        }

    def detail_url(self, obj):
        return f"/impact-assessments/{obj.pk}/"

    def edit_url(self, obj):
        return f"/impact-assessments/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/impact-assessments/{obj.pk}/delete/"


def test_the_score_follows_the_risk_method(client, personas):
    system = make_system(personas.org)
    login(client, personas.manager)
    response = client.post(
        "/api/v1/impact-assessments/",
        {
            "organization": personas.org.slug,
            "ai_system": system.pk,
            "title": "Wrong rejections",
            "assessed_on": "2026-11-01",
            "likelihood": 3,
            "severity": 4,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["score"] == 12


def test_an_ai_system_of_another_organization_cannot_be_assessed(client, personas):
    theirs = make_system(personas.other)
    login(client, personas.manager)
    response = client.post(
        "/api/v1/impact-assessments/",
        {
            "organization": personas.org.slug,
            "ai_system": theirs.pk,
            "title": "Sneaky",
            "assessed_on": "2026-11-01",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ai_system"
    assert not ImpactAssessment.objects.exists()


def test_an_assessed_system_cannot_be_deleted(client, personas):
    assessment = make_assessment(personas.org)
    login(client, personas.manager)
    response = client.delete(f"/api/v1/ai-systems/{assessment.ai_system_id}/")
    assert response.status_code == 409
    assert "impact assessments" in response.json()["detail"]
    assert AISystem.objects.filter(pk=assessment.ai_system_id).exists()
