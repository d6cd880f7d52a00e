"""The three registers of ISO 14001 (aspects, compliance obligations, evaluations of
compliance): the permission matrix of their pages and API, bad input and query counts."""

from __future__ import annotations

import pytest

from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.environment.models import Aspect, ComplianceEvaluation, ComplianceObligation
from pdca.system.permissions import IMPLEMENTERS
from tests.environment.factories import make_aspect, make_evaluation, make_obligation

pytestmark = pytest.mark.django_db


class TestAspectApi(ApiBundle):
    model = Aspect
    url = "/api/v1/aspects/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"condition": "emergency", "controls": "Spill kit at each machine"}
    invalid_payloads = [
        ({"condition": "sometimes"}, "condition"),
        ({"lifecycle_stage": "afterlife"}, "lifecycle_stage"),
        (lambda org: {"organization": org.slug, "code": "EA-9", "title": "X"}, "activity"),
        (
            lambda org: {
                "organization": org.slug,
                "code": make_aspect(org, 500).code,
                "title": "Twin",
                "activity": "Machining",
                "impact": "Waste",
            },
            "code",
        ),
    ]

    def make(self, org, index=0):
        return make_aspect(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "code": "EA-77",
            "title": "Compressed-air leaks",
            "activity": "Compressed air for machines",
            "lifecycle_stage": "production",
            "condition": "normal",
            "impact_category": "energy",
            "impact": "Electricity use and the emissions behind it",
        }


class TestAspectPages(ViewBundle):
    model = Aspect
    list_url = "/aspects/"
    create_url = "/aspects/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {
                "code": "EA-5",
                "title": "Swarf",
                "subject": "activity",
                "activity": "Machining",
                "lifecycle_stage": "production",
                "condition": "normal",
                "impact": "",
                "status": "active",
            },
            "impact",
        )
    ]

    def make(self, org, index=0):
        return make_aspect(org, index)

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {
            "code": "EA-50",
            "title": "Packaging waste",
            "subject": "activity",
            "activity": "Dispatch",
            "lifecycle_stage": "transport",
            "condition": "normal",
            "impact": "Waste to landfill",
            "status": "active",
        }

    def edit_data(self, obj):
        return {
            "code": obj.code,
            "title": obj.title,
            "subject": obj.subject,
            "activity": obj.activity,
            "lifecycle_stage": obj.lifecycle_stage,
            "condition": "abnormal",
            "impact": obj.impact,
            "status": obj.status,
        }

    def detail_url(self, obj):
        return f"/aspects/{obj.pk}/"

    def edit_url(self, obj):
        return f"/aspects/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/aspects/{obj.pk}/delete/"


class TestObligationApi(ApiBundle):
    model = ComplianceObligation
    url = "/api/v1/compliance-obligations/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"evaluation_frequency": 6, "jurisdiction": "England"}
    invalid_payloads = [
        ({"evaluation_frequency": 0}, "evaluation_frequency"),
        ({"evaluation_frequency": 61}, "evaluation_frequency"),
        ({"source": "rumour"}, "source"),
        (lambda org: {"organization": org.slug, "title": "F-gas"}, "requires"),
    ]

    def make(self, org, index=0):
        return make_obligation(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "F-gas regulations",
            "kind": "legal",
            "source": "law",
            "reference": "The Fluorinated Greenhouse Gases Regulations 2015",
            "jurisdiction": "Great Britain",
            "requires": "Leak checks of the chillers by certified engineers; keep records",
            "evaluation_frequency": 12,
        }


class TestObligationPages(ViewBundle):
    model = ComplianceObligation
    list_url = "/compliance-obligations/"
    create_url = "/compliance-obligations/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {
                "title": "Trade effluent consent",
                "kind": "legal",
                "source": "permit",
                "requires": "Stay within the consent limits",
                "evaluation_frequency": "0",
                "status": "active",
            },
            "evaluation_frequency",
        )
    ]

    def make(self, org, index=0):
        return make_obligation(org, index)

    def form_data(self, org):
        return {
            "title": "Customer packaging requirement",
            "kind": "other",
            "source": "customer",
            "requires": "Recyclable packaging only",
            "evaluation_frequency": "12",
            "status": "active",
        }

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "kind": obj.kind,
            "source": obj.source,
            "requires": obj.requires,
            "evaluation_frequency": "24",
            "status": obj.status,
        }

    def detail_url(self, obj):
        return f"/compliance-obligations/{obj.pk}/"

    def edit_url(self, obj):
        return f"/compliance-obligations/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/compliance-obligations/{obj.pk}/delete/"


class TestEvaluationApi(ApiBundle):
    model = ComplianceEvaluation
    url = "/api/v1/compliance-evaluations/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"result": "partial", "findings": "Two transfer notes missing"}
    invalid_payloads = [
        ({"result": "partial", "findings": ""}, "findings"),
        ({"evaluated_on": "2999-01-01"}, "evaluated_on"),
        ({"result": "maybe"}, "result"),
    ]

    def make(self, org, index=0):
        return make_evaluation(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "obligation": make_obligation(org, 88).pk,
            "evaluated_on": "2026-11-03",
            "result": "compliant",
            "findings": "All transfer notes of the year on file",
        }


class TestEvaluationPages(ViewBundle):
    model = ComplianceEvaluation
    list_url = "/compliance-evaluations/"
    create_url = "/compliance-evaluations/new/"
    view_roles = ORGANIZATION_ROLES
    add_roles = change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            lambda org: {
                "obligation": make_obligation(org, 66).pk,
                "evaluated_on": "2026-11-01",
                "result": "not_compliant",
                "findings": "",
            },
            "findings",
        )
    ]

    def make(self, org, index=0):
        return make_evaluation(org, index)

    def form_data(self, org):
        return {
            "obligation": make_obligation(org, 67).pk,
            "evaluated_on": "2026-11-01",
            "result": "compliant",
        }

    def edit_data(self, obj):
        return {
            "obligation": obj.obligation_id,
            "evaluated_on": "2026-11-04",
            "result": obj.result,
        }

    def list_text(self, obj):
        return obj.obligation.title

    def detail_url(self, obj):
        return f"/compliance-evaluations/{obj.pk}/"

    def edit_url(self, obj):
        return f"/compliance-evaluations/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/compliance-evaluations/{obj.pk}/delete/"
