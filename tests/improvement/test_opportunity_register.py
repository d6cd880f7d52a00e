"""The improvement opportunity register: the permission matrix of its pages and API, and its
own rules (numbering, promotion kept to its own step)."""

from __future__ import annotations

import pytest

from pdca.core.exceptions import ValidationFailed
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.improvement.models import ImprovementOpportunity, Nonconformity
from pdca.improvement.opportunities.services import number_opportunity, validate_opportunity
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db


def make_opportunity(org, index: int = 0, **fields) -> ImprovementOpportunity:
    values = {
        "reference": f"OFI-{index + 1:03d}",
        "title": f"Share calibration schedule with line leads {index}",
        "description": "Line leads learn of overdue gauges only at audits.",
        "source": "suggestion",
        **fields,
    }
    return ImprovementOpportunity.objects.create(organization=org, **values)


class TestOpportunityApi(ApiBundle):
    model = ImprovementOpportunity
    url = "/api/v1/opportunities/"
    view_roles = add_roles = ORGANIZATION_ROLES
    change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"status": "in_progress", "benefit": "Fewer overdue gauges."}
    # Posted as new entries: the first role that may add (admin) may not change.
    invalid_payloads = [
        (lambda org: {"organization": org.slug, "title": "Idea", "source": "rumour"}, "source"),
        (lambda org: {"organization": org.slug, "title": "", "source": "other"}, "title"),
        (lambda org: {"organization": org.slug, "title": "Idea", "status": "done"}, "status"),
    ]

    def make(self, org, index=0):
        return make_opportunity(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Colour-code gauges by calibration month",
            "source": "suggestion",
        }


class TestOpportunityPages(ViewBundle):
    model = ImprovementOpportunity
    list_url = "/opportunities/"
    create_url = "/opportunities/new/"
    view_roles = add_roles = ORGANIZATION_ROLES
    change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        ({"title": "", "source": "suggestion", "status": "open"}, "title"),
        ({"title": "Idea", "source": "rumour", "status": "open"}, "source"),
    ]

    def make(self, org, index=0):
        return make_opportunity(org, index)

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {"title": "Digital tally sheets", "source": "analysis", "status": "open"}

    def edit_data(self, obj):
        return {
            "reference": obj.reference,
            "title": obj.title,
            "description": obj.description,
            "source": obj.source,
            "status": "in_progress",
            "benefit": "Fewer transcription errors.",
        }

    def detail_url(self, obj):
        return f"/opportunities/{obj.pk}/"

    def edit_url(self, obj):
        return f"/opportunities/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/opportunities/{obj.pk}/delete/"


# --- the register's own rules (hooks the spec calls) --------------------------------------


def test_a_blank_reference_gets_the_next_ofi_number_of_its_organization(personas):
    make_opportunity(personas.org, 0)  # OFI-001
    make_opportunity(personas.org, 6)  # OFI-007
    make_opportunity(personas.org, 1, reference="IA-2026-01-F3")
    make_opportunity(personas.other, 41)  # OFI-042 elsewhere does not count
    fresh = ImprovementOpportunity(organization=personas.org, title="New idea")
    number_opportunity(fresh)
    assert fresh.reference == "OFI-008"
    first_elsewhere = ImprovementOpportunity(organization=personas.cb, title="Idea")
    number_opportunity(first_elsewhere)
    assert first_elsewhere.reference == "OFI-001"


def test_a_reference_given_is_kept(personas):
    opportunity = ImprovementOpportunity(organization=personas.org, reference="KAIZEN-4")
    number_opportunity(opportunity)
    assert opportunity.reference == "KAIZEN-4"


def test_the_register_cannot_mark_an_opportunity_promoted(personas):
    opportunity = make_opportunity(personas.org, status="promoted")
    with pytest.raises(ValidationFailed) as caught:
        validate_opportunity(opportunity, {})
    assert [e.field for e in caught.value.errors] == ["status"]


def test_the_register_cannot_take_a_promotion_back(personas):
    nc = Nonconformity.objects.create(
        organization=personas.org, title="x", description="x", source="opportunity"
    )
    opportunity = make_opportunity(personas.org, status="open", promoted_to=nc)
    with pytest.raises(ValidationFailed) as caught:
        validate_opportunity(opportunity, {})
    assert [e.field for e in caught.value.errors] == ["status"]
    opportunity.status = "promoted"
    validate_opportunity(opportunity, {})
