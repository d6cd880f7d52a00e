"""The engagements API, grants and the provider's reads under them: the client grants and
revokes, both sides list grants, only the client reads the access log; the body reads what an
open grant names (each read logged) and gets 404 the second the grant expires or is revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from pdca.documents.models import DocumentVersion
from pdca.engagements.models import AccessGrant
from pdca.engagements.services import grants as grant_services
from pdca.engagements.services import shared
from tests.engagements.factories import document, evidence, expire, grant, link
from tests.engagements.test_api import (
    API,
    CB_ROLES,
    EVERYONE,
    expect,
    fields,
    ids,
    post,
    user_of,
)

pytestmark = pytest.mark.django_db

GRANTORS = {Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT}
CLIENT_READERS = {Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT, Role.PROCESS_OWNER}


def until(days: int = 7) -> str:
    return (timezone.now() + dt.timedelta(days=days)).isoformat()


@pytest.mark.parametrize("who", EVERYONE)
def test_grant_by_role(client, personas, who):
    engagement = link(personas)
    doc = document(personas.org)
    login(client, user_of(personas, who))
    response = post(
        client,
        f"{API}/engagements/{engagement.pk}/grants/",
        {"purpose": "Stage 1", "ends_at": until(), "documents": [doc.pk], "registers": ["risks"]},
    )
    assert response.status_code == expect(who, GRANTORS, ok=201), response.content
    if response.status_code == 201:
        body = response.json()
        assert body["status"] == "active"
        assert [d["code"] for d in body["documents"]] == ["QM-01"]
        assert body["registers"][0]["slug"] == "risks"
        assert AccessGrant.objects.get().granted_by == user_of(personas, who)
    else:
        assert not AccessGrant.objects.exists()


@pytest.mark.parametrize("who", EVERYONE)
def test_grants_and_their_log_by_role(client, personas, who):
    engagement = link(personas)
    doc = document(personas.org)
    granted = grant(engagement, personas, documents=[doc.pk])
    shared.read_document(engagement, doc.pk, actor=personas.users[Role.AUDITOR])
    login(client, user_of(personas, who))
    listed = client.get(f"{API}/engagements/{engagement.pk}/grants/")
    detail = client.get(f"{API}/access-grants/{granted.pk}/")
    log = client.get(f"{API}/access-grants/{granted.pk}/access-log/")
    assert listed.status_code == detail.status_code == expect(who, set(CB_ROLES) | CLIENT_READERS)
    assert log.status_code == expect(who, CLIENT_READERS)
    if who in CLIENT_READERS:
        assert ids(listed) == [granted.pk]
        assert detail.json()["reads"] == 1
        assert detail.json()["access_log"][0]["by"] == personas.users[Role.AUDITOR].email
        assert [r["action"] for r in log.json()["items"]] == ["view"]
    elif who in CB_ROLES:
        # The body knows what it may read, not the client's log of it.
        assert detail.json()["access_log"] is None and detail.json()["reads"] is None


@pytest.mark.parametrize("who", EVERYONE)
def test_revoke_by_role(client, personas, who):
    engagement = link(personas)
    granted = grant(engagement, personas, documents=[document(personas.org).pk])
    login(client, user_of(personas, who))
    response = post(client, f"{API}/access-grants/{granted.pk}/revoke/", {"reason": "Done"})
    granted.refresh_from_db()
    assert response.status_code == expect(who, GRANTORS), response.content
    if response.status_code == 200:
        assert response.json()["status"] == "revoked"
        assert granted.revoke_reason == "Done"
    else:
        assert granted.revoked_at is None


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"purpose": "", "ends_at": until()}, {"purpose"}),
        ({"purpose": "x", "ends_at": until(-1), "documents": ["DOC"]}, {"documents.0"}),
        ({"purpose": "x", "ends_at": until(-1)}, {"ends_at"}),
        ({"purpose": "x", "ends_at": until(500)}, {"ends_at"}),
        ({"purpose": "x", "ends_at": "2030-01-01T10:00:00"}, {"ends_at"}),  # no time zone
        ({"purpose": "x", "ends_at": until(), "registers": ["nope"]}, {"registers"}),
        ({"purpose": "x", "ends_at": until(), "registers": ["Bad Slug"]}, {"registers.0"}),
        ({"purpose": "x", "ends_at": until(), "system": 999_999}, {"system"}),
        ({"purpose": "x", "ends_at": until()}, {"documents"}),  # nothing chosen
        ({"purpose": "x", "ends_at": until(), "documents": [1], "extra": 1}, {"extra"}),
    ],
)
def test_bad_grants_name_the_field_and_write_nothing(client, personas, body, expected):
    engagement = link(personas)
    login(client, personas.manager)
    response = post(client, f"{API}/engagements/{engagement.pk}/grants/", body)
    assert fields(response) == expected
    assert not AccessGrant.objects.exists()


def test_another_organizations_items_are_unknown_to_a_grant(client, personas):
    engagement = link(personas)
    foreign = document(personas.other, "X-1", author=personas.outsider)
    login(client, personas.manager)
    body = {"purpose": "x", "ends_at": until(), "documents": [foreign.pk]}
    response = post(client, f"{API}/engagements/{engagement.pk}/grants/", body)
    assert fields(response) == {"documents"}
    assert not AccessGrant.objects.exists()


def test_revoke_needs_a_reason_and_a_current_version(client, personas):
    engagement = link(personas)
    granted = grant(engagement, personas, documents=[document(personas.org).pk])
    login(client, personas.manager)
    url = f"{API}/access-grants/{granted.pk}/revoke/"
    assert fields(post(client, url, {"reason": " "})) == {"reason"}
    etag = client.get(f"{API}/access-grants/{granted.pk}/").headers["ETag"]
    later = granted.updated_at + dt.timedelta(seconds=1)
    AccessGrant.objects.filter(pk=granted.pk).update(purpose="Stage 2", updated_at=later)
    assert post(client, url, {"reason": "Done"}, HTTP_IF_MATCH=etag).status_code == 412
    assert AccessGrant.objects.get(pk=granted.pk).revoked_at is None
    assert post(client, url, {"reason": "Done"}).status_code == 200
    assert post(client, url, {"reason": "Again"}).status_code == 409


def test_grant_lists_do_not_query_per_row(client, personas):
    engagement = link(personas)
    docs = [document(personas.org, f"QM-{i:02d}").pk for i in range(3)]
    files = [evidence(personas, f"r{i}.txt", f"record {i}".encode()).pk for i in range(3)]

    def make(n: int) -> None:
        for _ in range(n):
            g = grant(engagement, personas, documents=docs, evidence=files, registers=["risks"])
            shared.read_document(engagement, docs[0], actor=personas.users[Role.AUDITOR])
            g.versions.set(list(DocumentVersion.objects.filter(organization=personas.org)[:2]))

    login(client, personas.manager)
    make(2)
    # The reads are made under the grant that ends first: its log grows with the rows.
    first = AccessGrant.objects.earliest("pk")
    urls = [
        f"{API}/engagements/{engagement.pk}/grants/",
        f"{API}/access-grants/{first.pk}/",
        f"{API}/access-grants/{first.pk}/access-log/",
    ]
    small = [count_queries(lambda u=u: client.get(u))[0] for u in urls]
    make(10)
    large = [count_queries(lambda u=u: client.get(u))[0] for u in urls]
    assert client.get(urls[0]).json()["count"] == 12
    assert client.get(urls[2]).json()["count"] == 12
    assert large == small


# --- the provider's reads -------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_shared_reads_by_role(client, personas, who):
    engagement = link(personas)
    doc = document(personas.org)
    file = evidence(personas)
    grant(engagement, personas, documents=[doc.pk], evidence=[file.pk], registers=["risks"])
    version = doc.versions.get()
    login(client, user_of(personas, who))
    base = f"{API}/engagements/{engagement.pk}/shared"
    responses = {
        "now": client.get(f"{base}/"),
        "document": client.get(f"{base}/documents/{doc.pk}/"),
        "version": client.get(f"{base}/versions/{version.pk}/"),
        "file": client.get(f"{base}/evidence/{file.pk}/download/"),
        "register": client.get(f"{base}/registers/risks/"),
    }
    expected = expect(who, set(CB_ROLES))
    assert {k: r.status_code for k, r in responses.items()} == dict.fromkeys(responses, expected)
    reads = ActivityEntry.objects.filter(organization=personas.org, action__in=["view", "download"])
    if expected != 200:
        assert not reads.exists()
        return
    assert [d["code"] for d in responses["now"].json()["documents"]] == ["QM-01"]
    assert [v["number"] for v in responses["document"].json()["versions"]] == [1]
    assert responses["version"].json()["content"].startswith("# QM-01")
    assert b"".join(responses["file"].streaming_content) == b"calibration record"
    assert responses["register"].json()["slug"] == "risks"
    # Four reads logged in the client's log, as the reader.
    assert reads.count() == 4 and {e.actor for e in reads} == {user_of(personas, who)}


@pytest.mark.parametrize("end", ["expire", "revoke", "end the link"])
def test_reads_are_refused_the_second_the_grant_ends(client, personas, end):
    engagement = link(personas)
    doc = document(personas.org)
    granted = grant(engagement, personas, documents=[doc.pk])
    file = evidence(personas)
    grant(engagement, personas, evidence=[file.pk], registers=["risks"])
    later = AccessGrant.objects.exclude(pk=granted.pk).get()
    base = f"{API}/engagements/{engagement.pk}/shared"
    urls = [
        f"{base}/documents/{doc.pk}/",
        f"{base}/versions/{doc.versions.get().pk}/",
        f"{base}/evidence/{file.pk}/download/",
        f"{base}/registers/risks/",
    ]
    login(client, personas.users[Role.LEAD_AUDITOR])
    assert [client.get(u).status_code for u in urls] == [200] * 4
    if end == "expire":
        expire(granted)
        expire(later)
    elif end == "revoke":
        grant_services.revoke_grant(granted, "Done", actor=personas.manager)
        grant_services.revoke_grant(later, "Done", actor=personas.manager)
    else:
        from pdca.engagements.services.links import end_engagement

        end_engagement(engagement, "Over", actor=personas.manager)
    assert [client.get(u).status_code for u in urls] == [404] * 4
    assert client.get(f"{API}/engagements/{engagement.pk}/shared/").json()["documents"] == []


def test_only_what_a_grant_names_is_read(client, personas):
    engagement = link(personas)
    doc, other = document(personas.org), document(personas.org, "QM-02")
    file, other_file = evidence(personas), evidence(personas, "other.txt", b"other")
    grant(engagement, personas, documents=[doc.pk], evidence=[file.pk])
    login(client, personas.users[Role.AUDITOR])
    base = f"{API}/engagements/{engagement.pk}/shared"
    assert client.get(f"{base}/documents/{other.pk}/").status_code == 404
    assert client.get(f"{base}/versions/{other.versions.get().pk}/").status_code == 404
    assert client.get(f"{base}/evidence/{other_file.pk}/download/").status_code == 404
    assert client.get(f"{base}/registers/risks/").status_code == 404
    assert client.get(f"{base}/registers/Not%20a%20slug/").status_code == 422
    assert client.get(f"{base}/documents/{2**63}/").status_code == 422


def test_a_shared_register_reads_with_its_columns_without_a_query_per_row(client, personas):
    from pdca.risks.models import Risk

    engagement = link(personas)
    grant(engagement, personas, registers=["risks"])
    login(client, personas.users[Role.AUDITOR])
    url = f"{API}/engagements/{engagement.pk}/shared/registers/risks/"

    def make(start: int, n: int) -> None:
        for i in range(start, start + n):
            Risk.objects.create(
                organization=personas.org, code=f"R-{i}", title=f"Risk {i}", owner=personas.manager
            )

    make(0, 2)
    small, _ = count_queries(lambda: client.get(url))
    make(2, 10)
    large, response = count_queries(lambda: client.get(url))
    assert large == small
    body = response.json()
    assert len(body["rows"]) == 12
    names = [c["name"] for c in body["columns"]]
    assert "title" in names
    assert body["rows"][0]["values"]["title"].startswith("Risk")


def test_shareable_registers_are_the_clients_own(client, personas):
    login(client, personas.manager)
    slugs = [r["slug"] for r in client.get(f"{API}/shareable-registers/").json()]
    assert "risks" in slugs and "clients" not in slugs
