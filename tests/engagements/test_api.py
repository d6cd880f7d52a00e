"""The engagements API, links: listed and read from either side, invited, answered, ended and
withdrawn, role by role (the body's roles, the client's, a consultancy's member, an outsider);
bad input is a 4xx naming the field with nothing written; lists do not query per row.

The other endpoints are in test_api_grants.py, test_api_requests.py and test_api_audits.py,
which share the helpers below."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core import mail

from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from pdca.engagements.models import Engagement
from pdca.engagements.services import links
from tests.certification.factories import make_client
from tests.engagements.factories import link, secret_of
from tests.engagements.portfolio.factories import (
    make_consultancy,
    make_engagement,
    make_organization,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
CB_ROLES = [
    Role.CB_MANAGER,
    Role.LEAD_AUDITOR,
    Role.AUDITOR,
    Role.TECHNICAL_EXPERT,
    Role.CERTIFICATION_DECISION_MAKER,
]
CLIENT_ROLES = [Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT, Role.PROCESS_OWNER, Role.EMPLOYEE]
#: A member of a consultancy (not linked to this client by the body), and another org's manager.
STRANGERS = ["consultancy", "outsider"]
EVERYONE = [*CB_ROLES, *CLIENT_ROLES, *STRANGERS]
#: Who reads an engagement (from one side or the other); everyone else gets 404.
READERS = {*CB_ROLES, Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT, Role.PROCESS_OWNER}


def user_of(personas, who: str):
    if who == "outsider":
        return personas.outsider
    if who == "consultancy":
        _consultancy, principal, _ = make_consultancy()
        return principal
    return personas.users[who]


def expect(who: str, allowed: set[str], *, ok: int = 200) -> int:
    """The status `who` gets: `ok` when allowed, 403 for another reader, 404 for the rest."""
    if who in allowed:
        return ok
    return 403 if who in READERS else 404


def post(client, url: str, body: dict[str, Any] | None = None, **headers: str):
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {e["field"] for e in response.json()["errors"]}


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


# --- reading --------------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_an_engagement_is_read_from_either_side_only(client, personas, who):
    engagement = link(personas)
    login(client, user_of(personas, who))
    response = client.get(f"{API}/engagements/{engagement.pk}/")
    assert response.status_code == (200 if who in READERS else 404)
    listed = client.get(f"{API}/engagements/")
    assert ids(listed) == ([engagement.pk] if who in READERS else [])
    if who not in READERS:
        return
    body = response.json()
    assert response.headers["ETag"]
    assert body["status"] == "active"
    assert body["provider"]["slug"] == personas.cb.slug
    assert body["client_organization"]["slug"] == personas.org.slug
    if who in CB_ROLES:
        assert body["side"] == "provider"
        assert body["client_record"]["id"] == engagement.client_id
    else:
        # The body's own record of its client and its notes stay on its side.
        assert body["side"] == "client"
        assert body["client_record"] is None and body["notes"] is None


def test_the_client_does_not_see_an_invitation_before_accepting_it(client, personas):
    invited = links.invite_client(
        personas.cb,
        email=personas.manager.email,
        title="ISO 9001",
        client=make_client(personas.cb),
        actor=personas.users[Role.CB_MANAGER],
    )
    login(client, personas.manager)
    assert client.get(f"{API}/engagements/{invited.engagement.pk}/").status_code == 404
    assert ids(client.get(f"{API}/engagements/")) == []
    login(client, personas.users[Role.AUDITOR])
    assert ids(client.get(f"{API}/engagements/?status=invited&side=provider")) == [
        invited.engagement.pk
    ]
    assert ids(client.get(f"{API}/engagements/?side=client")) == []


def test_list_filters_by_side_status_and_kind(client, personas):
    ended = link(personas, 1)
    links.end_engagement(ended, "Moved", actor=personas.manager)
    active = link(personas, 2)
    consultancy, principal, _ = make_consultancy()
    consulting = make_engagement(consultancy, personas.org, by=principal)
    login(client, personas.manager)
    assert ids(client.get(f"{API}/engagements/")) == [consulting.pk, active.pk, ended.pk]
    assert ids(client.get(f"{API}/engagements/?status=ended")) == [ended.pk]
    assert ids(client.get(f"{API}/engagements/?kind=consultancy")) == [consulting.pk]
    assert ids(client.get(f"{API}/engagements/?side=provider")) == []
    assert fields(client.get(f"{API}/engagements/?status=lost")) == {"status"}


def test_list_query_count_does_not_grow_with_rows(client, personas):
    manager = personas.users[Role.CB_MANAGER]

    def make(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_engagement(
                personas.cb,
                make_organization(f"Client {i}", f"client-{i}"),
                kind=Engagement.Kind.CERTIFICATION,
                client=make_client(personas.cb, i),
                by=manager,
                consultants=[manager],
            )

    login(client, manager)
    make(2, 0)
    small, _ = count_queries(lambda: client.get(f"{API}/engagements/"))
    make(10, 2)
    large, response = count_queries(lambda: client.get(f"{API}/engagements/"))
    assert response.json()["count"] == 12
    assert large == small


# --- inviting and answering -----------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_invite_by_role(client, personas, who):
    record = make_client(personas.cb)
    login(client, user_of(personas, who))
    response = post(
        client,
        f"{API}/engagements/",
        {"email": "Boss@Client.example", "title": "ISO 9001 certification", "client": record.pk},
    )
    if who == Role.CB_MANAGER:
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["url"].startswith("http") and "/engagements/join/" in body["url"]
        assert body["engagement"]["status"] == "invited"
        assert body["engagement"]["invited_email"] == "boss@client.example"
        assert body["engagement"]["client_record"]["id"] == record.pk
        engagement = Engagement.objects.get()
        assert secret_of(body["url"]) not in engagement.token_digest
        return
    if who == "consultancy":
        # Another organization's client record does not exist for it.
        assert fields(response) == {"client"}
    else:
        # Client roles: their organization is no provider; the body's auditors may not link.
        assert response.status_code == (404 if who == Role.EMPLOYEE else 403), response.content
    assert not Engagement.objects.exists()


def test_a_consultancy_invites_without_a_client_record(
    client, personas, django_capture_on_commit_callbacks
):
    _consultancy, principal, assistant = make_consultancy()
    login(client, assistant)
    body = {"email": personas.manager.email, "title": "ISO 9001 implementation"}
    assert post(client, f"{API}/engagements/", body).status_code == 404
    login(client, principal)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"{API}/engagements/", body)
    assert response.status_code == 201, response.content
    assert response.json()["engagement"]["kind"] == "consultancy"
    assert len(mail.outbox) == 1 and response.json()["url"] in mail.outbox[0].body


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"email": "nope", "title": "", "client": None}, {"email", "title", "client"}),
        ({"email": "a@b.example", "title": "x" * 201}, {"title"}),
        ({"email": "a@b.example", "title": "x", "client": 2**63}, {"client"}),
        ({"email": "a@b.example", "title": "x", "client": 999_999}, {"client"}),
        ({"title": "x", "colour": "red"}, {"email", "colour"}),
        ({"email": "a@b.example", "title": "x\x00"}, {"title"}),
    ],
)
def test_bad_invitations_name_the_field_and_write_nothing(client, personas, body, expected):
    login(client, personas.users[Role.CB_MANAGER])
    assert fields(post(client, f"{API}/engagements/", body)) == expected
    assert not Engagement.objects.exists()
    assert not ActivityEntry.objects.filter(object_type="engagements.engagement").exists()


def _invitation(personas) -> tuple[Engagement, str]:
    invited = links.invite_client(
        personas.cb,
        email=personas.manager.email,
        title="ISO 9001 certification",
        client=make_client(personas.cb),
        actor=personas.users[Role.CB_MANAGER],
    )
    return invited.engagement, secret_of(invited.url)


@pytest.mark.parametrize("who", EVERYONE)
def test_only_the_invited_address_accepts(client, personas, who):
    engagement, secret = _invitation(personas)
    login(client, user_of(personas, who))
    lookup = post(client, f"{API}/engagement-invitations/lookup/", {"secret": secret})
    assert lookup.status_code == 200
    assert lookup.json()["provider"]["slug"] == personas.cb.slug
    choices = [o["id"] for o in lookup.json()["organizations"]]
    response = post(
        client,
        f"{API}/engagement-invitations/accept/",
        {"secret": secret, "organization": personas.org.pk},
    )
    engagement.refresh_from_db()
    if who == Role.SYSTEM_MANAGER:
        assert choices == [personas.org.pk]
        assert response.status_code == 200, response.content
        assert response.json()["side"] == "client"
        assert engagement.status == Engagement.Status.ACTIVE
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "other_address"
        assert engagement.status == Engagement.Status.INVITED


def test_accept_names_the_organization_and_answers_once(client, personas):
    engagement, secret = _invitation(personas)
    login(client, personas.manager)
    accept = f"{API}/engagement-invitations/accept/"
    for organization in (personas.cb.pk, personas.other.pk, 2**40):
        body = {"secret": secret, "organization": organization}
        assert fields(post(client, accept, body)) == {"organization"}
    assert fields(post(client, accept, {"secret": "", "organization": 1})) == {"secret"}
    wrong = post(client, accept, {"secret": "wrong", "organization": personas.org.pk})
    assert wrong.status_code == 404
    assert Engagement.objects.get(pk=engagement.pk).status == Engagement.Status.INVITED
    accepted = post(client, accept, {"secret": secret, "organization": personas.org.pk})
    assert accepted.status_code == 200
    again = post(client, f"{API}/engagement-invitations/decline/", {"secret": secret})
    assert again.status_code == 409 and again.json()["code"] == "link_active"


def test_decline(client, personas):
    engagement, secret = _invitation(personas)
    login(client, personas.manager)
    response = post(client, f"{API}/engagement-invitations/decline/", {"secret": secret})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined"
    assert Engagement.objects.get(pk=engagement.pk).status == Engagement.Status.DECLINED


@pytest.mark.parametrize("who", EVERYONE)
def test_withdraw_by_role(client, personas, who):
    engagement, _secret = _invitation(personas)
    login(client, user_of(personas, who))
    response = post(client, f"{API}/engagements/{engagement.pk}/withdraw/")
    engagement.refresh_from_db()
    # The client does not see an invitation it has not accepted.
    expected = 200 if who == Role.CB_MANAGER else 403 if who in CB_ROLES else 404
    assert response.status_code == expected, response.content
    assert engagement.status == ("withdrawn" if expected == 200 else "invited")


# --- ending ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_end_by_role(client, personas, who):
    engagement = link(personas)
    login(client, user_of(personas, who))
    response = post(client, f"{API}/engagements/{engagement.pk}/end/", {"reason": "Contract over"})
    engagement.refresh_from_db()
    managers = {Role.CB_MANAGER, Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT}
    assert response.status_code == expect(who, managers), response.content
    if response.status_code == 200:
        assert response.json()["status"] == "ended"
        assert engagement.end_reason == "Contract over"
    else:
        assert engagement.status == Engagement.Status.ACTIVE


def test_end_needs_a_reason_and_a_current_version(client, personas):
    engagement = link(personas)
    login(client, personas.manager)
    url = f"{API}/engagements/{engagement.pk}/end/"
    assert fields(post(client, url, {"reason": ""})) == {"reason"}
    assert fields(post(client, url, {})) == {"reason"}
    etag = client.get(f"{API}/engagements/{engagement.pk}/").headers["ETag"]
    # Someone changes the link meanwhile.
    later = engagement.updated_at + dt.timedelta(seconds=1)
    Engagement.objects.filter(pk=engagement.pk).update(title="Renamed", updated_at=later)
    stale = post(client, url, {"reason": "Over"}, HTTP_IF_MATCH=etag)
    assert stale.status_code == 412, stale.content
    assert Engagement.objects.get(pk=engagement.pk).status == Engagement.Status.ACTIVE
    fresh = client.get(f"{API}/engagements/{engagement.pk}/").headers["ETag"]
    assert post(client, url, {"reason": "Over"}, HTTP_IF_MATCH=fresh).status_code == 200
    assert post(client, url, {"reason": "Again"}).status_code == 409


# --- a consultancy's dates ------------------------------------------------------------------


@pytest.mark.parametrize("who", [*EVERYONE, "assistant"])
def test_consultancy_dates_by_role(client, personas, who):
    consultancy, principal, assistant = make_consultancy("Tidy Systems", "tidy")
    engagement = make_engagement(consultancy, personas.org, by=principal)
    user = principal if who == "consultancy" else assistant if who == "assistant" else None
    login(client, user or user_of(personas, who))
    response = client.put(
        f"{API}/engagements/{engagement.pk}/consultancy/",
        {"started_on": "2025-01-10", "ended_on": None, "consultants": [principal.pk]},
        content_type="application/json",
    )
    engagement.refresh_from_db()
    client_readers = {Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT, Role.PROCESS_OWNER}
    if who == "consultancy":
        assert response.status_code == 200, response.content
        assert response.json()["consultants"] == [principal.email]
        assert str(engagement.started_on) == "2025-01-10"
    else:
        assert response.status_code == (403 if who in client_readers else 404), response.content
        assert engagement.started_on is None


def test_consultants_must_be_members_of_the_consultancy(client, personas):
    consultancy, principal, _ = make_consultancy()
    engagement = make_engagement(consultancy, personas.org, by=principal)
    login(client, principal)
    url = f"{API}/engagements/{engagement.pk}/consultancy/"
    body = {"started_on": "2025-01-10", "consultants": [personas.outsider.pk]}
    response = client.put(url, body, content_type="application/json")
    assert fields(response) == {"consultants"}
    # The refusal does not name another organization's user.
    assert personas.outsider.email not in response.content.decode()
    body = {"started_on": "2025-03-10", "ended_on": "2025-01-10"}
    assert fields(client.put(url, body, content_type="application/json")) == {"ended_on"}
    engagement.refresh_from_db()
    assert engagement.started_on is None
    cb_link = link(personas)
    login(client, personas.users[Role.CB_MANAGER])
    response = client.put(
        f"{API}/engagements/{cb_link.pk}/consultancy/", {}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "not_consultancy"
