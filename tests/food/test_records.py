"""PRP verifications and monitoring deviations: recorded through their services (pages and
API), never changed or deleted; the permission matrix of both."""

from __future__ import annotations

import pytest

from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.food.models import MonitoringDeviation, PrpVerification
from pdca.system.permissions import IMPLEMENTERS
from tests.food.factories import make_deviation, make_plan, make_programme, make_verification

pytestmark = pytest.mark.django_db


class TestVerificationApi(ApiBundle):
    model = PrpVerification
    url = "/api/v1/prp-verifications/"
    view_roles = ORGANIZATION_ROLES
    add_roles = IMPLEMENTERS
    updates = deletes = False
    invalid_payloads = [
        (
            lambda org: {
                "organization": org.slug,
                "programme": make_programme(org, 90).pk,
                "verified_on": "2026-11-01",
                "result": "not_conforming",
            },
            "notes",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "programme": make_programme(org, 91).pk,
                "verified_on": "2026-11-01",
                "result": "so-so",
            },
            "result",
        ),
    ]

    def make(self, org, index=0):
        return make_verification(org, index)

    def create_payload(self, org):
        return {
            "programme": make_programme(org, 99).pk,
            "verified_on": "2026-11-02",
            "result": "conforming",
            "notes": "Swabs of the mixer bowl all under 10 RLU",
        }


class TestVerificationPages(ViewBundle):
    model = PrpVerification
    list_url = "/prp-verifications/"
    view_roles = ORGANIZATION_ROLES
    add_roles = IMPLEMENTERS
    invalid_form_data = [({"verified_on": "", "result": "conforming"}, "verified_on")]

    def make(self, org, index=0):
        return make_verification(org, index)

    def create_url_for(self, org):
        return f"/prerequisite-programmes/{make_programme(org, 80).pk}/verify/"

    def form_data(self, org):
        return {"verified_on": "2026-11-03", "result": "conforming", "notes": "All clean"}

    def list_text(self, obj):
        return obj.programme.title

    def detail_url(self, obj):
        return f"/prp-verifications/{obj.pk}/"


class TestDeviationApi(ApiBundle):
    model = MonitoringDeviation
    url = "/api/v1/monitoring-deviations/"
    view_roles = ORGANIZATION_ROLES
    add_roles = IMPLEMENTERS
    updates = deletes = False
    invalid_payloads = [
        (
            lambda org: {
                "organization": org.slug,
                "plan": make_plan(org, 90).pk,
                "occurred_on": "2026-11-01",
                "value": "95",
                "product_action": "held",
                "correction": "None needed",
            },
            "value",
        ),
        (
            lambda org: {
                "organization": org.slug,
                "plan": make_plan(org, 91).pk,
                "occurred_on": "2026-11-01",
                "product_action": "held",
                "correction": "Re-baked",
            },
            "value",
        ),
    ]

    def make(self, org, index=0):
        return make_deviation(org, index)

    def create_payload(self, org):
        return {
            "plan": make_plan(org, 99).pk,
            "occurred_on": "2026-11-02",
            "value": "89.5",
            "product_action": "held",
            "product_affected": "Batch 1142, 380 loaves",
            "correction": "Oven 2 stopped; batch held and re-baked",
        }


class TestDeviationPages(ViewBundle):
    model = MonitoringDeviation
    list_url = "/monitoring-deviations/"
    view_roles = ORGANIZATION_ROLES
    add_roles = IMPLEMENTERS
    invalid_form_data = [
        (
            {
                "occurred_on": "2026-11-01",
                "value": "95",
                "product_action": "held",
                "correction": "x",
            },
            "value",
        )
    ]

    def make(self, org, index=0):
        return make_deviation(org, index)

    def create_url_for(self, org):
        return f"/hazard-control-plan/{make_plan(org, 80).pk}/deviations/new/"

    def form_data(self, org):
        return {
            "occurred_on": "2026-11-03",
            "value": "90",
            "product_action": "reprocessed",
            "correction": "Re-baked for 4 more minutes",
        }

    def list_text(self, obj):
        return obj.plan.code

    def detail_url(self, obj):
        return f"/monitoring-deviations/{obj.pk}/"
