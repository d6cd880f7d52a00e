"""Search over codes, titles and each document's current text (published, else the latest),
with escaped, highlighted snippets; full-text search on PostgreSQL, a plain match elsewhere.
The page (with its htmx fragment) and the API for every role and the other organization, and
constant query counts."""

from __future__ import annotations

import pytest
from django.db import connection

from pdca.core.roles import ALL_ROLES, ORGANIZATION_ROLES
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.documents.models import DocumentVersion
from pdca.documents.search import search_documents, snippet, terms_of
from tests.documents.test_coverage import make_doc, make_version

ROLES = sorted(ALL_ROLES)
Status = DocumentVersion.Status


@pytest.fixture
def library(personas):
    org, author = personas.org, personas.manager
    backups = make_doc(org, "IT-001", "Backup procedure")
    make_version(
        backups, author, 1, Status.PUBLISHED, "Backups run every night and are tested monthly."
    )
    make_version(backups, author, 2, Status.DRAFT, "Backups run every hour. Draft wording.")
    travel = make_doc(org, "HR-002", "Travel rules")
    make_version(travel, author, 1, Status.SUPERSEDED, "Old: backups of laptops are optional.")
    make_version(travel, author, 2, Status.DRAFT, "Book trains before flights.")
    make_doc(org, "QP-003", "Backups of customer files")  # no version yet
    theirs = make_doc(personas.other, "IT-001", "Their backup procedure")
    make_version(theirs, personas.outsider, 1, Status.PUBLISHED, "Backups elsewhere.")
    return backups


def codes(hits) -> list[str]:
    return [h.code for h in hits]


def test_matches_title_code_and_current_content(personas, library):
    hits = search_documents(personas.manager, personas.org, "backups")
    # The published text of IT-001 counts (not its draft); the superseded text of HR-002 does not.
    assert sorted(codes(hits)) == ["IT-001", "QP-003"]
    backup = next(h for h in hits if h.code == "IT-001")
    assert (backup.version_number, backup.version_status) == (1, "published")
    assert str(backup.snippet) == ("<mark>Backups</mark> run every night and are tested monthly.")
    assert codes(search_documents(personas.manager, personas.org, "hr-002")) == ["HR-002"]
    # Without a published version, the latest is the current one.
    hits = search_documents(personas.manager, personas.org, "trains")
    assert [(h.code, h.version_number) for h in hits] == [("HR-002", 2)]


def test_nothing_to_find(personas, library):
    assert search_documents(personas.manager, personas.org, "   ") == []
    assert search_documents(personas.manager, personas.org, "zebra") == []


def test_other_organizations_stay_hidden(personas, library):
    assert codes(search_documents(personas.outsider, personas.other, "backups")) == ["IT-001"]
    assert search_documents(personas.outsider, personas.org, "backups") == []
    cb_member = personas.users["cb_manager"]
    assert search_documents(cb_member, personas.org, "backups") == []


def test_snippets_are_escaped_and_highlighted():
    text = "# Title\n\nUse <script>alert('x')</script> and **Tom & Jerry**: tom &amp; co " + (
        "filler " * 40
    )
    result = str(snippet(text, ["tom", "amp"]))
    assert "<script>" not in result
    assert result.startswith("Title Use &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; and ")
    assert "<mark>Tom</mark> &amp; Jerry: <mark>tom</mark> &amp;<mark>amp</mark>; co" in result
    assert result.endswith(" …")
    long = "word " * 100 + "needle in the hay"
    assert str(snippet(long, ["needle"])).startswith("… ")
    assert "<mark>needle</mark> in the hay" in str(snippet(long, ["needle"]))
    assert terms_of("backup  QP-003, (files)") == ["backup", "QP-003", "files"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search on PostgreSQL")
def test_postgres_full_text_search_stems_and_ranks(personas, library):
    # "tested" and "test" share a stem; title and code words outrank content words.
    hits = search_documents(personas.manager, personas.org, "test")
    assert codes(hits) == ["IT-001"]
    make_doc(personas.org, "IT-009", "Nightly test plan")
    assert codes(search_documents(personas.manager, personas.org, "test"))[0] == "IT-009"


def test_query_count_does_not_grow(personas, library):
    search_documents(personas.manager, personas.org, "backups")
    few, _ = count_queries(lambda: search_documents(personas.manager, personas.org, "backups"))
    for i in range(10):
        doc = make_doc(personas.org, f"BK-{i}", f"Backup plan {i}")
        make_version(doc, personas.manager, 1, Status.PUBLISHED, "Backups again.")
    many, hits = count_queries(lambda: search_documents(personas.manager, personas.org, "backups"))
    assert few == many == 1
    assert len(hits) == 12


# --- page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_page_for_every_role(client, personas, library, role):
    login(client, personas.users[role])
    response = client.get("/documents/search/", {"q": "backups"})
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200
        html = response.content.decode()
        assert "2 documents found for “backups”." in html
        assert f'href="/documents/{library.pk}/"><strong>IT-001</strong> Backup procedure' in html
        assert "<mark>Backups</mark> run every night" in html
    else:
        assert response.status_code == 403


def test_page_fragment_empty_query_and_outsider(client, personas, library):
    login(client, personas.manager)
    fragment = client.get("/documents/search/", {"q": "trains"}, headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert html.startswith('<div id="search-results">')
    assert "1 document found" in html and "<!doctype" not in html
    assert "found for" not in client.get("/documents/search/").content.decode()
    login(client, personas.outsider)
    html = client.get("/documents/search/", {"q": "backups"}).content.decode()
    assert "Their backup procedure" in html and "Backup procedure</a>" not in html


def test_page_escapes_the_query(client, personas, library):
    login(client, personas.manager)
    html = client.get("/documents/search/", {"q": "<b>x</b>"}).content.decode()
    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html


def test_page_query_count_does_not_grow(client, personas, library):
    login(client, personas.manager)
    few, _ = count_queries(lambda: client.get("/documents/search/", {"q": "backups"}))
    for i in range(10):
        make_doc(personas.org, f"BK-{i}", f"Backup plan {i}")
    many, response = count_queries(lambda: client.get("/documents/search/", {"q": "backups"}))
    assert response.status_code == 200
    assert few == many


# --- API ----------------------------------------------------------------------------------

API = "/api/v1/documents/search/"


@pytest.mark.parametrize("role", ROLES)
def test_api_for_every_role(client, personas, library, role):
    login(client, personas.users[role])
    response = client.get(API, {"q": "night", "organization": "org-a"})
    if role in ORGANIZATION_ROLES:
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["count"] == 1
        hit = body["items"][0]
        assert {k: hit[k] for k in ("id", "code", "title", "version", "version_status")} == {
            "id": library.pk,
            "code": "IT-001",
            "title": "Backup procedure",
            "version": 1,
            "version_status": "published",
        }
        assert hit["snippet"] == "Backups run every <mark>night</mark> and are tested monthly."
    else:
        assert response.status_code == 404


def test_api_errors_and_other_organization(client, personas, library):
    assert client.get(API, {"q": "backups"}).status_code == 401
    login(client, personas.manager)
    response = client.get(API)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "q"
    assert client.get(API, {"q": "x" * 201}).json()["errors"][0]["field"] == "q"
    paged = client.get(API, {"q": "backups", "limit": 1}).json()
    assert (paged["count"], len(paged["items"])) == (2, 1)
    login(client, personas.outsider)
    assert client.get(API, {"q": "backups", "organization": "org-a"}).status_code == 404
    assert [h["title"] for h in client.get(API, {"q": "backups"}).json()["items"]] == [
        "Their backup procedure"
    ]
