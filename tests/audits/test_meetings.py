"""Opening and closing meetings: the permission matrix of their API and pages, and their rules."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.audits import services
from pdca.audits.models import AuditMeeting
from pdca.core.exceptions import ValidationFailed
from pdca.core.roles import ALL_ROLES
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from tests.audits.test_audit_register import AUDITORS, START, host_audit, make_audit
from tests.audits.test_states import at

pytestmark = pytest.mark.django_db


def make_meeting(org, index: int = 0) -> AuditMeeting:
    """Two meetings per audit (opening, closing): the first two on the host audit."""
    audit = host_audit(org) if index < 2 else make_audit(org, 100 + index // 2)
    kind = "opening" if index % 2 == 0 else "closing"
    return AuditMeeting.objects.create(
        organization=org,
        audit=audit,
        kind=kind,
        held_at=at(START, 9 if kind == "opening" else 16),
        attendees=f"Attendee {index:02d}, plant manager\nLead auditor",
        notes=f"Notes {index:02d}",
    )


class TestMeetingApi(ApiBundle):
    model = AuditMeeting
    url = "/api/v1/audit-meetings/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = AUDITORS
    update_payload = {"notes": "Scope confirmed; no changes to the plan."}
    invalid_payloads = [
        ({"attendees": ""}, "attendees"),
        ({"held_at": "2026-01-01T09:00:00+00:00"}, "held_at"),
        ({"kind": "closing"}, "kind"),  # the kind is not changed after recording
    ]

    def make(self, org, index=0):
        return make_meeting(org, index)

    def create_payload(self, org):
        return {
            "audit": host_audit(org).pk,
            "kind": "opening",
            "held_at": "2026-03-02T08:30:00+00:00",
            "attendees": "Plant manager\nLead auditor",
        }


class TestMeetingPages(ViewBundle):
    model = AuditMeeting
    list_url = "/audits/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = AUDITORS
    invalid_form_data = [
        ({"kind": "opening", "held_at": "2026-03-02T09:00", "attendees": ""}, "attendees"),
        ({"kind": "opening", "held_at": "2026-01-02T09:00", "attendees": "A"}, "held_at"),
        ({"kind": "lunch", "held_at": "2026-03-02T09:00", "attendees": "A"}, "kind"),
    ]

    def make(self, org, index=0):
        return make_meeting(org, index)

    def list_url_for(self, obj):
        return f"/audits/{obj.audit_id}/"

    def list_text(self, obj):
        return obj.notes

    def create_url_for(self, org):
        return f"/audits/{host_audit(org).pk}/meetings/new/"

    def form_data(self, org):
        return {"kind": "opening", "held_at": "2026-03-02T09:00", "attendees": "Plant manager"}

    def edit_data(self, obj):
        return {"held_at": "2026-03-02T09:30", "attendees": obj.attendees, "notes": "Changed"}

    def edit_url(self, obj):
        return f"/audits/meetings/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/audits/meetings/{obj.pk}/delete/"


def test_one_meeting_of_each_kind_and_closing_after_opening(personas):
    audit = make_audit(personas.org)
    manager = personas.manager
    services.record_meeting(
        audit, actor=manager, kind="opening", held_at=at(START, 9), attendees="Plant manager"
    )
    with pytest.raises(ValidationFailed) as exc:
        services.record_meeting(
            audit, actor=manager, kind="opening", held_at=at(START, 10), attendees="X"
        )
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("kind", "The opening meeting is already recorded; edit it.")
    ]
    with pytest.raises(ValidationFailed) as exc:
        services.record_meeting(
            audit, actor=manager, kind="closing", held_at=at(START, 8), attendees="X"
        )
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("held_at", "The closing meeting cannot come before the opening.")
    ]
    closing = services.record_meeting(
        audit,
        actor=manager,
        kind="closing",
        held_at=at(START + dt.timedelta(days=2), 16),
        attendees="Plant manager\nQuality manager",
        notes="Two minor nonconformities presented.",
    )
    assert audit.meetings.count() == 2
    assert closing.notes == "Two minor nonconformities presented."


def test_the_audit_page_shows_the_meetings(client, personas):
    meeting = make_meeting(personas.org)
    login(client, personas.employee)
    html = client.get(f"/audits/{meeting.audit_id}/").content.decode()
    assert "Attendee 00, plant manager" in html
    assert f"/audits/meetings/{meeting.pk}/edit/" not in html
    login(client, personas.manager)
    html = client.get(f"/audits/{meeting.audit_id}/").content.decode()
    assert f"/audits/meetings/{meeting.pk}/edit/" in html
    assert f"/audits/{meeting.audit_id}/meetings/new/?kind=closing" in html
