"""The engagements API, evidence requests: the body's auditors ask, the client's managers
answer with their own documents and files, the auditors accept, return or withdraw; both
sides read each request; bad input names the field and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.roles import Role
from pdca.core.testing.api_bundle import login
from pdca.core.testing.queries import count_queries
from pdca.engagements.models import EvidenceRequest
from pdca.engagements.services import requests as request_services
from tests.engagements.factories import document, evidence, link
from tests.engagements.test_api import (
    API,
    EVERYONE,
    READERS,
    expect,
    fields,
    ids,
    post,
    user_of,
)

pytestmark = pytest.mark.django_db

AUDITORS = {Role.CB_MANAGER, Role.LEAD_AUDITOR, Role.AUDITOR}
GRANTORS = {Role.SYSTEM_MANAGER, Role.TOP_MANAGEMENT}
TOMORROW = (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def ask(engagement, personas, title: str = "Calibration records", days: int = 7):
    return request_services.request_evidence(
        engagement,
        title=title,
        due_date=timezone.localdate() + dt.timedelta(days=days),
        actor=personas.users[Role.AUDITOR],
    )


def answered(engagement, personas):
    found = ask(engagement, personas)
    doc = document(personas.org)
    return request_services.answer_request(found, documents=[doc.pk], actor=personas.manager)


@pytest.mark.parametrize("who", EVERYONE)
def test_request_by_role(client, personas, who):
    engagement = link(personas)
    login(client, user_of(personas, who))
    response = post(
        client,
        f"{API}/engagements/{engagement.pk}/evidence-requests/",
        {"title": "Calibration records", "due_date": TOMORROW, "kind": "sample", "sample_size": 5},
    )
    assert response.status_code == expect(who, AUDITORS, ok=201), response.content
    if response.status_code == 201:
        body = response.json()
        assert body["reference"] == "ER-1" and body["status"] == "open"
        assert body["requested_by"] == user_of(personas, who).email
    else:
        assert not EvidenceRequest.objects.exists()


@pytest.mark.parametrize("who", EVERYONE)
def test_both_sides_read_requests(client, personas, who):
    engagement = link(personas)
    found = answered(engagement, personas)
    login(client, user_of(personas, who))
    listed = client.get(f"{API}/engagements/{engagement.pk}/evidence-requests/")
    detail = client.get(f"{API}/evidence-requests/{found.pk}/")
    assert listed.status_code == detail.status_code == (200 if who in READERS else 404)
    if who in READERS:
        assert ids(listed) == [found.pk]
        assert detail.json()["status"] == "answered"
        assert [d["code"] for d in detail.json()["documents"]] == ["QM-01"]
        assert detail.headers["ETag"]


@pytest.mark.parametrize("who", EVERYONE)
def test_answer_by_role(client, personas, who):
    engagement = link(personas)
    found = ask(engagement, personas)
    doc, file = document(personas.org), evidence(personas)
    login(client, user_of(personas, who))
    response = post(
        client,
        f"{API}/evidence-requests/{found.pk}/answer/",
        {"documents": [doc.pk], "evidence": [file.pk], "note": "As asked"},
    )
    found.refresh_from_db()
    assert response.status_code == expect(who, GRANTORS), response.content
    if response.status_code == 200:
        assert response.json()["status"] == "answered"
        assert list(found.documents.all()) == [doc] and list(found.evidence.all()) == [file]
    else:
        assert found.status == EvidenceRequest.Status.OPEN and not found.documents.exists()


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("step", ["accept", "return", "withdraw"])
def test_review_and_withdraw_by_role(client, personas, who, step):
    engagement = link(personas)
    found = answered(engagement, personas)
    login(client, user_of(personas, who))
    if step == "withdraw":
        url, body = f"{API}/evidence-requests/{found.pk}/withdraw/", {"reason": "Not needed"}
    else:
        url = f"{API}/evidence-requests/{found.pk}/review/"
        body = {"accept": step == "accept", "reason": "" if step == "accept" else "Page 2?"}
    response = post(client, url, body)
    found.refresh_from_db()
    assert response.status_code == expect(who, AUDITORS), response.content
    expected = {"accept": "accepted", "return": "returned", "withdraw": "withdrawn"}[step]
    if response.status_code == 200:
        assert response.json()["status"] == found.status == expected
    else:
        assert found.status == EvidenceRequest.Status.ANSWERED


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"title": "", "due_date": TOMORROW}, {"title"}),
        ({"title": "x", "due_date": "2020-01-01"}, {"due_date"}),
        ({"title": "x", "due_date": "tomorrow"}, {"due_date"}),
        ({"title": "x", "due_date": TOMORROW, "kind": "photo"}, {"kind"}),
        ({"title": "x", "due_date": TOMORROW, "kind": "sample"}, {"sample_size"}),
        ({"title": "x", "due_date": TOMORROW, "sample_size": 0}, {"sample_size"}),
        ({"title": "x", "due_date": TOMORROW, "audit": 999_999}, {"audit"}),
        ({"title": "x", "due_date": TOMORROW, "requirement": 2**62}, {"requirement"}),
        ({"due_date": TOMORROW, "description": "x" * 20_001}, {"title", "description"}),
    ],
)
def test_bad_requests_name_the_field_and_write_nothing(client, personas, body, expected):
    engagement = link(personas)
    login(client, personas.users[Role.LEAD_AUDITOR])
    response = post(client, f"{API}/engagements/{engagement.pk}/evidence-requests/", body)
    assert fields(response) == expected
    assert not EvidenceRequest.objects.exists()


def test_bad_answers_and_reviews_change_nothing(client, personas):
    engagement = link(personas)
    found = ask(engagement, personas)
    foreign = document(personas.other, "X-1", author=personas.outsider)
    login(client, personas.manager)
    url = f"{API}/evidence-requests/{found.pk}/answer/"
    assert fields(post(client, url, {})) == {"documents"}
    assert fields(post(client, url, {"documents": [foreign.pk]})) == {"documents"}
    assert fields(post(client, url, {"evidence": [0]})) == {"evidence.0"}
    found.refresh_from_db()
    assert found.status == EvidenceRequest.Status.OPEN and not found.documents.exists()
    login(client, personas.users[Role.AUDITOR])
    review = f"{API}/evidence-requests/{found.pk}/review/"
    assert post(client, review, {"accept": True}).status_code == 409  # nothing to review yet
    request_services.answer_request(
        found, documents=[document(personas.org).pk], actor=personas.manager
    )
    assert fields(post(client, review, {"accept": False})) == {"reason"}
    assert fields(post(client, review, {"reason": "x"})) == {"accept"}
    withdraw = f"{API}/evidence-requests/{found.pk}/withdraw/"
    assert fields(post(client, withdraw, {"reason": ""})) == {"reason"}
    assert EvidenceRequest.objects.get(pk=found.pk).status == EvidenceRequest.Status.ANSWERED


def test_a_stale_answer_is_refused(client, personas):
    engagement = link(personas)
    found = ask(engagement, personas)
    login(client, personas.manager)
    etag = client.get(f"{API}/evidence-requests/{found.pk}/").headers["ETag"]
    later = found.updated_at + dt.timedelta(seconds=1)
    EvidenceRequest.objects.filter(pk=found.pk).update(title="Changed", updated_at=later)
    body = {"documents": [document(personas.org).pk]}
    url = f"{API}/evidence-requests/{found.pk}/answer/"
    assert post(client, url, body, HTTP_IF_MATCH=etag).status_code == 412
    assert EvidenceRequest.objects.get(pk=found.pk).status == EvidenceRequest.Status.OPEN


def test_filters_and_the_body_reads_the_answer(client, personas):
    engagement = link(personas)
    late = ask(engagement, personas, "Late", days=1)
    EvidenceRequest.objects.filter(pk=late.pk).update(
        due_date=timezone.localdate() - dt.timedelta(days=1)
    )
    done = answered(engagement, personas)
    login(client, personas.users[Role.TECHNICAL_EXPERT])
    url = f"{API}/engagements/{engagement.pk}/evidence-requests/"
    assert ids(client.get(f"{url}?overdue=true")) == [late.pk]
    assert ids(client.get(f"{url}?status=answered")) == [done.pk]
    assert client.get(f"{url}?overdue=true").json()["items"][0]["overdue"] is True
    # The answer's document is readable by the body without a grant, logged.
    doc = done.documents.get()
    shared_doc = f"{API}/engagements/{engagement.pk}/shared/documents/{doc.pk}/"
    response = client.get(shared_doc)
    assert response.status_code == 200 and response.json()["grant"] is None


def test_request_list_does_not_query_per_row(client, personas):
    engagement = link(personas)
    doc, file = document(personas.org), evidence(personas)

    def make(n: int) -> None:
        for i in range(n):
            found = ask(engagement, personas, f"Item {i}")
            request_services.answer_request(
                found, documents=[doc.pk], evidence=[file.pk], actor=personas.manager
            )

    login(client, personas.users[Role.AUDITOR])
    url = f"{API}/engagements/{engagement.pk}/evidence-requests/"
    make(2)
    small, _ = count_queries(lambda: client.get(url))
    make(10)
    large, response = count_queries(lambda: client.get(url))
    assert response.json()["count"] == 12
    assert large == small


def test_a_consultancy_link_takes_no_evidence_requests(client, personas):
    from tests.engagements.portfolio.factories import make_consultancy, make_engagement

    consultancy, principal, _ = make_consultancy()
    engagement = make_engagement(consultancy, personas.org, by=principal)
    login(client, principal)
    response = post(
        client,
        f"{API}/engagements/{engagement.pk}/evidence-requests/",
        {"title": "x", "due_date": TOMORROW},
    )
    # A consultancy's principal is no auditor of a certification body.
    assert response.status_code == 403
    assert not EvidenceRequest.objects.exists()
