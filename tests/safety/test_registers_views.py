"""The safety registers' pages: the permission matrix of each, invalid forms, query counts."""

from __future__ import annotations

import pytest

from pdca.core.roles import ORGANIZATION_ROLES, Role
from pdca.core.testing import ViewBundle
from pdca.safety.models import Consultation, Hazard, HazardControl, Incident
from pdca.system.permissions import IMPLEMENTERS
from tests.safety.factories import make_consultation, make_control, make_hazard, make_incident

pytestmark = pytest.mark.django_db


class TestHazardPages(ViewBundle):
    model = Hazard
    list_url = "/hazards/"
    create_url = "/hazards/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {
                "title": "Noise",
                "kind": "hazard",
                "activity": "Milling",
                "situation": "routine",
                "status": "identified",
            },
            "hazard_type",
        )
    ]

    def make(self, org, index=0):
        return make_hazard(org, index)

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {
            "title": "Hot swarf",
            "kind": "hazard",
            "activity": "Dry machining",
            "situation": "routine",
            "hazard_type": "physical",
            "affects_employees": "on",
            "status": "identified",
        }

    def edit_data(self, obj):
        return {
            "code": obj.code,
            "title": obj.title,
            "kind": obj.kind,
            "activity": obj.activity,
            "situation": "non_routine",
            "hazard_type": obj.hazard_type,
            "affects_employees": "on",
            "status": obj.status,
        }

    def detail_url(self, obj):
        return f"/hazards/{obj.pk}/"

    def edit_url(self, obj):
        return f"/hazards/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/hazards/{obj.pk}/delete/"


class TestHazardControlPages(ViewBundle):
    model = HazardControl
    list_url = "/hazard-controls/"
    create_url = "/hazard-controls/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            lambda org: {
                "hazard": make_hazard(org, 300).pk,
                "title": "Gloves",
                "level": "ppe",
                "status": "planned",
            },
            "level",
        )
    ]

    def make(self, org, index=0):
        return make_control(org, index)

    def form_data(self, org):
        return {
            "hazard": make_hazard(org, 400).pk,
            "title": "Replace the solvent degreaser by an aqueous one",
            "level": "substitution",
            "status": "planned",
        }

    def edit_data(self, obj):
        return {
            "hazard": obj.hazard_id,
            "title": obj.title,
            "level": obj.level,
            "status": "in_place",
        }

    def detail_url(self, obj):
        return f"/hazard-controls/{obj.pk}/"

    def edit_url(self, obj):
        return f"/hazard-controls/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/hazard-controls/{obj.pk}/delete/"


class TestConsultationPages(ViewBundle):
    model = Consultation
    list_url = "/consultations/"
    create_url = "/consultations/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {
                "title": "Empty",
                "held_on": "2026-03-01",
                "topic": "ppe",
                "format": "survey",
                "other_non_managerial": "0",
            },
            "participants",
        )
    ]

    def make(self, org, index=0):
        return make_consultation(org, index)

    def form_data(self, org):
        return {
            "title": "Survey on glove comfort",
            "held_on": "2026-03-01",
            "topic": "ppe",
            "format": "survey",
            "other_participants": "Twelve machinists",
            "other_non_managerial": "1",
        }

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "held_on": "2026-03-03",
            "topic": obj.topic,
            "format": obj.format,
            "other_participants": obj.other_participants,
            "other_non_managerial": "0",
        }

    def detail_url(self, obj):
        return f"/consultations/{obj.pk}/"

    def edit_url(self, obj):
        return f"/consultations/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/consultations/{obj.pk}/delete/"


class TestIncidentPages(ViewBundle):
    model = Incident
    list_url = "/incidents/"
    create_url = "/incidents/new/"
    view_roles = ORGANIZATION_ROLES - {Role.EMPLOYEE}
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {
                "title": "Slip",
                "kind": "injury",
                "occurred_at": "2026-02-01 10:00",
                "description": "Slipped on coolant",
                "severity": "none",
                "days_lost": "0",
            },
            "severity",
        )
    ]

    def make(self, org, index=0):
        return make_incident(org, index)

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {
            "title": "Coolant splash in the eye",
            "kind": "injury",
            "occurred_at": "2026-02-01 10:00",
            "description": "Nozzle knocked while loading a part",
            "severity": "first_aid",
            "days_lost": "0",
        }

    def edit_data(self, obj):
        return {
            "reference": obj.reference,
            "title": obj.title,
            "kind": obj.kind,
            "occurred_at": obj.occurred_at.strftime("%Y-%m-%d %H:%M"),
            "description": obj.description,
            "severity": obj.severity,
            "days_lost": "0",
            "immediate_actions": "Eye wash station used",
        }

    def detail_url(self, obj):
        return f"/incidents/{obj.pk}/"

    def edit_url(self, obj):
        return f"/incidents/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/incidents/{obj.pk}/delete/"
