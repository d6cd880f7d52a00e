"""The portfolio's figures on known data (scenario.py): exact values per client and in total,
the rows that must not count left out, readiness as the assessments app computes it, the
clients needing attention first, and the same queries for more clients and records."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.assessments.models import GapItem
from pdca.assessments.readiness import compute_readiness
from pdca.core.testing import count_queries
from pdca.engagements.portfolio.figures import NextAudit, Overdue
from pdca.engagements.portfolio.selectors import portfolio_for, require_consultancy
from pdca.standards.models import Standard
from tests.engagements.portfolio.scenario import TODAY, build, grow

pytestmark = pytest.mark.usefixtures("catalog")

D = dt.date


@pytest.fixture
def world(personas):
    return build(personas)


def figures(world):
    return portfolio_for(require_consultancy(world.principal), user=world.principal, today=TODAY)


def test_only_the_active_engagements_clients_are_listed_most_attention_first(personas, world):
    portfolio = figures(world)
    assert portfolio.consultancies == ["Bright Path Consulting"]
    assert [c.name for c in portfolio.clients] == ["Org A", "Acme Ltd"]
    org_a, acme = portfolio.clients
    assert (org_a.consultancy, org_a.since) == ("Bright Path Consulting", D(2025, 1, 10))
    # The principal is a member of Org A (its consultant), not of Acme.
    assert (org_a.member, acme.member) == (True, False)
    assert acme.attention == [] and acme.readiness == [] and acme.audits == []
    assert acme.overdue == Overdue() and acme.certificates == []


def test_overdue_work_counts_what_is_open_and_late_only(world):
    org_a = figures(world).clients[0]
    assert org_a.overdue == Overdue(
        nonconformities=2, corrective_actions=1, review_actions=1, gap_items=1
    )
    assert org_a.overdue.total == 5


def test_readiness_per_adopted_standard_from_the_current_assessment(world):
    # One implemented item more than the half-way mark: the figures must follow it.
    item = GapItem.objects.filter(assessment=world.assessment, status="partial").last()
    assert item is not None
    GapItem.objects.filter(pk=item.pk).update(status="implemented")
    org_a = figures(world).clients[0]
    standards = list(Standard.objects.filter(code__in=["iso14001-2015", "iso9001-2015"]))
    expected = {
        s.standard.code: (s.score.percent, s.score.applicable)
        for s in compute_readiness(world.assessment, standards).by_standard
    }
    assert {r.code: (r.percent, r.applicable) for r in org_a.readiness} == expected
    assert [r.code for r in org_a.readiness] == ["iso14001-2015", "iso9001-2015"]  # by name
    assert all(r.assessment == "Current" and r.system == "IMS" for r in org_a.readiness)
    assert all(45 < (r.percent or 0) < 55 for r in org_a.readiness)  # about half-way
    assert "iso27001-2022" not in expected  # dropped: not shown


def test_next_audits_internal_and_of_the_linked_certification_body(world):
    org_a = figures(world).clients[0]
    assert org_a.audits_count == 4 and org_a.audits_ahead == 3
    assert org_a.audits == [
        NextAudit(
            "internal", "Internal audit IA-0-2", "", D(2026, 6, 10), D(2026, 6, 20), None, -5
        ),
        NextAudit("internal", "Internal audit IA-0-1", "", D(2026, 7, 1), D(2026, 7, 1), None, 16),
        NextAudit(
            "certification", "Surveillance 1 audit", "CB", D(2026, 7, 20), D(2026, 7, 20), None, 35
        ),
    ]


def test_certificates_of_the_linked_body_with_expiry_flagged(world):
    (certificate,) = figures(world).clients[0].certificates
    assert (certificate.body, certificate.expires_on) == ("CB", D(2026, 8, 1))
    assert certificate.standards == ["ISO 9001:2015"]
    assert (certificate.days_left, certificate.expiring, certificate.suspended) == (47, True, False)


def test_what_needs_attention_and_the_totals(world):
    portfolio = figures(world)
    org_a = portfolio.clients[0]
    number = org_a.certificates[0].number
    assert org_a.attention == [
        "5 overdue items",
        f"certificate {number} expires in 47 days",
        "Internal audit IA-0-2 under way",
        "Internal audit IA-0-1 in 16 days",
    ]
    totals = portfolio.totals
    assert (totals.clients, totals.needing_attention) == (2, 1)
    assert totals.overdue.total == 5
    assert (totals.audits_ahead, totals.certificates_expiring, totals.certificates_suspended) == (
        3,
        1,
        0,
    )
    data = portfolio.as_dict()
    assert data["totals"]["overdue"] == {
        "nonconformities": 2,
        "corrective_actions": 1,
        "review_actions": 1,
        "gap_items": 1,
        "total": 5,
    }
    assert data["clients"][0]["organization"] == "org-a"
    assert data["clients"][0]["audits"][0]["scheduled"] is True


def test_the_operator_reads_every_consultancy(world, personas):
    from pdca.tenancy.models import Organization

    consultancies = list(Organization.objects.filter(kind="consultancy").order_by("name"))
    portfolio = portfolio_for(consultancies, today=TODAY)
    assert portfolio.consultancies == ["Bright Path Consulting", "Tidy Systems"]
    assert {c.name for c in portfolio.clients} == {"Org A", "Acme Ltd", "Org B"}
    assert not any(c.member for c in portfolio.clients)


def test_the_same_queries_for_more_clients_and_records(world, personas):
    consultancies = require_consultancy(world.principal)
    small, before = count_queries(
        lambda: portfolio_for(consultancies, user=world.principal, today=TODAY)
    )
    grow(world, personas, 3)
    large, after = count_queries(
        lambda: portfolio_for(consultancies, user=world.principal, today=TODAY)
    )
    assert len(after.clients) == len(before.clients) + 3
    assert after.totals.overdue.total == 4 * 5
    assert large == small, f"{small} queries for 2 clients, {large} for 5"
