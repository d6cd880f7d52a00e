"""The safety registers' API: the permission matrix of each (each role, own organization,
another organization), bad input naming the field, and query counts at two sizes."""

from __future__ import annotations

import pytest

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ApiBundle
from pdca.safety.models import Consultation, Hazard, HazardControl, Incident
from pdca.system.permissions import IMPLEMENTERS
from tests.safety.factories import make_consultation, make_control, make_hazard, make_incident

pytestmark = pytest.mark.django_db


class TestHazardApi(ApiBundle):
    model = Hazard
    url = "/api/v1/hazards/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"likelihood_before": 4, "severity_before": 4, "status": "assessed"}
    invalid_payloads = [
        ({"likelihood_before": 9, "severity_before": 2}, "likelihood_before"),
        ({"likelihood_after": 2}, "severity_after"),
        (
            lambda org: {"organization": org.slug, "title": "Noise", "activity": "Milling"},
            "hazard_type",
        ),
        ({"situation": "sometimes"}, "situation"),
    ]

    def make(self, org, index=0):
        return make_hazard(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Noise from the bar saw",
            "activity": "Cutting bar stock",
            "hazard_type": "physical",
            "affects_employees": True,
            "likelihood_before": 4,
            "severity_before": 3,
        }


class TestHazardControlApi(ApiBundle):
    model = HazardControl
    url = "/api/v1/hazard-controls/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"status": "in_place"}
    invalid_payloads = [
        ({"level": "prayer"}, "level"),
        ({"status": "not_adopted", "notes": ""}, "notes"),
        ({"level": "ppe"}, "level"),  # the hazard has no justification for PPE alone
    ]

    def make(self, org, index=0):
        return make_control(org, index)

    def create_payload(self, org):
        hazard = make_hazard(org, 500)
        return {
            "organization": org.slug,
            "hazard": hazard.pk,
            "title": "Enclose the saw in an acoustic booth",
            "level": "engineering",
        }


class TestConsultationApi(ApiBundle):
    model = Consultation
    url = "/api/v1/consultations/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"follow_up": "Order nitrile gloves in two sizes"}
    invalid_payloads = [
        ({"other_non_managerial": 5}, "other_non_managerial"),
        (
            lambda org: {
                "organization": org.slug,
                "title": "Nobody came",
                "held_on": "2026-03-01",
                "topic": "ppe",
                "format": "survey",
            },
            "participants",
        ),
        ({"topic": "gossip"}, "topic"),
    ]

    def make(self, org, index=0):
        return make_consultation(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Safety committee, March",
            "held_on": "2026-03-05",
            "topic": "objectives",
            "format": "committee",
            "other_participants": "Union representative",
            "other_non_managerial": 1,
            "decisions": "Target zero lost-time injuries",
        }


class TestIncidentApi(ApiBundle):
    model = Incident
    url = "/api/v1/incidents/"
    view_roles = ORGANIZATION_ROLES - {Role.EMPLOYEE}
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"immediate_actions": "Area cordoned off"}
    invalid_payloads = [
        ({"kind": "near_miss", "severity": "first_aid"}, "severity"),
        ({"severity": "lost_time", "days_lost": 0}, "days_lost"),
        ({"occurred_at": "2999-01-01T10:00:00Z"}, "occurred_at"),
    ]

    def make(self, org, index=0):
        return make_incident(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Forklift brushed a racking upright",
            "kind": "dangerous",
            "occurred_at": "2026-02-10T09:30:00Z",
            "description": "Reversing forklift hit the racking end frame",
            "involved_employees": True,
        }
