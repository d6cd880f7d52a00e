"""The permission matrix of the management-review registers' API and pages: each role, own
organization and another organization (404), query counts at two sizes, bad input naming the
field."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.core.testing import ApiBundle, ViewBundle
from pdca.reviews.models import ManagementReview, ReviewOutput
from pdca.reviews.permissions import READERS, REVIEWERS

from .factories import TODAY, make_output, make_review, make_system, top_manager

pytestmark = pytest.mark.django_db


class _Roles:
    view_roles = READERS
    add_roles = change_roles = delete_roles = REVIEWERS


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


class TestManagementReviewApi(_Roles, ApiBundle):
    model = ManagementReview
    url = "/api/v1/management-reviews/"
    update_payload = {"agenda": "1. Actions\n2. Inputs\n3. Decisions"}
    invalid_payloads = [
        ({"meeting_date": "yesterday"}, "meeting_date"),
        ({"data_as_of": (TODAY + dt.timedelta(days=30)).isoformat()}, "data_as_of"),
        (lambda org: {"organization": org.slug, "title": "No system"}, "system"),
    ]

    def make(self, org, index=0):
        return make_review(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "system": make_system(org).pk,
            "title": "Annual management review",
            "meeting_date": TODAY.isoformat(),
            # The certification body's personas have no top management.
            **({"chair": chair.pk} if (chair := top_manager(org)) else {}),
        }


class TestManagementReviewPages(_Roles, _pages("management-reviews"), ViewBundle):
    model = ManagementReview
    invalid_form_data = [
        (lambda org: {"system": make_system(org).pk, "title": "No date"}, "meeting_date")
    ]

    def make(self, org, index=0):
        return make_review(org, index)

    def form_data(self, org):
        return {
            "system": make_system(org).pk,
            "title": "Annual management review",
            "meeting_date": TODAY.isoformat(),
        }

    def edit_data(self, obj):
        return {
            "system": obj.system_id,
            "title": obj.title,
            "meeting_date": obj.meeting_date.isoformat(),
            "conclusions": "The system remains suitable.",
        }


class TestReviewActionApi(_Roles, ApiBundle):
    model = ReviewOutput
    url = "/api/v1/review-actions/"
    update_payload = {"description": "Budget approved for 2027"}
    invalid_payloads = [
        ({"kind": "wish"}, "kind"),
        ({"due_date": "soon"}, "due_date"),
        (
            lambda org: {
                "organization": org.slug,
                "review": make_review(org, 77).pk,
                "kind": "action",
                "title": "No owner",
            },
            "owner",
        ),
    ]

    def make(self, org, index=0):
        return make_output(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "review": make_review(org, 88).pk,
            "kind": "decision",
            "title": "Keep the quality policy as it is",
        }


class TestReviewActionPages(_Roles, _pages("review-actions"), ViewBundle):
    model = ReviewOutput
    invalid_form_data = [
        (
            lambda org: {
                "review": make_review(org, 66).pk,
                "kind": "action",
                "title": "Owner?",
            },
            "owner",
        )
    ]

    def make(self, org, index=0):
        return make_output(org, index)

    def form_data(self, org):
        return {
            "review": make_review(org, 55).pk,
            "kind": "decision",
            "title": "Extend the scope to the new site",
        }

    def edit_data(self, obj):
        return {
            "review": obj.review_id,
            "kind": obj.kind,
            "title": obj.title,
            "description": "Agreed with the board",
        }
