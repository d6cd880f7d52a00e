"""The people registers' pages (built by `core.registers`): the permission matrix of each,
in the organization and a certification body (which keeps the same records for its own
auditors), another organization's rows unreachable, bad forms writing nothing, and list
queries that do not grow with the rows."""

from __future__ import annotations

import pytest

from pdca.core.roles import ALL_ROLES
from pdca.core.testing import ViewBundle
from pdca.people.models import (
    Assignment,
    AwarenessCampaign,
    CompetenceRequirement,
    Qualification,
    TrainingRecord,
)
from pdca.people.permissions import KEEPERS, READERS
from tests.people.factories import in_days, make_path, member

pytestmark = pytest.mark.django_db


def person(org, index: int):
    return member(org, f"person{index:02d}@{org.slug}.example").user


def _path(org):
    from pdca.accounts.models import User
    from pdca.people.models import TrainingPath
    from pdca.tenancy.models import Membership

    existing = TrainingPath.objects.filter(organization=org, code="register-path").first()
    if existing is not None:
        return existing
    keeper = User.objects.filter(
        memberships__organization=org, memberships__role__in=list(KEEPERS)
    ).first()
    assert keeper is not None and Membership.objects.filter(user=keeper).exists()
    return make_path(org, keeper, "register-path")


class TestRequirementPages(ViewBundle):
    model = CompetenceRequirement
    list_url = "/training/competence-requirements/"
    create_url = "/training/competence-requirements/new/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = KEEPERS
    invalid_form_data = [
        ({"code": "", "title": "x", "kind": "training", "evaluation": "assessed"}, "code"),
        ({"code": "CR-9", "title": "x", "kind": "training", "evaluation": "path_passed"}, "path"),
        (
            {"code": "CR-9", "title": "x", "kind": "experience", "evaluation": "experience"},
            "min_experience_months",
        ),
    ]

    def make(self, org, index=0):
        return CompetenceRequirement.objects.create(
            organization=org,
            code=f"CR-{index:02d}",
            title=f"Forklift licence {index}",
            kind="qualification",
            evaluation="qualification",
        )

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {
            "code": "CR-50",
            "title": "Awareness of the policy",
            "kind": "awareness",
            "evaluation": "assessed",
            "mandatory": "on",
        }

    def edit_data(self, obj):
        return {
            "code": obj.code,
            "title": obj.title + " (renewed)",
            "kind": obj.kind,
            "evaluation": obj.evaluation,
        }

    def detail_url(self, obj):
        return f"/training/competence-requirements/{obj.pk}/"

    def edit_url(self, obj):
        return f"/training/competence-requirements/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/training/competence-requirements/{obj.pk}/delete/"


class TestTrainingRecordPages(ViewBundle):
    model = TrainingRecord
    list_url = "/training/training-records/"
    create_url = "/training/training-records/new/"
    view_roles = READERS
    add_roles = change_roles = delete_roles = KEEPERS
    invalid_form_data = [
        (
            lambda org: {
                "person": person(org, 90).pk,
                "kind": "training",
                "title": "",
                "result": "planned",
            },
            "title",
        ),
        (
            lambda org: {
                "person": person(org, 91).pk,
                "kind": "training",
                "title": "Course",
                "result": "passed",
            },
            "completed_on",
        ),
        (
            lambda org: {
                "person": person(org, 92).pk,
                "kind": "training",
                "title": "Course",
                "result": "planned",
                "started_on": "2026-05-02",
                "completed_on": "2026-05-01",
            },
            "completed_on",
        ),
    ]

    def make(self, org, index=0):
        # Planned: not a record yet, so the bundle may delete it.
        return TrainingRecord.objects.create(
            organization=org,
            person=person(org, index),
            title=f"First aid course {index}",
            result="planned",
        )

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {
            "person": person(org, 60).pk,
            "kind": "training",
            "title": "Lead auditor course",
            "result": "passed",
            "completed_on": in_days(-5).isoformat(),
            "provider": "Training Co",
            "provider_recognized": "on",
            "recognized_by": "A personnel certification body",
        }

    def edit_data(self, obj):
        return {
            "person": obj.person_id,
            "kind": obj.kind,
            "title": obj.title + " (booked)",
            "result": "planned",
        }

    def detail_url(self, obj):
        return f"/training/training-records/{obj.pk}/"

    def edit_url(self, obj):
        return f"/training/training-records/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/training/training-records/{obj.pk}/delete/"


class TestQualificationPages(ViewBundle):
    model = Qualification
    list_url = "/training/qualifications/"
    create_url = "/training/qualifications/new/"
    view_roles = READERS
    add_roles = change_roles = delete_roles = KEEPERS
    invalid_form_data = [
        (
            lambda org: {
                "person": person(org, 93).pk,
                "kind": "auditor",
                "granted_on": "2026-05-02",
                "expires_on": "2026-05-01",
                "status": "active",
            },
            "expires_on",
        ),
    ]

    def make(self, org, index=0):
        return Qualification.objects.create(
            organization=org,
            person=person(org, index),
            kind="auditor",
            granted_on=in_days(-index - 1),
        )

    def list_text(self, obj):
        return obj.person.full_name

    def form_data(self, org):
        return {
            "person": person(org, 61).pk,
            "kind": "lead_auditor",
            "technical_area": "IAF 17",
            "granted_on": in_days(-1).isoformat(),
            "status": "active",
        }

    def edit_data(self, obj):
        return {
            "person": obj.person_id,
            "kind": obj.kind,
            "granted_on": obj.granted_on.isoformat(),
            "status": "suspended",
        }

    def detail_url(self, obj):
        return f"/training/qualifications/{obj.pk}/"

    def edit_url(self, obj):
        return f"/training/qualifications/{obj.pk}/edit/"

    def delete_url(self, obj):
        # A qualification decision is a record from the start: never deleted.
        return None


class TestAssignmentPages(ViewBundle):
    model = Assignment
    list_url = "/training/training-assignments/"
    create_url = "/training/training-assignments/new/"
    view_roles = READERS
    add_roles = change_roles = delete_roles = KEEPERS
    invalid_form_data = [
        ({"action": "", "due_date": "2030-01-01"}, "path"),
        (
            lambda org: {
                "action": "Shadow an auditor",
                "person": person(org, 94).pk,
                "role": "employee",
                "due_date": "2030-01-01",
            },
            "person",
        ),
    ]

    def make(self, org, index=0):
        return Assignment.objects.create(
            organization=org,
            action=f"Shadow a senior auditor {index}",
            due_date=in_days(30 + index),
        )

    def list_text(self, obj):
        return obj.action

    def form_data(self, org):
        return {"action": "Read the calibration procedure", "due_date": in_days(20).isoformat()}

    def edit_data(self, obj):
        return {"action": obj.action + " twice", "due_date": obj.due_date.isoformat()}

    def detail_url(self, obj):
        return f"/training/training-assignments/{obj.pk}/"

    def edit_url(self, obj):
        return f"/training/training-assignments/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/training/training-assignments/{obj.pk}/delete/"


class TestCampaignPages(ViewBundle):
    model = AwarenessCampaign
    list_url = "/training/awareness-campaigns/"
    create_url = "/training/awareness-campaigns/new/"
    view_roles = READERS
    add_roles = change_roles = delete_roles = KEEPERS
    invalid_form_data = [
        ({"title": "Policy week", "due_date": "2030-01-01"}, "documents"),
        (lambda org: {"title": "", "path": _path(org).pk, "due_date": "2030-01-01"}, "title"),
    ]

    def make(self, org, index=0):
        return AwarenessCampaign.objects.create(
            organization=org, title=f"Security week {index}", path=_path(org), due_date=in_days(30)
        )

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {"title": "Quality week", "path": _path(org).pk, "due_date": in_days(14).isoformat()}

    def edit_data(self, obj):
        return {
            "title": obj.title + " (extended)",
            "path": obj.path_id,
            "due_date": in_days(40).isoformat(),
        }

    def detail_url(self, obj):
        return f"/training/awareness-campaigns/{obj.pk}/"

    def edit_url(self, obj):
        return f"/training/awareness-campaigns/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/training/awareness-campaigns/{obj.pk}/delete/"
