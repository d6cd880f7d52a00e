"""The auditor pool and team selection: pages, API and CLI, with the permission matrix (each
role of the certification body, an implementing organization and an outsider), refusals
naming the reason, and query counts that do not grow with the pool."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from pdca.accounts.models import User
from pdca.audits.models import AuditTeamMember
from pdca.audits.permissions import AUDITORS
from pdca.certification.models import ConflictOfInterest
from pdca.certification.permissions import MEMBERS
from pdca.cli import app
from pdca.core.roles import ALL_ROLES, Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from pdca.people.models import TrainingRecord
from pdca.tenancy.models import Membership
from tests.certification.auditor_factories import make_cycle, make_cycle_audit, qualify
from tests.certification.factories import make_client

pytestmark = pytest.mark.django_db

ROLES = sorted(ALL_ROLES)
AUDIT_DAY = dt.date(2027, 3, 10)


@pytest.fixture
def pool(personas):
    """A cycle audit of the body with a lead who led it, a qualified auditor, a conflicted
    expert, and a training record."""
    cb = personas.cb
    client = make_client(cb)
    cycle = make_cycle(cb, client)
    lead = personas.users[Role.LEAD_AUDITOR]
    cycle_audit = make_cycle_audit(cycle, start=AUDIT_DAY, days=3, lead=lead)
    qualify(cb, lead, expires_on=dt.date(2028, 1, 1))
    qualify(cb, personas.users[Role.AUDITOR], kind="auditor")
    ConflictOfInterest.objects.create(
        organization=cb,
        person=personas.users[Role.TECHNICAL_EXPERT],
        client=client,
        kind="relationship",
        description="married to the quality manager",
        declared_on=dt.date(2026, 1, 1),
    )
    TrainingRecord.objects.create(
        organization=cb, person=lead, title="Lead auditor course", completed_on=dt.date(2025, 5, 1)
    )
    return cycle_audit


def _user(personas, role):
    return personas.users[role]


@pytest.mark.parametrize("role", ROLES)
def test_pool_page_for_every_role(client, personas, pool, role):
    login(client, _user(personas, role))
    response = client.get("/cb/auditors/")
    in_cb = role in MEMBERS and personas.org_for(role) == personas.cb
    assert response.status_code == (200 if in_cb else 403)
    if in_cb:
        html = response.content.decode()
        assert "Lead Auditor CB" in html
        assert "3 days" in html


def test_outsider_sees_no_pool(client, personas, pool):
    login(client, personas.outsider)
    assert client.get("/cb/auditors/").status_code == 403
    assert client.get(f"/cb/auditors/{personas.users[Role.LEAD_AUDITOR].pk}/").status_code == 403
    assert client.get(f"/cb/cycle-audits/{pool.pk}/team/").status_code == 404
    response = client.get("/api/v1/cb/auditors/")
    assert response.status_code == 404


def test_auditor_page_shows_log_days_and_conflicts(client, personas, pool):
    login(client, personas.users[Role.CB_MANAGER])
    lead = personas.users[Role.LEAD_AUDITOR]
    html = client.get(f"/cb/auditors/{lead.pk}/").content.decode()
    assert "Lead auditor" in html and "2028-01-01" in html
    assert pool.cycle.client.name in html
    assert "1 training record" in html
    expert = personas.users[Role.TECHNICAL_EXPERT]
    html = client.get(f"/cb/auditors/{expert.pk}/").content.decode()
    assert "married to the quality manager" in html
    # Someone outside the pool (an implementer's member) is not found.
    assert client.get(f"/cb/auditors/{personas.manager.pk}/").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_team_page_and_adding_for_every_role(client, personas, pool, role):
    login(client, _user(personas, role))
    in_cb = personas.org_for(role) == personas.cb
    response = client.get(f"/cb/cycle-audits/{pool.pk}/team/?role=auditor")
    assert response.status_code == (200 if in_cb else 404)
    auditor = personas.users[Role.AUDITOR]
    response = client.post(
        f"/cb/cycle-audits/{pool.pk}/team/add/", {"user": auditor.pk, "role": "auditor"}
    )
    joined = AuditTeamMember.objects.filter(audit=pool.audit, user=auditor).exists()
    if not in_cb:
        assert response.status_code == 404
    elif role in AUDITORS:
        assert response.status_code == 302 and joined
    else:
        assert response.status_code == 403 and not joined


def test_adding_a_conflicted_expert_on_the_page_shows_the_reason(client, personas, pool):
    login(client, personas.users[Role.CB_MANAGER])
    expert = personas.users[Role.TECHNICAL_EXPERT]
    response = client.post(
        f"/cb/cycle-audits/{pool.pk}/team/add/",
        {"user": expert.pk, "role": "expert"},
        follow=True,
    )
    assert "married to the quality manager" in response.content.decode()
    assert not AuditTeamMember.objects.filter(audit=pool.audit, user=expert).exists()


def test_team_page_for_an_unscheduled_audit_and_bad_input(client, personas, pool):
    login(client, personas.users[Role.CB_MANAGER])
    pool.audit = None
    pool.save()
    assert client.get(f"/cb/cycle-audits/{pool.pk}/team/").status_code == 404
    assert client.get("/cb/cycle-audits/999999/team/").status_code == 404


def test_team_add_with_bad_person(client, personas, pool):
    login(client, personas.users[Role.CB_MANAGER])
    url = f"/cb/cycle-audits/{pool.pk}/team/add/"
    assert client.post(url, {"user": "x", "role": "auditor"}).status_code == 404
    assert client.post(url, {"user": personas.outsider.pk, "role": "auditor"}).status_code == 404
    assert AuditTeamMember.objects.filter(audit=pool.audit).count() == 1


def test_pool_page_queries_do_not_grow(client, personas, pool):
    login(client, personas.users[Role.CB_MANAGER])
    cb = personas.cb

    def grow(start: int, n: int) -> None:
        for i in range(start, start + n):
            user = User.objects.create_user(email=f"pool{i}@cb.example", password="x")
            Membership.objects.create(organization=cb, user=user, role=Role.AUDITOR)
            qualify(cb, user, kind="auditor")
            audit = make_cycle_audit(pool.cycle, start=AUDIT_DAY + dt.timedelta(days=i + 5))
            AuditTeamMember.objects.create(
                organization=cb, audit=audit.audit, user=user, role="auditor"
            )

    grow(0, 2)
    small, _ = count_queries(lambda: client.get("/cb/auditors/"))
    grow(10, 10)
    large, response = count_queries(lambda: client.get("/cb/auditors/"))
    assert response.status_code == 200
    assert small == large


@pytest.mark.parametrize("role", ROLES)
def test_api_pool_for_every_role(client, personas, pool, role):
    login(client, _user(personas, role))
    response = client.get("/api/v1/cb/auditors/?organization=cb")
    in_cb = personas.org_for(role) == personas.cb
    assert response.status_code == (200 if in_cb else 404)
    if in_cb:
        lead = next(row for row in response.json() if row["role"] == "lead_auditor")
        assert lead["audits"] == 1 and lead["days"] == 3
        assert lead["days_by"] == [{"standard": "iso9001-2015", "role": "Lead auditor", "days": 3}]
        assert lead["qualifications"][0]["kind"] == "lead_auditor"


def test_api_auditor_detail_and_candidates(client, personas, pool):
    login(client, personas.users[Role.LEAD_AUDITOR])
    expert = personas.users[Role.TECHNICAL_EXPERT]
    detail = client.get(f"/api/v1/cb/auditors/{expert.pk}/?organization=cb").json()
    assert detail["conflicts"][0]["kind"] == "relationship"
    assert client.get("/api/v1/cb/auditors/999999/?organization=cb").status_code == 404
    rows = client.get(f"/api/v1/cb/cycle-audits/{pool.pk}/candidates/?role=lead").json()
    by_email = {row["email"]: row for row in rows}
    assert by_email[expert.email]["conflicts"]
    assert by_email[personas.users[Role.LEAD_AUDITOR].email]["on_team"] is True
    assert client.get(f"/api/v1/cb/cycle-audits/{pool.pk}/candidates/?role=boss").status_code == 422


def test_api_add_team_member_refuses_a_conflict(client, personas, pool):
    login(client, personas.users[Role.CB_MANAGER])
    url = f"/api/v1/cb/cycle-audits/{pool.pk}/team/"
    expert = personas.users[Role.TECHNICAL_EXPERT]
    refused = client.post(
        url, {"user": expert.pk, "role": "expert"}, content_type="application/json"
    )
    assert refused.status_code == 422
    assert "married to the quality manager" in json.dumps(refused.json())
    auditor = personas.users[Role.AUDITOR]
    added = client.post(
        url, {"user": auditor.pk, "role": "auditor"}, content_type="application/json"
    )
    assert added.status_code == 201 and added.json()["role"] == "auditor"
    bad = client.post(url, {"user": auditor.pk, "role": "boss"}, content_type="application/json")
    assert bad.status_code == 422
    stranger = client.post(
        url, {"user": personas.outsider.pk, "role": "auditor"}, content_type="application/json"
    )
    assert stranger.status_code == 422


def test_api_team_of_another_organization_is_not_found(client, personas, pool):
    login(client, personas.manager)
    url = f"/api/v1/cb/cycle-audits/{pool.pk}/team/"
    response = client.post(
        url, {"user": personas.manager.pk, "role": "auditor"}, content_type="application/json"
    )
    assert response.status_code == 404
    assert client.get(f"/api/v1/cb/cycle-audits/{pool.pk}/candidates/").status_code == 404


def run(*args):
    return CliRunner().invoke(app, ["cb", *(str(a) for a in args)], prog_name="pdca")


def test_cli_lists_shows_and_selects(personas, pool):
    listed = run("auditors", "list", "--org", "cb", "--format", "json")
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert any(row["email"] == "lead_auditor@cb.example" and row["days"] == 3 for row in rows)
    shown = run("auditors", "show", "lead_auditor@cb.example", "--org", "cb", "--format", "json")
    assert json.loads(shown.output)["log"][0]["days"] == 3
    assert run("auditors", "show", "nobody@cb.example", "--org", "cb").exit_code == 1
    found = run(
        "team", "candidates", pool.pk, "--org", "cb", "--role", "expert", "--format", "json"
    )
    assert any(row["conflicts"] for row in json.loads(found.output))
    refused = run(
        "team",
        "add",
        pool.pk,
        "technical_expert@cb.example",
        "--org",
        "cb",
        "--role",
        "expert",
        "--as",
        "cb_manager@cb.example",
    )
    assert refused.exit_code == 1 and "married to the quality manager" in refused.output
    added = run(
        "team", "add", pool.pk, "auditor@cb.example", "--org", "cb", "--as", "cb_manager@cb.example"
    )
    assert added.exit_code == 0, added.output
    assert AuditTeamMember.objects.filter(
        audit=pool.audit, user__email="auditor@cb.example"
    ).exists()
    assert run("team", "add", pool.pk, "auditor@cb.example", "--org", "cb").exit_code == 2
    table = run("team", "candidates", pool.pk, "--org", "cb", "--role", "expert")
    assert "married to the quality manager" in table.output
    assert "lead_auditor@cb.example" in run("auditors", "list", "--org", "cb").output
    assert run("team", "candidates", 999999, "--org", "cb").exit_code == 1
    assert run("team", "candidates", pool.pk, "--org", "cb", "--role", "boss").exit_code == 2
