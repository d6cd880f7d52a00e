"""The demo's competence and training: the matrix it promises, the half-done campaign, the
overdue assignment and the internal auditor who passed her path; loading it twice changes
nothing."""

from __future__ import annotations

import pytest

from pdca.core.models import ActivityChainHead
from pdca.people.models import Enrolment, TrainingRecord
from pdca.people.services.assignments import overdue_training
from pdca.people.services.campaigns import campaign_report
from pdca.people.services.competence import Status, competence_matrix
from pdca.tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(catalog):
    from pdca.demo import load_demo

    load_demo()
    return Organization.objects.get(slug="acme")


def _column(matrix, code: str) -> dict[str, str]:
    index = [r.code for r in matrix.requirements].index(code)
    return {
        row.membership.user.email.split("@")[0]: str(row.cells[index].status)
        for row in matrix.rows
        if row.cells[index].status != Status.NOT_APPLICABLE
    }


def test_the_demo_matrix_campaign_and_auditor(demo):
    from pdca.people.models import AwarenessCampaign

    matrix = competence_matrix(demo)
    assert matrix.counts == {
        Status.COMPETENT: 6,
        Status.EXPIRING: 2,
        Status.EXPIRED: 1,
        Status.PLANNED: 2,
        Status.MISSING: 2,
    }
    assert _column(matrix, "CR-01") == {
        "admin": "planned",  # the overdue assignment
        "ceo": "competent",
        "quality": "competent",
        "consultant": "missing",
        "production": "expiring",
        "auditor": "competent",  # passed in the campaign
        "employee": "planned",  # expired; the campaign plans the refresher
    }
    assert _column(matrix, "CR-03") == {"production": "expired", "employee": "competent"}
    assert _column(matrix, "CR-05") == {"quality": "expiring"}
    assert _column(matrix, "CR-06") == {"admin": "missing"}
    overdue = overdue_training(demo)
    assert [(o.membership.user.email, o.path.code) for o in overdue] == [
        ("admin@acme.example", "awareness")
    ]
    report = campaign_report(AwarenessCampaign.objects.get(organization=demo))
    lines = {
        p.membership.user.email: (p.acknowledged, p.asked, p.path_status, p.complete)
        for p in report.people
    }
    assert lines == {
        "auditor@acme.example": (2, 2, "passed", True),
        "employee@acme.example": (1, 2, "not_started", False),
        # A pass still valid counts, even while a refresher is under way.
        "production@acme.example": (1, 2, "passed", False),
    }
    passed = Enrolment.objects.get(
        organization=demo, person__email="auditor@acme.example", path__code="internal-auditor"
    )
    assert passed.record is not None
    assert passed.record.result == TrainingRecord.Result.PASSED
    from pdca.audits.qualification import standings

    ines = [
        s
        for s in standings(demo)
        if s.person == "Ines Auditor" and s.standard.code == "iso9001-2015"
    ]
    assert ines and ines[0].qualified, ines and ines[0].missing


def test_loading_the_demo_again_changes_nothing(demo):
    from pdca.demo import load_demo
    from pdca.people.models import Assignment, CompetenceRequirement, QuizAttempt

    def counts():
        return [
            m.objects.count()
            for m in (
                CompetenceRequirement,
                TrainingRecord,
                Assignment,
                Enrolment,
                QuizAttempt,
            )
        ] + list(ActivityChainHead.objects.order_by("chain").values_list("chain", "hash"))

    before = counts()
    load_demo()
    assert counts() == before
