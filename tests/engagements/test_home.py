"""What travels across engagements shows on the home pages: the client's evidence requests to
answer and plans to send, the auditor's answered requests; the same queries at two sizes."""

import datetime as dt

import pytest
from django.utils import timezone

from pdca.core.roles import Role
from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.engagements.models import FindingLink
from pdca.engagements.services.findings import release_audit
from pdca.engagements.services.requests import answer_request, request_evidence
from pdca.improvement.models import Nonconformity
from tests.certification.programme_factories import finding
from tests.engagements.factories import document, stage2_in_progress

pytestmark = pytest.mark.django_db


def sections(client, user) -> dict:
    login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return {s.key: [(i.badge, i.title) for i in s.items] for s in response.context["home_sections"]}


@pytest.fixture
def linked(personas):
    engagement, _cycle, audit, lead = stage2_in_progress(personas, days_ago=0)
    release_audit(engagement, audit, actor=lead)
    return engagement, audit, lead


def _ask(engagement, lead, title="Calibration records"):
    return request_evidence(
        engagement, title=title, due_date=timezone.localdate() + dt.timedelta(days=3), actor=lead
    )


def test_client_sees_requests_to_answer_and_plans_to_send(client, personas, linked):
    engagement, audit, lead = linked
    asked = _ask(engagement, lead)
    found = finding(audit, "minor", lead)
    nc = FindingLink.objects.get(finding=found).nonconformity
    home = sections(client, personas.manager)
    assert ("Answer", f"{asked} ({personas.cb})") in home["evidence-requests"]
    assert ("Send plan", f"{nc} ({personas.cb})") in home["plans"]
    # A process owner sees the plans of the nonconformities they own only.
    owner = personas.users[Role.PROCESS_OWNER]
    assert "plans" not in sections(client, owner)
    Nonconformity.objects.filter(pk=nc.pk).update(owner=owner)
    assert sections(client, owner)["plans"] == [("Send plan", f"{nc} ({personas.cb})")]
    assert "evidence-requests" not in sections(client, personas.employee)


def test_the_auditor_who_asked_sees_the_answer_to_review(client, personas, linked):
    engagement, _audit, lead = linked
    asked = _ask(engagement, lead)
    answer_request(asked, documents=[document(personas.org).pk], actor=personas.manager)
    assert sections(client, lead)["evidence-answers"] == [("Review", f"{asked} ({personas.org})")]
    assert sections(client, personas.users[Role.CB_MANAGER])["evidence-answers"]
    assert "evidence-answers" not in sections(client, personas.users[Role.AUDITOR])


@pytest.mark.parametrize("role", [Role.SYSTEM_MANAGER, Role.LEAD_AUDITOR, Role.CB_MANAGER])
def test_the_same_queries_at_two_sizes(client, personas, linked, role):
    engagement, audit, lead = linked
    user = personas.users[role]
    login(client, user)
    counts = []
    for n in (1, 4):
        for i in range(n):
            asked = _ask(engagement, lead, f"Item {n}-{i}")
            finding(audit, "minor", lead, title=f"Finding {n}-{i}")
            if i % 2:
                answer_request(
                    asked,
                    documents=[document(personas.org, f"D-{n}-{i}").pk],
                    actor=personas.manager,
                )
        client.get("/")
        queries, response = count_queries(lambda: client.get("/"))
        assert response.status_code == 200
        counts.append(queries)
    assert counts[0] == counts[1]
