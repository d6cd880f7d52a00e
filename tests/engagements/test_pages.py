"""The engagement pages from each side: who sees what, and what each read leaves in the
client's log."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pdca.certification.models import CycleAudit
from pdca.core.models import ActivityEntry
from pdca.core.roles import Role
from pdca.core.testing.queries import count_queries
from pdca.engagements.models import AccessGrant, Engagement, EvidenceRequest, FindingLink
from pdca.engagements.services.requests import request_evidence
from pdca.tenancy.middleware import SESSION_KEY
from tests.certification.programme_factories import finding, hold, new_cycle, stage
from tests.engagements.factories import document, evidence, expire, grant, link

pytestmark = pytest.mark.django_db


def _as(client, user, org):
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = org.pk
    session.save()


@pytest.fixture
def linked(personas):
    cycle = new_cycle(personas)
    engagement = link(personas, client=cycle.client)
    return engagement, cycle


def test_list_and_detail_from_both_sides(client, personas, linked):
    engagement, _ = linked
    for user, org in (
        (personas.manager, personas.org),
        (personas.users[Role.LEAD_AUDITOR], personas.cb),
    ):
        _as(client, user, org)
        page = client.get(reverse("engagements:list"))
        assert page.status_code == 200
        assert engagement.title in page.content.decode()
        assert client.get(reverse("engagements:detail", args=[engagement.pk])).status_code == 200
    _as(client, personas.outsider, personas.other)
    assert client.get(reverse("engagements:detail", args=[engagement.pk])).status_code == 404
    assert engagement.title not in client.get(reverse("engagements:list")).content.decode()


def test_invite_page_then_accept_through_the_link(client, personas):
    from tests.certification.factories import make_client

    record = make_client(personas.cb, 3)
    _as(client, personas.users[Role.CB_MANAGER], personas.cb)
    bad = client.post(reverse("engagements:invite"), {"title": "", "email": "x"})
    assert bad.status_code == 422
    assert not Engagement.objects.exists()
    sent = client.post(
        reverse("engagements:invite"),
        {"title": "ISO 9001", "email": personas.manager.email, "client": record.pk},
    )
    assert sent.status_code == 201
    url = sent.context["url"]
    _as(client, personas.manager, personas.org)
    page = client.get(url)
    assert page.status_code == 200
    done = client.post(url, {"action": "accept", "organization": personas.org.pk})
    engagement = Engagement.objects.get()
    assert done.status_code == 302 and engagement.status == "active"
    assert client.get(url).status_code == 200  # answered: the page says so
    _as(client, personas.users[Role.AUDITOR], personas.cb)
    assert client.get(reverse("engagements:invite")).status_code == 403


def test_grant_page_and_reads_under_it(client, personas, linked):
    engagement, _ = linked
    doc = document(personas.org)
    file = evidence(personas)
    _as(client, personas.employee, personas.org)
    assert client.get(reverse("engagements:grant-new", args=[engagement.pk])).status_code == 404
    _as(client, personas.manager, personas.org)
    ends = (timezone.localtime() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    assert (
        client.post(reverse("engagements:grant-new", args=[engagement.pk]), {"purpose": "x"})
    ).status_code == 422
    made = client.post(
        reverse("engagements:grant-new", args=[engagement.pk]),
        {
            "purpose": "Stage 1",
            "ends_at": ends,
            "documents": [doc.pk],
            "evidence": [file.pk],
            "registers": ["risks"],
        },
    )
    assert made.status_code == 302
    g = AccessGrant.objects.get()
    lead = personas.users[Role.LEAD_AUDITOR]
    _as(client, lead, personas.cb)
    detail = client.get(reverse("engagements:detail", args=[engagement.pk])).content.decode()
    assert doc.code in detail
    assert (
        client.get(reverse("engagements:shared-document", args=[engagement.pk, doc.pk])).status_code
        == 200
    )
    download = client.get(reverse("engagements:shared-evidence", args=[engagement.pk, file.pk]))
    assert (
        download.status_code == 200
        and b"".join(download.streaming_content) == b"calibration record"
    )
    assert (
        client.get(
            reverse("engagements:shared-register", args=[engagement.pk, "risks"])
        ).status_code
        == 200
    )
    reads = ActivityEntry.objects.filter(organization=personas.org, action__in=["view", "download"])
    assert reads.count() == 3
    _as(client, personas.manager, personas.org)
    log = client.get(reverse("engagements:grant", args=[g.pk])).content.decode()
    assert "Stage 1" in log and lead.email in log
    expire(g)
    _as(client, lead, personas.cb)
    assert (
        client.get(reverse("engagements:shared-document", args=[engagement.pk, doc.pk])).status_code
        == 404
    )


def test_client_sees_released_audits_only_and_sends_its_plan(client, personas, linked):
    engagement, cycle = linked
    lead = personas.users[Role.LEAD_AUDITOR]
    audit = hold(
        stage(cycle, CycleAudit.Kind.STAGE2), timezone.localdate(), status="in_progress", lead=lead
    )
    audit_url = reverse("engagements:audit", args=[engagement.pk, audit.pk])
    _as(client, personas.manager, personas.org)
    assert client.get(audit_url).status_code == 404
    _as(client, lead, personas.cb)
    assert (
        client.post(
            reverse("engagements:audit-release", args=[engagement.pk, audit.pk])
        ).status_code
        == 302
    )
    finding(audit, "minor", lead)
    link_ = FindingLink.objects.get()
    _as(client, personas.manager, personas.org)
    page = client.get(audit_url).content.decode()
    assert link_.nonconformity.reference in page
    sent = client.post(reverse("engagements:send-plan", args=[link_.pk]), follow=True)
    assert "Record the correction" in sent.content.decode()  # incomplete: refused, clearly


def test_evidence_request_pages(client, personas, linked):
    engagement, _ = linked
    doc = document(personas.org)
    lead = personas.users[Role.LEAD_AUDITOR]
    _as(client, lead, personas.cb)
    made = client.post(
        reverse("engagements:request-new", args=[engagement.pk]),
        {
            "title": "Calibration records",
            "kind": "sample",
            "sample_size": 5,
            "due_date": (timezone.localdate() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert made.status_code == 302
    req = EvidenceRequest.objects.get()
    _as(client, personas.manager, personas.org)
    answered = client.post(reverse("engagements:request", args=[req.pk]), {"documents": [doc.pk]})
    assert answered.status_code == 302
    req.refresh_from_db()
    assert req.status == "answered"
    _as(client, lead, personas.cb)
    assert (
        client.get(reverse("engagements:shared-document", args=[engagement.pk, doc.pk])).status_code
        == 200
    )
    client.post(reverse("engagements:request-review", args=[req.pk]), {"accept": "yes"})
    req.refresh_from_db()
    assert req.status == "accepted"
    _as(client, personas.outsider, personas.other)
    assert client.get(reverse("engagements:request", args=[req.pk])).status_code == 404


def test_detail_query_count_does_not_grow(client, personas, linked):
    engagement, _ = linked
    lead = personas.users[Role.LEAD_AUDITOR]
    url = reverse("engagements:detail", args=[engagement.pk])

    def add(n):
        for i in range(n):
            d = document(personas.org, f"D-{engagement.pk}-{AccessGrant.objects.count()}-{i}")
            grant(engagement, personas, documents=[d.pk])
            request_evidence(
                engagement,
                title=f"R{i}",
                due_date=timezone.localdate() + dt.timedelta(days=3),
                actor=lead,
            )

    _as(client, lead, personas.cb)
    add(1)
    small, _ = count_queries(lambda: client.get(url))
    add(5)
    large, _ = count_queries(lambda: client.get(url))
    assert large == small
    _as(client, personas.manager, personas.org)
    small, _ = count_queries(lambda: client.get(url))
    add(3)
    large, _ = count_queries(lambda: client.get(url))
    assert large == small
