"""The permission matrix of the business-continuity registers' API and pages: each role, own
organization and another organization (404), query counts at two sizes, bad input naming the
field."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from pdca.continuity.models import (
    BiaDependency,
    BusinessImpactAnalysis,
    ContinuityPlan,
    ContinuityStrategy,
    Exercise,
    ExerciseImprovement,
    PlanContact,
    PlanRole,
)
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.system.permissions import IMPLEMENTERS

from .factories import (
    make_bia,
    make_contact,
    make_dependency,
    make_exercise,
    make_improvement,
    make_plan,
    make_role,
    make_strategy,
)

pytestmark = pytest.mark.django_db


class _Roles:
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS


def _pages(slug: str):
    class Urls:
        list_url = f"/{slug}/"
        create_url = f"/{slug}/new/"

        def detail_url(self, obj):
            return f"/{slug}/{obj.pk}/"

        def edit_url(self, obj):
            return f"/{slug}/{obj.pk}/edit/"

        def delete_url(self, obj):
            return f"/{slug}/{obj.pk}/delete/"

    return Urls


# --- business impact analyses -------------------------------------------------------------


class TestBusinessImpactAnalysisApi(_Roles, ApiBundle):
    model = BusinessImpactAnalysis
    url = "/api/v1/business-impact-analyses/"
    update_payload = {"mtpd_hours": 72, "rto_hours": 24, "mbco": "Half the loaves"}
    invalid_payloads = [
        ({"mtpd_hours": 24, "rto_hours": 48}, "rto_hours"),
        ({"status": "signed"}, "status"),
        (lambda org: {"organization": org.slug, "product_service": "Bread"}, "activity"),
    ]

    def make(self, org, index=0):
        return make_bia(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "activity": "Order taking",
            "mtpd_hours": 24,
            "rto_hours": 8,
            "rpo_hours": 1,
        }


class TestBusinessImpactAnalysisPages(_Roles, _pages("business-impact-analyses"), ViewBundle):
    model = BusinessImpactAnalysis
    invalid_form_data = [
        ({"activity": "Payroll", "status": "draft", "mtpd_hours": 4, "rto_hours": 8}, "rto_hours")
    ]

    def make(self, org, index=0):
        return make_bia(org, index)

    def form_data(self, org):
        return {"activity": "Dispatch", "status": "draft", "mtpd_hours": 24, "rto_hours": 12}

    def edit_data(self, obj):
        return {"activity": obj.activity, "status": "draft", "rto_hours": 4}


class TestBiaDependencyApi(_Roles, ApiBundle):
    model = BiaDependency
    url = "/api/v1/bia-dependencies/"
    update_payload = {"recovery_need": "Two bakers on the early shift"}
    invalid_payloads = [({"rto_hours": 500}, "rto_hours"), ({"kind": "weather"}, "kind")]

    def make(self, org, index=0):
        return make_dependency(org, index)

    def create_payload(self, org):
        bia = make_bia(org, 77, mtpd_hours=72, rto_hours=24)
        return {
            "organization": org.slug,
            "bia": bia.pk,
            "kind": "equipment",
            "name": "Deck ovens",
            "rto_hours": 24,
        }


class TestBiaDependencyPages(_Roles, _pages("bia-dependencies"), ViewBundle):
    model = BiaDependency
    invalid_form_data = [
        (
            lambda org: {
                "bia": make_bia(org, 55, mtpd_hours=72, rto_hours=24).pk,
                "kind": "supplier",
                "name": "Yeast",
                "rto_hours": 48,
            },
            "rto_hours",
        )
    ]

    def make(self, org, index=0):
        return make_dependency(org, index)

    def list_text(self, obj):
        # The list shows the name and the kind in columns of their own.
        return obj.name

    def form_data(self, org):
        bia = make_bia(org, 66, mtpd_hours=72, rto_hours=24)
        return {"bia": bia.pk, "kind": "it_system", "name": "Order system", "rto_hours": 8}

    def edit_data(self, obj):
        return {"bia": obj.bia_id, "kind": obj.kind, "name": obj.name, "rto_hours": 12}


# --- strategies and plans -----------------------------------------------------------------


class TestContinuityStrategyApi(_Roles, ApiBundle):
    model = ContinuityStrategy
    url = "/api/v1/continuity-strategies/"
    update_payload = {"status": "approved", "cost_note": "£2,000 a year retainer"}
    invalid_payloads = [({"status": "dreamt"}, "status"), ({"title": ""}, "title")]

    def make(self, org, index=0):
        return make_strategy(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Reciprocal agreement with a nearby bakery",
            "kind": "reciprocal",
            "activities": [make_bia(org, 88).pk],
        }


class TestContinuityStrategyPages(_Roles, _pages("continuity-strategies"), ViewBundle):
    model = ContinuityStrategy
    invalid_form_data = [({"title": "", "kind": "other", "status": "proposed"}, "title")]

    def make(self, org, index=0):
        return make_strategy(org, index)

    def form_data(self, org):
        return {"title": "Manual order book", "kind": "manual_workaround", "status": "proposed"}

    def edit_data(self, obj):
        return {"title": obj.title, "kind": obj.kind, "status": "approved"}


class TestContinuityPlanApi(_Roles, ApiBundle):
    model = ContinuityPlan
    url = "/api/v1/continuity-plans/"
    update_payload = {"version": "2", "activation_criteria": "The bakery is closed > 4 h"}
    invalid_payloads = [
        ({"status": "approved"}, "activities"),
        ({"document": 999999}, "document"),
    ]

    def make(self, org, index=0):
        return make_plan(org, index)

    def create_payload(self, org):
        return {"organization": org.slug, "title": "Loss of the order system"}


class TestContinuityPlanPages(_Roles, _pages("continuity-plans"), ViewBundle):
    model = ContinuityPlan
    invalid_form_data = [({"title": "Flood", "status": "approved", "version": "1"}, "activities")]

    def make(self, org, index=0):
        return make_plan(org, index)

    def form_data(self, org):
        return {"title": "Loss of the DC", "status": "draft", "version": "1"}

    def edit_data(self, obj):
        return {"title": obj.title, "status": "draft", "version": "3"}


class TestPlanRoleApi(_Roles, ApiBundle):
    model = PlanRole
    url = "/api/v1/plan-roles/"
    update_payload = {"responsibilities": "Calls the partner bakery"}
    invalid_payloads = [({"name": "", "person": None}, "person")]

    def make(self, org, index=0):
        return make_role(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "plan": make_plan(org, 91).pk,
            "role": "Communications",
            "name": "Grace Fenwick",
        }


class TestPlanRolePages(_Roles, _pages("plan-roles"), ViewBundle):
    model = PlanRole
    invalid_form_data = [(lambda org: {"plan": make_plan(org, 92).pk, "role": "Lead"}, "person")]

    def make(self, org, index=0):
        return make_role(org, index)

    def form_data(self, org):
        return {"plan": make_plan(org, 93).pk, "role": "Site lead", "name": "Mina Line"}

    def edit_data(self, obj):
        return {"plan": obj.plan_id, "role": obj.role, "name": "Ravi Packer"}


class TestPlanContactApi(_Roles, ApiBundle):
    model = PlanContact
    url = "/api/v1/plan-contacts/"
    update_payload = {"phone": "01904 000 111"}
    invalid_payloads = [({"phone": "", "email": ""}, "phone"), ({"email": "nope"}, "email")]

    def make(self, org, index=0):
        return make_contact(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "plan": make_plan(org, 94).pk,
            "name": "Oven engineer",
            "company": "Deck Oven Services",
            "email": "callout@ovens.example",
            "kind": "supplier",
        }


class TestPlanContactPages(_Roles, _pages("plan-contacts"), ViewBundle):
    model = PlanContact
    invalid_form_data = [
        (lambda org: {"plan": make_plan(org, 95).pk, "name": "X", "kind": "internal"}, "phone")
    ]

    def make(self, org, index=0):
        return make_contact(org, index)

    def form_data(self, org):
        return {
            "plan": make_plan(org, 96).pk,
            "name": "Police",
            "phone": "101",
            "kind": "emergency",
        }

    def edit_data(self, obj):
        return {"plan": obj.plan_id, "name": obj.name, "phone": "112", "kind": obj.kind}


# --- exercises ----------------------------------------------------------------------------


class TestExerciseApi(_Roles, ApiBundle):
    model = Exercise
    url = "/api/v1/exercises/"
    update_payload = {"participants": "Hugo, Mina, Grace", "planned_date": "2026-12-03"}
    invalid_payloads = [
        ({"exercise_type": "rehearsal"}, "exercise_type"),
        (
            lambda org: {
                "organization": org.slug,
                "title": "Walkthrough",
                "exercise_type": "walkthrough",
                "planned_date": "2026-12-01",
                "objectives": "Check the call tree",
            },
            "plans",
        ),
    ]

    def make(self, org, index=0):
        return make_exercise(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Call-tree check",
            "exercise_type": "desk_check",
            "planned_date": "2026-12-01",
            "objectives": "Every number on the contact list answers",
            "plans": [make_plan(org, 97).pk],
        }


class TestExercisePages(_Roles, _pages("exercises"), ViewBundle):
    model = Exercise
    invalid_form_data = [
        ({"title": "X", "exercise_type": "tabletop", "objectives": "Y"}, "planned_date")
    ]

    def make(self, org, index=0):
        return make_exercise(org, index)

    def form_data(self, org):
        return {
            "title": "Simulation: flour shortage",
            "exercise_type": "simulation",
            "planned_date": "2027-02-01",
            "objectives": "Switch mills within a day",
            "activities": [make_bia(org, 98).pk],
        }

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "exercise_type": obj.exercise_type,
            "planned_date": "2027-03-01",
            "objectives": obj.objectives,
            "activities": [make_bia(obj.organization, 99).pk],
        }


class TestExerciseImprovementApi(_Roles, ApiBundle):
    model = ExerciseImprovement
    url = "/api/v1/exercise-improvements/"
    update_payload = {"status": "done"}
    invalid_payloads = [({"due_date": None}, "due_date"), ({"status": "maybe"}, "status")]

    def make(self, org, index=0):
        return make_improvement(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "exercise": make_exercise(org, 101).pk,
            "description": "Print the contact list for the van",
            "due_date": "2026-12-15",
        }


class TestExerciseImprovementPages(_Roles, _pages("exercise-improvements"), ViewBundle):
    model = ExerciseImprovement
    invalid_form_data = [
        (
            lambda org: {
                "exercise": make_exercise(org, 102).pk,
                "description": "X",
                "status": "open",
            },
            "due_date",
        )
    ]

    def make(self, org, index=0):
        return make_improvement(org, index)

    def list_text(self, obj):
        # The page escapes the apostrophe of "the partner bakery's number".
        return escape(obj.description)

    def form_data(self, org):
        return {
            "exercise": make_exercise(org, 103).pk,
            "description": "Add a second key holder",
            "due_date": "2026-12-20",
            "status": "open",
        }

    def edit_data(self, obj):
        return {
            "exercise": obj.exercise_id,
            "description": obj.description,
            "due_date": "2027-01-10",
            "status": "open",
        }
