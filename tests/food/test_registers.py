"""The food registers' pages and API: the permission matrix of each (every role, another
organization), query counts at two sizes, invalid input naming its field."""

from __future__ import annotations

import pytest

from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.food.models import (
    FlowStep,
    HazardAnalysis,
    HazardControlPlan,
    PrerequisiteProgramme,
    ProcessFlow,
    TraceabilityExercise,
)
from pdca.system.permissions import IMPLEMENTERS
from tests.food.factories import (
    make_exercise,
    make_flow,
    make_hazard,
    make_plan,
    make_programme,
    make_site,
    make_step,
)

pytestmark = pytest.mark.django_db


class Kept:
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS


# --- prerequisite programmes ------------------------------------------------------------------


class TestProgrammeApi(Kept, ApiBundle):
    model = PrerequisiteProgramme
    url = "/api/v1/prerequisite-programmes/"
    update_payload = {"frequency": "weekly", "description": "Daily wash-down, weekly deep clean"}
    invalid_payloads = [
        ({"category": "astrology"}, "category"),
        (lambda org: {"organization": org.slug, "title": "Pest control"}, "site"),
    ]

    def make(self, org, index=0):
        return make_programme(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Pest control by contractor",
            "site": make_site(org).pk,
            "category": "pest_control",
            "frequency": "monthly",
        }


class TestProgrammePages(Kept, ViewBundle):
    model = PrerequisiteProgramme
    list_url = "/prerequisite-programmes/"
    create_url = "/prerequisite-programmes/new/"
    invalid_form_data = [(lambda org: {"title": "X", "category": "cleaning"}, "site")]

    def make(self, org, index=0):
        return make_programme(org, index)

    def form_data(self, org):
        return {
            "title": "Hand washing",
            "site": make_site(org).pk,
            "category": "personal_hygiene",
            "frequency": "weekly",
        }

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "site": obj.site_id,
            "category": obj.category,
            "frequency": "quarterly",
        }

    def detail_url(self, obj):
        return f"/prerequisite-programmes/{obj.pk}/"

    def edit_url(self, obj):
        return f"/prerequisite-programmes/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/prerequisite-programmes/{obj.pk}/delete/"


# --- flow diagrams and steps ------------------------------------------------------------------


class TestFlowApi(Kept, ApiBundle):
    model = ProcessFlow
    url = "/api/v1/food-flows/"
    update_payload = {"verified_on": "2026-10-20"}
    invalid_payloads = [({"kind": "recipe"}, "kind"), ({"verified_on": "last week"}, "verified_on")]

    def make(self, org, index=0):
        return make_flow(org, index)

    def create_payload(self, org):
        return {"organization": org.slug, "name": "Wholemeal roll", "kind": "product"}


class TestFlowPages(Kept, ViewBundle):
    model = ProcessFlow
    list_url = "/food-flows/"
    create_url = "/food-flows/new/"
    invalid_form_data = [({"name": "", "kind": "product"}, "name")]

    def make(self, org, index=0):
        return make_flow(org, index)

    def form_data(self, org):
        return {"name": "Seeded batch loaf", "kind": "product"}

    def edit_data(self, obj):
        return {"name": obj.name, "kind": "process"}

    def detail_url(self, obj):
        return f"/food-flows/{obj.pk}/"

    def edit_url(self, obj):
        return f"/food-flows/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/food-flows/{obj.pk}/delete/"


class TestStepApi(Kept, ApiBundle):
    model = FlowStep
    url = "/api/v1/flow-steps/"
    update_payload = {"rework": "Trimmed dough returns to mixing"}
    invalid_payloads = [
        ({"step_type": "teleporting"}, "step_type"),
        (
            lambda org: {
                "organization": org.slug,
                "flow": make_step(org, 0, flow=make_flow(org, 70)).flow_id,
                "number": 1,
                "name": "Mixing",
                "step_type": "processing",
            },
            "number",
        ),
    ]

    def make(self, org, index=0):
        return make_step(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "flow": make_flow(org, 77).pk,
            "number": 1,
            "name": "Receiving flour",
            "step_type": "receiving",
        }


class TestStepPages(Kept, ViewBundle):
    model = FlowStep

    def list_text(self, obj):
        return obj.name

    list_url = "/flow-steps/"
    create_url = "/flow-steps/new/"
    invalid_form_data = [
        (lambda org: {"flow": make_flow(org, 88).pk, "name": "X", "step_type": ""}, "step_type")
    ]

    def make(self, org, index=0):
        return make_step(org, index)

    def form_data(self, org):
        return {
            "flow": make_flow(org, 66).pk,
            "number": 3,
            "name": "Proving",
            "step_type": "processing",
        }

    def edit_data(self, obj):
        return {
            "flow": obj.flow_id,
            "number": obj.number,
            "name": "Renamed",
            "step_type": obj.step_type,
        }

    def detail_url(self, obj):
        return f"/flow-steps/{obj.pk}/"

    def edit_url(self, obj):
        return f"/flow-steps/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/flow-steps/{obj.pk}/delete/"


# --- hazard analysis --------------------------------------------------------------------------


class TestHazardApi(Kept, ApiBundle):
    model = HazardAnalysis
    url = "/api/v1/food-hazards/"
    update_payload = {"source": "Flour and eggs"}
    invalid_payloads = [
        ({"likelihood": 9}, "likelihood"),
        ({"severity": None}, "severity"),
        ({"control_measure": ""}, "control_measure"),
        ({"designed_to_control": "maybe"}, "designed_to_control"),
    ]

    def make(self, org, index=0):
        return make_hazard(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "step": make_step(org, 55).pk,
            "category": "physical",
            "hazard": "Metal fragments from the slicer",
            "likelihood": 2,
            "severity": 4,
            "control_measure": "Metal detection of every bagged loaf",
            "designed_to_control": "yes",
            "measurable_limit": "yes",
            "monitored_in_time": "yes",
        }


class TestHazardPages(Kept, ViewBundle):
    model = HazardAnalysis
    list_url = "/food-hazards/"
    create_url = "/food-hazards/new/"
    invalid_form_data = [
        (
            lambda org: {
                "step": make_step(org, 44).pk,
                "category": "chemical",
                "hazard": "Cleaning chemical residue",
                "likelihood": 4,
                "severity": 4,
                "designed_to_control": "yes",
                "measurable_limit": "no",
            },
            "control_measure",
        )
    ]

    def make(self, org, index=0):
        return make_hazard(org, index)

    def form_data(self, org):
        return {
            "step": make_step(org, 33).pk,
            "category": "allergen",
            "hazard": "Sesame cross-contact",
            "likelihood": 1,
            "severity": 2,
        }

    def edit_data(self, obj):
        return {
            "step": obj.step_id,
            "category": obj.category,
            "hazard": obj.hazard,
            "likelihood": 1,
            "severity": 1,
        }

    def list_text(self, obj):
        return obj.hazard

    def detail_url(self, obj):
        return f"/food-hazards/{obj.pk}/"

    def edit_url(self, obj):
        return f"/food-hazards/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/food-hazards/{obj.pk}/delete/"


# --- hazard control plan ----------------------------------------------------------------------


class TestPlanApi(Kept, ApiBundle):
    model = HazardControlPlan
    url = "/api/v1/hazard-control-plan/"
    update_payload = {"monitoring_frequency": "Every batch"}
    invalid_payloads = [
        ({"lower_limit": None}, "lower_limit"),
        ({"category": "oprp"}, "action_criteria"),
        ({"upper_limit": "10"}, "upper_limit"),
    ]

    def make(self, org, index=0):
        return make_plan(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "code": "OPRP-9",
            "category": "oprp",
            "control_measure": "Sesame lines scheduled last, full clean-down after",
            "action_criteria": "Clean-down not signed off before a sesame-free run",
        }


class TestPlanPages(Kept, ViewBundle):
    model = HazardControlPlan

    def list_text(self, obj):
        return obj.code

    list_url = "/hazard-control-plan/"
    create_url = "/hazard-control-plan/new/"
    invalid_form_data = [
        (
            {"code": "CCP-9", "category": "ccp", "control_measure": "Bake", "parameter": "t"},
            "lower_limit",
        )
    ]

    def make(self, org, index=0):
        return make_plan(org, index)

    def form_data(self, org):
        return {
            "code": "CCP-7",
            "category": "ccp",
            "control_measure": "Metal detection",
            "parameter": "test piece detected",
            "unit": "mm Fe",
            "upper_limit": "2.0",
        }

    def edit_data(self, obj):
        return {
            "code": obj.code,
            "category": obj.category,
            "control_measure": obj.control_measure,
            "parameter": obj.parameter,
            "lower_limit": "93",
        }

    def detail_url(self, obj):
        return f"/hazard-control-plan/{obj.pk}/"

    def edit_url(self, obj):
        return f"/hazard-control-plan/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/hazard-control-plan/{obj.pk}/delete/"


# --- traceability exercises -------------------------------------------------------------------


class TestExerciseApi(Kept, ApiBundle):
    model = TraceabilityExercise
    url = "/api/v1/traceability-exercises/"
    update_payload = {"lessons": "Keep the dispatch log by lot, not by day"}
    invalid_payloads = [
        ({"kind": "drill"}, "kind"),
        ({"reconciled_percent": "-5"}, "reconciled_percent"),
    ]

    def make(self, org, index=0):
        return make_exercise(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Trace test, flour lot",
            "kind": "trace_test",
            "exercised_on": "2026-10-01",
            "product": "Flour T55",
            "lot": "F-2291",
        }


class TestExercisePages(Kept, ViewBundle):
    model = TraceabilityExercise
    list_url = "/traceability-exercises/"
    create_url = "/traceability-exercises/new/"
    invalid_form_data = [
        ({"title": "X", "kind": "mock_recall", "product": "Bread"}, "exercised_on")
    ]

    def make(self, org, index=0):
        return make_exercise(org, index)

    def form_data(self, org):
        return {
            "title": "Mock recall of rolls",
            "kind": "mock_recall",
            "exercised_on": "2026-10-05",
            "product": "Soft white rolls",
            "lot": "R-100",
        }

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "kind": obj.kind,
            "exercised_on": "2026-10-06",
            "product": obj.product,
            "lot": obj.lot,
        }

    def detail_url(self, obj):
        return f"/traceability-exercises/{obj.pk}/"

    def edit_url(self, obj):
        return f"/traceability-exercises/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/traceability-exercises/{obj.pk}/delete/"
