"""An audit's team: the permission matrix of its API and pages, and its rules (members only,
once each, the lead role moves the audit's lead auditor, no removal while planned)."""

from __future__ import annotations

import pytest

from pdca.audits import services
from pdca.audits.models import Audit, AuditTeamMember
from pdca.core.exceptions import Conflict, ValidationFailed
from pdca.core.models import ActivityEntry
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing import ApiBundle, ViewBundle
from pdca.core.testing.api_bundle import login
from tests.audits.test_audit_register import AUDITORS, host_audit, make_audit, make_member
from tests.audits.test_states import plan_slot

pytestmark = pytest.mark.django_db


def make_team_member(org, index: int = 0, role: str = "auditor") -> AuditTeamMember:
    user = make_member(org, f"Team Member {index:02d}")
    return AuditTeamMember.objects.create(
        organization=org, audit=host_audit(org), user=user, role=role
    )


class TestTeamMemberApi(ApiBundle):
    model = AuditTeamMember
    url = "/api/v1/audit-team-members/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = AUDITORS
    update_payload = {"role": "observer"}
    invalid_payloads = [
        ({"role": "boss"}, "role"),
        ({"role": None}, "role"),
    ]

    def make(self, org, index=0):
        return make_team_member(org, index)

    def create_payload(self, org):
        user = make_member(org, "New Auditor")
        return {"audit": host_audit(org).pk, "user": user.pk, "role": "auditor"}


class TestTeamMemberPages(ViewBundle):
    model = AuditTeamMember
    list_url = "/audits/"
    view_roles = ALL_ROLES
    add_roles = change_roles = delete_roles = AUDITORS
    invalid_form_data = [
        ({"user": "", "role": "auditor"}, "user"),
        (lambda org: {"user": make_member(org, "Someone").pk, "role": "boss"}, "role"),
    ]

    def make(self, org, index=0):
        return make_team_member(org, index)

    def list_url_for(self, obj):
        return f"/audits/{obj.audit_id}/"

    def list_text(self, obj):
        return obj.user.full_name

    def create_url_for(self, org):
        return f"/audits/{host_audit(org).pk}/team/add/"

    def form_data(self, org):
        return {"user": make_member(org, "New Auditor").pk, "role": "auditor"}

    def edit_data(self, obj):
        return {"role": "observer"}

    def edit_url(self, obj):
        return f"/audits/team/{obj.pk}/edit/"

    def delete_url(self, obj):
        return f"/audits/team/{obj.pk}/delete/"


# --- rules ---------------------------------------------------------------------------------------


def test_the_lead_role_moves_the_audits_lead_auditor(personas):
    org, manager = personas.org, personas.manager
    audit = make_audit(org)
    first = make_member(org, "First Lead")
    second = make_member(org, "Second Lead")
    a = services.add_team_member(audit, first, "lead", actor=manager)
    audit.refresh_from_db()
    assert audit.lead_auditor == first
    b = services.add_team_member(audit, second, "lead", actor=manager)
    audit.refresh_from_db()
    a.refresh_from_db()
    assert (audit.lead_auditor, a.role, b.role) == (second, "auditor", "lead")
    services.update_team_member(b, actor=manager, role="auditor")
    audit.refresh_from_db()
    assert audit.lead_auditor is None
    services.update_team_member(a, actor=manager, role="lead")
    audit.refresh_from_db()
    assert audit.lead_auditor == first
    services.remove_team_member(a, actor=manager)
    audit.refresh_from_db()
    assert audit.lead_auditor is None
    changes = [
        e.changes["lead_auditor"]
        for e in ActivityEntry.objects.filter(object_type="audits.audit").order_by("seq")
    ]
    assert changes == [
        [None, first.pk],
        [first.pk, second.pk],
        [second.pk, None],
        [None, first.pk],
        [first.pk, None],
    ]


def test_members_only_and_once(personas):
    audit = make_audit(personas.org)
    with pytest.raises(ValidationFailed) as exc:
        services.add_team_member(audit, personas.outsider, "auditor", actor=personas.manager)
    assert [(e.field, e.message) for e in exc.value.errors] == [
        ("user", "Outsider B is not a member of this organization.")
    ]
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    services.add_team_member(audit, auditor, "auditor", actor=personas.manager)
    with pytest.raises(ValidationFailed) as exc:
        services.add_team_member(audit, auditor, "observer", actor=personas.manager)
    assert exc.value.errors[0].message == "Internal Auditor A is already on the team."
    assert audit.team.count() == 1


def test_a_member_with_plan_slots_cannot_be_removed(personas):
    audit = make_audit(personas.org)
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    member = services.add_team_member(audit, auditor, "auditor", actor=personas.manager)
    slot = plan_slot(audit)
    slot.auditor = auditor
    slot.save()
    with pytest.raises(Conflict) as exc:
        services.remove_team_member(member, actor=personas.manager)
    assert exc.value.message == (
        "Internal Auditor A audits 1 item(s) of the plan; give them to someone else first."
    )
    assert AuditTeamMember.objects.filter(pk=member.pk).exists()


def test_the_team_is_frozen_once_the_report_is_issued(personas):
    audit = make_audit(personas.org, status=Audit.Status.REPORT_ISSUED)
    with pytest.raises(Conflict) as exc:
        services.add_team_member(
            audit, personas.users[Role.INTERNAL_AUDITOR], "auditor", actor=personas.manager
        )
    assert exc.value.code == "audit_frozen"
    assert not audit.team.exists()


def test_nested_team_endpoints(client, personas):
    audit = make_audit(personas.org)
    auditor = personas.users[Role.INTERNAL_AUDITOR]
    login(client, personas.manager)
    url = f"/api/v1/audits/{audit.pk}/team/"
    response = client.post(
        url, {"user": auditor.pk, "role": "lead"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    member = AuditTeamMember.objects.get()
    assert body["id"] == member.pk
    assert (body["user"], body["email"], body["name"], body["role"]) == (
        auditor.pk,
        "internal_auditor@a.example",
        "Internal Auditor A",
        "lead",
    )
    assert [row["id"] for row in client.get(url).json()["items"]] == [member.pk]
    login(client, personas.outsider)
    assert client.get(url).status_code == 404
    assert client.delete(f"{url}{member.pk}/").status_code == 404
    login(client, personas.employee)
    assert client.get(url).status_code == 200
    assert client.delete(f"{url}{member.pk}/").status_code == 403
    login(client, personas.manager)
    assert client.delete(f"{url}{member.pk}/").status_code == 204
    assert not AuditTeamMember.objects.exists()
    audit.refresh_from_db()
    assert audit.lead_auditor is None


def test_create_names_an_unknown_or_foreign_user(client, personas):
    audit = make_audit(personas.org)
    login(client, personas.manager)
    for user_id, message in (
        (999999, "No such member."),
        (personas.outsider.pk, "Outsider B is not a member of this organization."),
    ):
        response = client.post(
            "/api/v1/audit-team-members/",
            {"audit": audit.pk, "user": user_id},
            content_type="application/json",
        )
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "user", "message": message, "code": response.json()["errors"][0]["code"]}
        ]
    assert not AuditTeamMember.objects.exists()
