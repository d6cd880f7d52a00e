"""The certification body terms register: the permission matrix of its pages and API, and its
rules (the closure never before the response, one default body at most)."""

from __future__ import annotations

import pytest

from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import CertificationTerms
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db


def make_terms(org, index: int = 0, **fields) -> CertificationTerms:
    values = {"name": f"Certification Body {index}", **fields}
    return CertificationTerms.objects.create(organization=org, **values)


def a_second_default(org) -> dict:
    """Make another body the default, then ask for this one to be the default too."""
    make_terms(org, 90, is_default=True)
    return {"is_default": True}


def second_default_form(org) -> dict:
    make_terms(org, 91, is_default=True)
    return {
        "name": "Second default",
        "is_default": "on",
        "major_response_days": 30,
        "major_closure_days": 90,
        "minor_response_days": 30,
        "escalate_after_days": 7,
    }


class TestCertificationTermsApi(ApiBundle):
    model = CertificationTerms
    url = "/api/v1/certification-terms/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"major_closure_days": 60, "notes": "Renewed contract 2026."}
    invalid_payloads = [
        ({"major_response_days": 30, "major_closure_days": 20}, "major_closure_days"),
        ({"minor_response_days": 30, "minor_closure_days": 10}, "minor_closure_days"),
        ({"major_response_days": 0}, "major_response_days"),
        (a_second_default, "is_default"),
        (lambda org: {"organization": org.slug, "name": ""}, "name"),
    ]

    def make(self, org, index=0):
        return make_terms(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "name": "Nordic Certification AB",
            "major_response_days": 14,
            "major_closure_days": 60,
        }


class TestCertificationTermsPages(ViewBundle):
    model = CertificationTerms
    list_url = "/certification-terms/"
    create_url = "/certification-terms/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {
                "name": "Quick Cert",
                "major_response_days": 30,
                "major_closure_days": 20,
                "minor_response_days": 30,
                "escalate_after_days": 7,
            },
            "major_closure_days",
        ),
        (second_default_form, "is_default"),
    ]

    def make(self, org, index=0):
        return make_terms(org, index)

    def list_text(self, obj):
        return obj.name

    def form_data(self, org):
        return {
            "name": "Alpine Audit GmbH",
            "major_response_days": 30,
            "major_closure_days": 90,
            "minor_response_days": 30,
            "escalate_after_days": 7,
        }

    def edit_data(self, obj):
        return {
            "name": obj.name,
            "major_response_days": 21,
            "major_closure_days": 90,
            "minor_response_days": 30,
            "minor_closure_days": 120,
            "escalate_after_days": 7,
        }

    def detail_url(self, obj):
        return f"/certification-terms/{obj.pk}/"

    def edit_url(self, obj):
        return f"/certification-terms/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/certification-terms/{obj.pk}/delete/"


# --- the rules, with their messages -------------------------------------------------------


def test_a_closure_before_the_response_is_refused_with_the_response_named(client, personas):
    terms = make_terms(personas.org, major_response_days=30, major_closure_days=90)
    login(client, personas.manager)
    entries = ActivityEntry.objects.count()
    response = client.patch(
        f"/api/v1/certification-terms/{terms.pk}/",
        {"major_closure_days": 29},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "major_closure_days",
            "message": "The closure cannot come before the response (30 days).",
            "code": "invalid",
        }
    ]
    terms.refresh_from_db()
    assert terms.major_closure_days == 90
    assert ActivityEntry.objects.count() == entries


def test_a_second_default_names_the_body_that_is_the_default(client, personas):
    make_terms(personas.org, 1, name="Nordic Certification AB", is_default=True)
    login(client, personas.manager)
    response = client.post(
        "/api/v1/certification-terms/",
        {"organization": personas.org.slug, "name": "Alpine Audit GmbH", "is_default": True},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "is_default",
            "message": "Nordic Certification AB is the default already: clear it there first.",
            "code": "default_taken",
        }
    ]
    assert CertificationTerms.objects.filter(organization=personas.org).count() == 1


def test_another_organizations_default_does_not_count(client, personas):
    make_terms(personas.other, 1, is_default=True)
    login(client, personas.manager)
    response = client.post(
        "/api/v1/certification-terms/",
        {"organization": personas.org.slug, "name": "Alpine Audit GmbH", "is_default": True},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["is_default"] is True


def test_minor_closure_may_be_left_for_the_next_audit(client, personas):
    login(client, personas.manager)
    response = client.post(
        "/api/v1/certification-terms/",
        {"organization": personas.org.slug, "name": "Alpine Audit GmbH"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["minor_response_days"], data["minor_closure_days"]) == (30, None)
