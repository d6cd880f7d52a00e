"""Who reaches the rehearsal's pages and API: each role of the client, an outsider from
another organization (404), and a certification body's members with an open grant (allowed,
each read logged in the client's activity log) or with an expired, revoked or not yet started
grant, or none (404)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.certification.permissions import MEMBERS as CB_MEMBERS
from pdca.core.models import ActivityEntry
from pdca.core.roles import ORGANIZATION_ROLES
from pdca.core.testing.api_bundle import login
from pdca.engagements.models import Engagement, Rehearsal
from pdca.engagements.permissions import CLIENT_READERS, REHEARSERS
from pdca.engagements.rehearsal.services import run_rehearsal

from .factories import QMS, make_engagement, make_grant, make_system, open_grant

pytestmark = pytest.mark.usefixtures("catalog")

DAY = dt.timedelta(days=1)


@pytest.fixture
def world(personas):
    system = make_system(personas.org, (QMS,))
    return system, run_rehearsal(system, actor=personas.manager)


def reads(system, run) -> dict[str, str]:
    return {
        "page": f"/rehearsal/systems/{system.pk}/",
        "detail": f"/rehearsal/runs/{run.pk}/",
        "pdf": f"/rehearsal/runs/{run.pk}/pdf/",
        "api list": f"/api/v1/systems/{system.pk}/rehearsals/",
        "api detail": f"/api/v1/rehearsals/{run.pk}/",
        "api pdf": f"/api/v1/rehearsals/{run.pk}/pdf/",
    }


def runs(client, system) -> tuple[int, int]:
    page = client.post(f"/rehearsal/systems/{system.pk}/run/")
    api = client.post(f"/api/v1/systems/{system.pk}/rehearsals/")
    return page.status_code, api.status_code


def access_entries(org):
    return ActivityEntry.objects.filter(organization=org, action__in=["view", "download"])


# --- the client's own members ---------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(ORGANIZATION_ROLES))
def test_each_role_of_the_client(client, personas, world, role):
    system, run = world
    login(client, personas.users[role])
    expected = 200 if role in CLIENT_READERS else 403
    for name, url in reads(system, run).items():
        assert client.get(url).status_code == expected, name
    page, api = runs(client, system)
    if role in REHEARSERS:
        assert (page, api) == (302, 201)
        assert Rehearsal.objects.filter(system=system).count() == 3
    else:
        assert (page, api) == (403, 403)
        assert Rehearsal.objects.filter(system=system).count() == 1
    assert not access_entries(personas.org).exists()  # a member's own reads are not logged


def test_running_from_the_page_shows_the_new_run(client, personas, world):
    system, _ = world
    login(client, personas.manager)
    response = client.post(f"/rehearsal/systems/{system.pk}/run/", follow=True)
    latest = Rehearsal.objects.filter(system=system).latest("run_at", "pk")
    assert response.redirect_chain[-1][0] == f"/rehearsal/runs/{latest.pk}/"
    assert "Rehearsal run:" in response.content.decode()


def test_the_run_is_a_post(client, personas, world):
    system, _ = world
    login(client, personas.manager)
    assert client.get(f"/rehearsal/systems/{system.pk}/run/").status_code == 405


def test_an_outsider_finds_nothing(client, personas, world):
    system, run = world
    login(client, personas.outsider)
    for name, url in reads(system, run).items():
        assert client.get(url).status_code == 404, name
    assert runs(client, system) == (404, 404)
    assert "Integrated management system" not in client.get("/rehearsal/").content.decode()


def test_unknown_ids_are_404(client, personas):
    login(client, personas.manager)
    for url in ("/rehearsal/systems/999999/", "/rehearsal/runs/999999/"):
        assert client.get(url).status_code == 404
    for url in ("/api/v1/systems/999999/rehearsals/", "/api/v1/rehearsals/999999/"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert client.get(f"/api/v1/rehearsals/{2**70}/").status_code == 422


def test_anonymous_callers(client, world):
    system, run = world
    for name, url in reads(system, run).items():
        response = client.get(url)
        if name.startswith("api"):
            assert response.status_code == 401, name
        else:
            assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get("/api/v1/rehearsal-rules/").status_code == 401


def test_a_system_without_standard_is_a_clear_422(client, personas):
    from pdca.system.models import ManagementSystem

    system = ManagementSystem.objects.create(organization=personas.org, name="Empty")
    login(client, personas.manager)
    response = client.post(f"/api/v1/systems/{system.pk}/rehearsals/")
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "system",
        "message": "The system adopts no standard yet: adopt one before rehearsing stage 1.",
        "code": "no_standards",
    }
    page = client.post(f"/rehearsal/systems/{system.pk}/run/", follow=True)
    assert "adopts no standard yet" in page.content.decode()
    assert not Rehearsal.objects.filter(system=system).exists()


# --- a certification body ---------------------------------------------------------------------


@pytest.mark.parametrize("role", sorted(CB_MEMBERS))
def test_a_body_member_with_an_open_grant_runs_and_reads_and_is_logged(
    client, personas, world, role
):
    system, client_run = world
    grant = open_grant(personas, system)
    login(client, personas.users[role])
    response = client.post(f"/api/v1/systems/{system.pk}/rehearsals/")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["run_for"] == personas.cb.slug and body["grant_id"] == grant.pk
    own = Rehearsal.objects.get(pk=body["id"])
    before = access_entries(personas.org).count()
    assert before == 1  # the run's result was read
    for name, url in reads(system, own).items():
        assert client.get(url).status_code == 200, name
    entries = list(access_entries(personas.org).order_by("seq")[before:])
    assert len(entries) == 6
    assert {e.action for e in entries} == {"view", "download"}
    assert all(f"under grant G-{grant.pk}" in e.message for e in entries)
    assert all(e.actor == personas.users[role] for e in entries)
    # Only the body's own runs: the client's run is not theirs to read.
    listed = client.get(f"/api/v1/systems/{system.pk}/rehearsals/").json()
    assert [r["id"] for r in listed["items"]] == [own.pk]
    assert client.get(f"/rehearsal/runs/{client_run.pk}/").status_code == 404
    assert client.get(f"/api/v1/rehearsals/{client_run.pk}/").status_code == 404
    assert client.post(f"/rehearsal/systems/{system.pk}/run/").status_code == 302
    assert system.name in client.get("/rehearsal/").content.decode()


def test_the_client_sees_the_bodys_runs(client, personas, world):
    system, _ = world
    open_grant(personas, system)
    theirs = run_rehearsal(system, actor=personas.users["auditor"])
    login(client, personas.manager)
    listed = client.get(f"/api/v1/systems/{system.pk}/rehearsals/").json()
    assert listed["count"] == 2 and listed["items"][0]["run_for"] == personas.cb.slug
    page = client.get(f"/rehearsal/runs/{theirs.pk}/")
    assert page.status_code == 200 and f"for {personas.cb}" in page.content.decode()


def closed_grants(personas, system, state: str) -> None:
    if state == "no grant":
        return
    if state == "engagement ended":
        engagement = make_engagement(personas.cb, personas.org, personas.users["cb_manager"])
        make_grant(engagement, system, personas.manager)
        Engagement.objects.filter(pk=engagement.pk).update(status="ended")
        return
    if state == "another system named":
        other = make_system(personas.org, (QMS,), name="Another system")
        open_grant(personas, other)
        return
    shape = {
        "expired": {"starts": -30 * DAY, "ends": -DAY},
        "revoked": {"revoked": True},
        "not yet started": {"starts": DAY, "ends": 30 * DAY},
    }[state]
    open_grant(personas, system, **shape)


@pytest.mark.parametrize(
    "state",
    [
        "expired",
        "revoked",
        "not yet started",
        "no grant",
        "engagement ended",
        "another system named",
    ],
)
def test_a_body_member_without_an_open_grant_finds_nothing(client, personas, world, state):
    system, run = world
    closed_grants(personas, system, state)
    login(client, personas.users["lead_auditor"])
    for name, url in reads(system, run).items():
        assert client.get(url).status_code == 404, name
    assert runs(client, system) == (404, 404)
    assert Rehearsal.objects.filter(system=system).count() == 1
    assert not access_entries(personas.org).exists()


def test_access_ends_the_second_the_grant_is_revoked_or_expires(client, personas, world):
    system, _ = world
    grant = open_grant(personas, system)
    theirs = run_rehearsal(system, actor=personas.users["lead_auditor"])
    login(client, personas.users["lead_auditor"])
    url = f"/api/v1/rehearsals/{theirs.pk}/"
    assert client.get(url).status_code == 200
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    assert client.get(url).status_code == 404
    assert client.get(f"/rehearsal/runs/{theirs.pk}/").status_code == 404
    grant.revoked_at = None
    grant.ends_at = timezone.now() - dt.timedelta(seconds=1)
    grant.save(update_fields=["revoked_at", "ends_at"])
    assert client.get(url).status_code == 404


def test_a_body_admin_outside_the_auditing_roles_finds_nothing(client, personas, world):
    from pdca.accounts.models import User

    system, run = world
    open_grant(personas, system)
    login(client, User.objects.get(email="admin@cb.example"))
    for name, url in reads(system, run).items():
        assert client.get(url).status_code == 404, name


# --- the rules --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["employee", "lead_auditor"])
def test_the_rules_are_readable_by_every_member(client, personas, role):
    login(client, personas.users[role])
    data = client.get("/api/v1/rehearsal-rules/").json()
    assert data["count"] == len(data["rules"]) >= 20 and len(data["digest"]) == 64
    assert {"code", "clause", "grade", "fix", "provisional"} <= set(data["rules"][0])
    page = client.get("/rehearsal/rules/")
    assert page.status_code == 200 and 'id="rule-DOC-01"' in page.content.decode()
