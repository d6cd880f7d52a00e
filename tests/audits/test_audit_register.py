"""Audit programmes and audits as registers: the permission matrix of their pages and API
(through the register URLs), and the factories the other audit tests share."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.accounts.models import User
from pdca.audits.models import Audit, AuditProgramme
from pdca.audits.permissions import KEEPERS
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.system.models import Process
from pdca.tenancy.models import Membership

pytestmark = pytest.mark.django_db

from pdca.audits.permissions import AUDITORS  # noqa: E402

START = dt.date(2026, 3, 2)
END = dt.date(2026, 3, 4)


# --- factories shared by the audit tests --------------------------------------------------------


def make_programme(org, index: int = 0, **fields) -> AuditProgramme:
    values = {
        "title": f"Internal audits 2026-{index:02d}",
        "period_start": dt.date(2026, 1, 1),
        "period_end": dt.date(2028, 12, 31),
        **fields,
    }
    return AuditProgramme.objects.create(organization=org, **values)


def make_audit(org, index: int = 0, **fields) -> Audit:
    values = {
        "reference": f"IA-2026-{index:02d}",
        "title": f"Production audit {index}",
        "start_date": START,
        "end_date": END,
        **fields,
    }
    return Audit.objects.create(organization=org, **values)


def host_audit(org) -> Audit:
    """The audit holding the team, plan and meeting rows of the generic bundles."""
    return Audit.objects.filter(organization=org, reference="HOST").first() or make_audit(
        org, reference="HOST", title="Host audit"
    )


def make_process(org, index: int = 0, **fields) -> Process:
    values = {"code": f"P-{index:02d}", "name": f"Process {index}", **fields}
    return Process.objects.create(organization=org, **values)


def make_member(org, name: str, role: str = Role.EMPLOYEE) -> User:
    slug = name.lower().replace(" ", ".")
    user = User.objects.create_user(f"{slug}@{org.slug}.example", "pw-irrelevant", full_name=name)
    Membership.objects.create(organization=org, user=user, role=role)
    return user


# --- programmes --------------------------------------------------------------------------------


class TestAuditProgrammeApi(ApiBundle):
    model = AuditProgramme
    url = "/api/v1/audit-programmes/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = KEEPERS
    update_payload = {"objectives": "Cover every process in three years", "status": "approved"}
    invalid_payloads = [
        ({"title": ""}, "title"),
        ({"status": "magic"}, "status"),
        ({"period_start": "2029-01-01"}, "period_end"),
    ]

    def make(self, org, index=0):
        return make_programme(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Audit programme 2026-2028",
            "period_start": "2026-01-01",
            "period_end": "2028-12-31",
        }


class TestAuditProgrammePages(ViewBundle):
    model = AuditProgramme
    list_url = "/audit-programmes/"
    create_url = "/audit-programmes/new/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = KEEPERS
    invalid_form_data = [
        (
            {
                "title": "P",
                "period_start": "2027-01-01",
                "period_end": "2026-01-01",
                "status": "draft",
            },
            "period_end",
        ),
        (
            {
                "title": "",
                "period_start": "2026-01-01",
                "period_end": "2026-12-31",
                "status": "draft",
            },
            "title",
        ),
    ]

    def make(self, org, index=0):
        return make_programme(org, index)

    def form_data(self, org):
        return {
            "title": "Programme 2026",
            "period_start": "2026-01-01",
            "period_end": "2028-12-31",
            "status": "draft",
        }

    def edit_data(self, obj):
        return {
            "title": obj.title,
            "period_start": "2026-01-01",
            "period_end": "2028-12-31",
            "status": "approved",
        }

    def detail_url(self, obj):
        return f"/audit-programmes/{obj.pk}/"

    def edit_url(self, obj):
        return f"/audit-programmes/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/audit-programmes/{obj.pk}/delete/"


# --- audits ------------------------------------------------------------------------------------


class TestAuditApi(ApiBundle):
    model = Audit
    url = "/api/v1/audits/"
    view_roles = ALL_ROLES
    add_roles = change_roles = AUDITORS
    delete_roles = KEEPERS
    update_payload = {"scope": "Production and dispatch at the main site", "end_date": "2026-03-05"}
    invalid_payloads = [
        ({"title": ""}, "title"),
        ({"audit_type": "magic"}, "audit_type"),
        ({"end_date": "2026-03-01"}, "end_date"),
        ({"lead_auditor": 999999}, "lead_auditor"),
        ({"processes": [999999]}, "processes"),
    ]

    def make(self, org, index=0):
        return make_audit(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "reference": "IA-2026-99",
            "title": "Purchasing audit",
            "start_date": "2026-05-04",
            "end_date": "2026-05-05",
        }


class TestAuditPages(ViewBundle):
    model = Audit
    list_url = "/audits/"
    create_url = "/audits/new/"
    view_roles = ALL_ROLES
    add_roles = change_roles = AUDITORS
    delete_roles = KEEPERS
    invalid_form_data = [
        (
            {
                "title": "Bad dates",
                "audit_type": "internal",
                "start_date": "2026-05-05",
                "end_date": "2026-05-04",
            },
            "end_date",
        ),
        ({"title": "", "audit_type": "internal", "start_date": "2026-05-05"}, "title"),
    ]

    def make(self, org, index=0):
        return make_audit(org, index)

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {
            "reference": "IA-2026-50",
            "title": "Sales audit",
            "audit_type": "internal",
            "start_date": "2026-05-04",
            "end_date": "2026-05-05",
        }

    def edit_data(self, obj):
        return {
            "reference": obj.reference,
            "title": obj.title,
            "audit_type": "supplier",
            "start_date": obj.start_date.isoformat(),
            "end_date": obj.end_date.isoformat(),
        }

    def detail_url(self, obj):
        return f"/audits/{obj.pk}/"

    def edit_url(self, obj):
        return f"/audits/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/audits/{obj.pk}/delete/"
