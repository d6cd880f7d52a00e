"""The nonconformity register: the permission matrix of its pages and API."""

from __future__ import annotations

import pytest

from pdca.core.roles import Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from pdca.improvement.models import Nonconformity
from pdca.improvement.permissions import READERS, RECORDERS
from pdca.system.permissions import IMPLEMENTERS

pytestmark = pytest.mark.django_db


def make_nc(org, index: int = 0, **fields) -> Nonconformity:
    values = {
        "reference": f"NC-{index:03d}",
        "title": f"Gauge out of calibration {index}",
        "description": "Calibration sticker expired on a height gauge in use.",
        "source": "internal_audit",
        **fields,
    }
    return Nonconformity.objects.create(organization=org, **values)


class TestNonconformityApi(ApiBundle):
    model = Nonconformity
    url = "/api/v1/nonconformities/"
    view_roles = READERS
    add_roles = RECORDERS
    change_roles = delete_roles = IMPLEMENTERS
    update_payload = {"severity": "minor", "title": "Gauge overdue for calibration"}
    invalid_payloads = [({"source": "rumour"}, "source"), ({"title": ""}, "title")]

    def make(self, org, index=0):
        return make_nc(org, index)

    def create_payload(self, org):
        return {
            "organization": org.slug,
            "title": "Customer complaint about burrs",
            "description": "Burrs on edges of batch 4411.",
            "source": "complaint",
        }


class TestNonconformityPages(ViewBundle):
    model = Nonconformity
    list_url = "/nonconformities/"
    create_url = "/nonconformities/new/"
    view_roles = READERS
    add_roles = RECORDERS
    change_roles = delete_roles = IMPLEMENTERS
    invalid_form_data = [({"title": "", "description": "x", "source": "incident"}, "title")]

    def make(self, org, index=0):
        return make_nc(org, index)

    def list_text(self, obj):
        return obj.title

    def form_data(self, org):
        return {
            "title": "Forklift near miss",
            "description": "Pedestrian walkway blocked by pallets.",
            "source": "incident",
        }

    def edit_data(self, obj):
        return {
            "reference": obj.reference,
            "title": obj.title,
            "description": obj.description,
            "source": obj.source,
            "severity": "major",
        }

    def detail_url(self, obj):
        return f"/nonconformities/{obj.pk}/"

    def edit_url(self, obj):
        return f"/nonconformities/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/nonconformities/{obj.pk}/delete/"


def test_the_owner_process_owner_triages_their_nonconformity(client, personas):
    owner = personas.users[Role.PROCESS_OWNER]
    mine = make_nc(personas.org, 1, owner=owner)
    login(client, owner)
    response = client.patch(
        f"/api/v1/nonconformities/{mine.pk}/",
        {"severity": "minor"},
        content_type="application/json",
    )
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.severity == "minor"
