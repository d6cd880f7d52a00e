"""The run, the pages and the API read a fixed number of queries, whatever the size of the
registers and the number of runs and findings (measured at two sizes)."""

from __future__ import annotations

import datetime as dt

import pytest

from pdca.core.testing import count_queries
from pdca.core.testing.api_bundle import login
from pdca.engagements.rehearsal.services import run_rehearsal
from pdca.people.models import CompetenceRequirement, TrainingRecord
from pdca.standards.models import Requirement

from .factories import EMS, ISMS, QMS, TODAY, make_system, open_grant, requirement
from .records import (
    document,
    exclusion,
    internal_audit,
    nonconformity,
    objective,
    obligation,
    process,
    review,
    risk,
    soa,
)

pytestmark = pytest.mark.usefixtures("catalog")


def grow(system, personas, start: int, stop: int) -> None:
    """Records numbered `start` to `stop - 1` in every register a rule reads."""
    clauses = list(
        Requirement.objects.filter(standard__code=QMS, number__startswith="8.3.").order_by(
            "sort_key"
        )
    )
    for i in range(start, stop):
        document(system, "5.2.2", "draft", index=i)
        audit = internal_audit(system, status="closed" if i % 2 else "report_issued")
        audit.requirements.add(requirement(QMS, "4.1"))
        audit.processes.add(process(system, code=f"P-{i:02d}"))
        process(system, code=f"Q-{i:02d}")
        objective(system)
        risk(system, code=f"R-{i}", inherent_score=20, status="assessed")
        risk(system, code=f"S-{i}")
        nonconformity(system).requirements.add(requirement(QMS, "8.7.1"))
        obligation(system, next_evaluation_due=TODAY - dt.timedelta(days=i + 1))
        needed = CompetenceRequirement.objects.create(
            organization=system.organization,
            code=f"CR-{i}",
            title="Awareness",
            role="process_owner",
        )
        TrainingRecord.objects.create(
            organization=system.organization,
            person=personas.manager,
            title="Course",
            requirement=needed,
            completed_on=TODAY,
        )
        exclusion(system, QMS, clauses[i].number, "n/a")
        review(system, days=30 + i)


@pytest.fixture
def system(personas):
    system = make_system(personas.org, (QMS, EMS, ISMS))
    soa(system, decided=False)
    grow(system, personas, 0, 1)
    return system


def test_a_run_reads_as_much_at_both_sizes(personas, system):
    run_rehearsal(system, actor=personas.manager)  # the activity chain's head exists from now on
    small, first = count_queries(lambda: run_rehearsal(system, actor=personas.manager))
    grow(system, personas, 1, 6)
    large, second = count_queries(lambda: run_rehearsal(system, actor=personas.manager))
    assert second.majors + second.minors > first.majors + first.minors
    assert small == large


def pages(system, run) -> list[str]:
    return [
        f"/rehearsal/systems/{system.pk}/",
        f"/rehearsal/runs/{run.pk}/",
        f"/api/v1/systems/{system.pk}/rehearsals/",
        f"/api/v1/rehearsals/{run.pk}/",
        "/rehearsal/",
    ]


def measure(client, urls: list[str]) -> list[int]:
    found = []
    for url in urls:
        n, response = count_queries(lambda url=url: client.get(url))
        assert response.status_code == 200, url
        found.append(n)
    return found


@pytest.mark.parametrize("who", ["manager", "lead_auditor"])
def test_pages_and_api_read_as_much_at_both_sizes(client, personas, system, who):
    user = personas.manager if who == "manager" else personas.users["lead_auditor"]
    if who != "manager":
        open_grant(personas, system)
    for _ in range(2):
        run_rehearsal(system, actor=user)
    login(client, user)
    latest = system.rehearsals.latest("run_at", "pk")
    small = measure(client, pages(system, latest))
    grow(system, personas, 1, 6)
    for _ in range(4):
        run_rehearsal(system, actor=user)
    latest = system.rehearsals.latest("run_at", "pk")
    large = measure(client, pages(system, latest))
    assert small == large
